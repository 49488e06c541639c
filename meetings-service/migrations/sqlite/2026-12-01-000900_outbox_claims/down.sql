ALTER TABLE outbox_events DROP COLUMN dead_at;
ALTER TABLE outbox_events DROP COLUMN claimed_by;
