//! The `Idempotency-Key` request header: a client's retry of a create carries the same key, and
//! the service answers with what the first request made instead of making it again.

use crate::problem::Code;
use actix_web::HttpRequest;

use crate::problem::ApiError;

/// The header's value, trimmed; `None` without the header; 400 `invalid_idempotency_key` when
/// it is empty, longer than 200 characters or not visible ASCII.
pub fn key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    match v.to_str() {
        Ok(s) if (1..=200).contains(&s.trim().len()) => Ok(Some(s.trim().to_owned())),
        _ => Err(ApiError::bad_request(
            Code::InvalidIdempotencyKey,
            "Idempotency-Key must be 1–200 visible ASCII characters",
        )),
    }
}
