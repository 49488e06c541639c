//! What every service of the alliance suite shares.
//!
//! - [`config`]: settings from environment variables with working defaults;
//! - [`contract`]: conditions between request fields added to the OpenAPI schemas;
//! - [`problem`]: `application/problem+json` errors with stable codes;
//! - [`json`]: the JSON body extractor that takes objects only;
//! - [`db`]: diesel over PostgreSQL or SQLite chosen by URL, pool, migrations, write transactions;
//! - [`auth`]: EdDSA JWT verification, roles and scopes;
//! - [`revocation`]: tokens of disabled or changed accounts and clients refused within seconds;
//! - [`telemetry`]: logs with request ids, Prometheus metrics;
//! - [`outbox`]: events written with the change that causes them, delivered with retries;
//! - [`queue`]: claim, lease, renew, release, back off and give up: one way for every queue;
//! - [`peer`]: reading from another service with a service token;
//! - [`printable`]: the characters the documents' fonts can print, for checks at the edge;
//! - [`service_token`]: a service's own token from the gateway, for calling the others;
//! - [`idempotency`]: the `Idempotency-Key` header of creates;
//! - [`query`]: integer query parameters written as integral numbers (`12.0`);
//! - [`health`], [`pagination`], [`server`].
//!
//! Test databases are in the dev-only `test-db` crate, so production binaries do not compile them.

/// The allocator every binary installs and its memory sweeper (crate `alliance-alloc`).
pub use alliance_alloc as alloc;
pub mod auth;
pub mod calendar;
pub mod clock;
pub mod config;
pub mod contract;
pub mod db;
pub mod health;
pub mod html;
pub mod idempotency;
pub mod json;
pub mod outbox;
pub mod pagination;
pub mod patch;
pub mod peer;
pub mod printable;
pub mod problem;
pub mod query;
pub mod queue;
pub mod revocation;
pub mod server;
pub mod service_token;
pub mod signing;
pub mod telemetry;
pub mod utc;

pub use auth::{Caller, INTERNAL_SCOPE, Role, ScopeRef};
pub use db::{Db, DbConn};
pub use outbox::{OutboxWaker, OutboxWorker};
pub use problem::{ApiError, Code, FieldError, Problem};
pub use server::{Kit, ServiceHandle, StartError};
