//! Activities (活动) of a body (第十二条, 第十三条): their kinds and states, and what a new
//! activity or a change of one must satisfy before anything is stored.

use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;
use service_kit::{Code, FieldError};
use utoipa::ToSchema;

pub use alliance_events::vocab::ActivityKind;

use super::agenda::{self, AgendaItem};

// Declared in the shared vocabulary, so that members-service's `/labels` can list it.
pub use alliance_events::vocab::ActivityStatus;

/// 安排活动的请求。议程须符合 R19；`reply_by` 不得晚于 `held_on`。
/// A request to schedule an activity; its agenda follows R19, `reply_by` is on or before `held_on`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body_id": 1, "kind": "plenary", "title": "2026年度理事会全体会议", "held_on": "2026-12-10",
    "starts_at": "09:00", "place": "北京市海淀区机械工业教育发展中心第一会议室",
    "description": "审议2026年度工作报告，发布2027年度工作计划，增补理事，选举副理事长。请各位理事准时出席，因故不能出席的请在回执中请假并写明事由。",
    "agenda": [{"kind": "work_report_review", "title": "审议2026年度工作报告", "work_report_year": 2026},
               {"kind": "work_plan_publication", "title": "发布2027年度工作计划", "work_plan_year": 2027},
               {"kind": "membership_adjustment", "title": "增补理事"},
               {"kind": "election", "title": "副理事长选举"}],
    "reply_by": "2026-12-01", "contact_name": "王芳", "contact_phone": "010-88888888", "send_notices": true}))]
pub struct NewActivity {
    /// 举办机构（理事会、专家委员会或协作组）编号。The body (council, expert committee or group) holding it.
    pub body_id: i64,
    /// 活动类型（全体会议、理事长会议、专题会议等）。The kind (plenary, chair meeting, thematic meeting, …).
    pub kind: ActivityKind,
    /// 活动名称，200 字以内，须为通知字体可打印的字符。The title, at most 200 characters the notice's fonts can print.
    #[schema(max_length = 200, pattern = r"\S")]
    pub title: String,
    /// 举办日期；受邀人员为当天该机构的在任人员。The date it is held on; the invitees are the body's active appointees that day.
    pub held_on: NaiveDate,
    /// 开始时间，`HH:MM`（北京时间）。`HH:MM`.
    #[schema(pattern = r"^\s*(([01]?[0-9]|2[0-3]):[0-5][0-9])?\s*$")]
    pub starts_at: Option<String>,
    /// 地点，200 字以内。The place, at most 200 characters.
    #[schema(max_length = 200, pattern = r"\S")]
    pub place: String,
    /// 活动说明，5000 字以内（可省略）。A description, at most 5000 characters (optional).
    #[serde(default)]
    pub description: String,
    /// 议程：R19 所列事项（审议年度工作报告、发布下一年度工作计划、调整增补、选举）只属于全体会议；本机构的年度工作报告或计划按年度附上。
    /// 议程: the R19 kinds belong to plenaries; a work report or plan of the body is attached by year.
    #[serde(default)]
    pub agenda: Vec<AgendaItem>,
    /// 回执截止日期，不得晚于举办日期。The date replies are due, on or before `held_on`.
    pub reply_by: Option<NaiveDate>,
    /// 联系人。The contact person.
    pub contact_name: Option<String>,
    /// 联系电话。The contact's phone.
    pub contact_phone: Option<String>,
    /// 是否向每位留有电子邮箱的受邀人员发送会议通知（经 documents-service）。Send every invitee with an e-mail address the 会议通知 (through documents-service).
    #[serde(default)]
    pub send_notices: bool,
}

/// 状态变更指令：`cancelled` 表示取消活动。A change of status: `cancelled` cancels the activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusChange {
    /// 取消活动（须写明原因）。Cancel the activity (with a reason).
    Cancelled,
}

/// 修改活动的请求：只需提交要修改的字段；`starts_at`、`reply_by`、`contact_name`、`contact_phone` 提交 null 表示清空。
/// A change of an activity: only the fields to change; null clears `starts_at`, `reply_by`, `contact_name`, `contact_phone`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held_on": "2026-12-17", "starts_at": "14:30", "place": "北京市海淀区机械工业教育发展中心第一会议室", "reply_by": "2026-12-10"}))]
pub struct ActivityUpdate {
    /// 新的活动名称，200 字以内。A new title, at most 200 characters.
    #[schema(max_length = 200, pattern = r"\S")]
    pub title: Option<String>,
    /// 改期：仅限尚未登记出席情况时；将按新日期重新读取受邀人员。Reschedule: only before attendance is recorded; the invitees are read again for the new date.
    pub held_on: Option<NaiveDate>,
    /// 新的开始时间，`HH:MM`；null 表示清空。A new start time, `HH:MM`; null clears it.
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^\s*(([01]?[0-9]|2[0-3]):[0-5][0-9])?\s*$")]
    pub starts_at: Option<Option<String>>,
    /// 新的地点，200 字以内。A new place, at most 200 characters.
    #[schema(max_length = 200, pattern = r"\S")]
    pub place: Option<String>,
    /// 新的活动说明。A new description.
    pub description: Option<String>,
    /// 新的议程（整体替换，须符合 R19）。A new agenda (replaces the whole list; R19 applies).
    pub agenda: Option<Vec<AgendaItem>>,
    /// 新的回执截止日期，不得晚于举办日期；null 表示清空。A new reply date, on or before `held_on`; null clears it.
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub reply_by: Option<Option<NaiveDate>>,
    /// 新的联系人；null 表示清空。A new contact person; null clears it.
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Option<String>>,
    /// 新的联系电话；null 表示清空。A new contact phone; null clears it.
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_phone: Option<Option<String>>,
    /// `cancelled` 表示取消活动（须同时提交 `reason`）：已取消的活动不计缺席（R13）。`cancelled` cancels the activity (with `reason`): it counts no absence (R13).
    pub status: Option<StatusChange>,
    /// 取消原因（取消时必填）。Why it is cancelled.
    pub reason: Option<String>,
}

const MAX_TEXT: usize = 200;
const MAX_DESCRIPTION: usize = 5000;

fn text_field(errors: &mut Vec<FieldError>, field: &str, value: &str, required: bool) {
    let n = value.trim().chars().count();
    if required && n == 0 {
        errors.push(FieldError::new(field, Code::Required, "must not be empty"));
    } else if n > MAX_TEXT {
        errors.push(FieldError::new(
            field,
            Code::TooLong,
            format!("at most {MAX_TEXT} characters"),
        ));
    } else {
        // Printed on the 会议通知: refuse what the documents' fonts cannot print (issue 9).
        service_kit::printable::check(field, value, errors);
    }
}

/// `HH:MM` (or `H:MM`), normalised to `HH:MM`.
fn parse_time(errors: &mut Vec<FieldError>, value: Option<&str>) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    match NaiveTime::parse_from_str(v, "%H:%M") {
        Ok(t) => Some(t.format("%H:%M").to_string()),
        Err(_) => {
            errors.push(FieldError::new(
                "starts_at",
                Code::InvalidTime,
                "a time of day as HH:MM, e.g. 09:00",
            ));
            None
        }
    }
}

fn agenda_errors(kind: ActivityKind, items: &[AgendaItem], errors: &mut Vec<FieldError>) {
    for e in agenda::validate(kind, items) {
        errors.push(FieldError::new(
            format!("agenda[{}].{}", e.index, e.field),
            e.code,
            e.message,
        ));
    }
    for (i, item) in items.iter().enumerate() {
        service_kit::printable::check(&format!("agenda[{i}].title"), &item.title, errors);
    }
}

fn reply_by_errors(errors: &mut Vec<FieldError>, reply_by: Option<NaiveDate>, held_on: NaiveDate) {
    if reply_by.is_some_and(|r| r > held_on) {
        errors.push(FieldError::new(
            "reply_by",
            Code::AfterActivity,
            "must be on or before held_on",
        ));
    }
}

/// A trimmed text, or none when blank.
pub fn opt_text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl NewActivity {
    /// Every field problem at once; on success the start time normalised to `HH:MM`.
    pub fn check(&self) -> Result<Option<String>, Vec<FieldError>> {
        let mut errors = Vec::new();
        text_field(&mut errors, "title", &self.title, true);
        text_field(&mut errors, "place", &self.place, true);
        let starts_at = parse_time(&mut errors, self.starts_at.as_deref());
        if self.description.chars().count() > MAX_DESCRIPTION {
            errors.push(FieldError::new("description", Code::TooLong, "at most 5000 characters"));
        }
        reply_by_errors(&mut errors, self.reply_by, self.held_on);
        agenda_errors(self.kind, &self.agenda, &mut errors);
        if errors.is_empty() { Ok(starts_at) } else { Err(errors) }
    }
}

/// An [`ActivityUpdate`] checked against the activity as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedUpdate {
    /// The start time normalised (`Some(None)` clears it).
    pub starts_at: Option<Option<String>>,
    /// The date it is held on after the change.
    pub held_on: NaiveDate,
    /// A new date (and not a cancellation): the invitees are read again for it.
    pub rescheduled: bool,
    /// Set when the change cancels the activity.
    pub cancel_reason: Option<String>,
}

impl ActivityUpdate {
    /// Every field problem at once, given the activity's kind, date and reply date now.
    pub fn check(
        &self,
        kind: ActivityKind,
        held_on_now: NaiveDate,
        reply_by_now: Option<NaiveDate>,
    ) -> Result<CheckedUpdate, Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(t) = &self.title {
            text_field(&mut errors, "title", t, true);
        }
        if let Some(p) = &self.place {
            text_field(&mut errors, "place", p, true);
        }
        let starts_at = self.starts_at.as_ref().map(|s| parse_time(&mut errors, s.as_deref()));
        if let Some(a) = &self.agenda {
            agenda_errors(kind, a, &mut errors);
        }
        let held_on = self.held_on.unwrap_or(held_on_now);
        reply_by_errors(&mut errors, self.reply_by.unwrap_or(reply_by_now), held_on);
        let cancel_reason = match self.status {
            Some(StatusChange::Cancelled) => {
                let r = opt_text(self.reason.clone());
                if r.is_none() {
                    errors.push(FieldError::new(
                        "reason",
                        Code::Required,
                        "say why the activity is cancelled",
                    ));
                }
                r
            }
            None => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CheckedUpdate {
            starts_at,
            held_on,
            rescheduled: self.held_on.is_some_and(|d| d != held_on_now) && cancel_reason.is_none(),
            cancel_reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn statuses_round_trip_with_labels() {
        for s in ActivityStatus::ALL {
            assert_eq!(ActivityStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ActivityStatus::Cancelled.label_zh(), "已取消");
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn a_cancellation_needs_its_reason_and_is_no_reschedule() {
        let u = ActivityUpdate {
            status: Some(StatusChange::Cancelled),
            held_on: Some(d(2026, 12, 17)),
            ..ActivityUpdate::default()
        };
        let e = u
            .check(ActivityKind::Thematic, d(2026, 12, 10), None)
            .err()
            .unwrap_or_default();
        assert_eq!(e.len(), 1);
        let u = ActivityUpdate {
            reason: Some(" 场地 ".into()),
            ..u
        };
        let ok = u.check(ActivityKind::Thematic, d(2026, 12, 10), None);
        assert_eq!(
            ok.map(|c| (c.rescheduled, c.cancel_reason)),
            Ok((false, Some("场地".into())))
        );
    }

    #[test]
    fn a_new_date_reschedules_and_the_reply_date_stays_before_it() {
        let u = ActivityUpdate {
            held_on: Some(d(2026, 12, 17)),
            starts_at: Some(Some("9:00".into())),
            ..ActivityUpdate::default()
        };
        let c = u.check(ActivityKind::Thematic, d(2026, 12, 10), None);
        assert_eq!(
            c.map(|c| (c.rescheduled, c.held_on, c.starts_at)),
            Ok((true, d(2026, 12, 17), Some(Some("09:00".into()))))
        );
        let e = u
            .check(ActivityKind::Thematic, d(2026, 12, 10), Some(d(2026, 12, 20)))
            .err()
            .unwrap_or_default();
        assert_eq!(e.len(), 1);
    }
}
