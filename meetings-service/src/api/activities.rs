//! Activities of a body (第十二条, 第十三条): `GET/POST /activities`, `GET/PATCH /activities/{id}`,
//! their invitees (`GET /activities/{id}/invitees`, `POST /activities/{id}/invitees:refresh`).
//!
//! Invitees are the body's active appointees on the activity's date, read from members-service
//! when the activity is created, again when its date changes or on refresh while it lies ahead,
//! and never again once attendance is recorded: the record stays true after people leave.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::clock::today;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Code, Db, DbConn, FieldError, OutboxWaker, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::db::models::{ActivityRow, InviteeRow, NewActivityRow, NewInviteeRow};
use crate::db::schema::{activities, annual_documents, attendance, invitees};
use crate::domain::activities::ActivityKind;
use crate::domain::agenda::{self, AgendaItem, AgendaItemKind};
use crate::events;
use crate::members::{self, AppointmentFacts};
use crate::rules;
use crate::settings::MeetingsConfig;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgendaEntry {
    pub kind: AgendaItemKind,
    /// The kind's Chinese label (审议年度工作报告, …).
    pub kind_label: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_report_year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_plan_year: Option<i32>,
}

impl From<AgendaItem> for AgendaEntry {
    fn from(i: AgendaItem) -> Self {
        Self {
            kind: i.kind,
            kind_label: i.kind.label_zh().to_owned(),
            title: i.line(),
            work_report_year: i.work_report_year,
            work_plan_year: i.work_plan_year,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 3, "body_id": 4, "body_name": "数控技术专业建设协作组", "kind": "plenary", "kind_label": "全体会议",
    "title": "数控技术专业建设协作组2026年度全体会议", "held_on": "2026-12-10", "starts_at": "09:00", "place": "天津市机电工艺技师学院报告厅",
    "description": "", "agenda": [{"kind": "work_report_review", "kind_label": "审议年度工作报告", "title": "审议2026年度工作报告", "work_report_year": 2026}],
    "reply_by": "2026-12-01", "contact_name": "王芳", "contact_phone": "022-12345678", "send_notices": true,
    "status": "scheduled", "status_label": "已安排", "work_year": 2026, "cancelled_at": null, "cancel_reason": null,
    "created_by": "account:1", "created_at": "2026-11-24T08:00:00.000Z", "updated_at": "2026-11-24T08:00:00.000Z"}))]
pub struct Activity {
    pub id: i64,
    pub body_id: i64,
    pub body_name: String,
    pub kind: ActivityKind,
    pub kind_label: String,
    pub title: String,
    pub held_on: NaiveDate,
    /// `HH:MM`, China Standard Time.
    pub starts_at: Option<String>,
    pub place: String,
    pub description: String,
    /// 议程 (R19).
    pub agenda: Vec<AgendaEntry>,
    /// 回执截止日期.
    pub reply_by: Option<NaiveDate>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Whether invitees were sent the 会议通知 through documents-service.
    pub send_notices: bool,
    /// scheduled, held (attendance recorded) or cancelled.
    pub status: String,
    pub status_label: String,
    /// The work year (工作年度) it counts in (R13).
    pub work_year: i32,
    #[serde(with = "service_kit::utc::option")]
    pub cancelled_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<String>,
    pub created_by: String,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "service_kit::utc")]
    pub updated_at: NaiveDateTime,
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "scheduled" => "已安排",
        "held" => "已举行",
        "cancelled" => "已取消",
        _ => "",
    }
}

impl Activity {
    pub fn from_row(r: ActivityRow, config: &MeetingsConfig) -> Result<Self, ApiError> {
        let kind =
            ActivityKind::parse(&r.kind).ok_or_else(|| ApiError::internal(format!("unknown kind {:?}", r.kind)))?;
        let agenda: Vec<AgendaItem> = serde_json::from_str(&r.agenda).map_err(ApiError::internal)?;
        Ok(Self {
            id: r.id,
            body_id: r.body_id,
            body_name: r.body_name,
            kind,
            kind_label: kind.label_zh().to_owned(),
            title: r.title,
            held_on: r.held_on,
            starts_at: r.starts_at,
            place: r.place,
            description: r.description,
            agenda: agenda.into_iter().map(AgendaEntry::from).collect(),
            reply_by: r.reply_by,
            contact_name: r.contact_name,
            contact_phone: r.contact_phone,
            send_notices: r.send_notices,
            status_label: status_label(&r.status).to_owned(),
            status: r.status,
            work_year: config.work_year.work_year_of(r.held_on),
            cancelled_at: r.cancelled_at,
            cancel_reason: r.cancel_reason,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Years a query may name (as declared on the parameters); far years made dates such as
/// `-0651-01-01` (issue 9).
pub const QUERY_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// The first and last day of work year `year`, or 400 `invalid_query` outside [`QUERY_YEARS`].
pub(crate) fn work_year_bounds(
    ws: crate::domain::work_year::WorkYearStart,
    year: i32,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    QUERY_YEARS
        .contains(&year)
        .then(|| ws.bounds(year))
        .flatten()
        .ok_or_else(|| ApiError::bad_request(Code::InvalidQuery, "year must be between 1900 and 2200"))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityFilter {
    pub body_id: Option<i64>,
    pub kind: Option<ActivityKind>,
    /// Work year (工作年度; the calendar year unless configured otherwise).
    #[param(minimum = 1900, maximum = 2200)]
    pub year: Option<i32>,
    /// scheduled, held or cancelled.
    #[param(pattern = "^(scheduled|held|cancelled)$")]
    pub status: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body_id": 4, "kind": "plenary", "title": "数控技术专业建设协作组2026年度全体会议", "held_on": "2026-12-10",
    "starts_at": "09:00", "place": "天津市机电工艺技师学院报告厅",
    "agenda": [{"kind": "work_report_review", "title": "审议2026年度工作报告", "work_report_year": 2026},
               {"kind": "work_plan_publication", "title": "发布2027年度工作计划", "work_plan_year": 2027},
               {"kind": "election", "title": "增补副主任委员选举"}],
    "reply_by": "2026-12-01", "contact_name": "王芳", "contact_phone": "022-12345678", "send_notices": true}))]
pub struct NewActivity {
    pub body_id: i64,
    pub kind: ActivityKind,
    #[schema(max_length = 200, pattern = r"\S")]
    pub title: String,
    pub held_on: NaiveDate,
    /// `HH:MM`.
    #[schema(pattern = r"^\s*(([01]?[0-9]|2[0-3]):[0-5][0-9])?\s*$")]
    pub starts_at: Option<String>,
    #[schema(max_length = 200, pattern = r"\S")]
    pub place: String,
    #[serde(default)]
    pub description: String,
    /// 议程: the R19 kinds belong to plenaries; a work report or plan of the body is attached by year.
    #[serde(default)]
    pub agenda: Vec<AgendaItem>,
    pub reply_by: Option<NaiveDate>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Send every invitee with an e-mail address the 会议通知 (through documents-service).
    #[serde(default)]
    pub send_notices: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusChange {
    Cancelled,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held_on": "2026-12-17", "place": "机械工业教育发展中心第一会议室"}))]
pub struct ActivityUpdate {
    #[schema(max_length = 200, pattern = r"\S")]
    pub title: Option<String>,
    /// Reschedule: only before attendance is recorded; the invitees are read again for the new date.
    pub held_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^\s*(([01]?[0-9]|2[0-3]):[0-5][0-9])?\s*$")]
    pub starts_at: Option<Option<String>>,
    #[schema(max_length = 200, pattern = r"\S")]
    pub place: Option<String>,
    pub description: Option<String>,
    pub agenda: Option<Vec<AgendaItem>>,
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub reply_by: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_phone: Option<Option<String>>,
    /// `cancelled` cancels the activity (with `reason`): it counts no absence (R13).
    pub status: Option<StatusChange>,
    /// Why it is cancelled.
    pub reason: Option<String>,
}

/// What [`update`] asks of an [`ActivityUpdate`] beyond its fields: a cancellation says why
/// (a non-blank `reason`).
pub struct ActivityUpdateConditions;

impl utoipa::Modify for ActivityUpdateConditions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use service_kit::contract::{add_condition, when};
        let reason =
            serde_json::json!({"required": ["reason"], "properties": {"reason": {"type": "string", "pattern": r"\S"}}});
        add_condition(doc, "ActivityUpdate", when("status", &["cancelled"], reason));
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"appointment_id": 12, "person_id": 7, "person_name": "张伟", "person_email": "zw@example.cn",
    "unit_id": 1, "unit_name": "天津市机电工艺技师学院", "post": "member", "post_label": "委员", "attendance": "absent"}))]
pub struct Invitee {
    pub appointment_id: i64,
    pub person_id: i64,
    pub person_name: String,
    /// Shown to the Center and the group's secretary only.
    pub person_email: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub post: String,
    pub post_label: String,
    /// present, excused or absent once recorded.
    pub attendance: Option<String>,
}

const MAX_TEXT: usize = 200;

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

fn opt_text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// R19: the report and plan named in the agenda exist for the body.
fn check_attachments(c: &mut DbConn, body_id: i64, items: &[AgendaItem]) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        for (field, kind, year) in [
            ("work_report_year", "work_report", item.work_report_year),
            ("work_plan_year", "work_plan", item.work_plan_year),
        ] {
            let Some(year) = year else { continue };
            let found: i64 = annual_documents::table
                .filter(annual_documents::body_id.eq(body_id))
                .filter(annual_documents::kind.eq(kind))
                .filter(annual_documents::year.eq(year))
                .count()
                .get_result(c)?;
            if found == 0 {
                errors.push(FieldError::new(
                    format!("agenda[{i}].{field}"),
                    Code::R19DocumentMissing,
                    format!(
                        "body {body_id} has no {kind} for {year}; add it under /bodies/{body_id}/work-{}s first",
                        if kind == "work_plan" { "plan" } else { "report" }
                    ),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

pub fn find(c: &mut DbConn, id: i64) -> Result<ActivityRow, ApiError> {
    activities::table
        .find(id)
        .select(ActivityRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no activity {id}")))
}

pub fn attendance_count(c: &mut DbConn, activity_id: i64) -> Result<i64, ApiError> {
    Ok(attendance::table
        .filter(attendance::activity_id.eq(activity_id))
        .count()
        .get_result(c)?)
}

/// The body's appointees on `on`, as members-service reports them (defensively filtered).
pub async fn fetch_invitees(peers: &Peers, body_id: i64, on: NaiveDate) -> Result<Vec<AppointmentFacts>, ApiError> {
    let mut facts = members::active_on(peers, body_id, on).await?;
    facts.retain(|f| f.body_id == body_id && members::span(f).covers(on));
    facts.sort_by_key(|f| f.appointment_id);
    facts.dedup_by_key(|f| f.appointment_id);
    Ok(facts)
}

/// Replaces the activity's invitees with `facts` (only while no attendance is recorded).
fn store_invitees(c: &mut DbConn, activity_id: i64, facts: &[AppointmentFacts]) -> Result<Vec<InviteeRow>, ApiError> {
    diesel::delete(invitees::table.filter(invitees::activity_id.eq(activity_id))).execute(c)?;
    for f in facts {
        diesel::insert_into(invitees::table)
            .values(&NewInviteeRow {
                activity_id,
                appointment_id: f.appointment_id,
                person_id: f.person_id,
                person_name: f.person_name.clone(),
                person_email: f.person_email.clone(),
                unit_id: f.unit_id,
                unit_name: f.unit_name.clone(),
                post: f.post.clone(),
                post_label: f.post_label.clone(),
                appointment_starts_on: f.starts_on,
                appointment_ends_on: f.ends_on,
                appointment_ended_on: f.ended_on,
            })
            .execute(c)?;
    }
    let now = Utc::now().naive_utc();
    let mut set_name = None;
    if let Some(name) = facts.first().map(|f| f.body_name.clone()) {
        set_name = Some(name);
    }
    diesel::update(activities::table.find(activity_id))
        .set(activities::invitees_fetched_at.eq(Some(now)))
        .execute(c)?;
    if let Some(name) = set_name {
        diesel::update(activities::table.find(activity_id))
            .set(activities::body_name.eq(name))
            .execute(c)?;
    }
    invitees_of(c, activity_id)
}

pub fn invitees_of(c: &mut DbConn, activity_id: i64) -> Result<Vec<InviteeRow>, ApiError> {
    Ok(invitees::table
        .filter(invitees::activity_id.eq(activity_id))
        .order(invitees::appointment_id)
        .select(InviteeRow::as_select())
        .load(c)?)
}

/// One 会议通知 event per invitee with an e-mail address.
fn send_notices(c: &mut DbConn, a: &ActivityRow, list: &[InviteeRow]) -> Result<usize, ApiError> {
    let mut sent = 0;
    for i in list {
        if events::meeting_notice(c, a, i)?.is_some() {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Activities of the alliance's bodies, oldest first; filter by body, kind, work year, status.
#[utoipa::path(get, path = "/api/v1/meetings/activities", tag = "activities", params(ActivityFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    responses((status = 200, body = Page<Activity>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<ActivityFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
    config: web::Data<MeetingsConfig>,
) -> Result<HttpResponse, ApiError> {
    access::read(&caller)?;
    let (limit, after) = (page.limit()?, page.after_id()?);
    let filter = filter.into_inner();
    if let Some(s) = &filter.status
        && !["scheduled", "held", "cancelled"].contains(&s.as_str())
    {
        return Err(ApiError::bad_request(
            Code::InvalidQuery,
            "status is scheduled, held or cancelled",
        ));
    }
    let bounds = match filter.year {
        Some(y) => Some(work_year_bounds(config.work_year, y)?),
        None => None,
    };
    let rows: Vec<ActivityRow> = db
        .run(move |c| {
            let mut q = activities::table
                .filter(activities::id.gt(after))
                .order(activities::id)
                .limit(limit + 1)
                .select(ActivityRow::as_select())
                .into_boxed();
            if let Some(b) = filter.body_id {
                q = q.filter(activities::body_id.eq(b));
            }
            if let Some(k) = filter.kind {
                q = q.filter(activities::kind.eq(k.as_str()));
            }
            if let Some((first, last)) = bounds {
                q = q
                    .filter(activities::held_on.ge(first))
                    .filter(activities::held_on.le(last));
            }
            if let Some(s) = filter.status {
                q = q.filter(activities::status.eq(s));
            }
            Ok(q.load(c)?)
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|r| Activity::from_row(r, &config))
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |a| a.id)))
}

fn by_key(c: &mut DbConn, key: &str) -> Result<Option<ActivityRow>, ApiError> {
    Ok(activities::table
        .filter(activities::idempotency_key.eq(key))
        .select(ActivityRow::as_select())
        .first(c)
        .optional()?)
}

/// Schedule an activity. Its invitees are the body's active appointees on `held_on`, read from
/// members-service now; with `send_notices` each of them with an e-mail address is sent the
/// 会议通知 (an event to documents-service, written with the activity). The same
/// `Idempotency-Key` returns the activity made earlier (200) instead of scheduling another.
#[utoipa::path(post, path = "/api/v1/meetings/activities", tag = "activities", request_body = NewActivity,
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\t ]*[!-~](?:[ -~\t]{0,198}[!-~])?[\t ]*$", description = "the same key returns the same activity")),
    responses((status = 201, body = Activity),
        (status = 200, body = Activity, description = "the activity made earlier with this Idempotency-Key"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an R19 agenda problem", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "members-service cannot be reached (`peer_unavailable`); nothing was created", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    caller: Caller,
    req: HttpRequest,
    body_in: Json<NewActivity>,
    db: web::Data<Db>,
    peers: web::Data<Peers>,
    config: web::Data<MeetingsConfig>,
    waker: web::Data<OutboxWaker>,
) -> Result<HttpResponse, ApiError> {
    let n = body_in.into_inner();
    access::manage(&caller, n.body_id)?;
    let mut errors = Vec::new();
    text_field(&mut errors, "title", &n.title, true);
    text_field(&mut errors, "place", &n.place, true);
    let starts_at = parse_time(&mut errors, n.starts_at.as_deref());
    if n.description.chars().count() > 5000 {
        errors.push(FieldError::new("description", Code::TooLong, "at most 5000 characters"));
    }
    if let Some(r) = n.reply_by
        && r > n.held_on
    {
        errors.push(FieldError::new(
            "reply_by",
            Code::AfterActivity,
            "must be on or before held_on",
        ));
    }
    agenda_errors(n.kind, &n.agenda, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let key = service_kit::idempotency::key(&req)?;
    if let Some(k) = key.clone()
        && let Some(earlier) = db.run(move |c| by_key(c, &k)).await?
    {
        return Ok(HttpResponse::Ok().json(Activity::from_row(earlier, &config)?));
    }
    let facts = fetch_invitees(&peers, n.body_id, n.held_on).await?;
    let subject = caller.subject.clone();
    let (row, notices, fresh) = db
        .write(move |c| {
            // A concurrent request with the same key may have won the race.
            if let Some(k) = &key
                && let Some(earlier) = by_key(c, k)?
            {
                return Ok((earlier, 0, false));
            }
            check_attachments(c, n.body_id, &n.agenda)?;
            let now = Utc::now().naive_utc();
            let row: ActivityRow = diesel::insert_into(activities::table)
                .values(&NewActivityRow {
                    body_id: n.body_id,
                    kind: n.kind.as_str().to_owned(),
                    title: n.title.trim().to_owned(),
                    held_on: n.held_on,
                    place: n.place.trim().to_owned(),
                    description: n.description.trim().to_owned(),
                    status: "scheduled".into(),
                    created_at: now,
                    updated_at: now,
                    body_name: String::new(),
                    starts_at,
                    agenda: serde_json::to_string(&n.agenda).map_err(ApiError::internal)?,
                    reply_by: n.reply_by,
                    contact_name: opt_text(n.contact_name),
                    contact_phone: opt_text(n.contact_phone),
                    send_notices: n.send_notices,
                    created_by: subject,
                    invitees_fetched_at: None,
                    idempotency_key: key,
                })
                .returning(activities::all_columns)
                .get_result(c)?;
            let list = store_invitees(c, row.id, &facts)?;
            let row = find(c, row.id)?;
            let notices = if row.send_notices {
                send_notices(c, &row, &list)?
            } else {
                0
            };
            Ok((row, notices, true))
        })
        .await?;
    if !fresh {
        return Ok(HttpResponse::Ok().json(Activity::from_row(row, &config)?));
    }
    if notices > 0 {
        waker.wake();
    }
    tracing::info!(activity_id = row.id, notices, "activity scheduled");
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/meetings/activities/{}", row.id)))
        .json(Activity::from_row(row, &config)?))
}

/// One activity.
#[utoipa::path(get, path = "/api/v1/meetings/activities/{id}", tag = "activities", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    responses((status = 200, body = Activity), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    caller: Caller,
    id: web::Path<i64>,
    db: web::Data<Db>,
    config: web::Data<MeetingsConfig>,
) -> Result<HttpResponse, ApiError> {
    access::read(&caller)?;
    let id = id.into_inner();
    let row = db.run(move |c| find(c, id)).await?;
    Ok(HttpResponse::Ok().json(Activity::from_row(row, &config)?))
}

/// Change, reschedule (a new `held_on` reads the invitees again; refused once attendance is
/// recorded) or cancel (`"status": "cancelled"` with a `reason`; a cancelled activity counts no
/// absence, so open dismissal cases that depended on it are withdrawn, R13).
#[utoipa::path(patch, path = "/api/v1/meetings/activities/{id}", tag = "activities", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    request_body = ActivityUpdate,
    responses((status = 200, body = Activity),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cancelled already (`activity_cancelled`), or attendance recorded (`attendance_recorded`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<ActivityUpdate>,
    db: web::Data<Db>,
    peers: web::Data<Peers>,
    config: web::Data<MeetingsConfig>,
    waker: web::Data<OutboxWaker>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    access::manage_some(&caller)?;
    let u = body_in.into_inner();
    let current = db.run(move |c| find(c, id)).await?;
    access::manage(&caller, current.body_id)?;
    if current.status == "cancelled" {
        return Err(ApiError::conflict(
            Code::ActivityCancelled,
            format!("activity {id} is cancelled"),
        ));
    }
    let kind = ActivityKind::parse(&current.kind).ok_or_else(|| ApiError::internal("unknown kind"))?;
    let mut errors = Vec::new();
    if let Some(t) = &u.title {
        text_field(&mut errors, "title", t, true);
    }
    if let Some(p) = &u.place {
        text_field(&mut errors, "place", p, true);
    }
    let starts_at = u.starts_at.as_ref().map(|s| parse_time(&mut errors, s.as_deref()));
    if let Some(a) = &u.agenda {
        agenda_errors(kind, a, &mut errors);
    }
    let held_on = u.held_on.unwrap_or(current.held_on);
    let reply_by = u.reply_by.unwrap_or(current.reply_by);
    if let Some(r) = reply_by
        && r > held_on
    {
        errors.push(FieldError::new(
            "reply_by",
            Code::AfterActivity,
            "must be on or before held_on",
        ));
    }
    let cancel_reason = match u.status {
        Some(StatusChange::Cancelled) => match opt_text(u.reason.clone()) {
            Some(r) => Some(r),
            None => {
                errors.push(FieldError::new(
                    "reason",
                    Code::Required,
                    "say why the activity is cancelled",
                ));
                None
            }
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let rescheduled = u.held_on.is_some_and(|d| d != current.held_on) && cancel_reason.is_none();
    let facts = if rescheduled {
        if db.run(move |c| attendance_count(c, id)).await? > 0 {
            return Err(ApiError::conflict(
                Code::AttendanceRecorded,
                "attendance is recorded for this activity; its date can no longer change",
            ));
        }
        Some(fetch_invitees(&peers, current.body_id, held_on).await?)
    } else {
        None
    };
    let work_year = config.work_year;
    let (row, emitted) = db
        .write(move |c| {
            let before = find(c, id)?;
            if before.status == "cancelled" {
                return Err(ApiError::conflict(
                    Code::ActivityCancelled,
                    format!("activity {id} is cancelled"),
                ));
            }
            if let Some(a) = &u.agenda {
                check_attachments(c, before.body_id, a)?;
            }
            let now = Utc::now().naive_utc();
            let mut emitted = false;
            if let Some(t) = &u.title {
                diesel::update(activities::table.find(id))
                    .set(activities::title.eq(t.trim()))
                    .execute(c)?;
            }
            if let Some(p) = &u.place {
                diesel::update(activities::table.find(id))
                    .set(activities::place.eq(p.trim()))
                    .execute(c)?;
            }
            if let Some(d) = &u.description {
                diesel::update(activities::table.find(id))
                    .set(activities::description.eq(d.trim()))
                    .execute(c)?;
            }
            if let Some(s) = starts_at {
                diesel::update(activities::table.find(id))
                    .set(activities::starts_at.eq(s))
                    .execute(c)?;
            }
            if let Some(a) = &u.agenda {
                let json = serde_json::to_string(a).map_err(ApiError::internal)?;
                diesel::update(activities::table.find(id))
                    .set(activities::agenda.eq(json))
                    .execute(c)?;
            }
            if let Some(r) = u.reply_by {
                diesel::update(activities::table.find(id))
                    .set(activities::reply_by.eq(r))
                    .execute(c)?;
            }
            if let Some(n) = u.contact_name.clone() {
                diesel::update(activities::table.find(id))
                    .set(activities::contact_name.eq(opt_text(n)))
                    .execute(c)?;
            }
            if let Some(p) = u.contact_phone.clone() {
                diesel::update(activities::table.find(id))
                    .set(activities::contact_phone.eq(opt_text(p)))
                    .execute(c)?;
            }
            if let Some(facts) = facts {
                if attendance_count(c, id)? > 0 {
                    return Err(ApiError::conflict(
                        Code::AttendanceRecorded,
                        "attendance is recorded for this activity; its date can no longer change",
                    ));
                }
                diesel::update(activities::table.find(id))
                    .set(activities::held_on.eq(held_on))
                    .execute(c)?;
                let list = store_invitees(c, id, &facts)?;
                let row = find(c, id)?;
                if row.send_notices {
                    emitted |= send_notices(c, &row, &list)? > 0;
                }
            }
            if let Some(reason) = &cancel_reason {
                diesel::update(activities::table.find(id))
                    .set((
                        activities::status.eq("cancelled"),
                        activities::cancelled_at.eq(Some(now)),
                        activities::cancel_reason.eq(Some(reason)),
                    ))
                    .execute(c)?;
                // Absences at a cancelled activity no longer count (R13).
                let affected: Vec<i64> = attendance::table
                    .filter(attendance::activity_id.eq(id))
                    .select(attendance::appointment_id)
                    .load(c)?;
                let why = format!("活动“{}”已取消：{reason}", before.title);
                for appointment_id in affected {
                    emitted |= rules::reevaluate(c, appointment_id, None, work_year, &why)?.emitted();
                }
            }
            diesel::update(activities::table.find(id))
                .set(activities::updated_at.eq(now))
                .execute(c)?;
            Ok((find(c, id)?, emitted))
        })
        .await?;
    if emitted {
        waker.wake();
    }
    Ok(HttpResponse::Ok().json(Activity::from_row(row, &config)?))
}

fn invitee_views(caller: &Caller, body_id: i64, rows: Vec<InviteeRow>, marks: &[(i64, String)]) -> Vec<Invitee> {
    let contacts = access::manages(caller, body_id);
    rows.into_iter()
        .map(|r| Invitee {
            attendance: marks
                .iter()
                .find(|(a, _)| *a == r.appointment_id)
                .map(|(_, s)| s.clone()),
            appointment_id: r.appointment_id,
            person_id: r.person_id,
            person_name: r.person_name,
            person_email: if contacts { r.person_email } else { None },
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            post: r.post,
            post_label: r.post_label,
        })
        .collect()
}

/// An activity, its invitees, and (appointment id, attendance status) of those recorded.
pub type InviteeList = (ActivityRow, Vec<InviteeRow>, Vec<(i64, String)>);

fn load_invitees(c: &mut DbConn, id: i64) -> Result<InviteeList, ApiError> {
    let a = find(c, id)?;
    let list = invitees_of(c, id)?;
    let marks: Vec<(i64, String)> = attendance::table
        .filter(attendance::activity_id.eq(id))
        .select((attendance::appointment_id, attendance::status))
        .load(c)?;
    Ok((a, list, marks))
}

/// The invitees: the body's active appointees on the activity's date, as stored with it.
#[utoipa::path(get, path = "/api/v1/meetings/activities/{id}/invitees", tag = "activities", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    responses((status = 200, body = [Invitee]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_invitees(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::read(&caller)?;
    let id = id.into_inner();
    let (a, list, marks) = db.run(move |c| load_invitees(c, id)).await?;
    Ok(HttpResponse::Ok().json(invitee_views(&caller, a.body_id, list, &marks)))
}

/// Reads an activity's invitees again from members-service and stores them, unless it is held,
/// past, cancelled or has attendance recorded (409 `invitees_frozen`).
pub async fn refresh(db: &Db, peers: &Peers, a: ActivityRow) -> Result<InviteeList, ApiError> {
    let id = a.id;
    let frozen = |a: &ActivityRow, recorded: i64| {
        if a.status == "cancelled" || a.held_on < today() || recorded > 0 {
            Err(ApiError::conflict(
                Code::InviteesFrozen,
                "the activity is held, past or cancelled: its invitees stay as they were",
            ))
        } else {
            Ok(())
        }
    };
    frozen(&a, db.run(move |c| attendance_count(c, id)).await?)?;
    let facts = fetch_invitees(peers, a.body_id, a.held_on).await?;
    let held_on = a.held_on;
    db.write(move |c| {
        let now = find(c, id)?;
        frozen(&now, attendance_count(c, id)?)?;
        if now.held_on != held_on {
            return Err(ApiError::conflict(
                Code::ConcurrentUpdate,
                "the activity was rescheduled meanwhile; retry",
            ));
        }
        store_invitees(c, id, &facts)?;
        load_invitees(c, id)
    })
    .await
}

/// Read the invitees again from members-service (after people joined or left), while the
/// activity lies ahead (today included) and no attendance is recorded.
#[utoipa::path(post, path = "/api/v1/meetings/activities/{id}/invitees:refresh", tag = "activities", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    responses((status = 200, body = [Invitee]),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Held, past or cancelled: the invitees are kept as they were (`invitees_frozen`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn refresh_invitees(
    caller: Caller,
    id: web::Path<i64>,
    db: web::Data<Db>,
    peers: web::Data<Peers>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    access::manage_some(&caller)?;
    let a = db.run(move |c| find(c, id)).await?;
    access::manage(&caller, a.body_id)?;
    let (a, list, marks) = refresh(&db, &peers, a).await?;
    Ok(HttpResponse::Ok().json(invitee_views(&caller, a.body_id, list, &marks)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::work_year::WorkYearStart;

    /// Issue 9: `year=-651` answered the dates of `-0651-01-01`; years outside the declared
    /// 1900..=2200 are a 400 problem.
    #[test]
    fn query_years_are_bounded() {
        let ws = WorkYearStart::default();
        for bad in [-651, 0, 1899, 2201, i32::MAX] {
            let e = work_year_bounds(ws, bad)
                .err()
                .map(|e| (e.status().as_u16(), e.code().to_string()));
            assert_eq!(e, Some((400, "invalid_query".to_owned())), "{bad}");
        }
        assert_eq!(
            work_year_bounds(ws, 2026).ok(),
            NaiveDate::from_ymd_opt(2026, 1, 1).zip(NaiveDate::from_ymd_opt(2026, 12, 31))
        );
        assert!(work_year_bounds(ws, 1900).is_ok() && work_year_bounds(ws, 2200).is_ok());
    }
}
