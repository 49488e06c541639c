//! Activities and their invitees: scheduling (with the invitees read from members-service and
//! the 会议通知 enqueued), changing, rescheduling and cancelling (R13 re-evaluated for those
//! recorded), and reading the invitees again while the activity lies ahead.
//!
//! Invitees are the body's active appointees on the activity's date, read from members-service
//! when the activity is created, again when its date changes or on refresh while it lies ahead,
//! and never again once attendance is recorded: the record stays true after people leave.

use alliance_events::NoticeOccasion;
use chrono::{NaiveDate, Utc};
use service_kit::clock::today;
use service_kit::pagination::{Page, Window};
use service_kit::peer::Peers;
use service_kit::{ApiError, Code, Db, DbConn, FieldError, OutboxWaker};

use super::{Ctx, absence, replies};
use crate::db::models::{ActivityChanges, ActivityRow, InviteeRow, NewActivityRow, NewInviteeRow};
use crate::db::{activities, annual, attendance, invitees};
use crate::domain::activities::{ActivityStatus, ActivityUpdate, CheckedUpdate, NewActivity, opt_text};
use crate::domain::agenda::AgendaItem;
use crate::domain::annual::AnnualDocumentKind;
use crate::domain::attendance::AttendanceStatus;
use crate::domain::work_year::WorkYearStart;
use crate::events;
use crate::members::{self, AppointmentFacts};

/// An activity, its invitees, and (appointment id, attendance status) of those recorded.
#[derive(Debug, Clone)]
pub struct Invitations {
    pub activity: ActivityRow,
    pub invitees: Vec<InviteeRow>,
    pub marks: Vec<(i64, AttendanceStatus)>,
}

/// A scheduled activity: new, or the one made earlier with the same `Idempotency-Key`.
#[derive(Debug, Clone)]
pub enum Scheduled {
    New(ActivityRow),
    Earlier(ActivityRow),
}

fn cancelled(id: i64) -> ApiError {
    ApiError::conflict(Code::ActivityCancelled, format!("activity {id} is cancelled"))
}

fn attendance_recorded() -> ApiError {
    ApiError::conflict(
        Code::AttendanceRecorded,
        "attendance is recorded for this activity; its date can no longer change",
    )
}

/// R19: the report and plan named in the agenda exist for the body.
fn check_attachments(c: &mut DbConn, body_id: i64, items: &[AgendaItem]) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        for (field, kind, year) in [
            (
                "work_report_year",
                AnnualDocumentKind::WorkReport,
                item.work_report_year,
            ),
            ("work_plan_year", AnnualDocumentKind::WorkPlan, item.work_plan_year),
        ] {
            let Some(year) = year else { continue };
            if !annual::exists(c, body_id, kind, year)? {
                let page = match kind {
                    AnnualDocumentKind::WorkPlan => "plan",
                    AnnualDocumentKind::WorkReport => "report",
                };
                errors.push(FieldError::new(
                    format!("agenda[{i}].{field}"),
                    Code::R19DocumentMissing,
                    format!(
                        "body {body_id} has no {kind} for {year}; add it under /bodies/{body_id}/work-{page}s first"
                    ),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// The body's appointees on `on`, as members-service reports them (defensively filtered).
pub async fn fetch_invitees(peers: &Peers, body_id: i64, on: NaiveDate) -> Result<Vec<AppointmentFacts>, ApiError> {
    let mut facts = members::active_on(peers, body_id, on).await?;
    facts.retain(|f| f.body_id == body_id && members::span(f).covers(on));
    facts.sort_by_key(|f| f.appointment_id);
    facts.dedup_by_key(|f| f.appointment_id);
    Ok(facts)
}

/// Replaces the activity's invitees with `facts` (only while no attendance is recorded).
fn store_invitees(c: &mut DbConn, activity_id: i64, facts: &[AppointmentFacts]) -> Result<Vec<InviteeRow>, ApiError> {
    let rows: Vec<NewInviteeRow> = facts
        .iter()
        .map(|f| NewInviteeRow {
            activity_id,
            appointment_id: f.appointment_id,
            person_id: f.person_id,
            person_name: f.person_name.clone(),
            person_email: f.person_email.clone(),
            unit_id: f.unit_id,
            unit_name: f.unit_name.clone(),
            post: f.post.clone(),
            post_label: f.post_label.clone(),
            appointment_starts_on: f.starts_on,
            appointment_ends_on: f.ends_on,
            appointment_ended_on: f.ended_on,
        })
        .collect();
    invitees::replace(c, activity_id, &rows)?;
    let fetched = ActivityChanges {
        invitees_fetched_at: Some(Some(Utc::now().naive_utc())),
        body_name: facts.first().map(|f| f.body_name.clone()),
        ..ActivityChanges::default()
    };
    activities::update(c, activity_id, &fetched)?;
    invitees::of_activity(c, activity_id)
}

/// One 会议通知 event per invitee with an e-mail address; `occasion` says which: those not
/// invited before (`earlier`) get the invitation even when the others get a change.
fn send_notices(
    c: &mut DbConn,
    a: &ActivityRow,
    list: &[InviteeRow],
    occasion: NoticeOccasion,
    earlier: Option<&[InviteeRow]>,
) -> Result<usize, ApiError> {
    let key = crate::db::replies::key(c)?;
    let mut sent = 0;
    for i in list {
        let was_invited = earlier.is_none_or(|e| e.iter().any(|x| x.appointment_id == i.appointment_id));
        let occasion = if was_invited {
            occasion
        } else {
            NoticeOccasion::Invitation
        };
        let links = replies::notice_links(&key, a, i, !occasion.withdraws());
        if events::meeting_notice(c, a, i, occasion, links)?.is_some() {
            sent += 1;
        }
    }
    Ok(sent)
}

/// The invitees of `earlier` who are not on `now`: their invitation is withdrawn.
fn dropped(earlier: &[InviteeRow], now: &[InviteeRow]) -> Vec<InviteeRow> {
    earlier
        .iter()
        .filter(|e| !now.iter().any(|n| n.appointment_id == e.appointment_id))
        .cloned()
        .collect()
}

/// After the invitees were read again for a people change: newcomers get the invitation, those
/// no longer on the list its withdrawal (会议邀请撤回通知, which raises the calendar's SEQUENCE).
/// Nothing when the activity sends no notices.
fn notify_list_change(c: &mut DbConn, id: i64, earlier: &[InviteeRow], now: &[InviteeRow]) -> Result<usize, ApiError> {
    let mut row = activities::find(c, id)?;
    if !row.send_notices {
        return Ok(0);
    }
    let gone = dropped(earlier, now);
    if !gone.is_empty() {
        row.sequence = row.sequence.saturating_add(1);
        let raised = ActivityChanges {
            sequence: Some(row.sequence),
            ..ActivityChanges::default()
        };
        activities::update(c, id, &raised)?;
    }
    let added: Vec<InviteeRow> = now
        .iter()
        .filter(|n| !earlier.iter().any(|e| e.appointment_id == n.appointment_id))
        .cloned()
        .collect();
    Ok(send_notices(c, &row, &added, NoticeOccasion::Invitation, None)?
        + send_notices(c, &row, &gone, NoticeOccasion::Withdrawal, None)?)
}

fn load_invitations(c: &mut DbConn, id: i64) -> Result<Invitations, ApiError> {
    Ok(Invitations {
        activity: activities::find(c, id)?,
        invitees: invitees::of_activity(c, id)?,
        marks: attendance::marks_of_activity(c, id)?,
    })
}

/// One page of activities.
pub async fn list(db: &Db, filter: activities::Filter, w: Window) -> Result<Page<ActivityRow>, ApiError> {
    db.run(move |c| activities::list(c, filter, w)).await
}

/// One activity.
pub async fn get(db: &Db, id: i64) -> Result<ActivityRow, ApiError> {
    db.run(move |c| activities::find(c, id)).await
}

/// The activity's invitees with their attendance.
pub async fn invitations(db: &Db, id: i64) -> Result<Invitations, ApiError> {
    db.run(move |c| load_invitations(c, id)).await
}

fn new_row(
    n: &NewActivity,
    starts_at: Option<String>,
    created_by: String,
    key: Option<String>,
) -> Result<NewActivityRow, ApiError> {
    let now = Utc::now().naive_utc();
    Ok(NewActivityRow {
        body_id: n.body_id,
        kind: n.kind,
        title: n.title.trim().to_owned(),
        held_on: n.held_on,
        place: n.place.trim().to_owned(),
        description: n.description.trim().to_owned(),
        status: ActivityStatus::Scheduled,
        created_at: now,
        updated_at: now,
        body_name: String::new(),
        starts_at,
        agenda: serde_json::to_string(&n.agenda).map_err(ApiError::internal)?,
        reply_by: n.reply_by,
        contact_name: opt_text(n.contact_name.clone()),
        contact_phone: opt_text(n.contact_phone.clone()),
        send_notices: n.send_notices,
        created_by,
        invitees_fetched_at: None,
        idempotency_key: key,
    })
}

/// Schedules a checked activity (`starts_at` normalised): its invitees read from
/// members-service now, the 会议通知 enqueued with it when asked. The same `key` returns the
/// activity made earlier instead.
pub async fn create(
    Ctx { db, peers, waker, .. }: Ctx<'_>,
    created_by: String,
    n: NewActivity,
    starts_at: Option<String>,
    key: Option<String>,
) -> Result<Scheduled, ApiError> {
    if let Some(k) = key.clone()
        && let Some(earlier) = db.run(move |c| activities::by_key(c, &k)).await?
    {
        return Ok(Scheduled::Earlier(earlier));
    }
    let facts = fetch_invitees(peers, n.body_id, n.held_on).await?;
    let (row, notices, fresh) = db
        .write(move |c| {
            // A concurrent request with the same key may have won the race.
            if let Some(k) = &key
                && let Some(earlier) = activities::by_key(c, k)?
            {
                return Ok((earlier, 0, false));
            }
            check_attachments(c, n.body_id, &n.agenda)?;
            let row = activities::insert(c, &new_row(&n, starts_at, created_by, key)?)?;
            let list = store_invitees(c, row.id, &facts)?;
            let row = activities::find(c, row.id)?;
            let notices = if row.send_notices {
                send_notices(c, &row, &list, NoticeOccasion::Invitation, None)?
            } else {
                0
            };
            Ok((row, notices, true))
        })
        .await?;
    if !fresh {
        return Ok(Scheduled::Earlier(row));
    }
    if notices > 0 {
        waker.wake();
    }
    tracing::info!(activity_id = row.id, notices, "activity scheduled");
    Ok(Scheduled::New(row))
}

/// Whether a change moves the activity (date, time or place) as its invitees see it: a new
/// invitation version (SEQUENCE) and a 会议变更通知.
fn moves(before: &ActivityRow, u: &ActivityUpdate, checked: &CheckedUpdate) -> bool {
    let time = checked.starts_at.as_ref().is_some_and(|t| *t != before.starts_at);
    let place = u.place.as_deref().is_some_and(|p| p.trim() != before.place);
    checked.rescheduled || time || place
}

/// The one UPDATE a change makes (its new date only with the invitees read for it).
fn changes(
    u: &ActivityUpdate,
    checked: &CheckedUpdate,
    reschedule: bool,
    sequence: Option<i32>,
) -> Result<ActivityChanges, ApiError> {
    let now = Utc::now().naive_utc();
    let cancel = checked.cancel_reason.as_ref();
    Ok(ActivityChanges {
        title: u.title.as_deref().map(|t| t.trim().to_owned()),
        held_on: reschedule.then_some(checked.held_on),
        place: u.place.as_deref().map(|p| p.trim().to_owned()),
        description: u.description.as_deref().map(|d| d.trim().to_owned()),
        starts_at: checked.starts_at.clone(),
        agenda: u
            .agenda
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(ApiError::internal)?,
        reply_by: u.reply_by,
        contact_name: u.contact_name.clone().map(opt_text),
        contact_phone: u.contact_phone.clone().map(opt_text),
        status: cancel.map(|_| ActivityStatus::Cancelled),
        cancelled_at: cancel.map(|_| Some(now)),
        cancel_reason: cancel.map(|r| Some(r.clone())),
        body_name: None,
        invitees_fetched_at: None,
        updated_at: Some(now),
        sequence,
    })
}

/// Inside the write transaction: the change in one UPDATE, the invitees and notices of a new
/// date, and R13 again for everyone recorded at a cancelled activity. Whether events were
/// enqueued.
fn apply_update(
    c: &mut DbConn,
    id: i64,
    u: &ActivityUpdate,
    checked: &CheckedUpdate,
    facts: Option<&[AppointmentFacts]>,
    work_year: WorkYearStart,
) -> Result<bool, ApiError> {
    let before = activities::find(c, id)?;
    if before.status == ActivityStatus::Cancelled {
        return Err(cancelled(id));
    }
    if let Some(a) = &u.agenda {
        check_attachments(c, before.body_id, a)?;
    }
    if facts.is_some() && attendance::count_of_activity(c, id)? > 0 {
        return Err(attendance_recorded());
    }
    let moved = moves(&before, u, checked);
    let cancelling = checked.cancel_reason.is_some();
    let sequence = (moved || cancelling).then(|| before.sequence.saturating_add(1));
    activities::update(c, id, &changes(u, checked, facts.is_some(), sequence)?)?;
    let mut emitted = false;
    let earlier = invitees::of_activity(c, id)?;
    let list = match facts {
        Some(facts) => store_invitees(c, id, facts)?,
        None => earlier.clone(),
    };
    let row = activities::find(c, id)?;
    // Only while it lies ahead: a past activity's record may be corrected without mail.
    let ahead = before.held_on >= today() || row.held_on >= today();
    if row.send_notices && ahead && (moved || cancelling) {
        // The same invitation, updated (会议变更通知) or withdrawn (会议取消通知); those a new
        // date brought in are invited.
        let occasion = if cancelling {
            NoticeOccasion::Cancellation
        } else {
            NoticeOccasion::Change
        };
        emitted |= send_notices(c, &row, &list, occasion, Some(&earlier))? > 0;
        // Those the new date leaves out (their appointment ends before it) are told too.
        let gone = dropped(&earlier, &list);
        let withdrawn = if cancelling {
            NoticeOccasion::Cancellation
        } else {
            NoticeOccasion::Withdrawal
        };
        emitted |= send_notices(c, &row, &gone, withdrawn, None)? > 0;
    }
    if let Some(reason) = &checked.cancel_reason {
        // Absences at a cancelled activity no longer count (R13).
        let why = format!("活动“{}”已取消：{reason}", before.title);
        for appointment_id in attendance::appointments_of_activity(c, id)? {
            emitted |= absence::reevaluate(c, appointment_id, None, work_year, &why)?.emitted();
        }
    }
    Ok(emitted)
}

/// Changes, reschedules or cancels an activity; `authorize` decides, once the activity is
/// known, whether the caller may.
pub async fn update(
    Ctx {
        db,
        peers,
        waker,
        work_year,
    }: Ctx<'_>,
    id: i64,
    authorize: impl FnOnce(&ActivityRow) -> Result<(), ApiError>,
    u: ActivityUpdate,
) -> Result<ActivityRow, ApiError> {
    let current = db.run(move |c| activities::find(c, id)).await?;
    authorize(&current)?;
    if current.status == ActivityStatus::Cancelled {
        return Err(cancelled(id));
    }
    let checked = u
        .check(current.kind, current.held_on, current.reply_by)
        .map_err(ApiError::validation)?;
    let facts = if checked.rescheduled {
        if db.run(move |c| attendance::count_of_activity(c, id)).await? > 0 {
            return Err(attendance_recorded());
        }
        Some(fetch_invitees(peers, current.body_id, checked.held_on).await?)
    } else {
        None
    };
    let (row, emitted) = db
        .write(move |c| {
            let emitted = apply_update(c, id, &u, &checked, facts.as_deref(), work_year)?;
            Ok((activities::find(c, id)?, emitted))
        })
        .await?;
    if emitted {
        waker.wake();
    }
    Ok(row)
}

/// 409 `invitees_frozen` when the activity is held, past, cancelled or has attendance recorded.
fn frozen(a: &ActivityRow, recorded: i64) -> Result<(), ApiError> {
    if a.status == ActivityStatus::Cancelled || a.held_on < today() || recorded > 0 {
        Err(ApiError::conflict(
            Code::InviteesFrozen,
            "the activity is held, past or cancelled: its invitees stay as they were",
        ))
    } else {
        Ok(())
    }
}

/// Reads an activity's invitees again from members-service and stores them, unless it is held,
/// past, cancelled or has attendance recorded (409 `invitees_frozen`).
async fn refresh(db: &Db, peers: &Peers, waker: &OutboxWaker, a: ActivityRow) -> Result<Invitations, ApiError> {
    let id = a.id;
    frozen(&a, db.run(move |c| attendance::count_of_activity(c, id)).await?)?;
    let facts = fetch_invitees(peers, a.body_id, a.held_on).await?;
    let held_on = a.held_on;
    db.write(move |c| {
        let now = activities::find(c, id)?;
        frozen(&now, attendance::count_of_activity(c, id)?)?;
        if now.held_on != held_on {
            return Err(ApiError::conflict(
                Code::ConcurrentUpdate,
                "the activity was rescheduled meanwhile; retry",
            ));
        }
        let earlier = invitees::of_activity(c, id)?;
        let list = store_invitees(c, id, &facts)?;
        let sent = notify_list_change(c, id, &earlier, &list)?;
        Ok((load_invitations(c, id)?, sent > 0))
    })
    .await
    .map(|(invitations, sent)| {
        if sent {
            waker.wake();
        }
        invitations
    })
}

/// Reads the invitees again (see [`refresh`]); `authorize` decides once the activity is known.
pub async fn refresh_invitees(
    db: &Db,
    peers: &Peers,
    waker: &OutboxWaker,
    id: i64,
    authorize: impl FnOnce(&ActivityRow) -> Result<(), ApiError>,
) -> Result<Invitations, ApiError> {
    let a = db.run(move |c| activities::find(c, id)).await?;
    authorize(&a)?;
    refresh(db, peers, waker, a).await
}

/// A people change of a body (`body.members_changed`): the invitees of its coming activities
/// are read again; those frozen meanwhile keep theirs. The ids of the activities refreshed.
pub async fn body_members_changed(
    db: &Db,
    peers: &Peers,
    waker: &OutboxWaker,
    body_id: i64,
) -> Result<Vec<i64>, ApiError> {
    let from = today();
    let ahead = db.run(move |c| activities::ahead_of_body(c, body_id, from)).await?;
    let mut refreshed = Vec::new();
    for id in ahead {
        let a = db.run(move |c| activities::find(c, id)).await?;
        match refresh(db, peers, waker, a).await {
            Ok(_) => refreshed.push(id),
            // Frozen meanwhile (attendance recorded) or rescheduled (which read the list anew).
            Err(e) if e.status().as_u16() == 409 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(refreshed)
}
