//! `POST /people:import` (CSV of units and people: a dry run that reports every bad row, then
//! an all-or-nothing commit) and `GET /people:export` (the roster as CSV or XLSX, Chinese
//! headers, filterable by body, term and status).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::{ApiError, Caller, Code, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::clock;
use crate::db::audit;
use crate::db::models::UnitRow;
use crate::db::schema::{appointments, bodies, people, terms, units};
use crate::domain::appointments::AppointmentStatus;
use crate::domain::import::{RowError, parse};
use crate::domain::people::TitleLevel;
use crate::domain::posts::Post;

/// Largest CSV accepted (about 20,000 rows).
pub const IMPORT_LIMIT: usize = 5 * 1024 * 1024;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// false (default): check only and report; true: write everything or nothing.
    #[serde(default)]
    pub commit: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportIssue {
    pub line: u64,
    pub field: String,
    pub code: Code,
    pub message: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub committed: bool,
    pub rows: usize,
    pub valid_rows: usize,
    pub units_to_create: usize,
    pub people_to_create: usize,
    pub errors: Vec<ImportIssue>,
}

/// A problem with the file's header: [`parse`] reads no row after one.
fn is_header_error(e: &RowError) -> bool {
    e.line == 1 && matches!(e.code, Code::MissingColumn | Code::UnreadableCsv)
}

fn issue(e: &RowError) -> ImportIssue {
    ImportIssue {
        line: e.line,
        field: e.field.clone(),
        code: e.code,
        message: e.message.clone(),
    }
}

/// Import units and people from CSV (UTF-8; headers in Chinese or English:
/// 单位名称/unit_name, 单位类型/unit_kind, 姓名/name, 职务/job_post, 职称级别/title_level,
/// 出生日期/date_of_birth, 电子邮箱/email, 联系电话/phone, 专业背景/specialty). Units are matched
/// by name and created when new. Without `commit=true` nothing is written. A body that is not
/// such a CSV (no header with the required columns) is refused outright, on a dry run too.
#[utoipa::path(post, path = "/api/v1/members/people:import", tag = "people", params(ImportQuery),
    extensions(("x-roles" = json!(["admin"]))),
    request_body(content = String, content_type = "text/csv",
        example = "单位名称,单位类型,姓名,职务,职称级别,出生日期,电子邮箱,联系电话,专业背景\n天津市机电工艺技师学院,技工院校,张伟,副校长,正高级,1970-05-01,zw@example.cn,13812345678,数控技术\n"),
    responses((status = 200, description = "Dry-run report, or the committed result", body = ImportReport),
        (status = 422, description = "Not a CSV of people: the header lacks a required column (`missing_column`) or cannot be read (`unreadable_csv`), on a dry run too; or commit refused: the problem lists every bad row (`import_invalid`)", body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    caller: Caller,
    q: web::Query<ImportQuery>,
    body: web::Bytes,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let commit = q.commit;
    let (rows, mut errors) = parse(&body, &crate::app::edge::context());
    // No header with the required columns: there are no rows to report on, so even a dry run
    // refuses it (a JSON document or any other text sent here is not a file of people).
    if errors.iter().any(is_header_error) {
        return Err(ApiError::unprocessable(
            Code::ImportInvalid,
            "the file is not a CSV of people: its header lacks a required column",
        )
        .with_field_errors(errors.iter().map(RowError::to_field_error).collect()));
    }
    let report = db
        .write(move |c| {
            // Checks against what is stored: unit kinds must agree, people must be new.
            let names: Vec<String> = rows.iter().map(|r| r.unit_name.clone()).collect();
            let existing: Vec<UnitRow> = units::table
                .filter(units::name.eq_any(&names))
                .select(UnitRow::as_select())
                .load(c)?;
            let mut new_units: Vec<(String, &'static str)> = Vec::new();
            for r in &rows {
                match existing.iter().find(|u| u.name == r.unit_name) {
                    Some(u) if u.kind != r.unit_kind.as_str() => errors.push(RowError {
                        line: r.line,
                        field: "unit_kind".into(),
                        code: Code::UnitKindMismatch,
                        message: format!("{} is registered as {}", u.name, u.kind),
                    }),
                    Some(u) => {
                        let mut same = people::table
                            .filter(people::unit_id.eq(u.id))
                            .filter(people::name.eq(r.name.as_str()))
                            .into_boxed();
                        same = match r.date_of_birth {
                            Some(d) => same.filter(people::date_of_birth.eq(d.date())),
                            None => same.filter(people::date_of_birth.is_null()),
                        };
                        let dup: i64 = same.count().get_result(c)?;
                        if dup > 0 {
                            errors.push(RowError {
                                line: r.line,
                                field: "name".into(),
                                code: Code::PersonExists,
                                message: format!("{} of {} is already registered", r.name.as_str(), u.name),
                            });
                        }
                    }
                    None if !new_units.iter().any(|(n, _)| *n == r.unit_name) => {
                        new_units.push((r.unit_name.clone(), r.unit_kind.as_str()))
                    }
                    None => {}
                }
            }
            errors.sort_by_key(|e| e.line);
            let mut report = ImportReport {
                committed: false,
                rows: rows.len()
                    + errors
                        .iter()
                        .map(|e| e.line)
                        .collect::<std::collections::BTreeSet<_>>()
                        .len(),
                valid_rows: rows.len(),
                units_to_create: new_units.len(),
                people_to_create: rows.len(),
                errors: errors.iter().map(issue).collect(),
            };
            if !commit {
                return Ok(report);
            }
            if !errors.is_empty() {
                return Err(ApiError::unprocessable(
                    Code::ImportInvalid,
                    format!("{} problems in the file; nothing was imported", errors.len()),
                )
                .with_field_errors(errors.iter().map(RowError::to_field_error).collect()));
            }
            let now = Utc::now().naive_utc();
            for (name, kind) in &new_units {
                let u: UnitRow = diesel::insert_into(units::table)
                    .values((
                        units::name.eq(name),
                        units::kind.eq(kind),
                        units::created_at.eq(now),
                        units::updated_at.eq(now),
                    ))
                    .returning(units::all_columns)
                    .get_result(c)?;
                audit::created(c, &caller, "unit", u.id, &u)?;
            }
            let all: Vec<(i64, String)> = units::table
                .filter(units::name.eq_any(&names))
                .select((units::id, units::name))
                .load(c)?;
            for r in &rows {
                let unit_id = all
                    .iter()
                    .find(|(_, n)| *n == r.unit_name)
                    .map(|(id, _)| *id)
                    .unwrap_or(-1);
                let p = super::people::NewPerson {
                    name: r.name.as_str().to_owned(),
                    unit_id,
                    job_post: r.job_post.clone(),
                    title_level: r.title_level,
                    specialty: r.specialty.clone(),
                    date_of_birth: r.date_of_birth.map(|d| d.date()),
                    email: r.email.as_ref().map(|e| e.as_str().to_owned()),
                    phone: r.phone.clone(),
                };
                super::people::insert(c, &p, &caller)?;
            }
            report.committed = true;
            Ok(report)
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// csv (default) or xlsx
    #[param(pattern = "^(csv|xlsx)$")]
    pub format: Option<String>,
    pub body_id: Option<i64>,
    pub term_id: Option<i64>,
    /// Appointment status; all when absent.
    pub status: Option<AppointmentStatus>,
}

const HEADERS: [&str; 11] = [
    "机构",
    "届次",
    "职务",
    "姓名",
    "单位",
    "职称级别",
    "任职开始",
    "任职结束",
    "状态",
    "离任日期",
    "离任原因",
];

type RosterRow = (
    String,
    i32,
    String,
    String,
    String,
    String,
    NaiveDate,
    NaiveDate,
    String,
    Option<NaiveDate>,
    Option<String>,
);

/// The roster (成员名册) as CSV (UTF-8 with BOM, for Excel) or XLSX, with Chinese headers.
#[utoipa::path(get, path = "/api/v1/members/people:export", tag = "people", params(ExportQuery),
    extensions(("x-roles" = json!(["admin", "service:members:read"]))),
    responses((status = 200, description = "text/csv (default) or XLSX (format=xlsx)", content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn export(caller: Caller, q: web::Query<ExportQuery>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require_admin_or_scope("members:read")?;
    let q = q.into_inner();
    let format = q.format.clone().unwrap_or_else(|| "csv".into());
    if format != "csv" && format != "xlsx" {
        return Err(ApiError::bad_request(Code::InvalidFormat, "format is csv or xlsx"));
    }
    let rows: Vec<RosterRow> = db
        .run(move |c| {
            let mut query = appointments::table
                .inner_join(people::table)
                .inner_join(bodies::table)
                .inner_join(terms::table)
                .inner_join(units::table.on(units::id.eq(appointments::unit_id)))
                .order((appointments::body_id, appointments::id))
                .select((
                    bodies::name,
                    terms::number,
                    appointments::post,
                    people::name,
                    units::name,
                    people::title_level,
                    appointments::starts_on,
                    appointments::ends_on,
                    appointments::status,
                    appointments::ended_on,
                    appointments::end_reason,
                ))
                .into_boxed();
            if let Some(b) = q.body_id {
                query = query.filter(appointments::body_id.eq(b));
            }
            if let Some(t) = q.term_id {
                query = query.filter(appointments::term_id.eq(t));
            }
            if let Some(s) = q.status {
                query = query.filter(appointments::status.eq(s.as_str()));
            }
            Ok(query.load(c)?)
        })
        .await?;
    let cells: Vec<[String; 11]> = rows
        .into_iter()
        .map(|r| {
            [
                r.0,
                format!("第{}届", r.1),
                Post::parse(&r.2).map(|p| p.label_zh().to_owned()).unwrap_or(r.2),
                r.3,
                r.4,
                TitleLevel::parse(&r.5).map(|t| t.label_zh().to_owned()).unwrap_or(r.5),
                r.6.to_string(),
                r.7.to_string(),
                AppointmentStatus::parse(&r.8)
                    .map(|s| s.label_zh().to_owned())
                    .unwrap_or(r.8),
                r.9.map(|d| d.to_string()).unwrap_or_default(),
                r.10.unwrap_or_default(),
            ]
        })
        .collect();
    let stamp = clock::today().format("%Y%m%d");
    if format == "xlsx" {
        let bytes = web::block(move || xlsx(&cells)).await.map_err(ApiError::internal)??;
        return Ok(HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"roster-{stamp}.xlsx\""),
            ))
            .body(bytes));
    }
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(HEADERS).map_err(ApiError::internal)?;
    for row in &cells {
        w.write_record(row).map_err(ApiError::internal)?;
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"roster-{stamp}.csv\""),
        ))
        .body(bytes))
}

fn xlsx(cells: &[[String; 11]]) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("成员名册").map_err(ApiError::internal)?;
    let bold = Format::new().set_bold();
    for (col, h) in HEADERS.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *h, &bold)
            .map_err(ApiError::internal)?;
    }
    for (i, row) in cells.iter().enumerate() {
        for (col, v) in row.iter().enumerate() {
            sheet
                .write_string(i as u32 + 1, col as u16, v)
                .map_err(ApiError::internal)?;
        }
    }
    book.save_to_buffer().map_err(ApiError::internal)
}
