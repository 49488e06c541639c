//! `GET /labels`: the Chinese label of every enum value, so clients show Chinese without
//! hard-coding it.
//!
//! Generated from each enum's own `ALL`, `as_str` and `label_zh`. The enums of meetings- and
//! documents-service are in `alliance_events::vocab` (this service cannot depend on those
//! services), the roles in the kit. `openapi/tests/labels.rs` fails when an enum of the
//! contract has no entry here.

use std::collections::BTreeMap;

use actix_web::HttpResponse;
use alliance_events::vocab::{
    ActivityKind, ActivityStatus, AgendaItemKind, AnnualDocumentKind, AttemptOutcome, AttendanceStatus,
    BatchItemStatus, BatchStatus, DeliveryStatus, DocumentKind, DocumentStatus, ReplyAnswer,
};
use service_kit::{Caller, Role};

use crate::domain::applications::{ApplicationAction, ApplicationStatus, NominationStatus};
use crate::domain::appointments::{
    AppointmentSource, AppointmentStatus, DismissalCaseStatus, DismissalGround, ResignationStatus,
};
use crate::domain::assessments::AssessmentResult;
use crate::domain::audit::AuditAction;
use crate::domain::bodies::BodyKind;
use crate::domain::eligibility::EligibilityIssue;
use crate::domain::hanzi::NameOrder;
use crate::domain::people::{TitleLevel, UnitKind};
use crate::domain::posts::{Cardinality, FillRoute, Post};

pub type Labels = BTreeMap<&'static str, BTreeMap<&'static str, &'static str>>;

/// `name => Enum`: the enum's values with their labels, under `name`.
macro_rules! labels {
    ($($name:literal => $enum:ty),+ $(,)?) => {{
        let mut m: Labels = BTreeMap::new();
        $(
            let values = <$enum>::ALL.iter().map(|v| (v.as_str(), v.label_zh())).collect();
            assert!(m.insert($name, values).is_none(), "{} is labelled twice", $name);
        )+
        m
    }};
}

pub fn all() -> Labels {
    labels! {
        // members-service
        "body_kind" => BodyKind,
        "post" => Post,
        "cardinality" => Cardinality,
        "fill_route" => FillRoute,
        "unit_kind" => UnitKind,
        "title_level" => TitleLevel,
        "appointment_status" => AppointmentStatus,
        "appointment_source" => AppointmentSource,
        "audit_action" => AuditAction,
        "resignation_status" => ResignationStatus,
        "dismissal_case_status" => DismissalCaseStatus,
        "nomination_status" => NominationStatus,
        "application_status" => ApplicationStatus,
        "application_action" => ApplicationAction,
        "assessment_result" => AssessmentResult,
        "dismissal_ground" => DismissalGround,
        "eligibility_issue" => EligibilityIssue,
        "name_order" => NameOrder,
        // the kit (accounts have all roles but `service`)
        "role" => Role,
        // meetings-service
        "activity_kind" => ActivityKind,
        "activity_status" => ActivityStatus,
        "annual_document_kind" => AnnualDocumentKind,
        "agenda_item_kind" => AgendaItemKind,
        "attendance_status" => AttendanceStatus,
        "reply_answer" => ReplyAnswer,
        // documents-service
        "document_kind" => DocumentKind,
        "delivery_status" => DeliveryStatus,
        "document_status" => DocumentStatus,
        "batch_status" => BatchStatus,
        "batch_item_status" => BatchItemStatus,
        "attempt_outcome" => AttemptOutcome,
    }
}

/// 中文标签 · Chinese labels of every enum value.
///
/// 按枚举名列出本系统每个枚举值的中文名称（如 post 的 chair 为 理事长，title_level 的 senior 为 正高级），
/// 包括会议服务和文件服务的枚举，客户端据此显示中文而不必写死。结果可缓存一小时。
///
/// Chinese labels of every enum value, by enum name.
#[utoipa::path(get, path = "/api/v1/members/labels", tag = "labels",
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses((status = 200, description = "枚举名 → 枚举值 → 中文 · enum name → value → 中文", body = Object,
        example = json!({"post": {"chair": "理事长", "council_member": "理事"}, "title_level": {"senior": "正高级"}}))))]
pub async fn get(_caller: Caller) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "public, max-age=3600"))
        .json(all())
}
