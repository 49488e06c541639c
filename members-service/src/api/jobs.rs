//! `POST /jobs/run`: run the scheduled membership jobs now (the Center), e.g. right after a term
//! ends instead of waiting for the scheduler.

use actix_web::{HttpResponse, web};
use service_kit::{ApiError, Caller, Db, Problem};

use super::access;
use crate::app::jobs::{JobReport, run_all};

pub struct JobSettings {
    pub reminder_days: Vec<u32>,
}

/// 立即运行任期作业 · Run the scheduled jobs now.
///
/// 秘书处立即运行定时作业，而不必等调度：任期结束时，未续聘的聘任以“任期届满解聘”结束并通知本人
/// （逾期不续聘者自行解聘，R6），已续聘的以“任期届满（已续聘）”结束；下一届开始时续聘生效；
/// 并发送任期届满提醒。作业是幂等的，重复运行不会重复处理。
///
/// Run the lapse (R6), renewal start and term-end reminder jobs now; idempotent.
#[utoipa::path(post, path = "/api/v1/members/jobs/run", tag = "terms",
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, body = JobReport), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn run(
    caller: Caller,
    db: web::Data<Db>,
    settings: web::Data<JobSettings>,
) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let days = settings.reminder_days.clone();
    let db = db.get_ref().clone();
    let report = tokio::task::spawn_blocking(move || run_all(&db, crate::clock::today(), &days))
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(report))
}
