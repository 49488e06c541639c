//! The suite's one OpenAPI 3.1 document: the gateway's and the three services' utoipa docs
//! merged, with bearer security on every operation that needs a token.
//!
//! Regenerate the committed contract with `cargo run -p openapi --bin generate-openapi`.

use utoipa::OpenApi;
use utoipa::openapi::security::{Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi as Doc, SecurityRequirement, ServerBuilder};

pub const SECURITY_SCHEME: &str = "bearer";
/// The OAuth2 password flow Swagger UI logs in with.
pub const PASSWORD_SCHEME: &str = "password";

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
            "机械行业技工院校高水平专业建设联盟的成员、会议、文书服务，经同一网关提供。\n\
             The alliance's member, meeting and document services, behind one gateway.\n\n\
             **在本页登录 · Logging in on this page**\n\n\
             1. 点 **Authorize**（授权）。Press **Authorize**.\n\
             2. 在 `password (OAuth2, password)` 下填写用户名和密码（秘书处的管理员账号；新安装时，其密码在数据目录的 \
             `bootstrap-admin.txt` 中），再点 **Authorize**。Under `password (OAuth2, password)`, type the user name \
             and password (the secretariat's administrator account; on a fresh install its password is in \
             `bootstrap-admin.txt` in the data directory), then press **Authorize**.\n\
             3. 点 **Close**（关闭），再在各操作中用 **Try it out** 试用。Press **Close**, then use **Try it out**.\n\n\
             **其他系统 · Other systems**：向 `POST /api/v1/auth/token` 取令牌（人员用 `grant_type=password`，\
             接入系统即 API 客户端用 `grant_type=client_credentials`），每次请求发送 `Authorization: Bearer <token>`。\
             Get a token from `POST /api/v1/auth/token` (`grant_type=password` for people, `client_credentials` for \
             API clients) and send `Authorization: Bearer <token>`.\n\n\
             **令牌有效期 · Token lifetime**：令牌默认 15 分钟后过期（应答中的 `expires_in` 秒与 `expires_at` 时刻）；\
             过期后的请求答 401 `token_expired`，并说明如何重新取令牌（本页：Authorize → Logout，再登录一次）。\
             Tokens expire after 15 minutes by default (`expires_in` seconds, `expires_at`); a request with an expired \
             one is answered 401 `token_expired`, saying how to get a new one (on this page: Authorize, Logout, log \
             in again).\n\n\
             **错误 · Errors**：一律为 `application/problem+json`，带稳定的 `code`，程序据 `code` 判断，不要解析 `detail`。\
             Errors are `application/problem+json` with a stable `code`; branch on `code`, never on `detail`.",
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
                .description(Some(
                    "POST /api/v1/auth/token 签发的 EdDSA 令牌 · EdDSA-signed token from POST /api/v1/auth/token",
                ))
                .build(),
        ),
    );
    // The same token got by password inside Swagger UI's Authorize dialog (issue 14): an OAuth2
    // password flow on the token endpoint, which takes the form Swagger UI posts.
    components.add_security_scheme(
        PASSWORD_SCHEME,
        SecurityScheme::OAuth2(OAuth2::with_description(
            [Flow::Password(Password::new("/api/v1/auth/token", Scopes::new()))],
            "用户名和密码登录（秘书处、协作组秘书、单位联系人、成员）· Log in with a user name and password",
        )),
    );
    // A bearer token or the password flow's (the same token); operations that declare
    // `security(())` (token issue, JWKS, public verification) keep their empty requirement and
    // stay public.
    doc.security = Some(vec![
        SecurityRequirement::new(SECURITY_SCHEME, Vec::<String>::new()),
        SecurityRequirement::new(PASSWORD_SCHEME, Vec::<String>::new()),
    ]);
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
        // Chinese names of the roles and qualifiers; a role not listed keeps its English name.
        fn role_zh(role: &str) -> Option<&'static str> {
            match role {
                "admin" => Some("秘书处管理员"),
                "group_secretary" => Some("协作组秘书"),
                "unit_contact" => Some("单位联系人"),
                "member" => Some("成员本人"),
                "service" => Some("外部系统"),
                _ => None,
            }
        }
        fn own_zh(own: &str) -> Option<&'static str> {
            match own {
                "own_group" => Some("仅本组"),
                "own_unit" => Some("仅本单位"),
                "own_record" => Some("仅本人记录"),
                _ => None,
            }
        }
        match self {
            Allowed::Public => "任何人，无需令牌 · anyone, no token needed".into(),
            Allowed::Internal => "本系统内部服务 (internal)".into(),
            Allowed::Role("service") => "外部系统，任何授权范围 (service, any scope)".into(),
            Allowed::Role(r) => match role_zh(r) {
                Some(zh) => format!("{zh} ({r})"),
                None => (*r).into(),
            },
            Allowed::Own(r, own) => {
                let en = format!("{r}, {} only", own.replace('_', " "));
                match (role_zh(r), own_zh(own)) {
                    (Some(zh), Some(only)) => format!("{zh}，{only} ({en})"),
                    _ => en,
                }
            }
            Allowed::ServiceScope(s) => format!("外部系统，需授权范围 {s} (service with scope {s})"),
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
            let who = allowed.iter().map(Allowed::describe).collect::<Vec<_>>().join("；");
            let line = format!("**调用权限 · Who may call:** {who}。");
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
        "200" => "成功 · OK",
        "201" => "已创建 · Created",
        "202" => "已受理 · Accepted",
        "204" => "成功，无内容 · No content",
        "400" => "请求有误 · Bad request (problem+json)",
        "401" => "未提供有效令牌 · No valid token (problem+json)",
        "403" => "调用者的角色或范围不允许此操作 · The caller's role or scope does not allow this (problem+json)",
        "404" => "未找到 · Not found (problem+json)",
        "408" => "请求正文未按时到达 · The request body stopped arriving (problem+json)",
        "409" => "与当前状态冲突 · Conflict with the current state (problem+json)",
        "413" => "正文过大 · Payload too large (problem+json)",
        "415" => "不支持的正文类型 · Unsupported media type (problem+json)",
        "422" => "输入无效 · Invalid input (problem+json)",
        "429" => "请求过多，请稍后重试 · Too many requests (problem+json)",
        "503" => "服务或其数据库暂不可用 · A service or its database is unavailable (problem+json)",
        "504" => "服务未按时应答 · The service did not answer in time (problem+json)",
        _ => "见 problem+json 正文 · See the problem+json body",
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
