diesel::table! {
    documents (id) {
        id -> BigInt,
        serial -> Text,
        kind -> Text,
        status -> Text,
        person_name -> Text,
        issued_at -> Timestamp,
    }
}
