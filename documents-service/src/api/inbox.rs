//! `POST /internal/v1/events`: events from the other services' outboxes (see
//! `service_kit::outbox`). Only the suite's own services may call it (role `service` with scope
//! `internal`); it is not under `/api/v1`, so the gateway never exposes it, and it is not in the
//! public OpenAPI document.
//!
//! Idempotent on `event_id`: the first delivery is stored (202 `accepted`), any later one
//! changes nothing (200 `duplicate`). The rows are acted on by the documents work.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use service_kit::{ApiError, Caller, Code, Db, FieldError};

pub use crate::app::inbox::Envelope;
use crate::app::inbox::{InboxWake, receive as store};

/// A name such as `members` or `certificate.issue`: 1–100 of `a-z 0-9 . _ -`.
fn is_name(s: &str) -> bool {
    (1..=100).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c))
}

/// Checks the envelope field by field, reporting every bad one.
pub fn parse_envelope(body: &Value) -> Result<Envelope, ApiError> {
    let Some(obj) = body.as_object() else {
        return Err(ApiError::validation(vec![FieldError::new(
            "body",
            Code::InvalidType,
            "the body must be a JSON object",
        )]));
    };
    let mut errors = Vec::new();
    let text = |field: &str, errors: &mut Vec<FieldError>| -> Option<String> {
        match obj.get(field) {
            None | Some(Value::Null) => {
                errors.push(FieldError::new(field, Code::Required, "is required"));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                errors.push(FieldError::new(field, Code::InvalidType, "must be a string"));
                None
            }
        }
    };
    let event_id = text("event_id", &mut errors).and_then(|s| match uuid::Uuid::parse_str(&s) {
        Ok(u) => Some(u.hyphenated().to_string()),
        Err(_) => {
            errors.push(FieldError::new("event_id", Code::InvalidEventId, "must be a UUID"));
            None
        }
    });
    let name = |field: &str, code: Code, errors: &mut Vec<FieldError>| {
        text(field, errors).and_then(|s| {
            if is_name(&s) {
                Some(s)
            } else {
                errors.push(FieldError::new(
                    field,
                    code,
                    "1-100 characters of a-z, 0-9, '.', '_', '-'",
                ));
                None
            }
        })
    };
    let source = name("source", Code::InvalidSource, &mut errors);
    let kind = name("kind", Code::InvalidKind, &mut errors);
    let occurred_at = text("occurred_at", &mut errors).and_then(|s| match DateTime::parse_from_rfc3339(&s) {
        Ok(t) => Some(t.with_timezone(&Utc).naive_utc()),
        Err(_) => {
            errors.push(FieldError::new(
                "occurred_at",
                Code::InvalidTimestamp,
                "must be an RFC 3339 timestamp",
            ));
            None
        }
    });
    let payload = match obj.get("payload") {
        Some(p @ Value::Object(_)) => Some(p.clone()),
        None | Some(Value::Null) => {
            errors.push(FieldError::new("payload", Code::Required, "is required"));
            None
        }
        Some(_) => {
            errors.push(FieldError::new("payload", Code::InvalidType, "must be a JSON object"));
            None
        }
    };
    match (event_id, source, kind, occurred_at, payload) {
        (Some(event_id), Some(source), Some(kind), Some(occurred_at), Some(payload)) if errors.is_empty() => {
            Ok(Envelope {
                event_id,
                source,
                kind,
                occurred_at,
                payload,
            })
        }
        _ => Err(ApiError::validation(errors)),
    }
}

/// Receives one event.
pub async fn receive(
    caller: Caller,
    body: web::Json<Value>,
    db: web::Data<Db>,
    wake: web::Data<InboxWake>,
) -> Result<HttpResponse, ApiError> {
    caller.require_internal()?;
    let envelope = parse_envelope(&body)?;
    let event_id = envelope.event_id.clone();
    if store(&db, envelope).await? {
        wake.0.wake();
        tracing::info!(%event_id, caller = %caller.subject, "event accepted");
        Ok(HttpResponse::Accepted().json(json!({"status": "accepted", "event_id": event_id})))
    } else {
        tracing::debug!(%event_id, caller = %caller.subject, "event received again; already stored");
        Ok(HttpResponse::Ok().json(json!({"status": "duplicate", "event_id": event_id})))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Value {
        json!({
            "event_id": "3f1c7f0e-8a3e-4c55-9a51-1f0a9b7d2c11",
            "kind": "certificate.issue",
            "source": "members",
            "occurred_at": "2026-11-24T08:30:00.123Z",
            "payload": {"appointment_id": 7}
        })
    }

    #[test]
    fn a_good_envelope_parses() {
        let e = parse_envelope(&good()).map_err(|e| e.to_string());
        assert_eq!(e.as_ref().map(|e| e.kind.as_str()), Ok("certificate.issue"));
        assert_eq!(e.map(|e| e.occurred_at.and_utc().timestamp_millis() % 1000), Ok(123));
    }

    #[test]
    fn every_bad_field_is_reported() {
        let bad = json!({"event_id": "nope", "kind": "Certificate Issue", "source": 3, "occurred_at": "yesterday", "payload": [1]});
        let problem = parse_envelope(&bad).err().map(|e| e.problem());
        let fields: Vec<String> = problem
            .iter()
            .flat_map(|p| p.errors.iter().map(|e| e.field.clone()))
            .collect();
        assert_eq!(fields, ["event_id", "source", "kind", "occurred_at", "payload"]);
        assert_eq!(problem.map(|p| p.status), Some(422));
        let missing = parse_envelope(&json!({})).err().map(|e| e.problem().errors.len());
        assert_eq!(missing, Some(5));
        assert!(parse_envelope(&json!([])).is_err());
    }
}
