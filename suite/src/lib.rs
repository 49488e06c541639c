//! The whole suite in one process: the gateway and the three services, each on its own port,
//! wired together. Used by the one-command run (`cargo run -p alliance-suite`) and by the
//! end-to-end tests; production runs the same services as four processes instead.

use std::collections::HashMap;
use std::path::PathBuf;

use gateway::{Gateway, GatewaySettings, KeySource, ServiceClientSeed};
use service_kit::config::{
    AuthSettings, ConfigError, HttpLimits, PreBound, ServiceClient, ServiceSettings, parse_or, var_opt,
};
use service_kit::{ServiceHandle, StartError};

/// Everything that differs between a developer's run and a test run.
#[derive(Debug, Clone)]
pub struct SuiteSettings {
    pub gateway: GatewaySettings,
    pub members: members_service::Settings,
    pub meetings: meetings_service::Settings,
    /// Its `config.public_url` (the verification links) is set to the gateway's address at
    /// start unless a test changed it.
    pub documents: documents_service::Settings,
}

impl SuiteSettings {
    /// Settings for a self-contained suite under `data_dir`: SQLite files, ports chosen by the
    /// OS when `ports` is `None`, the given signing key (or a key file under `data_dir/keys`).
    /// Each service gets client credentials with a fresh random secret, which the gateway
    /// registers at start (`gateway.service_clients`).
    pub fn local(
        data_dir: PathBuf,
        ports: Option<[u16; 4]>,
        key: Option<String>,
        admin_password: Option<String>,
    ) -> Self {
        let [gw, members, meetings, documents] = ports.unwrap_or([0; 4]);
        let sqlite = |name: &str| format!("sqlite://{}", data_dir.join(name).display());
        let seeds: Vec<ServiceClientSeed> = [members_service::NAME, meetings_service::NAME, documents_service::NAME]
            .into_iter()
            .map(|id| ServiceClientSeed::for_service(id, &gateway::passwords::random_secret(40)))
            .collect();
        let client_of = |id: &str| {
            seeds.iter().find(|s| s.client_id == id).map(|s| ServiceClient {
                client_id: s.client_id.clone(),
                client_secret: s.secret.clone(),
            })
        };
        let service = |port: u16, db: &str, id: &str| ServiceSettings {
            bind: format!("127.0.0.1:{port}"),
            // Bound in `Suite::start`, which also fills in the URLs below.
            listener: None,
            database_url: sqlite(db),
            db_pool_size: 8,
            workers: 2,
            // Filled in by `start` once the gateway's key is known.
            auth: AuthSettings {
                issuer: AuthSettings::DEFAULT_ISSUER.into(),
                audience: AuthSettings::DEFAULT_AUDIENCE.into(),
                public_key_pem: String::new(),
            },
            data_dir: data_dir.clone(),
            gateway_url: String::new(),
            service_client: client_of(id),
            peers: HashMap::new(),
            http: HttpLimits::default(),
            utc_offset_hours: service_kit::clock::DEFAULT_OFFSET_HOURS,
        };
        let documents = service(documents, "documents.db", documents_service::NAME);
        let key = match key {
            Some(pem) => KeySource::Pem(pem),
            None => KeySource::File {
                private: data_dir.join("keys").join("jwt-ed25519.pem"),
                public: AuthSettings::default_public_key_path(&data_dir),
            },
        };
        Self {
            gateway: GatewaySettings {
                bind: format!("127.0.0.1:{gw}"),
                database_url: sqlite("gateway.db"),
                db_pool_size: 8,
                workers: 2,
                data_dir: data_dir.clone(),
                issuer: AuthSettings::DEFAULT_ISSUER.into(),
                audience: AuthSettings::DEFAULT_AUDIENCE.into(),
                token_ttl_secs: 900,
                key,
                upstreams: gateway::proxy::Upstreams {
                    members: String::new(),
                    meetings: String::new(),
                    documents: String::new(),
                },
                upstream_timeout: std::time::Duration::from_secs(30),
                admin_username: "admin".into(),
                admin_password,
                service_clients: seeds.clone(),
                limits: gateway::proxy::ClientLimits::default(),
            },
            members: members_service::Settings::with_service(service(members, "members.db", members_service::NAME)),
            meetings: meetings_service::Settings::with_service(service(
                meetings,
                "meetings.db",
                meetings_service::NAME,
            )),
            documents: documents_service::Settings::local(documents, ""),
        }
    }
}

impl SuiteSettings {
    /// Every variable of the README's configuration table, read by the services' own readers,
    /// for the one process: databases, pools, workers, binds, keys, mail, limits. What differs
    /// from four processes: the services reach each other and the gateway at the addresses this
    /// process binds (so `GATEWAY_*_URL` and `ALLIANCE_*_URL` other than for public links do
    /// not apply), `SUITE_PORT` gives the four ports unless a `*_BIND` names one, and a service
    /// without `<SERVICE>_CLIENT_ID`/`_SECRET` gets a fresh random secret registered with the
    /// gateway at start.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut gateway = GatewaySettings::from_env()?;
        let read = |prefix: &str, port: u16, db: &str| ServiceSettings::from_env_without_key(prefix, port, db);
        let mut members = read(
            members_service::settings::PREFIX,
            members_service::DEFAULT_PORT,
            members_service::settings::DEFAULT_DB_FILE,
        )?;
        let mut meetings = read(
            meetings_service::settings::PREFIX,
            meetings_service::DEFAULT_PORT,
            meetings_service::settings::DEFAULT_DB_FILE,
        )?;
        let mut documents = read(
            documents_service::settings::PREFIX,
            documents_service::DEFAULT_PORT,
            documents_service::settings::DEFAULT_DB_FILE,
        )?;

        if var_opt("SUITE_PORT").is_some() {
            let first: u16 = parse_or("SUITE_PORT", 8080)?;
            let port = |i: u16| {
                if first == 0 {
                    Ok(0)
                } else {
                    first.checked_add(i).ok_or_else(|| ConfigError::Invalid {
                        name: "SUITE_PORT".into(),
                        value: first.to_string(),
                        reason: "leaves no room for four ports".into(),
                    })
                }
            };
            for (i, var, bind) in [
                (0, "GATEWAY_BIND", &mut gateway.bind),
                (1, "MEMBERS_BIND", &mut members.bind),
                (2, "MEETINGS_BIND", &mut meetings.bind),
                (3, "DOCUMENTS_BIND", &mut documents.bind),
            ] {
                if var_opt(var).is_none() {
                    *bind = format!("127.0.0.1:{}", port(i)?);
                }
            }
        }

        // The verification links point at the gateway this process binds, unless configured.
        documents.gateway_url = var_opt("ALLIANCE_GATEWAY_URL").unwrap_or_default();

        for (service, name) in [
            (&mut members, members_service::NAME),
            (&mut meetings, meetings_service::NAME),
            (&mut documents, documents_service::NAME),
        ] {
            let client = service.service_client.get_or_insert_with(|| ServiceClient {
                client_id: name.to_owned(),
                client_secret: gateway::passwords::random_secret(40),
            });
            match gateway.service_clients.iter().find(|s| s.client_id == client.client_id) {
                None => gateway
                    .service_clients
                    .push(ServiceClientSeed::for_service(&client.client_id, &client.client_secret)),
                Some(seed) if seed.secret == client.client_secret => {}
                Some(_) => {
                    return Err(ConfigError::Invalid {
                        name: "GATEWAY_SERVICE_CLIENTS".into(),
                        value: "<hidden>".into(),
                        reason: format!(
                            "gives {} another secret than its own client secret variable",
                            client.client_id
                        ),
                    });
                }
            }
        }
        Ok(Self {
            gateway,
            members: members_service::Settings::read(members)?,
            meetings: meetings_service::Settings::read(meetings)?,
            documents: documents_service::Settings::read(documents)?,
        })
    }

    /// [`SuiteSettings::from_env`] with `vars` as the whole environment (tests).
    pub fn from_vars(vars: HashMap<String, String>) -> Result<Self, ConfigError> {
        service_kit::config::with_vars(vars, Self::from_env)
    }
}

/// The running suite. Services are `Option` so a test can stop one and watch the gateway.
pub struct Suite {
    pub gateway: Gateway,
    pub members: Option<ServiceHandle>,
    pub meetings: Option<ServiceHandle>,
    pub documents: Option<ServiceHandle>,
}

impl Suite {
    /// Binds all four ports first, so that every service knows the gateway's and the others'
    /// URLs; then starts the services (with the gateway's public key) and the gateway pointed
    /// at them. Services fetch their own tokens lazily, so starting before the gateway is fine.
    pub async fn start(mut settings: SuiteSettings) -> Result<Self, StartError> {
        let keys = gateway::load_keys(&settings.gateway)?;
        let (gateway_listener, gateway_addr) = service_kit::server::bind(&settings.gateway.bind)?;
        let gateway_url = format!("http://{gateway_addr}");
        let mut peers = HashMap::new();
        for (name, s) in [
            ("members", &mut settings.members.service),
            ("meetings", &mut settings.meetings.service),
            ("documents", &mut settings.documents.service),
        ] {
            let pre = match &s.listener {
                Some(pre) => pre.clone(),
                None => PreBound::bind(&s.bind).map_err(|source| StartError::Bind {
                    addr: s.bind.clone(),
                    source,
                })?,
            };
            peers.insert(name.to_owned(), pre.url());
            s.listener = Some(pre);
        }
        for s in [
            &mut settings.members.service,
            &mut settings.meetings.service,
            &mut settings.documents.service,
        ] {
            s.auth = AuthSettings {
                issuer: settings.gateway.issuer.clone(),
                audience: settings.gateway.audience.clone(),
                public_key_pem: keys.public_pem.clone(),
            };
            s.gateway_url = gateway_url.clone();
            s.peers = peers.clone();
        }
        let peer = |name: &str| peers.get(name).cloned().unwrap_or_default();
        settings.gateway.upstreams = gateway::proxy::Upstreams {
            members: peer("members"),
            meetings: peer("meetings"),
            documents: peer("documents"),
        };
        let members = members_service::start(settings.members).await?;
        let meetings = meetings_service::start(settings.meetings).await?;
        if settings.documents.config.public_url.is_empty() {
            settings.documents.config.public_url = settings.documents.service.gateway_url.clone();
        }
        let documents = documents_service::start(settings.documents).await?;
        let gateway = gateway::start_on(settings.gateway, gateway_listener).await?;
        Ok(Self {
            gateway,
            members: Some(members),
            meetings: Some(meetings),
            documents: Some(documents),
        })
    }

    pub fn url(&self) -> String {
        self.gateway.service.url()
    }

    /// Stops everything.
    pub async fn stop(mut self) {
        for h in [self.members.take(), self.meetings.take(), self.documents.take()]
            .into_iter()
            .flatten()
        {
            h.stop().await;
        }
        self.gateway.service.stop().await;
    }

    /// Runs until the process is asked to stop (Ctrl-C / SIGTERM).
    pub async fn wait(mut self) -> std::io::Result<()> {
        for h in [self.members.take(), self.meetings.take(), self.documents.take()]
            .into_iter()
            .flatten()
        {
            h.wait().await?;
        }
        self.gateway.service.wait().await
    }
}

/// Stopping and starting one service of a running suite (tests: "nothing is lost when a
/// service restarts mid-way").
impl Suite {
    /// Stops `name` (`members`, `meetings` or `documents`) if it runs, and returns where it
    /// listened; its port is free afterwards.
    pub async fn stop_service(&mut self, name: &str) -> Option<std::net::SocketAddr> {
        let handle = match name {
            "members" => self.members.take(),
            "meetings" => self.meetings.take(),
            "documents" => self.documents.take(),
            _ => None,
        }?;
        let addr = handle.addr;
        handle.stop().await;
        Some(addr)
    }

    /// Starts `name` again with its part of `settings`, resolved as [`Suite::start`] resolved
    /// them (key, gateway and peer URLs, the same `bind` address).
    pub async fn start_service(&mut self, name: &str, settings: &SuiteSettings) -> Result<(), StartError> {
        match name {
            "members" => self.members = Some(members_service::start(settings.members.clone()).await?),
            "meetings" => self.meetings = Some(meetings_service::start(settings.meetings.clone()).await?),
            "documents" => self.documents = Some(documents_service::start(settings.documents.clone()).await?),
            other => return Err(StartError::Other(format!("no service named {other}"))),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn seed_of<'a>(s: &'a SuiteSettings, id: &str) -> Option<&'a ServiceClientSeed> {
        s.gateway.service_clients.iter().find(|c| c.client_id == id)
    }

    // Issue 9 point 10: with nothing set, the one process runs as before: SQLite files, mail
    // files and keys under ./data, ports 8080-8083, a random client per service.
    #[test]
    fn without_variables_the_suite_keeps_its_local_defaults() -> Result<(), ConfigError> {
        let s = SuiteSettings::from_vars(HashMap::new())?;
        assert_eq!(s.gateway.database_url, "sqlite://./data/gateway.db");
        assert_eq!(s.members.service.database_url, "sqlite://./data/members.db");
        assert_eq!(s.meetings.service.database_url, "sqlite://./data/meetings.db");
        assert_eq!(s.documents.service.database_url, "sqlite://./data/documents.db");
        let binds = [
            &s.gateway.bind,
            &s.members.service.bind,
            &s.meetings.service.bind,
            &s.documents.service.bind,
        ];
        assert_eq!(
            binds,
            ["127.0.0.1:8080", "127.0.0.1:8081", "127.0.0.1:8082", "127.0.0.1:8083"]
        );
        assert_eq!(s.documents.config.mail.smtp_url, None);
        assert_eq!(s.documents.config.mail.mail_dir, Path::new("./data/mail"));
        assert_eq!(
            s.documents.config.public_url, "",
            "filled in with the bound gateway address"
        );
        assert!(
            matches!(&s.gateway.key, KeySource::File { private, .. } if private == Path::new("./data/keys/jwt-ed25519.pem"))
        );
        assert_eq!(s.gateway.limits, gateway::proxy::ClientLimits::default());
        for service in [&s.members.service, &s.meetings.service, &s.documents.service] {
            let client = service
                .service_client
                .as_ref()
                .map(|c| (c.client_id.as_str(), c.client_secret.as_str()));
            let (id, secret) = client.unwrap_or_default();
            assert_eq!(
                seed_of(&s, id).map(|seed| seed.secret.as_str()),
                Some(secret),
                "{id} is registered"
            );
            assert!(secret.len() >= 16);
        }
        assert_eq!(s.gateway.service_clients.len(), 3);
        Ok(())
    }

    // Issue 9 point 10: the production variables reach the one process.
    #[test]
    fn the_suite_reads_every_service_setting_from_the_environment() -> Result<(), ConfigError> {
        let s = SuiteSettings::from_vars(vars(&[
            ("ALLIANCE_DATA_DIR", "/srv/jglm"),
            ("GATEWAY_DATABASE_URL", "postgres://db/gateway"),
            ("MEMBERS_DATABASE_URL", "postgres://db/members"),
            ("MEETINGS_DATABASE_URL", "postgres://db/meetings"),
            ("DOCUMENTS_DATABASE_URL", "postgres://db/documents"),
            ("DOCUMENTS_SMTP_URL", "smtp://relay.example.cn:587?tls=required"),
            ("DOCUMENTS_MAIL_FROM", "秘书处 <office@jglm.example.cn>"),
            ("DOCUMENTS_PUBLIC_URL", "https://jglm.example.cn"),
            ("MEETINGS_DB_POOL_SIZE", "3"),
            ("DOCUMENTS_WORKERS", "5"),
            ("SUITE_PORT", "9000"),
            ("MEETINGS_BIND", "0.0.0.0:7002"),
            ("GATEWAY_TOKEN_TTL_SECS", "300"),
            ("GATEWAY_UPSTREAM_TIMEOUT_SECS", "7"),
            ("GATEWAY_BODY_TIMEOUT_SECS", "4"),
            ("MEMBERS_BODY_TIMEOUT_SECS", "6"),
            ("GATEWAY_MAX_REQUESTS_PER_CLIENT", "9"),
            ("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8"),
            ("GATEWAY_SIGNING_KEY_FILE", "/etc/jglm/jwt.pem"),
            ("GATEWAY_ADMIN_USERNAME", "secretariat"),
            ("MEMBERS_CLIENT_ID", "members-service"),
            ("MEMBERS_CLIENT_SECRET", "members-secret-0123456789"),
            ("MEMBERS_TERM_REMINDER_DAYS", "60,7"),
            ("MEMBERS_ABSENCE_DISMISS_AT_ONCE", "true"),
            ("MEETINGS_WORK_YEAR_START", "09-01"),
            ("ALLIANCE_UTC_OFFSET_HOURS", "0"),
            (
                "GATEWAY_SERVICE_CLIENTS",
                "members-service:members-secret-0123456789,reports:reports-secret-0123456",
            ),
        ]))?;
        assert_eq!(s.gateway.database_url, "postgres://db/gateway");
        assert_eq!(s.members.service.database_url, "postgres://db/members");
        assert_eq!(s.meetings.service.database_url, "postgres://db/meetings");
        assert_eq!(s.documents.service.database_url, "postgres://db/documents");
        let mail = &s.documents.config.mail;
        assert_eq!(
            mail.smtp_url.as_deref(),
            Some("smtp://relay.example.cn:587?tls=required")
        );
        assert_eq!(mail.from, "秘书处 <office@jglm.example.cn>");
        assert_eq!(mail.mail_dir, Path::new("/srv/jglm/mail"));
        assert_eq!(s.documents.config.public_url, "https://jglm.example.cn");
        assert_eq!((s.meetings.service.db_pool_size, s.documents.service.workers), (3, 5));
        let binds = [
            &s.gateway.bind,
            &s.members.service.bind,
            &s.meetings.service.bind,
            &s.documents.service.bind,
        ];
        assert_eq!(
            binds,
            ["127.0.0.1:9000", "127.0.0.1:9001", "0.0.0.0:7002", "127.0.0.1:9003"]
        );
        assert_eq!(s.gateway.token_ttl_secs, 300);
        assert_eq!(s.gateway.upstream_timeout, Duration::from_secs(7));
        assert_eq!(s.gateway.limits.body_timeout, Duration::from_secs(4));
        assert_eq!(s.gateway.limits.max_in_flight, 9);
        assert_eq!(s.gateway.limits.trusted_proxies.len(), 1);
        assert_eq!(s.members.service.http.body_timeout, Duration::from_secs(6));
        assert_eq!(s.meetings.service.http.body_timeout, Duration::from_secs(10));
        assert!(matches!(&s.gateway.key, KeySource::File { private, .. } if private == Path::new("/etc/jglm/jwt.pem")));
        assert_eq!(s.gateway.admin_username, "secretariat");
        assert_eq!(s.gateway.data_dir, Path::new("/srv/jglm"));
        // The configured client is used as given; the others get generated ones; every one is
        // registered once.
        assert_eq!(
            s.members
                .service
                .service_client
                .as_ref()
                .map(|c| c.client_secret.as_str()),
            Some("members-secret-0123456789")
        );
        assert_eq!(s.gateway.service_clients.len(), 4);
        // Each service's own settings, read by its own reader, once.
        assert_eq!(s.members.reminder_days, [60, 7]);
        assert!(s.members.absence_dismiss_at_once);
        assert_eq!(s.meetings.rules.work_year.to_string(), "09-01");
        assert_eq!(
            [&s.members.service, &s.meetings.service, &s.documents.service].map(|s| s.utc_offset_hours),
            [0; 3]
        );
        assert!(seed_of(&s, "reports").is_some() && seed_of(&s, meetings_service::NAME).is_some());
        Ok(())
    }

    #[test]
    fn contradicting_or_invalid_settings_are_refused() {
        let clash = SuiteSettings::from_vars(vars(&[
            ("MEMBERS_CLIENT_ID", "members-service"),
            ("MEMBERS_CLIENT_SECRET", "members-secret-0123456789"),
            ("GATEWAY_SERVICE_CLIENTS", "members-service:another-secret-0123456789"),
        ]));
        assert!(clash.is_err(), "the service could never log in");
        assert!(SuiteSettings::from_vars(vars(&[("SUITE_PORT", "65534")])).is_err());
        assert!(SuiteSettings::from_vars(vars(&[("SUITE_PORT", "http")])).is_err());
        assert!(SuiteSettings::from_vars(vars(&[("GATEWAY_TRUSTED_PROXIES", "lb.internal")])).is_err());
        assert!(SuiteSettings::from_vars(vars(&[("MEETINGS_WORKERS", "many")])).is_err());
        assert!(SuiteSettings::from_vars(vars(&[("MEMBERS_TERM_REMINDER_DAYS", "90,3O")])).is_err());
        assert!(SuiteSettings::from_vars(vars(&[("MEETINGS_WORK_YEAR_START", "13-01")])).is_err());
        assert!(SuiteSettings::from_vars(vars(&[("ALLIANCE_UTC_OFFSET_HOURS", "20")])).is_err());
        // SUITE_PORT=0: any free ports.
        let any = SuiteSettings::from_vars(vars(&[("SUITE_PORT", "0")]));
        assert_eq!(any.map(|s| s.members.service.bind).ok().as_deref(), Some("127.0.0.1:0"));
    }
}
