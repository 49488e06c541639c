-- Every queue claims through service_kit::queue: a claim names its holder (worker identity and
-- life), so a restarted worker releases its earlier life's claims at once and a worker whose
-- claim was taken over records nothing.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
-- Set just before the SMTP transaction of an attempt, cleared with its outcome: a crash in
-- between leaves it set, visible (status "sending"), and the delivery is sent again with the
-- same Message-ID.
ALTER TABLE deliveries ADD COLUMN sending_since TIMESTAMP;
-- When the delivery was queued (or queued again by hand): retries give up this long after it.
ALTER TABLE deliveries ADD COLUMN queued_at TIMESTAMP;
ALTER TABLE inbox_events ADD COLUMN claimed_by TEXT;
ALTER TABLE inbox_events ADD COLUMN claimed_until TIMESTAMP;
-- A dead letter: the event failed, more than once, for a reason that will not go away (bad
-- data, a character no font has, an unknown kind). Kept, listed, replayable after a fix.
ALTER TABLE inbox_events ADD COLUMN dead_at TIMESTAMP;
ALTER TABLE batches ADD COLUMN claimed_by TEXT;
-- An attempt is written as 'sending' before its SMTP transaction; one a crash left so is
-- closed as 'interrupted' by the next worker. (SQLite changes a CHECK by rebuilding the table.)
CREATE TABLE delivery_attempts_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT NOT NULL REFERENCES deliveries (id),
    at TIMESTAMP NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sending', 'sent', 'retry', 'failed', 'interrupted')),
    detail TEXT NOT NULL DEFAULT ''
);
INSERT INTO delivery_attempts_new (id, delivery_id, at, outcome, detail)
    SELECT id, delivery_id, at, outcome, detail FROM delivery_attempts;
DROP TABLE delivery_attempts;
ALTER TABLE delivery_attempts_new RENAME TO delivery_attempts;
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id);
