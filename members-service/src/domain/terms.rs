//! Terms of office (任期, 届): R3 numbered terms of four years in principle, the expert
//! committee on the council's terms; R4 mid-term additions end with the term; R5 renewal into
//! the next term; R6 lapse of the non-renewed when a term ends.

use chrono::{Months, NaiveDate};

use super::appointments::AppointmentStatus;

/// R3: 原则上每届任期四年.
pub const DEFAULT_TERM_YEARS: u32 = 4;

/// A term's last day when it starts on `start` and lasts `years` (the day before the same
/// date `years` later).
pub fn default_end(start: NaiveDate, years: u32) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(years * 12))?.pred_opt()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermDates {
    pub number: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermError {
    /// The end is not after the start.
    EndBeforeStart,
    /// Term numbers go up by one: the next is `expected`.
    WrongNumber { expected: i32 },
    /// A term may start only after the previous one ends.
    OverlapsPrevious { previous_ends_on: NaiveDate },
}

/// R3: checks a new term against the body's latest term.
pub fn check_new_term(new: &TermDates, previous: Option<&TermDates>) -> Result<(), TermError> {
    if new.ends_on <= new.starts_on {
        return Err(TermError::EndBeforeStart);
    }
    let expected = previous.map_or(1, |p| p.number + 1);
    if new.number != expected {
        return Err(TermError::WrongNumber { expected });
    }
    if let Some(p) = previous
        && new.starts_on <= p.ends_on
    {
        return Err(TermError::OverlapsPrevious {
            previous_ends_on: p.ends_on,
        });
    }
    Ok(())
}

/// R4: an appointment starting on `start` within `term` runs to the term's end, whatever
/// day of the term it starts (增补). `None` when `start` is outside the term.
pub fn appointment_end(term: &TermDates, start: NaiveDate) -> Option<NaiveDate> {
    (term.starts_on..=term.ends_on).contains(&start).then_some(term.ends_on)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenewalError {
    /// Only an appointment still active (or one whose term ended into `completed`, never lapsed)
    /// can be renewed; a lapsed, resigned or dismissed one cannot.
    NotRenewable(AppointmentStatus),
    /// Renewal goes into the term right after the appointment's own.
    NotTheNextTerm {
        expected: i32,
    },
    AlreadyRenewed,
}

/// R5: may an appointment of term `from` with `status` be renewed into term `into`?
pub fn check_renewal(
    status: AppointmentStatus,
    from_term: i32,
    into_term: i32,
    already_renewed: bool,
) -> Result<(), RenewalError> {
    if status != AppointmentStatus::Active {
        return Err(RenewalError::NotRenewable(status));
    }
    if into_term != from_term + 1 {
        return Err(RenewalError::NotTheNextTerm {
            expected: from_term + 1,
        });
    }
    if already_renewed {
        return Err(RenewalError::AlreadyRenewed);
    }
    Ok(())
}

/// Where a renewal into the next term starts (R5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenewalStart {
    pub starts_on: NaiveDate,
    /// `Active` when the next term has begun (the renewed appointment completes now), else
    /// `Pending` until the term starts.
    pub status: AppointmentStatus,
}

/// R5: a renewal into a term that has already begun starts now (today, within the term); into
/// a term still to come, it waits for the term's first day.
pub fn renewal_start(next_starts_on: NaiveDate, next_ends_on: NaiveDate, today: NaiveDate) -> RenewalStart {
    if next_starts_on <= today {
        RenewalStart {
            starts_on: today.min(next_ends_on),
            status: AppointmentStatus::Active,
        }
    } else {
        RenewalStart {
            starts_on: next_starts_on,
            status: AppointmentStatus::Pending,
        }
    }
}

/// R6: what becomes of an active appointment when its term has ended on `term_end` and today
/// is `today`. `None` while the term runs. Renewed appointments end as `completed`; the others
/// lapse (逾期不续聘者自行解聘).
pub fn at_term_end(term_end: NaiveDate, today: NaiveDate, renewed: bool) -> Option<AppointmentStatus> {
    if today <= term_end {
        return None;
    }
    Some(if renewed {
        AppointmentStatus::Completed
    } else {
        AppointmentStatus::Lapsed
    })
}

/// Term-end reminders: the days-before values due on `today` for a term ending `term_end`
/// (each is due from that day until the term ends, so a missed run still sends it).
pub fn due_reminders(term_end: NaiveDate, today: NaiveDate, schedule: &[u32]) -> Vec<u32> {
    if today > term_end {
        return Vec::new();
    }
    let left = (term_end - today).num_days();
    schedule.iter().copied().filter(|d| i64::from(*d) >= left).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn term(n: i32, s: NaiveDate, e: NaiveDate) -> TermDates {
        TermDates {
            number: n,
            starts_on: s,
            ends_on: e,
        }
    }

    #[test]
    fn r3_a_term_lasts_four_years_by_default() {
        assert_eq!(default_end(d(2023, 4, 1), DEFAULT_TERM_YEARS), Some(d(2027, 3, 31)));
        assert_eq!(default_end(d(2024, 2, 29), 4), Some(d(2028, 2, 28)));
    }

    #[test]
    fn r3_terms_are_numbered_in_order_and_do_not_overlap() {
        let first = term(1, d(2023, 4, 1), d(2027, 3, 31));
        assert_eq!(check_new_term(&first, None), Ok(()));
        assert_eq!(
            check_new_term(&term(2, d(2024, 1, 1), d(2028, 1, 1)), None),
            Err(TermError::WrongNumber { expected: 1 })
        );
        assert_eq!(
            check_new_term(&term(2, d(2027, 3, 31), d(2031, 3, 30)), Some(&first)),
            Err(TermError::OverlapsPrevious {
                previous_ends_on: d(2027, 3, 31)
            })
        );
        assert_eq!(
            check_new_term(&term(2, d(2027, 4, 1), d(2031, 3, 31)), Some(&first)),
            Ok(())
        );
        assert_eq!(
            check_new_term(&term(1, d(2027, 4, 1), d(2027, 4, 1)), None),
            Err(TermError::EndBeforeStart)
        );
    }

    #[test]
    fn r4_mid_term_additions_end_with_the_term_and_term_boundaries_count() {
        let t = term(1, d(2023, 4, 1), d(2027, 3, 31));
        assert_eq!(appointment_end(&t, d(2025, 9, 15)), Some(d(2027, 3, 31)));
        assert_eq!(appointment_end(&t, d(2023, 4, 1)), Some(d(2027, 3, 31)));
        assert_eq!(appointment_end(&t, d(2027, 3, 31)), Some(d(2027, 3, 31)));
        assert_eq!(appointment_end(&t, d(2027, 4, 1)), None);
        assert_eq!(appointment_end(&t, d(2023, 3, 31)), None);
    }

    #[test]
    fn r5_renewal_goes_into_the_next_term_once_and_never_from_a_lapsed_appointment() {
        assert_eq!(check_renewal(AppointmentStatus::Active, 1, 2, false), Ok(()));
        assert_eq!(
            check_renewal(AppointmentStatus::Lapsed, 1, 2, false),
            Err(RenewalError::NotRenewable(AppointmentStatus::Lapsed))
        );
        assert_eq!(
            check_renewal(AppointmentStatus::Dismissed, 1, 2, false),
            Err(RenewalError::NotRenewable(AppointmentStatus::Dismissed))
        );
        assert_eq!(
            check_renewal(AppointmentStatus::Active, 1, 3, false),
            Err(RenewalError::NotTheNextTerm { expected: 2 })
        );
        assert_eq!(
            check_renewal(AppointmentStatus::Active, 1, 2, true),
            Err(RenewalError::AlreadyRenewed)
        );
    }

    #[test]
    fn r6_appointments_lapse_the_day_after_the_term_ends_unless_renewed() {
        let end = d(2027, 3, 31);
        assert_eq!(at_term_end(end, d(2027, 3, 31), false), None);
        assert_eq!(at_term_end(end, d(2027, 4, 1), false), Some(AppointmentStatus::Lapsed));
        assert_eq!(
            at_term_end(end, d(2027, 4, 1), true),
            Some(AppointmentStatus::Completed)
        );
    }

    #[test]
    fn reminders_are_due_from_their_day_until_the_term_ends() {
        let end = d(2027, 3, 31);
        assert!(due_reminders(end, d(2026, 12, 30), &[90, 30]).is_empty());
        assert_eq!(due_reminders(end, d(2027, 1, 1), &[90, 30]), vec![90]);
        assert_eq!(due_reminders(end, d(2027, 3, 20), &[90, 30]), vec![90, 30]);
        assert!(due_reminders(end, d(2027, 4, 1), &[90, 30]).is_empty());
    }

    #[test]
    fn r5_a_renewal_into_a_running_term_starts_now_else_with_the_term() {
        let (start, end) = (d(2027, 4, 1), d(2031, 3, 31));
        assert_eq!(
            renewal_start(start, end, d(2027, 3, 1)),
            RenewalStart {
                starts_on: start,
                status: AppointmentStatus::Pending
            }
        );
        assert_eq!(
            renewal_start(start, end, d(2027, 5, 2)),
            RenewalStart {
                starts_on: d(2027, 5, 2),
                status: AppointmentStatus::Active
            }
        );
        // A term already over: the start stays within it.
        assert_eq!(renewal_start(start, end, d(2032, 1, 1)).starts_on, end);
    }
}
