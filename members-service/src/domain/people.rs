//! Units (单位) and people: kinds, title levels and field rules.

use chrono::NaiveDate;
use service_kit::Code;
use service_kit::FieldError;

use super::values::{BirthDate, Email, ParseContext, PersonName};

alliance_events::vocabulary! {
    /// 单位类型。The kind of unit.
    pub enum UnitKind {
        /// 技工院校。A technical school.
        TechnicalSchool = "technical_school" => "技工院校",
        /// 企业。An enterprise.
        Enterprise = "enterprise" => "企业",
        /// 科研院所。A research institute.
        ResearchInstitute = "research_institute" => "科研院所",
        /// 行业组织。An industry organization.
        IndustryOrganization = "industry_organization" => "行业组织",
        /// 机械工业教育发展中心。The Center.
        Center = "center" => "机械工业教育发展中心",
    }
}

alliance_events::vocabulary! {
    /// 职称级别。The professional title level.
    pub enum TitleLevel {
        /// 无。None.
        None = "none" => "无",
        /// 初级。Junior.
        Junior = "junior" => "初级",
        /// 中级。Intermediate.
        Intermediate = "intermediate" => "中级",
        /// 副高级。Associate senior.
        AssociateSenior = "associate_senior" => "副高级",
        /// 正高级。Senior.
        Senior = "senior" => "正高级",
    }
}

impl TitleLevel {
    /// Declared from lowest to highest, so the derived order is the order of titles.
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

/// The contract's e-mail pattern ([`EMAIL_PATTERN`]), checked by hand: an ASCII address every
/// SMTP relay takes and lettre (documents-service's mailer) accepts — a local part of up to 64
/// characters without dots, or of two or three dot-separated atoms of up to 20; a domain of two
/// or more labels of 1–63 letters, digits and inner hyphens; 254 characters in all.
pub fn check_email(field: &str, value: &str, errors: &mut Vec<FieldError>) {
    if !is_email(value) {
        errors.push(FieldError::new(field, Code::InvalidEmail, "not an e-mail address"));
    }
}

/// The pattern the contract states for every e-mail field (keep it equal to [`is_email`]; the
/// schemas repeat it as a literal, checked by a test).
pub const EMAIL_PATTERN: &str = r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}|[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){1,2})@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";

fn is_email(value: &str) -> bool {
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let atoms: Vec<&str> = local.split('.').collect();
    let local_ok = atoms.iter().all(|a| !a.is_empty() && a.chars().all(atext))
        && match atoms.len() {
            1 => local.len() <= 64,
            2 | 3 => atoms.iter().all(|a| a.len() <= 20),
            _ => false,
        };
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    value.len() <= 254 && local_ok && domain_ok
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

/// A person's fields as a request (or a merged update) gives them, not yet checked.
#[derive(Debug, Clone)]
pub struct PersonDraft {
    pub name: String,
    pub unit_id: i64,
    pub job_post: String,
    pub title_level: TitleLevel,
    pub specialty: String,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A person's fields after [`validate_person`]: the only form the app and db layers take.
#[derive(Debug, Clone)]
pub struct ValidPerson {
    pub name: PersonName,
    pub unit_id: i64,
    /// Trimmed; empty when not given.
    pub job_post: String,
    pub title_level: TitleLevel,
    /// Trimmed; empty when not given.
    pub specialty: String,
    pub date_of_birth: Option<BirthDate>,
    pub email: Option<Email>,
    pub phone: Option<String>,
}

/// Field checks shared by create and update (the CSV import uses the same parsers): every
/// problem, in field order, or the validated person.
pub fn validate_person(p: PersonDraft, ctx: &ParseContext) -> Result<ValidPerson, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = PersonName::parse("name", &p.name, &mut errors);
    if !p.job_post.is_empty() {
        check_text("job_post", &p.job_post, 100, &mut errors);
    }
    if !p.specialty.is_empty() {
        check_text("specialty", &p.specialty, 100, &mut errors);
    }
    let date_of_birth = p
        .date_of_birth
        .map(|d| BirthDate::parse("date_of_birth", d, ctx, &mut errors));
    let email = p.email.as_deref().map(|e| Email::parse("email", e, ctx, &mut errors));
    if let Some(ph) = &p.phone {
        check_phone("phone", ph, &mut errors);
    }
    match (name, date_of_birth, email) {
        (Some(name), dob, email) if errors.is_empty() => Ok(ValidPerson {
            name,
            unit_id: p.unit_id,
            job_post: p.job_post.trim().to_owned(),
            title_level: p.title_level,
            specialty: p.specialty.trim().to_owned(),
            date_of_birth: dob.flatten(),
            email: email.flatten(),
            phone: p.phone,
        }),
        _ => Err(errors),
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
        let long_label = format!("0@0.{}", "0".repeat(64));
        let long_local = format!("{}@school.edu.cn", "z".repeat(65));
        for bad in [
            "",
            "a",
            "a@b",
            "a@@b.cn",
            "a b@c.cn",
            "@c.cn",
            "a@.cn",
            "a@c..cn",
            ".a@c.cn",
            "a.@c.cn",
            "a..b@c.cn",
            "a.b.c.d@c.cn",
            "\"x\"@c.cn",
            "a@-c.cn",
            "a@c-.cn",
            "a@c_d.cn",
            "张伟@学校.cn",
            &long_label,
            &long_local,
        ] {
            assert_eq!(errs(|e| check_email("email", bad, e)), ["invalid_email"], "{bad}");
        }
    }

    /// Every address the pattern lets through, lettre (documents-service's mailer) accepts.
    #[test]
    fn what_the_pattern_accepts_lettre_accepts() {
        use std::str::FromStr;
        let max_label = format!("wang@{}.cn", "x".repeat(63));
        let max_local = format!("{}@school.edu.cn", "z".repeat(64));
        for ok in [
            "zhang.wei@school.edu.cn",
            "a.b.c@c.cn",
            "o'brien+jglm@mail-1.example.org",
            "!#$%&'*+/=?^_`{|}~-@x.y",
            &max_label,
            &max_local,
        ] {
            assert!(errs(|e| check_email("email", ok, e)).is_empty(), "{ok}");
            assert!(lettre::Address::from_str(ok).is_ok(), "lettre refuses {ok}");
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

    fn draft() -> PersonDraft {
        PersonDraft {
            name: " 张伟 ".into(),
            unit_id: 3,
            job_post: " 副校长 ".into(),
            title_level: TitleLevel::Senior,
            specialty: String::new(),
            date_of_birth: NaiveDate::from_ymd_opt(1970, 5, 1),
            email: Some("zw@example.cn".into()),
            phone: Some("13812345678".into()),
        }
    }

    fn ctx() -> ParseContext {
        ParseContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
            sendable: crate::app::edge::sendable,
        }
    }

    #[test]
    fn a_valid_person_is_trimmed_and_every_bad_field_is_reported_in_order() {
        let p = validate_person(draft(), &ctx()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((p.name.as_str(), p.job_post.as_str()), ("张伟", "副校长"));
        assert_eq!(p.email.map(Email::into_inner).as_deref(), Some("zw@example.cn"));
        let bad = PersonDraft {
            name: "".into(),
            specialty: "王😀".into(),
            date_of_birth: NaiveDate::from_ymd_opt(1899, 1, 1),
            email: Some("a@b@c.cn".into()),
            phone: Some("12345".into()),
            ..draft()
        };
        let codes: Vec<String> = validate_person(bad, &ctx())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| format!("{}:{}", e.field, e.code))
            .collect();
        assert_eq!(
            codes,
            [
                "name:required",
                "specialty:unprintable_characters",
                "date_of_birth:invalid_date",
                "email:invalid_email",
                "phone:invalid_phone"
            ]
        );
    }
}
