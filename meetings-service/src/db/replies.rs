//! Queries of `replies`, `reply_history` and `reply_keys` (回执, issue 13).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use service_kit::{ApiError, DbConn};

use super::models::{NewReplyHistory, ReplyRow};
use super::schema::{reminders as r, replies as t, reply_history as h, reply_keys as k};
use crate::domain::replies::{Answer, ReplyAnswer};

/// The key reply links are signed with (made by the migration).
pub fn key(c: &mut DbConn) -> Result<Vec<u8>, ApiError> {
    let secret: String = k::table.find(1).select(k::secret).first(c)?;
    Ok(secret.into_bytes())
}

/// The invitee's answer, if any.
pub fn find(c: &mut DbConn, activity_id: i64, appointment_id: i64) -> Result<Option<ReplyRow>, ApiError> {
    Ok(t::table
        .filter(t::activity_id.eq(activity_id))
        .filter(t::appointment_id.eq(appointment_id))
        .select(ReplyRow::as_select())
        .first(c)
        .optional()?)
}

/// Every answer to the activity, by appointment.
pub fn of_activity(c: &mut DbConn, activity_id: i64) -> Result<Vec<ReplyRow>, ApiError> {
    Ok(t::table
        .filter(t::activity_id.eq(activity_id))
        .order(t::appointment_id)
        .select(ReplyRow::as_select())
        .load(c)?)
}

/// Stores an answer (the first, or a change of the stored one) and appends it to the history,
/// in the caller's transaction.
pub fn answer(
    c: &mut DbConn,
    (activity_id, appointment_id, person_id): (i64, i64, i64),
    a: &Answer,
    now: NaiveDateTime,
) -> Result<ReplyRow, ApiError> {
    match find(c, activity_id, appointment_id)? {
        Some(r) => {
            diesel::update(t::table.find(r.id))
                .set((
                    t::answer.eq(a.answer),
                    t::reason.eq(a.reason.as_deref()),
                    t::answered_at.eq(now),
                    t::changes.eq(r.changes.saturating_add(1)),
                ))
                .execute(c)?;
        }
        None => {
            diesel::insert_into(t::table)
                .values((
                    t::activity_id.eq(activity_id),
                    t::appointment_id.eq(appointment_id),
                    t::person_id.eq(person_id),
                    t::answer.eq(a.answer),
                    t::reason.eq(a.reason.as_deref()),
                    t::answered_at.eq(now),
                ))
                .execute(c)?;
        }
    }
    diesel::insert_into(h::table)
        .values(&NewReplyHistory {
            activity_id,
            appointment_id,
            answer: a.answer,
            reason: a.reason.clone(),
            answered_at: now,
        })
        .execute(c)?;
    find(c, activity_id, appointment_id)?.ok_or_else(|| ApiError::internal("the reply just stored is gone"))
}

/// The stored answer as the domain reads it.
pub fn as_answer(r: &ReplyRow) -> Answer {
    Answer {
        answer: r.answer,
        reason: r.reason.clone(),
    }
}

/// Records that the reminder `days` before is sent to this invitee; false when it was already
/// (by this or another replica).
pub fn record_reminder(c: &mut DbConn, activity_id: i64, appointment_id: i64, days: u32) -> Result<bool, ApiError> {
    let days = i32::try_from(days).unwrap_or(i32::MAX);
    let sent: i64 = r::table
        .filter(r::activity_id.eq(activity_id))
        .filter(r::appointment_id.eq(appointment_id))
        .filter(r::days_before.eq(days))
        .count()
        .get_result(c)?;
    if sent > 0 {
        return Ok(false);
    }
    diesel::insert_into(r::table)
        .values((
            r::activity_id.eq(activity_id),
            r::appointment_id.eq(appointment_id),
            r::days_before.eq(days),
            r::sent_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(c)?;
    Ok(true)
}

/// (appointment, days before) of every reminder sent for the activity.
pub fn reminders_of_activity(c: &mut DbConn, activity_id: i64) -> Result<Vec<(i64, i32)>, ApiError> {
    Ok(r::table
        .filter(r::activity_id.eq(activity_id))
        .order((r::appointment_id, r::days_before))
        .select((r::appointment_id, r::days_before))
        .load(c)?)
}

/// (activity, appointment, answer) of every reply to the given activities.
pub fn answers_of_activities(c: &mut DbConn, activity_ids: &[i64]) -> Result<Vec<(i64, i64, ReplyAnswer)>, ApiError> {
    Ok(t::table
        .filter(t::activity_id.eq_any(activity_ids))
        .select((t::activity_id, t::appointment_id, t::answer))
        .load(c)?)
}
