//! Fresh databases for tests, in a crate of their own so that no production binary compiles it
//! (only dev-dependencies and the end-to-end harness depend on it, and service-kit's features
//! stay the same in test and production builds, so `cargo build --bins` after `cargo test`
//! rebuilds nothing).
//!
//! [`test_databases`] gives a SQLite file in a temporary folder, always, and a new PostgreSQL
//! database when `TEST_DATABASE_URL` names a server (dropped again with the [`TestDb`]), each
//! holding the service's migrated schema. [`PgDatabase`] is the PostgreSQL part alone (the
//! end-to-end harness uses it).
//!
//! **Templates.** A PostgreSQL test database is not migrated from scratch: it is cloned
//! (`CREATE DATABASE … TEMPLATE …`) from a template database that holds the migrated schema,
//! one per distinct migration set, made the first time it is needed on that server. The template
//! is named after [`Migrations::fingerprint`], a hash of the migration files computed by the
//! service's build script from the very folder `embed_migrations!` embeds in the same build, so
//! a migration that is added, removed or edited (its SQL, its `down.sql`, its `metadata.toml`)
//! gives a new name, and a template made from other migrations is never used. A template is
//! built under a temporary name and renamed only once every migration has run, under an
//! advisory lock keyed by the fingerprint, so a crash leaves no half-made template and many test
//! processes at once build each template once. Templates refuse connections
//! (`ALLOW_CONNECTIONS false`), so that no session can make a clone fail. Each process notes
//! in the template's comment when it last used it, and drops templates not used for
//! [`TEMPLATE_MAX_IDLE`] or beyond the [`TEMPLATES_KEPT`] most recently used, and test
//! databases older than [`ORPHAN_AGE`] (left by a killed test process): a long-lived server
//! (development and CI share one) does not fill up.
//!
//! `TEST_DB_TEMPLATES=0` creates and migrates every database from scratch instead (to compare,
//! or to debug a migration); `TEST_DB_TIMING=1` prints how long each database took to make.

use std::collections::HashSet;
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use service_kit::db::{Backend, Db, Migrations};

/// Templates not used for this long are dropped.
pub const TEMPLATE_MAX_IDLE: Duration = Duration::from_secs(7 * 24 * 3600);
/// At most this many templates stay (the most recently used): a few branches' worth of the four
/// services' migration sets.
pub const TEMPLATES_KEPT: usize = 16;
/// A test database this old was left by a test process that was killed; it is dropped.
pub const ORPHAN_AGE: Duration = Duration::from_secs(24 * 3600);

/// Bump when the way a template is made changes, so old templates are not used.
const TEMPLATE_FORMAT: u32 = 1;
const TEMPLATE_PREFIX: &str = "jglm_tpl";
const TEST_PREFIX: &str = "jglm_t_";
/// `pg_advisory_lock(LOCK_CLASS, …)`: per fingerprint while building, 0 while cleaning up.
const LOCK_CLASS: i32 = 727_275;

/// A service's migrations, as tests name them: `|| my_service::db::MIGRATIONS`.
pub type MigrationsFn = fn() -> Migrations;

/// A migrated database that disappears with this value.
pub struct TestDb {
    pub db: Db,
    pub backend: Backend,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<PgDatabase>,
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
/// `|| my_service::db::MIGRATIONS`). Panics (it is for tests) when a database cannot be made.
pub fn test_databases(label: &str, migrations: MigrationsFn) -> Vec<TestDb> {
    databases(label, Some(migrations))
}

/// Like [`test_databases`], with no tables: for tests that make their own.
pub fn blank_databases(label: &str) -> Vec<TestDb> {
    databases(label, None)
}

/// The PostgreSQL server named by `TEST_DATABASE_URL`, if any.
pub fn pg_server() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

fn databases(label: &str, migrations: Option<MigrationsFn>) -> Vec<TestDb> {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
    let url = format!("sqlite://{}", dir.path().join(format!("{label}.db")).display());
    let db = connect(&url);
    if let Some(migrations) = migrations {
        db.migrate(migrations())
            .unwrap_or_else(|e| panic!("migrations failed on {url}: {e}"));
    }
    timing(label, "SQLite", "migrated", started);
    let mut out = vec![TestDb {
        backend: db.backend(),
        db,
        url,
        _dir: Some(dir),
        _pg: None,
    }];
    if let Some(server) = pg_server() {
        let pg = PgDatabase::create(&server, label, migrations);
        let url = pg.url();
        out.push(TestDb {
            db: connect(&url),
            backend: Backend::Postgres,
            url,
            _dir: None,
            _pg: Some(pg),
        });
    }
    out
}

fn connect(url: &str) -> Db {
    Db::connect(url, 8).unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
}

fn timing(label: &str, backend: &str, how: &str, started: Instant) {
    if std::env::var("TEST_DB_TIMING").is_ok_and(|v| v == "1") {
        eprintln!(
            "test-db: {label} on {backend} {how} in {:.1} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
}

fn templates_enabled() -> bool {
    std::env::var("TEST_DB_TEMPLATES").map_or(true, |v| v != "0")
}

/// A PostgreSQL database made for a test, dropped (`WITH (FORCE)`) with this value.
pub struct PgDatabase {
    server: String,
    name: String,
}

impl PgDatabase {
    /// A new database on the server of `server_url`, named after `label`: a clone of the
    /// template holding `migrations` (made first if this server has none yet), or blank.
    pub fn create(server_url: &str, label: &str, migrations: Option<MigrationsFn>) -> Self {
        let started = Instant::now();
        let mut admin = PgConnection::establish(server_url)
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL={server_url} is not reachable: {e}"));
        let name = test_name(label);
        let this = Self {
            server: server_url.to_owned(),
            name,
        };
        let how = match migrations {
            Some(m) if templates_enabled() => {
                this.clone_template(&mut admin, m);
                "cloned"
            }
            Some(m) => {
                create_database(&mut admin, &this.name, None);
                Db::connect(&this.url(), 1)
                    .and_then(|db| db.migrate(m()))
                    .unwrap_or_else(|e| panic!("migrations failed on {}: {e}", this.name));
                "created and migrated"
            }
            None => {
                create_database(&mut admin, &this.name, None);
                "created blank"
            }
        };
        timing(label, "PostgreSQL", how, started);
        this
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn url(&self) -> String {
        database_url(&self.server, &self.name)
    }

    fn clone_template(&self, admin: &mut PgConnection, migrations: MigrationsFn) {
        // A template dropped by another process's clean-up between our check and our clone is
        // made again, once.
        for attempt in 0..2 {
            let template = ensure_template(admin, &self.server, migrations);
            match try_create_database(admin, &self.name, Some(&template)) {
                Ok(()) => return,
                Err(e) if attempt == 0 && e.to_string().contains("does not exist") => forget(&template),
                Err(e) => panic!("cannot create database {} from template {template}: {e}", self.name),
            }
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut c) = PgConnection::establish(&self.server) {
            let _ =
                diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)).execute(&mut c);
        }
    }
}

/// `jglm_t_<label>_<12 random hex digits>`, within PostgreSQL's 63 bytes.
fn test_name(label: &str) -> String {
    let label: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!(
        "{TEST_PREFIX}{label}_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn create_database(admin: &mut PgConnection, name: &str, template: Option<&str>) {
    try_create_database(admin, name, template).unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
}

/// Creates `name` (a clone of `template`, or of `template1`) with its creation time in its
/// comment, for the clean-up of databases a killed process left.
fn try_create_database(
    admin: &mut PgConnection,
    name: &str,
    template: Option<&str>,
) -> Result<(), diesel::result::Error> {
    let from = template.map(|t| format!(" TEMPLATE \"{t}\"")).unwrap_or_default();
    diesel::sql_query(format!("CREATE DATABASE \"{name}\"{from}")).execute(admin)?;
    diesel::sql_query(format!(
        "COMMENT ON DATABASE \"{name}\" IS 'jglm test database; created {}'",
        now_secs()
    ))
    .execute(admin)?;
    Ok(())
}

/// Templates this process has checked (and marked as used) on some server.
static KNOWN: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fn known(key: &str) -> bool {
    KNOWN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .is_some_and(|s| s.contains(key))
}

fn remember(key: String) {
    KNOWN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashSet::new)
        .insert(key);
}

fn forget(template: &str) {
    if let Some(s) = KNOWN.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        s.retain(|k| !k.ends_with(&format!("/{template}")));
    }
}

#[derive(QueryableByName)]
struct Database {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    note: String,
}

fn database_exists(admin: &mut PgConnection, name: &str) -> bool {
    diesel::sql_query("SELECT datname AS name, '' AS note FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(name)
        .load::<Database>(admin)
        .unwrap_or_else(|e| panic!("cannot list databases: {e}"))
        .into_iter()
        .next()
        .is_some()
}

/// The name of the template holding `migrations` on this server, made if missing.
fn ensure_template(admin: &mut PgConnection, server: &str, migrations: MigrationsFn) -> String {
    let fingerprint = migrations().fingerprint;
    let template = format!("{TEMPLATE_PREFIX}{TEMPLATE_FORMAT}_{fingerprint}");
    let key = format!("{server}/{template}");
    if known(&key) {
        return template;
    }
    if !database_exists(admin, &template) {
        let lock = lock_id(fingerprint);
        exec(admin, &format!("SELECT pg_advisory_lock({LOCK_CLASS}, {lock})"));
        // Whoever held the lock before us may have made it.
        if !database_exists(admin, &template) {
            build_template(admin, server, &template, fingerprint, migrations);
        }
        exec(admin, &format!("SELECT pg_advisory_unlock({LOCK_CLASS}, {lock})"));
    }
    // The time of last use, read by the clean-up; once per process is enough.
    exec(
        admin,
        &format!(
            "COMMENT ON DATABASE \"{template}\" IS 'jglm test template; used {}'",
            now_secs()
        ),
    );
    remember(key);
    clean_up(admin);
    template
}

/// Migrates a new database under a temporary name and renames it to `template` once every
/// migration has run: a template is complete or absent. Runs under the fingerprint's lock.
fn build_template(admin: &mut PgConnection, server: &str, template: &str, fingerprint: &str, migrations: MigrationsFn) {
    // A test-database name, so that the clean-up of orphans removes it if this process dies.
    let building = format!("{TEST_PREFIX}building_{}", &fingerprint[..24.min(fingerprint.len())]);
    exec(admin, &format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"));
    create_database(admin, &building, None);
    {
        let db = Db::connect(&database_url(server, &building), 1)
            .unwrap_or_else(|e| panic!("cannot connect to {building}: {e}"));
        db.migrate(migrations())
            .unwrap_or_else(|e| panic!("migrations failed on {building}: {e}"));
    } // The pool and its connection are closed here: a database in use cannot be renamed.
    exec(
        admin,
        &format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\""),
    );
    // No session can connect to it, so none can make a clone fail ("being accessed by other
    // users"); `IS_TEMPLATE` marks it as such in `\l`.
    exec(
        admin,
        &format!("ALTER DATABASE \"{template}\" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true"),
    );
}

fn lock_id(fingerprint: &str) -> i32 {
    let head = fingerprint.get(..8).unwrap_or(fingerprint);
    // Any 32 bits of the hash will do: two fingerprints sharing them only wait for each other.
    u32::from_str_radix(head, 16).map_or(1, |v| v as i32)
}

fn exec(admin: &mut PgConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(admin)
        .unwrap_or_else(|e| panic!("`{sql}` failed: {e}"));
}

/// Once per process: drops templates idle for [`TEMPLATE_MAX_IDLE`] or beyond the
/// [`TEMPLATES_KEPT`] most recently used, and test databases older than [`ORPHAN_AGE`]. Skipped
/// when another process is doing it; best effort (a failure here fails no test).
fn clean_up(admin: &mut PgConnection) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let locked = diesel::sql_query(format!("SELECT pg_try_advisory_lock({LOCK_CLASS}, 0) AS locked"))
            .load::<LockResult>(admin)
            .ok()
            .and_then(|r| r.into_iter().next())
            .is_some_and(|r| r.locked);
        if !locked {
            return;
        }
        for name in doomed(admin) {
            if name.starts_with(TEMPLATE_PREFIX) {
                let _ = diesel::sql_query(format!("ALTER DATABASE \"{name}\" IS_TEMPLATE false")).execute(admin);
            }
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(admin);
        }
        let _ = diesel::sql_query(format!("SELECT pg_advisory_unlock({LOCK_CLASS}, 0)")).execute(admin);
    });
}

#[derive(QueryableByName)]
struct LockResult {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

/// The databases [`clean_up`] drops, judged by the times in their comments (a database of
/// ours without one is left alone).
fn doomed(admin: &mut PgConnection) -> Vec<String> {
    let rows = diesel::sql_query(
        "SELECT datname AS name, COALESCE(shobj_description(oid, 'pg_database'), '') AS note \
         FROM pg_database WHERE datname LIKE 'jglm\\_t%'",
    )
    .load::<Database>(admin)
    .unwrap_or_default();
    let now = now_secs();
    let stamp = |note: &str, word: &str| -> Option<u64> { note.split_once(word)?.1.trim().parse().ok() };
    let mut templates: Vec<(u64, String)> = Vec::new();
    let mut out = Vec::new();
    for row in rows {
        if row.name.starts_with(TEMPLATE_PREFIX) {
            if let Some(used) = stamp(&row.note, "; used ") {
                templates.push((used, row.name));
            }
        } else if row.name.starts_with(TEST_PREFIX)
            && stamp(&row.note, "; created ").is_some_and(|t| now.saturating_sub(t) > ORPHAN_AGE.as_secs())
        {
            out.push(row.name);
        }
    }
    templates.sort_by(|a, b| b.cmp(a));
    for (i, (used, name)) in templates.into_iter().enumerate() {
        if i >= TEMPLATES_KEPT || now.saturating_sub(used) > TEMPLATE_MAX_IDLE.as_secs() {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_postgres() {
        let n = test_name("A label with spaces and a very long tail that goes on and on and on");
        assert!(n.len() <= 63, "{n}");
        assert!(
            n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{n}"
        );
    }

    #[test]
    fn database_url_replaces_the_database() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(database_url("postgres://h", "x"), "postgres://h/x");
    }
}
