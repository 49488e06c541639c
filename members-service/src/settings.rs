//! Everything members-service reads from the environment, read once at start: the kit's
//! [`ServiceSettings`] (`MEMBERS_*`, `ALLIANCE_*`) and this service's own variables.

use std::time::Duration;

use service_kit::config::{ConfigError, ServiceSettings, parse_or, var_opt};

/// Variables' prefix; the SQLite file and the port used without configuration.
pub const PREFIX: &str = "MEMBERS";
pub const DEFAULT_DB_FILE: &str = "members.db";

#[derive(Debug, Clone)]
pub struct Settings {
    pub service: ServiceSettings,
    /// How often the scheduled jobs run (lapse R6, renewals, reminders):
    /// `MEMBERS_JOBS_INTERVAL_SECS`, default 3600.
    pub jobs_interval: Duration,
    /// Term-end reminders, days before the end: `MEMBERS_TERM_REMINDER_DAYS`, default `90,30`.
    pub reminder_days: Vec<u32>,
    /// R13: confirm a dismissal case for absence as soon as it opens, instead of waiting for
    /// the Center's decision: `MEMBERS_ABSENCE_DISMISS_AT_ONCE`, default false.
    pub absence_dismiss_at_once: bool,
}

impl Settings {
    /// The defaults of this service's own variables around `service`.
    pub fn with_service(service: ServiceSettings) -> Self {
        Self {
            service,
            jobs_interval: Duration::from_secs(3600),
            reminder_days: vec![90, 30],
            absence_dismiss_at_once: false,
        }
    }

    /// `MEMBERS_*` and `ALLIANCE_*` variables (see the README).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::read(ServiceSettings::from_env(PREFIX, crate::DEFAULT_PORT, DEFAULT_DB_FILE)?)
    }

    /// This service's own variables around kit settings read elsewhere (the one-process suite).
    pub fn read(service: ServiceSettings) -> Result<Self, ConfigError> {
        let defaults = Self::with_service(service);
        Ok(Self {
            jobs_interval: Duration::from_secs(parse_or(
                "MEMBERS_JOBS_INTERVAL_SECS",
                defaults.jobs_interval.as_secs(),
            )?),
            reminder_days: match var_opt("MEMBERS_TERM_REMINDER_DAYS") {
                None => defaults.reminder_days.clone(),
                Some(v) => parse_days(&v)?,
            },
            absence_dismiss_at_once: parse_or("MEMBERS_ABSENCE_DISMISS_AT_ONCE", false)?,
            ..defaults
        })
    }
}

/// `90,30`: whole days, comma-separated.
fn parse_days(value: &str) -> Result<Vec<u32>, ConfigError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.parse().map_err(|_| ConfigError::Invalid {
                name: "MEMBERS_TERM_REMINDER_DAYS".into(),
                value: value.to_owned(),
                reason: format!("{d:?} is not a number of days"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        service_kit::config::with_vars(vars, || {
            Settings::read(ServiceSettings::from_env_without_key(PREFIX, 0, "m.db")?)
        })
    }

    #[test]
    fn defaults_and_overrides() {
        let s = read(&[]).expect("defaults");
        assert_eq!(
            (
                s.jobs_interval.as_secs(),
                s.reminder_days.clone(),
                s.absence_dismiss_at_once
            ),
            (3600, vec![90, 30], false)
        );
        let s = read(&[
            ("MEMBERS_JOBS_INTERVAL_SECS", "60"),
            ("MEMBERS_TERM_REMINDER_DAYS", "60, 7"),
            ("MEMBERS_ABSENCE_DISMISS_AT_ONCE", "true"),
        ])
        .expect("overrides");
        assert_eq!(
            (
                s.jobs_interval.as_secs(),
                s.reminder_days.clone(),
                s.absence_dismiss_at_once
            ),
            (60, vec![60, 7], true)
        );
        // Empty is unset, as for every variable: the default.
        assert_eq!(
            read(&[("MEMBERS_TERM_REMINDER_DAYS", " ")])
                .map(|s| s.reminder_days)
                .ok(),
            Some(vec![90, 30])
        );
    }

    /// A typo is refused at start instead of silently dropping a reminder.
    #[test]
    fn a_bad_value_is_refused() {
        let err = read(&[("MEMBERS_TERM_REMINDER_DAYS", "90,3O")])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("MEMBERS_TERM_REMINDER_DAYS") && err.contains("3O"),
            "{err}"
        );
        assert!(read(&[("MEMBERS_JOBS_INTERVAL_SECS", "soon")]).is_err());
    }
}
