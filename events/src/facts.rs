//! What an event carries about its subject, so that the consumer needs no call back.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// 写入事件时成员服务所知的一项聘任。An appointment as members-service knows it when the event is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AppointmentFacts {
    /// 聘任编号。The appointment's id.
    pub appointment_id: i64,
    /// 人员编号。The person's id.
    pub person_id: i64,
    /// 姓名。The person's name.
    pub person_name: String,
    /// 本人电子邮件。The person's e-mail.
    pub person_email: Option<String>,
    /// 在本单位的职务，如 副校长。The job post at their unit, e.g. 副校长.
    pub job_post: String,
    /// 职称级别（中文），如 正高级。The title level in Chinese, e.g. 正高级.
    pub title_label: String,
    /// 单位编号。The unit's id.
    pub unit_id: i64,
    /// 单位名称。The unit's name.
    pub unit_name: String,
    /// 单位联系人的电子邮件。The unit contact's e-mail.
    pub unit_contact_email: Option<String>,
    /// 机构（理事会、专家委员会或协作组）编号。The body's id (council, expert committee or group).
    pub body_id: i64,
    /// 机构名称。The body's name.
    pub body_name: String,
    /// 职务代码，如 `vice_chair`。The post's code, e.g. `vice_chair`.
    pub post: String,
    /// 职务（中文），如 副理事长。The post in Chinese, e.g. 副理事长.
    pub post_label: String,
    /// 届次。The term's number.
    pub term_number: i32,
    /// 本届开始日期。The term's first day.
    pub term_starts_on: NaiveDate,
    /// 本届结束日期。The term's last day.
    pub term_ends_on: NaiveDate,
    /// 聘任开始日期。The appointment's first day.
    pub starts_on: NaiveDate,
    /// 聘任结束日期。The appointment's last day.
    pub ends_on: NaiveDate,
    /// 聘任状态。The appointment's status.
    pub status: crate::vocab::AppointmentStatus,
    /// 实际结束日期（提前结束时）。The day it actually ended (when it ended early).
    pub ended_on: Option<NaiveDate>,
    /// 结束的原因。Why it ended.
    pub end_reason: Option<String>,
    /// 本聘任所续的上一聘任（R5），其聘书随之作废。The appointment this one renews (R5): its certificate is superseded.
    pub previous_appointment_id: Option<i64>,
    /// 姓名的姓氏笔画排序键（GB13000.1 字序），按字节比较；较早的生产者不写。The name's key in 姓氏笔画
    /// order, compared as bytes; absent from what older producers wrote (and then not written back).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub person_stroke_key: String,
    /// 姓名的拼音排序键（姓氏按姓氏读音），按字节比较；较早的生产者不写。The name's key in pinyin order,
    /// compared as bytes; absent from what older producers wrote.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub person_pinyin_key: String,
}

/// 对个人或单位的一项褒奖（R16）。A commendation (褒奖, R16) of a person or a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommendationFacts {
    /// 褒奖编号。The commendation's id.
    pub commendation_id: i64,
    /// 年度。The year.
    pub year: i32,
    /// 受表彰的个人姓名，或受表彰单位的名称。The person's name, or the unit's when a unit is commended.
    pub recipient_name: String,
    /// 受表彰者的电子邮件。The recipient's e-mail.
    pub recipient_email: Option<String>,
    /// 单位名称。The unit's name.
    pub unit_name: String,
    /// 表彰事由。The citation.
    pub citation: String,
    /// 表彰个人时填写。Set when a person is commended.
    pub person_id: Option<i64>,
    /// 表彰单位时填写。Set when a unit is commended.
    pub unit_id: Option<i64>,
}

/// 会议或活动，按其通知所印。A meeting or activity, as its notice prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActivityFacts {
    /// 活动编号。The activity's id.
    pub activity_id: i64,
    /// 主办机构编号。The body's id.
    pub body_id: i64,
    /// 主办机构名称。The body's name.
    pub body_name: String,
    /// 活动类型代码，如 `plenary`。The kind's code, e.g. `plenary`.
    pub kind: String,
    /// 活动类型（中文）。The kind in Chinese.
    pub kind_label: String,
    /// 标题。The title.
    pub title: String,
    /// 举行日期。The day it is held.
    pub held_on: NaiveDate,
    /// 开始时刻，如 `09:30`。The starting time, e.g. `09:30`.
    pub starts_at: Option<String>,
    /// 地点。The place.
    pub place: String,
    /// 说明。The description.
    pub description: String,
    /// 议程，每项一行，按所印。One line per agenda item, as printed.
    pub agenda: Vec<String>,
    /// 回执截止日期。The reply-by date.
    pub reply_by: Option<NaiveDate>,
    /// 联系人。The contact's name.
    pub contact_name: Option<String>,
    /// 联系电话。The contact's telephone.
    pub contact_phone: Option<String>,
    /// 日历事件的 UID（RFC 5545），每份通知与机构日历订阅中相同；较早的发出方不带（为空）。
    /// Its calendar event's UID (RFC 5545), the same in every notice and in the body's feed;
    /// empty from producers that predate it.
    #[serde(default)]
    pub uid: String,
    /// 日期、时刻或地点每次变更及取消时加一：邀请的 `SEQUENCE`（RFC 5545）；较早的发出方为 0。
    /// Raised on every change of its date, time or place and on its cancellation: the
    /// invitation's `SEQUENCE` (RFC 5545). 0 from producers that predate it.
    #[serde(default)]
    pub sequence: i32,
    /// 取消的原因（会议取消通知）。Why it was called off (a 会议取消通知).
    #[serde(default)]
    pub cancel_reason: Option<String>,
}

/// 发出会议通知的缘由：`invitation` 首次邀请，`change` 日期、时刻或地点变更（会议变更通知），`cancellation` 取消
/// （会议取消通知），`reminder` 提醒未回复者（会议提醒），`withdrawal` 撤回某位受邀者的邀请（会议邀请撤回通知）。
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

/// 一位受邀参加活动的人。One person invited to an activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InviteeFacts {
    /// 受邀所凭的聘任编号。The appointment they are invited by.
    pub appointment_id: i64,
    /// 人员编号。The person's id.
    pub person_id: i64,
    /// 姓名。The person's name.
    pub person_name: String,
    /// 本人电子邮件。The person's e-mail.
    pub person_email: Option<String>,
    /// 单位名称。The unit's name.
    pub unit_name: String,
    /// 职务（中文）。The post in Chinese.
    pub post_label: String,
    /// 受邀者个人的回执 / 请假链接：`/r/` 之后的路径段，由会议服务签名；取消通知及较早的发出方不带。
    /// The invitee's personal reply link (回执 / 请假, issue 13): the path segment after `/r/`,
    /// signed by meetings-service. None on a cancellation and from older producers.
    #[serde(default)]
    pub reply_link: Option<String>,
    /// 受邀者个人的日历订阅地址（`/c/` 之后的路径段）。The invitee's personal calendar feed address (the path segment after `/c/`).
    #[serde(default)]
    pub feed_link: Option<String>,
}

/// 活动的受邀者及其回复，按签到表所印：文书服务向会议服务读取。
/// An activity's invitees with their replies, as a 签到表 prints them (issue 13): read by
/// documents-service from meetings-service (`GET /internal/v1/activities/{id}/sign-in-facts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignInFacts {
    /// 活动。The activity.
    pub activity: ActivityFacts,
    /// 活动状态。The activity's status.
    pub status: crate::vocab::ActivityStatus,
    /// 按聘任顺序排列；文书服务把机构负责人印在前面。
    /// In the order of their appointments; documents-service prints the body's leaders first.
    pub invitees: Vec<SignInRow>,
}

/// 签到表上的一位受邀者及其对通知的回复。One invitee of a 签到表 and their answer to the notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignInRow {
    /// 聘任编号。The appointment's id.
    pub appointment_id: i64,
    /// 姓名。The person's name.
    pub person_name: String,
    /// 单位名称。The unit's name.
    pub unit_name: String,
    /// 职务代码，如 `vice_chair`。The post's code, e.g. `vice_chair`.
    pub post: String,
    /// 职务（中文）。The post in Chinese.
    pub post_label: String,
    /// 参加或请假；未回复时为空。参加 or 请假; None when not answered.
    pub answer: Option<crate::vocab::ReplyAnswer>,
    /// 请假事由。The reason given for the absence.
    pub reason: Option<String>,
}
