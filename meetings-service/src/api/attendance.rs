//! Attendance (R18) and the two-absences rule (R13):
//! `PUT /activities/{id}/attendance/{appointment_id}`, `GET /activities/{id}/attendance`,
//! `GET /attendance?person=&year=`.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::clock::today;
use service_kit::json::Json;
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Code, Db, DbConn, FieldError, OutboxWaker, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use super::activities::find as find_activity;
use crate::db::models::{AbsenceCaseRow, AttendanceRow, CorrectionRow, InviteeRow};
use crate::db::schema::{absence_cases, activities, attendance, attendance_corrections, invitees};
use crate::domain::absence::{AppointmentSpan, AttendanceFact, counted_absences};
use crate::domain::attendance::{self as rule, AttendanceStatus, Recorded, Recording};
use crate::members;
use crate::rules;
use crate::settings::MeetingsConfig;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "excused", "reason": "出差（请假条已交秘书处）", "correction_reason": "会后补交请假条"}))]
pub struct AttendanceInput {
    pub status: AttendanceStatus,
    /// 请假事由: required for `excused`, absent otherwise.
    pub reason: Option<String>,
    /// Required when attendance is already recorded and this changes it (audited).
    pub correction_reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Correction {
    pub before_status: String,
    pub before_reason: Option<String>,
    pub after_status: String,
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
    pub status: Option<String>,
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

fn view(i: &InviteeRow, a: Option<&AttendanceRow>, corrections: Vec<Correction>) -> Attendance {
    Attendance {
        activity_id: i.activity_id,
        appointment_id: i.appointment_id,
        person_id: i.person_id,
        person_name: i.person_name.clone(),
        unit_name: i.unit_name.clone(),
        post_label: i.post_label.clone(),
        status: a.map(|a| a.status.clone()),
        status_label: a
            .and_then(|a| AttendanceStatus::parse(&a.status))
            .map(|s| s.label_zh().to_owned()),
        reason: a.and_then(|a| a.reason.clone()),
        recorded_by: a.map(|a| a.recorded_by.clone()),
        recorded_at: a.map(|a| a.recorded_at),
        updated_at: a.map(|a| a.updated_at),
        corrections,
    }
}

fn invitee(c: &mut DbConn, activity_id: i64, appointment_id: i64) -> Result<InviteeRow, ApiError> {
    invitees::table
        .filter(invitees::activity_id.eq(activity_id))
        .filter(invitees::appointment_id.eq(appointment_id))
        .select(InviteeRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "appointment {appointment_id} is not an invitee of activity {activity_id}"
            ))
        })
}

fn record_of(c: &mut DbConn, activity_id: i64, appointment_id: i64) -> Result<Option<AttendanceRow>, ApiError> {
    Ok(attendance::table
        .filter(attendance::activity_id.eq(activity_id))
        .filter(attendance::appointment_id.eq(appointment_id))
        .select(AttendanceRow::as_select())
        .first(c)
        .optional()?)
}

fn corrections_of(c: &mut DbConn, attendance_ids: &[i64]) -> Result<Vec<CorrectionRow>, ApiError> {
    Ok(attendance_corrections::table
        .filter(attendance_corrections::attendance_id.eq_any(attendance_ids))
        .order(attendance_corrections::id)
        .select(CorrectionRow::as_select())
        .load(c)?)
}

fn check_open_for_attendance(a: &crate::db::models::ActivityRow) -> Result<(), ApiError> {
    if a.status == "cancelled" {
        return Err(ApiError::conflict(
            Code::ActivityCancelled,
            format!("activity {} is cancelled; it has no attendance", a.id),
        ));
    }
    if a.held_on > today() {
        return Err(ApiError::conflict(
            Code::ActivityNotHeldYet,
            format!(
                "activity {} is on {}; attendance is recorded from that day",
                a.id, a.held_on
            ),
        ));
    }
    Ok(())
}

/// Record an invitee's attendance: present, excused (with the reason) or absent (R18). A change
/// of an existing record is a correction: it needs `correction_reason` and is audited. The second
/// unexcused absence in a work year opens a dismissal case in members-service; a correction that
/// brings the count below two withdraws it (R13), both by events written with the change.
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
    let (id, appointment_id) = path.into_inner();
    access::manage_some(&caller)?;
    let input = body_in.into_inner();
    let a = db.run(move |c| find_activity(c, id)).await?;
    access::manage(&caller, a.body_id)?;
    check_open_for_attendance(&a)?;
    db.run(move |c| invitee(c, id, appointment_id)).await?;
    // The appointment may have ended since the invitation; its current dates decide whether an
    // absence counts (R13). When members-service cannot say, the invitation's snapshot does.
    let span: Option<AppointmentSpan> = match members::appointment(&peers, appointment_id).await {
        Ok(f) => f.as_ref().map(members::span),
        Err(e) => {
            tracing::warn!(appointment_id, error = %e, "members-service unreachable; R13 uses the invitation's dates");
            None
        }
    };
    let work_year = config.work_year;
    let subject = caller.subject.clone();
    let (created, emitted, out) = db
        .write(move |c| {
            rules::lock_appointment(c, appointment_id)?;
            let a = find_activity(c, id)?;
            check_open_for_attendance(&a)?;
            let inv = invitee(c, id, appointment_id)?;
            let existing = record_of(c, id, appointment_id)?;
            let current = existing.as_ref().map(|r| Recorded {
                status: AttendanceStatus::parse(&r.status).unwrap_or(AttendanceStatus::Present),
                reason: r.reason.clone(),
            });
            let recording = rule::record(
                current.as_ref(),
                input.status,
                input.reason.as_deref(),
                input.correction_reason.as_deref(),
            )
            .map_err(|errs| {
                ApiError::validation(
                    errs.into_iter()
                        .map(|e| FieldError::new(e.field, e.code, e.message))
                        .collect(),
                )
            })?;
            let now = Utc::now().naive_utc();
            let (created, why) = match &recording {
                Recording::Unchanged(_) => (false, None),
                Recording::First(r) => {
                    diesel::insert_into(attendance::table)
                        .values((
                            attendance::activity_id.eq(id),
                            attendance::appointment_id.eq(appointment_id),
                            attendance::status.eq(r.status.as_str()),
                            attendance::reason.eq(&r.reason),
                            attendance::recorded_by.eq(&subject),
                            attendance::recorded_at.eq(now),
                            attendance::updated_at.eq(now),
                        ))
                        .execute(c)?;
                    (true, Some("出勤记录".to_owned()))
                }
                Recording::Correction { before, after, why } => {
                    let row = existing
                        .as_ref()
                        .ok_or_else(|| ApiError::internal("correction without a record"))?;
                    diesel::update(attendance::table.find(row.id))
                        .set((
                            attendance::status.eq(after.status.as_str()),
                            attendance::reason.eq(&after.reason),
                            attendance::updated_at.eq(now),
                        ))
                        .execute(c)?;
                    diesel::insert_into(attendance_corrections::table)
                        .values((
                            attendance_corrections::attendance_id.eq(row.id),
                            attendance_corrections::before_status.eq(before.status.as_str()),
                            attendance_corrections::before_reason.eq(&before.reason),
                            attendance_corrections::after_status.eq(after.status.as_str()),
                            attendance_corrections::after_reason.eq(&after.reason),
                            attendance_corrections::why.eq(why),
                            attendance_corrections::corrected_by.eq(&subject),
                            attendance_corrections::corrected_at.eq(now),
                        ))
                        .execute(c)?;
                    (false, Some(format!("出勤记录更正：{why}")))
                }
            };
            let mut emitted = false;
            if let Some(why) = why {
                if a.status == "scheduled" {
                    diesel::update(activities::table.find(id))
                        .set((activities::status.eq("held"), activities::updated_at.eq(now)))
                        .execute(c)?;
                }
                emitted = rules::reevaluate(c, appointment_id, span, work_year, &why)?.emitted();
            }
            let row = record_of(c, id, appointment_id)?;
            let corrections = match &row {
                Some(r) => corrections_of(c, &[r.id])?.into_iter().map(Correction::from).collect(),
                None => Vec::new(),
            };
            Ok((created, emitted, view(&inv, row.as_ref(), corrections)))
        })
        .await?;
    if emitted {
        waker.wake();
    }
    Ok(if created {
        HttpResponse::Created().json(out)
    } else {
        HttpResponse::Ok().json(out)
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
    let id = id.into_inner();
    let out = db
        .run(move |c| {
            find_activity(c, id)?;
            let list = super::activities::invitees_of(c, id)?;
            let records: Vec<AttendanceRow> = attendance::table
                .filter(attendance::activity_id.eq(id))
                .select(AttendanceRow::as_select())
                .load(c)?;
            let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
            let mut corrections: BTreeMap<i64, Vec<Correction>> = BTreeMap::new();
            for r in corrections_of(c, &ids)? {
                corrections.entry(r.attendance_id).or_default().push(r.into());
            }
            Ok(list
                .iter()
                .map(|i| {
                    let rec = records.iter().find(|r| r.appointment_id == i.appointment_id);
                    let corr = rec.and_then(|r| corrections.remove(&r.id)).unwrap_or_default();
                    view(i, rec, corr)
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
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
    pub kind: String,
    pub held_on: NaiveDate,
    pub activity_status: String,
    pub work_year: i32,
    pub appointment_id: i64,
    pub post_label: String,
    /// present, excused or absent; null while not recorded.
    pub status: Option<String>,
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

type PersonRow = (InviteeRow, (i64, String, String, String, NaiveDate, String));

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
        super::activities::work_year_bounds(config.work_year, y)?;
    }
    let only_body = if caller.role == service_kit::Role::GroupSecretary {
        Some(access::secretary_group(&caller).unwrap_or(-1))
    } else {
        None
    };
    let person_id = q.person;
    let (rows, records, cases): (Vec<PersonRow>, Vec<AttendanceRow>, Vec<AbsenceCaseRow>) = db
        .run(move |c| {
            let mut query = invitees::table
                .inner_join(activities::table)
                .filter(invitees::person_id.eq(person_id))
                .order((activities::held_on, activities::id))
                .select((
                    InviteeRow::as_select(),
                    (
                        activities::body_id,
                        activities::body_name,
                        activities::title,
                        activities::kind,
                        activities::held_on,
                        activities::status,
                    ),
                ))
                .into_boxed();
            if let Some(b) = only_body {
                query = query.filter(activities::body_id.eq(b));
            }
            let rows: Vec<PersonRow> = query.load(c)?;
            let appointment_ids: Vec<i64> = rows.iter().map(|(i, _)| i.appointment_id).collect();
            let records: Vec<AttendanceRow> = attendance::table
                .filter(attendance::appointment_id.eq_any(&appointment_ids))
                .select(AttendanceRow::as_select())
                .load(c)?;
            let cases: Vec<AbsenceCaseRow> = absence_cases::table
                .filter(absence_cases::appointment_id.eq_any(&appointment_ids))
                .filter(absence_cases::status.eq("open"))
                .select(AbsenceCaseRow::as_select())
                .load(c)?;
            Ok((rows, records, cases))
        })
        .await?;
    let ws = config.work_year;
    let person_name = rows.last().map(|(i, _)| i.person_name.clone());
    // R13 per appointment: what counts.
    let mut counted: BTreeMap<(i64, i64), bool> = BTreeMap::new();
    let mut by_appointment: BTreeMap<i64, (AppointmentSpan, Vec<AttendanceFact>)> = BTreeMap::new();
    for (i, (_, _, title, _, held_on, status)) in &rows {
        let entry = by_appointment.entry(i.appointment_id).or_insert_with(|| {
            (
                AppointmentSpan {
                    starts_on: i.appointment_starts_on,
                    ends_on: i.appointment_ends_on,
                    ended_on: i.appointment_ended_on,
                },
                Vec::new(),
            )
        });
        if let Some(r) = records
            .iter()
            .find(|r| r.activity_id == i.activity_id && r.appointment_id == i.appointment_id)
            && let Some(s) = AttendanceStatus::parse(&r.status)
        {
            entry.1.push(AttendanceFact {
                activity_id: i.activity_id,
                held_on: *held_on,
                title: title.clone(),
                activity_cancelled: status == "cancelled",
                status: s,
            });
        }
    }
    for (appointment_id, (span, facts)) in &by_appointment {
        for list in counted_absences(span, facts, ws).values() {
            for a in list {
                counted.insert((*appointment_id, a.activity_id), true);
            }
        }
    }
    let mut years: BTreeMap<(i32, i64), YearCount> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, (body_id, body_name, title, kind, held_on, activity_status)) in rows {
        let work_year = ws.work_year_of(held_on);
        if q.year.is_some_and(|y| y != work_year) {
            continue;
        }
        let rec = records
            .iter()
            .find(|r| r.activity_id == i.activity_id && r.appointment_id == i.appointment_id);
        let counts = counted.contains_key(&(i.appointment_id, i.activity_id));
        let y = years.entry((work_year, i.appointment_id)).or_insert_with(|| YearCount {
            work_year,
            appointment_id: i.appointment_id,
            body_id,
            body_name: body_name.clone(),
            unexcused_absences: 0,
            excused: 0,
            present: 0,
            case_open: cases
                .iter()
                .any(|c| c.appointment_id == i.appointment_id && c.work_year == work_year),
        });
        if activity_status != "cancelled" {
            match rec.and_then(|r| AttendanceStatus::parse(&r.status)) {
                Some(AttendanceStatus::Present) => y.present += 1,
                Some(AttendanceStatus::Excused) => y.excused += 1,
                Some(AttendanceStatus::Absent) if counts => y.unexcused_absences += 1,
                _ => {}
            }
        }
        out.push(PersonRecord {
            activity_id: i.activity_id,
            body_id,
            body_name,
            title,
            kind,
            held_on,
            activity_status,
            work_year,
            appointment_id: i.appointment_id,
            post_label: i.post_label,
            status: rec.map(|r| r.status.clone()),
            status_label: rec
                .and_then(|r| AttendanceStatus::parse(&r.status))
                .map(|s| s.label_zh().to_owned()),
            reason: rec.and_then(|r| r.reason.clone()),
            counts,
        });
    }
    Ok(HttpResponse::Ok().json(PersonAttendance {
        person_id,
        person_name,
        years: years.into_values().collect(),
        records: out,
    }))
}
