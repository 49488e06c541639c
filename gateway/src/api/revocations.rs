//! `GET /internal/v1/revocations` for the suite's services, and the check on forwarded routes
//! (see [`crate::app::revocations`]).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use service_kit::auth::TokenVerifier;
use service_kit::revocation::RevocationList;
use service_kit::{ApiError, Caller, Code, Db};

use crate::app::revocations;

/// For the suite's services (service token with scope `internal`).
pub async fn list(caller: Caller, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    caller.require_internal()?;
    let subjects = revocations::subjects(&db).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(RevocationList { subjects }))
}

/// Middleware on forwarded routes: a revoked bearer token is refused here at once, whatever the
/// service's list says yet. Other token failures are left to the service, which knows whether
/// the route needs a token at all.
pub async fn refuse_revoked(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    if let (Some(token), Some(verifier)) = (token, req.app_data::<web::Data<TokenVerifier>>())
        && let Err(e) = verifier.verify(token)
        && e.code() == Code::TokenRevoked
    {
        return Ok(req.error_response(e));
    }
    next.call(req).await.map(ServiceResponse::map_into_boxed_body)
}
