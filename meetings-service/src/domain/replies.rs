//! Replies to a meeting notice (回执, issue 13): each invitee's personal link, what an answer
//! must hold, until when it may change, and what a 请假 means once attendance is taken (R18).
//! Pure: the key, the clock and the stored reply are passed in.
//!
//! A link is `{activity}-{appointment}-{expires}-{mac}`: the ids it is for, when it stops
//! working (Unix seconds), and 16 bytes of HMAC-SHA256 over them under the service's reply key
//! (made at the first migration, shared by replicas through the database). It grants one thing:
//! answering for that invitee at that activity.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use alliance_events::vocab::ReplyAnswer;

use super::attendance::AttendanceStatus;

/// Bytes of the MAC kept in a link (128 bits).
const MAC_BYTES: usize = 16;

/// How long after the activity's day a link still opens (to say that replies are closed).
pub const LINK_GRACE: Duration = Duration::days(7);

/// The longest 请假事由 accepted.
pub const MAX_REASON: usize = 200;

/// What a reply link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyLink {
    pub activity_id: i64,
    pub appointment_id: i64,
    /// Unix seconds (UTC) after which the link no longer opens.
    pub expires: i64,
}

/// Why a link does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// Not a reply link at all (cut short, wrong shape).
    Malformed,
    /// Its MAC does not match: changed by hand, or made for another deployment.
    Forged,
    /// Past its expiry.
    Expired,
}

fn mac(key: &[u8], message: &str) -> Vec<u8> {
    // HMAC accepts a key of any length; should that ever fail, the tag is empty and no link
    // made or read with it opens.
    let Ok(mut m) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        return Vec::new();
    };
    m.update(message.as_bytes());
    m.finalize().into_bytes()[..MAC_BYTES].to_vec()
}

fn reply_mac(key: &[u8], activity_id: i64, appointment_id: i64, expires: i64) -> Vec<u8> {
    mac(key, &format!("reply:v1:{activity_id}:{appointment_id}:{expires}"))
}

/// Whether `tag` is the MAC expected, compared in constant time (a guess learns nothing from
/// how long the comparison took).
fn same_tag(tag: &[u8], expected: &[u8]) -> bool {
    expected.len() == MAC_BYTES
        && tag.len() == MAC_BYTES
        && tag.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// A person's calendar feed address (`{person}-{mac}`, issue 13): unguessable, for calendar
/// programs that cannot send a token; it shows the activities the person is invited to.
pub fn feed_link(key: &[u8], person_id: i64) -> String {
    format!(
        "{person_id}-{}",
        URL_SAFE_NO_PAD.encode(mac(key, &format!("feed:v1:{person_id}")))
    )
}

/// The person a feed address is for.
pub fn read_feed_link(text: &str, key: &[u8]) -> Result<i64, LinkError> {
    let (person, tag) = text.trim().split_once('-').ok_or(LinkError::Malformed)?;
    let person_id: i64 = person.parse().map_err(|_| LinkError::Malformed)?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| LinkError::Malformed)?;
    if tag.len() != MAC_BYTES {
        return Err(LinkError::Malformed);
    }
    if same_tag(&tag, &mac(key, &format!("feed:v1:{person_id}"))) {
        Ok(person_id)
    } else {
        Err(LinkError::Forged)
    }
}

impl ReplyLink {
    /// The link's text, signed with `key`.
    pub fn encode(&self, key: &[u8]) -> String {
        let tag = URL_SAFE_NO_PAD.encode(reply_mac(key, self.activity_id, self.appointment_id, self.expires));
        format!("{}-{}-{}-{tag}", self.activity_id, self.appointment_id, self.expires)
    }

    /// Reads and checks a link at `now` (Unix seconds).
    pub fn decode(text: &str, key: &[u8], now: i64) -> Result<Self, LinkError> {
        let mut parts = text.trim().splitn(4, '-');
        let mut number = || {
            parts
                .next()
                .and_then(|p| p.parse::<i64>().ok())
                .ok_or(LinkError::Malformed)
        };
        let (activity_id, appointment_id, expires) = (number()?, number()?, number()?);
        let tag = parts
            .next()
            .and_then(|t| URL_SAFE_NO_PAD.decode(t).ok())
            .filter(|t| t.len() == MAC_BYTES)
            .ok_or(LinkError::Malformed)?;
        if !same_tag(&tag, &reply_mac(key, activity_id, appointment_id, expires)) {
            return Err(LinkError::Forged);
        }
        if now > expires {
            return Err(LinkError::Expired);
        }
        Ok(Self {
            activity_id,
            appointment_id,
            expires,
        })
    }
}

/// When an activity starts, in the alliance's local time: its start time, or the beginning of
/// its day when it has none.
pub fn starts_at(held_on: NaiveDate, time: Option<&str>) -> NaiveDateTime {
    let t = time
        .map(str::trim)
        .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
        .unwrap_or(NaiveTime::MIN);
    NaiveDateTime::new(held_on, t)
}

/// The expiry of the links for an activity held on `held_on`, given the offset of local time
/// from UTC: the end of that day plus [`LINK_GRACE`], in Unix seconds.
pub fn link_expiry(held_on: NaiveDate, offset_hours: i64) -> i64 {
    let end_local = NaiveDateTime::new(held_on + Duration::days(1), NaiveTime::MIN) + LINK_GRACE;
    (end_local - Duration::hours(offset_hours)).and_utc().timestamp()
}

/// Whether an answer may still be given or changed: before the activity starts (local time),
/// and only while it is not cancelled.
pub fn open_for_replies(start_local: NaiveDateTime, now_local: NaiveDateTime, cancelled: bool) -> bool {
    !cancelled && now_local < start_local
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub answer: ReplyAnswer,
    /// 请假事由: required for a 请假, none for 参加.
    pub reason: Option<String>,
}

/// Why an answer is refused (shown on the page in Chinese).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerError {
    /// Neither 参加 nor 请假 was chosen.
    NoChoice,
    /// A 请假 needs its reason (R18).
    ReasonRequired,
    TooLong,
}

impl AnswerError {
    pub fn message_zh(self) -> &'static str {
        match self {
            Self::NoChoice => "请选择“参加”或“请假”。",
            Self::ReasonRequired => "请假须填写事由。",
            Self::TooLong => "请假事由不超过200字。",
        }
    }
}

/// Checks an answer as the form sends it (`answer` = `attend` or `leave`).
pub fn check_answer(answer: Option<&str>, reason: Option<&str>) -> Result<Answer, AnswerError> {
    let answer = answer
        .map(str::trim)
        .and_then(ReplyAnswer::parse)
        .ok_or(AnswerError::NoChoice)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    match answer {
        ReplyAnswer::Leave => {
            let reason = reason.ok_or(AnswerError::ReasonRequired)?;
            if reason.chars().count() > MAX_REASON {
                return Err(AnswerError::TooLong);
            }
            Ok(Answer {
                answer,
                reason: Some(reason),
            })
        }
        ReplyAnswer::Attend => Ok(Answer { answer, reason: None }),
    }
}

/// R18: the attendance to record when the secretary first records `status` for an invitee who
/// answered `reply` before the activity: an absence of someone who asked for leave is the
/// excused absence they asked for, with their reason. Any other record stands as given, and a
/// correction afterwards is the secretary's (audited as every correction).
pub fn attendance_with_reply(
    status: AttendanceStatus,
    reason: Option<String>,
    reply: Option<&Answer>,
) -> (AttendanceStatus, Option<String>) {
    match (status, reply) {
        (
            AttendanceStatus::Absent,
            Some(Answer {
                answer: ReplyAnswer::Leave,
                reason: Some(r),
            }),
        ) => (AttendanceStatus::Excused, Some(format!("{r}（会前回执请假）"))),
        _ => (status, reason),
    }
}

/// The reminder due on `today` for an activity held on `held_on`, given the configured days
/// before (e.g. 7 and 1): the nearest point not yet passed, so a point missed while nothing ran
/// is sent late, and never two at once; none on or after the day.
pub fn due_reminder(held_on: NaiveDate, today: NaiveDate, days: &[u32]) -> Option<u32> {
    let left = (held_on - today).num_days();
    if left <= 0 {
        return None;
    }
    days.iter().copied().filter(|d| i64::from(*d) >= left).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn link() -> ReplyLink {
        ReplyLink {
            activity_id: 12,
            appointment_id: 345,
            expires: 1_800_000_000,
        }
    }

    #[test]
    fn a_link_opens_for_what_it_names_until_it_expires() {
        let text = link().encode(KEY);
        assert!(text.starts_with("12-345-1800000000-"), "{text}");
        assert_eq!(ReplyLink::decode(&text, KEY, 1_700_000_000), Ok(link()));
        assert_eq!(ReplyLink::decode(&text, KEY, 1_800_000_001), Err(LinkError::Expired));
    }

    #[test]
    fn a_changed_link_or_another_key_is_refused() {
        let text = link().encode(KEY);
        // Another person's id with this person's MAC.
        let other = text.replacen("-345-", "-346-", 1);
        assert_eq!(ReplyLink::decode(&other, KEY, 0), Err(LinkError::Forged));
        // A later expiry.
        let later = text.replacen("-1800000000-", "-1900000000-", 1);
        assert_eq!(ReplyLink::decode(&later, KEY, 0), Err(LinkError::Forged));
        assert_eq!(
            ReplyLink::decode(&text, b"another deployment's key", 0),
            Err(LinkError::Forged)
        );
        for bad in [
            "",
            "12-345",
            "12-345-1800000000-",
            "x-345-1-AAAA",
            "12-345-1800000000-%%%",
        ] {
            assert_eq!(ReplyLink::decode(bad, KEY, 0), Err(LinkError::Malformed), "{bad}");
        }
        let short = &text[..text.len() - 2];
        assert_eq!(ReplyLink::decode(short, KEY, 0), Err(LinkError::Malformed));
    }

    #[test]
    fn a_feed_address_names_one_person_and_cannot_be_made_for_another() {
        let feed = feed_link(KEY, 42);
        assert_eq!(read_feed_link(&feed, KEY), Ok(42));
        let other = feed.replacen("42-", "43-", 1);
        assert_eq!(read_feed_link(&other, KEY), Err(LinkError::Forged));
        assert_eq!(read_feed_link(&feed, b"another key"), Err(LinkError::Forged));
        // A reply link's MAC is not a feed address's.
        let reply = link().encode(KEY);
        assert_ne!(read_feed_link(&reply, KEY), Ok(12));
        for bad in ["", "42", "x-AAAA", "42-%%"] {
            assert_eq!(read_feed_link(bad, KEY), Err(LinkError::Malformed), "{bad}");
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn replies_close_when_the_activity_starts() {
        let start = starts_at(d(2026, 12, 10), Some("9:30"));
        assert_eq!(start.to_string(), "2026-12-10 09:30:00");
        assert!(open_for_replies(start, start - Duration::minutes(1), false));
        assert!(!open_for_replies(start, start, false));
        assert!(!open_for_replies(start, start - Duration::days(1), true));
        // No time: the day's beginning.
        assert_eq!(starts_at(d(2026, 12, 10), None).to_string(), "2026-12-10 00:00:00");
        // Links open a week past the day, in UTC seconds.
        let exp = link_expiry(d(2026, 12, 10), 8);
        assert_eq!(
            chrono::DateTime::from_timestamp(exp, 0).map(|t| t.naive_utc().to_string()),
            Some("2026-12-17 16:00:00".to_owned())
        );
    }

    #[test]
    fn a_leave_needs_its_reason_r18() {
        assert_eq!(check_answer(None, None), Err(AnswerError::NoChoice));
        assert_eq!(check_answer(Some("maybe"), None), Err(AnswerError::NoChoice));
        assert_eq!(
            check_answer(Some("leave"), Some("  ")),
            Err(AnswerError::ReasonRequired)
        );
        assert_eq!(
            check_answer(Some("leave"), Some(&"长".repeat(201))),
            Err(AnswerError::TooLong)
        );
        assert_eq!(
            check_answer(Some("leave"), Some(" 出差 ")),
            Ok(Answer {
                answer: ReplyAnswer::Leave,
                reason: Some("出差".into())
            })
        );
        // 参加 keeps no reason.
        assert_eq!(check_answer(Some("attend"), Some("x")).map(|a| a.reason), Ok(None));
    }

    #[test]
    fn an_absence_after_a_leave_reply_is_excused_with_its_reason_r18() {
        let leave = check_answer(Some("leave"), Some("出差")).ok();
        assert_eq!(
            attendance_with_reply(AttendanceStatus::Absent, None, leave.as_ref()),
            (AttendanceStatus::Excused, Some("出差（会前回执请假）".into()))
        );
        // Present stays present; an absence without a leave reply stays unexcused.
        assert_eq!(
            attendance_with_reply(AttendanceStatus::Present, None, leave.as_ref()),
            (AttendanceStatus::Present, None)
        );
        let attend = check_answer(Some("attend"), None).ok();
        assert_eq!(
            attendance_with_reply(AttendanceStatus::Absent, None, attend.as_ref()),
            (AttendanceStatus::Absent, None)
        );
        assert_eq!(
            attendance_with_reply(AttendanceStatus::Absent, None, None),
            (AttendanceStatus::Absent, None)
        );
    }

    #[test]
    fn a_reminder_is_due_at_each_point_once_and_late_rather_than_twice() {
        let held = d(2026, 12, 10);
        let days = [7, 1];
        assert_eq!(due_reminder(held, d(2026, 12, 2), &days), None);
        assert_eq!(due_reminder(held, d(2026, 12, 3), &days), Some(7));
        // Nothing ran on the 3rd: the 7-day point is sent late, once.
        assert_eq!(due_reminder(held, d(2026, 12, 5), &days), Some(7));
        assert_eq!(due_reminder(held, d(2026, 12, 9), &days), Some(1));
        assert_eq!(due_reminder(held, d(2026, 12, 10), &days), None);
        assert_eq!(due_reminder(held, d(2026, 12, 3), &[]), None);
    }
}
