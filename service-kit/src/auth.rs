//! JWT verification. Only the gateway signs (EdDSA / Ed25519); every service verifies tokens
//! itself with the gateway's public key and turns them into a [`Caller`].

use crate::problem::Code;
use std::fmt;
use std::future::{Ready, ready};
use std::str::FromStr;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, http::header, web};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

use crate::config::{AuthSettings, ServiceSettings};
use crate::problem::ApiError;
use crate::revocation::Revocations;

/// What a 401 for an expired token says: how to get a new one (issue 14).
const EXPIRED: &str = "the token has expired; get a new one from POST /api/v1/auth/token \
    (in Swagger UI: Authorize, Logout, then log in again)";

/// The scope of the suite's own services calling each other (`/internal/*` endpoints).
pub const INTERNAL_SCOPE: &str = "internal";

alliance_events::vocabulary! {
    /// 调用者的身份（就权限而言）· Who the caller is, as far as permissions go.
    pub enum Role {
        /// The Center's secretariat: everything.
        Admin = "admin" => "管理员",
        /// A collaboration group's secretary: their group only.
        GroupSecretary = "group_secretary" => "协作组秘书",
        /// A unit's contact person: their unit only.
        UnitContact = "unit_contact" => "单位联络人",
        /// An appointee: their own record.
        Member = "member" => "成员",
        /// Another system, limited by its scopes.
        Service = "service" => "系统服务",
    }
}

/// What part of the alliance a scoped role acts on: `unit:<id>`, `group:<id>` or `person:<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeRef {
    Unit(i64),
    Group(i64),
    Person(i64),
}

impl fmt::Display for ScopeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeRef::Unit(id) => write!(f, "unit:{id}"),
            ScopeRef::Group(id) => write!(f, "group:{id}"),
            ScopeRef::Person(id) => write!(f, "person:{id}"),
        }
    }
}

impl FromStr for ScopeRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, id) = s.split_once(':').ok_or_else(|| format!("scope {s:?} is not kind:id"))?;
        let id: i64 = id.parse().map_err(|_| format!("scope {s:?} has no numeric id"))?;
        match kind {
            "unit" => Ok(ScopeRef::Unit(id)),
            "group" => Ok(ScopeRef::Group(id)),
            "person" => Ok(ScopeRef::Person(id)),
            _ => Err(format!("unknown scope kind {kind:?}")),
        }
    }
}

/// The claims of every token the gateway signs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// `account:<id>` for people, `client:<client_id>` for systems.
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    pub role: Role,
    /// The unit, group or person a scoped role acts on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Fine-grained permissions for service clients, e.g. `members:read`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The subject's token version when the token was issued; older than the gateway's current
    /// one means revoked (see [`crate::revocation`]). Absent in tokens from before it existed.
    #[serde(default)]
    pub token_version: i64,
}

/// The verified identity of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub subject: String,
    pub role: Role,
    pub scope: Option<ScopeRef>,
    pub scopes: Vec<String>,
    pub name: Option<String>,
    /// The `X-Request-Id` of the request this caller made (see [`crate::telemetry::RequestId`]),
    /// for audit records; `None` for the system's own work.
    pub request_id: Option<String>,
}

impl Caller {
    /// The system itself (scheduled jobs), for audit records.
    pub fn system(job: &str) -> Self {
        Self {
            subject: format!("system:{job}"),
            role: Role::Admin,
            scope: None,
            scopes: Vec::new(),
            name: None,
            request_id: None,
        }
    }

    pub fn is(&self, role: Role) -> bool {
        self.role == role
    }

    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "role {} may not do this; allowed: {}",
                self.role,
                roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
            )))
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Admins pass; service clients need `scope`; other roles are refused.
    pub fn require_admin_or_scope(&self, scope: &str) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::Service if self.has_scope(scope) => Ok(()),
            Role::Service => Err(ApiError::forbidden(format!("this client lacks the scope {scope}"))),
            _ => Err(ApiError::forbidden(format!("role {} may not do this", self.role))),
        }
    }

    /// For `/internal/*` endpoints: only service clients with the scope `internal` (the suite's
    /// own services) pass; people, admins included, are refused.
    pub fn require_internal(&self) -> Result<(), ApiError> {
        if self.role == Role::Service && self.has_scope(INTERNAL_SCOPE) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "only the suite's own services (role service with scope {INTERNAL_SCOPE}) may call this"
            )))
        }
    }
}

/// Verifies tokens with the gateway's public key. Only EdDSA is accepted, so `alg: none`,
/// HS256 signed with the public key as a secret, and other algorithms are refused. Tokens of
/// disabled or changed subjects are refused by [`Revocations`] (empty until it is fed).
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
    revocations: Revocations,
    verified: VerifiedTokens,
}

/// Tokens whose signature and claims were verified, by their exact text, so that a token is
/// verified once per process and not on every request (the gateway checks each forwarded token
/// for revocation and the service checks it again: Ed25519 was a top symbol of the people
/// list's profile, issue 11). Only tokens that passed go in; a hit still has its expiry and
/// revocation checked, and a forged token never equals the text of a verified one.
#[derive(Default)]
struct VerifiedTokens(std::sync::Mutex<std::collections::HashMap<Box<str>, Arc<Claims>>>);

/// At most this many tokens are remembered (a few KiB each at most); when full, the expired
/// ones are dropped, and if that is not enough, all.
const VERIFIED_TOKENS: usize = 4096;

impl VerifiedTokens {
    fn get(&self, token: &str) -> Option<Arc<Claims>> {
        self.0.lock().ok()?.get(token).cloned()
    }

    fn put(&self, token: &str, claims: Arc<Claims>, now: i64, leeway: i64) {
        let Ok(mut map) = self.0.lock() else { return };
        if map.len() >= VERIFIED_TOKENS {
            map.retain(|_, c| c.exp + leeway >= now);
            if map.len() >= VERIFIED_TOKENS {
                map.clear();
            }
        }
        map.insert(token.into(), claims);
    }

    fn forget(&self, token: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(token);
        }
    }
}

impl TokenVerifier {
    pub fn new(settings: &AuthSettings) -> Result<Self, String> {
        let key = DecodingKey::from_ed_pem(settings.public_key_pem.as_bytes())
            .map_err(|e| format!("the gateway public key is not an Ed25519 SPKI PEM: {e}"))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "nbf"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        Ok(Self {
            key,
            validation,
            revocations: Revocations::default(),
            verified: VerifiedTokens::default(),
        })
    }

    /// The list this verifier consults; the gateway feeds it from its database, services from
    /// the gateway ([`crate::revocation::follow_gateway`]).
    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// Checks the signature, algorithm and every registered claim.
    fn decode(&self, token: &str) -> Result<Claims, ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => ApiError::unauthorized(Code::TokenExpired, EXPIRED),
            ErrorKind::ImmatureSignature => ApiError::unauthorized(Code::TokenInvalid, "the token is not valid yet"),
            ErrorKind::InvalidIssuer => ApiError::unauthorized(Code::TokenInvalid, "the token has the wrong issuer"),
            ErrorKind::InvalidAudience => {
                ApiError::unauthorized(Code::TokenInvalid, "the token has the wrong audience")
            }
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                ApiError::unauthorized(Code::TokenInvalid, "the token is not signed with EdDSA")
            }
            ErrorKind::InvalidSignature => {
                ApiError::unauthorized(Code::TokenInvalid, "the token's signature is not valid")
            }
            _ => ApiError::unauthorized(Code::TokenInvalid, "the token is malformed").with_cause(&e),
        })?;
        Ok(data.claims)
    }

    pub fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        let leeway = i64::try_from(self.validation.leeway).unwrap_or(0);
        let now = jsonwebtoken::get_current_timestamp().cast_signed();
        let claims = match self.verified.get(token) {
            // Verified before: only the time can have made it invalid (nbf was passed already).
            Some(claims) if claims.exp + leeway < now => {
                self.verified.forget(token);
                return Err(ApiError::unauthorized(Code::TokenExpired, EXPIRED));
            }
            Some(claims) => claims,
            None => {
                let claims = Arc::new(self.decode(token)?);
                self.verified.put(token, claims.clone(), now, leeway);
                claims
            }
        };
        self.revocations.check(&claims.sub, claims.token_version)?;
        let scope = match claims.scope.as_deref() {
            None => None,
            Some(s) => Some(s.parse::<ScopeRef>().map_err(|e| {
                ApiError::unauthorized(Code::TokenInvalid, format!("the token's scope is invalid: {e}"))
            })?),
        };
        Ok(Caller {
            subject: claims.sub.clone(),
            role: claims.role,
            scope,
            scopes: claims.scopes.clone(),
            name: claims.name.clone(),
            request_id: None,
        })
    }
}

/// Extracts and verifies the bearer token; a handler that takes a `Caller` is authenticated.
impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_of(req))
    }
}

fn caller_of(req: &HttpRequest) -> Result<Caller, ApiError> {
    let verifier = req
        .app_data::<web::Data<TokenVerifier>>()
        .ok_or_else(|| ApiError::internal("TokenVerifier is not registered as app data"))?;
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized(Code::TokenMissing, "send a bearer token in the Authorization header"))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized(Code::TokenInvalid, "the Authorization header is not ASCII"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| {
            ApiError::unauthorized(Code::TokenMissing, "the Authorization header must be `Bearer <token>`")
        })?;
    let mut caller = verifier.verify(token.trim())?;
    caller.request_id = actix_web::HttpMessage::extensions(req)
        .get::<crate::telemetry::RequestId>()
        .map(|id| id.0.clone());
    Ok(caller)
}

/// Shared ownership for app data.
pub fn verifier_data(settings: &AuthSettings) -> Result<web::Data<TokenVerifier>, String> {
    TokenVerifier::new(settings).map(|v| web::Data::from(Arc::new(v)))
}

/// A service's verifier, following the gateway's revocation list in the background.
pub fn service_verifier(settings: &ServiceSettings) -> Result<web::Data<TokenVerifier>, String> {
    let verifier = verifier_data(&settings.auth)?;
    crate::revocation::follow_gateway(verifier.revocations(), settings);
    Ok(verifier)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIK8WkLlQOAKfdPfMqbPLFR354b8f6ZzEZ0DiFjK7wo49\n-----END PRIVATE KEY-----\n";
    const PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEASVH9C/Bt0SNZr5sivoONPzTuIFZTcYm8jqaa63DELy8=\n-----END PUBLIC KEY-----\n";
    /// Another key pair's private half: a token signed with it is forged.
    const OTHER: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJ\n-----END PRIVATE KEY-----\n";

    fn verifier() -> TokenVerifier {
        TokenVerifier::new(&AuthSettings {
            issuer: "iss".into(),
            audience: "aud".into(),
            public_key_pem: PUBLIC.into(),
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn claims(sub: &str, exp_in: i64) -> Claims {
        let now = jsonwebtoken::get_current_timestamp().cast_signed();
        Claims {
            iss: "iss".into(),
            aud: "aud".into(),
            sub: sub.into(),
            iat: now,
            nbf: now,
            exp: now + exp_in,
            jti: "j".into(),
            role: Role::Admin,
            scope: None,
            scopes: vec![],
            name: None,
            token_version: 1,
        }
    }

    fn sign(claims: &Claims, pem: &str) -> String {
        let key = jsonwebtoken::EncodingKey::from_ed_pem(pem.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        jsonwebtoken::encode(&jsonwebtoken::Header::new(Algorithm::EdDSA), claims, &key)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn code(r: Result<Caller, ApiError>) -> Option<Code> {
        r.err().map(|e| e.code())
    }

    /// Issue 11: a token is verified once, then recognised by its text; what a remembered token
    /// can still become (expired, revoked) is checked on every use, and a forged twin of a
    /// remembered token is refused.
    #[test]
    fn a_remembered_token_is_still_refused_once_expired_or_revoked_and_its_forged_twin_never_passes() {
        let v = verifier();
        let c = claims("account:1", 600);
        let good = sign(&c, PRIVATE);
        assert_eq!(v.verify(&good).map(|c| c.subject).ok().as_deref(), Some("account:1"));
        assert!(
            v.verified.get(&good).is_some(),
            "remembered after its first verification"
        );
        assert_eq!(v.verify(&good).map(|c| c.role).ok(), Some(Role::Admin));

        // The same claims under another key, and the good token with a changed signature.
        assert_eq!(code(v.verify(&sign(&c, OTHER))), Some(Code::TokenInvalid));
        let at = good.len() - 10;
        let swap = if &good[at..=at] == "A" { "B" } else { "A" };
        let tampered = format!("{}{swap}{}", &good[..at], &good[at + 1..]);
        assert_eq!(code(v.verify(&tampered)), Some(Code::TokenInvalid));
        assert!(v.verified.get(&tampered).is_none(), "a refused token is not remembered");

        // Revoked after it was remembered: refused at once.
        v.revocations().apply([crate::revocation::SubjectState {
            subject: "account:1".into(),
            token_version: 2,
            disabled: false,
        }]);
        assert_eq!(code(v.verify(&good)), Some(Code::TokenRevoked));

        // Remembered, then its time ran out (the entry is aged, not the clock).
        let short = claims("account:2", 600);
        let token = sign(&short, PRIVATE);
        assert!(v.verify(&token).is_ok());
        let mut aged = short.clone();
        aged.exp -= 600 + 31;
        v.verified.put(&token, Arc::new(aged), 0, 0);
        assert_eq!(code(v.verify(&token)), Some(Code::TokenExpired));
        assert!(v.verified.get(&token).is_none(), "an expired token is forgotten");
        // Not yet valid: refused and not remembered.
        let mut later = claims("account:3", 600);
        later.nbf += 120;
        let early = sign(&later, PRIVATE);
        assert_eq!(code(v.verify(&early)), Some(Code::TokenInvalid));
        assert!(v.verified.get(&early).is_none());
    }

    #[test]
    fn the_remembered_tokens_stay_bounded() {
        let v = verifier();
        let c = Arc::new(claims("account:1", 600));
        for i in 0..VERIFIED_TOKENS + 10 {
            v.verified.put(&format!("t{i}"), c.clone(), 0, 0);
        }
        let n = v.verified.0.lock().map(|m| m.len()).unwrap_or(usize::MAX);
        assert!(n <= VERIFIED_TOKENS, "{n}");
    }

    #[test]
    fn scopes_round_trip() {
        for s in ["unit:3", "group:17", "person:9"] {
            assert_eq!(s.parse::<ScopeRef>().map(|r| r.to_string()).ok().as_deref(), Some(s));
        }
        assert!("unit:x".parse::<ScopeRef>().is_err());
        assert!("team:1".parse::<ScopeRef>().is_err());
    }

    #[test]
    fn role_guard_refuses_lower_roles() {
        let c = Caller {
            subject: "account:2".into(),
            role: Role::Member,
            scope: None,
            scopes: vec![],
            name: None,
            request_id: None,
        };
        assert!(c.require(&[Role::Admin]).is_err());
        assert!(c.require(&[Role::Admin, Role::Member]).is_ok());
        assert!(c.require_admin_or_scope("members:read").is_err());
    }

    #[test]
    fn internal_calls_need_a_service_with_the_internal_scope() {
        let caller = |role, scopes: &[&str]| Caller {
            subject: "client:x".into(),
            role,
            scope: None,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            name: None,
            request_id: None,
        };
        assert!(caller(Role::Service, &["internal"]).require_internal().is_ok());
        assert!(
            caller(Role::Service, &["members:read", "internal"])
                .require_internal()
                .is_ok()
        );
        assert!(caller(Role::Service, &["members:read"]).require_internal().is_err());
        assert!(caller(Role::Admin, &[]).require_internal().is_err());
        // A person's token can never carry the scope, but even if it did it would not pass.
        assert!(caller(Role::Admin, &["internal"]).require_internal().is_err());
        let e = caller(Role::Member, &[])
            .require_internal()
            .err()
            .map(|e| e.status().as_u16());
        assert_eq!(e, Some(403));
    }
}
