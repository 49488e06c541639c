-- Raised whenever an account's or client's existing tokens must stop working (disabled,
-- password or secret changed, role or scopes changed); every token carries the version it was
-- issued with, and services refuse older ones (issue 9, point 9).
ALTER TABLE accounts ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_clients ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;
