//! Units (单位) and people: kinds, title levels and field rules.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use service_kit::Code;
use service_kit::FieldError;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 技工院校
    TechnicalSchool,
    /// 企业
    Enterprise,
    /// 科研院所
    ResearchInstitute,
    /// 行业组织
    IndustryOrganization,
    /// 机械工业教育发展中心
    Center,
}

impl UnitKind {
    pub const ALL: [UnitKind; 5] = [
        UnitKind::TechnicalSchool,
        UnitKind::Enterprise,
        UnitKind::ResearchInstitute,
        UnitKind::IndustryOrganization,
        UnitKind::Center,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::TechnicalSchool => "technical_school",
            UnitKind::Enterprise => "enterprise",
            UnitKind::ResearchInstitute => "research_institute",
            UnitKind::IndustryOrganization => "industry_organization",
            UnitKind::Center => "center",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            UnitKind::TechnicalSchool => "技工院校",
            UnitKind::Enterprise => "企业",
            UnitKind::ResearchInstitute => "科研院所",
            UnitKind::IndustryOrganization => "行业组织",
            UnitKind::Center => "机械工业教育发展中心",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// 职称级别
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TitleLevel {
    /// 无
    None,
    /// 初级
    Junior,
    /// 中级
    Intermediate,
    /// 副高级
    AssociateSenior,
    /// 正高级
    Senior,
}

impl TitleLevel {
    pub const ALL: [TitleLevel; 5] = [
        TitleLevel::Senior,
        TitleLevel::AssociateSenior,
        TitleLevel::Intermediate,
        TitleLevel::Junior,
        TitleLevel::None,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            TitleLevel::Senior => "senior",
            TitleLevel::AssociateSenior => "associate_senior",
            TitleLevel::Intermediate => "intermediate",
            TitleLevel::Junior => "junior",
            TitleLevel::None => "none",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            TitleLevel::Senior => "正高级",
            TitleLevel::AssociateSenior => "副高级",
            TitleLevel::Intermediate => "中级",
            TitleLevel::Junior => "初级",
            TitleLevel::None => "无",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn is_associate_senior_or_above(self) -> bool {
        self >= TitleLevel::AssociateSenior
    }
}

/// A trimmed text of 1–`max` characters that the documents can print (it may appear on a 聘书,
/// a notice or a roster: a character their fonts lack would make them impossible to issue).
pub fn check_text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    let n = value.trim().chars().count();
    if n == 0 {
        errors.push(FieldError::new(field, Code::Required, "must not be empty"));
    } else if n > max {
        errors.push(FieldError::new(
            field,
            Code::TooLong,
            format!("at most {max} characters"),
        ));
    } else if value.chars().any(|c| c.is_control()) {
        errors.push(FieldError::new(
            field,
            Code::InvalidCharacters,
            "must not contain control characters",
        ));
    } else {
        service_kit::printable::check(field, value, errors);
    }
}

/// A plain e-mail address check: one `@`, a dotted domain, no spaces.
pub fn check_email(field: &str, value: &str, errors: &mut Vec<FieldError>) {
    let ok = value.len() <= 254
        && !value.contains(char::is_whitespace)
        && match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if !ok {
        errors.push(FieldError::new(field, Code::InvalidEmail, "not an e-mail address"));
    }
}

/// Mainland mobile (11 digits starting with 1) or a landline such as 010-12345678, optionally
/// with +86 and an extension.
pub fn check_phone(field: &str, value: &str, errors: &mut Vec<FieldError>) {
    let v = value.trim();
    let v = v.strip_prefix("+86").map(str::trim_start).unwrap_or(v);
    let (main, ext) = v.split_once(['#', '转']).map_or((v, ""), |(a, b)| (a, b));
    let digits: String = main.chars().filter(|c| c.is_ascii_digit()).collect();
    let shape_ok = main.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
    let mobile = digits.len() == 11 && digits.starts_with('1') && !main.contains('-');
    let landline = (10..=12).contains(&digits.len()) && digits.starts_with('0');
    let ext_ok = ext.chars().all(|c| c.is_ascii_digit()) && ext.len() <= 6;
    if !(shape_ok && ext_ok && (mobile || landline)) {
        errors.push(FieldError::new(
            field,
            Code::InvalidPhone,
            "a mainland mobile or landline number",
        ));
    }
}

/// Dates of birth a living appointee can have.
pub fn check_birth_date(field: &str, value: NaiveDate, today: NaiveDate, errors: &mut Vec<FieldError>) {
    let min = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    if value < min || value > today {
        errors.push(FieldError::new(
            field,
            Code::InvalidDate,
            "must be between 1900-01-01 and today",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs(f: impl FnOnce(&mut Vec<FieldError>)) -> Vec<String> {
        let mut e = Vec::new();
        f(&mut e);
        e.into_iter().map(|e| e.code.to_string()).collect()
    }

    #[test]
    fn emails() {
        assert!(errs(|e| check_email("email", "zhang.wei@school.edu.cn", e)).is_empty());
        for bad in ["", "a", "a@b", "a@@b.cn", "a b@c.cn", "@c.cn", "a@.cn", "a@c..cn"] {
            assert_eq!(errs(|e| check_email("email", bad, e)), ["invalid_email"], "{bad}");
        }
    }

    #[test]
    fn phones() {
        for ok in [
            "13812345678",
            "+86 13812345678",
            "010-12345678",
            "0755-1234567",
            "010-12345678#123",
        ] {
            assert!(errs(|e| check_phone("phone", ok, e)).is_empty(), "{ok}");
        }
        for bad in ["12345", "23812345678", "138-1234-5678x", "abc", "1381234567"] {
            assert_eq!(errs(|e| check_phone("phone", bad, e)), ["invalid_phone"], "{bad}");
        }
    }

    #[test]
    fn texts_and_title_order() {
        assert_eq!(errs(|e| check_text("name", "  ", 50, e)), ["required"]);
        assert_eq!(errs(|e| check_text("name", &"名".repeat(51), 50, e)), ["too_long"]);
        assert!(errs(|e| check_text("name", "欧阳堃", 50, e)).is_empty());
        // Issue 9: text the documents' fonts cannot print is refused at the edge.
        assert_eq!(errs(|e| check_text("name", "王😀", 50, e)), ["unprintable_characters"]);
        assert!(TitleLevel::Senior > TitleLevel::AssociateSenior);
        assert!(!TitleLevel::Intermediate.is_associate_senior_or_above());
    }
}
