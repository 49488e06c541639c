-- Activities get what notices and the agenda need, and cancellation (a cancelled activity counts
-- no absence, R13).
ALTER TABLE activities ADD COLUMN body_name TEXT NOT NULL DEFAULT '';
ALTER TABLE activities ADD COLUMN starts_at TEXT;
ALTER TABLE activities ADD COLUMN agenda TEXT NOT NULL DEFAULT '[]';
ALTER TABLE activities ADD COLUMN reply_by DATE;
ALTER TABLE activities ADD COLUMN contact_name TEXT;
ALTER TABLE activities ADD COLUMN contact_phone TEXT;
ALTER TABLE activities ADD COLUMN send_notices BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE activities ADD COLUMN cancelled_at TIMESTAMP;
ALTER TABLE activities ADD COLUMN cancel_reason TEXT;
ALTER TABLE activities ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE activities ADD COLUMN invitees_fetched_at TIMESTAMP;

-- The body's active appointees on the activity's date, as members-service reported them; kept
-- once the activity is held, so the record stays true after people leave.
CREATE TABLE invitees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id BIGINT NOT NULL REFERENCES activities (id),
    appointment_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    person_name TEXT NOT NULL,
    person_email TEXT,
    unit_id BIGINT NOT NULL,
    unit_name TEXT NOT NULL,
    post TEXT NOT NULL,
    post_label TEXT NOT NULL,
    appointment_starts_on DATE NOT NULL,
    appointment_ends_on DATE NOT NULL,
    appointment_ended_on DATE,
    UNIQUE (activity_id, appointment_id)
);
CREATE INDEX invitees_person ON invitees (person_id);
CREATE INDEX invitees_appointment ON invitees (appointment_id);

-- R18: one record per invitee per activity, enforced here.
CREATE TABLE attendance (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id BIGINT NOT NULL,
    appointment_id BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('present', 'excused', 'absent')),
    reason TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (activity_id, appointment_id),
    FOREIGN KEY (activity_id, appointment_id) REFERENCES invitees (activity_id, appointment_id),
    CHECK (status <> 'excused' OR reason IS NOT NULL)
);
CREATE INDEX attendance_appointment ON attendance (appointment_id);

-- Every correction: who, when, before, after, why (R18). Never deleted.
CREATE TABLE attendance_corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    attendance_id BIGINT NOT NULL REFERENCES attendance (id),
    before_status TEXT NOT NULL,
    before_reason TEXT,
    after_status TEXT NOT NULL,
    after_reason TEXT,
    why TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_at TIMESTAMP NOT NULL
);
CREATE INDEX attendance_corrections_attendance ON attendance_corrections (attendance_id);

-- Dismissal cases this service asked members-service to open (R13), and their withdrawal.
CREATE TABLE absence_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appointment_id BIGINT NOT NULL,
    work_year INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'withdrawn')),
    absences TEXT NOT NULL,
    open_event_id TEXT NOT NULL UNIQUE,
    withdraw_event_id TEXT UNIQUE,
    opened_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP
);
-- One open case per appointment and work year.
CREATE UNIQUE INDEX absence_cases_one_open ON absence_cases (appointment_id, work_year) WHERE status = 'open';

-- A body's annual work plan (年度工作计划) and report (年度工作报告), with an optional file.
CREATE TABLE annual_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('work_plan', 'work_report')),
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    file_name TEXT,
    file_content_type TEXT,
    file_base64 TEXT,
    file_size BIGINT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (body_id, kind, year)
);
