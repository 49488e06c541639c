//! The two-absences rule (R13): a holder with two unexcused absences (无故不参加) from the
//! body's activities within one work year is to be dismissed. Reaching the second opens a
//! dismissal case in members-service; a correction that brings the count below two while the
//! case is open withdraws it.
//!
//! What counts: records with status `absent` at activities that were not cancelled and that
//! fell within the appointment (on or after it started, on or before its planned end, and
//! before the day it ended early). Excused absences never count.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::attendance::AttendanceStatus;
use super::work_year::WorkYearStart;

alliance_events::vocabulary! {
    /// A dismissal case this service asked members-service for (one open per appointment and
    /// work year).
    pub enum CaseStatus {
        Open = "open" => "已提请",
        /// A correction or cancellation brought the count below two.
        Withdrawn = "withdrawn" => "已撤回",
    }
}

/// Unexcused absences in one work year that open a case.
pub const ABSENCES_FOR_A_CASE: usize = 2;

/// The dates of an appointment, as members-service reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppointmentSpan {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Set when it ended early (resigned, dismissed, …); not in office from that day.
    pub ended_on: Option<NaiveDate>,
}

impl AppointmentSpan {
    /// Whether the holder was in office on `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.starts_on <= date && date <= self.ends_on && self.ended_on.is_none_or(|e| date < e)
    }
}

/// One attendance record of the appointment, with what R13 needs of its activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceFact {
    pub activity_id: i64,
    pub held_on: NaiveDate,
    pub title: String,
    pub activity_cancelled: bool,
    pub status: AttendanceStatus,
}

/// An absence that counts, as sent with the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedAbsence {
    pub activity_id: i64,
    pub held_on: NaiveDate,
    pub title: String,
}

/// The unexcused absences that count, per work year, in date order.
pub fn counted_absences(
    span: &AppointmentSpan,
    records: &[AttendanceFact],
    work_year: WorkYearStart,
) -> BTreeMap<i32, Vec<CountedAbsence>> {
    let mut by_year: BTreeMap<i32, Vec<CountedAbsence>> = BTreeMap::new();
    for r in records {
        if r.activity_cancelled || !super::attendance::is_unexcused_absence(r.status) || !span.covers(r.held_on) {
            continue;
        }
        by_year
            .entry(work_year.work_year_of(r.held_on))
            .or_default()
            .push(CountedAbsence {
                activity_id: r.activity_id,
                held_on: r.held_on,
                title: r.title.clone(),
            });
    }
    for list in by_year.values_mut() {
        list.sort_by_key(|a| (a.held_on, a.activity_id));
    }
    by_year
}

/// The (appointment id, activity id) of every absence that counts (R13), over several
/// appointments: each given with its dates and the attendance facts recorded for it.
pub fn counted_by_appointment<'a>(
    appointments: impl IntoIterator<Item = (i64, &'a AppointmentSpan, &'a [AttendanceFact])>,
    work_year: WorkYearStart,
) -> BTreeSet<(i64, i64)> {
    let mut counted = BTreeSet::new();
    for (appointment_id, span, facts) in appointments {
        for list in counted_absences(span, facts, work_year).values() {
            counted.extend(list.iter().map(|a| (appointment_id, a.activity_id)));
        }
    }
    counted
}

/// Whether this service has a case open for an appointment and work year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseState {
    /// No case, or only withdrawn ones.
    None,
    Open,
}

/// What to do about one appointment and work year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseAction {
    Open {
        work_year: i32,
        absences: Vec<CountedAbsence>,
    },
    Withdraw {
        work_year: i32,
    },
}

/// Decides, for every work year touched by `records` or holding an open case, whether a case
/// must be opened or withdrawn. Already open with two or more: nothing; nothing open with fewer
/// than two: nothing. So evaluating again after the same change emits nothing twice.
pub fn evaluate(
    span: &AppointmentSpan,
    records: &[AttendanceFact],
    work_year: WorkYearStart,
    cases: &BTreeMap<i32, CaseState>,
) -> Vec<CaseAction> {
    let counted = counted_absences(span, records, work_year);
    let mut years: Vec<i32> = counted.keys().chain(cases.keys()).copied().collect();
    years.sort_unstable();
    years.dedup();
    years
        .into_iter()
        .filter_map(|year| {
            let absences = counted.get(&year).cloned().unwrap_or_default();
            let state = cases.get(&year).copied().unwrap_or(CaseState::None);
            match (state, absences.len() >= ABSENCES_FOR_A_CASE) {
                (CaseState::None, true) => Some(CaseAction::Open {
                    work_year: year,
                    absences,
                }),
                (CaseState::Open, false) => Some(CaseAction::Withdraw { work_year: year }),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttendanceStatus::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn span() -> AppointmentSpan {
        AppointmentSpan {
            starts_on: d(2026, 1, 1),
            ends_on: d(2029, 12, 31),
            ended_on: None,
        }
    }

    fn fact(activity_id: i64, held_on: NaiveDate, status: AttendanceStatus) -> AttendanceFact {
        AttendanceFact {
            activity_id,
            held_on,
            title: format!("活动{activity_id}"),
            activity_cancelled: false,
            status,
        }
    }

    fn none() -> BTreeMap<i32, CaseState> {
        BTreeMap::new()
    }

    fn open(year: i32) -> BTreeMap<i32, CaseState> {
        BTreeMap::from([(year, CaseState::Open)])
    }

    const CAL: WorkYearStart = WorkYearStart::CALENDAR;

    #[test]
    fn r13_one_unexcused_absence_opens_nothing() {
        let r = [fact(1, d(2026, 3, 1), Absent), fact(2, d(2026, 6, 1), Present)];
        assert!(evaluate(&span(), &r, CAL, &none()).is_empty());
    }

    #[test]
    fn r13_second_unexcused_absence_in_a_work_year_opens_a_case() {
        let r = [
            fact(1, d(2026, 3, 1), Absent),
            fact(2, d(2026, 6, 1), Present),
            fact(3, d(2026, 9, 1), Absent),
        ];
        assert_eq!(
            evaluate(&span(), &r, CAL, &none()),
            vec![CaseAction::Open {
                work_year: 2026,
                absences: vec![
                    CountedAbsence {
                        activity_id: 1,
                        held_on: d(2026, 3, 1),
                        title: "活动1".into()
                    },
                    CountedAbsence {
                        activity_id: 3,
                        held_on: d(2026, 9, 1),
                        title: "活动3".into()
                    },
                ]
            }]
        );
    }

    #[test]
    fn r13_two_unexcused_absences_in_different_work_years_do_not_open_a_case() {
        let r = [fact(1, d(2026, 12, 20), Absent), fact(2, d(2027, 1, 10), Absent)];
        assert!(evaluate(&span(), &r, CAL, &none()).is_empty());
    }

    #[test]
    fn r13_the_work_year_boundary_follows_the_configured_start() {
        // With work years starting on 1 September, December and January are the same year.
        let sept = WorkYearStart::new(9, 1).unwrap_or_default();
        let r = [fact(1, d(2026, 12, 20), Absent), fact(2, d(2027, 1, 10), Absent)];
        let actions = evaluate(&span(), &r, sept, &none());
        assert!(matches!(actions.as_slice(), [CaseAction::Open { work_year: 2026, .. }]));
        // … and August and September are not.
        let r = [fact(1, d(2026, 8, 31), Absent), fact(2, d(2026, 9, 1), Absent)];
        assert!(evaluate(&span(), &r, sept, &none()).is_empty());
    }

    #[test]
    fn r13_excused_absences_never_count() {
        let r = [
            fact(1, d(2026, 3, 1), Excused),
            fact(2, d(2026, 6, 1), Excused),
            fact(3, d(2026, 9, 1), Absent),
        ];
        assert!(evaluate(&span(), &r, CAL, &none()).is_empty());
    }

    #[test]
    fn r13_correction_to_excused_withdraws_the_open_case() {
        let r = [fact(1, d(2026, 3, 1), Absent), fact(2, d(2026, 6, 1), Excused)];
        assert_eq!(
            evaluate(&span(), &r, CAL, &open(2026)),
            vec![CaseAction::Withdraw { work_year: 2026 }]
        );
    }

    #[test]
    fn r13_an_open_case_stays_open_while_two_absences_remain() {
        let r = [
            fact(1, d(2026, 3, 1), Absent),
            fact(2, d(2026, 6, 1), Excused),
            fact(3, d(2026, 9, 1), Absent),
        ];
        assert!(evaluate(&span(), &r, CAL, &open(2026)).is_empty());
    }

    #[test]
    fn r13_cancelled_activities_do_not_count() {
        let mut cancelled = fact(2, d(2026, 6, 1), Absent);
        cancelled.activity_cancelled = true;
        let r = [fact(1, d(2026, 3, 1), Absent), cancelled];
        assert!(evaluate(&span(), &r, CAL, &none()).is_empty());
        // Cancelling one of two counted absences withdraws an open case.
        assert_eq!(
            evaluate(&span(), &r, CAL, &open(2026)),
            vec![CaseAction::Withdraw { work_year: 2026 }]
        );
    }

    #[test]
    fn r13_activities_before_the_appointment_started_do_not_count() {
        let s = AppointmentSpan {
            starts_on: d(2026, 5, 1),
            ..span()
        };
        let r = [fact(1, d(2026, 4, 30), Absent), fact(2, d(2026, 6, 1), Absent)];
        assert!(evaluate(&s, &r, CAL, &none()).is_empty());
        let r = [fact(1, d(2026, 5, 1), Absent), fact(2, d(2026, 6, 1), Absent)];
        assert_eq!(evaluate(&s, &r, CAL, &none()).len(), 1);
    }

    #[test]
    fn r13_activities_after_the_appointment_ended_do_not_count() {
        // Planned end.
        let s = AppointmentSpan {
            ends_on: d(2026, 6, 30),
            ..span()
        };
        let r = [fact(1, d(2026, 3, 1), Absent), fact(2, d(2026, 7, 1), Absent)];
        assert!(evaluate(&s, &r, CAL, &none()).is_empty());
        // Early end: not in office from the day it ended.
        let s = AppointmentSpan {
            ended_on: Some(d(2026, 6, 1)),
            ..span()
        };
        let r = [fact(1, d(2026, 3, 1), Absent), fact(2, d(2026, 6, 1), Absent)];
        assert!(evaluate(&s, &r, CAL, &none()).is_empty());
        let r = [fact(1, d(2026, 3, 1), Absent), fact(2, d(2026, 5, 31), Absent)];
        assert_eq!(evaluate(&s, &r, CAL, &none()).len(), 1);
    }

    #[test]
    fn r13_evaluating_again_after_a_case_is_open_emits_nothing_twice() {
        // The same facts evaluated again (a repeated PUT, a redelivered request, a restart)
        // find the case open and emit nothing: one case per appointment and work year.
        let r = [fact(1, d(2026, 3, 1), Absent), fact(2, d(2026, 6, 1), Absent)];
        let first = evaluate(&span(), &r, CAL, &none());
        assert_eq!(first.len(), 1);
        assert!(evaluate(&span(), &r, CAL, &open(2026)).is_empty());
        // A third absence in the same year does not open a second case either.
        let r3 = [
            fact(1, d(2026, 3, 1), Absent),
            fact(2, d(2026, 6, 1), Absent),
            fact(3, d(2026, 9, 1), Absent),
        ];
        assert!(evaluate(&span(), &r3, CAL, &open(2026)).is_empty());
    }

    #[test]
    fn r13_a_withdrawn_case_reopens_on_a_new_second_absence() {
        // After withdrawal the state is `None` again; two counted absences open a new case.
        let r = [fact(1, d(2026, 3, 1), Absent), fact(3, d(2026, 9, 1), Absent)];
        assert!(matches!(
            evaluate(&span(), &r, CAL, &none()).as_slice(),
            [CaseAction::Open { work_year: 2026, .. }]
        ));
    }

    #[test]
    fn r13_counted_absences_are_named_per_appointment() {
        let a = [fact(1, d(2026, 3, 1), Absent), fact(2, d(2026, 6, 1), Excused)];
        let late = AppointmentSpan {
            starts_on: d(2026, 4, 1),
            ..span()
        };
        let b = [fact(1, d(2026, 3, 1), Absent), fact(3, d(2026, 9, 1), Absent)];
        let s = span();
        let counted = counted_by_appointment([(10, &s, &a[..]), (11, &late, &b[..])], CAL);
        assert_eq!(counted, BTreeSet::from([(10, 1), (11, 3)]));
    }

    #[test]
    fn r13_years_are_decided_independently() {
        let r = [
            fact(1, d(2026, 3, 1), Absent),
            fact(2, d(2027, 3, 1), Absent),
            fact(3, d(2027, 6, 1), Absent),
        ];
        assert_eq!(
            evaluate(&span(), &r, CAL, &open(2026))
                .into_iter()
                .map(|a| match a {
                    CaseAction::Open { work_year, .. } => ("open", work_year),
                    CaseAction::Withdraw { work_year } => ("withdraw", work_year),
                })
                .collect::<Vec<_>>(),
            vec![("withdraw", 2026), ("open", 2027)]
        );
    }
}
