//! Integer query parameters written as integral numbers (`?body_id=12.0`, `?year=2.026e3`).
//!
//! JSON Schema counts `12.0` as an integer, so the contract's `type: integer` parameters admit it
//! (schemathesis sends such values); serde's integer parsing does not. [`integral_query`] rewrites
//! the value of each parameter named in [`INTEGER_PARAMS`] that is an integral number into its
//! plain integer spelling before any extractor reads the query, as [`crate::json`] does for
//! bodies. A fraction (`12.5`) or anything else is left as it is, for the handler's 400.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::Next;

/// The names of the suite's integer query parameters (a test of the `openapi` crate keeps this
/// equal to the contract, and no other parameter has one of these names).
pub const INTEGER_PARAMS: &[&str] = &[
    "appointment_id",
    "body_id",
    "entity_id",
    "limit",
    "person",
    "person_id",
    "term_id",
    "unit_id",
    "year",
];

/// Middleware: see the module documentation.
pub async fn integral_query(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some(query) = req.uri().query().and_then(normalize) {
        let path = req.uri().path();
        if let Ok(uri) = format!("{path}?{query}").parse::<Uri>() {
            req.head_mut().uri = uri;
        }
    }
    next.call(req).await
}

/// The query with every integral value of an [`INTEGER_PARAMS`] parameter spelt as an integer,
/// or `None` when nothing changes.
pub fn normalize(query: &str) -> Option<String> {
    let mut changed = false;
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if INTEGER_PARAMS.contains(&name) => match integral(value) {
                Some(n) => {
                    changed = true;
                    format!("{name}={n}")
                }
                None => pair.to_owned(),
            },
            _ => pair.to_owned(),
        })
        .collect();
    changed.then(|| pairs.join("&"))
}

/// `12.0`, `1.2e1`, `1e%2B16` → the integer; a plain integer, a fraction or text → `None`.
fn integral(raw: &str) -> Option<i64> {
    let value = raw.replace("%2B", "+").replace("%2b", "+");
    let numeric = value
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if !numeric || !value.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return None;
    }
    let v: f64 = value.parse().ok()?;
    // -2^63 ≤ v < 2^63: every f64 there with no fraction converts to i64 exactly.
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808_f64;
    (v.is_finite() && v.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&v)).then_some(v as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_numbers_of_integer_parameters_become_integers() {
        assert_eq!(
            normalize("year=1940&cursor=&body_id=103911687.0&limit=2&status=held").as_deref(),
            Some("year=1940&cursor=&body_id=103911687&limit=2&status=held")
        );
        assert_eq!(
            normalize("limit=5e1&unit_id=1e%2B3").as_deref(),
            Some("limit=50&unit_id=1000")
        );
        assert_eq!(normalize("person=-0.0").as_deref(), Some("person=0"));
    }

    #[test]
    fn everything_else_is_left_alone() {
        for q in [
            "limit=2",
            "limit=2.5",
            "limit=abc",
            "limit=1e400",
            "limit=",
            "limit",
            "q=12.0",
            "cursor=1.0",
            "limit=NaN",
            "limit=inf",
        ] {
            assert_eq!(normalize(q), None, "{q}");
        }
    }
}
