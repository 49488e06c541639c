//! A body's calendar feed (issue 13): its activities of the last year and all coming ones, as
//! one iCalendar object (`METHOD:PUBLISH`) that calendar programs subscribe to. The events carry
//! the UIDs and SEQUENCEs of the invitations mailed with the 会议通知, so a subscriber who also
//! accepted an invitation sees one event, updated, not two.

use chrono::Duration;
use service_kit::calendar::{self, Meeting, Method};
use service_kit::clock::today;
use service_kit::{ApiError, Db};

use crate::db::models::ActivityRow;
use crate::db::{activities, replies};
use crate::domain::activities::ActivityStatus;
use crate::domain::agenda::AgendaItem;
use crate::domain::replies::{LinkError, read_feed_link};

/// How far back the feed reaches, and how many activities it holds at most.
const PAST: Duration = Duration::days(366);
const MAX_EVENTS: i64 = 1000;

/// The description of an activity in the feed: its text and its agenda.
fn description(a: &ActivityRow) -> String {
    let mut out = a.description.trim().to_owned();
    let agenda: Vec<AgendaItem> = serde_json::from_str(&a.agenda).unwrap_or_default();
    if !agenda.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str("会议议程：");
        for (i, item) in agenda.iter().enumerate() {
            out.push_str(&format!("\n{}. {}", i + 1, item.line()));
        }
    }
    if let Some(reason) = a.cancel_reason.as_deref() {
        out.insert_str(0, &format!("已取消：{reason}\n"));
    }
    out
}

/// The feed's text for `rows` of a body called `body_name` (pure).
pub fn feed(body_name: &str, rows: &[ActivityRow]) -> String {
    let descriptions: Vec<String> = rows.iter().map(description).collect();
    let meetings: Vec<Meeting<'_>> = rows
        .iter()
        .zip(&descriptions)
        .map(|(a, d)| Meeting {
            uid: calendar::uid(a.id, a.created_at),
            sequence: u32::try_from(a.sequence).unwrap_or(0),
            summary: &a.title,
            description: d,
            location: &a.place,
            held_on: a.held_on,
            starts_at: calendar::parse_time(a.starts_at.as_deref()),
            cancelled: a.status == ActivityStatus::Cancelled,
            url: None,
            organizer: None,
            attendee: None,
            stamp: a.updated_at.and_utc(),
            alarm: false,
        })
        .collect();
    let name = format!("技工联盟·{body_name}");
    calendar::calendar(Method::Publish, Some(&name), &meetings)
}

/// The feed of body `body_id` (empty when it has no activities in reach).
pub async fn body_feed(db: &Db, body_id: i64) -> Result<String, ApiError> {
    let from = today() - PAST;
    let rows = db
        .run(move |c| activities::of_body_since(c, body_id, from, MAX_EVENTS))
        .await?;
    let name = rows
        .iter()
        .rev()
        .map(|r| r.body_name.trim())
        .find(|n| !n.is_empty())
        .map_or_else(|| format!("机构{body_id}"), str::to_owned);
    Ok(feed(&name, &rows))
}

/// The feed of the person a feed address names (see `domain::replies::feed_link`): the
/// activities they are invited to; `Err(LinkError)` for an address that is not one.
pub async fn person_feed(db: &Db, link: String) -> Result<Result<String, LinkError>, ApiError> {
    let from = today() - PAST;
    db.run(move |c| {
        let key = replies::key(c)?;
        let person_id = match read_feed_link(&link, &key) {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        let rows = activities::of_person_since(c, person_id, from, MAX_EVENTS)?;
        Ok(Ok(feed("我的会议", &rows)))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::models::ActivityRow;
    use crate::domain::activities::ActivityKind;
    use chrono::{NaiveDate, Utc};

    fn row(id: i64, status: ActivityStatus) -> ActivityRow {
        let now = Utc::now().naive_utc();
        ActivityRow {
            id,
            body_id: 4,
            kind: ActivityKind::Plenary,
            title: "2026年度全体会议".into(),
            held_on: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap_or_default(),
            place: "天津".into(),
            description: String::new(),
            status,
            created_at: now,
            updated_at: now,
            body_name: "理事会".into(),
            starts_at: Some("09:00".into()),
            agenda: r#"[{"kind":"other","title":"研究其他事项"}]"#.into(),
            reply_by: None,
            contact_name: None,
            contact_phone: None,
            send_notices: true,
            cancelled_at: None,
            cancel_reason: (status == ActivityStatus::Cancelled).then(|| "场地调整".into()),
            created_by: "test".into(),
            invitees_fetched_at: None,
            idempotency_key: None,
            sequence: 3,
        }
    }

    #[test]
    fn a_feed_lists_activities_with_their_invitations_uids() {
        let a = row(1, ActivityStatus::Scheduled);
        let c = row(2, ActivityStatus::Cancelled);
        let text = feed("理事会", &[a.clone(), c]).replace("\r\n ", "");
        assert!(text.contains("METHOD:PUBLISH\r\n"));
        assert!(text.contains("X-WR-CALNAME:技工联盟·理事会\r\n"));
        assert!(text.contains(&format!("UID:{}\r\n", calendar::uid(1, a.created_at))));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
        assert!(
            text.contains("STATUS:CANCELLED") && text.contains("已取消：场地调整"),
            "{text}"
        );
        assert!(text.contains("SEQUENCE:3\r\n"));
        // Nobody's address is in a feed.
        assert!(!text.contains("ATTENDEE") && !text.contains("mailto:"));
    }
}
