//! HTTP handlers under `/api/v1/meetings`: each module parses, authorises (see [`access`]),
//! calls one use case of [`crate::app`] and maps the result.

pub mod access;
pub mod activities;
pub mod annual;
pub mod attendance;
pub mod calendar;
pub mod elections;
pub mod failed_events;
pub mod internal;
pub mod replies;
pub mod statistics;

use actix_web::web::{self, get, patch, post, put, resource};
use chrono::NaiveDate;
use service_kit::{ApiError, Code};

use crate::domain::work_year::WorkYearStart;

/// Years a query may name (as declared on the parameters); far years made dates such as
/// `-0651-01-01` (issue 9).
pub const QUERY_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// The first and last day of work year `year`, or 400 `invalid_query` outside [`QUERY_YEARS`].
pub fn work_year_bounds(ws: WorkYearStart, year: i32) -> Result<(NaiveDate, NaiveDate), ApiError> {
    QUERY_YEARS
        .contains(&year)
        .then(|| ws.bounds(year))
        .flatten()
        .ok_or_else(|| ApiError::bad_request(Code::InvalidQuery, "year must be between 1900 and 2200"))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Resources, so that a known path with another method answers 405.
    let big_json = service_kit::problem::json_config(annual::BODY_LIMIT);
    cfg.service(
        web::scope("/api/v1/meetings")
            .service(resource("/failed-events").route(get().to(failed_events::list)))
            .service(resource("/failed-events/{event_id}/replay").route(post().to(failed_events::replay)))
            .service(
                resource("/activities")
                    .route(get().to(activities::list))
                    .route(post().to(activities::create)),
            )
            .service(
                resource("/activities/{id}")
                    .route(get().to(activities::get))
                    .route(patch().to(activities::update)),
            )
            .service(resource("/activities/{id}/invitees").route(get().to(activities::list_invitees)))
            .service(resource("/activities/{id}/invitees:refresh").route(post().to(activities::refresh_invitees)))
            .service(
                resource("/activities/{id}/election-results")
                    .route(get().to(elections::get))
                    .route(put().to(elections::put)),
            )
            .service(resource("/activities/{id}/replies").route(get().to(replies::list)))
            .service(resource("/activities/{id}/attendance").route(get().to(attendance::list_for_activity)))
            .service(resource("/activities/{id}/attendance/{appointment_id}").route(put().to(attendance::put)))
            .service(resource("/attendance").route(get().to(attendance::person)))
            .service(resource("/statistics/attendance").route(get().to(statistics::attendance_statistics)))
            .service(
                resource("/bodies/{id}/work-plans")
                    .app_data(big_json.clone())
                    .route(get().to(annual::list_plans))
                    .route(post().to(annual::create_plan)),
            )
            .service(resource("/bodies/{id}/work-plans/{year}/file").route(get().to(annual::plan_file)))
            .service(
                resource("/bodies/{id}/work-reports")
                    .app_data(big_json)
                    .route(get().to(annual::list_reports))
                    .route(post().to(annual::create_report)),
            )
            .service(resource("/bodies/{id}/work-reports/{year}/file").route(get().to(annual::report_file)))
            .service(resource("/bodies/{id}/calendar.ics").route(get().to(calendar::body_feed))),
    )
    // The reply page of a meeting notice: public (the link is the credential); the gateway
    // forwards `/r/…` here.
    // A person's calendar feed at its unguessable address: public alike (`/c/…`).
    .service(resource("/c/{link}").route(get().to(calendar::person_feed)))
    .service(
        resource("/r/{link}")
            .route(get().to(replies::show))
            .route(post().to(replies::submit)),
    )
    // Outside /api/v1: the gateway forwards only /api/v1/{service}/…, so this stays internal.
    .service(resource(service_kit::outbox::EVENTS_PATH).route(post().to(internal::events)))
    .service(resource("/internal/v1/activities/{id}/sign-in-facts").route(get().to(internal::sign_in_facts)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9: `year=-651` answered the dates of `-0651-01-01`; years outside the declared
    /// 1900..=2200 are a 400 problem.
    #[test]
    fn query_years_are_bounded() {
        let ws = WorkYearStart::default();
        for bad in [-651, 0, 1899, 2201, i32::MAX] {
            let e = work_year_bounds(ws, bad)
                .err()
                .map(|e| (e.status().as_u16(), e.code().to_string()));
            assert_eq!(e, Some((400, "invalid_query".to_owned())), "{bad}");
        }
        assert_eq!(
            work_year_bounds(ws, 2026).ok(),
            NaiveDate::from_ymd_opt(2026, 1, 1).zip(NaiveDate::from_ymd_opt(2026, 12, 31))
        );
        assert!(work_year_bounds(ws, 1900).is_ok() && work_year_bounds(ws, 2200).is_ok());
    }
}
