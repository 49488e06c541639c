//! Signing certificates as verifiable credentials (VC-JOSE: a JWT, `typ` `vc+jwt`, EdDSA over
//! Ed25519) with documents-service's own issuing key, and publishing what a verifier needs: the
//! issuer's profile and public key (JWKS) and the status lists, built from the documents' own
//! statuses when asked for, so a revocation is in the list the moment its transaction commits.

use std::path::Path;

use chrono::{NaiveDateTime, Utc};
use jsonwebtoken::{Algorithm, Header};
use serde_json::Value;
use service_kit::signing::{Jwks, KeyError, SigningKeys};
use service_kit::{ApiError, DbConn};

use crate::db::{documents, signing_keys};
use crate::domain::credentials::{Certificate, Issuing, credential, status_list_credential};
use crate::domain::requests::ISSUER;
use crate::domain::status_list::{ListId, encoded_list};

/// The name of the credentials' key in `signing_keys`.
const KEY_NAME: &str = "credentials";

/// The issuing key and the public addresses credentials name.
pub struct CredentialIssuer {
    keys: SigningKeys,
    /// The gateway's public address (as printed in the QR codes).
    base_url: String,
}

impl CredentialIssuer {
    /// Loads the key at `key_file`, generating it there on first start (one process only: replicas
    /// given a file must be given it made).
    pub fn load_or_generate(key_file: &Path, base_url: &str) -> Result<Self, KeyError> {
        let public = key_file.with_extension("pub.pem");
        let (keys, created) = SigningKeys::load_or_generate(key_file, &public)?;
        if created {
            tracing::info!(path = %key_file.display(), "generated a new credential signing key");
        }
        Ok(Self {
            keys,
            base_url: base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The key held in the database (made by the first replica to start, read by the others).
    pub fn from_database(conn: &mut DbConn, base_url: &str) -> Result<Self, ApiError> {
        let candidate = SigningKeys::generate_pem().map_err(ApiError::internal)?;
        let pem = signing_keys::get_or_insert(conn, KEY_NAME, &candidate, now())?;
        Ok(Self {
            keys: SigningKeys::from_pkcs8_pem(&pem).map_err(ApiError::internal)?,
            base_url: base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// A key made now and kept nowhere (tests, benchmarks).
    pub fn ephemeral(base_url: &str) -> Result<Self, KeyError> {
        Ok(Self {
            keys: SigningKeys::generate()?,
            base_url: base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The issuer profile's URL (Open Badges `Profile`), also the JWT's `kid` base.
    pub fn issuer_id(&self) -> String {
        format!("{}/api/v1/documents/issuer", self.base_url)
    }

    pub fn status_list_url(&self, list: &ListId) -> String {
        format!("{}/api/v1/documents/status-lists/{}", self.base_url, list.name())
    }

    pub fn jwks(&self) -> Jwks {
        self.keys.jwks()
    }

    /// `claims` signed as a VC-JOSE JWT: the credential is the payload, as it is.
    pub fn sign(&self, claims: &Value) -> Result<String, ApiError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some("vc+jwt".into());
        header.cty = Some("vc".into());
        header.kid = Some(self.keys.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.keys.encoding).map_err(ApiError::internal)
    }

    /// The signed credential of a certificate about to be rendered, as number `seq` of its
    /// kind in `year` (which places its status bit).
    pub fn certificate(&self, year: i32, seq: i32, certificate: &Certificate<'_>) -> Result<String, ApiError> {
        let (list, index) = ListId::of(certificate.kind, year, seq);
        let issuer_id = self.issuer_id();
        let list_url = self.status_list_url(&list);
        let by = Issuing {
            issuer_id: &issuer_id,
            issuer_name: ISSUER,
            utc_offset_hours: service_kit::clock::offset_hours(),
            status_list_url: &list_url,
            status_index: index,
        };
        self.sign(&credential(certificate, &by))
    }

    /// The signed status list: a bit set for each certificate of the list that no longer stands.
    pub fn status_list(&self, conn: &mut DbConn, list: &ListId) -> Result<String, ApiError> {
        let (first, last) = list.seqs();
        let fallen = documents::fallen_seqs(conn, list.kind, list.year, first, last)?;
        let bits = fallen.into_iter().filter_map(|s| u32::try_from(s - first).ok());
        let url = self.status_list_url(list);
        let vc = status_list_credential(&url, &self.issuer_id(), ISSUER, now(), &encoded_list(bits));
        self.sign(&vc)
    }
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}
