//! Reminders of meeting notices (issue 13): on the configured days before an activity (7 and 1
//! by default, `MEETINGS_REMINDER_DAYS`), each invitee with an e-mail address who has not replied
//! gets a 会议提醒 with the same reply link and invitation. Each is recorded with the event that
//! sends it, in one transaction that first checks it was not sent, so two replicas running at once
//! send it once (SQLite serialises writers; on PostgreSQL the unique key refuses the second,
//! whose transaction then sends nothing).

use std::time::Duration;

use alliance_events::NoticeOccasion;
use chrono::NaiveDate;
use service_kit::db::write_tx;
use service_kit::{ApiError, Db};

use super::replies as reply_links;
use crate::db::{activities, invitees, replies};
use crate::domain::replies::due_reminder;
use crate::events;

/// The default points: a week and a day before.
pub const DEFAULT_DAYS: [u32; 2] = [7, 1];

/// One pass for `today`: the reminders sent.
pub fn run(db: &Db, today: NaiveDate, days: &[u32]) -> Result<usize, ApiError> {
    let Some(furthest) = days.iter().copied().max() else {
        return Ok(0);
    };
    let mut conn = db.get()?;
    let key = replies::key(&mut conn)?;
    let until = today + chrono::Duration::days(i64::from(furthest));
    let mut sent = 0;
    for id in activities::with_notices_between(&mut conn, today, until)? {
        let a = activities::find(&mut conn, id)?;
        let Some(point) = due_reminder(a.held_on, today, days) else {
            continue;
        };
        for inv in invitees::of_activity(&mut conn, id)? {
            if inv.person_email.as_deref().is_none_or(|e| e.trim().is_empty()) {
                continue;
            }
            let result = write_tx(&mut conn, |c| {
                if replies::find(c, id, inv.appointment_id)?.is_some()
                    || !replies::record_reminder(c, id, inv.appointment_id, point)?
                {
                    return Ok::<bool, ApiError>(false);
                }
                let links = reply_links::notice_links(&key, &a, &inv, true);
                events::meeting_notice(c, &a, &inv, NoticeOccasion::Reminder, links)?;
                Ok(true)
            });
            match result {
                Ok(true) => sent += 1,
                Ok(false) => {}
                // Another replica recorded it between our check and our insert (PostgreSQL).
                Err(e) if e.code() == service_kit::Code::Conflict => {}
                Err(e) => return Err(e),
            }
        }
    }
    if sent > 0 {
        db.outbox_waker().wake();
    }
    Ok(sent)
}

/// Runs [`run`] now and then every `every`, on the blocking pool.
pub fn spawn_scheduler(db: Db, every: Duration, days: Vec<u32>) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        loop {
            let (db2, days2) = (db.clone(), days.clone());
            let result = tokio::task::spawn_blocking(move || run(&db2, service_kit::clock::today(), &days2)).await;
            match result {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(sent = n, "meeting reminders sent"),
                Ok(Err(e)) => tracing::warn!(error = %e, "meeting reminders failed; will retry"),
                Err(e) => tracing::warn!(error = %e, "meeting reminders panicked; will retry"),
            }
            actix_web::rt::time::sleep(every).await;
        }
    })
}

#[cfg(test)]
mod tests {
    //! Reminders against the real schema, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL,
    //! with the day set by the test.

    use chrono::{NaiveDate, Utc};
    use diesel::prelude::*;
    use service_kit::outbox::outbox_events;
    use test_db::test_databases;

    use super::*;
    use crate::db::MIGRATIONS;
    use crate::db::models::{NewActivityRow, NewInviteeRow};
    use crate::db::schema::{activities as act, invitees as inv};
    use crate::domain::activities::{ActivityKind, ActivityStatus};
    use crate::domain::replies::check_answer;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn activity(c: &mut service_kit::DbConn, held_on: NaiveDate) -> i64 {
        let id: i64 = diesel::insert_into(act::table)
            .values(&NewActivityRow {
                send_notices: true,
                invitees_fetched_at: Some(Utc::now().naive_utc()),
                ..NewActivityRow::for_test(
                    1,
                    ActivityKind::Thematic,
                    "专题会议",
                    held_on,
                    ActivityStatus::Scheduled,
                )
            })
            .returning(act::id)
            .get_result(c)
            .unwrap_or_else(|e| panic!("{e}"));
        for (appointment, email) in [(10, Some("a@example.cn")), (11, Some("b@example.cn")), (12, None)] {
            diesel::insert_into(inv::table)
                .values(&NewInviteeRow::for_test(
                    id,
                    appointment,
                    &format!("委员{appointment}"),
                    email,
                ))
                .execute(c)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        id
    }

    fn reminder_events(c: &mut service_kit::DbConn) -> Vec<String> {
        outbox_events::table
            .filter(outbox_events::kind.eq("notice.send"))
            .select(outbox_events::payload)
            .load::<String>(c)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .filter(|p| p.contains("\"occasion\":\"reminder\""))
            .collect()
    }

    #[test]
    fn each_non_replying_invitee_gets_one_reminder_per_point_even_from_two_replicas() {
        for t in test_databases("meetings_reminders", || MIGRATIONS) {
            let mut c = t.db.get().unwrap_or_else(|e| panic!("{e}"));
            let held = d(2026, 12, 10);
            let id = activity(&mut c, held);
            // Invitee 11 answered already: no reminder for them.
            let answer = check_answer(Some("attend"), None).unwrap_or_else(|e| panic!("{e:?}"));
            replies::answer(&mut c, (id, 11, 111), &answer, Utc::now().naive_utc()).unwrap_or_else(|e| panic!("{e}"));
            drop(c);

            assert_eq!(
                run(&t.db, d(2026, 12, 2), &DEFAULT_DAYS).ok(),
                Some(0),
                "{:?}",
                t.backend
            );
            // Seven days before, twice at once (two replicas): one reminder, to invitee 10 only
            // (12 has no address).
            let (db1, db2) = (t.db.clone(), t.db.clone());
            let first = std::thread::spawn(move || run(&db1, d(2026, 12, 3), &DEFAULT_DAYS));
            let second = std::thread::spawn(move || run(&db2, d(2026, 12, 3), &DEFAULT_DAYS));
            let sent: usize = [first, second]
                .into_iter()
                .map(|h| h.join().ok().and_then(Result::ok).unwrap_or(0))
                .sum();
            assert_eq!(sent, 1, "{:?}", t.backend);
            assert_eq!(run(&t.db, d(2026, 12, 4), &DEFAULT_DAYS).ok(), Some(0));
            // The day before: the second point.
            assert_eq!(run(&t.db, d(2026, 12, 9), &DEFAULT_DAYS).ok(), Some(1));
            assert_eq!(run(&t.db, d(2026, 12, 9), &DEFAULT_DAYS).ok(), Some(0));
            let mut c = t.db.get().unwrap_or_else(|e| panic!("{e}"));
            let events = reminder_events(&mut c);
            assert_eq!(events.len(), 2, "{events:?}");
            assert!(events.iter().all(|e| e.contains("\"appointment_id\":10")), "{events:?}");
            assert!(events.iter().all(|e| e.contains("\"reply_link\":\"")), "{events:?}");
            assert_eq!(
                replies::reminders_of_activity(&mut c, id).ok(),
                Some(vec![(10, 1), (10, 7)])
            );
        }
    }
}
