//! Dismissal cases for absence (R13): opened by meetings-service's `dismissal_case.open` event
//! (idempotent on its event id) or by hand, withdrawn when an absence is corrected to excused,
//! and confirmed (→ dismissal, R14 notice) or dropped by the Center.

use chrono::{NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, Caller, Code, DbConn};
use utoipa::ToSchema;

use super::appointing::{self, EarlyEnd};
use crate::clock;
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::{CaseDecision, DismissalCaseRow, NewDismissalCaseRow};
use crate::db::{appointments, dismissal_cases};
use crate::domain::appointments::{AppointmentStatus, DismissalCaseStatus, DismissalGround};
use crate::domain::audit::AuditAction;

/// 一个因无故缺席而立的解聘案（R13）。A dismissal case for absence (R13).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DismissalCase {
    /// 案件编号。The case's id.
    pub id: i64,
    /// 涉及的聘任。The appointment concerned.
    pub appointment_id: i64,
    /// 立案的事件编号；手工立案为 `manual:<uuid>`。The event that opened it.
    pub event_id: String,
    /// 工作年度（默认为自然年）。The work year (工作年度).
    pub work_year: i32,
    /// 计入的无故缺席，按会议服务发来的内容；手工立案为 `recorded_by_hand` 加立案理由。
    /// The unexcused absences that count, as sent by meetings-service.
    #[schema(value_type = Object)]
    pub absences: serde_json::Value,
    /// 状态：open（待处理）、confirmed（已解聘）、dropped（不予解聘）或 withdrawn（已撤销）。
    /// open, confirmed, dropped or withdrawn
    pub status: DismissalCaseStatus,
    /// 处理人。Who decided.
    pub decided_by: Option<String>,
    /// 处理时间（UTC）。When it was decided (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub decided_at: Option<NaiveDateTime>,
    /// 处理理由，或撤销的原因。The reason for the decision, or for the withdrawal.
    pub decision_reason: Option<String>,
    /// 立案时间（UTC）。When it was opened (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

impl From<DismissalCaseRow> for DismissalCase {
    fn from(r: DismissalCaseRow) -> Self {
        Self {
            id: r.id,
            appointment_id: r.appointment_id,
            event_id: r.event_id,
            work_year: r.work_year,
            absences: serde_json::from_str(&r.absences).unwrap_or(serde_json::Value::Null),
            status: r.status,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_reason: r.decision_reason,
            created_at: r.created_at,
        }
    }
}

/// 立案（会议服务的 `dismissal_case.open` 事件，R13：一个工作年度内第二次无故缺席）。
/// Opening a case (meetings-service's `dismissal_case.open`, R13: a second unexcused absence in a work year).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCase {
    /// 幂等键：同一事件只立一个案。Idempotency key: the same event opens one case.
    pub event_id: String,
    /// 涉及的聘任。The appointment concerned.
    pub appointment_id: i64,
    /// 工作年度。The work year.
    pub work_year: i32,
    /// 计入的无故缺席。The unexcused absences that count.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub absences: serde_json::Value,
}

/// 撤销解聘案（会议服务的 `dismissal_case.withdraw` 事件：一次缺席更正为请假）。
/// Withdrawing a case (meetings-service's `dismissal_case.withdraw`: an absence corrected to excused).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawCase {
    /// 事件编号。The event's id.
    pub event_id: String,
    /// 涉及的聘任。The appointment concerned.
    pub appointment_id: i64,
    /// 工作年度。The work year.
    pub work_year: i32,
    /// 撤销原因；未填时记为“缺席更正为请假”。Why; 缺席更正为请假 when empty.
    #[serde(default)]
    pub reason: String,
}

pub fn list(
    c: &mut DbConn,
    status: Option<DismissalCaseStatus>,
    appointment_id: Option<i64>,
    w: Window,
) -> Result<Page<DismissalCase>, ApiError> {
    Ok(dismissal_cases::list(c, status, appointment_id, w)?.map(DismissalCase::from))
}

/// Opens a case unless one exists for the event (idempotent) or for the same appointment and
/// work year (one open case at a time); whether it is new.
pub fn open(c: &mut DbConn, actor: &Caller, o: &OpenCase) -> Result<(DismissalCaseRow, bool), ApiError> {
    if let Some(existing) = dismissal_cases::by_event(c, &o.event_id)? {
        return Ok((existing, false));
    }
    let a = appointments::find(c, o.appointment_id)?;
    if a.status != AppointmentStatus::Active {
        return Err(ApiError::conflict(
            Code::AppointmentNotActive,
            format!("appointment {} is {}", a.id, a.status),
        ));
    }
    if let Some(existing) = dismissal_cases::open_for(c, o.appointment_id, o.work_year)? {
        return Ok((existing, false));
    }
    let row = dismissal_cases::insert(
        c,
        &NewDismissalCaseRow {
            appointment_id: o.appointment_id,
            event_id: &o.event_id,
            work_year: o.work_year,
            absences: o.absences.to_string(),
            status: DismissalCaseStatus::Open,
            created_at: Utc::now().naive_utc(),
        },
    )?;
    audit::created(c, actor, "dismissal_case", row.id, &row)?;
    Ok((row, true))
}

/// A case opened by hand (the Center), e.g. for absences recorded outside the system; the
/// reason is checked already.
pub fn open_by_hand(
    c: &mut DbConn,
    actor: &Caller,
    appointment_id: i64,
    work_year: i32,
    reason: &str,
) -> Result<DismissalCase, ApiError> {
    let o = OpenCase {
        event_id: format!("manual:{}", uuid::Uuid::new_v4()),
        appointment_id,
        work_year,
        absences: serde_json::json!({"recorded_by_hand": reason.trim()}),
    };
    Ok(DismissalCase::from(open(c, actor, &o)?.0))
}

/// R13: opens the case of a second unexcused absence (idempotent on the event id) and, when the
/// deployment dismisses at once, confirms it in the same transaction.
pub fn open_case(
    c: &mut DbConn,
    caller: &Caller,
    open_: &OpenCase,
    dismiss_at_once: bool,
) -> Result<DismissalCaseRow, ApiError> {
    let (row, created) = open(c, caller, open_)?;
    if created && dismiss_at_once {
        let reason = format!("{}工作年度两次无故不参加活动，予以解聘", open_.work_year);
        return decide_case(c, caller, row.id, true, &reason);
    }
    Ok(row)
}

/// Withdraws the open case of an appointment and work year (an absence corrected to excused);
/// `None` when there is none.
pub fn withdraw(c: &mut DbConn, caller: &Caller, w: &WithdrawCase) -> Result<Option<DismissalCaseRow>, ApiError> {
    let Some(case) = dismissal_cases::open_for(c, w.appointment_id, w.work_year)? else {
        return Ok(None);
    };
    let reason = if w.reason.trim().is_empty() {
        "缺席更正为请假"
    } else {
        w.reason.trim()
    };
    let after = dismissal_cases::decide(
        c,
        case.id,
        &CaseDecision {
            status: DismissalCaseStatus::Withdrawn,
            decided_by: Some(&caller.subject),
            decided_at: Some(Utc::now().naive_utc()),
            decision_reason: Some(reason),
        },
    )?;
    audit::record(
        c,
        caller,
        Change {
            action: AuditAction::Withdraw,
            entity: "dismissal_case",
            entity_id: case.id,
            before: snapshot(&case),
            after: snapshot(&after),
            reason: Some(reason),
        },
    )?;
    Ok(Some(after))
}

/// Confirms (→ dismissal for absence, R13, with its R14 notice) or drops an open case.
pub fn decide_case(
    c: &mut DbConn,
    caller: &Caller,
    id: i64,
    confirm: bool,
    reason: &str,
) -> Result<DismissalCaseRow, ApiError> {
    let case = dismissal_cases::find(c, id)?;
    if case.status != DismissalCaseStatus::Open {
        return Err(ApiError::conflict(
            Code::CaseClosed,
            format!("case {id} is {}", case.status),
        ));
    }
    let status = if confirm {
        DismissalCaseStatus::Confirmed
    } else {
        DismissalCaseStatus::Dropped
    };
    dismissal_cases::decide(
        c,
        id,
        &CaseDecision {
            status,
            decided_by: Some(&caller.subject),
            decided_at: Some(Utc::now().naive_utc()),
            decision_reason: Some(reason.trim()),
        },
    )?;
    if confirm {
        let end = EarlyEnd {
            status: AppointmentStatus::Dismissed,
            ground: Some(DismissalGround::Absence),
            reason: reason.trim(),
            on: clock::today(),
        };
        appointing::end_early(c, caller, case.appointment_id, end)?;
    }
    let after = dismissal_cases::find(c, id)?;
    audit::record(
        c,
        caller,
        Change {
            action: AuditAction::case(status),
            entity: "dismissal_case",
            entity_id: id,
            before: snapshot(&case),
            after: snapshot(&after),
            reason: Some(reason),
        },
    )?;
    Ok(after)
}
