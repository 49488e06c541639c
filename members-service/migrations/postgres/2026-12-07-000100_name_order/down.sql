DELETE FROM person_name_grams WHERE gram LIKE 'py:%';
DROP INDEX people_name_keys_version;
DROP INDEX people_sort_pinyin;
DROP INDEX people_sort_strokes;
ALTER TABLE people DROP COLUMN name_keys_version;
ALTER TABLE people DROP COLUMN spelling;
ALTER TABLE people DROP COLUMN sort_pinyin;
ALTER TABLE people DROP COLUMN sort_strokes;
