//! Scheduled work of members-service, done as the system: R6 lapse at term end (and the start
//! of renewed appointments), and term-end reminders. Each unit of work is its own write
//! transaction that re-checks its precondition, so a run is idempotent and two replicas
//! running at once never do the same work twice (PostgreSQL: `FOR UPDATE SKIP LOCKED`;
//! SQLite: `BEGIN IMMEDIATE` serialises writers).

use std::time::Duration;

use chrono::NaiveDate;
use serde::Serialize;
use service_kit::db::write_tx;
use service_kit::{ApiError, Caller, Db, DbConn};
use utoipa::ToSchema;

use super::appointing::{complete, end_with_term};
use super::events;
use crate::db::audit::{self, Change, snapshot};
use crate::db::{appointments, terms};
use crate::domain::appointments::AppointmentStatus;
use crate::domain::audit::AuditAction;
use crate::domain::terms::due_reminders;

pub const LAPSE_JOB: &str = "lapse";

/// 一次定时作业运行的结果。What one run of the scheduled jobs did.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct JobReport {
    /// 处理完毕的已结束届次数。Ended terms closed.
    pub terms_closed: u32,
    /// 以“任期届满解聘”结束的聘任数（逾期不续聘者自行解聘，R6）。Appointments lapsed (R6).
    pub lapsed: u32,
    /// 以“任期届满（已续聘）”结束的聘任数。Renewed appointments completed at their term's end.
    pub completed: u32,
    /// 随新一届开始而生效的续聘数（R5）。Renewals that started with their term (R5).
    pub activated: u32,
    /// 发出的任期届满提醒数。Term-end reminders sent.
    pub reminders_sent: u32,
}

/// One run of every scheduled task for `today`.
pub fn run_all(db: &Db, today: NaiveDate, reminder_days: &[u32]) -> Result<JobReport, ApiError> {
    let mut report = JobReport::default();
    let mut conn = db.get()?;
    let system = Caller::system(LAPSE_JOB);
    let due = terms::due_for_close(&mut conn, today)?;
    for term_id in due {
        write_tx(&mut conn, |c| close_term(c, &system, term_id, today, &mut report))?;
    }
    let pending = appointments::pending_due(&mut conn, today)?;
    for id in pending {
        write_tx(&mut conn, |c| activate(c, &system, id, &mut report))?;
    }
    // R6 for late entries: an appointment active in a term already closed (entered after the
    // close, or racing it on PostgreSQL, or a renewal activated late) ends as the close would
    // have ended it; the close never looks at its term again.
    let late = appointments::active_in_closed_terms(&mut conn)?;
    for id in late {
        write_tx(&mut conn, |c| end_late_entry(c, &system, id, today, &mut report))?;
    }
    if !reminder_days.is_empty() {
        send_reminders(&mut conn, &system, today, reminder_days, &mut report)?;
    }
    Ok(report)
}

/// R6: every active appointment of an ended term ends — `completed` if renewed, else `lapsed`
/// (逾期不续聘者自行解聘), notified.
fn close_term(
    c: &mut DbConn,
    system: &Caller,
    term_id: i64,
    today: NaiveDate,
    report: &mut JobReport,
) -> Result<(), ApiError> {
    let Some(term) = terms::lock_unprocessed(c, term_id)? else {
        return Ok(());
    };
    for a in appointments::active_in_term(c, term_id)? {
        match end_with_term(c, system, &a, term.ends_on, today)? {
            Some(AppointmentStatus::Completed) => report.completed += 1,
            Some(AppointmentStatus::Lapsed) => report.lapsed += 1,
            _ => {}
        }
    }
    terms::mark_closed(c, term_id)?;
    audit::record(
        c,
        system,
        Change {
            action: AuditAction::Close,
            entity: "term",
            entity_id: term_id,
            before: snapshot(&term),
            after: None,
            reason: Some("R6: term ended"),
        },
    )?;
    report.terms_closed += 1;
    Ok(())
}

/// Locks an appointment row still active (a second replica skips it) and ends it with its
/// closed term.
fn end_late_entry(
    c: &mut DbConn,
    system: &Caller,
    id: i64,
    today: NaiveDate,
    report: &mut JobReport,
) -> Result<(), ApiError> {
    let row = appointments::lock_active(c, id)?;
    let Some(a) = row else {
        return Ok(());
    };
    let term = terms::find(c, a.term_id)?;
    match end_with_term(c, system, &a, term.ends_on, today)? {
        Some(AppointmentStatus::Completed) => report.completed += 1,
        Some(AppointmentStatus::Lapsed) => report.lapsed += 1,
        _ => {}
    }
    Ok(())
}

/// A renewed appointment starts when its term starts.
fn activate(c: &mut DbConn, system: &Caller, id: i64, report: &mut JobReport) -> Result<(), ApiError> {
    let before = appointments::find(c, id)?;
    if before.status != AppointmentStatus::Pending {
        return Ok(());
    }
    // The previous appointment must have completed first (its term ended).
    if let Some(prev) = before.previous_appointment_id {
        let p = appointments::find(c, prev)?;
        if p.status == AppointmentStatus::Active {
            complete(c, system, &p)?;
            report.completed += 1;
        }
    }
    let after = appointments::activate(c, id)?;
    audit::record(
        c,
        system,
        Change {
            action: AuditAction::Activate,
            entity: "appointment",
            entity_id: id,
            before: snapshot(&before),
            after: snapshot(&after),
            reason: Some("R5: the renewed term started"),
        },
    )?;
    report.activated += 1;
    Ok(())
}

/// Term-end reminders: one per appointment and schedule point, recorded so it is sent once.
fn send_reminders(
    conn: &mut DbConn,
    system: &Caller,
    today: NaiveDate,
    schedule: &[u32],
    report: &mut JobReport,
) -> Result<(), ApiError> {
    for term in terms::running_on(conn, today)? {
        for days in due_reminders(term.ends_on, today, schedule) {
            for a in appointments::active_in_term(conn, term.id)? {
                write_tx(conn, |c| {
                    if !terms::record_reminder(c, term.id, a.id, days)? {
                        return Ok::<(), ApiError>(());
                    }
                    events::term_end_reminder(c, &a, days)?;
                    audit::record(
                        c,
                        system,
                        Change {
                            action: AuditAction::RemindTermEnd,
                            entity: "appointment",
                            entity_id: a.id,
                            before: None,
                            after: None,
                            reason: Some(&format!("{days} days before the term ends on {}", term.ends_on)),
                        },
                    )?;
                    report.reminders_sent += 1;
                    Ok(())
                })?;
            }
        }
    }
    Ok(())
}

/// Runs [`run_all`] now and then every `interval`, on the blocking pool.
pub fn spawn_scheduler(db: Db, interval: Duration, reminder_days: Vec<u32>) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        loop {
            let db2 = db.clone();
            let days = reminder_days.clone();
            let result = tokio::task::spawn_blocking(move || run_all(&db2, crate::clock::today(), &days)).await;
            match result {
                Ok(Ok(r)) if r.terms_closed + r.activated + r.reminders_sent > 0 => {
                    tracing::info!(?r, "scheduled membership jobs ran")
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "scheduled membership jobs failed; will retry"),
                Err(e) => tracing::warn!(error = %e, "scheduled membership jobs panicked; will retry"),
            }
            actix_web::rt::time::sleep(interval).await;
        }
    })
}
