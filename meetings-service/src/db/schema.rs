diesel::table! {
    activities (id) {
        id -> BigInt,
        body_id -> BigInt,
        kind -> Text,
        title -> Text,
        held_on -> Date,
        place -> Text,
        description -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
