ALTER TABLE api_clients DROP COLUMN token_version;
ALTER TABLE accounts DROP COLUMN token_version;
