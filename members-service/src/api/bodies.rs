//! Bodies: `GET /bodies`, `POST /bodies` (collaboration groups), `GET /bodies/{id}` with its
//! posts, holders, vacancies, completeness and (groups) secretariat unit (R2).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::app::bodies::{self as app, Body, BodyDetail};
use crate::domain::bodies::BodyKind;

/// 机构列表的筛选条件。How the list of bodies is filtered.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BodyFilter {
    /// 机构类型：council（理事会）、expert_committee（专家委员会）或 group（专业建设协作组）。
    /// council, expert_committee or group
    pub kind: Option<BodyKind>,
}

/// 新的专业建设协作组（第九条）：名称不可与已有机构重名。
/// A new collaboration group (第九条); its name is unique among bodies.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "数控技术专业建设协作组", "specialty": "数控技术"}))]
pub struct NewGroup {
    /// 协作组名称，1–100 个字符，如 数控技术专业建设协作组。e.g. 数控技术专业建设协作组
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// 协作组对应的专业，1–100 个字符，如 数控技术。The specialty the group serves, 1–100 characters.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub specialty: String,
}

/// 机构列表 · List bodies.
///
/// 分页列出联盟的机构：理事会、专家委员会和各专业建设协作组，可按机构类型（`kind`）筛选。
///
/// The council, the expert committee and the collaboration groups.
#[utoipa::path(get, path = "/api/v1/members/bodies", tag = "bodies", params(BodyFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses((status = 200, body = Page<Body>),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    _caller: Caller,
    filter: web::Query<BodyFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let w = page.window()?;
    let kind = filter.kind;
    let bodies = db.run(move |c| app::list(c, kind, w)).await?;
    Ok(HttpResponse::Ok().json(bodies))
}

/// 新建协作组 · Create a collaboration group.
///
/// 秘书处新建一个专业建设协作组（第九条）；理事会和专家委员会不由此接口创建。
/// 名称已被其他机构使用答 409；名称或专业为空、过长或含不可打印字符答 422。
///
/// Create a collaboration group (专业建设协作组, 第九条).
#[utoipa::path(post, path = "/api/v1/members/bodies", tag = "bodies", request_body = NewGroup,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Body),
        (status = 409, description = "机构名称已被占用 · Name taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body_in: Json<NewGroup>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let g = body_in.into_inner();
    let body = db
        .write(move |c| app::create_group(c, &caller, &g.name, &g.specialty))
        .await?;
    Ok(HttpResponse::Created().json(body))
}

/// 查看机构 · One body.
///
/// 一个机构的详情：当前届次、各职务及其在任者、限一人的职务是否空缺、机构是否完整（R1），
/// 以及协作组秘书处所在单位——即主任委员所在单位，随主任委员的变更而变（第九条，R2）。
///
/// One body with its posts, holders, vacancies and secretariat unit.
#[utoipa::path(get, path = "/api/v1/members/bodies/{id}", tag = "bodies", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses((status = 200, body = BodyDetail),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(_caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let detail = db.run(move |c| app::detail(c, id)).await?;
    Ok(HttpResponse::Ok().json(detail))
}
