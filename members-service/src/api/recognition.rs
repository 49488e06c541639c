//! Annual assessments (R15): `GET/PUT /assessments/{year}/{appointment_id}`; commendations
//! (R16): `GET/POST /commendations`, each with a 荣誉证书 issued by documents-service.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Code, Db, FieldError, Problem, Role};
use utoipa::ToSchema;

use super::access;
use crate::app::recognition::{self as app, Assessment, Commendation, Recipient};
use crate::domain::assessments::AssessmentResult;
use crate::domain::people::check_text;

/// 年度工作考核结果（R15）。An annual assessment result (R15).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"result": "excellent", "comment": "积极参与数控技术专业建设协作组工作，牵头完成一体化课程标准开发，成效显著"}))]
pub struct AssessmentInput {
    /// 考核结果：excellent（优秀）、competent（合格）、basically_competent（基本合格）或 incompetent（不合格）。
    /// The result.
    pub result: AssessmentResult,
    /// 考核评语，至多 2000 个字符，可不填。A comment, at most 2000 characters; may be left out.
    #[serde(default)]
    pub comment: String,
}

/// 查看年度考核 · One appointment's assessment.
///
/// 一条聘任在某个工作年度的考核结果（R15）。秘书处、有 `members:read` 权限的服务客户端、
/// 受聘人本人及其单位联系人可看；其他人答 403。该年度尚未考核答 404。
///
/// One appointment's assessment for a work year.
#[utoipa::path(get, path = "/api/v1/members/assessments/{year}/{appointment_id}", tag = "assessments",
    extensions(("x-roles" = json!(["admin", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    params(("year" = i32, Path), ("appointment_id" = i64, Path)),
    responses((status = 200, body = Assessment), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_assessment(
    caller: Caller,
    path: web::Path<(i32, i64)>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let (year, id) = path.into_inner();
    // Before the lookup: callers who may see no assessment get 403, not 404.
    if !(caller.role == Role::Admin
        || caller.has_scope("members:read")
        || access::member_person(&caller).is_some()
        || access::contact_unit(&caller).is_some())
    {
        return Err(ApiError::forbidden("this assessment is outside your scope"));
    }
    let a = db.run(move |c| app::assessment(c, &caller, year, id)).await?;
    Ok(HttpResponse::Ok().json(a))
}

/// 登记年度考核 · Record the year's assessment.
///
/// 秘书处登记（或更正）年度工作考核结果（第十一条，R15）：优秀、合格、基本合格或不合格，附评语。
/// 每条聘任每个工作年度只有一个结果，再次登记即为更正，并记入审计日志。
/// 该聘任在该年度未在任（含待生效的续聘）答 422；评语超过 2000 个字符答 422。
///
/// Record (or correct) the year's result: excellent 优秀, competent 合格, basically_competent
/// 基本合格, incompetent 不合格 (R15). One result per appointment and work year.
#[utoipa::path(put, path = "/api/v1/members/assessments/{year}/{appointment_id}", tag = "assessments",
    extensions(("x-roles" = json!(["admin"]))),
    params(("year" = i32, Path), ("appointment_id" = i64, Path)), request_body = AssessmentInput,
    responses((status = 200, body = Assessment),
        (status = 422, description = "该聘任在该年度未在任 · The appointment did not run in that year", body = Problem, content_type = "application/problem+json")))]
pub async fn put_assessment(
    caller: Caller,
    path: web::Path<(i32, i64)>,
    body_in: Json<AssessmentInput>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let (year, id) = path.into_inner();
    let input = body_in.into_inner();
    if input.comment.chars().count() > 2000 {
        return Err(ApiError::validation(vec![FieldError::new(
            "comment",
            Code::TooLong,
            "at most 2000 characters",
        )]));
    }
    let a = db
        .write(move |c| app::put_assessment(c, &caller, year, id, input.result, &input.comment))
        .await?;
    Ok(HttpResponse::Ok().json(a))
}

/// 新的表彰（褒奖，R16）：表彰一名成员或一个单位，签发荣誉证书。
/// A new commendation (褒奖, R16) of a member or a unit, with its 荣誉证书.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2026, "person_id": 7,
    "citation": "在数控技术专业建设协作组工作中积极主动、成效显著，牵头完成工学一体化课程开发，贡献突出"}))]
pub struct NewCommendation {
    /// 表彰年度，2000–2100。The year commended, 2000–2100.
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// 受表彰的成员；与 unit_id 二者给且只给一个。Exactly one of person_id and unit_id.
    pub person_id: Option<i64>,
    /// 受表彰的单位；与 person_id 二者给且只给一个。The unit commended; exactly one of person_id and unit_id.
    pub unit_id: Option<i64>,
    /// 表彰事由，1–500 个字符，印在荣誉证书上。The citation, 1–500 characters, printed on the certificate.
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub citation: String,
}

/// What [`create_commendation`] asks of a [`NewCommendation`] beyond its fields: exactly one of
/// person_id and unit_id.
pub struct NewCommendationConditions;

impl utoipa::Modify for NewCommendationConditions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let one_of = serde_json::json!({"oneOf": [
            {"required": ["person_id"], "properties": {"person_id": {"type": "integer"}}},
            {"required": ["unit_id"], "properties": {"unit_id": {"type": "integer"}}},
        ]});
        service_kit::contract::add_condition(doc, "NewCommendation", one_of);
    }
}

/// 表彰列表 · List commendations.
///
/// 对工作积极、成效显著、贡献较大的成员及其单位的表彰（第十五条，R16），按表彰先后排列（最新的在最后）。
///
/// Commendations, newest last.
#[utoipa::path(get, path = "/api/v1/members/commendations", tag = "assessments", params(PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses((status = 200, body = Page<Commendation>)))]
pub async fn list_commendations(
    _caller: Caller,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let w = page.window()?;
    let page = db.run(move |c| app::commendations(c, w)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Exactly one recipient, a citation and a year in range; every problem at once.
fn check_commendation(n: &NewCommendation) -> Result<Recipient, ApiError> {
    let mut errors = Vec::new();
    check_text("citation", &n.citation, 500, &mut errors);
    if n.person_id.is_some() == n.unit_id.is_some() {
        errors.push(FieldError::new(
            "person_id",
            Code::OneOf,
            "give exactly one of person_id and unit_id",
        ));
    }
    if !(2000..=2100).contains(&n.year) {
        errors.push(FieldError::new(
            "year",
            Code::InvalidYear,
            "a year between 2000 and 2100",
        ));
    }
    match (n.person_id, n.unit_id) {
        (Some(p), None) if errors.is_empty() => Ok(Recipient::Person(p)),
        (None, Some(u)) if errors.is_empty() => Ok(Recipient::Unit(u)),
        _ => Err(ApiError::validation(errors)),
    }
}

/// 表彰成员或单位 · Commend a member or a unit.
///
/// 秘书处表彰一名成员或一个单位（褒奖，R16）：记录年度和表彰事由，由文件服务签发荣誉证书，
/// 发给本人，或发给单位联系人。成员和单位须给且只给一个；年度不在 2000–2100、事由为空或过长时答 422，
/// 各项问题一并列出；成员或单位不存在也答 422。
///
/// Commend a member or a unit (褒奖, R16); a 荣誉证书 is issued and sent.
#[utoipa::path(post, path = "/api/v1/members/commendations", tag = "assessments", request_body = NewCommendation,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Commendation), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_commendation(
    caller: Caller,
    body_in: Json<NewCommendation>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let n = body_in.into_inner();
    let recipient = check_commendation(&n)?;
    let row = db
        .write(move |c| app::commend(c, &caller, n.year, recipient, &n.citation))
        .await?;
    Ok(HttpResponse::Created().json(row))
}
