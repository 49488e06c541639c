//! API clients (other systems): list, register, read and change them. The secret is made here
//! and returned once, when created or rotated; only its hash is stored.

use chrono::Utc;
use service_kit::pagination::{Page, Window};
use service_kit::revocation::Revocations;
use service_kit::{ApiError, Db, DbConn};

use super::checked;
use crate::db::models::{ClientChanges, ClientRow, NewClientRow};
use crate::db::{clients, revocations};
use crate::domain::clients as rules;
use crate::passwords;

/// The fields to change; `None` leaves one as it is.
#[derive(Default)]
pub struct ClientEdit {
    pub name: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub disabled: Option<bool>,
    /// Issue a new secret; the old one stops working.
    pub rotate_secret: bool,
}

pub async fn list(db: &Db, w: Window) -> Result<Page<ClientRow>, ApiError> {
    db.run(move |c| Ok(clients::list(c, w)?)).await
}

pub async fn get(db: &Db, id: i64) -> Result<ClientRow, ApiError> {
    db.run(move |c| clients::find(c, id)).await
}

/// Registers a client; returns it with its secret (shown this once). 422 for a bad field.
pub async fn create(db: &Db, name: String, scopes: Vec<String>) -> Result<(ClientRow, String), ApiError> {
    let mut errors = Vec::new();
    rules::name(&name, &mut errors);
    rules::client_scopes(&scopes, &mut errors);
    checked(errors)?;
    let client_id = format!("cl_{}", passwords::random_secret(16).to_lowercase());
    let secret = passwords::random_secret(40);
    let hash = passwords::hash_off_thread(secret.clone()).await?;
    let row = db
        .write(move |c| {
            let now = Utc::now().naive_utc();
            let new = NewClientRow {
                client_id,
                name: name.trim().to_owned(),
                secret_hash: hash,
                scopes: rules::stored_scopes(&scopes),
                disabled: false,
                created_at: now,
                updated_at: now,
            };
            Ok(clients::insert(c, &new)?)
        })
        .await?;
    Ok((row, secret))
}

/// Changes a client; returns it with its new secret when rotated. New scopes, a new secret,
/// disabling and enabling again end its tokens, on this replica at once (`revoked`).
pub async fn update(
    db: &Db,
    revoked: &Revocations,
    id: i64,
    edit: ClientEdit,
) -> Result<(ClientRow, Option<String>), ApiError> {
    let mut errors = Vec::new();
    if let Some(n) = &edit.name {
        rules::name(n, &mut errors);
    }
    if let Some(s) = &edit.scopes {
        rules::client_scopes(s, &mut errors);
    }
    checked(errors)?;
    let secret = edit.rotate_secret.then(|| passwords::random_secret(40));
    let secret_hash = match secret.clone() {
        Some(s) => Some(passwords::hash_off_thread(s).await?),
        None => None,
    };
    let row = db.write(move |c| apply_edit(c, id, edit, secret_hash)).await?;
    // At once on this replica; the others and the services follow within seconds.
    revoked.apply([revocations::client_state(&row)]);
    Ok((row, secret))
}

/// The edit, inside the write transaction.
fn apply_edit(c: &mut DbConn, id: i64, edit: ClientEdit, secret_hash: Option<String>) -> Result<ClientRow, ApiError> {
    let current = clients::find(c, id)?;
    let scopes = edit.scopes.map(|s| rules::stored_scopes(&s));
    let revoke = rules::ends_tokens(
        &current.scopes,
        current.disabled,
        scopes.as_deref(),
        edit.disabled,
        secret_hash.is_some(),
    );
    let changes = ClientChanges {
        name: edit.name.map(|n| n.trim().to_owned()),
        secret_hash,
        scopes,
        disabled: edit.disabled,
        updated_at: Some(Utc::now().naive_utc()),
    };
    clients::update(c, id, &changes)?;
    if revoke {
        revocations::bump_client(c, id)?;
    }
    clients::find(c, id)
}
