-- The alliance's bodies (机构): the council and the expert committee exist from the start
-- (第五条, 第七条); collaboration groups (第九条) are added by an admin.
CREATE TABLE bodies (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('council', 'expert_committee', 'group')),
    name TEXT NOT NULL UNIQUE,
    -- For groups: the specialty, e.g. 数控技术.
    specialty TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One council and one expert committee.
CREATE UNIQUE INDEX bodies_one_council ON bodies (kind) WHERE kind IN ('council', 'expert_committee');

INSERT INTO bodies (kind, name, created_at, updated_at) VALUES
    ('council', '理事会', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('expert_committee', '专家委员会', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
