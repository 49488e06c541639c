-- The people search's index (issue 11): each character and each pair of adjacent characters
-- of a person's lower-cased name. A search for `q` looks up q's pairs (or q itself when it is
-- one character) instead of reading every name: Chinese names are two to four characters, so
-- pg_trgm's three-character grams could serve neither `q=欧阳` nor `q=建国`.
-- Written by members-service (db/people.rs) with every insert and rename.
CREATE TABLE person_name_grams (
    gram TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (gram, person_id)
);
CREATE INDEX person_name_grams_person ON person_name_grams (person_id);

INSERT INTO person_name_grams (gram, person_id)
SELECT DISTINCT substr(p.folded, i, n), p.id
FROM (SELECT id, lower(name) AS folded FROM people) p,
     generate_series(1, 2) AS n,
     generate_series(1, char_length(p.folded)) AS i
WHERE i + n - 1 <= char_length(p.folded);
