-- A batch is shared by replicas chunk by chunk: each worker claims the next pending items of
-- any running batch (service_kit::queue), so several workers, in one process or in replicas,
-- render different chunks of one batch at once. The batch's own claim columns stay, unused.
ALTER TABLE batch_items ADD COLUMN claimed_by TEXT;
ALTER TABLE batch_items ADD COLUMN claimed_until TIMESTAMP;
-- The claim reads the oldest pending items first.
CREATE INDEX batch_items_waiting ON batch_items (id) WHERE status = 'pending';
