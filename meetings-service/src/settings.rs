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
}

impl Settings {
    /// The defaults of this service's own variables around `service`.
    pub fn with_service(service: ServiceSettings) -> Self {
        Self {
            service,
            rules: MeetingsConfig::default(),
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
