//! Fresh databases for a service's own tests: always a SQLite file in a temporary folder, and
//! a new PostgreSQL database when `TEST_DATABASE_URL` names a server (dropped again when the
//! [`TestDb`] is dropped), each migrated with the service's migrations.

use diesel::{Connection, PgConnection, RunQueryDsl};

use crate::db::{Backend, Db, Migrations};

/// A migrated database that disappears with this value.
pub struct TestDb {
    pub db: Db,
    pub backend: Backend,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.pg
            && let Ok(mut c) = PgConnection::establish(server)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c);
        }
    }
}

/// The URL of database `name` on the server of `server_url`.
pub fn database_url(server_url: &str, name: &str) -> String {
    let base = match server_url.rsplit_once('/') {
        Some((head, _)) if head.contains("://") && head.len() > "postgres://".len() => head.to_owned(),
        _ => server_url.trim_end_matches('/').to_owned(),
    };
    format!("{base}/{name}")
}

/// SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set (`migrations`: e.g.
/// `|| my_service::db::MIGRATIONS`). Panics (it is for tests) when
/// a database cannot be made.
pub fn test_databases(label: &str, migrations: fn() -> Migrations) -> Vec<TestDb> {
    databases(label, Some(migrations))
}

/// Like [`test_databases`], with no tables: for tests that make their own.
pub fn blank_databases(label: &str) -> Vec<TestDb> {
    databases(label, None)
}

fn databases(label: &str, migrations: Option<fn() -> Migrations>) -> Vec<TestDb> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
    let url = format!("sqlite://{}", dir.path().join(format!("{label}.db")).display());
    let mut out = vec![open(url, Some(dir), None, migrations)];
    if let Some(server) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        let mut c = PgConnection::establish(&server)
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL={server} is not reachable: {e}"));
        let name = format!("jglm_t_{label}_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
        let url = database_url(&server, &name);
        out.push(open(url, None, Some((server, name)), migrations));
    }
    out
}

fn open(
    url: String,
    dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
    migrations: Option<fn() -> Migrations>,
) -> TestDb {
    let db = Db::connect(&url, 8).unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
    if let Some(migrations) = migrations {
        db.migrate(migrations())
            .unwrap_or_else(|e| panic!("migrations failed on {url}: {e}"));
    }
    TestDb {
        backend: db.backend(),
        db,
        url,
        _dir: dir,
        pg,
    }
}
