ALTER TABLE documents DROP COLUMN credential;
