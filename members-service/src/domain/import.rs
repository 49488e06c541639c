//! Bulk import of units and people from CSV: every row is parsed and checked without I/O, so a
//! dry run reports every bad row with its line and reason before anything is written.

use std::collections::HashSet;

use chrono::NaiveDate;
use service_kit::{Code, FieldError};

use super::people::{TitleLevel, UnitKind, check_phone, check_text};
use super::values::{BirthDate, Email, ParseContext, PersonName};

/// One valid row: a person and the unit they belong to (created if new).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: u64,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub name: PersonName,
    pub job_post: String,
    pub title_level: TitleLevel,
    pub date_of_birth: Option<BirthDate>,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub specialty: String,
}

/// A problem with one row (or the header, line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub code: Code,
    pub message: String,
}

impl RowError {
    pub fn to_field_error(&self) -> FieldError {
        FieldError::new(
            format!("line {}: {}", self.line, self.field),
            self.code,
            self.message.clone(),
        )
    }
}

/// Column names accepted, Chinese or English.
const COLUMNS: [(&str, &str); 9] = [
    ("unit_name", "单位名称"),
    ("unit_kind", "单位类型"),
    ("name", "姓名"),
    ("job_post", "职务"),
    ("title_level", "职称级别"),
    ("date_of_birth", "出生日期"),
    ("email", "电子邮箱"),
    ("phone", "联系电话"),
    ("specialty", "专业背景"),
];
const REQUIRED: [&str; 4] = ["unit_name", "unit_kind", "name", "title_level"];

fn parse_unit_kind(v: &str) -> Option<UnitKind> {
    UnitKind::parse(v).or_else(|| UnitKind::ALL.into_iter().find(|k| k.label_zh() == v))
}

fn parse_title(v: &str) -> Option<TitleLevel> {
    TitleLevel::parse(v).or_else(|| TitleLevel::ALL.into_iter().find(|k| k.label_zh() == v))
}

/// Parses and checks a whole file; returns the good rows and every error.
pub fn parse(csv_bytes: &[u8], ctx: &ParseContext) -> (Vec<ImportRow>, Vec<RowError>) {
    let bytes = csv_bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(csv_bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let index = match header_index(&mut reader) {
        Ok(index) => index,
        Err(errors) => return (Vec::new(), errors),
    };
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RowError {
                    line,
                    field: "row".into(),
                    code: Code::UnreadableRow,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let get = |col: usize| index[col].and_then(|i| record.get(i)).unwrap_or("").to_owned();
        let cells: [String; 9] = std::array::from_fn(get);
        match parse_row(line, cells, ctx, &mut seen) {
            Ok(row) => rows.push(row),
            Err(fe) => errors.extend(fe.into_iter().map(|f| RowError {
                line,
                field: f.field,
                code: f.code,
                message: f.message,
            })),
        }
    }
    (rows, errors)
}

/// Where each of [`COLUMNS`] is in the header, or the header's problems.
fn header_index<R: std::io::Read>(reader: &mut csv::Reader<R>) -> Result<Vec<Option<usize>>, Vec<RowError>> {
    let headers = reader.headers().cloned().map_err(|e| {
        vec![RowError {
            line: 1,
            field: "header".into(),
            code: Code::UnreadableCsv,
            message: e.to_string(),
        }]
    })?;
    let index: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|(en, zh)| headers.iter().position(|h| h == *en || h == *zh))
        .collect();
    let missing: Vec<RowError> = COLUMNS
        .iter()
        .enumerate()
        .filter(|(i, (en, _))| REQUIRED.contains(en) && index[*i].is_none())
        .map(|(_, (en, zh))| RowError {
            line: 1,
            field: (*en).into(),
            code: Code::MissingColumn,
            message: format!("the header needs a column {en} or {zh}"),
        })
        .collect();
    if missing.is_empty() { Ok(index) } else { Err(missing) }
}

/// One row's cells (in [`COLUMNS`] order) checked with the parsers the API uses.
fn parse_row(
    line: u64,
    cells: [String; 9],
    ctx: &ParseContext,
    seen: &mut HashSet<(String, PersonName, Option<BirthDate>)>,
) -> Result<ImportRow, Vec<FieldError>> {
    let [
        unit_name,
        unit_kind,
        name,
        job_post,
        title_level,
        dob,
        email,
        phone,
        specialty,
    ] = cells;
    let mut fe: Vec<FieldError> = Vec::new();
    check_text("unit_name", &unit_name, 100, &mut fe);
    let kind = parse_unit_kind(&unit_kind);
    if kind.is_none() {
        fe.push(FieldError::new(
            "unit_kind",
            Code::InvalidUnitKind,
            format!("unknown unit kind {unit_kind:?}"),
        ));
    }
    let name = PersonName::parse("name", &name, &mut fe);
    if !job_post.is_empty() {
        check_text("job_post", &job_post, 100, &mut fe);
    }
    let title = parse_title(&title_level);
    if title.is_none() {
        fe.push(FieldError::new(
            "title_level",
            Code::InvalidTitleLevel,
            format!("unknown title level {title_level:?}"),
        ));
    }
    let date_of_birth = if dob.is_empty() {
        None
    } else {
        match NaiveDate::parse_from_str(&dob, "%Y-%m-%d") {
            Ok(d) => BirthDate::parse("date_of_birth", d, ctx, &mut fe),
            Err(_) => {
                fe.push(FieldError::new("date_of_birth", Code::InvalidDate, "use YYYY-MM-DD"));
                None
            }
        }
    };
    let email = Some(email)
        .filter(|v| !v.is_empty())
        .and_then(|e| Email::parse("email", &e, ctx, &mut fe));
    let phone = Some(phone).filter(|v| !v.is_empty());
    if let Some(p) = &phone {
        check_phone("phone", p, &mut fe);
    }
    match (name, kind, title) {
        (Some(name), Some(unit_kind), Some(title_level)) if fe.is_empty() => {
            if !seen.insert((unit_name.clone(), name.clone(), date_of_birth)) {
                return Err(vec![FieldError::new(
                    "name",
                    Code::DuplicateRow,
                    "the same person appears twice in the file",
                )]);
            }
            Ok(ImportRow {
                line,
                unit_name: unit_name.trim().to_owned(),
                unit_kind,
                name,
                job_post,
                title_level,
                date_of_birth,
                email,
                phone,
                specialty,
            })
        }
        _ => Err(fe),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> ParseContext {
        ParseContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
            sendable: crate::app::edge::sendable,
        }
    }

    #[test]
    fn chinese_headers_and_labels_are_accepted() {
        let csv = "\u{FEFF}单位名称,单位类型,姓名,职务,职称级别,出生日期,电子邮箱,联系电话,专业背景\n\
                   天津市机电工艺技师学院,技工院校,张伟,副校长,正高级,1970-05-01,zw@example.cn,13812345678,数控技术\n";
        let (rows, errors) = parse(csv.as_bytes(), &today());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].unit_kind, UnitKind::TechnicalSchool);
        assert_eq!(rows[0].title_level, TitleLevel::Senior);
        assert_eq!(rows[0].line, 2);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = "unit_name,unit_kind,name,title_level,date_of_birth,email\n\
                   甲学院,technical_school,张三,senior,1970-01-01,ok@example.cn\n\
                   乙学院,school,李四,senior,1970-13-01,bad\n\
                   丙学院,enterprise,,none,,\n\
                   甲学院,technical_school,张三,senior,1970-01-01,ok@example.cn\n";
        let (rows, errors) = parse(csv.as_bytes(), &today());
        assert_eq!(rows.len(), 1);
        let got: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.code.as_str())).collect();
        assert_eq!(
            got,
            [
                (3, "invalid_unit_kind"),
                (3, "invalid_date"),
                (3, "invalid_email"),
                (4, "required"),
                (5, "duplicate_row")
            ]
        );
    }

    #[test]
    fn missing_required_columns_stop_the_import() {
        let (rows, errors) = parse("姓名,职务\n张三,校长\n".as_bytes(), &today());
        assert!(rows.is_empty());
        assert_eq!(errors.iter().filter(|e| e.code == Code::MissingColumn).count(), 3);
    }
}
