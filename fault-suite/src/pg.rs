//! PostgreSQL for the fault suite, reached with `psql` only: fresh databases on a server
//! ([`Databases`]; the machine's shared one at 127.0.0.1:5432 by default), and a cluster of the
//! suite's own ([`OwnCluster`]) that the outage scenario stops and starts. The shared server is
//! never stopped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The shared server: `FAULT_DATABASE_URL`, else `TEST_DATABASE_URL`, else
/// `postgres://postgres@127.0.0.1:5432/postgres` (trust auth).
pub fn shared_server_url() -> String {
    ["FAULT_DATABASE_URL", "TEST_DATABASE_URL"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The URL of database `name` on the server of `server_url`.
pub fn database_url(server_url: &str, name: &str) -> String {
    let base = match server_url.rsplit_once('/') {
        Some((head, _)) if head.contains("://") && head.len() > "postgres://".len() => head.to_owned(),
        _ => server_url.trim_end_matches('/').to_owned(),
    };
    format!("{base}/{name}")
}

/// The directory of PostgreSQL's server programs: `pg_config --bindir` when it has `initdb`
/// (Debian's points at a client-only directory), else the newest `/usr/lib/postgresql/*/bin`.
pub fn server_bindir() -> PathBuf {
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|d| d.join("initdb").exists());
    if let Some(dir) = from_pg_config {
        return dir;
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|d| d.join("initdb").exists())
        .collect();
    // Newest major version last (numeric order: 9 < 15 < 16).
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
        .expect("no PostgreSQL server programs (initdb): apt-get install postgresql")
}

fn psql_program() -> PathBuf {
    let p = server_bindir().join("psql");
    if p.exists() { p } else { PathBuf::from("psql") }
}

/// Runs `sql` on `url`; `Err` with psql's message when it fails (e.g. the server is down).
pub fn try_psql(url: &str, sql: &str) -> Result<String, String> {
    let out = Command::new(psql_program())
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-F",
            "\t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .map_err(|e| format!("cannot run psql (apt-get install postgresql-client): {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// [`try_psql`] that fails the test on an error.
pub fn psql(url: &str, sql: &str) -> String {
    try_psql(url, sql).unwrap_or_else(|e| panic!("psql on {url} failed for `{sql}`: {e}"))
}

/// Rows of `sql`, each split into its columns.
pub fn rows(url: &str, sql: &str) -> Vec<Vec<String>> {
    psql(url, sql)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

/// `(key, count)` rows of `sql` as a map (e.g. `SELECT status, COUNT(*) … GROUP BY status`).
pub fn group_counts(url: &str, sql: &str) -> std::collections::BTreeMap<String, i64> {
    rows(url, sql)
        .into_iter()
        .filter_map(|r| Some((r.first()?.clone(), r.get(1)?.parse().ok()?)))
        .collect()
}

/// The one number `sql` returns.
pub fn count(url: &str, sql: &str) -> i64 {
    let out = psql(url, sql);
    out.trim()
        .parse()
        .unwrap_or_else(|_| panic!("`{sql}` gave {out:?}, not a number"))
}

/// Databases made for one suite on one server, dropped (forcibly) with this value.
pub struct Databases {
    server_url: String,
    names: Vec<(String, String)>,
}

impl Databases {
    /// One new database per name in `services`, on the server of `server_url`.
    pub fn create(server_url: &str, services: &[&str]) -> Self {
        try_psql(server_url, "SELECT 1").unwrap_or_else(|e| {
            panic!("PostgreSQL at {server_url} is not reachable ({e}); start it or set FAULT_DATABASE_URL")
        });
        let tag = crate::random_tag();
        let names: Vec<(String, String)> = services
            .iter()
            .map(|s| ((*s).to_owned(), format!("fault_{tag}_{s}")))
            .collect();
        for (_, n) in &names {
            psql(server_url, &format!("CREATE DATABASE {n}"));
        }
        Self {
            server_url: server_url.to_owned(),
            names,
        }
    }

    /// The URL of `service`'s database.
    pub fn url(&self, service: &str) -> String {
        let name = self
            .names
            .iter()
            .find(|(s, _)| s == service)
            .map(|(_, n)| n.as_str())
            .unwrap_or_else(|| panic!("no database for {service}"));
        database_url(&self.server_url, name)
    }
}

impl Drop for Databases {
    fn drop(&mut self) {
        for (_, n) in &self.names {
            let _ = try_psql(&self.server_url, &format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)"));
        }
    }
}

/// A PostgreSQL cluster of the suite's own in a temporary folder, on a free port of 127.0.0.1,
/// its socket in that folder too: stopped and started at will, removed on drop. Run as the
/// `postgres` OS user when this process is root (initdb refuses root).
pub struct OwnCluster {
    pub port: u16,
    bindir: PathBuf,
    dir: tempfile::TempDir,
    as_postgres: bool,
}

impl OwnCluster {
    /// initdb (trust auth, user `postgres`) and start.
    pub fn start() -> Self {
        let bindir = server_bindir();
        let dir = tempfile::Builder::new()
            .prefix("fault-pg-")
            .tempdir()
            .expect("a temporary folder for the cluster");
        let as_postgres = is_root();
        if as_postgres {
            let st = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(
                st.success(),
                "cannot give {} to the postgres user",
                dir.path().display()
            );
        }
        let port = crate::free_ports(1)[0];
        let cluster = Self {
            port,
            bindir,
            dir,
            as_postgres,
        };
        let data = cluster.data_dir();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster.start_server();
        cluster
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The server's own log (for a failure's diagnosis).
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    fn run(&self, program: &str, args: &[&str]) {
        let exe = self.bindir.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the server (waits until it accepts connections).
    pub fn start_server(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let (data, log) = (self.data_dir(), self.log_path());
        self.run(
            "pg_ctl",
            &[
                "-D",
                &data.display().to_string(),
                "-l",
                &log.display().to_string(),
                "-o",
                &opts,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
    }

    /// Stops the server the way an operator would (`-m fast`: sessions are ended, nothing is
    /// lost); the services see their connections closed and new ones refused.
    pub fn stop_server(&self) {
        let data = self.data_dir();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &data.display().to_string(),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "stop",
            ],
        );
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let data = self.data_dir().display().to_string();
        let exe = self.bindir.join("pg_ctl");
        let args = ["-D", data.as_str(), "-m", "immediate", "-w", "stop"];
        // Already stopped is fine; the folder goes with the TempDir.
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .output()
        } else {
            Command::new(&exe).args(args).output()
        };
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
