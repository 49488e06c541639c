//! Replies to meeting notices (回执, issue 13): the personal link each notice carries, the page it
//! opens, the answer it records, and the replies the secretary reads.

use chrono::Utc;
use service_kit::clock::{local, offset_hours};
use service_kit::{ApiError, Db, DbConn};

use crate::db::models::{ActivityRow, InviteeRow, ReplyRow};
use crate::db::{activities, invitees, replies};
use crate::domain::activities::ActivityStatus;
use crate::domain::replies::{self as rule, AnswerError, LinkError, ReplyLink};

/// The links one invitee's notice carries: their reply page (none on a cancellation, which
/// takes no replies) and their own calendar feed, signed with the service's `key` (read once for
/// all the notices of a transaction).
pub fn notice_links(key: &[u8], a: &ActivityRow, inv: &InviteeRow, reply: bool) -> (Option<String>, Option<String>) {
    let reply = reply.then(|| {
        ReplyLink {
            activity_id: a.id,
            appointment_id: inv.appointment_id,
            expires: rule::link_expiry(a.held_on, offset_hours()),
        }
        .encode(key)
    });
    (reply, Some(rule::feed_link(key, inv.person_id)))
}

/// What a reply link opens.
#[derive(Debug, Clone)]
pub struct ReplyView {
    pub activity: ActivityRow,
    pub invitee: InviteeRow,
    pub reply: Option<ReplyRow>,
    /// Whether an answer may still be given or changed.
    pub open: bool,
}

/// Why a link shows no form.
#[derive(Debug)]
pub enum Refusal {
    Link(LinkError),
    /// The link is genuine but names no invitation any more (the invitee list changed).
    NotInvited,
    Db(ApiError),
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Self::Db(e)
    }
}

/// The outcome of an answer sent from the page.
#[derive(Debug)]
pub enum Answered {
    Stored(Box<ReplyView>),
    /// Refused as the domain says, with the page as it was.
    Invalid(AnswerError, Box<ReplyView>),
    /// The activity started (or was cancelled) meanwhile: nothing stored.
    Closed(Box<ReplyView>),
}

fn view(c: &mut DbConn, token: &str) -> Result<ReplyView, Refusal> {
    let key = replies::key(c)?;
    let link = ReplyLink::decode(token, &key, Utc::now().timestamp()).map_err(Refusal::Link)?;
    let activity = match activities::find(c, link.activity_id) {
        Ok(a) => a,
        Err(e) if e.status().as_u16() == 404 => return Err(Refusal::NotInvited),
        Err(e) => return Err(e.into()),
    };
    let invitee = match invitees::find(c, link.activity_id, link.appointment_id) {
        Ok(i) => i,
        Err(e) if e.status().as_u16() == 404 => return Err(Refusal::NotInvited),
        Err(e) => return Err(e.into()),
    };
    let reply = replies::find(c, link.activity_id, link.appointment_id)?;
    let start = rule::starts_at(activity.held_on, activity.starts_at.as_deref());
    let open = rule::open_for_replies(
        start,
        local(Utc::now().naive_utc()),
        activity.status == ActivityStatus::Cancelled,
    );
    Ok(ReplyView {
        activity,
        invitee,
        reply,
        open,
    })
}

/// What the link `token` opens.
pub async fn open(db: &Db, token: String) -> Result<ReplyView, Refusal> {
    match db.run(move |c| Ok(view(c, &token))).await {
        Ok(r) => r,
        Err(e) => Err(Refusal::Db(e)),
    }
}

/// Records the answer sent with link `token` (参加, or 请假 with its reason) while replies are
/// open, keeping every earlier answer in the history.
pub async fn answer(
    db: &Db,
    token: String,
    answer: Option<String>,
    reason: Option<String>,
) -> Result<Answered, Refusal> {
    let r = db
        .write(move |c| {
            let v = match view(c, &token) {
                Ok(v) => v,
                Err(refusal) => return Ok(Err(refusal)),
            };
            if !v.open {
                return Ok(Ok(Answered::Closed(Box::new(v))));
            }
            let checked = match rule::check_answer(answer.as_deref(), reason.as_deref()) {
                Ok(a) => a,
                Err(e) => return Ok(Ok(Answered::Invalid(e, Box::new(v)))),
            };
            let ids = (v.activity.id, v.invitee.appointment_id, v.invitee.person_id);
            let stored = replies::answer(c, ids, &checked, Utc::now().naive_utc())?;
            tracing::info!(
                activity_id = ids.0,
                appointment_id = ids.1,
                answer = checked.answer.as_str(),
                "reply recorded"
            );
            Ok(Ok(Answered::Stored(Box::new(ReplyView {
                reply: Some(stored),
                ..v
            }))))
        })
        .await;
    match r {
        Ok(r) => r,
        Err(e) => Err(Refusal::Db(e)),
    }
}

/// An activity's invitees, their replies and the reminders sent to them.
#[derive(Debug, Clone)]
pub struct RepliesOf {
    pub activity: ActivityRow,
    pub invitees: Vec<InviteeRow>,
    pub replies: Vec<ReplyRow>,
    /// (appointment, days before) of each reminder sent.
    pub reminders: Vec<(i64, i32)>,
}

/// The activity, its invitees, their replies and reminders.
pub async fn of_activity(db: &Db, id: i64) -> Result<RepliesOf, ApiError> {
    db.run(move |c| {
        Ok(RepliesOf {
            activity: activities::find(c, id)?,
            invitees: invitees::of_activity(c, id)?,
            replies: replies::of_activity(c, id)?,
            reminders: replies::reminders_of_activity(c, id)?,
        })
    })
    .await
}

/// What a 签到表 prints: the activity, each invitee and their reply (for documents-service).
pub async fn sign_in_facts(db: &Db, id: i64) -> Result<alliance_events::SignInFacts, ApiError> {
    let RepliesOf {
        activity,
        invitees,
        replies,
        ..
    } = of_activity(db, id).await?;
    let rows = invitees
        .into_iter()
        .map(|i| {
            let r = replies.iter().find(|r| r.appointment_id == i.appointment_id);
            alliance_events::SignInRow {
                appointment_id: i.appointment_id,
                person_name: i.person_name,
                unit_name: i.unit_name,
                post: i.post,
                post_label: i.post_label,
                answer: r.map(|r| r.answer),
                reason: r.and_then(|r| r.reason.clone()),
            }
        })
        .collect();
    Ok(alliance_events::SignInFacts {
        activity: crate::events::activity_facts(&activity)?,
        status: activity.status,
        invitees: rows,
    })
}
