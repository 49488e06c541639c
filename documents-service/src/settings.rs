//! Everything documents-service reads from the environment, read once at start: the kit's
//! [`ServiceSettings`] (`DOCUMENTS_*`, `ALLIANCE_*`) and this service's own — mail, the public
//! verification URL, the seal.

use std::path::{Path, PathBuf};
use std::time::Duration;

use service_kit::config::{ConfigError, ServiceSettings, parse_or, var_opt, var_or};

use crate::app::delivery;
use crate::mail::MailSettings;

/// Variables' prefix and the SQLite file used without configuration.
pub const PREFIX: &str = "DOCUMENTS";
pub const DEFAULT_DB_FILE: &str = "documents.db";

#[derive(Debug, Clone)]
pub struct Settings {
    pub service: ServiceSettings,
    pub config: DocumentsConfig,
}

impl Settings {
    /// Mail into `data_dir/mail` as files, verification URLs on the local gateway.
    pub fn local(service: ServiceSettings, public_url: &str) -> Self {
        let config = DocumentsConfig::local(&service.data_dir, public_url);
        Self { service, config }
    }

    /// `DOCUMENTS_*` and `ALLIANCE_*` variables (see the README).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::read(ServiceSettings::from_env(PREFIX, crate::DEFAULT_PORT, DEFAULT_DB_FILE)?)
    }

    /// This service's own variables around kit settings read elsewhere (the one-process suite).
    pub fn read(service: ServiceSettings) -> Result<Self, ConfigError> {
        let config = DocumentsConfig::from_env(&service)?;
        Ok(Self { service, config })
    }
}

/// What documents-service needs beyond the kit's settings.
#[derive(Debug, Clone)]
pub struct DocumentsConfig {
    pub mail: MailSettings,
    /// Base of the public verification URL printed on documents (the gateway's public address).
    pub public_url: String,
    /// The issuing body's seal (PNG); none ships with the project.
    pub seal_file: Option<PathBuf>,
    /// A file with the Ed25519 key certificates' credentials are signed with (PKCS#8 PEM); by
    /// default the key is made on first start and kept in the service's database, which every
    /// replica shares.
    pub credential_key_file: Option<PathBuf>,
}

impl DocumentsConfig {
    /// Mail into `data_dir/mail` as files, verification URLs on the local gateway.
    pub fn local(data_dir: &Path, public_url: &str) -> Self {
        Self {
            mail: MailSettings {
                smtp_url: None,
                from: "机械行业技工院校高水平专业建设联盟秘书处 <secretariat@jglm.invalid>".into(),
                mail_dir: data_dir.join("mail"),
                max_attempts: 0,
                retry: delivery::DEFAULT_RETRY,
                secretariat: None,
            },
            public_url: public_url.to_owned(),
            seal_file: None,
            credential_key_file: None,
        }
    }

    /// `DOCUMENTS_SMTP_URL`, `DOCUMENTS_MAIL_FROM`, `DOCUMENTS_MAIL_MAX_ATTEMPTS`,
    /// `DOCUMENTS_MAIL_RETRY_BASE_SECS`, `DOCUMENTS_MAIL_RETRY_CAP_SECS`,
    /// `DOCUMENTS_MAIL_GIVE_UP_AFTER_SECS`,
    /// `DOCUMENTS_PUBLIC_URL` (default `ALLIANCE_GATEWAY_URL`), `DOCUMENTS_SEAL_FILE`,
    /// `DOCUMENTS_CREDENTIAL_KEY_FILE`.
    pub fn from_env(settings: &ServiceSettings) -> Result<Self, ConfigError> {
        let mut c = Self::local(
            &settings.data_dir,
            &var_or("DOCUMENTS_PUBLIC_URL", settings.gateway_url.clone()),
        );
        c.mail.smtp_url = var_opt("DOCUMENTS_SMTP_URL");
        if let Some(key) = var_opt("DOCUMENTS_CREDENTIAL_KEY_FILE") {
            c.credential_key_file = Some(PathBuf::from(key));
        }
        if let Some(from) = var_opt("DOCUMENTS_MAIL_FROM") {
            c.mail.from = from;
        }
        c.mail.max_attempts = parse_or("DOCUMENTS_MAIL_MAX_ATTEMPTS", 0)?;
        let secs = |name: &str, default: Duration| -> Result<Duration, ConfigError> {
            Ok(Duration::from_secs(parse_or(name, default.as_secs())?))
        };
        c.mail.retry.base = secs("DOCUMENTS_MAIL_RETRY_BASE_SECS", c.mail.retry.base)?;
        c.mail.retry.cap = secs("DOCUMENTS_MAIL_RETRY_CAP_SECS", c.mail.retry.cap)?;
        let give_up = secs(
            "DOCUMENTS_MAIL_GIVE_UP_AFTER_SECS",
            c.mail.retry.give_up_after.unwrap_or(Duration::ZERO),
        )?;
        c.mail.retry.give_up_after = (!give_up.is_zero()).then_some(give_up);
        c.mail.secretariat = var_opt("DOCUMENTS_SECRETARIAT_EMAIL");
        c.seal_file = var_opt("DOCUMENTS_SEAL_FILE").map(PathBuf::from);
        Ok(c)
    }
}
