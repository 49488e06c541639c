pub mod absence_cases;
pub mod activities;
pub mod annual;
pub mod attendance;
pub mod elections;
pub mod invitees;
pub mod models;
pub mod replies;
pub mod schema;

use diesel_migrations::embed_migrations;
use service_kit::db::Migrations;

pub const MIGRATIONS: Migrations = Migrations {
    postgres: embed_migrations!("migrations/postgres"),
    sqlite: embed_migrations!("migrations/sqlite"),
    fingerprint: env!("MIGRATIONS_FINGERPRINT"),
};
