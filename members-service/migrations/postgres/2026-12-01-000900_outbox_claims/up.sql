-- Claims name their holder (service_kit::queue): a restarted worker releases its earlier
-- life's claims at once, and a worker whose claim was taken over records nothing.
ALTER TABLE outbox_events ADD COLUMN claimed_by TEXT;
-- A dead letter: the receiver refused the event several times (a 4xx other than 408/409/429).
-- Kept, listed (GET /api/v1/<service>/failed-events) and replayable after a fix.
ALTER TABLE outbox_events ADD COLUMN dead_at TIMESTAMP;
