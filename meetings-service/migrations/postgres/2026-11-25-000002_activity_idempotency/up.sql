-- The client's Idempotency-Key of POST /activities: the same key returns the same activity
-- (a retried request schedules nothing twice and sends no notice twice).
ALTER TABLE activities ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX activities_idempotency_key ON activities (idempotency_key);
