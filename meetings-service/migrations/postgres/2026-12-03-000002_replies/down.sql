DROP TABLE reminders;
DROP TABLE reply_history;
DROP TABLE replies;
DROP TABLE reply_keys;
