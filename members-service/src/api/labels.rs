//! `GET /labels`: the Chinese label of every enum value, so clients show Chinese without
//! hard-coding it.

use std::collections::BTreeMap;

use actix_web::HttpResponse;
use service_kit::Caller;

use crate::domain::applications::ApplicationStatus;
use crate::domain::appointments::{AppointmentStatus, DismissalGround};
use crate::domain::assessments::AssessmentResult;
use crate::domain::bodies::BodyKind;
use crate::domain::eligibility::EligibilityIssue;
use crate::domain::people::{TitleLevel, UnitKind};
use crate::domain::posts::Post;

pub type Labels = BTreeMap<&'static str, BTreeMap<&'static str, &'static str>>;

pub fn all() -> Labels {
    let mut m: Labels = BTreeMap::new();
    m.insert(
        "body_kind",
        BodyKind::ALL.iter().map(|v| (v.as_str(), v.label_zh())).collect(),
    );
    m.insert("post", Post::ALL.iter().map(|v| (v.as_str(), v.label_zh())).collect());
    m.insert(
        "unit_kind",
        UnitKind::ALL.iter().map(|v| (v.as_str(), v.label_zh())).collect(),
    );
    m.insert(
        "title_level",
        TitleLevel::ALL.iter().map(|v| (v.as_str(), v.label_zh())).collect(),
    );
    m.insert(
        "appointment_status",
        AppointmentStatus::ALL
            .iter()
            .map(|v| (v.as_str(), v.label_zh()))
            .collect(),
    );
    m.insert(
        "application_status",
        ApplicationStatus::ALL
            .iter()
            .map(|v| (v.as_str(), v.label_zh()))
            .collect(),
    );
    m.insert(
        "assessment_result",
        AssessmentResult::ALL
            .iter()
            .map(|v| (v.as_str(), v.label_zh()))
            .collect(),
    );
    m.insert(
        "dismissal_ground",
        [DismissalGround::Conduct, DismissalGround::Absence]
            .iter()
            .map(|v| (v.as_str(), v.label_zh()))
            .collect(),
    );
    m.insert(
        "eligibility_issue",
        [
            EligibilityIssue::TitleBelowAssociateSenior,
            EligibilityIssue::OverAgeLimit,
            EligibilityIssue::AgeUnknown,
        ]
        .iter()
        .map(|v| (v.as_str(), v.label_zh()))
        .collect(),
    );
    m.insert(
        "document_kind",
        [
            ("appointment_certificate", "聘书"),
            ("dismissal_notice", "解聘通知书"),
            ("lapse_notice", "任期届满通知"),
            ("resignation_acceptance", "辞聘确认函"),
            ("commendation_certificate", "荣誉证书"),
            ("meeting_notice", "会议通知"),
            ("roster", "成员名册"),
        ]
        .into_iter()
        .collect(),
    );
    m
}

/// Chinese labels of every enum value, by enum name.
#[utoipa::path(get, path = "/api/v1/members/labels", tag = "labels",
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service"]))),
    responses((status = 200, description = "enum name → value → 中文", body = Object,
        example = json!({"post": {"chair": "理事长", "council_member": "理事"}, "title_level": {"senior": "正高级"}}))))]
pub async fn get(_caller: Caller) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "public, max-age=3600"))
        .json(all())
}
