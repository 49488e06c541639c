DROP INDEX batch_items_waiting;
ALTER TABLE batch_items DROP COLUMN claimed_until;
ALTER TABLE batch_items DROP COLUMN claimed_by;
