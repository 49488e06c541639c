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
    /// 请求格式有误（没有更具体代码的 400）。The request is malformed (a 400 with no more specific code).
    BadRequest = "bad_request",
    /// 正文不是有效的 JSON。The body is not valid JSON.
    MalformedJson = "malformed_json",
    /// 正文是 JSON（或表单），但不符合该操作的结构定义。The body is JSON (or a form) but does not fit the operation's schema.
    InvalidBody = "invalid_body",
    /// 正文未达到所声明的长度就结束了。The body ended before its announced length.
    IncompleteBody = "incomplete_body",
    /// 路径参数无法读取，或路径含点号段、编码后的分隔符。A path parameter cannot be read, or the path has dot segments or encoded separators.
    InvalidPath = "invalid_path",
    /// 查询参数无法读取或超出范围。A query parameter cannot be read or is out of its range.
    InvalidQuery = "invalid_query",
    /// 查询参数 `cursor` 不是本 API 返回过的值。The `cursor` query parameter is not one this API returned.
    InvalidCursor = "invalid_cursor",
    /// 查询参数 `limit` 超出范围。The `limit` query parameter is out of its range.
    InvalidLimit = "invalid_limit",
    /// `Idempotency-Key` 请求头不是有效的键。The `Idempotency-Key` header is not a valid key.
    InvalidIdempotencyKey = "invalid_idempotency_key",
    /// 正文超过该操作接受的大小。The body is larger than the operation accepts.
    PayloadTooLarge = "payload_too_large",
    /// 该操作不读取这种正文类型。The body's content type is not one the operation reads.
    UnsupportedMediaType = "unsupported_media_type",
    /// 无法以 `Accept` 请求头允许的类型应答。The response cannot be given in a type the `Accept` header allows.
    NotAcceptable = "not_acceptable",
    /// 请求（头部或正文）未按时到达；连接将关闭。The request (its head or body) did not arrive in time; the connection closes.
    RequestTimeout = "request_timeout",
    /// 没有与该方法和路径匹配的路由。No route matches the method and path.
    RouteNotFound = "route_not_found",
    /// 路径存在，但不接受该方法（见 `Allow`）。The path exists, but not with this method (see `Allow`).
    MethodNotAllowed = "method_not_allowed",
    /// 该客户端请求过多；见 `Retry-After`。Too many requests from this client; see `Retry-After`.
    RateLimited = "rate_limited",
    /// 经网关的同时请求过多；请稍后重试。Too many requests at once through the gateway; retry later.
    TooManyRequests = "too_many_requests",
    /// 没有更具体代码的错误状态。An error status with no more specific code.
    Error = "error",
    /// 一个或多个字段无效；见 `errors` 列表。One or more fields are invalid; `errors` lists them.
    ValidationFailed = "validation_failed",
    /// 记录不存在（或调用者无权知道它存在）。The record does not exist (or the caller may not know that it does).
    NotFound = "not_found",
    /// 请求与已有记录冲突（唯一性约束）。The request would conflict with an existing record (a unique constraint).
    Conflict = "conflict",
    /// 请求引用了不存在的记录（外键约束）。The request names a record that does not exist (a foreign-key constraint).
    ReferenceViolation = "reference_violation",
    /// 意外错误；原因见日志。An unexpected error; its cause is in the logs.
    Internal = "internal",
    /// 服务暂时无法处理请求（没有更具体代码的 503）。The service cannot serve the request now (a 503 with no more specific code).
    ServiceUnavailable = "service_unavailable",
    /// 数据库无法连接；请稍后重试。The database is not reachable; retry later.
    DatabaseUnavailable = "database_unavailable",
    /// 数据库繁忙；请重试该请求。The database is busy; retry the request.
    DatabaseBusy = "database_busy",
    /// 本请求需要的本系统另一服务无法连接。Another service of the suite this request needs is not reachable.
    PeerUnavailable = "peer_unavailable",
    /// 文字中含有文书字体无法打印的字符。A text holds characters the documents' fonts cannot print.
    UnprintableCharacters = "unprintable_characters",

    // ----- the kit: authentication and authorisation
    /// 需要身份认证（没有更具体代码的 401）。Authentication is required (a 401 with no more specific code).
    Unauthorized = "unauthorized",
    /// 未发送令牌，或 `Authorization` 请求头不是 `Bearer <token>`。No bearer token was sent, or the `Authorization` header is not `Bearer <token>`.
    TokenMissing = "token_missing",
    /// 令牌无法验证（签名、签发方、受众、尚未生效等）。The token cannot be verified (signature, issuer, audience, not valid yet, …).
    TokenInvalid = "token_invalid",
    /// 令牌已过期；请重新取令牌。The token has expired; get a new one.
    TokenExpired = "token_expired",
    /// 令牌已被吊销（其账号或接入系统被停用或修改）。The token was revoked (its account or client was disabled or changed).
    TokenRevoked = "token_revoked",
    /// 调用者的角色或范围不允许对该记录执行此操作。The caller's role or scope does not allow this operation on this record.
    Forbidden = "forbidden",

    // ----- events between services
    /// 接收方不认识的事件类型（转为死信）。An event of a kind the receiver does not know (parked as a dead letter).
    UnknownEvent = "unknown_event",
    /// 事件内容与其类型不符（转为死信）。An event whose payload does not fit its kind (parked as a dead letter).
    InvalidEvent = "invalid_event",
    /// 该事件不是死信；只有死信可以重放。The event is not a dead letter; only those can be replayed.
    EventNotFailed = "event_not_failed",

    // ----- the gateway
    /// `grant_type` 既不是 `password` 也不是 `client_credentials`。The grant type is neither `password` nor `client_credentials`.
    UnsupportedGrantType = "unsupported_grant_type",
    /// 缺少该方式所需的字段。A field the grant needs is missing.
    InvalidRequest = "invalid_request",
    /// 用户名或密码不对。Wrong user name or password.
    InvalidCredentials = "invalid_credentials",
    /// `client_id` 或密钥不对。Wrong client id or secret.
    InvalidClient = "invalid_client",
    /// 账号已停用。The account is disabled.
    AccountDisabled = "account_disabled",
    /// 接入系统已停用。The client is disabled.
    ClientDisabled = "client_disabled",
    /// 授权范围不是接入系统可有的范围，或未授予该接入系统；或账号的范围与角色不符。A scope that is not one of the client scopes, or not granted to this client.
    InvalidScope = "invalid_scope",
    /// 网关不认识的授权范围。A scope the gateway does not know.
    UnknownScope = "unknown_scope",
    /// 用户名已被占用。The user name is taken.
    UsernameTaken = "username_taken",
    /// 此修改将使系统不再有启用的管理员账号。The change would leave no enabled admin account.
    LastAdmin = "last_admin",
    /// 用户名不是 3–64 个字母、数字或 `.`、`_`、`@`、`-`。A user name that is not 3–64 characters of letters, digits, `.`, `_`, `@`, `-`.
    InvalidUsername = "invalid_username",
    /// 密码不是 10–256 个字符。A password that is not 10–256 characters.
    WeakPassword = "weak_password",
    /// 显示姓名不是 1–100 个可打印字符。A display name that is not 1–100 printable characters.
    InvalidDisplayName = "invalid_display_name",
    /// 角色不是账号可有的角色之一。A role that is not one of the account roles.
    InvalidRole = "invalid_role",
    /// 名称不是 1–100 个字符。A name that is not 1–100 characters.
    InvalidName = "invalid_name",
    /// 网关后面的服务未按时应答。The service behind the gateway did not answer in time.
    UpstreamTimeout = "upstream_timeout",
    /// 网关后面的服务无法连接。The service behind the gateway is not reachable.
    UpstreamUnavailable = "upstream_unavailable",
    /// 网关后面的服务给出了网关无法转交的应答。The service behind the gateway gave an answer the gateway cannot pass on.
    BadGateway = "bad_gateway",
    /// 网关自身的时限已到。The gateway's own time limit ran out.
    GatewayTimeout = "gateway_timeout",

    // ----- field errors: generic
    /// 必填字段缺失或为空。The field is required and missing or empty.
    Required = "required",
    /// 文字超过该字段允许的长度。The text is longer than the field allows.
    TooLong = "too_long",
    /// 列表或数值超过该字段允许的大小。The list or number is larger than the field allows.
    TooLarge = "too_large",
    /// 列表条目超过该字段允许的数量。The list has more entries than the field allows.
    TooMany = "too_many",
    /// 值（文件、列表）为空。The value (a file, a list) is empty.
    Empty = "empty",
    /// 该值对此字段无效。The value is not valid for the field.
    Invalid = "invalid",
    /// 值的 JSON 类型不对。The value has the wrong JSON type.
    InvalidType = "invalid_type",
    /// 数值超出该字段的范围。The number is outside the field's range.
    OutOfRange = "out_of_range",
    /// 这些字段须恰好给出其中一个。Exactly one of these fields must be given.
    OneOf = "one_of",
    /// 该值在列表中出现了两次。The value appears twice in the list.
    Duplicate = "duplicate",
    /// 数值不能为负。The number must not be negative.
    Negative = "negative",
    /// 文字中含有控制字符。The text holds control characters.
    InvalidCharacters = "invalid_characters",
    /// 不是电子邮件地址。Not an e-mail address.
    InvalidEmail = "invalid_email",
    /// 不是电话号码。Not a telephone number.
    InvalidPhone = "invalid_phone",
    /// 不是日期（`YYYY-MM-DD`），或日期超出范围。Not a date (`YYYY-MM-DD`), or a date out of range.
    InvalidDate = "invalid_date",
    /// 不是时刻（`HH:MM`）。Not a time of day (`HH:MM`).
    InvalidTime = "invalid_time",
    /// 不是 RFC 3339 时间戳。Not an RFC 3339 timestamp.
    InvalidTimestamp = "invalid_timestamp",
    /// 不是 2000 至 2100 之间的年份。Not a year between 2000 and 2100.
    InvalidYear = "invalid_year",
    /// 不是有效的 base64。Not valid base64.
    InvalidBase64 = "invalid_base64",
    /// 格式既不是 `csv` 也不是 `xlsx`。The format is neither `csv` nor `xlsx`.
    InvalidFormat = "invalid_format",
    /// 事件编号不是 UUID。An event id that is not a UUID.
    InvalidEventId = "invalid_event_id",
    /// 事件来源不是 1–100 个 a-z、0-9、`.`、`_`、`-` 字符。An event source that is not 1–100 characters of a-z, 0-9, `.`, `_`, `-`.
    InvalidSource = "invalid_source",
    /// 事件类型不是 1–100 个 a-z、0-9、`.`、`_`、`-` 字符。An event kind that is not 1–100 characters of a-z, 0-9, `.`, `_`, `-`.
    InvalidKind = "invalid_kind",

    // ----- members: people, units, import
    /// 没有这个人员。No such person.
    UnknownPerson = "unknown_person",
    /// 没有这个单位。No such unit.
    UnknownUnit = "unknown_unit",
    /// 已有同名单位。A unit with this name exists.
    UnitNameTaken = "unit_name_taken",
    /// 已有同名机构。A body with this name exists.
    BodyNameTaken = "body_name_taken",
    /// 该人员不属于请求所指的单位。The person is not of the unit the request names.
    NotOfUnit = "not_of_unit",
    /// 单位类型不是规定的单位类型之一。A unit kind that is not one of the unit kinds.
    InvalidUnitKind = "invalid_unit_kind",
    /// 职称级别不是规定的职称级别之一。A title level that is not one of the title levels.
    InvalidTitleLevel = "invalid_title_level",
    /// 导入内容有问题，未导入任何数据（`errors` 按行列出）。The import has problems; nothing was imported (`errors` lists them by line).
    ImportInvalid = "import_invalid",
    /// 文件无法按 CSV 读取。The file cannot be read as CSV.
    UnreadableCsv = "unreadable_csv",
    /// 表头缺少必需的列。The header lacks a required column.
    MissingColumn = "missing_column",
    /// 文件中有一行无法读取。A line of the file cannot be read.
    UnreadableRow = "unreadable_row",
    /// 同一人员在文件中出现了两次。The same person appears twice in the file.
    DuplicateRow = "duplicate_row",
    /// 该单位已存在，但单位类型不同。The unit exists with another kind.
    UnitKindMismatch = "unit_kind_mismatch",
    /// 该人员在该单位中已存在。The person exists already in that unit.
    PersonExists = "person_exists",

    // ----- members: terms and posts
    /// 届期的结束早于开始。The term ends before it starts.
    EndBeforeStart = "end_before_start",
    /// 届次不是该机构的下一届。The term's number is not the next one of its body.
    WrongTermNumber = "wrong_term_number",
    /// 该届期与本机构的另一届期重叠。The term overlaps another term of its body.
    TermOverlap = "term_overlap",
    /// 专家委员会随理事会届期；请改为开设理事会的新一届。The expert committee serves on the council's terms; open a council term instead.
    FollowsCouncilTerms = "follows_council_terms",
    /// 该届期属于另一机构。The term belongs to another body.
    TermOfAnotherBody = "term_of_another_body",
    /// 这类机构没有该职务。The post does not exist in this kind of body.
    PostNotInBody = "post_not_in_body",
    /// 聘任将超出其届期。The appointment would fall outside its term.
    OutsideTerm = "outside_term",
    /// R1：该单人职务已有人担任。R1: the single-holder post is filled.
    PostOccupied = "post_occupied",
    /// 该人员已在本机构担任有效职务。The person already holds an active post in this body.
    AlreadyHoldsPost = "already_holds_post",

    // ----- members: appointments
    /// 聘任不在有效状态（已届满、已结束或已解聘）。The appointment is not active (it lapsed, ended or was dismissed).
    AppointmentNotActive = "appointment_not_active",
    /// R5：聘任所处状态不能续聘。R5: the appointment is in a state that cannot be renewed.
    NotRenewable = "not_renewable",
    /// R5：该聘任已续聘。R5: the appointment has already been renewed.
    AlreadyRenewed = "already_renewed",
    /// R5：本机构的下一届尚未开设。R5: the body's next term is not open yet.
    NoNextTerm = "no_next_term",
    /// R5：续聘须进入下一届，而非本届。R5: a renewal goes into the next term, not this one.
    NotTheNextTerm = "not_the_next_term",
    /// 已有一份未结的辞聘申请。A resignation request is already open.
    ResignationOpen = "resignation_open",
    /// 没有未结的辞聘申请。There is no open resignation request.
    NoOpenResignation = "no_open_resignation",
    /// 解聘案已结案。The dismissal case is closed.
    CaseClosed = "case_closed",
    /// R15：考核年度内该聘任不在有效状态。R15: the appointment was not active in the year assessed.
    NotAssessable = "not_assessable",

    // ----- members: nominations and applications
    /// R9：候选人不符合条件，而推荐未说明例外理由。R9: the candidate is not eligible and the nomination states no exception.
    EligibilityExceptionRequired = "eligibility_exception_required",
    /// R9：候选人不符合条件，因此该字段必填。R9: the field is required because the candidate is not eligible.
    RequiredByR9 = "required_by_r9",
    /// R9：资格例外未被接受。R9: the eligibility exception was not accepted.
    ExceptionNotAccepted = "exception_not_accepted",
    /// 该职务不经推荐产生。The post is not filled by nomination.
    NotANominatedPost = "not_a_nominated_post",
    /// 推荐已截止。The nomination is closed.
    NominationClosed = "nomination_closed",
    /// 该职务经推荐产生，不经申请。The post is filled by nomination, not by application.
    NotAnApplicationPost = "not_an_application_post",
    /// 只有理事单位可以申请该职务。Only council-member units may apply for this post.
    NotACouncilMemberUnit = "not_a_council_member_unit",
    /// R7：申请在当前状态下不能执行此操作。R7: the application cannot take this action in its state.
    IllegalTransition = "illegal_transition",
    /// R10：票数不可能（多于投票人数、超出范围等）。R10: the votes are impossible (more than the voters, out of range, …).
    ImpossibleVotes = "impossible_votes",

    // ----- meetings
    /// 活动已取消。The activity is cancelled.
    ActivityCancelled = "activity_cancelled",
    /// 活动尚未举行。The activity has not been held yet.
    ActivityNotHeldYet = "activity_not_held_yet",
    /// 活动已登记出勤，日期不能再改。Attendance is recorded for the activity; its date can no longer change.
    AttendanceRecorded = "attendance_recorded",
    /// 活动已举行、已过期或已取消，邀请名单保持不变。The activity is held, past or cancelled: its invitees stay as they were.
    InviteesFrozen = "invitees_frozen",
    /// 记录已被他人修改；请重试。The record changed meanwhile; retry.
    ConcurrentUpdate = "concurrent_update",
    /// 回执截止日期晚于活动日期。The reply-by date is after the activity.
    AfterActivity = "after_activity",
    /// 记录已存在（如某机构某年度的工作报告）。The record exists already (e.g. a body's work report for a year).
    AlreadyExists = "already_exists",
    /// R18：请假缺席须说明事由。R18: an excused absence needs its reason.
    R18ExcuseReasonRequired = "r18_excuse_reason_required",
    /// R18：只有请假缺席才填写事由。R18: a reason is given only for an excused absence.
    R18ReasonOnlyForExcused = "r18_reason_only_for_excused",
    /// R18：更正已登记的出勤须说明理由。R18: a correction of recorded attendance needs its reason.
    R18CorrectionReasonRequired = "r18_correction_reason_required",
    /// R19：该议程项只属于全体会议。R19: the agenda item belongs to a plenary meeting only.
    R19PlenaryAgendaItem = "r19_plenary_agenda_item",
    /// R19：议程项的附件与其类型不符。R19: the agenda item's attachment does not fit its kind.
    R19AttachmentMismatch = "r19_attachment_mismatch",
    /// R19：该议程项需要附带文件。R19: the agenda item needs its document.
    R19DocumentMissing = "r19_document_missing",
    /// R19：只有全体会议才登记选举。R19: elections are recorded for plenary meetings only.
    NotAPlenary = "not_a_plenary",
    /// R19：议程中没有选举项。R19: the agenda has no election item.
    NoElectionOnAgenda = "no_election_on_agenda",
    /// 选举结果已登记，只登记一次。The election results are recorded already; they are recorded once.
    ElectionResultsRecorded = "election_results_recorded",
    /// 该活动的选举结果尚未登记。The election results of the activity are not recorded.
    ElectionResultsNotRecorded = "election_results_not_recorded",
    /// 选举须至少有一名投票人出席。An election needs at least one voter present.
    NoVoters = "no_voters",
    /// 票数门槛不是 0 与 1 之间的分数（0 < 分子 < 分母）。The threshold is not a fraction between 0 and 1 (0 < numerator < denominator).
    InvalidThreshold = "invalid_threshold",
    /// R10：某候选人的赞成、反对与弃权票之和超过出席投票人数。R10: a candidate's for, against and abstentions exceed the voters present.
    MoreVotesThanVoters = "more_votes_than_voters",

    // ----- documents
    /// 字体无法打印部分字符，文书未签发。The fonts cannot print some characters, so the document was not issued.
    MissingGlyphs = "missing_glyphs",
    /// 模板无法生成。The template could not be rendered.
    RenderFailed = "render_failed",
    /// 名单上将没有任何人。The roster would list no one.
    EmptyRoster = "empty_roster",
    /// 该批次未列出任何聘任。The batch names no appointment.
    NoAppointments = "no_appointments",
    /// 该批次中有的聘任不存在。Some appointments of the batch do not exist.
    AppointmentsNotFound = "appointments_not_found",
    /// 该批次中有的聘任不在有效状态。Some appointments of the batch are not active.
    AppointmentsNotActive = "appointments_not_active",
    /// 该投递并未失败；只有失败的投递可以重试。The delivery has not failed; only failed deliveries can be retried.
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
            "错误代码：稳定，供程序判断（依 `code` 分支，不要依 `detail` 的文字）。各代码及其含义：\n\n\
             Stable machine-readable code; clients branch on this, never on `detail`. \
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
