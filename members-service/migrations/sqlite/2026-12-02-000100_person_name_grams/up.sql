-- The people search's index (issue 11): each character and each pair of adjacent characters
-- of a person's lower-cased name; see the PostgreSQL migration of the same name.
-- Written by members-service (db/people.rs) with every insert and rename.
CREATE TABLE person_name_grams (
    gram TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (gram, person_id)
) WITHOUT ROWID;
CREATE INDEX person_name_grams_person ON person_name_grams (person_id);

INSERT OR IGNORE INTO person_name_grams (gram, person_id)
WITH RECURSIVE pos (id, folded, i) AS (
    SELECT id, lower(name), 1 FROM people WHERE length(name) > 0
    UNION ALL
    SELECT id, folded, i + 1 FROM pos WHERE i < length(folded)
)
SELECT substr(folded, i, 1), id FROM pos
UNION
SELECT substr(folded, i, 2), id FROM pos WHERE i < length(folded);
