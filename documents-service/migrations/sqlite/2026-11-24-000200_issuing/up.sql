-- The first documents table held metadata only and no document was ever issued into it;
-- it is replaced by the full one.
DROP TABLE documents;

-- Issued documents, kept byte-exact. Nothing is deleted: revocation and replacement are states.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Readable, per kind and year: JGLM-PS-2026-000001.
    serial TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('appointment_certificate', 'dismissal_notice', 'lapse_notice',
        'resignation_acceptance', 'commendation_certificate', 'meeting_notice', 'roster')),
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
    UNIQUE (kind, year, seq),
    UNIQUE (source_event_id, kind)
);
CREATE INDEX documents_subject ON documents (subject_key);
CREATE INDEX documents_person ON documents (person_id);

-- E-mail deliveries of documents; one per document and recipient, attempts kept.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id BIGINT NOT NULL REFERENCES documents (id),
    recipient TEXT NOT NULL,
    -- Deterministic, so a retry never makes a second distinct message.
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (document_id, recipient)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'queued';

CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT NOT NULL REFERENCES deliveries (id),
    at TIMESTAMP NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed')),
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id);

-- Failed events wait before the next try.
ALTER TABLE inbox_events ADD COLUMN next_attempt_at TIMESTAMP;
