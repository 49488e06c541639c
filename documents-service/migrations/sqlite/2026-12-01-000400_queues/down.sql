DELETE FROM delivery_attempts WHERE outcome IN ('sending', 'interrupted');
CREATE TABLE delivery_attempts_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT NOT NULL REFERENCES deliveries (id),
    at TIMESTAMP NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed')),
    detail TEXT NOT NULL DEFAULT ''
);
INSERT INTO delivery_attempts_old SELECT id, delivery_id, at, outcome, detail FROM delivery_attempts;
DROP TABLE delivery_attempts;
ALTER TABLE delivery_attempts_old RENAME TO delivery_attempts;
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id);
ALTER TABLE batches DROP COLUMN claimed_by;
ALTER TABLE inbox_events DROP COLUMN dead_at;
ALTER TABLE inbox_events DROP COLUMN claimed_until;
ALTER TABLE inbox_events DROP COLUMN claimed_by;
ALTER TABLE deliveries DROP COLUMN queued_at;
ALTER TABLE deliveries DROP COLUMN sending_since;
ALTER TABLE deliveries DROP COLUMN claimed_by;
