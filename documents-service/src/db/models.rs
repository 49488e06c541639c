//! Rows as read, and the forms they are written with (insert forms; `AsChangeset` update forms,
//! so a change of several columns is one statement).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{batch_items, batches, deliveries, delivery_attempts, documents, inbox_events};
use crate::domain::kinds::DocumentKind;
use crate::domain::states::{AttemptOutcome, BatchItemStatus, BatchStatus, DeliveryStatus, DocumentStatus};

/// A document without its PDF bytes (lists, verification).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = documents)]
pub struct DocumentMeta {
    pub id: i64,
    pub serial: String,
    pub kind: DocumentKind,
    pub year: i32,
    pub status: DocumentStatus,
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

/// A document as it is stored (valid, with its PDF and hash).
#[derive(Debug, Insertable)]
#[diesel(table_name = documents)]
pub struct NewDocument<'a> {
    pub serial: &'a str,
    pub kind: DocumentKind,
    pub year: i32,
    pub seq: i32,
    pub status: DocumentStatus,
    pub verify_token: &'a str,
    pub subject_key: &'a str,
    pub person_name: &'a str,
    pub post_label: &'a str,
    pub body_name: &'a str,
    pub term_label: &'a str,
    pub person_id: Option<i64>,
    pub appointment_id: Option<i64>,
    pub source_event_id: Option<&'a str>,
    pub data: String,
    pub pdf: &'a [u8],
    pub content_hash: &'a str,
    pub issued_at: NaiveDateTime,
    pub credential: Option<&'a str>,
}

/// What the mail worker needs of a document.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentMail {
    pub serial: String,
    pub kind: DocumentKind,
    pub person_name: String,
    pub verify_token: String,
    pub pdf: Vec<u8>,
    pub credential: Option<String>,
    pub issued_at: NaiveDateTime,
    /// The template data: a notice's name (`notice_label`) and calendar `invitation`.
    pub data: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub document_id: i64,
    pub recipient: String,
    pub message_id: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub sending_since: Option<NaiveDateTime>,
    pub queued_at: Option<NaiveDateTime>,
}

/// A delivery queued with its document.
#[derive(Debug, Insertable)]
#[diesel(table_name = deliveries)]
pub struct NewDelivery<'a> {
    pub document_id: i64,
    pub recipient: &'a str,
    pub message_id: String,
    pub status: DeliveryStatus,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub queued_at: Option<NaiveDateTime>,
}

/// A delivery after an attempt (its claim cleared), or queued again by hand.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = deliveries)]
pub struct DeliveryUpdate {
    pub status: Option<DeliveryStatus>,
    pub attempts: Option<i32>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub queued_at: Option<Option<NaiveDateTime>>,
    pub claimed_by: Option<Option<String>>,
    pub claimed_until: Option<Option<NaiveDateTime>>,
    pub sending_since: Option<Option<NaiveDateTime>>,
    pub last_error: Option<Option<String>>,
    pub sent_at: Option<Option<NaiveDateTime>>,
}

/// One attempt of a delivery, as listed with the document.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = delivery_attempts)]
pub struct AttemptRow {
    pub delivery_id: i64,
    pub at: NaiveDateTime,
    pub outcome: AttemptOutcome,
    pub detail: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = batches)]
pub struct BatchRow {
    pub id: i64,
    pub kind: DocumentKind,
    pub status: BatchStatus,
    pub send_mail: bool,
    pub reissue: bool,
    pub total: i32,
    pub issued: i32,
    pub existing: i32,
    pub failed: i32,
    pub requested_by: String,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = batches)]
pub struct NewBatch<'a> {
    pub kind: DocumentKind,
    pub status: BatchStatus,
    pub send_mail: bool,
    pub reissue: bool,
    pub total: i32,
    pub requested_by: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = batch_items)]
pub struct NewBatchItem {
    pub batch_id: i64,
    pub appointment_id: i64,
    pub facts: String,
    pub status: BatchItemStatus,
}

/// A pending item as the worker reads it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = batch_items)]
pub struct PendingItem {
    pub id: i64,
    pub batch_id: i64,
    pub appointment_id: i64,
    pub facts: String,
}

/// What became of an item.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = batch_items, treat_none_as_null = true)]
pub struct ItemOutcome {
    pub status: BatchItemStatus,
    pub document_id: Option<i64>,
    pub error: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = inbox_events)]
pub struct NewInboxEvent<'a> {
    pub event_id: &'a str,
    pub source: &'a str,
    pub kind: &'a str,
    pub payload: &'a str,
    pub occurred_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
    pub attempts: i32,
}

/// A received event as the worker handles it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inbox_events)]
pub struct InboxEvent {
    pub event_id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i32,
}

/// An event parked as a dead letter.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inbox_events)]
pub struct DeadLetter {
    pub id: i64,
    pub event_id: String,
    pub source: String,
    pub kind: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub received_at: NaiveDateTime,
    pub dead_at: Option<NaiveDateTime>,
}

/// An event after a failed attempt (its claim cleared), or replayed.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = inbox_events)]
pub struct InboxUpdate {
    pub processed_at: Option<Option<NaiveDateTime>>,
    pub attempts: Option<i32>,
    pub last_error: Option<Option<String>>,
    pub next_attempt_at: Option<Option<NaiveDateTime>>,
    pub dead_at: Option<Option<NaiveDateTime>>,
    pub claimed_by: Option<Option<String>>,
    pub claimed_until: Option<Option<NaiveDateTime>>,
}
