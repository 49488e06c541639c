//! Center nominations (提名) for the posts the Center fills: `GET/POST /nominations`, and
//! `POST /nominations/{id}/appointment` (聘任), which creates the appointment.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use service_kit::json::{Json, OptionalJson};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::app::appointments::Appointment;
use crate::app::nominations::{self as app, Nomination, NominationInput};
use crate::domain::applications::NominationStatus;
use crate::domain::posts::Post;

/// 机械工业教育发展中心的提名（提名）：为由中心提名的职务提出人选。
/// A Center nomination (提名) of a candidate for a post the Center fills.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body_id": 1, "term_id": 1, "person_id": 7, "post": "chair",
    "reason": "机械工业教育发展中心提名张伟为第一届理事会理事长人选", "exception_reason": null}))]
pub struct NewNomination {
    /// 机构编号：理事会、专家委员会或某个协作组。The body.
    pub body_id: i64,
    /// 届次编号，须为该机构的一届。The term, one of the body's.
    pub term_id: i64,
    /// 被提名人的人员编号。The candidate.
    pub person_id: i64,
    /// 提名的职务，须由中心提名：理事会的 chair（理事长）、secretary_general（秘书长）、
    /// deputy_secretary_general（副秘书长），专家委员会的 expert（委员），协作组的 director（主任委员）、
    /// secretary_general（秘书长）。The post, one the Center fills by nomination.
    pub post: Post,
    /// 提名理由，可不填。Why the Center nominates the candidate; may be left out.
    #[serde(default)]
    pub reason: String,
    /// 例外说明：理事会职务的人选原则上不符合第六条（职称低于副高级、年龄超过60周岁或未登记出生日期）时必填（R9）。
    /// Required when the candidate fails R9 in principle (title, age).
    pub exception_reason: Option<String>,
}

/// 按提名聘任：聘任日期，以及对 R9 例外的明确接受。
/// Appointing the nominee: the date, and the explicit acceptance of an R9 exception.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_on": "2026-12-01", "accept_exception": false}))]
pub struct AppointFromNomination {
    /// 聘任日期，不填为今天；须在该届任期内，聘期随本届结束（R4）。
    /// The appointment date; today when absent. Must fall within the term (R4).
    pub starts_on: Option<NaiveDate>,
    /// 明确接受 R9 例外：被提名人有资格问题（职称、年龄）时必须为 true。
    /// Explicit acceptance of the R9 exception, required when the nomination has issues.
    #[serde(default)]
    pub accept_exception: bool,
}

/// 提名列表的筛选条件。How the list of nominations is filtered.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NominationFilter {
    /// 只列此机构的提名。Only this body's nominations.
    pub body_id: Option<i64>,
    /// 只列此状态的提名：open（待聘任）、appointed（已聘任）或 withdrawn（已撤回）。
    /// Only nominations in this status.
    pub status: Option<NominationStatus>,
}

/// 提名列表 · List nominations.
///
/// 机械工业教育发展中心的提名，按提名先后排列（最新的在最后），可按机构和状态筛选。
///
/// Nominations, newest last.
#[utoipa::path(get, path = "/api/v1/members/nominations", tag = "appointments", params(NominationFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "service:members:read"]))),
    responses((status = 200, body = Page<Nomination>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<NominationFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin_or_scope("members:read")?;
    let w = page.window()?;
    let f = filter.into_inner();
    let page = db.run(move |c| app::list(c, f.body_id, f.status, w)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// 提名人选 · Nominate a candidate.
///
/// 机械工业教育发展中心为由其提名的职务提名人选（第六条、第七条、第九条）：理事会理事长、秘书长、
/// 副秘书长，专家委员会委员，协作组主任委员、秘书长。理事会职务按第六条审查资格（R9）：
/// 原则上具有副高级及以上职称，年龄一般不超过60周岁，以本届开始日和今天中较晚的一天计；
/// 不符合时须写明例外说明，否则答 422 并指明规则。机构或届次不存在答 404；人员不存在、
/// 该机构没有此职务、届次不属于该机构，或该职务不由提名产生（如理事、副理事长须由单位申报）答 422。
///
/// Nominate a candidate for a post the Center fills (council chair, secretary-general and
/// deputies; experts; a group's director and secretary-general).
#[utoipa::path(post, path = "/api/v1/members/nominations", tag = "appointments", request_body = NewNomination,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Nomination),
        (status = 404, description = "机构或届次不存在 · No such body or term", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "该职务不由提名产生，或不符合 R9 而无例外说明 · Post not filled by nomination, or R9 without an exception reason", body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body_in: Json<NewNomination>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let n = body_in.into_inner();
    let input = NominationInput {
        body_id: n.body_id,
        term_id: n.term_id,
        person_id: n.person_id,
        post: n.post,
        reason: n.reason,
        exception_reason: n.exception_reason,
    };
    let nomination = db.write(move |c| app::create(c, &caller, &input)).await?;
    Ok(HttpResponse::Created().json(nomination))
}

/// 聘任被提名人 · Appoint the nominee.
///
/// 按提名聘任（聘任）：自聘任日期起建立聘任记录，聘期至本届结束（R4），并发出签发聘书的事件，
/// 聘书以 PDF 发给受聘人。请求体可省略，此时聘任日期为今天。限一人的职务已有在任者（R1）、
/// 此人已在该机构担任职务（每人在一个机构只任一职），或提名已聘任、已撤回答 409；聘任日期不在本届任期内（R4），或被提名人有资格问题而未明确
/// 接受例外（R9）答 422。
///
/// Appoint the nominee (聘任): creates the appointment and the event for its certificate.
#[utoipa::path(post, path = "/api/v1/members/nominations/{id}/appointment", tag = "appointments", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = AppointFromNomination,
    responses((status = 201, body = Appointment),
        (status = 409, description = "R1：该职务已有在任者；或提名已关闭 · R1: the post is held; or the nomination is closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "R4：不在本届任期内；R9：未接受例外 · R4 outside the term; R9 exception not accepted", body = Problem, content_type = "application/problem+json")))]
pub async fn appoint(
    caller: Caller,
    id: web::Path<i64>,
    body_in: OptionalJson<AppointFromNomination>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let req = body_in.into_inner().unwrap_or_default();
    let appointment = db
        .write(move |c| app::appoint(c, &caller, id, req.starts_on, req.accept_exception))
        .await?;
    Ok(HttpResponse::Created().json(appointment))
}
