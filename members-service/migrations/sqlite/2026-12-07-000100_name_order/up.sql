-- Chinese order and pinyin search of people (issue 14), written by members-service
-- (domain/hanzi): `sort_strokes` (姓氏笔画, GB13000.1) and `sort_pinyin` are compared as bytes
-- (SQLite's BINARY collation); `spelling` is the text a long pinyin query is checked against,
-- its keys are in person_name_grams. Rows of an older
-- `name_keys_version` (0: every row this migration finds) are keyed at start-up.
ALTER TABLE people ADD COLUMN sort_strokes TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN sort_pinyin TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN spelling TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN name_keys_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX people_sort_strokes ON people (sort_strokes, id);
CREATE INDEX people_sort_pinyin ON people (sort_pinyin, id);
CREATE INDEX people_name_keys_version ON people (name_keys_version);
