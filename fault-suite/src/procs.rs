//! The four service binaries as child processes, configured by environment variables only (the
//! README's configuration table), each on its own free port of 127.0.0.1, each killable alone
//! (SIGKILL) and startable again on the same port and database. Everything is killed on drop.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http::{Api, Http};
use crate::pg::Databases;

/// The bootstrap admin's password (`GATEWAY_ADMIN_PASSWORD`).
pub const ADMIN_PASSWORD: &str = "fault-suite-admin-passphrase";

/// The service clients' secret (one per service, shared by its replicas).
const CLIENT_SECRET: &str = "fault-suite-service-secret";

/// The three services behind the gateway, by binary name and environment prefix.
pub const SERVICES: [(&str, &str); 3] = [
    ("members", "MEMBERS"),
    ("meetings", "MEETINGS"),
    ("documents", "DOCUMENTS"),
];

/// `target/debug/`: the first ancestor of the test executable named `debug`; or
/// `FAULT_BIN_DIR`, to run the scenarios against binaries built elsewhere (another commit).
pub fn binaries_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FAULT_BIN_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    exe.ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "debug"))
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("{} is not under a target/debug folder", exe.display()))
}

/// The debug binary `name`, or a failed test saying how to build it.
pub fn binary(name: &str) -> PathBuf {
    let path = binaries_dir().join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --bins` first (the fault suite starts the real binaries)",
        path.display()
    );
    path
}

/// One process of the suite.
pub struct Proc {
    /// e.g. `documents-b` (replica b of documents-service).
    pub name: String,
    pub port: u16,
    bin: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
    /// How many times it was started.
    pub starts: u32,
}

impl Proc {
    fn new(name: String, port: u16, bin: PathBuf, env: Vec<(String, String)>, logs: &Path) -> Self {
        let log = logs.join(format!("{name}.log"));
        Self {
            name,
            port,
            bin,
            env,
            log,
            child: None,
            starts: 0,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts the process (its output appended to its log, kept across restarts).
    pub fn spawn(&mut self) {
        assert!(self.child.is_none(), "{} is already running", self.name);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("the process's log file");
        // Only what the suite sets, so a variable of the caller's shell cannot change a run.
        let child = Command::new(&self.bin)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.bin.display()));
        self.child = Some(child);
        self.starts += 1;
    }

    /// SIGKILL, and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether it is running (not exited since its start).
    pub fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// The last `n` lines of its log.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    /// How many lines of its log contain `needle`.
    pub fn log_count(&self, needle: &str) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(needle))
            .count()
    }

    /// Polls `/readyz` until 200; fails the test (with its log) when it exits or `secs` pass.
    pub async fn wait_ready(&mut self, http: &Http, secs: u64) {
        let url = format!("{}/readyz", self.url());
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(r) = http.get_opt(&url, None).await
                && r.status == 200
            {
                return;
            }
            if !self.is_running() {
                panic!(
                    "{} exited before it was ready; its log:\n{}",
                    self.name,
                    self.log_tail(40)
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "{} was not ready after {secs} s; its log:\n{}",
                    self.name,
                    self.log_tail(40)
                );
            }
            actix_rt::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// How to start a suite.
pub struct SuiteOptions {
    /// Replicas of each service (1 or 2); replica `r` calls the others of set `r`.
    pub replicas: usize,
    /// Gateways (1 or 2); gateway `g` forwards to replica set `g` (set 0 with one replica).
    pub gateways: usize,
    /// The PostgreSQL server for the four databases (made fresh, dropped at the end).
    pub server_url: String,
    pub smtp_url: Option<String>,
    /// More variables for every process, after the suite's own (so they win).
    pub env: Vec<(String, String)>,
}

impl SuiteOptions {
    pub fn new(server_url: String, smtp_url: Option<String>) -> Self {
        Self {
            replicas: 1,
            gateways: 1,
            server_url,
            smtp_url,
            env: Vec::new(),
        }
    }
}

/// The running processes, their databases and data folder.
pub struct Suite {
    pub gateways: Vec<Proc>,
    /// `services[s][r]`: replica `r` of service `s` in [`SERVICES`] order.
    pub services: Vec<Vec<Proc>>,
    pub http: Http,
    pub dbs: Databases,
    /// Logs and the shared data folder (keys).
    pub dir: tempfile::TempDir,
}

fn index_of(service: &str) -> usize {
    SERVICES
        .iter()
        .position(|(n, _)| *n == service)
        .unwrap_or_else(|| panic!("no service named {service}"))
}

impl Suite {
    /// Starts the gateways (they write the signing key the services read), then every service
    /// replica, and waits until all answer `/readyz`.
    pub async fn start(opts: SuiteOptions) -> Self {
        let replicas = opts.replicas.max(1);
        let gateways = opts.gateways.max(1);
        let dir = tempfile::Builder::new()
            .prefix("fault-suite-")
            .tempdir()
            .expect("a temporary folder for the suite");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("the data folder");
        let dbs = Databases::create(&opts.server_url, &["gateway", "members", "meetings", "documents"]);
        let ports = crate::free_ports(gateways + 3 * replicas);
        let gw_port = |g: usize| ports[g];
        let svc_port = |s: usize, r: usize| ports[gateways + s * replicas + r];
        let url = |p: u16| format!("http://127.0.0.1:{p}");
        let clients: Vec<String> = SERVICES
            .iter()
            .map(|(n, _)| format!("fault-{n}:{CLIENT_SECRET}"))
            .collect();
        let common = |set: usize| -> Vec<(String, String)> {
            let g = set.min(gateways - 1);
            let mut env = vec![
                ("ALLIANCE_DATA_DIR".into(), data.display().to_string()),
                ("ALLIANCE_GATEWAY_URL".into(), url(gw_port(g))),
                (
                    "RUST_LOG".into(),
                    std::env::var("FAULT_RUST_LOG").unwrap_or_else(|_| "info".into()),
                ),
            ];
            for (s, (name, _)) in SERVICES.iter().enumerate() {
                env.push((format!("ALLIANCE_{}_URL", name.to_uppercase()), url(svc_port(s, set))));
            }
            env
        };
        let http = Http::new(Duration::from_secs(60));
        let logs = dir.path().to_owned();
        let mut gw_procs = Vec::new();
        for g in 0..gateways {
            let set = g.min(replicas - 1);
            let mut env = common(set);
            env.extend([
                ("GATEWAY_BIND".into(), format!("127.0.0.1:{}", gw_port(g))),
                ("GATEWAY_DATABASE_URL".into(), dbs.url("gateway")),
                ("GATEWAY_ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
                ("GATEWAY_SERVICE_CLIENTS".into(), clients.join(",")),
                // Long variants outlast the default 15 minutes of an admin token.
                ("GATEWAY_TOKEN_TTL_SECS".into(), "14400".into()),
            ]);
            for (s, (name, _)) in SERVICES.iter().enumerate() {
                env.push((format!("GATEWAY_{}_URL", name.to_uppercase()), url(svc_port(s, set))));
            }
            env.extend(opts.env.iter().cloned());
            let name = format!("gateway-{}", letter(g));
            gw_procs.push(Proc::new(name, gw_port(g), binary("gateway"), env, &logs));
        }
        // The first gateway writes the signing key; the others and the services read it.
        gw_procs[0].spawn();
        gw_procs[0].wait_ready(&http, 120).await;
        for gw in gw_procs.iter_mut().skip(1) {
            gw.spawn();
        }
        let mut services = Vec::new();
        for (s, (name, prefix)) in SERVICES.iter().enumerate() {
            let mut procs = Vec::new();
            for r in 0..replicas {
                let mut env = common(r);
                env.extend([
                    (format!("{prefix}_BIND"), format!("127.0.0.1:{}", svc_port(s, r))),
                    (format!("{prefix}_DATABASE_URL"), dbs.url(name)),
                    (format!("{prefix}_CLIENT_ID"), format!("fault-{name}")),
                    (format!("{prefix}_CLIENT_SECRET"), CLIENT_SECRET.into()),
                ]);
                match *name {
                    "members" => env.push(("MEMBERS_JOBS_INTERVAL_SECS".into(), "2".into())),
                    "documents" => {
                        if let Some(u) = &opts.smtp_url {
                            env.push(("DOCUMENTS_SMTP_URL".into(), u.clone()));
                        }
                        env.extend([
                            ("DOCUMENTS_PUBLIC_URL".into(), url(gw_port(0))),
                            // A short schedule (issue #9's settings, being added), so an outage
                            // of seconds is retried within seconds; many attempts, so a delivery
                            // outlasts the outage instead of failing for good.
                            ("DOCUMENTS_MAIL_RETRY_BASE_SECS".into(), "1".into()),
                            ("DOCUMENTS_MAIL_RETRY_CAP_SECS".into(), "5".into()),
                            ("DOCUMENTS_MAIL_MAX_ATTEMPTS".into(), "1000".into()),
                        ]);
                    }
                    _ => {}
                }
                env.extend(opts.env.iter().cloned());
                let binary_name = format!("{name}-service");
                procs.push(Proc::new(
                    format!("{name}-{}", letter(r)),
                    svc_port(s, r),
                    binary(&binary_name),
                    env,
                    &logs,
                ));
            }
            services.push(procs);
        }
        for p in services.iter_mut().flatten() {
            p.spawn();
        }
        for p in gw_procs.iter_mut().skip(1).chain(services.iter_mut().flatten()) {
            p.wait_ready(&http, 120).await;
        }
        Self {
            gateways: gw_procs,
            services,
            http,
            dbs,
            dir,
        }
    }

    /// Replica `r` of `service` (`members`, `meetings`, `documents`).
    pub fn service(&mut self, service: &str, r: usize) -> &mut Proc {
        &mut self.services[index_of(service)][r]
    }

    /// Every replica of `service`.
    pub fn replicas(&self, service: &str) -> &[Proc] {
        &self.services[index_of(service)]
    }

    /// SIGKILL replica `r` of `service`.
    pub fn kill(&mut self, service: &str, r: usize) {
        self.service(service, r).kill();
    }

    /// Starts a killed replica again (same port, database, settings) and waits until ready.
    pub async fn start_again(&mut self, service: &str, r: usize) {
        let http = self.http.clone();
        let p = self.service(service, r);
        p.spawn();
        p.wait_ready(&http, 120).await;
    }

    /// An admin session through gateway `g`.
    pub async fn admin(&self, g: usize) -> Api {
        let base = self.gateways[g].url();
        let body = serde_json::json!({"grant_type": "password", "username": "admin", "password": ADMIN_PASSWORD});
        let r = self
            .http
            .send(
                "POST",
                &format!("{base}/api/v1/auth/token"),
                None,
                &[],
                Some(("application/json", body.to_string().into_bytes())),
            )
            .await
            .unwrap_or_else(|e| panic!("login at {base}: {e}"));
        let token = r.success("admin login")["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        Api {
            http: self.http.clone(),
            base,
            token,
        }
    }

    /// The URL of `service`'s database.
    pub fn db(&self, service: &str) -> String {
        self.dbs.url(service)
    }

    /// Where the processes' logs are.
    pub fn logs(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Suite {
    fn drop(&mut self) {
        // Processes first, so the databases can be dropped (Databases drops after this).
        for p in self.services.iter_mut().flatten().chain(self.gateways.iter_mut()) {
            p.kill();
        }
        if std::env::var("FAULT_KEEP_LOGS").is_ok_and(|v| v == "1") {
            let kept = self.dir.path().to_owned();
            let copy = std::env::temp_dir().join(format!("fault-logs-{}", crate::random_tag()));
            if std::fs::create_dir_all(&copy).is_ok() {
                for e in std::fs::read_dir(&kept).into_iter().flatten().flatten() {
                    if e.path().extension().is_some_and(|x| x == "log") {
                        let _ = std::fs::copy(e.path(), copy.join(e.file_name()));
                    }
                }
                eprintln!("logs kept in {}", copy.display());
            }
        }
    }
}

fn letter(i: usize) -> char {
    (b'a' + u8::try_from(i).unwrap_or(0)) as char
}

/// Sums the samples of a Prometheus counter in `metrics` whose labels contain every one of
/// `labels` (e.g. `route="/internal/v1/events"`), optionally only statuses accepted by `status`.
pub fn metric_sum(metrics: &str, name: &str, labels: &[&str], status: impl Fn(u16) -> bool) -> u64 {
    metrics
        .lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with('{'))
        .filter(|l| labels.iter().all(|want| l.contains(want)))
        .filter(|l| match l.split("status=\"").nth(1).and_then(|s| s.get(..3)) {
            Some(code) => code.parse().map(&status).unwrap_or(false),
            None => true,
        })
        .filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
        .map(|v| v as u64)
        .sum()
}
