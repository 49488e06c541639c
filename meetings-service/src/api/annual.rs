//! A body's annual work plan (年度工作计划) and report (年度工作报告):
//! `GET/POST /bodies/{id}/work-plans`, `GET/POST /bodies/{id}/work-reports`, and the attached
//! file at `…/{year}/file`. One of each per body and year; attached to a plenary's agenda (R19).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::json::Json;
use service_kit::{ApiError, Caller, Code, Db, FieldError, Problem};
use utoipa::ToSchema;

use super::access;
use crate::db::models::AnnualDocumentRow;
use crate::db::schema::annual_documents;

/// Largest attached file (decoded).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Largest request body of a create (the file travels as base64).
pub const BODY_LIMIT: usize = MAX_FILE_BYTES * 4 / 3 + 256 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    WorkPlan,
    WorkReport,
}

impl DocKind {
    fn as_str(self) -> &'static str {
        match self {
            DocKind::WorkPlan => "work_plan",
            DocKind::WorkReport => "work_report",
        }
    }
    fn label_zh(self) -> &'static str {
        match self {
            DocKind::WorkPlan => "年度工作计划",
            DocKind::WorkReport => "年度工作报告",
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 1, "body_id": 4, "kind": "work_report", "kind_label": "年度工作报告", "year": 2026,
    "title": "数控技术专业建设协作组2026年度工作报告", "text": "一、主要工作……",
    "file": {"name": "2026年度工作报告.pdf", "content_type": "application/pdf", "size": 20480},
    "created_by": "account:1", "created_at": "2026-11-24T08:00:00.000Z"}))]
pub struct AnnualDocument {
    pub id: i64,
    pub body_id: i64,
    /// work_plan or work_report.
    pub kind: String,
    pub kind_label: String,
    pub year: i32,
    pub title: String,
    pub text: String,
    /// The attached file, if any; download it at `…/{year}/file`.
    pub file: Option<FileInfo>,
    pub created_by: String,
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FileInfo {
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

fn view(r: AnnualDocumentRow, kind: DocKind) -> AnnualDocument {
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
        kind_label: kind.label_zh().to_owned(),
        year: r.year,
        title: r.title,
        text: r.text,
        file,
        created_by: r.created_by,
        created_at: r.created_at,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFile {
    #[schema(pattern = r"\S")]
    pub name: String,
    /// e.g. application/pdf
    #[schema(pattern = "/")]
    pub content_type: String,
    /// The file's bytes, base64 (standard alphabet, padded); at most 10 MiB decoded.
    #[schema(
        pattern = r"^\s*(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)\s*$"
    )]
    pub content_base64: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2027, "title": "数控技术专业建设协作组2027年度工作计划", "text": "一、指导思想……",
    "file": {"name": "2027年度工作计划.pdf", "content_type": "application/pdf", "content_base64": "JVBERi0xLjcK..."}}))]
pub struct NewAnnualDocument {
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    #[schema(max_length = 200, pattern = r"\S")]
    pub title: String,
    pub text: String,
    pub file: Option<NewFile>,
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

async fn list(caller: Caller, body_id: i64, kind: DocKind, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::read(&caller)?;
    let rows: Vec<AnnualDocumentRow> = db
        .run(move |c| {
            Ok(annual_documents::table
                .filter(annual_documents::body_id.eq(body_id))
                .filter(annual_documents::kind.eq(kind.as_str()))
                .order(annual_documents::year)
                .select(AnnualDocumentRow::as_select())
                .load(c)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(|r| view(r, kind)).collect::<Vec<_>>()))
}

async fn create(
    caller: Caller,
    body_id: i64,
    kind: DocKind,
    n: NewAnnualDocument,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::manage(&caller, body_id)?;
    let mut errors = Vec::new();
    if !(2000..=2100).contains(&n.year) {
        errors.push(FieldError::new(
            "year",
            Code::OutOfRange,
            "a year between 2000 and 2100",
        ));
    }
    if n.title.trim().is_empty() {
        errors.push(FieldError::new("title", Code::Required, "must not be empty"));
    } else if n.title.trim().chars().count() > 200 {
        errors.push(FieldError::new("title", Code::TooLong, "at most 200 characters"));
    }
    if n.text.trim().is_empty() && n.file.is_none() {
        errors.push(FieldError::new(
            "text",
            Code::Required,
            "give the text, a file, or both",
        ));
    }
    let mut file = None;
    if let Some(f) = &n.file {
        if f.name.trim().is_empty() {
            errors.push(FieldError::new("file.name", Code::Required, "must not be empty"));
        }
        if f.content_type.trim().is_empty() || !f.content_type.contains('/') {
            errors.push(FieldError::new(
                "file.content_type",
                Code::Invalid,
                "a media type such as application/pdf",
            ));
        }
        match STANDARD.decode(f.content_base64.trim()) {
            Ok(bytes) if bytes.len() > MAX_FILE_BYTES => errors.push(FieldError::new(
                "file.content_base64",
                Code::TooLarge,
                format!("at most {MAX_FILE_BYTES} bytes"),
            )),
            Ok(bytes) if bytes.is_empty() => {
                errors.push(FieldError::new("file.content_base64", Code::Empty, "the file is empty"))
            }
            Ok(bytes) => file = Some((f.name.trim().to_owned(), f.content_type.trim().to_owned(), bytes.len())),
            Err(_) => errors.push(FieldError::new(
                "file.content_base64",
                Code::InvalidBase64,
                "not base64",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let subject = caller.subject.clone();
    let row: AnnualDocumentRow = db
        .write(move |c| {
            let exists: i64 = annual_documents::table
                .filter(annual_documents::body_id.eq(body_id))
                .filter(annual_documents::kind.eq(kind.as_str()))
                .filter(annual_documents::year.eq(n.year))
                .count()
                .get_result(c)?;
            if exists > 0 {
                return Err(ApiError::conflict(
                    Code::AlreadyExists,
                    format!("body {body_id} already has its {} for {}", kind.label_zh(), n.year),
                ));
            }
            let size = file.as_ref().map(|(_, _, s)| *s as i64);
            Ok(diesel::insert_into(annual_documents::table)
                .values((
                    annual_documents::body_id.eq(body_id),
                    annual_documents::kind.eq(kind.as_str()),
                    annual_documents::year.eq(n.year),
                    annual_documents::title.eq(n.title.trim()),
                    annual_documents::text.eq(n.text.trim()),
                    annual_documents::file_name.eq(file.as_ref().map(|(name, _, _)| name.clone())),
                    annual_documents::file_content_type.eq(file.as_ref().map(|(_, t, _)| t.clone())),
                    annual_documents::file_base64.eq(n.file.map(|f| f.content_base64.trim().to_owned())),
                    annual_documents::file_size.eq(size),
                    annual_documents::created_by.eq(subject),
                    annual_documents::created_at.eq(Utc::now().naive_utc()),
                ))
                .returning(annual_documents::all_columns)
                .get_result(c)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(view(row, kind)))
}

async fn file(
    caller: Caller,
    body_id: i64,
    year: i32,
    kind: DocKind,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::read(&caller)?;
    let row: AnnualDocumentRow = db
        .run(move |c| {
            annual_documents::table
                .filter(annual_documents::body_id.eq(body_id))
                .filter(annual_documents::kind.eq(kind.as_str()))
                .filter(annual_documents::year.eq(year))
                .select(AnnualDocumentRow::as_select())
                .first(c)
                .optional()?
                .ok_or_else(|| ApiError::not_found(format!("body {body_id} has no {} for {year}", kind.label_zh())))
        })
        .await?;
    let (Some(b64), Some(ct)) = (row.file_base64, row.file_content_type) else {
        return Err(ApiError::not_found("this document has no file"));
    };
    let bytes = STANDARD.decode(b64.as_bytes()).map_err(ApiError::internal)?;
    let name = row.file_name.unwrap_or_else(|| "file".into());
    Ok(HttpResponse::Ok()
        .content_type(ct)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename*=UTF-8''{}", percent_encode(&name)),
        ))
        .body(bytes))
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

/// A body's annual work plans (年度工作计划), by year.
#[utoipa::path(get, path = "/api/v1/meetings/bodies/{id}/work-plans", tag = "work plans and reports", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    responses((status = 200, body = [AnnualDocument]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_plans(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    list(caller, id.into_inner(), DocKind::WorkPlan, db).await
}

/// Add a body's work plan for a year (one per year), with its text and an optional file.
#[utoipa::path(post, path = "/api/v1/meetings/bodies/{id}/work-plans", tag = "work plans and reports", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    request_body = NewAnnualDocument,
    responses((status = 201, body = AnnualDocument),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The year's plan exists (`already_exists`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_plan(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<NewAnnualDocument>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    create(caller, id.into_inner(), DocKind::WorkPlan, body_in.into_inner(), db).await
}

/// The file attached to a year's work plan, byte-exact.
#[utoipa::path(get, path = "/api/v1/meetings/bodies/{id}/work-plans/{year}/file", tag = "work plans and reports",
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    params(("id" = i64, Path), ("year" = i32, Path)),
    responses((status = 200, description = "The file, with its content type", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn plan_file(
    caller: Caller,
    path: web::Path<(i64, i32)>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let (id, year) = path.into_inner();
    file(caller, id, year, DocKind::WorkPlan, db).await
}

/// A body's annual work reports (年度工作报告), by year.
#[utoipa::path(get, path = "/api/v1/meetings/bodies/{id}/work-reports", tag = "work plans and reports", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    responses((status = 200, body = [AnnualDocument]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_reports(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    list(caller, id.into_inner(), DocKind::WorkReport, db).await
}

/// Add a body's work report for a year (one per year), with its text and an optional file.
#[utoipa::path(post, path = "/api/v1/meetings/bodies/{id}/work-reports", tag = "work plans and reports", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group"]))),
    request_body = NewAnnualDocument,
    responses((status = 201, body = AnnualDocument),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The year's report exists (`already_exists`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_report(
    caller: Caller,
    id: web::Path<i64>,
    body_in: Json<NewAnnualDocument>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    create(caller, id.into_inner(), DocKind::WorkReport, body_in.into_inner(), db).await
}

/// The file attached to a year's work report, byte-exact.
#[utoipa::path(get, path = "/api/v1/meetings/bodies/{id}/work-reports/{year}/file", tag = "work plans and reports",
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:meetings:read"]))),
    params(("id" = i64, Path), ("year" = i32, Path)),
    responses((status = 200, description = "The file, with its content type", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn report_file(
    caller: Caller,
    path: web::Path<(i64, i32)>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let (id, year) = path.into_inner();
    file(caller, id, year, DocKind::WorkReport, db).await
}
