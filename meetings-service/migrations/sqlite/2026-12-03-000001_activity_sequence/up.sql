-- The version of an activity's invitation (iCalendar SEQUENCE, RFC 5545 §3.8.7.4): raised on
-- every change of its date, time or place and on its cancellation, so that calendars replace
-- the earlier invitation instead of adding a second one.
ALTER TABLE activities ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
