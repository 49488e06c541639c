diesel::table! {
    bodies (id) {
        id -> BigInt,
        kind -> Text,
        name -> Text,
        specialty -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
