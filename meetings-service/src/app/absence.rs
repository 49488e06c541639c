//! R13 applied to the database: after every change that can move an appointment's count of
//! unexcused absences (a record, a correction, a cancellation), the appointment is evaluated
//! again inside the same write transaction and the case events go to the outbox with it.
//!
//! The cases this service asked for are kept in `absence_cases` (one open per appointment and
//! work year, enforced by a partial unique index), so evaluating again — a repeated request, a
//! retried one, two at once — never emits an event twice.

use std::collections::BTreeMap;

use chrono::Utc;
use service_kit::{ApiError, DbConn};

use crate::db::models::NewAbsenceCaseRow;
use crate::db::{absence_cases, attendance, invitees};
use crate::domain::absence::{AppointmentSpan, CaseAction, CaseState, CaseStatus, evaluate};
use crate::domain::work_year::WorkYearStart;
use crate::events;

pub use crate::db::absence_cases::lock_appointment;

/// What an evaluation did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub opened: Vec<i32>,
    pub withdrawn: Vec<i32>,
}

impl Outcome {
    pub fn emitted(&self) -> bool {
        !self.opened.is_empty() || !self.withdrawn.is_empty()
    }
}

/// Evaluates R13 for one appointment and writes the case changes and their events. `span` is
/// the appointment's current dates when members-service could tell them, else the snapshot's.
/// `withdraw_reason` says why a case would be withdrawn (e.g. the correction's reason).
pub fn reevaluate(
    c: &mut DbConn,
    appointment_id: i64,
    span: Option<AppointmentSpan>,
    work_year: WorkYearStart,
    withdraw_reason: &str,
) -> Result<Outcome, ApiError> {
    lock_appointment(c, appointment_id)?;
    let span = match span {
        Some(s) => s,
        None => match invitees::snapshot_span(c, appointment_id)? {
            Some(s) => s,
            None => return Ok(Outcome::default()),
        },
    };
    let records = attendance::facts(c, appointment_id)?;
    let open = absence_cases::open_of(c, &[appointment_id])?;
    let states: BTreeMap<i32, CaseState> = open.iter().map(|r| (r.work_year, CaseState::Open)).collect();
    let mut outcome = Outcome::default();
    let now = Utc::now().naive_utc();
    for action in evaluate(&span, &records, work_year, &states) {
        match action {
            CaseAction::Open {
                work_year: year,
                absences,
            } => {
                let event_id = events::open_case(c, appointment_id, year, &absences)?;
                absence_cases::insert(
                    c,
                    &NewAbsenceCaseRow {
                        appointment_id,
                        work_year: year,
                        status: CaseStatus::Open,
                        absences: serde_json::to_string(&absences).map_err(ApiError::internal)?,
                        open_event_id: &event_id,
                        opened_at: now,
                    },
                )?;
                tracing::info!(appointment_id, work_year = year, %event_id, "R13: dismissal case opened");
                outcome.opened.push(year);
            }
            CaseAction::Withdraw { work_year: year } => {
                let event_id = events::withdraw_case(c, appointment_id, year, withdraw_reason)?;
                absence_cases::withdraw(c, appointment_id, year, &event_id, now)?;
                tracing::info!(appointment_id, work_year = year, %event_id, "R13: dismissal case withdrawn");
                outcome.withdrawn.push(year);
            }
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    //! R13 against the real schema, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

    use chrono::NaiveDate;
    use diesel::prelude::*;
    use service_kit::db::write_tx;
    use service_kit::outbox::outbox_events;
    use test_db::test_databases;

    use super::*;
    use crate::db::MIGRATIONS;
    use crate::db::models::{NewActivityRow, NewInviteeRow};
    use crate::db::schema::{absence_cases, activities, attendance, invitees};
    use crate::domain::activities::{ActivityKind, ActivityStatus};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    const APPOINTMENT: i64 = 10;
    const CAL: WorkYearStart = WorkYearStart::CALENDAR;

    fn activity(c: &mut DbConn, held_on: NaiveDate) -> i64 {
        let now = Utc::now().naive_utc();
        let id: i64 = diesel::insert_into(activities::table)
            .values(&NewActivityRow {
                place: "天津".into(),
                invitees_fetched_at: Some(now),
                ..NewActivityRow::for_test(
                    1,
                    ActivityKind::Thematic,
                    &format!("专题会议 {held_on}"),
                    held_on,
                    ActivityStatus::Held,
                )
            })
            .returning(activities::id)
            .get_result(c)
            .unwrap_or_else(|e| panic!("{e}"));
        diesel::insert_into(invitees::table)
            .values(&NewInviteeRow {
                person_id: 7,
                ..NewInviteeRow::for_test(id, APPOINTMENT, "张伟", Some("zw@example.cn"))
            })
            .execute(c)
            .unwrap_or_else(|e| panic!("{e}"));
        id
    }

    fn mark(c: &mut DbConn, activity_id: i64, status: &str, reason: Option<&str>) -> QueryResult<usize> {
        let now = Utc::now().naive_utc();
        let existing: Option<i64> = attendance::table
            .filter(attendance::activity_id.eq(activity_id))
            .filter(attendance::appointment_id.eq(APPOINTMENT))
            .select(attendance::id)
            .first(c)
            .optional()?;
        match existing {
            Some(id) => diesel::update(attendance::table.find(id))
                .set((attendance::status.eq(status), attendance::reason.eq(reason)))
                .execute(c),
            None => insert_mark(c, activity_id, status, reason, now),
        }
    }

    fn insert_mark(
        c: &mut DbConn,
        activity_id: i64,
        status: &str,
        reason: Option<&str>,
        now: chrono::NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::insert_into(attendance::table)
            .values((
                attendance::activity_id.eq(activity_id),
                attendance::appointment_id.eq(APPOINTMENT),
                attendance::status.eq(status),
                attendance::reason.eq(reason),
                attendance::recorded_by.eq("test"),
                attendance::recorded_at.eq(now),
                attendance::updated_at.eq(now),
            ))
            .execute(c)
    }

    fn evaluate_now(c: &mut DbConn) -> Outcome {
        write_tx(c, |c| reevaluate(c, APPOINTMENT, None, CAL, "test")).unwrap_or_else(|e| panic!("{e}"))
    }

    fn events(c: &mut DbConn) -> Vec<(String, String, String)> {
        outbox_events::table
            .order(outbox_events::id)
            .select((outbox_events::destination, outbox_events::kind, outbox_events::payload))
            .load(c)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn r13_second_unexcused_absence_opens_one_case_and_a_correction_withdraws_it_on_every_backend() {
        for t in test_databases("meetings_rules", || MIGRATIONS) {
            let mut conn = t.db.get().unwrap_or_else(|e| panic!("{e}"));
            let c = &mut **conn;
            let a1 = activity(c, d(2026, 3, 1));
            let a2 = activity(c, d(2026, 6, 1));
            let a3 = activity(c, d(2026, 9, 1));
            mark(c, a1, "absent", None).unwrap_or_else(|e| panic!("{e}"));
            mark(c, a2, "present", None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(evaluate_now(c), Outcome::default(), "{:?}: one absence", t.backend);

            mark(c, a3, "absent", None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(evaluate_now(c).opened, vec![2026]);
            let ev = events(c);
            assert_eq!(ev.len(), 1);
            assert_eq!((ev[0].0.as_str(), ev[0].1.as_str()), ("members", "dismissal_case.open"));
            let payload: serde_json::Value = serde_json::from_str(&ev[0].2).unwrap_or_default();
            assert_eq!(payload["appointment_id"], APPOINTMENT);
            assert_eq!(payload["work_year"], 2026);
            assert_eq!(payload["absences"][0]["activity_id"], a1);
            assert_eq!(payload["absences"][1]["held_on"], "2026-09-01");

            // Evaluated again (a repeated request): nothing more is emitted.
            assert_eq!(evaluate_now(c), Outcome::default());
            assert_eq!(events(c).len(), 1);

            // Corrected to excused: the open case is withdrawn.
            mark(c, a3, "excused", Some("病假")).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(evaluate_now(c).withdrawn, vec![2026]);
            let ev = events(c);
            assert_eq!(ev.len(), 2);
            assert_eq!(ev[1].1, "dismissal_case.withdraw");
            assert_eq!(evaluate_now(c), Outcome::default());

            // A new second absence opens a new case (a new event).
            mark(c, a2, "absent", None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(evaluate_now(c).opened, vec![2026]);
            let cases: Vec<(String, String)> = absence_cases::table
                .order(absence_cases::id)
                .select((absence_cases::status, absence_cases::open_event_id))
                .load(c)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(cases.len(), 2);
            assert_eq!(cases[0].0, "withdrawn");
            assert_eq!(cases[1].0, "open");
            assert_ne!(cases[0].1, cases[1].1);

            // Cancelling one of the two activities withdraws it again.
            diesel::update(activities::table.find(a2))
                .set(activities::status.eq(ActivityStatus::Cancelled))
                .execute(c)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(evaluate_now(c).withdrawn, vec![2026]);
        }
    }

    #[test]
    fn r18_one_record_per_invitee_per_activity_and_excuses_carry_a_reason_in_the_schema() {
        for t in test_databases("meetings_r18", || MIGRATIONS) {
            let mut conn = t.db.get().unwrap_or_else(|e| panic!("{e}"));
            let c = &mut **conn;
            let a = activity(c, d(2026, 3, 1));
            let now = Utc::now().naive_utc();
            insert_mark(c, a, "present", None, now).unwrap_or_else(|e| panic!("{e}"));
            let dup = insert_mark(c, a, "absent", None, now);
            assert!(
                matches!(
                    dup,
                    Err(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _
                    ))
                ),
                "{:?}: {dup:?}",
                t.backend
            );
            let b = activity(c, d(2026, 4, 1));
            assert!(insert_mark(c, b, "excused", None, now).is_err(), "{:?}", t.backend);
            // Not an invitee: refused by the foreign key.
            let stranger = diesel::insert_into(attendance::table)
                .values((
                    attendance::activity_id.eq(b),
                    attendance::appointment_id.eq(999),
                    attendance::status.eq("present"),
                    attendance::recorded_by.eq("test"),
                    attendance::recorded_at.eq(now),
                    attendance::updated_at.eq(now),
                ))
                .execute(c);
            assert!(stranger.is_err(), "{:?}", t.backend);
        }
    }
}
