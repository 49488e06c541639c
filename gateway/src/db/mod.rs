pub mod login_failures;
pub mod models;
pub mod schema;

use diesel_migrations::embed_migrations;
use service_kit::db::Migrations;

pub const MIGRATIONS: Migrations = Migrations {
    postgres: embed_migrations!("migrations/postgres"),
    sqlite: embed_migrations!("migrations/sqlite"),
    fingerprint: env!("MIGRATIONS_FINGERPRINT"),
};
