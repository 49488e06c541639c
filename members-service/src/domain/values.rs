//! Values parsed once at the edge: a value of these types has passed its checks, so nothing
//! past the handler (or the CSV import) holds an invalid e-mail, name or date of birth. Each
//! parser records its problems as [`FieldError`]s with the codes the API has always used.

use chrono::NaiveDate;
use service_kit::{Code, FieldError};

use super::people::{check_birth_date, check_email, check_text};

/// What parsing needs from outside the rules: today's date in the alliance's time zone (for
/// [`BirthDate`]) and the mailer's address syntax (for [`Email`]). The app layer gives both
/// (`crate::app::edge`), so the rules stay free of clocks and mail crates.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext {
    pub today: NaiveDate,
    /// Whether documents-service's mailer accepts the address.
    pub sendable: fn(&str) -> bool,
}

/// An e-mail address documents-service can send to: the mailer accepts it, and it has at most
/// 254 characters, one `@`, a dotted domain and no spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str, ctx: &ParseContext, errors: &mut Vec<FieldError>) -> Option<Self> {
        let before = errors.len();
        check_email(field, raw, errors);
        if errors.len() > before {
            return None;
        }
        if !(ctx.sendable)(raw) {
            errors.push(FieldError::new(field, Code::InvalidEmail, "not an e-mail address"));
            return None;
        }
        Some(Email(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A person's name: 1–50 printable characters, trimmed (see [`check_text`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX: usize = 50;

    pub fn parse(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Self> {
        let before = errors.len();
        check_text(field, raw, Self::MAX, errors);
        (errors.len() == before).then(|| PersonName(raw.trim().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A date of birth a living appointee can have: 1900-01-01 to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BirthDate(NaiveDate);

impl BirthDate {
    pub fn parse(field: &str, value: NaiveDate, ctx: &ParseContext, errors: &mut Vec<FieldError>) -> Option<Self> {
        let before = errors.len();
        check_birth_date(field, value, ctx.today, errors);
        (errors.len() == before).then_some(BirthDate(value))
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn ctx() -> ParseContext {
        ParseContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
            sendable: |s| lettre::Address::from_str(s).is_ok(),
        }
    }

    fn email(raw: &str) -> (Option<Email>, Vec<String>) {
        let mut e = Vec::new();
        let v = Email::parse("email", raw, &ctx(), &mut e);
        (v, e.into_iter().map(|e| e.code.to_string()).collect())
    }

    #[test]
    fn emails_are_what_the_mailer_accepts() {
        assert_eq!(
            email("zhang.wei@school.edu.cn").0.map(Email::into_inner).as_deref(),
            Some("zhang.wei@school.edu.cn")
        );
        // Refused by lettre (documents-service could never send to them), or by the extra checks.
        for bad in [
            "a@b@c.cn", "\"x\"@", "a b@c.cn", " a@c.cn", "a@c.cn ", "a@b", "@c.cn", "a@.cn", "a@c..cn", "(a)@c.cn",
        ] {
            assert_eq!(email(bad), (None, vec!["invalid_email".to_owned()]), "{bad}");
        }
    }

    #[test]
    fn names_are_printable_and_trimmed() {
        let mut e = Vec::new();
        assert_eq!(
            PersonName::parse("name", " 欧阳堃 ", &mut e)
                .map(PersonName::into_inner)
                .as_deref(),
            Some("欧阳堃")
        );
        assert!(PersonName::parse("name", "王😀", &mut e).is_none());
        assert!(PersonName::parse("name", &"名".repeat(51), &mut e).is_none());
        let codes: Vec<String> = e.into_iter().map(|e| e.code.to_string()).collect();
        assert_eq!(codes, ["unprintable_characters", "too_long"]);
    }

    #[test]
    fn birth_dates_run_from_1900_to_today() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        let mut e = Vec::new();
        assert!(BirthDate::parse("date_of_birth", d(1900, 1, 1), &ctx(), &mut e).is_some());
        assert!(BirthDate::parse("date_of_birth", d(2026, 11, 24), &ctx(), &mut e).is_some());
        assert!(e.is_empty());
        assert!(BirthDate::parse("date_of_birth", d(1899, 12, 31), &ctx(), &mut e).is_none());
        assert!(BirthDate::parse("date_of_birth", d(2026, 11, 25), &ctx(), &mut e).is_none());
        assert_eq!(e.len(), 2);
    }
}
