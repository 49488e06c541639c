//! Unit applications (申报): `GET/POST /applications`, `GET /applications/{id}`,
//! `POST /applications/{id}/transitions` — the R7 state machine with R8 (group posts from
//! council member units), R9 (exceptions accepted explicitly) and R10 (election results).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem, Role};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::app::applications::{self as app, Application, ApplicationInput, TransitionRequest};
use crate::db::applications::ApplicationQuery;
use crate::domain::applications::{ApplicationAction, ApplicationStatus};
use crate::domain::posts::Post;

/// 单位申报（各单位申报）：某单位为其一名人员申报理事会或协作组的职务。
/// A unit's application (各单位申报) for a post of the council or of a group, for one of its people.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body_id": 1, "term_id": 1, "unit_id": 3, "person_id": 9, "post": "council_member",
    "statement": "推荐我院副院长李建国为第一届理事会理事人选。我院数控技术专业为省级重点专业，李建国同志长期主持工学一体化教学改革。",
    "exception_reason": null}))]
pub struct NewApplication {
    /// 申报的机构：理事会或某个专业建设协作组。The body applied to: the council or a group.
    pub body_id: i64,
    /// 届次编号，须为该机构的一届。The term, one of the body's.
    pub term_id: i64,
    /// 申报单位；单位联系人只能为本单位申报。The applying unit; a unit contact may apply for their own unit only.
    pub unit_id: i64,
    /// 候选人，须为申报单位的人员。The candidate, one of the unit's people.
    pub person_id: i64,
    /// 申报的职务：理事会的 vice_chair（副理事长）、council_member（理事），或协作组的 deputy_director（副主任委员）、
    /// deputy_secretary_general（副秘书长）、member（委员）、advisor（专业顾问）、guiding_expert（指导专家）。
    /// The post applied for: one filled by application, not by the Center's nomination.
    pub post: Post,
    /// 申报说明（推荐理由），可不填。The unit's statement for its candidate; may be left out.
    #[serde(default)]
    pub statement: String,
    /// 例外说明：理事会职务的候选人原则上不符合第六条（职称低于副高级、年龄超过60周岁或未登记出生日期）时必填（R9）。
    /// Required when the candidate fails R9 in principle (title below 副高级, over 60).
    pub exception_reason: Option<String>,
}

/// 申报列表的筛选条件。How the list of applications is filtered.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationFilter {
    /// 只列申报此机构的。Only applications to this body.
    pub body_id: Option<i64>,
    /// 只列此届的。Only applications for this term.
    pub term_id: Option<i64>,
    /// 只列此单位的。Only this unit's applications.
    pub unit_id: Option<i64>,
    /// 只列此状态的，如 under_review（审核中）。Only applications in this status.
    pub status: Option<ApplicationStatus>,
}

/// 申报列表 · List applications.
///
/// 分页列出单位申报，可按机构、届次、单位和状态筛选。单位联系人只看到本单位的申报，
/// 协作组秘书只看到本协作组的，成员只看到以本人为候选人的。
///
/// Applications; a unit contact sees their unit's, a group secretary their group's.
#[utoipa::path(get, path = "/api/v1/members/applications", tag = "applications", params(ApplicationFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    responses((status = 200, body = Page<Application>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<ApplicationFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    if caller.role == Role::Service {
        caller.require_admin_or_scope("members:read")?;
    }
    let w = page.window()?;
    let f = filter.into_inner();
    let q = ApplicationQuery {
        body_id: f.body_id,
        term_id: f.term_id,
        unit_id: f.unit_id,
        status: f.status,
    };
    let page = db.run(move |c| app::list(c, &caller, &q, w)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// 查看申报 · One application.
///
/// 一条申报及其全部状态变更记录（谁、何时、为何，R7），资格问题与例外确认（R9）和选举结果（R10）。
/// 不在调用者范围内的申报答 403。
///
/// One application with its history.
#[utoipa::path(get, path = "/api/v1/members/applications/{id}", tag = "applications", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    responses((status = 200, body = Application), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // Before the lookup: a client that may see no application gets 403, not 404.
    access::read_directory(&caller)?;
    let a = db.run(move |c| app::get(c, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(a))
}

/// 单位申报职务 · Apply for a post.
///
/// 单位为其一名人员申报职务（各单位申报）：理事会副理事长或理事，经审核和选举后由机械工业教育发展中心聘任（R7）；
/// 或协作组职务，须由申报当时的理事单位提出（理事单位选派，R8）。协作组秘书可为本协作组提出人选。
/// 理事会职务按第六条审查资格（R9）：原则上具有副高级及以上职称，年龄一般不超过60周岁；
/// 不符合时须写明例外说明，申报被标记，审核通过时须明确接受例外；没有例外说明答 422 并指明规则。
/// 单位联系人为其他单位申报、协作组秘书为其他协作组申报答 403；机构或届次不存在答 404；
/// 限一人的职务已有在任者答 409（R1）；候选人不存在或不是申报单位的人员、该机构没有此职务、
/// 该职务由中心提名而非申报，或申报单位不是理事单位（R8）答 422。
///
/// A unit applies for a post (各单位申报): council vice-chair or member (R7), or a group post
/// (R8: from a council member unit). A group secretary may propose for their own group.
#[utoipa::path(post, path = "/api/v1/members/applications", tag = "applications", request_body = NewApplication,
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "unit_contact:own_unit"]))),
    responses((status = 201, body = Application),
        (status = 404, description = "机构或届次不存在 · No such body or term", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "限一人的职务已有在任者 · The single-holder post is filled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "R8、R9，或该职务不由申报产生 · R8, R9 or a post not filled by application", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    caller: Caller,
    body_in: Json<NewApplication>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let n = body_in.into_inner();
    let allowed = match caller.role {
        Role::Admin => true,
        Role::UnitContact => access::contact_unit(&caller) == Some(n.unit_id),
        Role::GroupSecretary => access::secretary_group(&caller) == Some(n.body_id),
        _ => false,
    };
    if !allowed {
        return Err(ApiError::forbidden(
            "a unit contact applies for their own unit; a group secretary for their group",
        ));
    }
    let input = ApplicationInput {
        body_id: n.body_id,
        term_id: n.term_id,
        unit_id: n.unit_id,
        person_id: n.person_id,
        post: n.post,
        statement: n.statement,
        exception_reason: n.exception_reason,
    };
    let row = db.write(move |c| app::create(c, &caller, &input)).await?;
    Ok(HttpResponse::Created().json(row))
}

/// What the R7 state machine (`app::applications::apply_transition`) asks of a [`TransitionRequest`] beyond its fields: record_election
/// gives the votes, reject and withdraw a non-blank reason.
pub struct TransitionRequestConditions;

impl utoipa::Modify for TransitionRequestConditions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use service_kit::contract::{add_condition, when};
        let votes = serde_json::json!({"required": ["votes"], "properties": {"votes": {"type": "object"}}});
        add_condition(doc, "TransitionRequest", when("action", &["record_election"], votes));
        let reason = serde_json::json!({"required": ["reason"], "properties": {"reason": {"pattern": r"\S"}}});
        add_condition(
            doc,
            "TransitionRequest",
            when("action", &["reject", "withdraw"], reason),
        );
    }
}

/// 推进申报：审核、选举、聘任 · Move an application through R7.
///
/// 按 R7 推进申报，每一步都记录操作人、时间和理由。start_review（开始审核）：已申报 → 审核中；
/// reject（审核不通过，须写理由）：审核中 → 审核未通过；approve（审核通过）：审核中 → 审核通过，
/// 被标记的申报须同时给 `accept_exception: true` 明确接受例外（R9）；record_election（登记选举结果，
/// 仅理事会职务）：审核通过 → 当选或未当选，须给出赞成、反对、弃权票数和出席人数，
/// 赞成票超过出席人数的半数即当选，会议另定门槛时以 `threshold` 为准（R10）；
/// appoint（聘任）：理事会职务当选后、协作组职务审核通过后建立聘任记录并签发聘书，聘任日期须在本届内（R4）；
/// withdraw（撤回，须写理由）：已申报或审核中 → 已撤回，单位联系人可撤回本单位的申报，其余操作只有秘书处可做。
/// 不允许的状态变更答 409 并说明原因；限一人的职务已有在任者也答 409（R1）；
/// 缺少理由、未接受例外（R9）或票数不可能成立（R10）答 422。
///
/// Move an application through R7: start_review, reject, approve (accept_exception for
/// flagged ones), record_election (votes; R10 decides elected or not), appoint (creates the
/// appointment), withdraw. Illegal transitions answer 409.
#[utoipa::path(post, path = "/api/v1/members/applications/{id}/transitions", tag = "applications", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "unit_contact:own_unit"]))),
    request_body = TransitionRequest,
    responses((status = 200, body = Application),
        (status = 409, description = "不允许的状态变更（R7），或该职务已有在任者（R1） · Illegal transition (R7) or the post is held (R1)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "缺少理由、未接受例外（R9）、票数不可能成立（R10） · Missing reason, exception not accepted (R9), impossible votes (R10)", body = Problem, content_type = "application/problem+json")))]
pub async fn transition(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<TransitionRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let t = body_in.into_inner();
    let id = id.into_inner();
    // Before the lookup: only the Center, and a unit contact withdrawing, may get further.
    if !(caller.role == Role::Admin || caller.role == Role::UnitContact && t.action == ApplicationAction::Withdraw) {
        access::admin(&caller)?;
    }
    let a = db.write(move |c| app::transition(c, &caller, id, &t)).await?;
    Ok(HttpResponse::Ok().json(a))
}
