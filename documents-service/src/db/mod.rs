//! The database: schema, models with their insert and update forms, one query module per
//! aggregate, and the migrations of both backends (embedded, run at start).

pub mod batches;
pub mod deliveries;
pub mod documents;
pub mod inbox;
pub mod models;
pub mod schema;
pub mod serials;
pub mod signing_keys;

use diesel_migrations::embed_migrations;
use service_kit::db::Migrations;

pub const MIGRATIONS: Migrations = Migrations {
    postgres: embed_migrations!("migrations/postgres"),
    sqlite: embed_migrations!("migrations/sqlite"),
    fingerprint: env!("MIGRATIONS_FINGERPRINT"),
};
