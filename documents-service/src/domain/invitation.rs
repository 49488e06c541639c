//! The calendar invitation a 会议通知 carries (issue 13): kept with the notice's data when it is
//! issued, written out (RFC 5545/5546) when each delivery is sent, so that a resent message
//! carries the same bytes and the invitee's own address is stored only on the delivery.

use alliance_events::{ActivityFacts, NoticeOccasion};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use service_kit::calendar::{self, Meeting, Method, Party};

/// The facts of one invitation, as stored under `invitation` in the notice's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub activity_id: i64,
    /// The event's UID, as meetings-service made it.
    #[serde(default)]
    pub uid: String,
    pub sequence: u32,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub held_on: NaiveDate,
    /// `HH:MM`, or none for an all-day meeting.
    pub starts_at: Option<String>,
    pub cancelled: bool,
}

/// The secretariat, who sends every invitation.
pub const ORGANIZER_NAME: &str = "机械行业技工院校高水平专业建设联盟秘书处";

impl Invitation {
    /// The invitation of a notice about `act` sent on `occasion`, titled `summary`.
    pub fn of(act: &ActivityFacts, occasion: NoticeOccasion, summary: &str) -> Self {
        let mut description = String::new();
        if !act.agenda.is_empty() {
            description.push_str("会议议程：\n");
            for (i, item) in act.agenda.iter().enumerate() {
                description.push_str(&format!("{}. {item}\n", i + 1));
            }
        }
        if let Some(name) = act.contact_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            description.push_str(&format!("联系人：{name}"));
            if let Some(phone) = act.contact_phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
                description.push_str(&format!("，{phone}"));
            }
            description.push('\n');
        }
        if let Some(reason) = act
            .cancel_reason
            .as_deref()
            .filter(|_| occasion == NoticeOccasion::Cancellation)
        {
            description.insert_str(0, &format!("会议已取消：{reason}\n"));
        }
        Self {
            activity_id: act.activity_id,
            uid: act.uid.clone(),
            sequence: u32::try_from(act.sequence).unwrap_or(0),
            summary: summary.to_owned(),
            description: description.trim_end().to_owned(),
            location: act.place.clone(),
            held_on: act.held_on,
            starts_at: act.starts_at.clone(),
            // The invitee's entry is withdrawn: the meeting is called off, or they are no
            // longer invited (METHOD:CANCEL to them alone, RFC 5546 3.2.5).
            cancelled: occasion.withdraws(),
        }
    }

    pub fn method(&self) -> Method {
        if self.cancelled {
            Method::Cancel
        } else {
            Method::Request
        }
    }

    /// The calendar object for one invitee: `url` the notice's page, `stamp` when the notice
    /// was issued.
    pub fn ics(&self, url: &str, organizer_email: &str, attendee: Party<'_>, stamp: NaiveDateTime) -> String {
        let uid = if self.uid.is_empty() {
            // Facts from before UIDs were sent: still one per activity.
            format!("activity-{}@jglm.alliance", self.activity_id)
        } else {
            self.uid.clone()
        };
        let meeting = Meeting {
            uid,
            sequence: self.sequence,
            summary: &self.summary,
            description: &self.description,
            location: &self.location,
            held_on: self.held_on,
            starts_at: calendar::parse_time(self.starts_at.as_deref()),
            cancelled: self.cancelled,
            url: Some(url),
            organizer: Some(Party {
                name: ORGANIZER_NAME,
                email: organizer_email,
            }),
            attendee: Some(attendee),
            stamp: DateTime::from_naive_utc_and_offset(stamp, chrono::Utc),
            alarm: true,
        };
        calendar::calendar(self.method(), None, &[meeting])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ActivityFacts {
        ActivityFacts {
            activity_id: 9,
            body_id: 1,
            body_name: "理事会".into(),
            kind: "plenary".into(),
            kind_label: "全体会议".into(),
            title: "2026年度全体会议".into(),
            held_on: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap_or_default(),
            starts_at: Some("09:30".into()),
            place: "天津".into(),
            description: String::new(),
            agenda: vec!["审议工作报告".into(), "发布工作计划".into()],
            reply_by: None,
            contact_name: Some("王芳".into()),
            contact_phone: Some("022-12345678".into()),
            uid: "activity-9-20260501T080000@jglm.alliance".into(),
            sequence: 2,
            cancel_reason: Some("场地调整".into()),
        }
    }

    #[test]
    fn an_invitation_carries_the_agenda_and_the_contact() {
        let i = Invitation::of(&facts(), NoticeOccasion::Change, "会议");
        assert_eq!(
            i.description,
            "会议议程：\n1. 审议工作报告\n2. 发布工作计划\n联系人：王芳，022-12345678"
        );
        assert_eq!((i.sequence, i.cancelled, i.method()), (2, false, Method::Request));
        let w = Invitation::of(&facts(), NoticeOccasion::Withdrawal, "会议");
        assert_eq!(
            (w.cancelled, w.method()),
            (true, Method::Cancel),
            "a withdrawn invitation cancels the entry"
        );
        assert!(
            !w.description.contains("会议已取消"),
            "the meeting itself is not called off"
        );
        let c = Invitation::of(&facts(), NoticeOccasion::Cancellation, "会议");
        assert!(c.description.starts_with("会议已取消：场地调整\n"));
        assert_eq!(c.method(), Method::Cancel);
    }

    #[test]
    fn the_calendar_object_names_the_activity_and_the_invitee() {
        let stamp = DateTime::from_timestamp(1_790_000_000, 0)
            .unwrap_or_default()
            .naive_utc();
        let attendee = Party {
            name: "王志刚",
            email: "wang@example.cn",
        };
        let ics = Invitation::of(&facts(), NoticeOccasion::Invitation, "会议").ics(
            "https://jglm.example.cn/v/t",
            "noreply@jglm.example.cn",
            attendee,
            stamp,
        );
        assert!(
            ics.contains("UID:activity-9-20260501T080000@jglm.alliance\r\n"),
            "{ics}"
        );
        assert!(ics.contains("mailto:wang@example.cn"));
        let mut old = Invitation::of(&facts(), NoticeOccasion::Invitation, "会议");
        old.uid.clear();
        assert!(
            old.ics("u", "o@x.cn", attendee, stamp)
                .contains("UID:activity-9@jglm.alliance\r\n")
        );
    }
}
