-- Replies to meeting notices (回执, issue 13). The key signs each invitee's reply link: made
-- here once, from the database's own random source, and shared by every replica.
CREATE TABLE reply_keys (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secret TEXT NOT NULL
);
INSERT INTO reply_keys (id, secret) VALUES (1, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));

-- One answer per invitee and activity (参加 or 请假 with its reason), changed until the start.
CREATE TABLE replies (
    id BIGSERIAL PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES activities (id),
    appointment_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    answer TEXT NOT NULL,
    reason TEXT,
    answered_at TIMESTAMP NOT NULL,
    changes INTEGER NOT NULL DEFAULT 0,
    UNIQUE (activity_id, appointment_id)
);

-- Every answer given, in order: a change keeps what was answered before.
CREATE TABLE reply_history (
    id BIGSERIAL PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES activities (id),
    appointment_id BIGINT NOT NULL,
    answer TEXT NOT NULL,
    reason TEXT,
    answered_at TIMESTAMP NOT NULL
);
CREATE INDEX reply_history_activity ON reply_history (activity_id, appointment_id);

-- Reminders sent to invitees who had not replied (days before the activity): one per invitee
-- and point, whichever replica sends it.
CREATE TABLE reminders (
    id BIGSERIAL PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES activities (id),
    appointment_id BIGINT NOT NULL,
    days_before INTEGER NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    UNIQUE (activity_id, appointment_id, days_before)
);
