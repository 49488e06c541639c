//! The bulk import of units and people from CSV (a dry run that reports every bad row, then an
//! all-or-nothing commit) and the roster export (成员名册) as CSV or XLSX.

use std::collections::BTreeSet;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use service_kit::{ApiError, Caller, Code, DbConn};
use utoipa::ToSchema;

use super::{edge, people as app_people};
use crate::db::appointments::{self, RosterQuery};
use crate::db::audit;
use crate::db::models::{NewUnitRow, UnitRow};
use crate::db::{people, units};
use crate::domain::import::{ImportRow, RowError, parse};
use crate::domain::people::{UnitKind, ValidPerson};

/// CSV 中一行的一个问题。One problem with one row of the CSV.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportIssue {
    /// 出错的行号（表头为第 1 行）。The line number (the header is line 1).
    pub line: u64,
    /// 出错的字段，如 email。The field.
    pub field: String,
    /// 稳定的问题代码，如 invalid_email。The problem's stable code.
    pub code: Code,
    /// 问题说明。What is wrong.
    pub message: String,
}

/// 导入报告：只检查时说明将要写入什么，写入时说明已写入什么。
/// The import report: what a dry run would write, or what a commit wrote.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    /// 是否已写入。Whether anything was written.
    pub committed: bool,
    /// 数据行数（不含表头）。The data rows (without the header).
    pub rows: usize,
    /// 没有问题的行数。The rows without problems.
    pub valid_rows: usize,
    /// 将新建（或已新建）的单位数。The units to create (or created).
    pub units_to_create: usize,
    /// 将新建（或已新建）的人员数。The people to create (or created).
    pub people_to_create: usize,
    /// 每一行的每个问题。Every problem of every row.
    pub errors: Vec<ImportIssue>,
}

/// Parses a CSV file: its rows, or the 422 of a file that is not a CSV of people (no header with
/// the required columns: there are no rows to report on, so even a dry run refuses it).
fn read(csv: &[u8]) -> Result<(Vec<ImportRow>, Vec<RowError>), ApiError> {
    let (rows, errors) = parse(csv, &edge::context());
    if errors.iter().any(is_header_error) {
        return Err(ApiError::unprocessable(
            Code::ImportInvalid,
            "the file is not a CSV of people: its header lacks a required column",
        )
        .with_field_errors(errors.iter().map(RowError::to_field_error).collect()));
    }
    Ok((rows, errors))
}

/// Parses a CSV file of units and people, checks its rows against what is stored (unit kinds
/// must agree, people must be new) and, with `commit`, writes every unit and person or nothing.
pub fn import(c: &mut DbConn, caller: &Caller, csv: &[u8], commit: bool) -> Result<ImportReport, ApiError> {
    let (rows, mut errors) = read(csv)?;
    let names: Vec<String> = rows.iter().map(|r| r.unit_name.clone()).collect();
    let existing = units::by_names(c, &names)?;
    let new_units = check_against_stored(c, &rows, &existing, &mut errors)?;
    errors.sort_by_key(|e| e.line);
    let mut report = ImportReport {
        committed: false,
        rows: rows.len() + errors.iter().map(|e| e.line).collect::<BTreeSet<_>>().len(),
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
    for (name, kind) in new_units {
        let row = NewUnitRow {
            name,
            kind,
            address: None,
            contact_name: None,
            contact_email: None,
            contact_phone: None,
            created_at: now,
            updated_at: now,
        };
        let u = units::insert(c, &row)?;
        audit::created(c, caller, "unit", u.id, &u)?;
    }
    let all = units::by_names(c, &names)?;
    for r in rows {
        let unit_id = all.iter().find(|u| u.name == r.unit_name).map_or(-1, |u| u.id);
        let p = ValidPerson {
            name: r.name,
            unit_id,
            job_post: r.job_post.trim().to_owned(),
            title_level: r.title_level,
            specialty: r.specialty.trim().to_owned(),
            date_of_birth: r.date_of_birth,
            email: r.email,
            phone: r.phone,
        };
        app_people::insert(c, &p, caller)?;
    }
    report.committed = true;
    Ok(report)
}

/// Rows whose unit is registered with another kind, or whose person is registered already,
/// become errors; returns the units to create.
fn check_against_stored(
    c: &mut DbConn,
    rows: &[ImportRow],
    existing: &[UnitRow],
    errors: &mut Vec<RowError>,
) -> Result<Vec<(String, UnitKind)>, ApiError> {
    let mut new_units: Vec<(String, UnitKind)> = Vec::new();
    for r in rows {
        match existing.iter().find(|u| u.name == r.unit_name) {
            Some(u) if u.kind != r.unit_kind => errors.push(RowError {
                line: r.line,
                field: "unit_kind".into(),
                code: Code::UnitKindMismatch,
                message: format!("{} is registered as {}", u.name, u.kind),
            }),
            Some(u) => {
                let birth = r.date_of_birth.map(|d| d.date());
                if people::count_same(c, u.id, r.name.as_str(), birth)? > 0 {
                    errors.push(RowError {
                        line: r.line,
                        field: "name".into(),
                        code: Code::PersonExists,
                        message: format!("{} of {} is already registered", r.name.as_str(), u.name),
                    });
                }
            }
            None if !new_units.iter().any(|(n, _)| *n == r.unit_name) => {
                new_units.push((r.unit_name.clone(), r.unit_kind))
            }
            None => {}
        }
    }
    Ok(new_units)
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

/// The two files the roster comes as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterFormat {
    /// UTF-8 with a BOM, for Excel.
    Csv,
    Xlsx,
}

impl RosterFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            RosterFormat::Csv => "text/csv; charset=utf-8",
            RosterFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            RosterFormat::Csv => "csv",
            RosterFormat::Xlsx => "xlsx",
        }
    }
}

/// The roster (成员名册) as a file, with Chinese headers and labels.
pub fn roster_file(c: &mut DbConn, f: &RosterQuery, format: RosterFormat) -> Result<Vec<u8>, ApiError> {
    let cells = roster(c, f)?;
    match format {
        RosterFormat::Csv => roster_csv(&cells),
        RosterFormat::Xlsx => roster_xlsx(&cells),
    }
}

/// The roster's lines, as the cells of its sheet (labels in Chinese).
fn roster(c: &mut DbConn, f: &RosterQuery) -> Result<Vec<[String; 11]>, ApiError> {
    Ok(appointments::roster(c, f)?
        .into_iter()
        .map(|r| {
            [
                r.0,
                alliance_events::numerals::term_label(i64::from(r.1)),
                r.2.label_zh().to_owned(),
                r.3,
                r.4,
                r.5.label_zh().to_owned(),
                r.6.to_string(),
                r.7.to_string(),
                r.8.label_zh().to_owned(),
                r.9.map(|d| d.to_string()).unwrap_or_default(),
                r.10.unwrap_or_default(),
            ]
        })
        .collect())
}

/// The roster as CSV: UTF-8 with a BOM, for Excel.
fn roster_csv(cells: &[[String; 11]]) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(HEADERS).map_err(ApiError::internal)?;
    for row in cells {
        w.write_record(row).map_err(ApiError::internal)?;
    }
    w.into_inner().map_err(ApiError::internal)
}

/// The roster as an XLSX workbook with one sheet, 成员名册.
fn roster_xlsx(cells: &[[String; 11]]) -> Result<Vec<u8>, ApiError> {
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
