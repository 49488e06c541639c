//! Terms (届) of a body: `GET/POST /bodies/{id}/terms` (R3). The expert committee serves on
//! the council's terms (第七条): creating a council term creates the committee's twin.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use service_kit::json::Json;
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::ToSchema;

use super::access;
use crate::app::bodies::{self as app, NewTermInput, Term};

/// 新的一届（届次）：通常只给开始日期，届次号和结束日期按规则推算（R3）。
/// A new term: usually only its start; the number and the end follow the rules (R3).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_on": "2027-04-01"}))]
pub struct NewTerm {
    /// 届次号（第N届），须为上一届加一；不填时自动取下一届。The next number when absent.
    pub number: Option<i32>,
    /// 本届开始日期，须晚于上一届的结束日期。The first day of the term, after the previous term's last day.
    pub starts_on: NaiveDate,
    /// 本届结束日期，须晚于开始日期；不填时为四年后的前一天（R3：原则上每届任期四年）。
    /// Four years later (the day before) when absent (R3: 原则上每届任期四年).
    pub ends_on: Option<NaiveDate>,
}

/// 届次列表 · A body's terms.
///
/// 一个机构的各届（任期），按届次从早到晚。专家委员会与理事会任期相同（第七条）。
///
/// A body's terms, oldest first.
#[utoipa::path(get, path = "/api/v1/members/bodies/{id}/terms", tag = "bodies", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses((status = 200, body = [Term]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list(_caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let terms = db.run(move |c| app::terms_of(c, id)).await?;
    Ok(HttpResponse::Ok().json(terms))
}

/// 换届：开启下一届 · Open the next term.
///
/// 秘书处为理事会或某个专业建设协作组开启下一届（换届）。开启理事会的新一届时，
/// 专家委员会的同一届随之开启（第七条）；专家委员会不能单独开届（409）。
/// 原则上每届任期四年（R3）：不填结束日期时为开始日期四年后的前一天。
/// 新一届与上一届重叠答 409；届次号不是下一届、结束日期不晚于开始日期答 422。
///
/// Open the next term of the council (and with it the expert committee's) or of a group.
#[utoipa::path(post, path = "/api/v1/members/bodies/{id}/terms", tag = "bodies", params(("id" = i64, Path)), request_body = NewTerm,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Term),
        (status = 409, description = "与上一届重叠，或该机构随理事会换届 · Overlaps the previous term, or the body follows the council's terms", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<NewTerm>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let id = id.into_inner();
    let b = body_in.into_inner();
    let t = NewTermInput {
        number: b.number,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
    };
    let term = db.write(move |c| app::open_term(c, &caller, id, t)).await?;
    Ok(HttpResponse::Created().json(term))
}
