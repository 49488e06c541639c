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

/// 出席情况的一次更正（留痕审计，R18）。One correction of an attendance record (audited, R18).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Correction {
    /// 更正前的出席情况。The status before.
    pub before_status: AttendanceStatus,
    /// 更正前的请假事由。The excuse before.
    pub before_reason: Option<String>,
    /// 更正后的出席情况。The status after.
    pub after_status: AttendanceStatus,
    /// 更正后的请假事由。The excuse after.
    pub after_reason: Option<String>,
    /// 更正原因。Why it was corrected.
    pub why: String,
    /// 更正者账号。The account that corrected it.
    pub corrected_by: String,
    /// 更正时间（UTC）。When it was corrected (UTC).
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

/// 一位受邀人员在一次活动中的出席情况（R18）。An invitee's attendance at one activity (R18).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"activity_id": 3, "appointment_id": 12, "person_id": 7, "person_name": "张伟",
    "unit_name": "天津市机电工艺技师学院", "post_label": "委员", "status": "absent", "status_label": "缺席", "reason": null,
    "recorded_by": "account:5", "recorded_at": "2026-12-10T06:00:00.000Z", "updated_at": "2026-12-10T06:00:00.000Z", "corrections": []}))]
pub struct Attendance {
    /// 活动编号。The activity's id.
    pub activity_id: i64,
    /// 聘任记录编号（members-service）。The appointment's id (members-service).
    pub appointment_id: i64,
    /// 人员编号。The person's id.
    pub person_id: i64,
    /// 姓名。The person's name.
    pub person_name: String,
    /// 所在单位名称。The unit's name.
    pub unit_name: String,
    /// 职务的中文名称。The post's Chinese label.
    pub post_label: String,
    /// 出席、请假或缺席；尚未登记时为 null。present, excused or absent; null while not recorded.
    pub status: Option<AttendanceStatus>,
    /// 出席情况的中文名称。The status's Chinese label.
    pub status_label: Option<String>,
    /// 请假事由（仅请假时）。The excuse (excused only).
    pub reason: Option<String>,
    /// 登记者账号。The account that recorded it.
    pub recorded_by: Option<String>,
    /// 首次登记时间（UTC）。When it was first recorded (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub recorded_at: Option<NaiveDateTime>,
    /// 最后修改时间（UTC）。When it was last changed (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub updated_at: Option<NaiveDateTime>,
    /// 全部更正记录，从早到晚：更正者、时间、更正前后、原因（R18）。Every correction, oldest first: who, when, before, after, why (R18).
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

/// 登记出席情况 · Record an invitee's attendance.
///
/// 登记受邀人员的出席情况：出席、请假（须写明事由）或缺席（R18）。更改已有记录即为更正，须提供 `correction_reason`，并留痕审计。一个工作年度内第二次无故缺席时，在 members-service 自动立案解聘（R13）；更正后缺席次数低于两次的，撤回该案件；两者均通过与更改一并写入的事件完成。受邀人员已在会议通知的回执页面请假的，首次登记为“缺席”时按“请假”保存并带上其请假事由（R18）。活动已取消（`activity_cancelled`）或尚未举行（`activity_not_held_yet`）时返回 409；请假未写事由、更正未写原因时返回 422。
///
/// Record an invitee's attendance: present, excused (with the reason) or absent (R18). A change
/// of an existing record is a correction: it needs `correction_reason` and is audited. The second
/// unexcused absence in a work year opens a dismissal case in members-service; a correction that
/// brings the count below two withdraws it (R13), both by events written with the change. A
/// first record of `absent` for an invitee who asked for leave from the notice (请假 on the reply
/// page) is stored as `excused` with their reason (R18).
#[utoipa::path(put, path = "/api/v1/meetings/activities/{id}/attendance/{appointment_id}", tag = "attendance",
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    params(("id" = i64, Path), ("appointment_id" = i64, Path)), request_body = AttendanceInput,
    responses((status = 201, description = "首次登记 · First record", body = Attendance),
        (status = 200, description = "已更正，或与原记录相同未作更改 · Corrected, or unchanged", body = Attendance),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "没有该活动，或该人员不是受邀人员 · No such activity, or not an invitee", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "活动已取消（`activity_cancelled`）或尚未举行（`activity_not_held_yet`） · Cancelled (`activity_cancelled`) or not held yet (`activity_not_held_yet`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "R18：请假未写事由，或更正未写原因 · R18: an excuse without reason, a correction without reason", body = Problem, content_type = "application/problem+json")))]
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

/// 活动出席情况 · Attendance at an activity.
///
/// 一次活动的全部受邀人员及其出席情况（尚未登记时为 null）和更正记录；活动不存在时返回 404。
///
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

/// 个人出席记录的查询条件。The query of a person's attendance record.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// 人员在 members-service 中的编号。The person's id in members-service.
    pub person: i64,
    /// 工作年度；省略时为全部年度。Work year (工作年度); all years when absent.
    #[param(minimum = 1900, maximum = 2200)]
    pub year: Option<i32>,
}

/// 个人在一次活动中的出席记录。A person's record at one activity.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonRecord {
    /// 活动编号。The activity's id.
    pub activity_id: i64,
    /// 举办机构编号。The body's id.
    pub body_id: i64,
    /// 举办机构名称。The body's name.
    pub body_name: String,
    /// 活动名称。The activity's title.
    pub title: String,
    /// 活动类型。The activity's kind.
    pub kind: ActivityKind,
    /// 举办日期。The date it was held on.
    pub held_on: NaiveDate,
    /// 活动状态（已安排、已举行或已取消）。The activity's status (scheduled, held or cancelled).
    pub activity_status: ActivityStatus,
    /// 所属工作年度。The work year it counts in.
    pub work_year: i32,
    /// 受邀所依据的聘任记录编号。The appointment the invitation was for.
    pub appointment_id: i64,
    /// 职务的中文名称。The post's Chinese label.
    pub post_label: String,
    /// 出席、请假或缺席；尚未登记时为 null。present, excused or absent; null while not recorded.
    pub status: Option<AttendanceStatus>,
    /// 出席情况的中文名称。The status's Chinese label.
    pub status_label: Option<String>,
    /// 请假事由（仅请假时）。The excuse (excused only).
    pub reason: Option<String>,
    /// 该记录是否按 R13 计为一次无故缺席。Whether this record counts as an unexcused absence under R13.
    pub counts: bool,
}

/// 某工作年度、某项聘任的出席次数统计（R13）。The counts of one work year and appointment (R13).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct YearCount {
    /// 工作年度。The work year.
    pub work_year: i32,
    /// 聘任记录编号。The appointment's id.
    pub appointment_id: i64,
    /// 机构编号。The body's id.
    pub body_id: i64,
    /// 机构名称。The body's name.
    pub body_name: String,
    /// 计入的无故缺席次数（R13：达到两次即立案解聘）。Unexcused absences that count (R13: two open a dismissal case).
    pub unexcused_absences: i64,
    /// 请假次数（不计入 R13）。Excused absences (never counted by R13).
    pub excused: i64,
    /// 出席次数。Times present.
    pub present: i64,
    /// 本服务是否已为其立案解聘（案件未结）。Whether this service has a dismissal case open for it.
    pub case_open: bool,
}

/// 个人出席记录及各工作年度的缺席统计（R13）。A person's attendance record and counts per work year (R13).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"person_id": 7, "person_name": "张伟", "years": [{"work_year": 2026, "appointment_id": 12, "body_id": 4,
    "body_name": "数控技术专业建设协作组", "unexcused_absences": 2, "excused": 0, "present": 1, "case_open": true}], "records": []}))]
pub struct PersonAttendance {
    /// 人员编号。The person's id.
    pub person_id: i64,
    /// 姓名（从未受邀时为 null）。The person's name (null when never invited).
    pub person_name: Option<String>,
    /// 按工作年度和聘任分列（R13 按各机构的聘任分别计数）。Per work year and appointment (R13 counts per body's appointment).
    pub years: Vec<YearCount>,
    /// 每次受邀活动的出席记录。The record of every activity they were invited to.
    pub records: Vec<PersonRecord>,
}

/// 个人出席记录 · A person's attendance record.
///
/// 某人的出席记录及各工作年度的无故缺席次数（R13：一个工作年度内无故两次不参加活动的予以解聘；请假不计入）。协作组秘书只能看到本协作组的活动，成员只能查看本人。`year` 超出 1900–2200 时返回 400（`invalid_query`）。
///
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
