//! `POST /people:import` (CSV of units and people: a dry run that reports every bad row, then
//! an all-or-nothing commit) and `GET /people:export` (the roster as CSV or XLSX, Chinese
//! headers, filterable by body, term and status).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use service_kit::{ApiError, Caller, Code, Db, Problem};
use utoipa::IntoParams;

use super::access;
use crate::app::import::{self as app, ImportReport, RosterFormat};
use crate::clock;
use crate::db::appointments::RosterQuery;
use crate::domain::appointments::AppointmentStatus;

/// Largest CSV accepted (about 20,000 rows).
pub const IMPORT_LIMIT: usize = 5 * 1024 * 1024;

/// 导入方式：只检查，或写入。Whether an import only checks or writes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// false（默认）：只检查并报告；true：全部写入，有任何错误则一条也不写。
    /// false (default): check only and report; true: write everything or nothing.
    #[serde(default)]
    pub commit: bool,
}

/// 批量导入单位和人员 · Import units and people from CSV.
///
/// 从 CSV 文件（UTF-8）批量导入单位和人员，表头可用中文或英文：单位名称/unit_name、单位类型/unit_kind、
/// 姓名/name、职务/job_post、职称级别/title_level、出生日期/date_of_birth、电子邮箱/email、联系电话/phone、
/// 专业背景/specialty。单位按名称匹配，没有的新建。不带 `commit=true` 时只检查、不写入，报告列出每一行的问题；
/// 带 `commit=true` 时全部写入或全部不写，有错误行答 422 并列出每一行（`import_invalid`）。
/// 不是这样的 CSV（表头缺少必需的列 `missing_column`，或无法读取 `unreadable_csv`）时，即使只检查也答 422。
///
/// Import units and people from CSV (UTF-8; headers in Chinese or English:
/// 单位名称/unit_name, 单位类型/unit_kind, 姓名/name, 职务/job_post, 职称级别/title_level,
/// 出生日期/date_of_birth, 电子邮箱/email, 联系电话/phone, 专业背景/specialty). Units are matched
/// by name and created when new. Without `commit=true` nothing is written. A body that is not
/// such a CSV (no header with the required columns) is refused outright, on a dry run too.
#[utoipa::path(post, path = "/api/v1/members/people:import", tag = "people", params(ImportQuery),
    extensions(("x-roles" = json!(["admin"]))),
    request_body(content = String, content_type = "text/csv",
        example = "单位名称,单位类型,姓名,职务,职称级别,出生日期,电子邮箱,联系电话,专业背景\n天津市机电工艺技师学院,技工院校,张伟,副校长,正高级,1970-05-01,zw@example.cn,13812345678,数控技术\n"),
    responses((status = 200, description = "检查报告，或写入的结果 · Dry-run report, or the committed result", body = ImportReport),
        (status = 422, description = "不是人员 CSV，或写入被拒（列出每一错误行） · Not a CSV of people: the header lacks a required column (`missing_column`) or cannot be read (`unreadable_csv`), on a dry run too; or commit refused: the problem lists every bad row (`import_invalid`)", body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    caller: Caller,
    q: web::Query<ImportQuery>,
    body: web::Bytes,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let commit = q.commit;
    let report = db.write(move |c| app::import(c, &caller, &body, commit)).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// 成员名册的导出条件。What the roster export includes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// 文件格式：csv（默认）或 xlsx。csv (default) or xlsx
    #[param(pattern = "^(csv|xlsx)$")]
    pub format: Option<String>,
    /// 只导出此机构的聘任。Only this body's appointments.
    pub body_id: Option<i64>,
    /// 只导出此届的聘任。Only this term's appointments.
    pub term_id: Option<i64>,
    /// 聘任状态；不填时导出全部。Appointment status; all when absent.
    pub status: Option<AppointmentStatus>,
}

/// 导出成员名册 · Export the roster.
///
/// 导出成员名册，格式为 CSV（UTF-8 带 BOM，可直接用 Excel 打开）或 XLSX，表头为中文；
/// 可按机构、届次和聘任状态筛选。格式不是 csv 或 xlsx 答 400。
///
/// The roster (成员名册) as CSV (UTF-8 with BOM, for Excel) or XLSX, with Chinese headers.
#[utoipa::path(get, path = "/api/v1/members/people:export", tag = "people", params(ExportQuery),
    extensions(("x-roles" = json!(["admin", "service:members:read"]))),
    responses((status = 200, description = "CSV（默认）或 XLSX（format=xlsx） · text/csv (default) or XLSX (format=xlsx)", content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn export(caller: Caller, q: web::Query<ExportQuery>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require_admin_or_scope("members:read")?;
    let q = q.into_inner();
    let format = match q.format.as_deref() {
        None | Some("csv") => RosterFormat::Csv,
        Some("xlsx") => RosterFormat::Xlsx,
        Some(_) => return Err(ApiError::bad_request(Code::InvalidFormat, "format is csv or xlsx")),
    };
    let f = RosterQuery {
        body_id: q.body_id,
        term_id: q.term_id,
        status: q.status,
    };
    let bytes = db.run(move |c| app::roster_file(c, &f, format)).await?;
    let stamp = clock::today().format("%Y%m%d");
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"roster-{stamp}.{}\"", format.extension()),
        ))
        .body(bytes))
}
