ALTER TABLE inbox_events DROP COLUMN next_attempt_at;
DROP TABLE delivery_attempts;
DROP TABLE deliveries;
DROP TABLE documents;
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    serial TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'valid',
    person_name TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL
);
