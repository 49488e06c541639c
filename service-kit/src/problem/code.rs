//! Every machine code a problem (or one of its field errors) can carry, defined once.
//!
//! The wire string of each code is written beside its variant; clients and tests match on it,
//! so a string never changes once released. The contract's `Code` schema lists them all, with
//! these descriptions.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

macro_rules! codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $wire:literal, )+) => {
        /// A stable machine code of a problem or of a field error.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl Code {
            /// Every code, in the order of their definition.
            pub const ALL: &[Code] = &[$(Code::$variant),+];

            /// The code on the wire, e.g. `activity_cancelled`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $wire,)+
                }
            }

            /// What the code means (its doc comment).
            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!($($doc),+).trim_ascii(),)+
                }
            }
        }
    };
}

codes! {
    // ----- the kit: requests, bodies, queries
    /// The request is malformed (a 400 with no more specific code).
    BadRequest = "bad_request",
    /// The body is not valid JSON.
    MalformedJson = "malformed_json",
    /// The body is JSON (or a form) but does not fit the operation's schema.
    InvalidBody = "invalid_body",
    /// The body ended before its announced length.
    IncompleteBody = "incomplete_body",
    /// A path parameter cannot be read, or the path has dot segments or encoded separators.
    InvalidPath = "invalid_path",
    /// A query parameter cannot be read or is out of its range.
    InvalidQuery = "invalid_query",
    /// The `cursor` query parameter is not one this API returned.
    InvalidCursor = "invalid_cursor",
    /// The `limit` query parameter is out of its range.
    InvalidLimit = "invalid_limit",
    /// The `Idempotency-Key` header is not a valid key.
    InvalidIdempotencyKey = "invalid_idempotency_key",
    /// The body is larger than the operation accepts.
    PayloadTooLarge = "payload_too_large",
    /// The body's content type is not one the operation reads.
    UnsupportedMediaType = "unsupported_media_type",
    /// The response cannot be given in a type the `Accept` header allows.
    NotAcceptable = "not_acceptable",
    /// The request (its head or body) did not arrive in time; the connection closes.
    RequestTimeout = "request_timeout",
    /// No route matches the method and path.
    RouteNotFound = "route_not_found",
    /// The path exists, but not with this method (see `Allow`).
    MethodNotAllowed = "method_not_allowed",
    /// Too many requests from this client; see `Retry-After`.
    RateLimited = "rate_limited",
    /// Too many requests at once through the gateway; retry later.
    TooManyRequests = "too_many_requests",
    /// An error status with no more specific code.
    Error = "error",
    /// One or more fields are invalid; `errors` lists them.
    ValidationFailed = "validation_failed",
    /// The record does not exist (or the caller may not know that it does).
    NotFound = "not_found",
    /// The request would conflict with an existing record (a unique constraint).
    Conflict = "conflict",
    /// The request names a record that does not exist (a foreign-key constraint).
    ReferenceViolation = "reference_violation",
    /// An unexpected error; its cause is in the logs.
    Internal = "internal",
    /// The service cannot serve the request now (a 503 with no more specific code).
    ServiceUnavailable = "service_unavailable",
    /// The database is not reachable; retry later.
    DatabaseUnavailable = "database_unavailable",
    /// The database is busy; retry the request.
    DatabaseBusy = "database_busy",
    /// Another service of the suite this request needs is not reachable.
    PeerUnavailable = "peer_unavailable",
    /// A text holds characters the documents' fonts cannot print.
    UnprintableCharacters = "unprintable_characters",

    // ----- the kit: authentication and authorisation
    /// Authentication is required (a 401 with no more specific code).
    Unauthorized = "unauthorized",
    /// No bearer token was sent, or the `Authorization` header is not `Bearer <token>`.
    TokenMissing = "token_missing",
    /// The token cannot be verified (signature, issuer, audience, not valid yet, …).
    TokenInvalid = "token_invalid",
    /// The token has expired; get a new one.
    TokenExpired = "token_expired",
    /// The token was revoked (its account or client was disabled or changed).
    TokenRevoked = "token_revoked",
    /// The caller's role or scope does not allow this operation on this record.
    Forbidden = "forbidden",

    // ----- events between services
    /// An event of a kind the receiver does not know (parked as a dead letter).
    UnknownEvent = "unknown_event",
    /// An event whose payload does not fit its kind (parked as a dead letter).
    InvalidEvent = "invalid_event",
    /// The event is not a dead letter; only those can be replayed.
    EventNotFailed = "event_not_failed",

    // ----- the gateway
    /// The grant type is neither `password` nor `client_credentials`.
    UnsupportedGrantType = "unsupported_grant_type",
    /// A field the grant needs is missing.
    InvalidRequest = "invalid_request",
    /// Wrong user name or password.
    InvalidCredentials = "invalid_credentials",
    /// Wrong client id or secret.
    InvalidClient = "invalid_client",
    /// The account is disabled.
    AccountDisabled = "account_disabled",
    /// The client is disabled.
    ClientDisabled = "client_disabled",
    /// A scope that is not one of the client scopes, or not granted to this client.
    InvalidScope = "invalid_scope",
    /// A scope the gateway does not know.
    UnknownScope = "unknown_scope",
    /// The user name is taken.
    UsernameTaken = "username_taken",
    /// The change would leave no enabled admin account.
    LastAdmin = "last_admin",
    /// A user name that is not 3–64 characters of letters, digits, `.`, `_`, `@`, `-`.
    InvalidUsername = "invalid_username",
    /// A password that is not 10–256 characters.
    WeakPassword = "weak_password",
    /// A display name that is not 1–100 printable characters.
    InvalidDisplayName = "invalid_display_name",
    /// A role that is not one of the account roles.
    InvalidRole = "invalid_role",
    /// A name that is not 1–100 characters.
    InvalidName = "invalid_name",
    /// The service behind the gateway did not answer in time.
    UpstreamTimeout = "upstream_timeout",
    /// The service behind the gateway is not reachable.
    UpstreamUnavailable = "upstream_unavailable",
    /// The service behind the gateway gave an answer the gateway cannot pass on.
    BadGateway = "bad_gateway",
    /// The gateway's own time limit ran out.
    GatewayTimeout = "gateway_timeout",

    // ----- field errors: generic
    /// The field is required and missing or empty.
    Required = "required",
    /// The text is longer than the field allows.
    TooLong = "too_long",
    /// The list or number is larger than the field allows.
    TooLarge = "too_large",
    /// The list has more entries than the field allows.
    TooMany = "too_many",
    /// The value (a file, a list) is empty.
    Empty = "empty",
    /// The value is not valid for the field.
    Invalid = "invalid",
    /// The value has the wrong JSON type.
    InvalidType = "invalid_type",
    /// The number is outside the field's range.
    OutOfRange = "out_of_range",
    /// Exactly one of these fields must be given.
    OneOf = "one_of",
    /// The value appears twice in the list.
    Duplicate = "duplicate",
    /// The number must not be negative.
    Negative = "negative",
    /// The text holds control characters.
    InvalidCharacters = "invalid_characters",
    /// Not an e-mail address.
    InvalidEmail = "invalid_email",
    /// Not a telephone number.
    InvalidPhone = "invalid_phone",
    /// Not a date (`YYYY-MM-DD`), or a date out of range.
    InvalidDate = "invalid_date",
    /// Not a time of day (`HH:MM`).
    InvalidTime = "invalid_time",
    /// Not an RFC 3339 timestamp.
    InvalidTimestamp = "invalid_timestamp",
    /// Not a year between 2000 and 2100.
    InvalidYear = "invalid_year",
    /// Not valid base64.
    InvalidBase64 = "invalid_base64",
    /// The format is neither `csv` nor `xlsx`.
    InvalidFormat = "invalid_format",
    /// An event id that is not a UUID.
    InvalidEventId = "invalid_event_id",
    /// An event source that is not 1–100 characters of a-z, 0-9, `.`, `_`, `-`.
    InvalidSource = "invalid_source",
    /// An event kind that is not 1–100 characters of a-z, 0-9, `.`, `_`, `-`.
    InvalidKind = "invalid_kind",

    // ----- members: people, units, import
    /// No such person.
    UnknownPerson = "unknown_person",
    /// No such unit.
    UnknownUnit = "unknown_unit",
    /// A unit with this name exists.
    UnitNameTaken = "unit_name_taken",
    /// A body with this name exists.
    BodyNameTaken = "body_name_taken",
    /// The person is not of the unit the request names.
    NotOfUnit = "not_of_unit",
    /// A unit kind that is not one of the unit kinds.
    InvalidUnitKind = "invalid_unit_kind",
    /// A title level that is not one of the title levels.
    InvalidTitleLevel = "invalid_title_level",
    /// The import has problems; nothing was imported (`errors` lists them by line).
    ImportInvalid = "import_invalid",
    /// The file cannot be read as CSV.
    UnreadableCsv = "unreadable_csv",
    /// The header lacks a required column.
    MissingColumn = "missing_column",
    /// A line of the file cannot be read.
    UnreadableRow = "unreadable_row",
    /// The same person appears twice in the file.
    DuplicateRow = "duplicate_row",
    /// The unit exists with another kind.
    UnitKindMismatch = "unit_kind_mismatch",
    /// The person exists already in that unit.
    PersonExists = "person_exists",

    // ----- members: terms and posts
    /// The term ends before it starts.
    EndBeforeStart = "end_before_start",
    /// The term's number is not the next one of its body.
    WrongTermNumber = "wrong_term_number",
    /// The term overlaps another term of its body.
    TermOverlap = "term_overlap",
    /// The expert committee serves on the council's terms; open a council term instead.
    FollowsCouncilTerms = "follows_council_terms",
    /// The term belongs to another body.
    TermOfAnotherBody = "term_of_another_body",
    /// The post does not exist in this kind of body.
    PostNotInBody = "post_not_in_body",
    /// The appointment would fall outside its term.
    OutsideTerm = "outside_term",
    /// R1: the single-holder post is filled.
    PostOccupied = "post_occupied",
    /// The person already holds an active post in this body.
    AlreadyHoldsPost = "already_holds_post",

    // ----- members: appointments
    /// The appointment is not active (it lapsed, ended or was dismissed).
    AppointmentNotActive = "appointment_not_active",
    /// R5: the appointment is in a state that cannot be renewed.
    NotRenewable = "not_renewable",
    /// R5: the appointment has already been renewed.
    AlreadyRenewed = "already_renewed",
    /// R5: the body's next term is not open yet.
    NoNextTerm = "no_next_term",
    /// R5: a renewal goes into the next term, not this one.
    NotTheNextTerm = "not_the_next_term",
    /// A resignation request is already open.
    ResignationOpen = "resignation_open",
    /// There is no open resignation request.
    NoOpenResignation = "no_open_resignation",
    /// The dismissal case is closed.
    CaseClosed = "case_closed",
    /// R15: the appointment was not active in the year assessed.
    NotAssessable = "not_assessable",

    // ----- members: nominations and applications
    /// R9: the candidate is not eligible and the nomination states no exception.
    EligibilityExceptionRequired = "eligibility_exception_required",
    /// R9: the field is required because the candidate is not eligible.
    RequiredByR9 = "required_by_r9",
    /// R9: the eligibility exception was not accepted.
    ExceptionNotAccepted = "exception_not_accepted",
    /// The post is not filled by nomination.
    NotANominatedPost = "not_a_nominated_post",
    /// The nomination is closed.
    NominationClosed = "nomination_closed",
    /// The post is filled by nomination, not by application.
    NotAnApplicationPost = "not_an_application_post",
    /// Only council-member units may apply for this post.
    NotACouncilMemberUnit = "not_a_council_member_unit",
    /// R7: the application cannot take this action in its state.
    IllegalTransition = "illegal_transition",
    /// R10: the votes are impossible (more than the voters, out of range, …).
    ImpossibleVotes = "impossible_votes",

    // ----- meetings
    /// The activity is cancelled.
    ActivityCancelled = "activity_cancelled",
    /// The activity has not been held yet.
    ActivityNotHeldYet = "activity_not_held_yet",
    /// Attendance is recorded for the activity; its date can no longer change.
    AttendanceRecorded = "attendance_recorded",
    /// The activity is held, past or cancelled: its invitees stay as they were.
    InviteesFrozen = "invitees_frozen",
    /// The record changed meanwhile; retry.
    ConcurrentUpdate = "concurrent_update",
    /// The reply-by date is after the activity.
    AfterActivity = "after_activity",
    /// The record exists already (e.g. a body's work report for a year).
    AlreadyExists = "already_exists",
    /// R18: an excused absence needs its reason.
    R18ExcuseReasonRequired = "r18_excuse_reason_required",
    /// R18: a reason is given only for an excused absence.
    R18ReasonOnlyForExcused = "r18_reason_only_for_excused",
    /// R18: a correction of recorded attendance needs its reason.
    R18CorrectionReasonRequired = "r18_correction_reason_required",
    /// R19: the agenda item belongs to a plenary meeting only.
    R19PlenaryAgendaItem = "r19_plenary_agenda_item",
    /// R19: the agenda item's attachment does not fit its kind.
    R19AttachmentMismatch = "r19_attachment_mismatch",
    /// R19: the agenda item needs its document.
    R19DocumentMissing = "r19_document_missing",
    /// R19: elections are recorded for plenary meetings only.
    NotAPlenary = "not_a_plenary",
    /// R19: the agenda has no election item.
    NoElectionOnAgenda = "no_election_on_agenda",
    /// The election results are recorded already; they are recorded once.
    ElectionResultsRecorded = "election_results_recorded",
    /// The election results of the activity are not recorded.
    ElectionResultsNotRecorded = "election_results_not_recorded",
    /// An election needs at least one voter present.
    NoVoters = "no_voters",
    /// The threshold is not a fraction between 0 and 1 (0 < numerator < denominator).
    InvalidThreshold = "invalid_threshold",
    /// R10: a candidate's for, against and abstentions exceed the voters present.
    MoreVotesThanVoters = "more_votes_than_voters",

    // ----- documents
    /// The fonts cannot print some characters, so the document was not issued.
    MissingGlyphs = "missing_glyphs",
    /// The template could not be rendered.
    RenderFailed = "render_failed",
    /// The roster would list no one.
    EmptyRoster = "empty_roster",
    /// The batch names no appointment.
    NoAppointments = "no_appointments",
    /// Some appointments of the batch do not exist.
    AppointmentsNotFound = "appointments_not_found",
    /// Some appointments of the batch are not active.
    AppointmentsNotActive = "appointments_not_active",
    /// The delivery has not failed; only failed deliveries can be retried.
    DeliveryNotFailed = "delivery_not_failed",
}

impl Code {
    /// The code with this wire string.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Code::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown problem code {s:?}")))
    }
}

impl PartialSchema for Code {
    fn schema() -> RefOr<Schema> {
        let mut description = String::from(
            "Stable machine-readable code; clients branch on this, never on `detail`. \
             The codes and what they mean:\n",
        );
        for c in Code::ALL {
            description.push_str(&format!("\n- `{}`: {}", c.as_str(), c.description()));
        }
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .enum_values(Some(Code::ALL.iter().map(|c| c.as_str())))
            .description(Some(description))
            .into()
    }
}

impl ToSchema for Code {}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn wire_strings_are_unique_snake_case_and_described() {
        let mut seen = BTreeSet::new();
        for c in Code::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s:?} is the wire string of two codes");
            assert!(
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{s:?} is not snake_case"
            );
            assert!(!c.description().is_empty(), "{s:?} has no description");
            assert_eq!(Code::parse(s), Some(*c));
        }
        assert_eq!(seen.len(), Code::ALL.len());
    }

    #[test]
    fn codes_go_on_the_wire_as_their_strings() {
        let json = serde_json::to_string(&Code::ActivityCancelled).unwrap_or_default();
        assert_eq!(json, r#""activity_cancelled""#);
        let back: Result<Code, _> = serde_json::from_str(r#""r19_document_missing""#);
        assert_eq!(back.ok(), Some(Code::R19DocumentMissing));
        assert!(serde_json::from_str::<Code>(r#""no_such_code""#).is_err());
    }
}
