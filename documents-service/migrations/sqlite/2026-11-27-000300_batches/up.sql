-- Serial numbers per kind and year, reserved in ranges (a batch takes many in one short
-- transaction). The row is locked until the reserving transaction ends; documents'
-- UNIQUE (kind, year, seq) stands behind it.
CREATE TABLE serial_counters (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
);

-- Batches of certificates issued at once (e.g. a whole council at the start of a term).
CREATE TABLE batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('appointment_certificate')),
    status TEXT NOT NULL CHECK (status IN ('running', 'finished')),
    send_mail BOOLEAN NOT NULL,
    -- Issue a new certificate (superseding the valid one) even where one exists.
    reissue BOOLEAN NOT NULL,
    total INTEGER NOT NULL,
    issued INTEGER NOT NULL DEFAULT 0,
    existing INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    requested_by TEXT NOT NULL,
    -- The client's Idempotency-Key: the same key returns the same batch.
    idempotency_key TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    -- The worker holding it (replicas never work on one batch at once).
    claimed_until TIMESTAMP
);

-- One row per appointment of a batch, with the facts members-service gave when it was made.
CREATE TABLE batch_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id BIGINT NOT NULL REFERENCES batches (id),
    appointment_id BIGINT NOT NULL,
    facts TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'issued', 'existing', 'failed')),
    document_id BIGINT REFERENCES documents (id),
    error TEXT,
    UNIQUE (batch_id, appointment_id)
);
CREATE INDEX batch_items_pending ON batch_items (batch_id, id) WHERE status = 'pending';
