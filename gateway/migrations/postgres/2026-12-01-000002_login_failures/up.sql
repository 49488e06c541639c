-- Failed logins per user name (`user:<name>`) or client id (`client:<id>`), kept here so that
-- every gateway replica sees the same count and the same lock (issue 9, point 8). Failures per
-- address only slow an address down and stay in each replica's memory.
CREATE TABLE login_failures (
    name TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    last_failed_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
CREATE INDEX login_failures_last_failed_at ON login_failures (last_failed_at);
