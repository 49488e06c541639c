use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{deliveries, documents};

/// A document without its PDF bytes (lists, verification).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = documents)]
pub struct DocumentMeta {
    pub id: i64,
    pub serial: String,
    pub kind: String,
    pub year: i32,
    pub status: String,
    pub verify_token: String,
    pub subject_key: String,
    pub person_name: String,
    pub post_label: String,
    pub body_name: String,
    pub term_label: String,
    pub person_id: Option<i64>,
    pub appointment_id: Option<i64>,
    pub content_hash: String,
    pub issued_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    pub superseded_by: Option<i64>,
    pub verification_count: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub document_id: i64,
    pub recipient: String,
    pub message_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub sending_since: Option<NaiveDateTime>,
    pub queued_at: Option<NaiveDateTime>,
}
