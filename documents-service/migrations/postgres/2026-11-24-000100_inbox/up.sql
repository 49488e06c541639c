-- Events from the other services' outboxes (POST /internal/v1/events), kept once per event_id
-- so that a redelivery changes nothing; the documents work acts on the rows not yet processed.
CREATE TABLE inbox_events (
    id BIGSERIAL PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    processed_at TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX inbox_events_unprocessed ON inbox_events (id) WHERE processed_at IS NULL;
