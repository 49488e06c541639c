//! At start: the first admin when there is no account yet, the suite's services as API clients,
//! and the file that shows a generated bootstrap password until it is changed.

use std::path::Path;

use chrono::Utc;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use service_kit::{DbConn, Kit, Role, StartError};

use crate::db::models::{ClientChanges, NewAccountRow, NewClientRow};
use crate::db::{accounts, clients, revocations};
use crate::domain::clients::stored_scopes;
use crate::passwords;
use crate::settings::{GatewaySettings, ServiceClientSeed};

/// The file in the data folder where the one-process suite keeps the generated bootstrap
/// password. The gateway removes it once it no longer opens the account (password changed), so
/// it never shows a stale password.
pub const BOOTSTRAP_FILE: &str = "bootstrap-admin.txt";

/// The first admin, created when the account table is empty.
#[derive(Debug, Clone)]
pub struct BootstrapAdmin {
    pub username: String,
    /// Set only when the password was generated (it is shown this once).
    pub generated_password: Option<String>,
}

fn unique_violation(e: &DieselError) -> bool {
    matches!(e, DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
}

/// Removes `file` if it holds the password of `username` (called after that password changed).
pub fn forget_bootstrap_password(file: &Path, username: &str) {
    let Ok(text) = std::fs::read_to_string(file) else {
        return;
    };
    if text.split_whitespace().next() == Some(username) {
        match std::fs::remove_file(file) {
            Ok(()) => tracing::info!(path = %file.display(), "the bootstrap password was changed; removed its file"),
            Err(e) => {
                tracing::warn!(path = %file.display(), error = %e, "cannot remove the stale bootstrap password file")
            }
        }
    }
}

/// At start: removes the bootstrap file when its password no longer opens its account (changed
/// before this check existed, or through another replica).
pub fn forget_stale_bootstrap_file(kit: &Kit, file: &Path) -> Result<(), StartError> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Ok(());
    };
    let mut words = text.split_whitespace();
    let (Some(user), Some(password)) = (words.next(), words.next()) else {
        return Ok(());
    };
    let mut conn = kit.db.get().map_err(|e| StartError::Other(e.to_string()))?;
    let hash = accounts::password_hash_of(&mut conn, user)
        .map_err(|e| StartError::Other(format!("cannot read accounts: {e}")))?;
    if !hash.is_some_and(|h| passwords::verify(password, &h)) {
        forget_bootstrap_password(file, user);
    }
    Ok(())
}

/// Creates the first admin when there is no account (with the configured password, or a
/// generated one returned to be shown once).
pub fn bootstrap_admin(kit: &Kit, settings: &GatewaySettings) -> Result<Option<BootstrapAdmin>, StartError> {
    let mut conn = kit.db.get().map_err(|e| StartError::Other(e.to_string()))?;
    let count = accounts::count(&mut conn).map_err(|e| StartError::Other(format!("cannot read accounts: {e}")))?;
    if count > 0 {
        return Ok(None);
    }
    let generated = settings.admin_password.is_none().then(|| passwords::random_secret(20));
    let password = settings
        .admin_password
        .clone()
        .or(generated.clone())
        .unwrap_or_default();
    let hash = passwords::hash(&password).map_err(|e| StartError::Other(e.to_string()))?;
    let now = Utc::now().naive_utc();
    let inserted = accounts::insert(
        &mut conn,
        &NewAccountRow {
            username: settings.admin_username.clone(),
            display_name: "联盟秘书处管理员".into(),
            password_hash: hash,
            role: Role::Admin,
            scope: None,
            disabled: false,
            created_at: now,
            updated_at: now,
        },
    );
    match inserted {
        Ok(_) => Ok(Some(BootstrapAdmin {
            username: settings.admin_username.clone(),
            generated_password: generated,
        })),
        // Another replica created it first.
        Err(e) if unique_violation(&e) => Ok(None),
        Err(e) => Err(StartError::Other(format!("cannot create the bootstrap admin: {e}"))),
    }
}

/// Creates each seeded client, or brings an existing one up to date (secret and scopes). An
/// admin's decision to disable one is kept.
pub fn seed_service_clients(conn: &mut DbConn, seeds: &[ServiceClientSeed]) -> Result<(), String> {
    for seed in seeds {
        let existing =
            clients::find_by_client_id(conn, &seed.client_id).map_err(|e| format!("cannot read API clients: {e}"))?;
        let scopes = stored_scopes(&seed.scopes);
        let now = Utc::now().naive_utc();
        let Some(row) = existing else {
            let hash = passwords::hash(&seed.secret).map_err(|e| e.to_string())?;
            let new = NewClientRow {
                client_id: seed.client_id.clone(),
                name: seed.name.clone(),
                secret_hash: hash,
                scopes,
                disabled: false,
                created_at: now,
                updated_at: now,
            };
            match clients::insert(conn, &new) {
                Ok(_) => tracing::info!(client_id = %seed.client_id, "created the service client"),
                // Another replica created it at the same moment; the next start updates it.
                Err(e) if unique_violation(&e) => {}
                Err(e) => return Err(format!("cannot create the service client {}: {e}", seed.client_id)),
            }
            continue;
        };
        let secret_changed = !passwords::verify(&seed.secret, &row.secret_hash);
        if !secret_changed && row.scopes == scopes {
            continue;
        }
        let secret_hash = if secret_changed {
            Some(passwords::hash(&seed.secret).map_err(|e| e.to_string())?)
        } else {
            None
        };
        let changes = ClientChanges {
            name: None,
            secret_hash,
            scopes: Some(scopes),
            disabled: None,
            updated_at: Some(now),
        };
        // As for any client: a new secret or new scopes end the tokens issued before.
        clients::update(conn, row.id, &changes)
            .and_then(|_| revocations::bump_client(conn, row.id))
            .map_err(|e| format!("cannot update the service client {}: {e}", seed.client_id))?;
        tracing::info!(client_id = %seed.client_id, secret_changed, "updated the service client");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::models::ClientRow;

    #[test]
    fn seeding_creates_then_updates_secret_and_scopes() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let url = format!("sqlite://{}", dir.path().join("gw.db").display());
        let db = service_kit::Db::connect(&url, 2).map_err(|e| e.to_string())?;
        db.migrate(crate::db::MIGRATIONS).map_err(|e| e.to_string())?;
        let mut conn = db.get().map_err(|e| e.to_string())?;
        let load = |conn: &mut DbConn| -> Result<ClientRow, String> {
            clients::find_by_client_id(conn, "members-service")
                .map_err(|e| e.to_string())?
                .ok_or_else(|| "no members-service client".to_owned())
        };

        seed_service_clients(
            &mut conn,
            &[ServiceClientSeed::for_service("members-service", "first-secret-0123")],
        )?;
        let row = load(&mut conn)?;
        assert!(passwords::verify("first-secret-0123", &row.secret_hash));
        assert_eq!(row.scopes, "internal");

        // Unchanged: nothing is rewritten.
        seed_service_clients(
            &mut conn,
            &[ServiceClientSeed::for_service("members-service", "first-secret-0123")],
        )?;
        assert_eq!(load(&mut conn)?.secret_hash, row.secret_hash);

        let mut seed = ServiceClientSeed::for_service("members-service", "second-secret-456");
        seed.scopes.push("documents:read".into());
        seed_service_clients(&mut conn, &[seed])?;
        let row = load(&mut conn)?;
        assert!(passwords::verify("second-secret-456", &row.secret_hash));
        assert!(!passwords::verify("first-secret-0123", &row.secret_hash));
        assert_eq!(row.scopes, "internal documents:read");
        let window = service_kit::pagination::Window::FIRST;
        let count = clients::list(&mut conn, window).map_err(|e| e.to_string())?.items.len();
        assert_eq!(count, 1);
        Ok(())
    }
}
