ALTER TABLE activities DROP COLUMN sequence;
