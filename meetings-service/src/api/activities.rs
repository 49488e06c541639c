//! Activities of a body (第十二条, 第十三条): `GET/POST /activities`, `GET/PATCH /activities/{id}`,
//! their invitees (`GET /activities/{id}/invitees`, `POST /activities/{id}/invitees:refresh`).
//!
//! Invitees are the body's active appointees on the activity's date, read from members-service
//! when the activity is created, again when its date changes or on refresh while it lies ahead,
//! and never again once attendance is recorded: the record stays true after people leave.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Code, Db, OutboxWaker, Problem};
use utoipa::{IntoParams, ToSchema};

use super::{access, work_year_bounds};
use crate::app::Ctx;
use crate::app::activities::{self as app, Invitations, Scheduled};
use crate::db::activities::Filter;
use crate::db::models::ActivityRow;
use crate::domain::activities::{ActivityKind, ActivityStatus};
pub use crate::domain::activities::{ActivityUpdate, NewActivity, StatusChange};
use crate::domain::agenda::{AgendaItem, AgendaItemKind};
use crate::domain::attendance::AttendanceStatus;
use crate::settings::MeetingsConfig;

/// 议程事项（展示用，R19）。One agenda item as shown (R19).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgendaEntry {
    /// 议程事项类型。The kind of agenda item.
    pub kind: AgendaItemKind,
    /// 事项类型的中文名称（审议年度工作报告等）。The kind's Chinese label (审议年度工作报告, …).
    pub kind_label: String,
    /// 事项标题（未填写时为类型的中文名称）。The item's title (the kind's label when none was given).
    pub title: String,
    /// 审议年度工作报告事项所附工作报告的年度。For `work_report_review`: the year of the work report attached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_report_year: Option<i32>,
    /// 发布下一年度工作计划事项所附工作计划的年度。For `work_plan_publication`: the year of the work plan attached.
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

/// 活动（会议或其他活动）。An activity (a meeting or another activity) of a body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 3, "body_id": 4, "body_name": "数控技术专业建设协作组", "kind": "plenary", "kind_label": "全体会议",
    "title": "数控技术专业建设协作组2026年度全体会议", "held_on": "2026-12-10", "starts_at": "09:00", "place": "天津市机电工艺技师学院报告厅",
    "description": "", "agenda": [{"kind": "work_report_review", "kind_label": "审议年度工作报告", "title": "审议2026年度工作报告", "work_report_year": 2026}],
    "reply_by": "2026-12-01", "contact_name": "王芳", "contact_phone": "022-12345678", "send_notices": true,
    "status": "scheduled", "status_label": "已安排", "work_year": 2026, "cancelled_at": null, "cancel_reason": null,
    "created_by": "account:1", "created_at": "2026-11-24T08:00:00.000Z", "updated_at": "2026-11-24T08:00:00.000Z", "sequence": 0}))]
pub struct Activity {
    /// 活动编号。The activity's id.
    pub id: i64,
    /// 举办机构（理事会、专家委员会或协作组）编号。The body (council, expert committee or group) holding it.
    pub body_id: i64,
    /// 举办机构名称。The body's name.
    pub body_name: String,
    /// 活动类型（全体会议、理事长会议、专题会议等）。The kind (plenary, chair meeting, thematic meeting, …).
    pub kind: ActivityKind,
    /// 活动类型的中文名称。The kind's Chinese label.
    pub kind_label: String,
    /// 活动名称。The title.
    pub title: String,
    /// 举办日期。The date it is held on.
    pub held_on: NaiveDate,
    /// 开始时间，`HH:MM`，北京时间。`HH:MM`, China Standard Time.
    pub starts_at: Option<String>,
    /// 地点。The place.
    pub place: String,
    /// 活动说明（可为空）。A description (may be empty).
    pub description: String,
    /// 议程（R19）。议程 (R19).
    pub agenda: Vec<AgendaEntry>,
    /// 回执截止日期。The date replies are due (回执截止日期).
    pub reply_by: Option<NaiveDate>,
    /// 联系人。The contact person.
    pub contact_name: Option<String>,
    /// 联系电话。The contact's phone.
    pub contact_phone: Option<String>,
    /// 是否已通过 documents-service 向受邀人员发送会议通知。Whether invitees were sent the 会议通知 through documents-service.
    pub send_notices: bool,
    /// 状态：已安排、已举行（已登记出席情况）或已取消。scheduled, held (attendance recorded) or cancelled.
    pub status: ActivityStatus,
    /// 状态的中文名称。The status's Chinese label.
    pub status_label: String,
    /// 计入的工作年度（R13）。The work year (工作年度) it counts in (R13).
    pub work_year: i32,
    /// 取消时间（UTC）。When it was cancelled (UTC).
    #[serde(with = "service_kit::utc::option")]
    pub cancelled_at: Option<NaiveDateTime>,
    /// 取消原因。Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// 创建者账号。The account that scheduled it.
    pub created_by: String,
    /// 创建时间（UTC）。When it was scheduled (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
    /// 最后修改时间（UTC）。When it was last changed (UTC).
    #[serde(with = "service_kit::utc")]
    pub updated_at: NaiveDateTime,
    /// 会议邀请的版本号（iCalendar SEQUENCE）：每次变更日期、时间、地点或取消时加一，并发送会议变更通知或会议取消通知。
    /// The invitation's version (iCalendar SEQUENCE): raised on each change of date, time or
    /// place and on cancellation, each of which sends a 会议变更通知 or 会议取消通知.
    pub sequence: i32,
}

impl Activity {
    pub fn from_row(r: ActivityRow, config: &MeetingsConfig) -> Result<Self, ApiError> {
        let agenda: Vec<AgendaItem> = serde_json::from_str(&r.agenda).map_err(ApiError::internal)?;
        Ok(Self {
            id: r.id,
            body_id: r.body_id,
            body_name: r.body_name,
            kind: r.kind,
            kind_label: r.kind.label_zh().to_owned(),
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
            status: r.status,
            status_label: r.status.label_zh().to_owned(),
            work_year: config.work_year.work_year_of(r.held_on),
            cancelled_at: r.cancelled_at,
            cancel_reason: r.cancel_reason,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            sequence: r.sequence,
        })
    }
}

/// 活动列表的筛选条件。Filters of the activity list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityFilter {
    /// 只看该机构的活动。Only this body's activities.
    pub body_id: Option<i64>,
    /// 只看该类型的活动。Only activities of this kind.
    pub kind: Option<ActivityKind>,
    /// 工作年度（未另行配置时为自然年）。Work year (工作年度; the calendar year unless configured otherwise).
    #[param(minimum = 1900, maximum = 2200)]
    pub year: Option<i32>,
    /// 状态：scheduled（已安排）、held（已举行）或 cancelled（已取消）。scheduled, held or cancelled.
    #[param(pattern = "^(scheduled|held|cancelled)$")]
    pub status: Option<String>,
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

/// 受邀人员：活动日期当天该机构的在任人员。An invitee: an active appointee of the body on the activity's date.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"appointment_id": 12, "person_id": 7, "person_name": "张伟", "person_email": "zw@example.cn",
    "unit_id": 1, "unit_name": "天津市机电工艺技师学院", "post": "member", "post_label": "委员", "attendance": "absent"}))]
pub struct Invitee {
    /// 聘任记录编号（members-service）。The appointment's id (members-service).
    pub appointment_id: i64,
    /// 人员编号。The person's id.
    pub person_id: i64,
    /// 姓名。The person's name.
    pub person_name: String,
    /// 电子邮箱，仅机械工业教育发展中心（秘书处）和本协作组秘书可见。Shown to the Center and the group's secretary only.
    pub person_email: Option<String>,
    /// 所在单位编号。The unit's id.
    pub unit_id: i64,
    /// 所在单位名称。The unit's name.
    pub unit_name: String,
    /// 职务代码（如 member）。The post's code (e.g. `member`).
    pub post: String,
    /// 职务的中文名称（如 委员）。The post's Chinese label (e.g. 委员).
    pub post_label: String,
    /// 已登记的出席情况：出席、请假或缺席。present, excused or absent once recorded.
    pub attendance: Option<AttendanceStatus>,
}

fn invitee_views(caller: &Caller, list: Invitations) -> Vec<Invitee> {
    let contacts = access::manages(caller, list.activity.body_id);
    let marks = list.marks;
    list.invitees
        .into_iter()
        .map(|r| Invitee {
            attendance: marks.iter().find(|(a, _)| *a == r.appointment_id).map(|(_, s)| *s),
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

/// 活动列表 · List activities.
///
/// 联盟各机构（理事会、专家委员会、各专业建设协作组）的活动，按时间从早到晚排列；可按机构、活动类型、工作年度和状态筛选。`year` 超出 1900–2200 或 `status` 不是 scheduled、held、cancelled 之一时返回 400（`invalid_query`）。
///
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
    let w = page.window()?;
    let filter = filter.into_inner();
    let status = match &filter.status {
        Some(s) => Some(
            ActivityStatus::parse(s)
                .ok_or_else(|| ApiError::bad_request(Code::InvalidQuery, "status is scheduled, held or cancelled"))?,
        ),
        None => None,
    };
    let held_between = match filter.year {
        Some(y) => Some(work_year_bounds(config.work_year, y)?),
        None => None,
    };
    let f = Filter {
        body_id: filter.body_id,
        kind: filter.kind,
        held_between,
        status,
    };
    let page = app::list(&db, f, w).await?;
    Ok(HttpResponse::Ok().json(page.try_map(|r| Activity::from_row(r, &config))?))
}

/// 安排活动 · Schedule an activity.
///
/// 安排一次活动（会议或其他活动）。受邀人员为 `held_on` 当天该机构的全体在任人员，此时从 members-service 读取；`send_notices` 为 true 时，向每位留有电子邮箱的受邀人员发送会议通知（与活动一并写入的事件，由 documents-service 生成并发送）。议程须符合 R19：审议年度工作报告、发布下一年度工作计划、调整增补、选举等事项只属于全体会议。使用相同的 `Idempotency-Key` 重复提交时，返回先前已创建的活动（200），不会重复安排。字段无效或议程不符合 R19 时返回 422；无法连接 members-service 时返回 503（`peer_unavailable`），不创建任何内容。
///
/// Schedule an activity. Its invitees are the body's active appointees on `held_on`, read from
/// members-service now; with `send_notices` each of them with an e-mail address is sent the
/// 会议通知 (an event to documents-service, written with the activity). The same
/// `Idempotency-Key` returns the activity made earlier (200) instead of scheduling another.
#[utoipa::path(post, path = "/api/v1/meetings/activities", tag = "activities", request_body = NewActivity,
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\t ]*[!-~](?:[ -~\t]{0,198}[!-~])?[\t ]*$", description = "幂等键：相同的键返回同一活动 · the same key returns the same activity")),
    responses((status = 201, body = Activity),
        (status = 200, body = Activity, description = "使用该幂等键先前已创建的活动 · the activity made earlier with this Idempotency-Key"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段无效，或议程不符合 R19 · Invalid fields, or an R19 agenda problem", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "无法连接 members-service（`peer_unavailable`），未创建任何内容 · members-service cannot be reached (`peer_unavailable`); nothing was created", body = Problem, content_type = "application/problem+json")))]
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
    let starts_at = n.check().map_err(ApiError::validation)?;
    let key = service_kit::idempotency::key(&req)?;
    let cx = Ctx {
        db: &db,
        peers: &peers,
        waker: &waker,
        work_year: config.work_year,
    };
    match app::create(cx, caller.subject.clone(), n, starts_at, key).await? {
        Scheduled::Earlier(row) => Ok(HttpResponse::Ok().json(Activity::from_row(row, &config)?)),
        Scheduled::New(row) => Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/api/v1/meetings/activities/{}", row.id)))
            .json(Activity::from_row(row, &config)?)),
    }
}

/// 活动详情 · One activity.
///
/// 按编号读取一次活动，含议程、回执截止日期、联系人和状态；不存在时返回 404。
///
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
    let row = app::get(&db, id).await?;
    Ok(HttpResponse::Ok().json(Activity::from_row(row, &config)?))
}

/// 修改、改期或取消活动 · Change, reschedule or cancel an activity.
///
/// 修改活动信息；改期（新的 `held_on`）会按新日期重新读取受邀人员，已登记出席情况后不得改期；取消时提交 `"status": "cancelled"` 并写明 `reason`。已取消的活动不计缺席，因此依赖该活动的解聘案件（每工作年度无故两次缺席，R13）将被撤回。活动发送会议通知（`send_notices`）且尚未举行时，日期、时间、地点的变更或取消会向受邀人员发送会议变更通知或会议取消通知。活动已取消（`activity_cancelled`）或已登记出席情况（`attendance_recorded`）时返回 409。
///
/// Change, reschedule (a new `held_on` reads the invitees again; refused once attendance is
/// recorded) or cancel (`"status": "cancelled"` with a `reason`; a cancelled activity counts no
/// absence, so open dismissal cases that depended on it are withdrawn, R13).
#[utoipa::path(patch, path = "/api/v1/meetings/activities/{id}", tag = "activities", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    request_body = ActivityUpdate,
    responses((status = 200, body = Activity),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "活动已取消（`activity_cancelled`），或已登记出席情况（`attendance_recorded`） · Cancelled already (`activity_cancelled`), or attendance recorded (`attendance_recorded`)", body = Problem, content_type = "application/problem+json"),
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
    let cx = Ctx {
        db: &db,
        peers: &peers,
        waker: &waker,
        work_year: config.work_year,
    };
    let authorize = |a: &ActivityRow| access::manage(&caller, a.body_id);
    let row = app::update(cx, id, authorize, body_in.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Activity::from_row(row, &config)?))
}

/// 受邀人员名单 · The invitees of an activity.
///
/// 活动的受邀人员：活动日期当天该机构的全体在任人员，按活动保存的名单返回（人员离任后记录仍保持不变），并附已登记的出席情况。电子邮箱仅向机械工业教育发展中心（秘书处）和本协作组秘书显示。活动不存在时返回 404。
///
/// The invitees: the body's active appointees on the activity's date, as stored with it.
#[utoipa::path(get, path = "/api/v1/meetings/activities/{id}/invitees", tag = "activities", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    responses((status = 200, body = [Invitee]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_invitees(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::read(&caller)?;
    let id = id.into_inner();
    let list = app::invitations(&db, id).await?;
    Ok(HttpResponse::Ok().json(invitee_views(&caller, list)))
}

/// 重新读取受邀人员 · Read the invitees again.
///
/// 人员增补或离任后，从 members-service 重新读取受邀人员名单；仅限活动尚未举行（含当天）且未登记出席情况时。活动已举行、已过期或已取消时名单保持原样，返回 409（`invitees_frozen`）；无法连接 members-service 时返回 503。
///
/// Read the invitees again from members-service (after people joined or left), while the
/// activity lies ahead (today included) and no attendance is recorded.
#[utoipa::path(post, path = "/api/v1/meetings/activities/{id}/invitees:refresh", tag = "activities", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    responses((status = 200, body = [Invitee]),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "活动已举行、已过期或已取消：受邀人员名单保持原样（`invitees_frozen`） · Held, past or cancelled: the invitees are kept as they were (`invitees_frozen`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn refresh_invitees(
    caller: Caller,
    id: web::Path<i64>,
    db: web::Data<Db>,
    peers: web::Data<Peers>,
    waker: web::Data<OutboxWaker>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    access::manage_some(&caller)?;
    let authorize = |a: &ActivityRow| access::manage(&caller, a.body_id);
    let list = app::refresh_invitees(&db, &peers, &waker, id, authorize).await?;
    Ok(HttpResponse::Ok().json(invitee_views(&caller, list)))
}
