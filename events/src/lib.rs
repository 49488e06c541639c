//! The events between the suite's services, one definition for producer and consumer.
//!
//! An event travels as the outbox's envelope (`event_id`, `kind`, `source`, `occurred_at`,
//! `payload`). Each destination has one enum of the events it handles, tagged by `kind` with the
//! `payload` as content: [`ToDocuments`], [`ToMembers`], [`ToMeetings`]. The producer builds a
//! variant and writes [`Event::kind`] and [`Event::payload`]; the consumer calls
//! [`Event::parse`], which refuses an unknown kind or a payload that lacks a field or has one of
//! the wrong type, naming it, and never fills in a default for it. Fields a newer producer adds
//! are ignored, so producers can be upgraded first.
//!
//! The contract of these events (JSON Schema per kind) is generated from these types into
//! `openapi/events.json` (see [`schema`]).

mod facts;
pub mod numerals;
mod schema;
mod to_documents;
mod to_meetings;
mod to_members;
pub mod vocab;
mod vocabulary;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub use facts::{
    ActivityFacts, AppointmentFacts, CommendationFacts, InviteeFacts, NoticeOccasion, SignInFacts, SignInRow,
};
pub use schema::schema;
pub use to_documents::{CertificateIssue, CertificateRevoke, NoticeSend, TermEndReminder, ToDocuments};
pub use to_meetings::{BodyMembersChanged, ToMeetings};
pub use to_members::{
    CandidateResult, CountedAbsence, DismissalCaseOpen, DismissalCaseWithdraw, ElectionResults, Threshold, ToMembers,
};

/// Why an event cannot be handled: it will not change by trying again (the consumer parks it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventError {
    /// No handling for this kind at this destination.
    UnknownKind { kind: String, destination: &'static str },
    /// The payload does not match the kind's definition.
    InvalidPayload { kind: String, reason: String },
}

impl std::fmt::Display for EventError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownKind { kind, destination } => write!(f, "{destination} does not handle {kind} events"),
            Self::InvalidPayload { kind, reason } => write!(f, "the payload of this {kind} event is invalid: {reason}"),
        }
    }
}

impl std::error::Error for EventError {}

/// The events one destination handles.
pub trait Event: Serialize + DeserializeOwned {
    /// The destination's service name, as the outbox addresses it.
    const DESTINATION: &'static str;
    /// Every kind this destination handles.
    const KINDS: &'static [&'static str];

    /// The event's kind, e.g. `certificate.issue`.
    fn kind(&self) -> &'static str;

    /// The event's payload, as the outbox stores and sends it.
    fn payload(&self) -> Value {
        let mut tagged = serde_json::to_value(self).unwrap_or(Value::Null);
        tagged.get_mut("payload").map(Value::take).unwrap_or(Value::Null)
    }

    /// Reads an event received as `kind` with `payload`.
    fn parse(kind: &str, payload: &Value) -> Result<Self, EventError> {
        if !Self::KINDS.contains(&kind) {
            return Err(EventError::UnknownKind {
                kind: kind.to_owned(),
                destination: Self::DESTINATION,
            });
        }
        serde_json::from_value(json!({"kind": kind, "payload": payload})).map_err(|e| EventError::InvalidPayload {
            kind: kind.to_owned(),
            reason: e.to_string(),
        })
    }
}
