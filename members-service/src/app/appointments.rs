//! Appointments: listing them, renewal (R5), resignation (R11) and dismissal for conduct (R12).
//! Ended appointments stay, with status, date and reason.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, Caller, Code, DbConn, FieldError, Role};
use utoipa::ToSchema;

use super::access;
use super::appointing::{self, Appoint, EarlyEnd};
use crate::clock;
use crate::db::appointments::{self, AppointmentNames, AppointmentQuery};
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::{AppointmentRow, NewResignationRow, ResignationDecision, ResignationRow};
use crate::db::{resignations, terms};
use crate::domain::appointments::{AppointmentSource, AppointmentStatus, DismissalGround, ResignationStatus};
use crate::domain::audit::AuditAction;
use crate::domain::posts::Post;
use crate::domain::terms::{RenewalError, check_renewal, renewal_start};

/// 一条聘任（聘任）：某人在某机构某一届担任某职务。已结束的聘任不删除，保留状态、结束日期和原因。
/// An appointment: a person holding a post of a body in a term. Ended ones stay, with status, date and reason.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 12, "body_id": 1, "body_name": "理事会", "term_id": 1, "term_number": 1, "person_id": 7,
    "person_name": "张伟", "unit_id": 3, "unit_name": "天津市机电工艺技师学院", "post": "chair", "post_label": "理事长",
    "status": "active", "status_label": "在任", "starts_on": "2026-12-01", "ends_on": "2027-03-31", "ended_on": null,
    "end_reason": null, "dismissal_ground": null, "source": "nomination", "source_id": 4, "previous_appointment_id": null,
    "created_at": "2026-11-24T08:00:00"}))]
pub struct Appointment {
    /// 聘任编号。The appointment's id.
    pub id: i64,
    /// 机构编号。The body.
    pub body_id: i64,
    /// 机构名称，如 理事会。The body's name.
    pub body_name: String,
    /// 届次编号。The term.
    pub term_id: i64,
    /// 届次号（第N届）。The term's number.
    pub term_number: i32,
    /// 受聘人编号。The appointee.
    pub person_id: i64,
    /// 受聘人姓名。The appointee's name.
    pub person_name: String,
    /// 受聘人聘任时所在单位。The appointee's unit when appointed.
    pub unit_id: i64,
    /// 单位名称。The unit's name.
    pub unit_name: String,
    /// 职务。The post.
    pub post: Post,
    /// 职务的中文名称，如 理事长。The post's Chinese label.
    pub post_label: String,
    /// 状态：active（在任）、pending（待生效）、completed（任期届满，已续聘）、lapsed（任期届满解聘）、
    /// resigned（辞聘）或 dismissed（解聘）。The status.
    pub status: AppointmentStatus,
    /// 状态的中文名称，如 在任。The status's Chinese label.
    pub status_label: String,
    /// 聘期开始日期。The first day.
    pub starts_on: NaiveDate,
    /// 聘期结束日期，即本届的最后一天（R4）。The last day: the term's (R4).
    pub ends_on: NaiveDate,
    /// 实际结束日期（辞聘、解聘、届满后才有）。The day it actually ended, once ended.
    pub ended_on: Option<NaiveDate>,
    /// 结束原因，如辞聘理由或解聘理由。Why it ended, e.g. the resignation's or dismissal's reason.
    pub end_reason: Option<String>,
    /// 解聘依据：conduct（R12，有损行为）或 absence（R13，无故两次不参加活动）。
    /// The ground of a dismissal: conduct (R12) or absence (R13).
    pub dismissal_ground: Option<DismissalGround>,
    /// 来源：nomination（提名聘任）、application（申报聘任）或 renewal（连聘连任）。nomination, application or renewal
    pub source: AppointmentSource,
    /// 来源记录的编号：提名、申报或被续聘的聘任。The nomination, application or renewed appointment it came from.
    pub source_id: Option<i64>,
    /// 本聘任所续聘的上一届聘任（R5）。The appointment this one renews (R5).
    pub previous_appointment_id: Option<i64>,
    /// 建立时间（UTC）。When it was recorded (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

fn with_names(r: AppointmentRow, n: AppointmentNames) -> Appointment {
    Appointment {
        id: r.id,
        body_id: r.body_id,
        body_name: n.body.unwrap_or_default(),
        term_id: r.term_id,
        term_number: n.term_number.unwrap_or_default(),
        person_id: r.person_id,
        person_name: n.person.unwrap_or_default(),
        unit_id: r.unit_id,
        unit_name: n.unit.unwrap_or_default(),
        post: r.post,
        post_label: r.post.label_zh().into(),
        status: r.status,
        status_label: r.status.label_zh().into(),
        starts_on: r.starts_on,
        ends_on: r.ends_on,
        ended_on: r.ended_on,
        end_reason: r.end_reason,
        dismissal_ground: r.dismissal_ground,
        source: r.source,
        source_id: r.source_id,
        previous_appointment_id: r.previous_appointment_id,
        created_at: r.created_at,
    }
}

pub fn to_appointment(c: &mut DbConn, row: AppointmentRow) -> Result<Appointment, ApiError> {
    let names = appointments::names(c, row.id)?;
    Ok(with_names(row, names))
}

/// Scoped roles see only their part, whatever the filter says.
pub fn list(c: &mut DbConn, caller: &Caller, f: &AppointmentQuery, w: Window) -> Result<Page<Appointment>, ApiError> {
    Ok(appointments::list(c, access::only(caller), f, w)?.map(|(r, n)| with_names(r, n)))
}

pub fn get(c: &mut DbConn, caller: &Caller, id: i64) -> Result<Appointment, ApiError> {
    let row = appointments::find(c, id)?;
    if !access::sees_appointment(caller, &row) {
        return Err(ApiError::forbidden("this appointment is outside your scope"));
    }
    to_appointment(c, row)
}

/// R5: re-appoints into the next term (`term_id`, or the body's next by number): a new
/// appointment linked to this one, pending until that term starts; if it has begun, the old
/// one completes now and the new one starts today.
pub fn renew(c: &mut DbConn, caller: &Caller, id: i64, term_id: Option<i64>) -> Result<Appointment, ApiError> {
    let prev = appointments::find(c, id)?;
    let from = terms::find(c, prev.term_id)?;
    let next = match term_id {
        Some(t) => terms::find(c, t)?,
        None => terms::by_number(c, prev.body_id, from.number + 1)?.ok_or_else(|| {
            ApiError::unprocessable(
                Code::NoNextTerm,
                format!("R5: open term {} of this body before renewing", from.number + 1),
            )
        })?,
    };
    if next.body_id != prev.body_id {
        return Err(ApiError::validation(vec![FieldError::new(
            "term_id",
            Code::TermOfAnotherBody,
            "renewal stays in the same body",
        )]));
    }
    let renewed = appointments::is_renewed(c, id)?;
    check_renewal(prev.status, from.number, next.number, renewed).map_err(|e| match e {
        RenewalError::NotRenewable(s) => ApiError::conflict(
            Code::NotRenewable,
            format!("R5: a {} appointment cannot be renewed", s.as_str()),
        ),
        RenewalError::NotTheNextTerm { expected } => {
            ApiError::unprocessable(Code::NotTheNextTerm, format!("R5: renewal goes into term {expected}"))
        }
        RenewalError::AlreadyRenewed => {
            ApiError::conflict(Code::AlreadyRenewed, "this appointment has already been renewed")
        }
    })?;
    let start = renewal_start(next.starts_on, next.ends_on, clock::today());
    if start.status == AppointmentStatus::Active {
        appointing::complete(c, caller, &prev)?;
    }
    let row = appointing::appoint(
        c,
        caller,
        Appoint {
            body_id: prev.body_id,
            term_id: next.id,
            person_id: prev.person_id,
            post: prev.post,
            starts_on: start.starts_on,
            source: AppointmentSource::Renewal,
            source_id: Some(prev.id),
            previous_appointment_id: Some(prev.id),
            status: start.status,
        },
    )?;
    to_appointment(c, row)
}

/// 一份辞聘申请（R11）及中心的审批。A resignation request (R11) and the Center's decision.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Resignation {
    /// 申请编号。The request's id.
    pub id: i64,
    /// 申请辞去的聘任。The appointment to resign from.
    pub appointment_id: i64,
    /// 辞聘理由。Why the holder resigns.
    pub reason: String,
    /// 状态：requested（待审批）、approved（同意辞聘）或 refused（不同意辞聘）。requested, approved or refused
    pub status: ResignationStatus,
    /// 申请人：`account:<id>` 等。Who applied.
    pub requested_by: String,
    /// 审批人。Who decided.
    pub decided_by: Option<String>,
    /// 审批时间（UTC）。When it was decided (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub decided_at: Option<NaiveDateTime>,
    /// 审批意见。The reason for the decision.
    pub decision_reason: Option<String>,
    /// 申请时间（UTC）。When it was requested (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

impl From<ResignationRow> for Resignation {
    fn from(r: ResignationRow) -> Self {
        Self {
            id: r.id,
            appointment_id: r.appointment_id,
            reason: r.reason,
            status: r.status,
            requested_by: r.requested_by,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_reason: r.decision_reason,
            created_at: r.created_at,
        }
    }
}

/// R11: the holder (or the Center) applies to resign; one open request at a time. The reason
/// is checked already (it becomes the end reason that notices print).
pub fn request_resignation(c: &mut DbConn, caller: &Caller, id: i64, reason: &str) -> Result<Resignation, ApiError> {
    let a = appointments::find(c, id)?;
    let own = access::member_person(caller) == Some(a.person_id);
    if !(own || caller.role == Role::Admin) {
        return Err(ApiError::forbidden("only the holder or the Center may apply to resign"));
    }
    if a.status != AppointmentStatus::Active {
        return Err(ApiError::conflict(
            Code::AppointmentNotActive,
            format!("appointment {id} is {}", a.status),
        ));
    }
    if resignations::open_for(c, id)?.is_some() {
        return Err(ApiError::conflict(
            Code::ResignationOpen,
            "a resignation request is already open",
        ));
    }
    let row = resignations::insert(
        c,
        &NewResignationRow {
            appointment_id: id,
            reason: reason.trim(),
            status: ResignationStatus::Requested,
            requested_by: &caller.subject,
            created_at: Utc::now().naive_utc(),
        },
    )?;
    audit::created(c, caller, "resignation", row.id, &row)?;
    Ok(Resignation::from(row))
}

/// The Center's decision on an open resignation request.
pub struct ResignationVerdict {
    pub approve: bool,
    pub reason: String,
    /// The end date; today when absent.
    pub effective_on: Option<NaiveDate>,
}

/// R11, R14: approval ends the appointment as `resigned`, revokes the certificate and sends the
/// 辞聘确认函; refusal leaves it running.
pub fn decide_resignation(
    c: &mut DbConn,
    caller: &Caller,
    id: i64,
    d: &ResignationVerdict,
) -> Result<Appointment, ApiError> {
    let req = resignations::open_for(c, id)?
        .ok_or_else(|| ApiError::conflict(Code::NoOpenResignation, "there is no open resignation request"))?;
    let status = if d.approve {
        ResignationStatus::Approved
    } else {
        ResignationStatus::Refused
    };
    resignations::decide(
        c,
        req.id,
        &ResignationDecision {
            status,
            decided_by: Some(&caller.subject),
            decided_at: Some(Utc::now().naive_utc()),
            decision_reason: Some(d.reason.trim()),
        },
    )?;
    audit::record(
        c,
        caller,
        Change {
            action: AuditAction::resignation(status),
            entity: "resignation",
            entity_id: req.id,
            before: snapshot(&req),
            after: None,
            reason: Some(&d.reason),
        },
    )?;
    let row = if d.approve {
        let end = EarlyEnd {
            status: AppointmentStatus::Resigned,
            ground: None,
            reason: &req.reason,
            on: d.effective_on.unwrap_or_else(clock::today),
        };
        appointing::end_early(c, caller, id, end)?
    } else {
        appointments::find(c, id)?
    };
    to_appointment(c, row)
}

/// R12, R14: dismissal for conduct, with the stated reason; revokes the certificate and sends
/// the 解聘通知书.
pub fn dismiss(
    c: &mut DbConn,
    caller: &Caller,
    id: i64,
    reason: &str,
    effective_on: Option<NaiveDate>,
) -> Result<Appointment, ApiError> {
    let end = EarlyEnd {
        status: AppointmentStatus::Dismissed,
        ground: Some(DismissalGround::Conduct),
        reason,
        on: effective_on.unwrap_or_else(clock::today),
    };
    let row = appointing::end_early(c, caller, id, end)?;
    to_appointment(c, row)
}
