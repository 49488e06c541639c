-- Seeds members-service's PostgreSQL database for bench/run.sh (issue 11's data set), straight
-- into the tables its migrations made (members-service/migrations/postgres/), every constraint
-- kept: CHECKed vocabularies, foreign keys, one active post per body and person, one active
-- holder of 理事长 / 秘书长 / 主任委员.
-- Variables (psql -v): n_units, n_people, n_groups, n_appointments.
-- Names: surname + given name from small lists, so `q=建国` matches about 1 person in 24 and no
-- one's name contains 欧 (so `q=欧阳` matches none and reads every row).
\set ON_ERROR_STOP on
BEGIN;
SELECT setseed(0.11);

CREATE TEMP TABLE surnames AS
SELECT s, row_number() OVER () - 1 AS i
FROM unnest(string_to_array('王,李,张,刘,陈,杨,黄,赵,吴,周,徐,孙,马,朱,胡,郭,何,高,林,罗,郑,梁,谢,宋,唐,许,韩,冯,邓,曹,彭,曾,肖,田,董,袁,潘,于,蒋,蔡,余,杜,叶,程,苏,魏,吕,丁,任,沈,司马,诸葛,上官', ',')) AS s;
CREATE TEMP TABLE given AS
SELECT g, row_number() OVER () - 1 AS i
FROM unnest(string_to_array('建国,伟,芳,秀英,敏,静,丽,强,磊,军,洋,勇,艳,杰,娟,涛,明,超,秀兰,霞,平,刚,桂英,建华', ',')) AS g;

INSERT INTO units (name, kind, address, contact_name, contact_email, contact_phone, created_at, updated_at)
SELECT CASE WHEN u % 5 = 1 THEN format('第%s机械企业', u)
            WHEN u % 17 = 2 THEN format('第%s机械研究院', u)
            ELSE format('第%s技师学院', u) END,
       CASE WHEN u = 1 THEN 'center'
            WHEN u % 5 = 1 THEN 'enterprise'
            WHEN u % 17 = 2 THEN 'research_institute'
            WHEN u % 23 = 3 THEN 'industry_organization'
            ELSE 'technical_school' END,
       format('某省某市工业路%s号', u), '联络人', format('unit%s@example.cn', u), format('010-8%07s', u),
       now(), now()
FROM generate_series(1, :n_units) AS u;

-- People in id order, spread round-robin over the units (so every unit has n_people / n_units).
INSERT INTO people (name, unit_id, job_post, title_level, date_of_birth, email, phone, specialty, created_at, updated_at)
SELECT s.s || g.g,
       (SELECT min(id) FROM units) + (p % :n_units),
       (ARRAY['教师','系主任','副院长','工程师','高级技师','院长'])[1 + (p % 6)],
       (ARRAY['senior','associate_senior','intermediate','junior','none'])[1 + (p % 5)],
       DATE '1962-01-01' + ((p * 7919) % 14000),
       format('p%s@example.cn', p),
       format('138%08s', p),
       (ARRAY['数控技术','机电一体化','工业机器人','模具设计','焊接技术'])[1 + (p % 5)],
       now(), now()
FROM (SELECT p, floor(random() * (SELECT count(*) FROM surnames))::int AS si,
             floor(random() * (SELECT count(*) FROM given))::int AS gi
      FROM generate_series(1, :n_people) AS p) r
JOIN surnames s ON s.i = r.si
JOIN given g ON g.i = r.gi
ORDER BY p;

-- The search index members-service writes with every person (its migration
-- 2026-12-02-000100_person_name_grams fills it the same way for people already there); skipped
-- for a build from before it (BENCH_SUITE_BIN), so one script measures before and after.
DO $$
BEGIN
    IF to_regclass('person_name_grams') IS NOT NULL THEN
        INSERT INTO person_name_grams (gram, person_id)
        SELECT DISTINCT substr(p.folded, i, n), p.id
        FROM (SELECT id, lower(name) AS folded FROM people) p,
             generate_series(1, 2) AS n,
             generate_series(1, char_length(p.folded)) AS i
        WHERE i + n - 1 <= char_length(p.folded);
    END IF;
END $$;

INSERT INTO bodies (kind, name, specialty, created_at, updated_at)
SELECT 'group', format('%s专业建设协作组（%s）', sp, n), sp, now(), now()
FROM generate_series(1, :n_groups) AS n,
     LATERAL (SELECT (ARRAY['数控技术','机电一体化','工业机器人','模具设计','焊接技术'])[1 + (n % 5)] AS sp) x;

-- One current term per body (第一届, 2025–2029).
INSERT INTO terms (body_id, number, starts_on, ends_on, created_at)
SELECT id, 1, DATE '2025-01-01', DATE '2029-12-31', now() FROM bodies;

-- Appointments: distinct people (the first n_appointments), a fifth on the council, a fifth on
-- the expert committee, the rest spread over the groups; one 理事长, one 秘书长, one 主任委员
-- per group.
CREATE TEMP TABLE ranked_bodies AS
SELECT id, kind, row_number() OVER (ORDER BY id) - 1 AS r FROM bodies WHERE kind = 'group';
CREATE TEMP TABLE planned AS
SELECT p.id AS person_id, p.unit_id, k,
       CASE WHEN k < :n_appointments / 5 THEN (SELECT id FROM bodies WHERE kind = 'council')
            WHEN k < 2 * (:n_appointments / 5) THEN (SELECT id FROM bodies WHERE kind = 'expert_committee')
            ELSE (SELECT id FROM ranked_bodies WHERE r = (k % :n_groups)) END AS body_id
FROM (SELECT id, unit_id, row_number() OVER (ORDER BY id) - 1 AS k FROM people ORDER BY id LIMIT :n_appointments) p;

INSERT INTO appointments (body_id, term_id, person_id, unit_id, post, status, starts_on, ends_on,
                          source, created_by, created_at, updated_at)
SELECT pl.body_id, t.id, pl.person_id, pl.unit_id,
       CASE WHEN b.kind = 'council' AND pl.k = 0 THEN 'chair'
            WHEN b.kind = 'council' AND pl.k = 1 THEN 'secretary_general'
            WHEN b.kind = 'council' AND pl.k < 8 THEN 'vice_chair'
            WHEN b.kind = 'council' THEN 'council_member'
            WHEN b.kind = 'expert_committee' THEN 'expert'
            WHEN row_number() OVER (PARTITION BY pl.body_id ORDER BY pl.k) = 1 THEN 'director'
            ELSE 'member' END,
       'active', DATE '2025-01-01', DATE '2029-12-31', 'nomination', 'bench-seed', now(), now()
FROM planned pl
JOIN bodies b ON b.id = pl.body_id
JOIN terms t ON t.body_id = pl.body_id AND t.number = 1
ORDER BY pl.k;

COMMIT;
-- As autovacuum would leave them: statistics, and visibility maps for index-only scans.
VACUUM ANALYZE units;
VACUUM ANALYZE people;
VACUUM ANALYZE bodies;
VACUUM ANALYZE terms;
VACUUM ANALYZE appointments;
SELECT to_regclass('person_name_grams') IS NOT NULL AS has_grams \gset
\if :has_grams
VACUUM ANALYZE person_name_grams;
\endif
SELECT (SELECT count(*) FROM units) AS units, (SELECT count(*) FROM people) AS people,
       (SELECT count(*) FROM people WHERE name LIKE '%建国%') AS jianguo,
       (SELECT count(*) FROM people WHERE name LIKE '%欧阳%') AS ouyang,
       (SELECT count(*) FROM bodies) AS bodies, (SELECT count(*) FROM appointments) AS appointments;
