diesel::table! {
    documents (id) {
        id -> BigInt,
        serial -> Text,
        kind -> Text,
        year -> Integer,
        seq -> Integer,
        status -> Text,
        verify_token -> Text,
        subject_key -> Text,
        person_name -> Text,
        post_label -> Text,
        body_name -> Text,
        term_label -> Text,
        person_id -> Nullable<BigInt>,
        appointment_id -> Nullable<BigInt>,
        source_event_id -> Nullable<Text>,
        data -> Text,
        pdf -> Binary,
        content_hash -> Text,
        issued_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        superseded_by -> Nullable<BigInt>,
        verification_count -> BigInt,
        credential -> Nullable<Text>,
    }
}

diesel::table! {
    deliveries (id) {
        id -> BigInt,
        document_id -> BigInt,
        recipient -> Text,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        sending_since -> Nullable<Timestamp>,
        queued_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    delivery_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        at -> Timestamp,
        outcome -> Text,
        detail -> Text,
    }
}

diesel::joinable!(deliveries -> documents (document_id));
diesel::joinable!(delivery_attempts -> deliveries (delivery_id));

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
        next_attempt_at -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        dead_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    serial_counters (kind, year) {
        kind -> Text,
        year -> Integer,
        last -> Integer,
    }
}

diesel::table! {
    batches (id) {
        id -> BigInt,
        kind -> Text,
        status -> Text,
        send_mail -> Bool,
        reissue -> Bool,
        total -> Integer,
        issued -> Integer,
        existing -> Integer,
        failed -> Integer,
        requested_by -> Text,
        idempotency_key -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        claimed_until -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
    }
}

diesel::table! {
    batch_items (id) {
        id -> BigInt,
        batch_id -> BigInt,
        appointment_id -> BigInt,
        facts -> Text,
        status -> Text,
        document_id -> Nullable<BigInt>,
        error -> Nullable<Text>,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(batch_items -> batches (batch_id));
diesel::allow_tables_to_appear_in_same_query!(
    documents,
    deliveries,
    delivery_attempts,
    inbox_events,
    serial_counters,
    batches,
    batch_items,
);

diesel::table! {
    signing_keys (name) {
        name -> Text,
        private_pem -> Text,
        created_at -> Timestamp,
    }
}
