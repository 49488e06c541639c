//! members-service: units, people, bodies, terms, nominations, applications, appointments,
//! resignations, dismissals, assessments and commendations, by the charter's rules
//! (R1–R17 in ../shared/DOMAIN.md).

pub mod api;
pub mod app;
pub mod clock;
pub mod db;
pub mod domain;
pub mod settings;

/// The scheduled jobs (R6 lapse, renewals, reminders) are use cases of `app`.
pub use app::jobs;
pub use settings::Settings;

use crate::api::applications::TransitionRequestConditions;
use crate::api::recognition::NewCommendationConditions;
use actix_web::web;
use service_kit::server::serve;
use service_kit::{Kit, ServiceHandle, StartError};
use utoipa::OpenApi;

pub const NAME: &str = "members-service";
pub const DEFAULT_PORT: u16 = 8081;

#[derive(OpenApi)]
#[openapi(
    paths(
        api::bodies::list, api::bodies::create, api::bodies::get,
        api::terms::list, api::terms::create,
        api::units::list, api::units::create, api::units::get, api::units::update,
        api::people::list, api::people::create, api::people::get, api::people::update,
        api::bulk::import, api::bulk::export,
        api::nominations::list, api::nominations::create, api::nominations::appoint,
        api::applications::list, api::applications::create, api::applications::get, api::applications::transition,
        api::appointments::list, api::appointments::get, api::appointments::renew,
        api::appointments::request_resignation, api::appointments::decide_resignation, api::appointments::dismiss,
        api::dismissal_cases::list, api::dismissal_cases::create, api::dismissal_cases::decide,
        api::recognition::get_assessment, api::recognition::put_assessment,
        api::recognition::list_commendations, api::recognition::create_commendation,
        api::labels::get, api::audit_events::list, api::jobs::run,
        api::failed_events::list, api::failed_events::replay,
    ),
    modifiers(&TransitionRequestConditions, &NewCommendationConditions),
    tags(
        (name = "bodies", description = "机构：理事会、专家委员会、专业建设协作组及其届次（任期） · Council, expert committee, collaboration groups, terms (members-service)"),
        (name = "units", description = "单位：成员单位的名称、类型、地址与单位联系人，以及是否理事单位 · Units (单位)"),
        (name = "people", description = "人员：各单位的人员；出生日期、电子邮箱、联系电话等个人信息按角色可见 · People; personal data by role"),
        (name = "applications", description = "申报：各单位申报理事会及协作组职务，审核、选举（R7–R10） · Unit applications, review, elections (R7–R10)"),
        (name = "appointments", description = "聘任：机械工业教育发展中心提名、聘任、连聘连任、辞聘、解聘 · Nominations, appointments, renewals, resignations, dismissals"),
        (name = "dismissals", description = "解聘案：每工作年度无故两次不参加活动的解聘处理（R13） · Dismissal cases for absence (R13)"),
        (name = "assessments", description = "考核与表彰：年度工作考核（R15）与表彰（褒奖，R16） · Annual assessments (R15) and commendations (R16)"),
        (name = "terms", description = "任期作业：届满未续聘者自行解聘（R6）、续聘生效、任期届满提醒 · Scheduled jobs: lapse (R6), renewals, reminders"),
        (name = "labels", description = "中文标签：每个枚举值的中文名称 · Chinese labels of every enum value"),
        (name = "audit", description = "审计日志：谁在何时因何修改了什么 · Who changed what, when, why"),
        (name = "failed events", description = "投递失败的事件：发件箱无法投递的事件（死信）及其重新投递 · Events the outbox could not deliver (dead letters), and replaying them"),
    )
)]
pub struct ApiDoc;

/// Connects, migrates, starts the scheduler, the outbox worker and the HTTP server; the one
/// way to start this service (`main.rs`, the one-process suite and the tests).
pub async fn start(settings: Settings) -> Result<ServiceHandle, StartError> {
    let Settings {
        service,
        jobs_interval,
        reminder_days,
        absence_dismiss_at_once,
    } = settings;
    let kit = Kit::start(NAME, &service, db::MIGRATIONS)?;
    let scheduler = jobs::spawn_scheduler(kit.db.get_ref().clone(), jobs_interval, reminder_days.clone());
    let job_settings = web::Data::new(api::jobs::JobSettings { reminder_days });
    let policy = web::Data::new(api::internal::AbsencePolicy {
        dismiss_at_once: absence_dismiss_at_once,
    });
    let rekey = spawn_rekey(kit.db.get_ref().clone());
    let worker = kit.spawn_outbox(&service)?;
    let handle = serve(kit, &service.bind, service.workers, move |cfg| {
        cfg.app_data(job_settings.clone()).app_data(policy.clone());
        api::routes(cfg);
    })?;
    Ok(handle.with_outbox(worker).with_task(scheduler).with_task(rekey))
}

/// Keys the names an older version of this service stored without today's sort keys (issue 14).
fn spawn_rekey(db: service_kit::Db) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        match tokio::task::spawn_blocking(move || app::people::rekey_all(&db)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(people = n, "names keyed for Chinese order and pinyin search"),
            Ok(Err(e)) => tracing::warn!(error = %e, "keying names failed; the next start tries again"),
            Err(e) => tracing::warn!(error = %e, "keying names panicked; the next start tries again"),
        }
    })
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    /// Every e-mail field of a request states the pattern `check_email` enforces, so a client
    /// (and the contract fuzzer) knows exactly which addresses are taken.
    #[test]
    fn every_email_field_states_the_checked_pattern() {
        let doc = serde_json::to_value(super::ApiDoc::openapi()).unwrap_or_default();
        let mut seen = 0;
        for (name, schema) in doc["components"]["schemas"].as_object().into_iter().flatten() {
            for (field, prop) in schema["properties"].as_object().into_iter().flatten() {
                // Requests state a pattern; responses (which show stored values) state none.
                if field.contains("email") && prop.get("pattern").is_some() {
                    assert_eq!(
                        prop["pattern"].as_str(),
                        Some(crate::domain::people::EMAIL_PATTERN),
                        "{name}.{field}"
                    );
                    seen += 1;
                }
            }
        }
        assert!(seen >= 4, "{seen} e-mail fields");
    }
}
