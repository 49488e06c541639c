//! Certificates as verifiable credentials (issue 12): a certificate's signed credential for its
//! holder and the secretariat, and — public, for any verifier — the issuer's profile, its
//! public key and the status lists.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use service_kit::signing::Jwks;
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::ToSchema;

use super::access::{may_read, may_read_some};
use crate::app::documents;
use crate::app::issuing::Press;
use crate::domain::credentials::VC_JWT_MEDIA_TYPE;
use crate::domain::requests::ISSUER;
use crate::domain::status_list::ListId;

fn jwt(body: String, cache: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(VC_JWT_MEDIA_TYPE)
        .insert_header((header::CACHE_CONTROL, cache))
        .body(body)
}

/// 证书的可验证凭证 · The certificate's verifiable credential.
///
/// 证书（聘书、荣誉证书）的 W3C 可验证凭证（Open Badges 3.0 `OpenBadgeCredential`），以 VC-JOSE 形式保护：用 `GET /api/v1/documents/issuer/jwks` 中的密钥以 EdDSA 签名的 JWT，也随证书的电子邮件附上。通知类文件没有凭证（404）。
///
/// The certificate's W3C Verifiable Credential (Open Badges 3.0 `OpenBadgeCredential`), secured
/// as VC-JOSE: a JWT signed EdDSA with the key of `GET /api/v1/documents/issuer/jwks`. Also
/// attached to the certificate's e-mail. Notices have none (404).
#[utoipa::path(get, path = "/api/v1/documents/{serial}/credential", tag = "documents", params(("serial" = String, Path, pattern = r"^JGLM-[A-Z]{2}-[0-9]{4}-[0-9]{6,9}$")),
    extensions(("x-roles" = json!(["admin", "member:own_record", "service:documents:read"]))),
    responses((status = 200, description = "可验证凭证（application/vc+jwt） · The credential (application/vc+jwt)", body = String, content_type = "application/vc+jwt"),
        (status = 404, description = "没有该文件，或该文件不是证书 · No such document, or it is not a certificate", body = Problem, content_type = "application/problem+json")))]
pub async fn credential(
    caller: Caller,
    serial: web::Path<String>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    may_read_some(&caller)?;
    let serial = serial.into_inner();
    let (meta, credential) = db.run(move |c| documents::credential(c, &serial)).await?;
    may_read(&caller, &meta)?;
    let credential = credential.ok_or_else(|| ApiError::not_found(format!("{} has no credential", meta.serial)))?;
    Ok(jwt(credential, "private, no-store"))
}

/// 凭证签发者（Open Badges 的 `Profile`）。The issuer as Open Badges describes it (a `Profile`).
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuerProfile {
    /// 签发者标识（URL）。The issuer's id (a URL).
    pub id: String,
    /// 类型，即 `["Profile"]`。The type: `["Profile"]`.
    #[serde(rename = "type")]
    pub type_: Vec<String>,
    /// 签发者名称（机械行业技工院校高水平专业建设联盟）。The issuer's name.
    pub name: String,
    /// 签发者公钥所在地址。Where the issuer's public keys are.
    pub jwks_uri: String,
}

/// 凭证签发者 · Public: who issues the alliance's credentials.
///
/// 公开：联盟可验证凭证的签发者信息（名称、标识和公钥地址）。
///
/// Public: who issues the alliance's credentials.
#[utoipa::path(get, path = "/api/v1/documents/issuer", tag = "documents",
    extensions(("x-roles" = json!(["public"]))),
    responses((status = 200, body = IssuerProfile)),
    security(()))]
pub async fn issuer(press: web::Data<Press>) -> HttpResponse {
    let id = press.credentials.issuer_id();
    HttpResponse::Ok().json(IssuerProfile {
        jwks_uri: format!("{id}/jwks"),
        id,
        type_: vec!["Profile".into()],
        name: ISSUER.into(),
    })
}

/// 签发者公钥 · Public: the issuer's signing keys (JWKS).
///
/// 公开：可验证凭证和状态列表的签名公钥（JWKS，RFC 7517；其 `kid` 即各 JWT 的 `kid`）。不是网关令牌的密钥。
///
/// Public: the key credentials and status lists are signed with (JWKS, RFC 7517; its `kid` is the
/// JWTs' `kid`). Not the gateway's token key.
#[utoipa::path(get, path = "/api/v1/documents/issuer/jwks", tag = "documents",
    extensions(("x-roles" = json!(["public"]))),
    responses((status = 200, body = Jwks)),
    security(()))]
pub async fn jwks(press: web::Data<Press>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(press.credentials.jwks())
}

/// 证书状态列表 · Public: a status list credential.
///
/// 公开：W3C 位串状态列表凭证（VC-JOSE JWT）：第 `statusListIndex` 位为 1 表示该证书已撤销或已被替代。每次请求时按文件现状生成，撤销一经提交即可见。列表名称形如 `PS-2026-0`（类型、年度、页）；没有该列表时返回 404。
///
/// Public: a W3C Bitstring Status List credential (VC-JOSE JWT): bit `statusListIndex` set means
/// the certificate was revoked or superseded. Built from the documents when asked for, so a
/// revocation shows the moment it is committed. Lists are named `PS-2026-0` (kind, year, page).
#[utoipa::path(get, path = "/api/v1/documents/status-lists/{list}", tag = "documents", params(("list" = String, Path, pattern = r"^(PS|RY)-[0-9]{4}-[0-9]{1,9}$")),
    extensions(("x-roles" = json!(["public"]))),
    responses((status = 200, description = "状态列表凭证（application/vc+jwt） · The status list credential (application/vc+jwt)", body = String, content_type = "application/vc+jwt"),
        (status = 404, description = "没有该状态列表 · No such list", body = Problem, content_type = "application/problem+json")),
    security(()))]
pub async fn status_list(
    list: web::Path<String>,
    db: web::Data<Db>,
    press: web::Data<Press>,
) -> Result<HttpResponse, ApiError> {
    let name = list.into_inner();
    let list = ListId::parse(&name).ok_or_else(|| ApiError::not_found(format!("no status list {name}")))?;
    let issuer = press.credentials.clone();
    let signed = db.run(move |c| issuer.status_list(c, &list)).await?;
    Ok(jwt(signed, "no-cache"))
}
