//! One diesel connection type over PostgreSQL and SQLite, chosen by the URL; an r2d2 pool;
//! migrations embedded per backend; blocking work kept off the async workers.

use crate::problem::Code;
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, ManageConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use crate::outbox::OutboxWaker;
use crate::problem::ApiError;
use std::sync::Arc;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("unsupported database URL {0:?}: use postgres://… or sqlite://path")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("cannot build the connection pool: {0}")]
    Pool(String),
    #[error("migrations failed: {0}")]
    Migrate(String),
}

/// Picks the backend from the URL scheme ourselves: `DbConn::establish` would silently fall
/// back to creating a SQLite file named like the PostgreSQL URL.
pub fn parse_url(url: &str) -> Result<(Backend, String), DbSetupError> {
    let url = url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Backend::Postgres, url.to_owned()))
    } else if let Some(path) = url.strip_prefix("sqlite://") {
        Ok((Backend::Sqlite, path.to_owned()))
    } else if url.starts_with("file:") || url == ":memory:" {
        Ok((Backend::Sqlite, url.to_owned()))
    } else {
        Err(DbSetupError::UnsupportedUrl(url.to_owned()))
    }
}

/// r2d2 manager that opens the right variant and sets SQLite's pragmas on every connection.
#[derive(Debug)]
pub struct Manager {
    backend: Backend,
    target: String,
}

/// A pooled connection with what the pool needs to know about it. Derefs to [`DbConn`].
///
/// r2d2 checks a connection on every checkout with a query (`SELECT 1`): one more round trip
/// for every request (pgbench at the pool's size lost 15–21 % with it, issue 11). A connection
/// that went back to the pool less than [`FRESH`] ago, after work that did not fail with a lost
/// connection, is handed out unchecked; one idle for longer is checked as before. A connection
/// that failed with a lost connection is marked and dropped when it goes back.
pub struct CheckedConn {
    conn: DbConn,
    returned_at: Instant,
    lost: bool,
}

/// How long after its last use a connection is trusted without a check (see [`CheckedConn`]).
pub const FRESH: Duration = Duration::from_secs(1);

impl CheckedConn {
    /// Marks the connection as lost (the server went away during its last use): the pool drops
    /// it instead of handing it out again.
    pub fn mark_lost(&mut self) {
        self.lost = true;
    }
}

impl std::ops::Deref for CheckedConn {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for CheckedConn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

impl ManageConnection for Manager {
    type Connection = CheckedConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<CheckedConn, r2d2::Error> {
        let conn = match self.backend {
            Backend::Postgres => PgConnection::establish(&self.target)
                .map(DbConn::Pg)
                .map_err(r2d2::Error::ConnectionError)?,
            Backend::Sqlite => {
                let mut c = SqliteConnection::establish(&self.target).map_err(r2d2::Error::ConnectionError)?;
                // WAL + busy_timeout: concurrent writers wait instead of failing with "database is locked".
                c.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )
                .map_err(r2d2::Error::QueryError)?;
                DbConn::Sqlite(c)
            }
        };
        Ok(CheckedConn {
            conn,
            returned_at: Instant::now(),
            lost: false,
        })
    }

    fn is_valid(&self, conn: &mut CheckedConn) -> Result<(), r2d2::Error> {
        if conn.lost {
            return Err(r2d2::Error::QueryError(DieselError::BrokenTransactionManager));
        }
        if conn.returned_at.elapsed() < FRESH {
            return Ok(());
        }
        conn.conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    /// A connection left inside a transaction (a panic mid-way, a failed commit), with a
    /// broken transaction manager or marked lost is dropped, not handed to the next request.
    fn has_broken(&self, conn: &mut CheckedConn) -> bool {
        conn.returned_at = Instant::now();
        conn.lost || std::thread::panicking() || diesel::r2d2::R2D2Connection::is_broken(&mut conn.conn)
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// The handle handlers use: a pool plus helpers that run diesel code on the blocking pool.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    /// The server's URL, for the connection that listens for other replicas' events.
    target: Arc<str>,
    /// Woken when work on this database wrote outbox events (see [`Db::run`]).
    outbox: OutboxWaker,
}

/// Both sets of a service's migrations; the right one is chosen in [`Db::migrate`] only.
pub struct Migrations {
    pub postgres: EmbeddedMigrations,
    pub sqlite: EmbeddedMigrations,
    /// A hash of the migration files both sets were embedded from, set by the service's build
    /// script (`env!("MIGRATIONS_FINGERPRINT")`, `service-kit/build-support/`): test databases
    /// are cloned from a template of that name, so changed migrations never meet an old one.
    pub fingerprint: &'static str,
}

impl Db {
    /// Connects once first so that a wrong URL or a server that is down is reported as is.
    pub fn connect(url: &str, max_size: u32) -> Result<Self, DbSetupError> {
        let (backend, target) = parse_url(url)?;
        if backend == Backend::Sqlite
            && let Some(parent) = std::path::Path::new(&target).parent()
            && !parent.as_os_str().is_empty()
            && !target.starts_with("file:")
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| DbSetupError::Connect(format!("cannot create {}: {e}", parent.display())))?;
        }
        let manager = Manager {
            backend,
            target: target.clone(),
        };
        manager.connect().map_err(|e| DbSetupError::Connect(e.to_string()))?;
        let pool = r2d2::Pool::builder()
            .max_size(max_size.max(1))
            // A database that is down answers 503 within seconds instead of holding requests.
            .connection_timeout(Duration::from_secs(3))
            .build(manager)
            .map_err(|e| DbSetupError::Pool(e.to_string()))?;
        Ok(Self {
            pool,
            backend,
            target: target.into(),
            outbox: OutboxWaker::new(),
        })
    }

    /// What wakes this database's outbox worker: [`Db::run`] wakes it after work that wrote
    /// events, so they go out at once instead of at the next poll.
    pub fn outbox_waker(&self) -> OutboxWaker {
        self.outbox.clone()
    }

    /// A connection of its own (outside the pool) to a PostgreSQL server, for `LISTEN`.
    pub(crate) fn listener_connection(&self) -> Option<Result<PgConnection, diesel::ConnectionError>> {
        (self.backend == Backend::Postgres).then(|| PgConnection::establish(&self.target))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn get(&self) -> Result<PooledConn, ApiError> {
        self.pool.get().map_err(|e| {
            ApiError::unavailable(Code::DatabaseUnavailable, "the database is not reachable").with_cause(e)
        })
    }

    /// Runs the pending migrations of this backend. On PostgreSQL an advisory lock keeps two
    /// replicas starting at once from migrating together.
    pub fn migrate(&self, migrations: Migrations) -> Result<(), DbSetupError> {
        let mut conn = self.pool.get().map_err(|e| DbSetupError::Connect(e.to_string()))?;
        let result = match &mut **conn {
            DbConn::Pg(c) => {
                c.batch_execute("SELECT pg_advisory_lock(727274)")
                    .map_err(|e| DbSetupError::Migrate(e.to_string()))?;
                let r = c.run_pending_migrations(migrations.postgres).map(|_| ());
                let _ = c.batch_execute("SELECT pg_advisory_unlock(727274)");
                r
            }
            DbConn::Sqlite(c) => c.run_pending_migrations(migrations.sqlite).map(|_| ()),
        };
        result.map_err(|e| DbSetupError::Migrate(e.to_string()))
    }

    /// Runs `f` with a connection on tokio's blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.get()?;
            let written = crate::outbox::events_written();
            let result = f(&mut conn);
            if result.as_ref().is_err_and(|e| e.code() == Code::DatabaseUnavailable) {
                conn.mark_lost();
            }
            // Committed or not: a worker woken for a rolled-back event only finds nothing.
            if crate::outbox::events_written() != written {
                db.outbox.wake();
            }
            result
        })
        .await
        .map_err(|e| ApiError::internal(format!("database task failed: {e}")))?
    }

    /// Like [`Db::run`], inside a write transaction (see [`write_tx`]).
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| write_tx(conn, f)).await
    }

    /// `SELECT 1`, for `/readyz`.
    pub async fn ping(&self) -> Result<(), ApiError> {
        self.run(|c| {
            diesel::sql_query("SELECT 1").execute(c).map(|_| ()).map_err(|e| {
                ApiError::unavailable(Code::DatabaseUnavailable, "the database is not reachable").with_cause(e)
            })
        })
        .await
    }
}

/// A transaction for writes. On SQLite it starts with `BEGIN IMMEDIATE`, so the write lock is
/// taken up front: a deferred check-then-insert would fail at once under concurrency.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<DieselError>,
{
    match conn {
        DbConn::Pg(_) => conn.transaction(f),
        DbConn::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => {
                    let DbConn::Sqlite(inner) = conn else {
                        unreachable!("the variant does not change inside a transaction")
                    };
                    match AnsiTransactionManager::commit_transaction(inner) {
                        Ok(()) => Ok(value),
                        Err(e) => {
                            let _ = AnsiTransactionManager::rollback_transaction(inner);
                            Err(e.into())
                        }
                    }
                }
                Err(e) => {
                    if let DbConn::Sqlite(inner) = conn {
                        let _ = AnsiTransactionManager::rollback_transaction(inner);
                    }
                    Err(e)
                }
            }
        }
    }
}

/// Runs the same diesel body on whichever backend the connection is, for queries that do not
/// compile through the enum (`ON CONFLICT`, `FOR UPDATE SKIP LOCKED`, batch inserts).
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Pg($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

/// The one find-or-404: a query that found nothing becomes a 404 naming what was asked for;
/// every other error maps as [`From<DieselError>`](ApiError) does.
///
/// ```ignore
/// units::table.find(id).first::<UnitRow>(c).found(|| format!("no unit {id}"))
/// ```
pub trait Found<T> {
    fn found(self, detail: impl FnOnce() -> String) -> Result<T, ApiError>;
}

impl<T> Found<T> for Result<T, DieselError> {
    fn found(self, detail: impl FnOnce() -> String) -> Result<T, ApiError> {
        self.map_err(|e| match e {
            DieselError::NotFound => ApiError::not_found(detail()),
            e => ApiError::from(e),
        })
    }
}

impl From<DieselError> for ApiError {
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::NotFound => ApiError::not_found("no such resource"),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::conflict(Code::Conflict, "this would duplicate an existing record").with_cause(&e)
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => ApiError::conflict(
                Code::ReferenceViolation,
                "a referenced record does not exist or is still in use",
            )
            .with_cause(&e),
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::conflict(Code::ConcurrentUpdate, "a concurrent change won; retry the request").with_cause(&e)
            }
            // The server went away (restart, failover, network): the client may retry shortly.
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => ApiError::unavailable(Code::DatabaseUnavailable, "the database is not reachable")
                .with_header(
                    actix_web::http::header::RETRY_AFTER,
                    actix_web::http::header::HeaderValue::from_static("2"),
                )
                .with_cause(&e),
            DieselError::DatabaseError(_, info) if info.message().contains("database is locked") => {
                ApiError::unavailable(Code::DatabaseBusy, "the database is busy; retry the request")
                    .with_header(
                        actix_web::http::header::RETRY_AFTER,
                        actix_web::http::header::HeaderValue::from_static("1"),
                    )
                    .with_cause(&e)
            }
            _ => ApiError::internal(&e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_left_in_a_transaction_is_not_reused() {
        // Issue 9, point 11: a connection abandoned inside a transaction (a panic, a lost
        // server) must not go back to the pool.
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let manager = Manager {
            backend: Backend::Sqlite,
            target: dir.path().join("b.db").display().to_string(),
        };
        let mut conn = manager.connect().unwrap_or_else(|e| panic!("{e}"));
        assert!(!manager.has_broken(&mut conn));
        <DbConn as Connection>::TransactionManager::begin_transaction(&mut conn).unwrap_or_else(|e| panic!("{e}"));
        assert!(manager.has_broken(&mut conn), "inside a transaction");
    }

    /// Issue 11: SQLite is built with the query planner stability guarantee
    /// (`.cargo/config.toml`); without it every paginated list (`LIMIT ?`) was prepared again
    /// at each run.
    #[test]
    fn sqlite_is_built_with_a_stable_query_planner() {
        #[derive(diesel::QueryableByName)]
        struct Used {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            used: i32,
        }
        let mut conn = SqliteConnection::establish(":memory:").unwrap_or_else(|e| panic!("{e}"));
        let row: Used = diesel::sql_query("SELECT sqlite_compileoption_used('ENABLE_QPSG') AS used")
            .get_result(&mut conn)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(row.used, 1, "SQLite was built without SQLITE_ENABLE_QPSG");
    }

    #[test]
    fn backend_is_chosen_by_scheme() {
        assert_eq!(
            parse_url("postgres://u@h/db").ok().map(|x| x.0),
            Some(Backend::Postgres)
        );
        assert_eq!(
            parse_url("sqlite://./data/x.db").ok().map(|x| x.1),
            Some("./data/x.db".to_owned())
        );
        assert!(matches!(
            parse_url("host=localhost dbname=x"),
            Err(DbSetupError::UnsupportedUrl(_))
        ));
    }
}
