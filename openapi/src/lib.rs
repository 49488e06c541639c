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
    doc
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
