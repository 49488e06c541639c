-- Activities of a body (第十二条, 第十三条): meetings and other activities its members attend.
CREATE TABLE activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The body's id in members-service (each service owns its tables; no foreign key across).
    body_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('plenary', 'chair_meeting', 'thematic', 'training', 'competition', 'exchange', 'other')),
    title TEXT NOT NULL,
    held_on DATE NOT NULL,
    place TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'held', 'cancelled')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX activities_body_date ON activities (body_id, held_on);
