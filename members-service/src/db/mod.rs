pub mod applications;
pub mod appointments;
pub mod audit;
pub mod bodies;
pub mod dismissal_cases;
pub mod models;
pub mod nominations;
pub mod people;
pub mod recognition;
pub mod resignations;
pub mod schema;
pub mod terms;
pub mod units;

use diesel_migrations::embed_migrations;
use service_kit::db::Migrations;

pub const MIGRATIONS: Migrations = Migrations {
    postgres: embed_migrations!("migrations/postgres"),
    sqlite: embed_migrations!("migrations/sqlite"),
    fingerprint: env!("MIGRATIONS_FINGERPRINT"),
};

diesel::define_sql_function! {
    /// `lower(text)`: case-insensitive search that behaves the same on PostgreSQL and SQLite.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// `%text%` for LIKE, with the wildcards in user text escaped.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// What a scoped caller may see of a list, whatever the filter says: each `Some` is one more
/// equality (a unit contact's unit, a member's own person, a group secretary's group).
#[derive(Debug, Clone, Copy, Default)]
pub struct Only {
    pub unit_id: Option<i64>,
    pub person_id: Option<i64>,
    pub body_id: Option<i64>,
}
