DROP INDEX activities_idempotency_key;
ALTER TABLE activities DROP COLUMN idempotency_key;
