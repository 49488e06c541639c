//! Bulk import of units and people from CSV: every row is parsed and checked without I/O, so a
//! dry run reports every bad row with its line and reason before anything is written.

use service_kit::Code;
use std::collections::HashSet;

use chrono::NaiveDate;
use service_kit::FieldError;

use super::people::{TitleLevel, UnitKind, check_birth_date, check_email, check_phone, check_text};

/// One valid row: a person and the unit they belong to (created if new).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: u64,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub name: String,
    pub job_post: String,
    pub title_level: TitleLevel,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
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
pub fn parse(csv_bytes: &[u8], today: NaiveDate) -> (Vec<ImportRow>, Vec<RowError>) {
    let bytes = csv_bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(csv_bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut errors = Vec::new();
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            errors.push(RowError {
                line: 1,
                field: "header".into(),
                code: Code::UnreadableCsv,
                message: e.to_string(),
            });
            return (Vec::new(), errors);
        }
    };
    let index: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|(en, zh)| headers.iter().position(|h| h == *en || h == *zh))
        .collect();
    for (i, (en, zh)) in COLUMNS.iter().enumerate() {
        if REQUIRED.contains(en) && index[i].is_none() {
            errors.push(RowError {
                line: 1,
                field: (*en).into(),
                code: Code::MissingColumn,
                message: format!("the header needs a column {en} or {zh}"),
            });
        }
    }
    if !errors.is_empty() {
        return (Vec::new(), errors);
    }
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
        let mut fe: Vec<FieldError> = Vec::new();
        let unit_name = get(0);
        check_text("unit_name", &unit_name, 100, &mut fe);
        let unit_kind = parse_unit_kind(&get(1));
        if unit_kind.is_none() {
            fe.push(FieldError::new(
                "unit_kind",
                Code::InvalidUnitKind,
                format!("unknown unit kind {:?}", get(1)),
            ));
        }
        let name = get(2);
        check_text("name", &name, 50, &mut fe);
        let job_post = get(3);
        if !job_post.is_empty() {
            check_text("job_post", &job_post, 100, &mut fe);
        }
        let title_level = parse_title(&get(4));
        if title_level.is_none() {
            fe.push(FieldError::new(
                "title_level",
                Code::InvalidTitleLevel,
                format!("unknown title level {:?}", get(4)),
            ));
        }
        let dob_text = get(5);
        let date_of_birth = if dob_text.is_empty() {
            None
        } else {
            match NaiveDate::parse_from_str(&dob_text, "%Y-%m-%d") {
                Ok(d) => {
                    check_birth_date("date_of_birth", d, today, &mut fe);
                    Some(d)
                }
                Err(_) => {
                    fe.push(FieldError::new("date_of_birth", Code::InvalidDate, "use YYYY-MM-DD"));
                    None
                }
            }
        };
        let email = Some(get(6)).filter(|v| !v.is_empty());
        if let Some(e) = &email {
            check_email("email", e, &mut fe);
        }
        let phone = Some(get(7)).filter(|v| !v.is_empty());
        if let Some(p) = &phone {
            check_phone("phone", p, &mut fe);
        }
        let specialty = get(8);
        if fe.is_empty() && !seen.insert((unit_name.clone(), name.clone(), date_of_birth)) {
            fe.push(FieldError::new(
                "name",
                Code::DuplicateRow,
                "the same person appears twice in the file",
            ));
        }
        match (fe.is_empty(), unit_kind, title_level) {
            (true, Some(unit_kind), Some(title_level)) => rows.push(ImportRow {
                line,
                unit_name: unit_name.trim().to_owned(),
                unit_kind,
                name: name.trim().to_owned(),
                job_post,
                title_level,
                date_of_birth,
                email,
                phone,
                specialty,
            }),
            _ => errors.extend(fe.into_iter().map(|f| RowError {
                line,
                field: f.field,
                code: f.code,
                message: f.message,
            })),
        }
    }
    (rows, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default()
    }

    #[test]
    fn chinese_headers_and_labels_are_accepted() {
        let csv = "\u{FEFF}单位名称,单位类型,姓名,职务,职称级别,出生日期,电子邮箱,联系电话,专业背景\n\
                   天津市机电工艺技师学院,技工院校,张伟,副校长,正高级,1970-05-01,zw@example.cn,13812345678,数控技术\n";
        let (rows, errors) = parse(csv.as_bytes(), today());
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
        let (rows, errors) = parse(csv.as_bytes(), today());
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
        let (rows, errors) = parse("姓名,职务\n张三,校长\n".as_bytes(), today());
        assert!(rows.is_empty());
        assert_eq!(errors.iter().filter(|e| e.code == Code::MissingColumn).count(), 3);
    }
}
