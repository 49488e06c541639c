//! Settings of meetings-service beyond the kit's (`MEETINGS_WORK_YEAR_START`).

use service_kit::config::{ConfigError, var_opt};

use crate::domain::work_year::WorkYearStart;

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
