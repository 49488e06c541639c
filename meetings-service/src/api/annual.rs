//! A body's annual work plan (年度工作计划) and report (年度工作报告):
//! `GET/POST /bodies/{id}/work-plans`, `GET/POST /bodies/{id}/work-reports`, and the attached
//! file at `…/{year}/file`. One of each per body and year; attached to a plenary's agenda (R19).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use service_kit::json::Json;
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::ToSchema;

use super::access;
use crate::app::annual as app;
use crate::db::models::AnnualDocumentRow;
use crate::domain::annual::{AnnualDocumentKind, MAX_FILE_BYTES};
pub use crate::domain::annual::{NewAnnualDocument, NewFile};

/// Largest request body of a create (the file travels as base64).
pub const BODY_LIMIT: usize = MAX_FILE_BYTES * 4 / 3 + 256 * 1024;

/// 年度工作计划或年度工作报告。A body's annual work plan or report.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 1, "body_id": 4, "kind": "work_report", "kind_label": "年度工作报告", "year": 2026,
    "title": "数控技术专业建设协作组2026年度工作报告", "text": "一、主要工作……",
    "file": {"name": "2026年度工作报告.pdf", "content_type": "application/pdf", "size": 20480},
    "created_by": "account:1", "created_at": "2026-11-24T08:00:00.000Z"}))]
pub struct AnnualDocument {
    /// 编号。The id.
    pub id: i64,
    /// 所属机构编号。The body's id.
    pub body_id: i64,
    /// 类型：work_plan（年度工作计划）或 work_report（年度工作报告）。work_plan or work_report.
    pub kind: AnnualDocumentKind,
    /// 类型的中文名称。The kind's Chinese label.
    pub kind_label: String,
    /// 年度。The year.
    pub year: i32,
    /// 标题。The title.
    pub title: String,
    /// 正文（可为空）。The text (may be empty).
    pub text: String,
    /// 附件（如有），在 `…/{year}/file` 下载。The attached file, if any; download it at `…/{year}/file`.
    pub file: Option<FileInfo>,
    /// 创建者账号。The account that added it.
    pub created_by: String,
    /// 创建时间（UTC）。When it was added (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

/// 附件信息。An attached file's facts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FileInfo {
    /// 文件名。The file's name.
    pub name: String,
    /// 媒体类型，如 application/pdf。The media type, e.g. application/pdf.
    pub content_type: String,
    /// 文件大小（字节）。The size in bytes.
    pub size: i64,
}

fn view(r: AnnualDocumentRow) -> AnnualDocument {
    let file = match (r.file_name, r.file_content_type, r.file_size) {
        (Some(name), Some(content_type), Some(size)) => Some(FileInfo {
            name,
            content_type,
            size,
        }),
        _ => None,
    };
    AnnualDocument {
        id: r.id,
        body_id: r.body_id,
        kind: r.kind,
        kind_label: r.kind.label_zh().to_owned(),
        year: r.year,
        title: r.title,
        text: r.text,
        file,
        created_by: r.created_by,
        created_at: r.created_at,
    }
}

/// What [`create`] asks of a [`NewAnnualDocument`] beyond its fields: the text, a file, or both
/// (a blank text with no file is refused).
pub struct NewAnnualDocumentConditions;

impl utoipa::Modify for NewAnnualDocumentConditions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let text_or_file = serde_json::json!({"anyOf": [
            {"properties": {"text": {"pattern": r"\S"}}},
            {"required": ["file"], "properties": {"file": {"type": "object"}}},
        ]});
        service_kit::contract::add_condition(doc, "NewAnnualDocument", text_or_file);
    }
}

async fn list(
    caller: Caller,
    body_id: i64,
    kind: AnnualDocumentKind,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::read(&caller)?;
    let rows = app::list(&db, body_id, kind).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(view).collect::<Vec<_>>()))
}

async fn create(
    caller: Caller,
    body_id: i64,
    kind: AnnualDocumentKind,
    n: NewAnnualDocument,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::manage(&caller, body_id)?;
    let file = n.check().map_err(ApiError::validation)?;
    let row = app::create(&db, body_id, kind, n, file, caller.subject.clone()).await?;
    Ok(HttpResponse::Created().json(view(row)))
}

async fn file(
    caller: Caller,
    body_id: i64,
    year: i32,
    kind: AnnualDocumentKind,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::read(&caller)?;
    let f = app::file(&db, body_id, kind, year).await?;
    Ok(HttpResponse::Ok()
        .content_type(f.content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename*=UTF-8''{}", percent_encode(&f.name)),
        ))
        .body(f.bytes))
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// 年度工作计划列表 · A body's annual work plans.
///
/// 某机构的年度工作计划，按年度排列；全体会议审议时作为议程附件（R19）。
///
/// A body's annual work plans (年度工作计划), by year.
#[utoipa::path(get, path = "/api/v1/meetings/bodies/{id}/work-plans", tag = "work plans and reports", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    responses((status = 200, body = [AnnualDocument]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_plans(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    list(caller, id.into_inner(), AnnualDocumentKind::WorkPlan, db).await
}

/// 新增年度工作计划 · Add a body's work plan for a year.
///
/// 为某机构新增某一年度的年度工作计划（每年一份），提供正文、附件或两者；附件以 base64 上传，解码后不超过 10 MiB。该年度计划已存在时返回 409（`already_exists`）；正文和附件均未提供或字段无效时返回 422。
///
/// Add a body's work plan for a year (one per year), with its text and an optional file.
#[utoipa::path(post, path = "/api/v1/meetings/bodies/{id}/work-plans", tag = "work plans and reports", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    request_body = NewAnnualDocument,
    responses((status = 201, body = AnnualDocument),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "该年度的工作计划已存在（`already_exists`） · The year's plan exists (`already_exists`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_plan(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<NewAnnualDocument>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    create(
        caller,
        id.into_inner(),
        AnnualDocumentKind::WorkPlan,
        body_in.into_inner(),
        db,
    )
    .await
}

/// 下载年度工作计划附件 · The file attached to a year's work plan.
///
/// 某年度工作计划的附件，按上传时的内容逐字节返回，附带原媒体类型；没有该计划或没有附件时返回 404。
///
/// The file attached to a year's work plan, byte-exact.
#[utoipa::path(get, path = "/api/v1/meetings/bodies/{id}/work-plans/{year}/file", tag = "work plans and reports",
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    params(("id" = i64, Path), ("year" = i32, Path)),
    responses((status = 200, description = "附件文件，附原媒体类型 · The file, with its content type", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn plan_file(
    caller: Caller,
    path: web::Path<(i64, i32)>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let (id, year) = path.into_inner();
    file(caller, id, year, AnnualDocumentKind::WorkPlan, db).await
}

/// 年度工作报告列表 · A body's annual work reports.
///
/// 某机构的年度工作报告（年度工作总结），按年度排列；全体会议审议年度工作报告时作为议程附件（R19）。
///
/// A body's annual work reports (年度工作报告), by year.
#[utoipa::path(get, path = "/api/v1/meetings/bodies/{id}/work-reports", tag = "work plans and reports", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    responses((status = 200, body = [AnnualDocument]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_reports(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    list(caller, id.into_inner(), AnnualDocumentKind::WorkReport, db).await
}

/// 新增年度工作报告 · Add a body's work report for a year.
///
/// 为某机构新增某一年度的年度工作报告（每年一份），提供正文、附件或两者；附件以 base64 上传，解码后不超过 10 MiB。该年度报告已存在时返回 409（`already_exists`）；正文和附件均未提供或字段无效时返回 422。
///
/// Add a body's work report for a year (one per year), with its text and an optional file.
#[utoipa::path(post, path = "/api/v1/meetings/bodies/{id}/work-reports", tag = "work plans and reports", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    request_body = NewAnnualDocument,
    responses((status = 201, body = AnnualDocument),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "该年度的工作报告已存在（`already_exists`） · The year's report exists (`already_exists`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_report(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<NewAnnualDocument>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    create(
        caller,
        id.into_inner(),
        AnnualDocumentKind::WorkReport,
        body_in.into_inner(),
        db,
    )
    .await
}

/// 下载年度工作报告附件 · The file attached to a year's work report.
///
/// 某年度工作报告的附件，按上传时的内容逐字节返回，附带原媒体类型；没有该报告或没有附件时返回 404。
///
/// The file attached to a year's work report, byte-exact.
#[utoipa::path(get, path = "/api/v1/meetings/bodies/{id}/work-reports/{year}/file", tag = "work plans and reports",
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    params(("id" = i64, Path), ("year" = i32, Path)),
    responses((status = 200, description = "附件文件，附原媒体类型 · The file, with its content type", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn report_file(
    caller: Caller,
    path: web::Path<(i64, i32)>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let (id, year) = path.into_inner();
    file(caller, id, year, AnnualDocumentKind::WorkReport, db).await
}
