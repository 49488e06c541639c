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
        body_name -> Text,
        starts_at -> Nullable<Text>,
        agenda -> Text,
        reply_by -> Nullable<Date>,
        contact_name -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        send_notices -> Bool,
        cancelled_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        created_by -> Text,
        invitees_fetched_at -> Nullable<Timestamp>,
        idempotency_key -> Nullable<Text>,
        sequence -> Integer,
    }
}

diesel::table! {
    invitees (id) {
        id -> BigInt,
        activity_id -> BigInt,
        appointment_id -> BigInt,
        person_id -> BigInt,
        person_name -> Text,
        person_email -> Nullable<Text>,
        unit_id -> BigInt,
        unit_name -> Text,
        post -> Text,
        post_label -> Text,
        appointment_starts_on -> Date,
        appointment_ends_on -> Date,
        appointment_ended_on -> Nullable<Date>,
    }
}

diesel::table! {
    attendance (id) {
        id -> BigInt,
        activity_id -> BigInt,
        appointment_id -> BigInt,
        status -> Text,
        reason -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    attendance_corrections (id) {
        id -> BigInt,
        attendance_id -> BigInt,
        before_status -> Text,
        before_reason -> Nullable<Text>,
        after_status -> Text,
        after_reason -> Nullable<Text>,
        why -> Text,
        corrected_by -> Text,
        corrected_at -> Timestamp,
    }
}

diesel::table! {
    absence_cases (id) {
        id -> BigInt,
        appointment_id -> BigInt,
        work_year -> Integer,
        status -> Text,
        absences -> Text,
        open_event_id -> Text,
        withdraw_event_id -> Nullable<Text>,
        opened_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    annual_documents (id) {
        id -> BigInt,
        body_id -> BigInt,
        kind -> Text,
        year -> Integer,
        title -> Text,
        text -> Text,
        file_name -> Nullable<Text>,
        file_content_type -> Nullable<Text>,
        file_base64 -> Nullable<Text>,
        file_size -> Nullable<BigInt>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    election_rounds (activity_id) {
        activity_id -> BigInt,
        voters_present -> Integer,
        threshold_numerator -> Nullable<Integer>,
        threshold_denominator -> Nullable<Integer>,
        event_id -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    election_results (id) {
        id -> BigInt,
        activity_id -> BigInt,
        application_id -> BigInt,
        votes_for -> Integer,
        votes_against -> Integer,
        abstentions -> Integer,
    }
}

diesel::table! {
    reply_keys (id) {
        id -> Integer,
        secret -> Text,
    }
}

diesel::table! {
    replies (id) {
        id -> BigInt,
        activity_id -> BigInt,
        appointment_id -> BigInt,
        person_id -> BigInt,
        answer -> Text,
        reason -> Nullable<Text>,
        answered_at -> Timestamp,
        changes -> Integer,
    }
}

diesel::table! {
    reminders (id) {
        id -> BigInt,
        activity_id -> BigInt,
        appointment_id -> BigInt,
        days_before -> Integer,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    reply_history (id) {
        id -> BigInt,
        activity_id -> BigInt,
        appointment_id -> BigInt,
        answer -> Text,
        reason -> Nullable<Text>,
        answered_at -> Timestamp,
    }
}

diesel::joinable!(invitees -> activities (activity_id));
diesel::joinable!(replies -> activities (activity_id));
diesel::joinable!(election_rounds -> activities (activity_id));
diesel::joinable!(election_results -> election_rounds (activity_id));
diesel::joinable!(attendance -> activities (activity_id));
diesel::joinable!(attendance_corrections -> attendance (attendance_id));

diesel::allow_tables_to_appear_in_same_query!(
    activities,
    replies,
    reminders,
    reply_history,
    reply_keys,
    invitees,
    attendance,
    attendance_corrections,
    absence_cases,
    annual_documents,
    election_rounds,
    election_results,
);
