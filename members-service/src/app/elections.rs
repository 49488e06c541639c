//! R10 results from a plenary (meetings-service's `election.results`) through the R7 state
//! machine, as the system.

use alliance_events::ElectionResults;
use diesel::Connection;
use serde::Serialize;
use service_kit::{ApiError, Caller, DbConn};

use super::applications::{TransitionRequest, apply_transition};
use crate::db::applications;
use crate::domain::applications::{ApplicationAction, ApplicationStatus};
use crate::domain::elections::{Threshold, Votes};

/// What became of one candidate's application.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ElectionOutcome {
    pub application_id: i64,
    /// `elected` or `not_elected` (applied now), `skipped` (not awaiting its election: see
    /// `status`), `refused` (the state machine refused the result: see `detail`).
    pub outcome: &'static str,
    /// The application's status after this event (null when there is no such application).
    pub status: Option<ApplicationStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The R7 transition's reason for results recorded at a plenary.
pub fn election_reason(p: &ElectionResults) -> String {
    format!("全体会议选举（活动 {}，{}）", p.activity_id, p.held_on)
}

fn request(p: &ElectionResults, r: &alliance_events::CandidateResult, reason: &str) -> TransitionRequest {
    TransitionRequest {
        action: ApplicationAction::RecordElection,
        reason: reason.to_owned(),
        accept_exception: false,
        votes: Some(Votes {
            votes_for: r.votes_for,
            votes_against: r.votes_against,
            abstentions: r.abstentions,
            voters_present: p.voters_present,
        }),
        threshold: p.threshold.map(|t| Threshold {
            numerator: t.numerator,
            denominator: t.denominator,
        }),
        starts_on: None,
    }
}

/// R10 through R7 for each candidate: an application `approved_for_election` gets its votes and
/// becomes elected or not_elected, recorded as a transition by `caller` (the system) with the
/// plenary as its reason. Anything else is skipped, not an error: a redelivered event finds the
/// applications decided and changes nothing, and the outbox never parks the event. Runs inside
/// the caller's write transaction; each application in its own savepoint.
pub fn apply_election_results(
    c: &mut DbConn,
    caller: &Caller,
    p: &ElectionResults,
) -> Result<Vec<ElectionOutcome>, ApiError> {
    let reason = election_reason(p);
    let mut out = Vec::with_capacity(p.results.len());
    for r in &p.results {
        let skipped = |status: Option<ApplicationStatus>, detail: String| ElectionOutcome {
            application_id: r.application_id,
            outcome: "skipped",
            status,
            detail: Some(detail),
        };
        let Some(app) = applications::find_optional(c, r.application_id)? else {
            out.push(skipped(None, format!("no application {}", r.application_id)));
            continue;
        };
        if p.body_id != app.body_id {
            out.push(skipped(
                Some(app.status),
                format!(
                    "application {} is for body {}, not body {} whose plenary this was",
                    app.id, app.body_id, p.body_id
                ),
            ));
            continue;
        }
        if app.status != ApplicationStatus::ApprovedForElection {
            out.push(skipped(
                Some(app.status),
                format!("application {} is {}, not awaiting its election", app.id, app.status),
            ));
            continue;
        }
        let t = request(p, r, &reason);
        let applied = c.transaction::<_, ApiError, _>(|c| apply_transition(c, caller, app, &t));
        out.push(match applied {
            Ok(after) => ElectionOutcome {
                application_id: r.application_id,
                outcome: if after.status == ApplicationStatus::Elected {
                    "elected"
                } else {
                    "not_elected"
                },
                status: Some(after.status),
                detail: None,
            },
            // The state machine said no (impossible votes, a post without election): report
            // it; a redelivery would say the same.
            Err(e) if e.status().is_client_error() => ElectionOutcome {
                application_id: r.application_id,
                outcome: "refused",
                status: Some(ApplicationStatus::ApprovedForElection),
                detail: Some(format!("{}: {}", e.code(), e.problem().detail)),
            },
            Err(e) => return Err(e),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use alliance_events::CandidateResult;
    use chrono::{NaiveDate, Utc};
    use diesel::prelude::*;
    use service_kit::DbConn;
    use service_kit::db::write_tx;
    use test_db::test_databases;

    use super::*;
    use crate::app::dismissal_cases::{OpenCase, open_case};
    use crate::db::MIGRATIONS;
    use crate::db::schema::{application_transitions, applications, audit_events, bodies, people, terms, units};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    /// The council, a term, a unit, and one application per (post, status) for its person.
    fn seed(c: &mut DbConn, apps: &[(&str, &str)]) -> (i64, Vec<i64>) {
        let now = Utc::now().naive_utc();
        let council: i64 = bodies::table
            .filter(bodies::kind.eq("council"))
            .select(bodies::id)
            .first(c)
            .unwrap_or_else(|e| panic!("{e}"));
        let term: i64 = diesel::insert_into(terms::table)
            .values((
                terms::body_id.eq(council),
                terms::number.eq(1),
                terms::starts_on.eq(d("2026-01-01")),
                terms::ends_on.eq(d("2029-12-31")),
                terms::created_at.eq(now),
            ))
            .returning(terms::id)
            .get_result(c)
            .unwrap_or_else(|e| panic!("{e}"));
        let unit: i64 = diesel::insert_into(units::table)
            .values((
                units::name.eq("天津市机电工艺技师学院"),
                units::kind.eq("technical_school"),
                units::created_at.eq(now),
                units::updated_at.eq(now),
            ))
            .returning(units::id)
            .get_result(c)
            .unwrap_or_else(|e| panic!("{e}"));
        let ids = apps
            .iter()
            .enumerate()
            .map(|(i, (post, status))| {
                let person: i64 = diesel::insert_into(people::table)
                    .values((
                        people::name.eq(format!("候选人{i}")),
                        people::unit_id.eq(unit),
                        people::title_level.eq("senior"),
                        people::created_at.eq(now),
                        people::updated_at.eq(now),
                    ))
                    .returning(people::id)
                    .get_result(c)
                    .unwrap_or_else(|e| panic!("{e}"));
                diesel::insert_into(applications::table)
                    .values((
                        applications::body_id.eq(council),
                        applications::term_id.eq(term),
                        applications::unit_id.eq(unit),
                        applications::person_id.eq(person),
                        applications::post.eq(*post),
                        applications::status.eq(*status),
                        applications::created_by.eq("test"),
                        applications::created_at.eq(now),
                        applications::updated_at.eq(now),
                    ))
                    .returning(applications::id)
                    .get_result(c)
                    .unwrap_or_else(|e| panic!("{e}"))
            })
            .collect();
        (council, ids)
    }

    fn result(application_id: i64, votes_for: u32) -> CandidateResult {
        CandidateResult {
            application_id,
            votes_for,
            votes_against: 40 - votes_for - 4,
            abstentions: 4,
        }
    }

    fn status(c: &mut DbConn, id: i64) -> String {
        applications::table
            .find(id)
            .select(applications::status)
            .first(c)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn r13_a_case_waits_for_the_center_unless_the_deployment_dismisses_at_once_on_every_backend() {
        use crate::app::appointing::{Appoint, appoint};
        use crate::db::schema::{applications as apps, appointments};
        use crate::domain::appointments::AppointmentSource;
        use crate::domain::appointments::AppointmentStatus;
        use crate::domain::posts::Post;
        for t in test_databases("members_r13", || MIGRATIONS) {
            let mut conn = t.db.get().unwrap_or_else(|e| panic!("{e}"));
            let c = &mut **conn;
            let (council, ids) = seed(c, &[("council_member", "approved_for_election"); 2]);
            let admin = Caller::system("test");
            let appointed: Vec<i64> = ids
                .iter()
                .map(|app| {
                    let (person_id, term_id): (i64, i64) = apps::table
                        .find(app)
                        .select((apps::person_id, apps::term_id))
                        .first(c)
                        .unwrap_or_else(|e| panic!("{e}"));
                    let a = Appoint {
                        body_id: council,
                        term_id,
                        person_id,
                        post: Post::CouncilMember,
                        starts_on: d("2026-02-01"),
                        source: AppointmentSource::Application,
                        source_id: Some(*app),
                        previous_appointment_id: None,
                        status: AppointmentStatus::Active,
                    };
                    write_tx(c, |c| appoint(c, &admin, a))
                        .unwrap_or_else(|e| panic!("{e}"))
                        .id
                })
                .collect();
            let system = Caller::system("meetings");
            let case = |appointment_id: i64, event: &str| OpenCase {
                event_id: event.to_owned(),
                appointment_id,
                work_year: 2026,
                absences: serde_json::json!([]),
            };
            let status = |c: &mut DbConn, id: i64| -> String {
                appointments::table
                    .find(id)
                    .select(appointments::status)
                    .first(c)
                    .unwrap_or_else(|e| panic!("{e}"))
            };
            // By default the case waits for the Center; the same event opens it once.
            let first = write_tx(c, |c| open_case(c, &system, &case(appointed[0], "ev-1"), false))
                .unwrap_or_else(|e| panic!("{e}"));
            let again = write_tx(c, |c| open_case(c, &system, &case(appointed[0], "ev-1"), false))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((first.id, first.status.as_str()), (again.id, "open"), "{:?}", t.backend);
            assert_eq!(status(c, appointed[0]), "active");
            // Dismissing at once confirms the case and ends the appointment in the same step.
            let at_once = write_tx(c, |c| open_case(c, &system, &case(appointed[1], "ev-2"), true))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(at_once.status.as_str(), "confirmed", "{:?}", t.backend);
            assert_eq!(status(c, appointed[1]), "dismissed");
        }
    }

    #[test]
    fn r10_results_from_a_plenary_go_through_the_r7_state_machine_once_on_every_backend() {
        for t in test_databases("members_elections", || MIGRATIONS) {
            let mut conn = t.db.get().unwrap_or_else(|e| panic!("{e}"));
            let c = &mut **conn;
            let (council, ids) = seed(
                c,
                &[
                    ("council_member", "approved_for_election"),
                    ("council_member", "approved_for_election"),
                    ("council_member", "under_review"),
                    ("vice_chair", "approved_for_election"),
                ],
            );
            let p = ElectionResults {
                activity_id: 12,
                body_id: council,
                title: "第一届理事会第二次全体会议".into(),
                held_on: d("2026-12-10"),
                voters_present: 40,
                threshold: None,
                results: vec![
                    result(ids[0], 31),
                    result(ids[1], 20),
                    result(ids[2], 31),
                    result(9999, 31),
                ],
            };
            let system = Caller::system("meetings");
            let out = write_tx(c, |c| apply_election_results(c, &system, &p)).unwrap_or_else(|e| panic!("{e}"));
            let kinds: Vec<(&str, Option<&str>)> =
                out.iter().map(|o| (o.outcome, o.status.map(|s| s.as_str()))).collect();
            assert_eq!(
                kinds,
                vec![
                    ("elected", Some("elected")),
                    // Exactly half of those present is not more than half (R10).
                    ("not_elected", Some("not_elected")),
                    ("skipped", Some("under_review")),
                    ("skipped", None),
                ],
                "{:?}",
                t.backend
            );
            // R7: the transition records who (the system, for meetings-service), when and why.
            let (actor, reason, to): (String, String, String) = application_transitions::table
                .filter(application_transitions::application_id.eq(ids[0]))
                .select((
                    application_transitions::actor,
                    application_transitions::reason,
                    application_transitions::to_status,
                ))
                .first(c)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                (actor.as_str(), reason.as_str(), to.as_str()),
                ("system:meetings", "全体会议选举（活动 12，2026-12-10）", "elected")
            );
            let votes: Option<i32> = applications::table
                .find(ids[0])
                .select(applications::votes_for)
                .first(c)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(votes, Some(31));
            let audited: i64 = audit_events::table
                .filter(audit_events::action.eq("record_election"))
                .count()
                .get_result(c)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(audited, 2);

            // The same event again changes nothing: both are decided and reported as skipped.
            let again = write_tx(c, |c| apply_election_results(c, &system, &p)).unwrap_or_else(|e| panic!("{e}"));
            assert!(again.iter().all(|o| o.outcome == "skipped"), "{again:?}");
            assert_eq!(again[0].status.map(|s| s.as_str()), Some("elected"));
            let transitions: i64 = application_transitions::table
                .count()
                .get_result(c)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(transitions, 2);

            // Another body's plenary does not decide the council's applications; impossible
            // votes are refused by the state machine without failing the event.
            let other = ElectionResults {
                body_id: council + 100,
                results: vec![result(ids[3], 31)],
                ..p
            };
            let out = write_tx(c, |c| apply_election_results(c, &system, &other)).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(out[0].outcome, "skipped");
            let impossible = ElectionResults {
                body_id: council,
                voters_present: 10,
                ..other
            };
            let out =
                write_tx(c, |c| apply_election_results(c, &system, &impossible)).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(out[0].outcome, "refused", "{out:?}");
            assert_eq!(status(c, ids[3]), "approved_for_election");
        }
    }
}
