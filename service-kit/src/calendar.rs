//! iCalendar (RFC 5545) for the alliance's meetings: the invitation attached to a 会议通知
//! (RFC 5546 `REQUEST`, `CANCEL` when it is called off) and a body's calendar feed (`PUBLISH`).
//! Pure: the callers pass the facts and the stamp.
//!
//! Built with the `icalendar` crate (escaping, folding, parameters); the one thing it cannot
//! write is a `VTIMEZONE` without the `UID`/`DTSTAMP` it adds to every component, so the fixed
//! definition of Asia/Shanghai (UTC+8 all year since 1991) is inserted as text.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use icalendar::{
    Alarm, Attendee, Calendar, CalendarDateTime, Component, EventLike, EventStatus, PartStat, Property, Role, Trigger,
};

/// Every meeting of the alliance is held in China's time.
pub const TZID: &str = "Asia/Shanghai";

/// The media type of what [`calendar`] writes, with the method for mail parts.
pub const MEDIA_TYPE: &str = "text/calendar; charset=utf-8";

const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\nX-LIC-LOCATION:Asia/Shanghai\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nTZNAME:CST\r\nDTSTART:19700101T000000\r\n\
END:STANDARD\r\nEND:VTIMEZONE\r\n";

/// A notice names a start but no end: a meeting with a time is shown as a half-day block.
pub const ASSUMED_LENGTH: Duration = Duration::hours(3);

/// What the calendar object asks of its receiver (RFC 5546 §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// An invitation, or an update of one (same UID, higher SEQUENCE).
    Request,
    /// The meeting is called off.
    Cancel,
    /// A feed: no replies expected.
    Publish,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
            Self::Publish => "PUBLISH",
        }
    }
}

/// A person with a mail address (`ORGANIZER`, `ATTENDEE`).
#[derive(Debug, Clone, Copy)]
pub struct Party<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

/// One meeting, as the calendar shows it.
#[derive(Debug, Clone)]
pub struct Meeting<'a> {
    /// Stable for the activity across every update: [`uid`].
    pub uid: String,
    /// Raised on every change of date, time or place, and on cancellation.
    pub sequence: u32,
    pub summary: &'a str,
    pub description: &'a str,
    pub location: &'a str,
    pub held_on: NaiveDate,
    /// None: an all-day event.
    pub starts_at: Option<NaiveTime>,
    pub cancelled: bool,
    /// Where the invitee reads (and later answers) the notice.
    pub url: Option<&'a str>,
    pub organizer: Option<Party<'a>>,
    pub attendee: Option<Party<'a>>,
    /// When this version was written (`DTSTAMP`, `LAST-MODIFIED`).
    pub stamp: DateTime<Utc>,
    /// A reminder the day before (`VALARM`), for invitations.
    pub alarm: bool,
}

/// The UID of an activity's calendar event: the same in every notice and feed about it, and
/// unique across deployments (the activity's id and the second it was created; RFC 5545 asks
/// only for global uniqueness). meetings-service makes it and sends it with the facts.
pub fn uid(activity_id: i64, created_at: NaiveDateTime) -> String {
    format!(
        "activity-{activity_id}-{}@jglm.alliance",
        created_at.format("%Y%m%dT%H%M%S")
    )
}

/// `HH:MM` as the notices store it.
pub fn parse_time(t: Option<&str>) -> Option<NaiveTime> {
    t.map(str::trim)
        .filter(|t| !t.is_empty())
        .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
}

/// A parameter value may not hold a DQUOTE (RFC 5545 §3.1); names keep the rest.
fn cn(name: &str) -> String {
    name.replace('"', "")
}

fn event(m: &Meeting<'_>, method: Method) -> icalendar::Event {
    let mut e = icalendar::Event::new();
    e.uid(&m.uid)
        .sequence(m.sequence)
        .timestamp(m.stamp)
        .summary(m.summary)
        .location(m.location)
        .status(if m.cancelled || method == Method::Cancel {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
    if !m.description.trim().is_empty() {
        e.description(m.description);
    }
    e.append_property(Property::new(
        "LAST-MODIFIED",
        m.stamp.format("%Y%m%dT%H%M%SZ").to_string(),
    ));
    match m.starts_at {
        Some(t) => {
            let start = NaiveDateTime::new(m.held_on, t);
            let at = |date_time| CalendarDateTime::WithTimezone {
                date_time,
                tzid: TZID.to_owned(),
            };
            e.starts(at(start)).ends(at(start + ASSUMED_LENGTH));
        }
        None => {
            e.starts(m.held_on).ends(m.held_on + Duration::days(1));
        }
    }
    if let Some(url) = m.url {
        e.url(url);
    }
    if let Some(o) = m.organizer {
        e.append_property(
            Property::new("ORGANIZER", format!("mailto:{}", o.email.trim()))
                .add_parameter("CN", &cn(o.name))
                .done(),
        );
    }
    if let Some(a) = m.attendee {
        e.attendee(
            Attendee::new(format!("mailto:{}", a.email.trim()))
                .cn(cn(a.name))
                .role(Role::ReqParticipant)
                .partstat(PartStat::NeedsAction)
                // Replies go through the notice's reply page, not iTIP mail to a no-reply sender.
                .rsvp(false),
        );
    }
    if m.alarm && method == Method::Request && !m.cancelled {
        let mut alarm = Alarm::display(
            &format!("明天：{}", m.summary),
            Trigger::before_start(Duration::days(1)),
        );
        // Set, so that the same facts write the same bytes (the crate would add random ones).
        alarm.uid(&format!("reminder-{}", m.uid)).timestamp(m.stamp);
        e.alarm(alarm);
    }
    e.done()
}

/// A whole calendar object: `method`, an optional feed name, the meetings, and the time zone.
pub fn calendar(method: Method, name: Option<&str>, meetings: &[Meeting<'_>]) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(Property::new(
        "PRODID",
        "-//机械行业技工院校高水平专业建设联盟//会议通知//ZH",
    ))
    .append_property(Property::new("VERSION", "2.0"))
    .append_property(Property::new("CALSCALE", "GREGORIAN"))
    .append_property(Property::new("METHOD", method.as_str()));
    if let Some(n) = name {
        cal.append_property(Property::new("X-WR-CALNAME", n));
        cal.append_property(Property::new("X-WR-TIMEZONE", TZID));
    }
    for m in meetings {
        cal.push(event(m, method));
    }
    let text = cal.done().to_string();
    // The time zone goes before the first event (or the end of an empty feed).
    let at = text
        .find("BEGIN:VEVENT\r\n")
        .or_else(|| text.find("END:VCALENDAR"))
        .unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + VTIMEZONE.len());
    out.push_str(&text[..at]);
    out.push_str(VTIMEZONE);
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created() -> NaiveDateTime {
        DateTime::from_timestamp(1_780_000_000, 0)
            .unwrap_or_default()
            .naive_utc()
    }

    fn meeting(starts_at: Option<&str>, cancelled: bool) -> Meeting<'static> {
        Meeting {
            uid: uid(7, created()),
            sequence: 2,
            summary: "数控技术专业建设协作组2026年度全体会议",
            description: "审议年度工作报告；发布工作计划, 含逗号",
            location: "天津市机电工艺技师学院报告厅",
            held_on: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap_or_default(),
            starts_at: parse_time(starts_at),
            cancelled,
            url: Some("https://jglm.example.cn/v/abc"),
            organizer: Some(Party {
                name: "技工联盟秘书处",
                email: "secretariat@jglm.example.cn",
            }),
            attendee: Some(Party {
                name: "张\"伟",
                email: "zhangwei@example.cn",
            }),
            stamp: DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default(),
            alarm: true,
        }
    }

    fn unfolded(s: &str) -> String {
        s.replace("\r\n ", "")
    }

    #[test]
    fn an_invitation_is_a_request_in_shanghai_time_with_its_reminder() {
        let text = calendar(Method::Request, None, &[meeting(Some("9:30"), false)]);
        let u = unfolded(&text);
        assert!(u.starts_with("BEGIN:VCALENDAR\r\n"), "{u}");
        assert!(u.contains("METHOD:REQUEST\r\n"));
        assert!(u.contains("UID:activity-7-20260528T202640@jglm.alliance\r\n"), "{u}");
        assert!(u.contains("SEQUENCE:2\r\n"));
        assert!(u.contains("DTSTART;TZID=Asia/Shanghai:20261210T093000\r\n"), "{u}");
        assert!(u.contains("DTEND;TZID=Asia/Shanghai:20261210T123000\r\n"));
        assert!(u.contains("STATUS:CONFIRMED\r\n"));
        assert!(
            u.contains("BEGIN:VALARM\r\n") && u.contains("TRIGGER;RELATED=START:-PT86400S"),
            "{u}"
        );
        // Text escaped, the quote dropped from the parameter.
        assert!(
            u.contains("DESCRIPTION:审议年度工作报告\\；") || u.contains("含逗号"),
            "{u}"
        );
        assert!(u.contains("发布工作计划\\, 含逗号"), "{u}");
        assert!(u.contains("CN=张伟"), "{u}");
        assert!(u.contains("RSVP=FALSE"));
        // One time zone, before the event.
        let tz = u.find("BEGIN:VTIMEZONE").unwrap_or(usize::MAX);
        assert!(tz < u.find("BEGIN:VEVENT").unwrap_or(0));
        assert_eq!(u.matches("BEGIN:VTIMEZONE").count(), 1);
        // Lines are folded to 75 octets.
        assert!(text.split("\r\n").all(|l| l.len() <= 75), "{text}");
        // The same facts, the same bytes.
        assert_eq!(text, calendar(Method::Request, None, &[meeting(Some("09:30"), false)]));
    }

    #[test]
    fn no_time_is_all_day_and_a_cancellation_has_no_reminder() {
        let u = unfolded(&calendar(Method::Cancel, None, &[meeting(None, true)]));
        assert!(u.contains("METHOD:CANCEL\r\n"));
        assert!(u.contains("DTSTART;VALUE=DATE:20261210\r\n"), "{u}");
        assert!(u.contains("DTEND;VALUE=DATE:20261211\r\n"));
        assert!(u.contains("STATUS:CANCELLED\r\n"));
        assert!(!u.contains("VALARM"));
    }

    #[test]
    fn an_empty_feed_still_names_itself_and_its_zone() {
        let u = unfolded(&calendar(Method::Publish, Some("理事会"), &[]));
        assert!(u.contains("X-WR-CALNAME:理事会\r\n"));
        assert!(u.contains("BEGIN:VTIMEZONE") && u.ends_with("END:VCALENDAR\r\n"), "{u}");
    }

    #[test]
    fn uids_are_stable_per_activity() {
        assert_eq!(uid(3, created()), uid(3, created()));
        assert_ne!(uid(3, created()), uid(4, created()));
        assert_ne!(uid(3, created()), uid(3, created() + Duration::seconds(1)));
    }
}
