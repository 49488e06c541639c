//! [`Json`]: the request-body extractor of every documented JSON object.
//!
//! actix's `web::Json<T>` hands the body to serde, and serde's derived `Deserialize` for a struct
//! also accepts a JSON array of the fields in order: `["name", null, …]` would patch a unit as if
//! it were `{"name": …}`. The contract documents objects, so this extractor refuses any other
//! top-level value with 422 `invalid_body`. Everything else is `web::Json`'s behaviour with the
//! kit's [`JsonConfig`](actix_web::web::JsonConfig) (see [`crate::problem::extractor_configs`]):
//! 400 `malformed_json`, 413 `payload_too_large`, 415 `unsupported_media_type`, 422
//! `invalid_body` for a body of the wrong shape.

use crate::problem::Code;
use std::ops::{Deref, DerefMut};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// A JSON object body deserialized into `T`; use it instead of `web::Json<T>` for objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // Read as a JSON value first, so limits, content type and syntax errors are exactly
        // web::Json's (with the app's JsonConfig); then require an object.
        let value = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(value) = value.await?;
            from_object(value).map(Json).map_err(Into::into)
        })
    }
}

/// An optional JSON object body: `None` when the request carries no body (no bytes), else the
/// body exactly as [`Json`] reads it. actix's `Option<Json<T>>` turns every error into `None`,
/// so a malformed or wrong-shaped body would be taken for "no body" and silently ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T> OptionalJson<T> {
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
        let headers = req.headers();
        // HTTP/1.1: a request has a body only with a Content-Length or a Transfer-Encoding.
        let no_body = match headers.get(CONTENT_LENGTH) {
            Some(length) => length.to_str().is_ok_and(|l| l.trim() == "0"),
            None => !headers.contains_key(TRANSFER_ENCODING),
        };
        if no_body {
            return Box::pin(async { Ok(OptionalJson(None)) });
        }
        let body = Json::<T>::from_request(req, payload);
        Box::pin(async move { body.await.map(|Json(v)| OptionalJson(Some(v))) })
    }
}

/// A JSON object body read by hand (e.g. a handler that also takes forms): 400 `malformed_json`
/// for bad JSON, 422 `invalid_body` for anything but an object or one of the wrong shape.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(Code::MalformedJson, format!("the body is not valid JSON: {e}")))?;
    from_object(value)
}

/// `value` as `T` when it is a JSON object; else 422 `invalid_body`.
pub fn from_object<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    if !value.is_object() {
        let found = match &value {
            serde_json::Value::Array(_) => "an array",
            serde_json::Value::String(_) => "a string",
            serde_json::Value::Number(_) => "a number",
            serde_json::Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(ApiError::unprocessable(
            Code::InvalidBody,
            format!("the JSON body must be an object, not {found}"),
        ));
    }
    let mut value = value;
    integral_numbers_as_integers(&mut value);
    serde_json::from_value(value)
        .map_err(|e| ApiError::unprocessable(Code::InvalidBody, format!("the JSON body does not fit the schema: {e}")))
}

/// JSON Schema counts `2026.0` as an integer (a number with no fractional part), serde's integer
/// types do not: such numbers become integers before the body is read, so what the contract
/// calls an integer is one. Only exactly representable values (|n| < 2^53) are changed.
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9_007_199_254_740_992.0
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use actix_web::{App, HttpResponse, test};
    use serde::Deserialize;

    use super::*;
    use crate::problem::{Problem, extractor_configs};

    #[::std::prelude::v1::test]
    fn integral_floats_read_as_integers_and_fractions_do_not() {
        #[derive(Debug, Deserialize)]
        struct Year {
            year: i32,
        }
        let y: Year = from_object(serde_json::json!({"year": 2026.0})).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(y.year, 2026);
        assert!(from_object::<Year>(serde_json::json!({"year": 2026.5})).is_err());
        assert!(from_object::<Year>(serde_json::json!({"year": 1e300})).is_err());
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Patch {
        name: Option<String>,
        note: Option<String>,
    }

    async fn handler(body: Json<Patch>) -> HttpResponse {
        let p = body.into_inner();
        HttpResponse::Ok().body(format!("{:?}/{:?}", p.name, p.note))
    }

    async fn call(content_type: &str, body: Vec<u8>) -> (u16, String) {
        let app = test::init_service(
            App::new()
                .configure(extractor_configs)
                .route("/", web::post().to(handler)),
        )
        .await;
        let req = test::TestRequest::post()
            .uri("/")
            .insert_header(("content-type", content_type))
            .set_payload(body)
            .to_request();
        let res = test::call_service(&app, req).await;
        let status = res.status().as_u16();
        let bytes = test::read_body(res).await;
        let code = serde_json::from_slice::<Problem>(&bytes)
            .map(|p| p.code.to_string())
            .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
        (status, code)
    }

    /// Issue 9: `["name", null]` was taken as `{"name": "name", "note": null}`.
    #[actix_rt::test]
    async fn a_body_that_is_not_an_object_is_refused_with_invalid_body() {
        for body in [r#"["renamed", null]"#, r#""x""#, "3", "null", "true"] {
            assert_eq!(
                call("application/json", body.into()).await,
                (422, "invalid_body".to_owned()),
                "{body}"
            );
        }
    }

    #[actix_rt::test]
    async fn bodies_read_by_hand_follow_the_same_rules() {
        let code = |b: &[u8]| from_slice::<Patch>(b).map(|_| ()).map_err(|e| e.code().to_string());
        assert_eq!(code(br#"{"name":"a"}"#), Ok(()));
        assert_eq!(code(br#"["a", null]"#), Err("invalid_body".into()));
        assert_eq!(code(br#"{"name":1}"#), Err("invalid_body".into()));
        assert_eq!(code(b"{"), Err("malformed_json".into()));
    }

    #[actix_rt::test]
    async fn objects_pass_and_other_failures_keep_the_kits_codes() {
        assert_eq!(
            call("application/json", br#"{"name":"a"}"#.to_vec()).await,
            (200, r#"Some("a")/None"#.to_owned())
        );
        assert_eq!(
            call("application/json", br#"{"nme":"a"}"#.to_vec()).await,
            (422, "invalid_body".to_owned())
        );
        assert_eq!(
            call("application/json", br#"{"name":"#.to_vec()).await,
            (400, "malformed_json".to_owned())
        );
        assert_eq!(
            call("text/plain", br#"{"name":"a"}"#.to_vec()).await,
            (415, "unsupported_media_type".to_owned())
        );
        let big = format!(r#"{{"name":"{}"}}"#, "a".repeat(crate::problem::DEFAULT_JSON_LIMIT));
        assert_eq!(
            call("application/json", big.into_bytes()).await,
            (413, "payload_too_large".to_owned())
        );
    }

    async fn optional(body: OptionalJson<Patch>) -> HttpResponse {
        HttpResponse::Ok().body(match body.into_inner() {
            Some(p) => format!("{:?}", p.name),
            None => "none".to_owned(),
        })
    }

    async fn call_optional(req: test::TestRequest) -> (u16, String) {
        let app = test::init_service(
            App::new()
                .configure(extractor_configs)
                .route("/", web::post().to(optional)),
        )
        .await;
        let res = test::call_service(&app, req.uri("/").to_request()).await;
        let status = res.status().as_u16();
        (
            status,
            String::from_utf8_lossy(&test::read_body(res).await).into_owned(),
        )
    }

    /// A bad optional body is refused, not taken for "no body" (actix's `Option<Json<T>>` would).
    #[actix_rt::test]
    async fn an_optional_body_is_none_only_when_there_is_no_body() {
        let none = call_optional(test::TestRequest::post()).await;
        assert_eq!(none, (200, "none".to_owned()));
        let empty = call_optional(test::TestRequest::post().insert_header(("content-length", "0"))).await;
        assert_eq!(empty, (200, "none".to_owned()));
        let json = |body: &'static str| {
            test::TestRequest::post()
                .insert_header(("content-type", "application/json"))
                .set_payload(body)
        };
        assert_eq!(
            call_optional(json(r#"{"name": "x"}"#)).await,
            (200, r#"Some("x")"#.to_owned())
        );
        for (body, status, code) in [
            ("{not json", 400, "malformed_json"),
            (r#"["x", null]"#, 422, "invalid_body"),
            (r#"{"unknown": 1}"#, 422, "invalid_body"),
        ] {
            let (got, text) = call_optional(json(body)).await;
            assert_eq!(got, status, "{body}: {text}");
            assert!(text.contains(code), "{body}: {text}");
        }
        let (got, text) = call_optional(test::TestRequest::post().set_payload("name=x")).await;
        assert!(got == 415 || got == 400, "a body that is not JSON: {got} {text}");
    }
}
