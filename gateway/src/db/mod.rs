//! The gateway's tables: schema, models, and one query module per aggregate.

pub mod accounts;
pub mod clients;
pub mod login_failures;
pub mod models;
pub mod revocations;
pub mod schema;

use diesel_migrations::embed_migrations;
use service_kit::db::Migrations;

pub const MIGRATIONS: Migrations = Migrations {
    postgres: embed_migrations!("migrations/postgres"),
    sqlite: embed_migrations!("migrations/sqlite"),
    fingerprint: env!("MIGRATIONS_FINGERPRINT"),
};
