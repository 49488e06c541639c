#!/usr/bin/python3
"""Reads iCalendar files with the independent `icalendar` package (Debian python3-icalendar,
from PyPI's icalendar) and prints what the end-to-end tests assert, as JSON: per file the
method, the time zones defined, and each event's UID, SEQUENCE, STATUS, start and end (ISO 8601,
with the time zone they are in), summary, location, organizer, attendees and alarm triggers.

Usage: check_ics.py FILE.ics [FILE.ics ...]
"""
import json
import sys

from icalendar import Calendar


def when(prop):
    if prop is None:
        return None
    v = prop.dt
    tz = getattr(v, "tzinfo", None)
    return {
        "value": v.isoformat(),
        "tzid": prop.params.get("TZID"),
        "utc_offset": str(v.utcoffset()) if tz is not None else None,
        "all_day": not hasattr(v, "hour"),
    }


out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        cal = Calendar.from_ical(f.read())
    events = []
    for ev in cal.walk("VEVENT"):
        events.append({
            "uid": str(ev.get("UID")),
            "sequence": int(ev.get("SEQUENCE", 0)),
            "status": str(ev.get("STATUS", "")),
            "start": when(ev.get("DTSTART")),
            "end": when(ev.get("DTEND")),
            "summary": str(ev.get("SUMMARY", "")),
            "location": str(ev.get("LOCATION", "")),
            "description": str(ev.get("DESCRIPTION", "")),
            "url": str(ev.get("URL", "")),
            "organizer": str(ev.get("ORGANIZER", "")),
            "attendees": [str(a) for a in (ev.get("ATTENDEE") if isinstance(ev.get("ATTENDEE"), list) else [ev.get("ATTENDEE")] if ev.get("ATTENDEE") else [])],
            "alarms": [str(a.get("TRIGGER").to_ical(), "ascii") for a in ev.walk("VALARM")],
        })
    out.append({
        "method": str(cal.get("METHOD", "")),
        "version": str(cal.get("VERSION", "")),
        "timezones": [str(tz.get("TZID")) for tz in cal.walk("VTIMEZONE")],
        "events": events,
    })
print(json.dumps(out, ensure_ascii=False))
