//! The whole suite in one process: the gateway and the three services, each on its own port,
//! wired together. Used by the one-command run (`cargo run -p alliance-suite`) and by the
//! end-to-end tests; production runs the same services as four processes instead.

use std::collections::HashMap;
use std::path::PathBuf;

use documents_service::DocumentsConfig;
use gateway::{Gateway, GatewaySettings, KeySource, ServiceClientSeed};
use service_kit::config::{AuthSettings, PreBound, ServiceClient, ServiceSettings};
use service_kit::{ServiceHandle, StartError};

/// Everything that differs between a developer's run and a test run.
#[derive(Debug, Clone)]
pub struct SuiteSettings {
    pub gateway: GatewaySettings,
    pub members: ServiceSettings,
    pub meetings: ServiceSettings,
    pub documents: ServiceSettings,
    /// Mail, public URL and seal of documents-service; its `public_url` is set to the
    /// gateway's address at start unless a test changed it.
    pub documents_config: DocumentsConfig,
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
            http: service_kit::config::HttpLimits::default(),
        };
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
            members: service(members, "members.db", members_service::NAME),
            meetings: service(meetings, "meetings.db", meetings_service::NAME),
            documents: service(documents, "documents.db", documents_service::NAME),
            documents_config: DocumentsConfig::local(&data_dir, ""),
        }
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
            ("members", &mut settings.members),
            ("meetings", &mut settings.meetings),
            ("documents", &mut settings.documents),
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
        for s in [&mut settings.members, &mut settings.meetings, &mut settings.documents] {
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
        if settings.documents_config.public_url.is_empty() {
            settings.documents_config.public_url = settings.documents.gateway_url.clone();
        }
        let documents = documents_service::start(settings.documents, settings.documents_config).await?;
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

    /// Starts `name` again with `settings` resolved as [`Suite::start`] resolved them (key,
    /// gateway and peer URLs, the same `bind` address); `documents` uses `documents_config`.
    pub async fn start_service(
        &mut self,
        name: &str,
        settings: ServiceSettings,
        documents_config: DocumentsConfig,
    ) -> Result<(), StartError> {
        match name {
            "members" => self.members = Some(members_service::start(settings).await?),
            "meetings" => self.meetings = Some(meetings_service::start(settings).await?),
            "documents" => self.documents = Some(documents_service::start(settings, documents_config).await?),
            other => return Err(StartError::Other(format!("no service named {other}"))),
        }
        Ok(())
    }
}
