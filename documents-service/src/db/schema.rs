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

diesel::table! {
    inbox_events (id) {
        id -> BigInt,
        event_id -> Text,
        source -> Text,
        kind -> Text,
        payload -> Text,
        occurred_at -> Timestamp,
        received_at -> Timestamp,
        processed_at -> Nullable<Timestamp>,
        attempts -> Integer,
        last_error -> Nullable<Text>,
    }
}
