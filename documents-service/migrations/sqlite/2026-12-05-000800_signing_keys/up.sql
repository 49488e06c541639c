-- Keys this service signs with, by name (issue 12: `credentials`, the certificates' credentials).
-- Held here unless a key file is configured, so that every replica signs with the same key:
-- the first to start creates it, the others read it.
CREATE TABLE signing_keys (
    name TEXT PRIMARY KEY,
    private_pem TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
