-- Transactional outbox (service_kit::outbox): events written in the same transaction as the
-- change that causes them, delivered to other services by the outbox worker. Never deleted.
CREATE TABLE outbox_events (
    id BIGSERIAL PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    destination TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    delivered_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_events_pending ON outbox_events (next_attempt_at, id) WHERE delivered_at IS NULL;
