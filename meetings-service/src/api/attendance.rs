//! Attendance (R18) and the two-absences rule (R13):
//! `PUT /activities/{id}/attendance/{appointment_id}`, `GET /activities/{id}/attendance`,
//! `GET /attendance?person=&year=`.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use service_kit::json::Json;
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Db, OutboxWaker, Problem};
use utoipa::{IntoParams, ToSchema};

use super::{access, work_year_bounds};
use crate::app::Ctx;
use crate::app::attendance::{self as app, InviteeAttendance, PersonHistory};
use crate::db::models::{ActivityRow, CorrectionRow};
use crate::domain::absence::{AppointmentSpan, AttendanceFact, counted_by_appointment};
use crate::domain::activities::{ActivityKind, ActivityStatus};
pub use crate::domain::attendance::AttendanceInput;
use crate::domain::attendance::AttendanceStatus;
use crate::domain::work_year::WorkYearStart;
use crate::settings::MeetingsConfig;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Correction {
    pub before_status: AttendanceStatus,
    pub before_reason: Option<String>,
    pub after_status: AttendanceStatus,
    pub after_reason: Option<String>,
    pub why: String,
    pub corrected_by: String,
    #[serde(with = "service_kit::utc")]
    pub corrected_at: NaiveDateTime,
}

impl From<CorrectionRow> for Correction {
    fn from(r: CorrectionRow) -> Self {
        Self {
            before_status: r.before_status,
            before_reason: r.before_reason,
            after_status: r.after_status,
            after_reason: r.after_reason,
            why: r.why,
            corrected_by: r.corrected_by,
            corrected_at: r.corrected_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"activity_id": 3, "appointment_id": 12, "person_id": 7, "person_name": "张伟",
    "unit_name": "天津市机电工艺技师学院", "post_label": "委员", "status": "absent", "status_label": "缺席", "reason": null,
    "recorded_by": "account:5", "recorded_at": "2026-12-10T06:00:00.000Z", "updated_at": "2026-12-10T06:00:00.000Z", "corrections": []}))]
pub struct Attendance {
    pub activity_id: i64,
    pub appointment_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub unit_name: String,
    pub post_label: String,
    /// present, excused or absent; null while not recorded.
    pub status: Option<AttendanceStatus>,
    pub status_label: Option<String>,
    pub reason: Option<String>,
    pub recorded_by: Option<String>,
    #[serde(with = "service_kit::utc::option")]
    pub recorded_at: Option<NaiveDateTime>,
    #[serde(with = "service_kit::utc::option")]
    pub updated_at: Option<NaiveDateTime>,
    /// Every correction, oldest first: who, when, before, after, why (R18).
    pub corrections: Vec<Correction>,
}

fn view(a: InviteeAttendance) -> Attendance {
    let (i, r) = (a.invitee, a.record);
    Attendance {
        activity_id: i.activity_id,
        appointment_id: i.appointment_id,
        person_id: i.person_id,
        person_name: i.person_name,
        unit_name: i.unit_name,
        post_label: i.post_label,
        status: r.as_ref().map(|r| r.status),
        status_label: r.as_ref().map(|r| r.status.label_zh().to_owned()),
        reason: r.as_ref().and_then(|r| r.reason.clone()),
        recorded_by: r.as_ref().map(|r| r.recorded_by.clone()),
        recorded_at: r.as_ref().map(|r| r.recorded_at),
        updated_at: r.as_ref().map(|r| r.updated_at),
        corrections: a.corrections.into_iter().map(Correction::from).collect(),
    }
}

/// Record an invitee's attendance: present, excused (with the reason) or absent (R18). A change
/// of an existing record is a correction: it needs `correction_reason` and is audited. The second
/// unexcused absence in a work year opens a dismissal case in members-service; a correction that
/// brings the count below two withdraws it (R13), both by events written with the change. A
/// first record of `absent` for an invitee who asked for leave from the notice (请假 on the reply
/// page) is stored as `excused` with their reason (R18).
#[utoipa::path(put, path = "/api/v1/meetings/activities/{id}/attendance/{appointment_id}", tag = "attendance",
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    params(("id" = i64, Path), ("appointment_id" = i64, Path)), request_body = AttendanceInput,
    responses((status = 201, description = "First record", body = Attendance),
        (status = 200, description = "Corrected, or unchanged", body = Attendance),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or not an invitee", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cancelled (`activity_cancelled`) or not held yet (`activity_not_held_yet`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "R18: an excuse without reason, a correction without reason", body = Problem, content_type = "application/problem+json")))]
pub async fn put(
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body_in: Json<AttendanceInput>,
    db: web::Data<Db>,
    peers: web::Data<Peers>,
    config: web::Data<MeetingsConfig>,
    waker: web::Data<OutboxWaker>,
) -> Result<HttpResponse, ApiError> {
    let ids = path.into_inner();
    access::manage_some(&caller)?;
    let cx = Ctx {
        db: &db,
        peers: &peers,
        waker: &waker,
        work_year: config.work_year,
    };
    let authorize = |a: &ActivityRow| access::manage(&caller, a.body_id);
    let out = app::record(cx, ids, authorize, caller.subject.clone(), body_in.into_inner()).await?;
    let view = view(out.attendance);
    Ok(if out.created {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// Every invitee of an activity with their attendance (null while not recorded) and its corrections.
#[utoipa::path(get, path = "/api/v1/meetings/activities/{id}/attendance", tag = "attendance", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    responses((status = 200, body = [Attendance]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_for_activity(
    caller: Caller,
    id: web::Path<i64>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::read(&caller)?;
    let list = app::of_activity(&db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(list.into_iter().map(view).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// The person's id in members-service.
    pub person: i64,
    /// Work year (工作年度); all years when absent.
    #[param(minimum = 1900, maximum = 2200)]
    pub year: Option<i32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonRecord {
    pub activity_id: i64,
    pub body_id: i64,
    pub body_name: String,
    pub title: String,
    pub kind: ActivityKind,
    pub held_on: NaiveDate,
    pub activity_status: ActivityStatus,
    pub work_year: i32,
    pub appointment_id: i64,
    pub post_label: String,
    /// present, excused or absent; null while not recorded.
    pub status: Option<AttendanceStatus>,
    pub status_label: Option<String>,
    pub reason: Option<String>,
    /// Whether this record counts as an unexcused absence under R13.
    pub counts: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct YearCount {
    pub work_year: i32,
    pub appointment_id: i64,
    pub body_id: i64,
    pub body_name: String,
    /// Unexcused absences that count (R13: two open a dismissal case).
    pub unexcused_absences: i64,
    pub excused: i64,
    pub present: i64,
    /// Whether this service has a dismissal case open for it.
    pub case_open: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"person_id": 7, "person_name": "张伟", "years": [{"work_year": 2026, "appointment_id": 12, "body_id": 4,
    "body_name": "数控技术专业建设协作组", "unexcused_absences": 2, "excused": 0, "present": 1, "case_open": true}], "records": []}))]
pub struct PersonAttendance {
    pub person_id: i64,
    pub person_name: Option<String>,
    /// Per work year and appointment (R13 counts per body's appointment).
    pub years: Vec<YearCount>,
    pub records: Vec<PersonRecord>,
}

/// A person's attendance record and count of unexcused absences per work year (R13).
#[utoipa::path(get, path = "/api/v1/meetings/attendance", tag = "attendance", params(PersonQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "member:own_record", "service:meetings:read"]))),
    responses((status = 200, body = PersonAttendance),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn person(
    caller: Caller,
    q: web::Query<PersonQuery>,
    db: web::Data<Db>,
    config: web::Data<MeetingsConfig>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    access::read_person(&caller, q.person)?;
    if let Some(y) = q.year {
        work_year_bounds(config.work_year, y)?;
    }
    let only_body = if caller.role == service_kit::Role::GroupSecretary {
        Some(access::secretary_group(&caller).unwrap_or(-1))
    } else {
        None
    };
    let history = app::person_history(&db, q.person, only_body).await?;
    Ok(HttpResponse::Ok().json(person_view(history, config.work_year, q.person, q.year)))
}

/// R13 per appointment: the (appointment, activity) of every absence that counts.
fn counted(h: &PersonHistory, ws: WorkYearStart) -> BTreeSet<(i64, i64)> {
    let mut by_appointment: BTreeMap<i64, (AppointmentSpan, Vec<AttendanceFact>)> = BTreeMap::new();
    for (i, a) in &h.invitations {
        let entry = by_appointment.entry(i.appointment_id).or_insert_with(|| {
            let span = AppointmentSpan {
                starts_on: i.appointment_starts_on,
                ends_on: i.appointment_ends_on,
                ended_on: i.appointment_ended_on,
            };
            (span, Vec::new())
        });
        if let Some(r) = h
            .records
            .iter()
            .find(|r| r.activity_id == i.activity_id && r.appointment_id == i.appointment_id)
        {
            entry.1.push(AttendanceFact {
                activity_id: i.activity_id,
                held_on: a.held_on,
                title: a.title.clone(),
                activity_cancelled: a.status == ActivityStatus::Cancelled,
                status: r.status,
            });
        }
    }
    counted_by_appointment(by_appointment.iter().map(|(id, (s, f))| (*id, s, f.as_slice())), ws)
}

fn person_view(h: PersonHistory, ws: WorkYearStart, person_id: i64, year: Option<i32>) -> PersonAttendance {
    let counted = counted(&h, ws);
    let person_name = h.invitations.last().map(|(i, _)| i.person_name.clone());
    let mut years: BTreeMap<(i32, i64), YearCount> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, a) in h.invitations {
        let work_year = ws.work_year_of(a.held_on);
        if year.is_some_and(|y| y != work_year) {
            continue;
        }
        let rec = h
            .records
            .iter()
            .find(|r| r.activity_id == i.activity_id && r.appointment_id == i.appointment_id);
        let counts = counted.contains(&(i.appointment_id, i.activity_id));
        let y = years.entry((work_year, i.appointment_id)).or_insert_with(|| YearCount {
            work_year,
            appointment_id: i.appointment_id,
            body_id: a.body_id,
            body_name: a.body_name.clone(),
            unexcused_absences: 0,
            excused: 0,
            present: 0,
            case_open: h
                .open_cases
                .iter()
                .any(|c| c.appointment_id == i.appointment_id && c.work_year == work_year),
        });
        if a.status != ActivityStatus::Cancelled {
            match rec.map(|r| r.status) {
                Some(AttendanceStatus::Present) => y.present += 1,
                Some(AttendanceStatus::Excused) => y.excused += 1,
                Some(AttendanceStatus::Absent) if counts => y.unexcused_absences += 1,
                _ => {}
            }
        }
        out.push(PersonRecord {
            activity_id: i.activity_id,
            body_id: a.body_id,
            body_name: a.body_name,
            title: a.title,
            kind: a.kind,
            held_on: a.held_on,
            activity_status: a.status,
            work_year,
            appointment_id: i.appointment_id,
            post_label: i.post_label,
            status: rec.map(|r| r.status),
            status_label: rec.map(|r| r.status.label_zh().to_owned()),
            reason: rec.and_then(|r| r.reason.clone()),
            counts,
        });
    }
    PersonAttendance {
        person_id,
        person_name,
        years: years.into_values().collect(),
        records: out,
    }
}
