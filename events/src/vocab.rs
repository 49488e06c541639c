//! The enums whose values cross service boundaries: named in the events (an activity's kind
//! and agenda in a meeting notice, the documents issued) and labelled in members-service's
//! `GET /labels`, which cannot depend on the services that own them. Each has its values
//! (`ALL`, `as_str`, `parse`) and its Chinese label (`label_zh`) beside it; the owning service
//! re-exports it from its `domain/` (or `api/`), where its rules stay.

use crate::vocabulary;

// ----- members-service: appointments (聘任), in the facts other services read

vocabulary! {
    pub enum AppointmentStatus {
        /// 在任
        Active = "active" => "在任",
        /// Created by renewal, starts with the next term (待生效).
        Pending = "pending" => "待生效",
        /// The term ended and the holder was renewed (任期届满，已续聘).
        Completed = "completed" => "任期届满（已续聘）",
        /// The term ended without renewal (逾期不续聘，自行解聘), R6.
        Lapsed = "lapsed" => "任期届满解聘",
        /// 辞聘, R11.
        Resigned = "resigned" => "辞聘",
        /// 解聘, R12 or R13.
        Dismissed = "dismissed" => "解聘",
    }
}

impl AppointmentStatus {
    /// Ended before its term's end: the certificate is revoked (R14, "Documents").
    pub fn is_early_end(self) -> bool {
        matches!(self, AppointmentStatus::Resigned | AppointmentStatus::Dismissed)
    }
}

// ----- meetings-service: activities (活动) of a body (第十二条, 第十三条)

vocabulary! {
    pub enum ActivityKind {
        Plenary = "plenary" => "全体会议",
        ChairMeeting = "chair_meeting" => "理事长会议",
        Thematic = "thematic" => "专题会议",
        Training = "training" => "培训",
        Competition = "competition" => "竞赛",
        Exchange = "exchange" => "交流",
        Other = "other" => "其他活动",
    }
}

vocabulary! {
    /// 活动状态 · Where an activity stands.
    pub enum ActivityStatus {
        Scheduled = "scheduled" => "已安排",
        /// Attendance is recorded.
        Held = "held" => "已举行",
        /// Counts no absence (R13).
        Cancelled = "cancelled" => "已取消",
    }
}

vocabulary! {
    /// 年度文件的种类 · Which of a body's annual documents.
    pub enum AnnualDocumentKind {
        WorkPlan = "work_plan" => "年度工作计划",
        WorkReport = "work_report" => "年度工作报告",
    }
}

// ----- meetings-service: a plenary's agenda items (议程, R19)

vocabulary! {
    pub enum AgendaItemKind {
        WorkReportReview = "work_report_review" => "审议年度工作报告",
        WorkPlanPublication = "work_plan_publication" => "发布下一年度工作计划",
        MembershipAdjustment = "membership_adjustment" => "调整、增补",
        Election = "election" => "选举",
        Other = "other" => "其他事项",
    }
}

// ----- meetings-service: attendance per invitee (R18)

vocabulary! {
    /// An invitee's answer to a meeting notice (回执, issue 13).
    pub enum ReplyAnswer {
        /// 参加
        Attend = "attend" => "参加",
        /// 请假, with its reason (R18)
        Leave = "leave" => "请假",
    }
}

vocabulary! {
    pub enum AttendanceStatus {
        Present = "present" => "出席",
        /// 请假: an excused absence, with a reason; never counts towards R13.
        Excused = "excused" => "请假",
        /// 缺席: an unexcused absence (无故不参加); two in a work year open a dismissal case (R13).
        Absent = "absent" => "缺席",
    }
}

// ----- documents-service: the documents the alliance issues

vocabulary! {
    pub enum DocumentKind {
        AppointmentCertificate = "appointment_certificate" => "聘书",
        DismissalNotice = "dismissal_notice" => "解聘通知书",
        LapseNotice = "lapse_notice" => "任期届满通知",
        ResignationAcceptance = "resignation_acceptance" => "辞聘确认函",
        CommendationCertificate = "commendation_certificate" => "荣誉证书",
        MeetingNotice = "meeting_notice" => "会议通知",
        Roster = "roster" => "成员名册",
        /// A meeting's sign-in sheet with the invitees' replies (issue 13).
        SignInSheet = "sign_in_sheet" => "签到表",
    }
}

// ----- documents-service: mail deliveries

vocabulary! {
    /// 寄送状态 · Where a delivery stands.
    pub enum DeliveryStatus {
        /// Waiting for its (next) attempt.
        Queued = "queued" => "待发送",
        /// An SMTP transaction began and its outcome is not recorded yet: in progress, or its
        /// worker stopped in the middle (it is then sent again with the same Message-ID).
        Sending = "sending" => "发送中",
        Sent = "sent" => "已发送",
        /// Refused for good (5xx) or retried until the schedule ended; can be retried by hand.
        Failed = "failed" => "发送失败",
    }
}

vocabulary! {
    /// 文件状态，即其验证链接的答复 · Where an issued document stands; what its verification link answers.
    pub enum DocumentStatus {
        Valid = "valid" => "有效",
        /// Revoked: the appointment it certifies ended early.
        Revoked = "revoked" => "已撤销",
        /// Replaced by a newer document of its kind about the same subject (a reissue, a renewal).
        Superseded = "superseded" => "已被替代",
    }
}

vocabulary! {
    /// 批次状态 · Where a batch stands.
    pub enum BatchStatus {
        /// Items are still pending; the worker takes it chunk by chunk.
        Running = "running" => "进行中",
        Finished = "finished" => "已完成",
    }
}

vocabulary! {
    /// What became of one appointment of a batch.
    pub enum BatchItemStatus {
        Pending = "pending" => "待签发",
        /// A new certificate was issued.
        Issued = "issued" => "已签发",
        /// A valid certificate existed already (without `reissue`), or was issued before a crash.
        Existing = "existing" => "已有证书",
        Failed = "failed" => "签发失败",
    }
}

vocabulary! {
    /// 一次邮件寄送尝试的结果 · The outcome of one attempt to deliver a document by e-mail.
    pub enum AttemptOutcome {
        /// Written before the SMTP transaction; replaced by its outcome after it.
        Sending = "sending" => "发送中",
        Sent = "sent" => "已发送",
        /// A transient failure; the delivery is tried again later.
        Retry = "retry" => "稍后重试",
        Failed = "failed" => "发送失败",
        /// Its worker stopped during the SMTP transaction; sent again with the same Message-ID.
        Interrupted = "interrupted" => "已中断",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// Each enum's `as_str` is its serde name, so `/labels` keys are the values the API sends.
    #[test]
    fn labels_are_keyed_by_the_wire_values() {
        fn check<T: Serialize + Copy>(all: &[T], as_str: fn(T) -> &'static str, label: fn(T) -> &'static str) {
            for v in all {
                assert_eq!(serde_json::to_value(v).ok(), Some(serde_json::Value::from(as_str(*v))));
                assert!(!label(*v).is_empty());
            }
        }
        check(&ActivityKind::ALL, ActivityKind::as_str, ActivityKind::label_zh);
        check(&AgendaItemKind::ALL, AgendaItemKind::as_str, AgendaItemKind::label_zh);
        check(
            &AttendanceStatus::ALL,
            AttendanceStatus::as_str,
            AttendanceStatus::label_zh,
        );
        check(&DocumentKind::ALL, DocumentKind::as_str, DocumentKind::label_zh);
        check(&DeliveryStatus::ALL, DeliveryStatus::as_str, DeliveryStatus::label_zh);
    }
}

vocabulary! {
    /// 排序方式 · How a list of people (or of their appointments, or a 成员名册) is ordered.
    pub enum NameOrder {
        /// 按编号（登记先后）· In the order they were recorded (id).
        Id = "id" => "按登记先后",
        /// 按姓氏笔画（GB13000.1 字序）· By the surname's strokes, as official name lists are.
        SurnameStrokes = "surname_strokes" => "按姓氏笔画",
        /// 按姓名拼音，姓氏按姓氏读音 · By pinyin, surnames read as surnames.
        Pinyin = "pinyin" => "按姓名拼音",
    }
}

// `vocabulary!` derives a fixed set, so `#[derive(Default)]` with `#[default]` is not open here.
#[allow(clippy::derivable_impls)]
impl Default for NameOrder {
    fn default() -> Self {
        NameOrder::Id
    }
}
