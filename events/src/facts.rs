//! What an event carries about its subject, so that the consumer needs no call back.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An appointment as members-service knows it when the event is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AppointmentFacts {
    pub appointment_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub person_email: Option<String>,
    /// 职务, e.g. 副校长
    pub job_post: String,
    /// 职称级别 in Chinese, e.g. 正高级
    pub title_label: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_contact_email: Option<String>,
    pub body_id: i64,
    pub body_name: String,
    /// The post's code, e.g. `vice_chair`.
    pub post: String,
    /// The post in Chinese, e.g. 副理事长
    pub post_label: String,
    pub term_number: i32,
    pub term_starts_on: NaiveDate,
    pub term_ends_on: NaiveDate,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: crate::vocab::AppointmentStatus,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    /// The appointment this one renews (R5): its certificate is superseded.
    pub previous_appointment_id: Option<i64>,
}

/// A commendation (褒奖, R16) of a person or a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommendationFacts {
    pub commendation_id: i64,
    pub year: i32,
    /// The person's name, or the unit's when a unit is commended.
    pub recipient_name: String,
    pub recipient_email: Option<String>,
    pub unit_name: String,
    /// 表彰事由
    pub citation: String,
    /// Set when a person is commended.
    pub person_id: Option<i64>,
    /// Set when a unit is commended.
    pub unit_id: Option<i64>,
}

/// A meeting or activity, as its notice prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActivityFacts {
    pub activity_id: i64,
    pub body_id: i64,
    pub body_name: String,
    /// The kind's code, e.g. `plenary`.
    pub kind: String,
    /// The kind in Chinese.
    pub kind_label: String,
    pub title: String,
    pub held_on: NaiveDate,
    /// e.g. `09:30`
    pub starts_at: Option<String>,
    pub place: String,
    pub description: String,
    /// One line per agenda item, as printed.
    pub agenda: Vec<String>,
    pub reply_by: Option<NaiveDate>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Its calendar event's UID (RFC 5545), the same in every notice and in the body's feed;
    /// empty from producers that predate it.
    #[serde(default)]
    pub uid: String,
    /// Raised on every change of its date, time or place and on its cancellation: the
    /// invitation's `SEQUENCE` (RFC 5545). 0 from producers that predate it.
    #[serde(default)]
    pub sequence: i32,
    /// Why it was called off (a 会议取消通知).
    #[serde(default)]
    pub cancel_reason: Option<String>,
}

/// Why a 会议通知 is sent: the first invitation, a change of date, time or place (会议变更通知),
/// the cancellation (会议取消通知), a reminder to an invitee who has not replied (会议提醒), or
/// the withdrawal of one invitee's invitation (会议邀请撤回通知: a new date after their
/// appointment ends, or a people change before the meeting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeOccasion {
    #[default]
    Invitation,
    Change,
    Cancellation,
    Reminder,
    Withdrawal,
}

impl NoticeOccasion {
    /// Whether the invitee's calendar entry is withdrawn (`METHOD:CANCEL`): the meeting is
    /// called off, or they are no longer invited. Such a notice takes no reply.
    pub fn withdraws(self) -> bool {
        matches!(self, Self::Cancellation | Self::Withdrawal)
    }
}

/// One person invited to an activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InviteeFacts {
    pub appointment_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub person_email: Option<String>,
    pub unit_name: String,
    pub post_label: String,
    /// The invitee's personal reply link (回执 / 请假, issue 13): the path segment after `/r/`,
    /// signed by meetings-service. None on a cancellation and from older producers.
    #[serde(default)]
    pub reply_link: Option<String>,
    /// The invitee's personal calendar feed address (the path segment after `/c/`).
    #[serde(default)]
    pub feed_link: Option<String>,
}

/// An activity's invitees with their replies, as a 签到表 prints them (issue 13): read by
/// documents-service from meetings-service (`GET /internal/v1/activities/{id}/sign-in-facts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignInFacts {
    pub activity: ActivityFacts,
    pub status: crate::vocab::ActivityStatus,
    /// In the order of their appointments; documents-service prints the body's leaders first.
    pub invitees: Vec<SignInRow>,
}

/// One invitee of a 签到表 and their answer to the notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignInRow {
    pub appointment_id: i64,
    pub person_name: String,
    pub unit_name: String,
    /// The post's code, e.g. `vice_chair`.
    pub post: String,
    pub post_label: String,
    /// 参加 or 请假; None when not answered.
    pub answer: Option<crate::vocab::ReplyAnswer>,
    /// 请假事由.
    pub reason: Option<String>,
}
