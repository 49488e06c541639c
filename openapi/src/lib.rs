//! The suite's one OpenAPI 3.1 document: the gateway's and the three services' utoipa docs
//! merged, with bearer security on every operation that needs a token.
//!
//! Regenerate the committed contract with `cargo run -p openapi --bin generate-openapi`.

use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi as Doc, SecurityRequirement, ServerBuilder};

pub const SECURITY_SCHEME: &str = "bearer";

/// The merged document.
pub fn merged() -> Doc {
    let mut doc = gateway::ApiDoc::openapi();
    doc.merge(members_service::ApiDoc::openapi());
    doc.merge(meetings_service::ApiDoc::openapi());
    doc.merge(documents_service::ApiDoc::openapi());
    doc.info = InfoBuilder::new()
        .title("机械行业技工院校高水平专业建设联盟 API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "The alliance's services behind one gateway. Get a token at POST /api/v1/auth/token, \
             then use \"Authorize\" with it. Errors are application/problem+json with a stable `code`.",
        ))
        .build();
    doc.servers = Some(vec![ServerBuilder::new().url("/").build()]);
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SECURITY_SCHEME,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some("EdDSA-signed token from POST /api/v1/auth/token"))
                .build(),
        ),
    );
    // Bearer by default; operations that declare `security(())` (token issue, JWKS, public
    // verification) keep their empty requirement and stay public.
    doc.security = Some(vec![SecurityRequirement::new(SECURITY_SCHEME, Vec::<String>::new())]);
    name_operations(&mut doc);
    document_problems(&mut doc);
    describe_callers(&mut doc);
    doc
}

/// The OpenAPI extension on every operation, next to its handler's `#[utoipa::path]`, listing
/// who may call it. Each entry is one of:
/// - `public`: anyone, without a token (the operation declares `security(())`);
/// - `internal`: the suite's own services (role `service` with the scope `internal`);
/// - a role (`admin`, `group_secretary`, `unit_contact`, `member`, `service`): every caller
///   with that role (`service`: whatever its scopes);
/// - `<role>:own_group`, `<role>:own_unit`, `<role>:own_record`: that role, for the group, unit
///   or person its token's scope names only (other records are refused, or left out of lists);
/// - `service:<scope>`: service clients granted `<scope>`, e.g. `service:members:read`.
///
/// Every role not listed is refused with 403; `tests/tests/e2e/auth/access_matrix.rs` tries them all.
pub const ROLES_EXTENSION: &str = "x-roles";

/// The roles of [`ROLES_EXTENSION`] entries, as tokens carry them.
pub const ROLES: [&str; 5] = ["admin", "group_secretary", "unit_contact", "member", "service"];

/// One entry of [`ROLES_EXTENSION`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    Public,
    Internal,
    /// Every caller with the role.
    Role(&'static str),
    /// The role, for what its token's scope names only (`own_group`, `own_unit`, `own_record`).
    Own(&'static str, &'static str),
    /// A service client with this scope.
    ServiceScope(String),
}

impl Allowed {
    pub fn parse(entry: &str) -> Result<Allowed, String> {
        match entry {
            "public" => return Ok(Allowed::Public),
            "internal" => return Ok(Allowed::Internal),
            _ => {}
        }
        let (role, rest) = entry.split_once(':').map_or((entry, None), |(r, q)| (r, Some(q)));
        let role = ROLES
            .into_iter()
            .find(|r| *r == role)
            .ok_or_else(|| format!("{entry:?}: unknown role {role:?}"))?;
        match (role, rest) {
            (_, None) => Ok(Allowed::Role(role)),
            ("service", Some(scope)) if !scope.is_empty() => Ok(Allowed::ServiceScope(scope.to_owned())),
            (_, Some(q)) => ["own_group", "own_unit", "own_record"]
                .into_iter()
                .find(|o| *o == q)
                .map(|o| Allowed::Own(role, o))
                .ok_or_else(|| format!("{entry:?}: unknown qualifier {q:?} (own_group, own_unit, own_record)")),
        }
    }

    /// For people reading Swagger UI.
    pub fn describe(&self) -> String {
        match self {
            Allowed::Public => "anyone, no token needed".into(),
            Allowed::Internal => "the suite's own services (service with scope internal)".into(),
            Allowed::Role("service") => "service (any scope)".into(),
            Allowed::Role(r) => (*r).into(),
            Allowed::Own(r, own) => format!("{r} ({} only)", own.replace('_', " ")),
            Allowed::ServiceScope(s) => format!("service with scope {s}"),
        }
    }
}

/// The parsed [`ROLES_EXTENSION`] of an operation, or why it cannot be read.
pub fn allowed_callers(op: &utoipa::openapi::path::Operation) -> Result<Vec<Allowed>, String> {
    let value = op
        .extensions
        .as_ref()
        .and_then(|e| e.get(ROLES_EXTENSION))
        .ok_or_else(|| format!("no {ROLES_EXTENSION} extension"))?;
    let entries = value
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| format!("{ROLES_EXTENSION} is not a non-empty array"))?;
    entries
        .iter()
        .map(|e| {
            e.as_str()
                .ok_or_else(|| format!("{e} is not a string"))
                .and_then(Allowed::parse)
        })
        .collect()
}

/// Every operation's description ends with who may call it, from its [`ROLES_EXTENSION`].
fn describe_callers(doc: &mut Doc) {
    for item in doc.paths.paths.values_mut() {
        let ops = [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for op in ops.into_iter().flatten() {
            let Ok(allowed) = allowed_callers(op) else { continue };
            let who = allowed.iter().map(Allowed::describe).collect::<Vec<_>>().join("; ");
            let line = format!("**Who may call:** {who}.");
            op.description = Some(match op.description.take().filter(|d| !d.is_empty()) {
                Some(d) => format!("{d}\n\n{line}"),
                None => line,
            });
        }
    }
}

/// The problem responses every operation can give by its shape, added where its own annotation
/// does not list them (schemathesis' `--checks all` holds the suite to this list; see
/// `scripts/fuzz-contract.sh`):
/// - 400 for a parameter or body that cannot be read (actix's extractors, `invalid_query`, …),
/// - 401 and 403 for every operation that takes a token,
/// - 404 for every operation addressed by a path parameter,
/// - 408, 413, 415 and 422 for every operation with a request body (body deadline, size limit,
///   content type, a body that does not fit the schema or its rules),
/// - 429 (the gateway's per-client limit, the login throttle) and 503 (a service or its database
///   unavailable) everywhere, and 504 for every operation the gateway forwards.
fn document_problems(doc: &mut Doc) {
    let public = serde_json::json!([{}]);
    for (path, item) in doc.paths.paths.iter_mut() {
        let forwarded = !path.starts_with("/api/v1/auth/");
        let ops = [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for op in ops.into_iter().flatten() {
            let secured = op
                .security
                .as_ref()
                .is_none_or(|s| serde_json::to_value(s).ok().as_ref() != Some(&public));
            let params = op.parameters.as_deref().unwrap_or_default();
            let has_path = path.contains('{');
            let has_body = op.request_body.is_some();
            let mut statuses = vec![];
            if !params.is_empty() || has_body {
                statuses.push("400");
            }
            if secured {
                statuses.extend(["401", "403"]);
            }
            if has_path {
                statuses.push("404");
            }
            if has_body {
                statuses.extend(["408", "413", "415", "422"]);
            }
            statuses.extend(["429", "503"]);
            if forwarded {
                statuses.push("504");
            }
            for status in statuses {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem_response(status));
            }
        }
    }
}

fn problem_response(status: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(default_description(status))
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

/// Every operation gets an operationId derived from its method and path (handler names such as
/// `list` repeat across resources, and Swagger UI picks the operation to run by this id), and
/// every response a description (OpenAPI requires one). A collection at the top of a service
/// whose id a nested one already has (`GET /documents/deliveries` beside
/// `GET /documents/{serial}/deliveries`) gets `_all`, so existing ids never change.
fn name_operations(doc: &mut Doc) {
    let mut nested = std::collections::BTreeSet::new();
    for (path, item) in doc.paths.paths.iter() {
        if path.contains('{') {
            for (method, present) in [
                ("get", item.get.is_some()),
                ("put", item.put.is_some()),
                ("post", item.post.is_some()),
                ("delete", item.delete.is_some()),
                ("patch", item.patch.is_some()),
            ] {
                if present {
                    nested.insert(operation_id(method, path));
                }
            }
        }
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        let ops = [
            ("get", item.get.as_mut()),
            ("put", item.put.as_mut()),
            ("post", item.post.as_mut()),
            ("delete", item.delete.as_mut()),
            ("patch", item.patch.as_mut()),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let mut id = operation_id(method, path);
            if !path.contains('{') && nested.contains(&id) {
                id.push_str("_all");
            }
            op.operation_id = Some(id);
            for (status, response) in op.responses.responses.iter_mut() {
                if let utoipa::openapi::RefOr::T(r) = response
                    && r.description.is_empty()
                {
                    r.description = default_description(status).to_owned();
                }
            }
        }
    }
}

/// `GET /api/v1/members/bodies/{id}` → `get_members_bodies_by_id`.
pub fn operation_id(method: &str, path: &str) -> String {
    let rest = path.trim_start_matches("/api/v1/");
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let mut id = method.to_owned();
    for s in &segments {
        if !s.starts_with('{') {
            id.push('_');
            id.push_str(&s.replace('-', "_"));
        }
    }
    if segments.last().is_some_and(|s| s.starts_with('{')) {
        id.push_str("_by_id");
    }
    id
}

fn default_description(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted",
        "204" => "No content",
        "400" => "Bad request (problem+json)",
        "401" => "No valid token (problem+json)",
        "403" => "The caller's role or scope does not allow this (problem+json)",
        "404" => "Not found (problem+json)",
        "408" => "The request body stopped arriving (problem+json)",
        "409" => "Conflict with the current state (problem+json)",
        "413" => "Payload too large (problem+json)",
        "415" => "Unsupported media type (problem+json)",
        "422" => "Invalid input (problem+json)",
        "429" => "Too many requests (problem+json)",
        "503" => "A service or its database is unavailable (problem+json)",
        "504" => "The service did not answer in time (problem+json)",
        _ => "See the problem+json body",
    }
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn merged_json() -> String {
    let mut s = merged().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// Where the committed contract lives.
pub fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

/// The contract of the events between services (`alliance_events`), pretty JSON.
pub fn events_json() -> String {
    let mut s = alliance_events::schema().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// Where the committed events' contract lives.
pub fn committed_events_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("events.json")
}
