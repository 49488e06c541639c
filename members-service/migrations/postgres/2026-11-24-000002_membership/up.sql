-- Units (单位) and people.
CREATE TABLE units (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('technical_school', 'enterprise', 'research_institute', 'industry_organization', 'center')),
    address TEXT,
    -- Where notices for the unit go (R14: dismissal notices also reach the unit's contact).
    contact_name TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE people (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    job_post TEXT NOT NULL DEFAULT '',
    title_level TEXT NOT NULL CHECK (title_level IN ('senior', 'associate_senior', 'intermediate', 'junior', 'none')),
    date_of_birth DATE,
    email TEXT,
    phone TEXT,
    specialty TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX people_unit ON people (unit_id);
CREATE INDEX people_name ON people (name);

-- Terms (届) of each body (R3). The expert committee's terms mirror the council's.
CREATE TABLE terms (
    id BIGSERIAL PRIMARY KEY,
    body_id BIGINT NOT NULL REFERENCES bodies (id),
    number INTEGER NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    -- Set when the lapse job has ended this term's appointments (R6).
    lapse_processed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (body_id, number),
    CHECK (ends_on > starts_on)
);

-- Appointments (聘任): nothing is deleted; an ended one keeps status, date and reason.
CREATE TABLE appointments (
    id BIGSERIAL PRIMARY KEY,
    body_id BIGINT NOT NULL REFERENCES bodies (id),
    term_id BIGINT NOT NULL REFERENCES terms (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    -- The person's unit when appointed.
    unit_id BIGINT NOT NULL REFERENCES units (id),
    post TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'pending', 'completed', 'lapsed', 'resigned', 'dismissed')),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    ended_on DATE,
    end_reason TEXT,
    dismissal_ground TEXT CHECK (dismissal_ground IN ('conduct', 'absence')),
    source TEXT NOT NULL CHECK (source IN ('nomination', 'application', 'renewal')),
    source_id BIGINT,
    previous_appointment_id BIGINT UNIQUE REFERENCES appointments (id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- R1: at most one active holder of a single-holder post, enforced here, not only in code.
CREATE UNIQUE INDEX appointments_single_holder ON appointments (body_id, post)
    WHERE status = 'active' AND post IN ('chair', 'secretary_general', 'director');
-- At most one post per body per person at a time.
CREATE UNIQUE INDEX appointments_one_post_per_body ON appointments (body_id, person_id) WHERE status = 'active';
CREATE INDEX appointments_person ON appointments (person_id);
CREATE INDEX appointments_term ON appointments (term_id, status);

-- Center nominations (提名) for nominated posts.
CREATE TABLE nominations (
    id BIGSERIAL PRIMARY KEY,
    body_id BIGINT NOT NULL REFERENCES bodies (id),
    term_id BIGINT NOT NULL REFERENCES terms (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    post TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    exception_reason TEXT,
    -- Comma-separated R9 issues found when nominated.
    issues TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('open', 'appointed', 'withdrawn')),
    appointment_id BIGINT REFERENCES appointments (id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Unit applications (申报) and their state machine (R7).
CREATE TABLE applications (
    id BIGSERIAL PRIMARY KEY,
    body_id BIGINT NOT NULL REFERENCES bodies (id),
    term_id BIGINT NOT NULL REFERENCES terms (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    post TEXT NOT NULL,
    status TEXT NOT NULL,
    statement TEXT NOT NULL DEFAULT '',
    exception_reason TEXT,
    issues TEXT NOT NULL DEFAULT '',
    exception_accepted_by TEXT,
    exception_accepted_at TIMESTAMP,
    votes_for INTEGER,
    votes_against INTEGER,
    abstentions INTEGER,
    voters_present INTEGER,
    threshold TEXT,
    appointment_id BIGINT REFERENCES appointments (id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX applications_unit ON applications (unit_id);

CREATE TABLE application_transitions (
    id BIGSERIAL PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    at TIMESTAMP NOT NULL
);
CREATE INDEX application_transitions_app ON application_transitions (application_id);

-- Resignation requests (R11).
CREATE TABLE resignations (
    id BIGSERIAL PRIMARY KEY,
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'refused')),
    requested_by TEXT NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP,
    decision_reason TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX resignations_one_open ON resignations (appointment_id) WHERE status = 'requested';

-- Dismissal cases opened by the absence rule (R13), decided by the Center.
CREATE TABLE dismissal_cases (
    id BIGSERIAL PRIMARY KEY,
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    -- The event that opened it (idempotency key from meetings-service).
    event_id TEXT NOT NULL UNIQUE,
    work_year INTEGER NOT NULL,
    -- JSON: the absences that count.
    absences TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('open', 'confirmed', 'dropped', 'withdrawn')),
    decided_by TEXT,
    decided_at TIMESTAMP,
    decision_reason TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX dismissal_cases_one_open ON dismissal_cases (appointment_id, work_year) WHERE status = 'open';

-- Annual assessments (R15).
CREATE TABLE assessments (
    id BIGSERIAL PRIMARY KEY,
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    year INTEGER NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('excellent', 'competent', 'basically_competent', 'incompetent')),
    comment TEXT NOT NULL DEFAULT '',
    assessed_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (appointment_id, year)
);

-- Commendations (R16) of a person or a unit.
CREATE TABLE commendations (
    id BIGSERIAL PRIMARY KEY,
    year INTEGER NOT NULL,
    person_id BIGINT REFERENCES people (id),
    unit_id BIGINT REFERENCES units (id),
    citation TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK ((person_id IS NULL) <> (unit_id IS NULL))
);

-- Term-end reminders sent (one per appointment and schedule point).
CREATE TABLE term_reminders (
    id BIGSERIAL PRIMARY KEY,
    term_id BIGINT NOT NULL REFERENCES terms (id),
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    days_before INTEGER NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    UNIQUE (term_id, appointment_id, days_before)
);

-- Who changed what, when, why (user, client or system job).
CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    reason TEXT,
    request_id TEXT
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id);
CREATE INDEX audit_events_actor ON audit_events (actor);
