-- Seeds meetings-service's PostgreSQL database for bench/run.sh (issue 11): activities of every
-- body over ten work years, every appointment of bench/seed.sql invited to its body's
-- activities, and one attendance record per invitation: 100 activities per appointment, so
-- 10,000 appointments give 1,000,000 invitations and as many attendance rows.
-- Straight into the tables meetings-service's migrations made, every constraint kept.
-- Input: the table bench_appointments (loaded by run.sh from members-service's database):
--   id, body_id, body_name, person_id, person_name, person_email, unit_id, unit_name, post,
--   starts_on, ends_on
-- Variables (psql -v): per_year (activities of each body per work year; 10 → 100 in ten years).
\set ON_ERROR_STOP on
BEGIN;
SELECT setseed(0.37);

-- 2017–2026, per body `per_year` held activities a year, spread over the year.
INSERT INTO activities (body_id, kind, title, held_on, place, description, status, created_at, updated_at)
SELECT b.body_id,
       (ARRAY['plenary','thematic','training','exchange','competition'])[1 + (k % 5)],
       format('%s %s年第%s次活动', b.body_name, y, k + 1),
       make_date(y, 1, 1) + (k * (360 / :per_year) + 3),
       '某市会议中心', '', 'held', now(), now()
FROM (SELECT DISTINCT body_id, body_name FROM bench_appointments) b,
     generate_series(2017, 2026) AS y,
     generate_series(0, :per_year - 1) AS k;

-- Every appointment invited to each activity of its body. (The seeded appointments run
-- 2025–2029; the invitations cover every year anyway, for the volume the issue asks.)
INSERT INTO invitees (activity_id, appointment_id, person_id, person_name, person_email, unit_id, unit_name,
                      post, post_label, appointment_starts_on, appointment_ends_on)
SELECT a.id, ap.id, ap.person_id, ap.person_name, ap.person_email, ap.unit_id, ap.unit_name,
       ap.post, ap.post, ap.starts_on, ap.ends_on
FROM bench_appointments ap
JOIN activities a ON a.body_id = ap.body_id
ORDER BY a.id, ap.id;

-- One record per invitation: 88 % present, 8 % excused (with a reason), 4 % absent.
INSERT INTO attendance (activity_id, appointment_id, status, reason, recorded_by, recorded_at, updated_at)
SELECT activity_id, appointment_id,
       CASE WHEN r < 0.88 THEN 'present' WHEN r < 0.96 THEN 'excused' ELSE 'absent' END,
       CASE WHEN r >= 0.88 AND r < 0.96 THEN '工作冲突' END,
       'bench-seed', now(), now()
FROM (SELECT activity_id, appointment_id, random() AS r FROM invitees) i;

DROP TABLE bench_appointments;
COMMIT;
VACUUM ANALYZE activities;
VACUUM ANALYZE invitees;
VACUUM ANALYZE attendance;
SELECT (SELECT count(*) FROM activities) AS activities, (SELECT count(*) FROM invitees) AS invitees,
       (SELECT count(*) FROM attendance) AS attendance;
