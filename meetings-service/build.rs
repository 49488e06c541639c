//! Sets `MIGRATIONS_FINGERPRINT` (see `db::MIGRATIONS`): a hash of `migrations/`.

include!("../service-kit/build-support/migrations_fingerprint.rs");

fn main() {
    emit_migrations_fingerprint();
}
