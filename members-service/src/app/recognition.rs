//! Annual assessments (R15) and commendations (R16, each with a 荣誉证书 issued by
//! documents-service).

use alliance_events::{CertificateIssue, CommendationFacts, ToDocuments};
use chrono::{NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, Caller, Code, DbConn, FieldError, Role};
use utoipa::ToSchema;

use super::access;
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::{AssessmentRow, CommendationRow, NewCommendationRow};
use crate::db::recognition::{self, AssessmentWrite};
use crate::db::{appointments, people, units};
use crate::domain::appointments::AppointmentStatus;
use crate::domain::assessments::{AssessmentResult, assessable};
use crate::domain::audit::AuditAction;

/// 一条聘任的年度工作考核结果（R15）。An appointment's annual assessment (R15).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Assessment {
    /// 聘任编号。The appointment.
    pub appointment_id: i64,
    /// 工作年度。The work year.
    pub year: i32,
    /// 考核结果。The result.
    pub result: AssessmentResult,
    /// 考核结果的中文名称，如 优秀。The result's Chinese label.
    pub result_label: String,
    /// 考核评语。The comment.
    pub comment: String,
    /// 考核登记人。Who recorded it.
    pub assessed_by: String,
    /// 最后登记或更正的时间（UTC）。When it was last recorded (UTC).
    #[serde(with = "service_kit::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<AssessmentRow> for Assessment {
    fn from(r: AssessmentRow) -> Self {
        Self {
            appointment_id: r.appointment_id,
            year: r.year,
            result: r.result,
            result_label: r.result.label_zh().into(),
            comment: r.comment,
            assessed_by: r.assessed_by,
            updated_at: r.updated_at,
        }
    }
}

/// One appointment's assessment for a work year: the Center, read clients, the holder and
/// their unit's contact.
pub fn assessment(c: &mut DbConn, caller: &Caller, year: i32, id: i64) -> Result<Assessment, ApiError> {
    let appt = appointments::find(c, id)?;
    let allowed = caller.role == Role::Admin
        || caller.has_scope("members:read")
        || access::member_person(caller) == Some(appt.person_id)
        || access::contact_unit(caller) == Some(appt.unit_id);
    if !allowed {
        return Err(ApiError::forbidden("this assessment is outside your scope"));
    }
    Ok(Assessment::from(recognition::find_assessment(c, id, year)?))
}

/// R15: records (or corrects) the year's result of an appointment that ran in that year.
pub fn put_assessment(
    c: &mut DbConn,
    caller: &Caller,
    year: i32,
    id: i64,
    result: AssessmentResult,
    comment: &str,
) -> Result<Assessment, ApiError> {
    let appt = appointments::find(c, id)?;
    if appt.status == AppointmentStatus::Pending
        || !assessable(year, appt.starts_on, appt.ended_on.unwrap_or(appt.ends_on))
    {
        return Err(ApiError::unprocessable(
            Code::NotAssessable,
            format!("R15: appointment {id} was not active in {year}"),
        ));
    }
    let now = Utc::now().naive_utc();
    let existing = recognition::assessment(c, id, year)?;
    let write = AssessmentWrite {
        appointment_id: id,
        year,
        result,
        comment: comment.trim(),
        assessed_by: &caller.subject,
        at: now,
    };
    recognition::put_assessment(c, existing.as_ref().map(|e| e.id), &write)?;
    audit::record(
        c,
        caller,
        Change {
            action: if existing.is_some() {
                AuditAction::Update
            } else {
                AuditAction::Create
            },
            entity: "assessment",
            entity_id: id,
            before: existing
                .as_ref()
                .and_then(|e| snapshot(&json!({"result": e.result, "comment": e.comment}))),
            after: snapshot(&json!({"year": year, "result": result, "comment": comment})),
            reason: None,
        },
    )?;
    Ok(Assessment {
        appointment_id: id,
        year,
        result,
        result_label: result.label_zh().into(),
        comment: comment.trim().into(),
        assessed_by: caller.subject.clone(),
        updated_at: now,
    })
}

/// 一项表彰（褒奖，R16），附荣誉证书。A commendation (褒奖, R16), with its 荣誉证书.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Commendation {
    /// 表彰编号。The commendation's id.
    pub id: i64,
    /// 表彰年度。The year commended.
    pub year: i32,
    /// 受表彰的成员（表彰单位时为空）。The member commended (none for a unit).
    pub person_id: Option<i64>,
    /// 受表彰的单位（表彰成员时为空）。The unit commended (none for a member).
    pub unit_id: Option<i64>,
    /// 表彰事由。The citation.
    pub citation: String,
    /// 登记人。Who recorded it.
    pub created_by: String,
    /// 登记时间（UTC）。When it was recorded (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

impl From<CommendationRow> for Commendation {
    fn from(r: CommendationRow) -> Self {
        Self {
            id: r.id,
            year: r.year,
            person_id: r.person_id,
            unit_id: r.unit_id,
            citation: r.citation,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

pub fn commendations(c: &mut DbConn, w: Window) -> Result<Page<Commendation>, ApiError> {
    Ok(recognition::commendations(c, w)?.map(Commendation::from))
}

/// Who is commended: exactly one of a person and a unit (checked already).
pub enum Recipient {
    Person(i64),
    Unit(i64),
}

/// R16: commends a member or a unit (褒奖) and has its 荣誉证书 issued and sent.
pub fn commend(
    c: &mut DbConn,
    caller: &Caller,
    year: i32,
    recipient: Recipient,
    citation: &str,
) -> Result<Commendation, ApiError> {
    let (name, email, unit_name, person_id, unit_id) = match recipient {
        Recipient::Person(p) => {
            let (name, email, unit) = people::with_unit_name(c, p)?.ok_or_else(|| {
                ApiError::validation(vec![FieldError::new(
                    "person_id",
                    Code::UnknownPerson,
                    "no such person",
                )])
            })?;
            (name, email, unit, Some(p), None)
        }
        Recipient::Unit(u) => {
            let unit = units::find(c, u).map_err(|_| {
                ApiError::validation(vec![FieldError::new("unit_id", Code::UnknownUnit, "no such unit")])
            })?;
            (unit.name.clone(), unit.contact_email, unit.name, None, Some(u))
        }
    };
    let row = recognition::insert_commendation(
        c,
        &NewCommendationRow {
            year,
            person_id,
            unit_id,
            citation: citation.trim(),
            created_by: &caller.subject,
            created_at: Utc::now().naive_utc(),
        },
    )?;
    let out = Commendation::from(row);
    audit::created(c, caller, "commendation", out.id, &out)?;
    let event = ToDocuments::CertificateIssue(CertificateIssue::CommendationCertificate {
        commendation: CommendationFacts {
            commendation_id: out.id,
            year: out.year,
            recipient_name: name,
            recipient_email: email,
            unit_name,
            citation: out.citation.clone(),
            person_id: out.person_id,
            unit_id: out.unit_id,
        },
    });
    service_kit::outbox::enqueue_event(c, &event)?;
    Ok(out)
}
