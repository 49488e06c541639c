//! Everything meetings-service reads from the environment, read once at start: the kit's
//! [`ServiceSettings`] (`MEETINGS_*`, `ALLIANCE_*`) and the meeting rules' settings
//! (`MEETINGS_WORK_YEAR_START`).

use service_kit::config::{ConfigError, ServiceSettings, var_opt};

use crate::domain::work_year::WorkYearStart;

/// Variables' prefix and the SQLite file used without configuration.
pub const PREFIX: &str = "MEETINGS";
pub const DEFAULT_DB_FILE: &str = "meetings.db";

#[derive(Debug, Clone)]
pub struct Settings {
    pub service: ServiceSettings,
    pub rules: MeetingsConfig,
    pub reminders: Reminders,
}

/// When invitees who have not replied are reminded (issue 13).
#[derive(Debug, Clone)]
pub struct Reminders {
    /// Days before the activity (`MEETINGS_REMINDER_DAYS`, e.g. `7,1`; empty: none).
    pub days: Vec<u32>,
    /// How often the reminder pass runs (`MEETINGS_REMINDER_EVERY_SECS`, 600).
    pub every: std::time::Duration,
}

impl Default for Reminders {
    fn default() -> Self {
        Self {
            days: crate::app::reminders::DEFAULT_DAYS.to_vec(),
            every: std::time::Duration::from_secs(600),
        }
    }
}

impl Reminders {
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut r = Self::default();
        if let Some(v) = var_opt("MEETINGS_REMINDER_DAYS") {
            r.days = parse_days(&v).map_err(|reason| ConfigError::Invalid {
                name: "MEETINGS_REMINDER_DAYS".into(),
                value: v.clone(),
                reason,
            })?;
        }
        if let Some(v) = var_opt("MEETINGS_REMINDER_EVERY_SECS") {
            let secs: u64 = v
                .trim()
                .parse()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| ConfigError::Invalid {
                    name: "MEETINGS_REMINDER_EVERY_SECS".into(),
                    value: v.clone(),
                    reason: "a whole number of seconds above 0".into(),
                })?;
            r.every = std::time::Duration::from_secs(secs);
        }
        Ok(r)
    }
}

/// `7,1` → [7, 1]; blank → none; each between 1 and 365.
fn parse_days(v: &str) -> Result<Vec<u32>, String> {
    v.split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.parse::<u32>()
                .ok()
                .filter(|n| (1..=365).contains(n))
                .ok_or_else(|| format!("{d:?} is not a number of days between 1 and 365"))
        })
        .collect()
}

impl Settings {
    /// The defaults of this service's own variables around `service`.
    pub fn with_service(service: ServiceSettings) -> Self {
        Self {
            service,
            rules: MeetingsConfig::default(),
            reminders: Reminders::default(),
        }
    }

    /// `MEETINGS_*` and `ALLIANCE_*` variables (see the README).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::read(ServiceSettings::from_env(PREFIX, crate::DEFAULT_PORT, DEFAULT_DB_FILE)?)
    }

    /// This service's own variables around kit settings read elsewhere (the one-process suite).
    pub fn read(service: ServiceSettings) -> Result<Self, ConfigError> {
        Ok(Self {
            service,
            rules: MeetingsConfig::from_env()?,
            reminders: Reminders::from_env()?,
        })
    }
}

/// What the handlers need to know about this deployment.
#[derive(Debug, Clone, Copy, Default)]
pub struct MeetingsConfig {
    /// The first day of a work year (R13); 1 January unless `MEETINGS_WORK_YEAR_START=MM-DD`.
    pub work_year: WorkYearStart,
}

impl MeetingsConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let work_year = match var_opt("MEETINGS_WORK_YEAR_START") {
            None => WorkYearStart::default(),
            Some(v) => v.parse().map_err(|reason| ConfigError::Invalid {
                name: "MEETINGS_WORK_YEAR_START".into(),
                value: v.clone(),
                reason,
            })?,
        };
        Ok(Self { work_year })
    }
}
