// Tables of members-service (see migrations/).

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

diesel::table! {
    units (id) {
        id -> BigInt,
        name -> Text,
        kind -> Text,
        address -> Nullable<Text>,
        contact_name -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The people search's index (`crate::domain::search`).
    person_name_grams (gram, person_id) {
        gram -> Text,
        person_id -> BigInt,
    }
}

diesel::table! {
    people (id) {
        id -> BigInt,
        name -> Text,
        unit_id -> BigInt,
        job_post -> Text,
        title_level -> Text,
        date_of_birth -> Nullable<Date>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        specialty -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// 姓氏笔画 order (`crate::domain::hanzi::stroke_key`).
        sort_strokes -> Text,
        /// Pinyin order (`crate::domain::hanzi::pinyin_key`).
        sort_pinyin -> Text,
        /// What a long pinyin query is checked against (`crate::domain::hanzi::spelling`).
        spelling -> Text,
        /// The `crate::domain::hanzi::KEYS_VERSION` the three were written with.
        name_keys_version -> Integer,
    }
}

diesel::table! {
    terms (id) {
        id -> BigInt,
        body_id -> BigInt,
        number -> Integer,
        starts_on -> Date,
        ends_on -> Date,
        lapse_processed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    appointments (id) {
        id -> BigInt,
        body_id -> BigInt,
        term_id -> BigInt,
        person_id -> BigInt,
        unit_id -> BigInt,
        post -> Text,
        status -> Text,
        starts_on -> Date,
        ends_on -> Date,
        ended_on -> Nullable<Date>,
        end_reason -> Nullable<Text>,
        dismissal_ground -> Nullable<Text>,
        source -> Text,
        source_id -> Nullable<BigInt>,
        previous_appointment_id -> Nullable<BigInt>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    nominations (id) {
        id -> BigInt,
        body_id -> BigInt,
        term_id -> BigInt,
        person_id -> BigInt,
        post -> Text,
        reason -> Text,
        exception_reason -> Nullable<Text>,
        issues -> Text,
        status -> Text,
        appointment_id -> Nullable<BigInt>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    applications (id) {
        id -> BigInt,
        body_id -> BigInt,
        term_id -> BigInt,
        unit_id -> BigInt,
        person_id -> BigInt,
        post -> Text,
        status -> Text,
        statement -> Text,
        exception_reason -> Nullable<Text>,
        issues -> Text,
        exception_accepted_by -> Nullable<Text>,
        exception_accepted_at -> Nullable<Timestamp>,
        votes_for -> Nullable<Integer>,
        votes_against -> Nullable<Integer>,
        abstentions -> Nullable<Integer>,
        voters_present -> Nullable<Integer>,
        threshold -> Nullable<Text>,
        appointment_id -> Nullable<BigInt>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    application_transitions (id) {
        id -> BigInt,
        application_id -> BigInt,
        action -> Text,
        from_status -> Text,
        to_status -> Text,
        actor -> Text,
        reason -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    resignations (id) {
        id -> BigInt,
        appointment_id -> BigInt,
        reason -> Text,
        status -> Text,
        requested_by -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    dismissal_cases (id) {
        id -> BigInt,
        appointment_id -> BigInt,
        event_id -> Text,
        work_year -> Integer,
        absences -> Text,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    assessments (id) {
        id -> BigInt,
        appointment_id -> BigInt,
        year -> Integer,
        result -> Text,
        comment -> Text,
        assessed_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    commendations (id) {
        id -> BigInt,
        year -> Integer,
        person_id -> Nullable<BigInt>,
        unit_id -> Nullable<BigInt>,
        citation -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    term_reminders (id) {
        id -> BigInt,
        term_id -> BigInt,
        appointment_id -> BigInt,
        days_before -> Integer,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> BigInt,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        reason -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::joinable!(people -> units (unit_id));
diesel::joinable!(person_name_grams -> people (person_id));
diesel::joinable!(terms -> bodies (body_id));
diesel::joinable!(appointments -> people (person_id));
diesel::joinable!(appointments -> terms (term_id));
diesel::joinable!(appointments -> bodies (body_id));

diesel::allow_tables_to_appear_in_same_query!(
    bodies,
    units,
    people,
    person_name_grams,
    terms,
    appointments,
    nominations,
    applications,
    application_transitions,
    resignations,
    dismissal_cases,
    assessments,
    commendations,
    term_reminders,
    audit_events,
);
