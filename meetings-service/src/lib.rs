//! meetings-service: activities of the bodies, attendance and the two-absences rule (R13, R18, R19).

pub mod api;
pub mod app;
pub mod db;
pub mod domain;
pub mod events;
pub mod members;
pub mod settings;

pub use settings::Settings;

use crate::api::activities::ActivityUpdateConditions;
use crate::api::annual::NewAnnualDocumentConditions;
use actix_web::web;
use service_kit::peer::Peers;
use service_kit::server::serve;
use service_kit::{Kit, ServiceHandle, StartError};
use utoipa::OpenApi;

pub const NAME: &str = "meetings-service";
pub const DEFAULT_PORT: u16 = 8082;

#[derive(OpenApi)]
#[openapi(
    paths(
        api::activities::list, api::activities::create, api::activities::get, api::activities::update,
        api::activities::list_invitees, api::activities::refresh_invitees,
        api::elections::put, api::elections::get,
        api::attendance::put, api::attendance::list_for_activity, api::attendance::person,
        api::statistics::attendance_statistics,
        api::annual::list_plans, api::annual::create_plan, api::annual::plan_file,
        api::annual::list_reports, api::annual::create_report, api::annual::report_file,
        api::calendar::body_feed, api::calendar::person_feed, api::replies::list, api::replies::show, api::replies::submit,
        api::failed_events::list, api::failed_events::replay,
    ),
    modifiers(&ActivityUpdateConditions, &NewAnnualDocumentConditions),
    tags(
        (name = "activities", description = "活动与会议：会议及其他活动、受邀人员、会议回执、选举结果、活动日历 · Meetings and other activities of a body, their invitees (meetings-service)"),
        (name = "attendance", description = "出席情况：出席、请假、缺席的登记与更正（R18），每工作年度无故两次缺席予以解聘（R13），出席统计 · Attendance (R18), the two-absences rule (R13), statistics"),
        (name = "work plans and reports", description = "年度工作计划与年度工作报告：各机构每年一份，作为全体会议议程附件（R19） · Annual work plans and reports of a body (R19)"),
        (name = "failed events", description = "投递失败的事件：发件箱无法投递的事件（死信）及其重新投递 · Events the outbox could not deliver (dead letters), and replaying them"),
    )
)]
pub struct ApiDoc;

/// Connects, migrates, starts the outbox worker and the HTTP server; the one way to start this
/// service (`main.rs`, the one-process suite and the tests).
pub async fn start(settings: Settings) -> Result<ServiceHandle, StartError> {
    let Settings {
        service,
        rules,
        reminders,
    } = settings;
    let kit = Kit::start(NAME, &service, db::MIGRATIONS)?;
    let scheduler = app::reminders::spawn_scheduler(kit.db.get_ref().clone(), reminders.every, reminders.days);
    let peers = web::Data::new(Peers::from_settings(&service));
    let config = web::Data::new(rules);
    let worker = kit.spawn_outbox(&service)?;
    let handle = serve(kit, &service.bind, service.workers, move |cfg| {
        cfg.app_data(peers.clone()).app_data(config.clone());
        api::routes(cfg);
    })?;
    Ok(handle.with_outbox(worker).with_task(scheduler))
}
