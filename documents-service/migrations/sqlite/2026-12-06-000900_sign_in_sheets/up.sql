-- A meeting's 签到表 (sign-in sheet with the invitees' replies, issue 13) is a document kind.
-- SQLite changes a CHECK by rebuilding the table. Other tables refer to documents, so this runs
-- outside diesel's transaction (metadata.toml): foreign keys are switched off around a
-- transaction of its own, as SQLite's ALTER TABLE documentation prescribes (the ids are copied
-- as they are, so every reference still holds).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE documents_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Readable, per kind and year: JGLM-PS-2026-000001.
    serial TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('appointment_certificate', 'dismissal_notice', 'lapse_notice',
        'resignation_acceptance', 'commendation_certificate', 'meeting_notice', 'roster', 'sign_in_sheet')),
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('valid', 'revoked', 'superseded')),
    -- Unguessable token of the public verification URL.
    verify_token TEXT NOT NULL UNIQUE,
    -- What the document is about, e.g. appointment:12, commendation:3, activity:5:person:9.
    subject_key TEXT NOT NULL,
    person_name TEXT NOT NULL,
    post_label TEXT NOT NULL DEFAULT '',
    body_name TEXT NOT NULL DEFAULT '',
    term_label TEXT NOT NULL DEFAULT '',
    person_id BIGINT,
    appointment_id BIGINT,
    -- The inbox event that caused it (one document per event and kind).
    source_event_id TEXT,
    -- The data it was rendered from (JSON) and the PDF itself.
    data TEXT NOT NULL,
    pdf BLOB NOT NULL,
    content_hash TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT,
    superseded_by BIGINT REFERENCES documents (id),
    verification_count BIGINT NOT NULL DEFAULT 0,
    -- A certificate's verifiable credential (VC-JOSE JWT, issue 12); NULL for notices.
    credential TEXT,
    UNIQUE (kind, year, seq),
    UNIQUE (source_event_id, kind)
);
INSERT INTO documents_new (id, serial, kind, year, seq, status, verify_token, subject_key, person_name, post_label, body_name, term_label, person_id, appointment_id, source_event_id, data, pdf, content_hash, issued_at, revoked_at, revoked_reason, superseded_by, verification_count, credential)
    SELECT id, serial, kind, year, seq, status, verify_token, subject_key, person_name, post_label, body_name, term_label, person_id, appointment_id, source_event_id, data, pdf, content_hash, issued_at, revoked_at, revoked_reason, superseded_by, verification_count, credential FROM documents;
DROP TABLE documents;
ALTER TABLE documents_new RENAME TO documents;
CREATE INDEX documents_subject ON documents (subject_key);
CREATE INDEX documents_person ON documents (person_id);
CREATE INDEX documents_content_hash ON documents (content_hash);
COMMIT;
PRAGMA foreign_keys = ON;
