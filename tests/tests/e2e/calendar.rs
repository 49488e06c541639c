//! Calendar invitations (issue 13) end to end: every 会议通知 mailed to a real SMTP server carries
//! an iCalendar invitation, read back with an independent parser (Python `icalendar`, Debian's
//! python3-icalendar): `METHOD:REQUEST`, one UID per activity, SEQUENCE raised on each change of
//! place or time (会议变更通知), `METHOD:CANCEL` on cancellation (会议取消通知), times in
//! Asia/Shanghai; and the body's calendar feed lists the same event.

use std::process::Command;

use e2e_tests::{ReceivedMail, SmtpSink, TestSuite, eventually, ok, pdf_text};
use serde_json::{Value, json};

use crate::meetings::{ABSENTEE_MAIL, ATTENDEE_MAIL, activity, documents_of, group, id, today};

const A: &str = "/api/v1/meetings";

/// What `tests/tools/check_ics.py` reads out of each calendar object.
fn parse_ics(objects: &[&[u8]]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
    let mut cmd = Command::new("/usr/bin/python3");
    cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tools/check_ics.py"));
    for (i, bytes) in objects.iter().enumerate() {
        let p = dir.path().join(format!("{i}.ics"));
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{e}"));
        cmd.arg(p);
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("python3 could not start: {e}"));
    assert!(
        out.status.success(),
        "the independent parser refused the calendar: {}\n(apt-get install python3-icalendar; CI installs it)",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap_or_else(|e| panic!("{e}"))
}

fn attachment<'a>(mail: &'a ReceivedMail, name_ends: &str) -> &'a [u8] {
    mail.attachments
        .iter()
        .find(|(name, _, _)| name.ends_with(name_ends))
        .map(|(_, _, bytes)| bytes.as_slice())
        .unwrap_or_else(|| panic!("no {name_ends} attached to {:?}: {:?}", mail.subject, mail.attachments))
}

/// The Message-IDs of the meeting mail `to` has received.
fn meeting_mail_to(smtp: &SmtpSink, to: &str) -> std::collections::BTreeSet<String> {
    smtp.messages()
        .into_iter()
        .filter(|m| m.to.contains(to) && m.subject.contains("会议"))
        .map(|m| m.message_id)
        .collect()
}

async fn mail_to(smtp: &SmtpSink, to: &str, label: &str) -> ReceivedMail {
    eventually(60, &format!("the {label} to {to}"), || async {
        smtp.messages()
            .into_iter()
            .find(|m| m.to.contains(to) && m.subject.contains(label))
    })
    .await
}

#[actix_rt::test]
async fn invitations_are_calendar_requests_updated_on_a_change_and_cancelled_with_the_meeting() {
    let smtp = SmtpSink::start();
    let smtp_url = smtp.url();
    let s = TestSuite::start_with(|c| c.documents.config.mail.smtp_url = Some(smtp_url)).await;
    let t = s.admin_token().await;
    let g = group(&s, &t).await;
    let body = g.body_id;
    let secretary = s.token_for("group_secretary", Some(&format!("group:{body}"))).await;
    let on = today() + chrono::Duration::days(20);
    // The title names the body already: the notice does not name it twice (issue 15).
    let title = "数控技术专业建设协作组2026年度工作会议";
    let a = activity(
        &s,
        &secretary,
        json!({"body_id": body, "kind": "thematic", "title": title, "held_on": on.to_string(), "starts_at": "9:30",
            "place": "重庆机械电子技师学院报告厅", "send_notices": true, "contact_name": "李老师",
            "agenda": [{"kind": "other", "title": "研讨数控技术专业课程标准"}]}),
    )
    .await;
    assert_eq!(a["sequence"], 0);
    let a = id(&a);

    // The invitation: a REQUEST to each invitee, in China's time, with a reminder the day before.
    let first = mail_to(&smtp, ATTENDEE_MAIL, "会议通知").await;
    let other = mail_to(&smtp, ABSENTEE_MAIL, "会议通知").await;
    let parsed = parse_ics(&[attachment(&first, "invite.ics"), attachment(&other, "invite.ics")]);
    let (cal, ev) = (&parsed[0], &parsed[0]["events"][0]);
    assert_eq!(cal["method"], "REQUEST", "{cal}");
    assert_eq!(cal["timezones"], json!(["Asia/Shanghai"]));
    assert_eq!(cal["events"].as_array().map(Vec::len), Some(1));
    let uid = ev["uid"].as_str().unwrap_or_default().to_owned();
    assert!(uid.starts_with(&format!("activity-{a}-")), "{uid}");
    assert_eq!(parsed[1]["events"][0]["uid"], uid.as_str(), "one UID per activity");
    assert_eq!(ev["sequence"], 0);
    assert_eq!(ev["status"], "CONFIRMED");
    assert_eq!(ev["start"]["tzid"], "Asia/Shanghai", "{ev}");
    assert_eq!(ev["start"]["utc_offset"], "8:00:00", "{ev}");
    assert!(
        ev["start"]["value"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&format!("{on}T09:30:00")),
        "{ev}"
    );
    assert_eq!(ev["summary"], title);
    assert_eq!(ev["location"], "重庆机械电子技师学院报告厅");
    assert!(
        ev["description"]
            .as_str()
            .unwrap_or_default()
            .contains("研讨数控技术专业课程标准")
    );
    assert_eq!(ev["attendees"], json!([format!("mailto:{ATTENDEE_MAIL}")]));
    assert!(
        ev["organizer"].as_str().unwrap_or_default().starts_with("mailto:"),
        "{ev}"
    );
    assert_eq!(ev["alarms"], json!(["-P1D"]));
    // The invitation links back to the invitee's reply page.
    assert!(ev["url"].as_str().unwrap_or_default().contains("/r/"), "{ev}");
    let text = pdf_text(attachment(&first, ".pdf"));
    let squeezed: String = text.split_whitespace().collect();
    assert!(squeezed.contains(&format!("关于召开{title}的通知")), "{text}");
    assert!(!squeezed.contains("联盟数控技术专业建设协作组数控"), "{text}");

    // A new place: the same UID, the next SEQUENCE, a 会议变更通知.
    let changed = ok(s
        .patch(
            &format!("{A}/activities/{a}"),
            Some(&secretary),
            json!({"place": "机械工业教育发展中心第一会议室"}),
        )
        .await)
    .await;
    assert_eq!(changed["sequence"], 1);
    let change = mail_to(&smtp, ATTENDEE_MAIL, "会议变更通知").await;
    let ev = &parse_ics(&[attachment(&change, "invite.ics")])[0];
    assert_eq!(ev["method"], "REQUEST");
    let ev = &ev["events"][0];
    assert_eq!(
        (ev["uid"].as_str(), ev["sequence"].as_i64()),
        (Some(uid.as_str()), Some(1))
    );
    assert_eq!(ev["location"], "机械工业教育发展中心第一会议室");
    let text: String = pdf_text(attachment(&change, ".pdf")).split_whitespace().collect();
    assert!(
        text.contains("有关事项变更的通知") && text.contains("以本通知为准"),
        "{text}"
    );

    // A new description moves nothing: no new version.
    let same = ok(s
        .patch(
            &format!("{A}/activities/{a}"),
            Some(&secretary),
            json!({"description": "请携带课程标准草案"}),
        )
        .await)
    .await;
    assert_eq!(same["sequence"], 1);

    // Cancelled: METHOD:CANCEL, the next SEQUENCE, a 会议取消通知 with the reason.
    let cancelled = ok(s
        .patch(
            &format!("{A}/activities/{a}"),
            Some(&secretary),
            json!({"status": "cancelled", "reason": "会场改建"}),
        )
        .await)
    .await;
    assert_eq!(cancelled["sequence"], 2);
    let cancel = mail_to(&smtp, ATTENDEE_MAIL, "会议取消通知").await;
    let cal = &parse_ics(&[attachment(&cancel, "invite.ics")])[0];
    assert_eq!(cal["method"], "CANCEL");
    let ev = &cal["events"][0];
    assert_eq!(
        (ev["uid"].as_str(), ev["sequence"].as_i64()),
        (Some(uid.as_str()), Some(2))
    );
    assert_eq!(ev["status"], "CANCELLED");
    assert_eq!(ev["alarms"], json!([]));
    let text: String = pdf_text(attachment(&cancel, ".pdf")).split_whitespace().collect();
    assert!(text.contains(&format!("关于取消召开{title}的通知")), "{text}");
    assert!(text.contains("因会场改建，经研究，决定取消"), "{text}");
    // A cancelled meeting has no 签到表 (issue 13 part 4).
    s.post(
        "/api/v1/documents/sign-in-sheets",
        Some(&secretary),
        json!({"activity_id": a}),
    )
    .await
    .problem(409, "activity_cancelled");
    // Three notices to the attendee, the description change sent none; the earlier two are
    // superseded by the cancellation.
    let to_attendee: Vec<String> = smtp
        .messages()
        .into_iter()
        .filter(|m| m.to.contains(ATTENDEE_MAIL) && m.subject.contains("会议"))
        .map(|m| m.subject)
        .collect();
    assert_eq!(to_attendee.len(), 3, "{to_attendee:?}");
    let notices = documents_of(&s, &t, &format!("kind=meeting_notice&appointment_id={}", g.attendee)).await;
    let statuses: Vec<&str> = notices.iter().filter_map(|d| d["status"].as_str()).collect();
    assert_eq!(statuses, ["superseded", "superseded", "valid"], "{notices:?}");

    // The body's feed: the same event, cancelled, and nobody's address in it.
    let member = s
        .token_for("member", Some(&format!("person:{}", g.absentee_person)))
        .await;
    let feed = s.get(&format!("{A}/bodies/{body}/calendar.ics"), Some(&member)).await;
    assert_eq!(feed.status.as_u16(), 200, "{}", feed.text());
    let content_type = feed
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    let cal = &parse_ics(&[&feed.body])[0];
    assert_eq!(cal["method"], "PUBLISH");
    let ev = &cal["events"][0];
    assert_eq!(
        (ev["uid"].as_str(), ev["sequence"].as_i64()),
        (Some(uid.as_str()), Some(2))
    );
    assert_eq!(ev["status"], "CANCELLED");
    assert_eq!(ev["attendees"], json!([]));
    assert!(!feed.text().contains(ATTENDEE_MAIL) && !feed.text().contains(ABSENTEE_MAIL));
    // Without a token: refused.
    let anonymous = s.get(&format!("{A}/bodies/{body}/calendar.ics"), None).await;
    assert_eq!(anonymous.status.as_u16(), 401);

    // The invitee's own feed, at the unguessable address the notice gave (no token: calendar
    // programs cannot send one), lists the same event; the address changed by hand is refused.
    let address = e2e_tests::link_after(&first.text, "/c/")
        .unwrap_or_else(|| panic!("no feed address in the notice:\n{}", first.text));
    let own = s.get(&format!("/c/{address}"), None).await;
    assert_eq!(own.status.as_u16(), 200, "{}", own.text());
    let cal = &parse_ics(&[&own.body])[0];
    let uids: Vec<&str> = cal["events"]
        .as_array()
        .map(|e| e.iter().filter_map(|v| v["uid"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(uids, [uid.as_str()], "{cal}");
    let (person, tag) = address.split_once('-').unwrap_or_default();
    let someone_else = format!("{}-{tag}", person.parse::<i64>().unwrap_or(0) + 1);
    assert_eq!(s.get(&format!("/c/{someone_else}"), None).await.status.as_u16(), 403);
    assert_eq!(s.get("/c/nothing", None).await.status.as_u16(), 404);

    // An invitee dismissed before a coming meeting (a people change: the invitees are read again)
    // is no longer invited: a 会议邀请撤回通知 withdraws their calendar entry (METHOD:CANCEL, the
    // same UID, the next SEQUENCE); the others get nothing new.
    let later = "数控技术专业建设协作组实训教学研讨会";
    let b = id(&activity(
        &s,
        &secretary,
        json!({"body_id": body, "kind": "thematic", "title": later, "held_on": (on + chrono::Duration::days(5)).to_string(),
            "starts_at": "14:00", "place": "实训楼", "send_notices": true}),
    )
    .await);
    let invitation_to = |to: &'static str| {
        let smtp = &smtp;
        async move {
            eventually(60, &format!("the invitation to the later meeting to {to}"), || async {
                smtp.messages().into_iter().find(|m| {
                    m.to.contains(to)
                        && m.subject.contains("会议通知")
                        && pdf_text(attachment(m, ".pdf"))
                            .split_whitespace()
                            .collect::<String>()
                            .contains(later)
                })
            })
            .await
        }
    };
    let invited = invitation_to(ABSENTEE_MAIL).await;
    invitation_to(ATTENDEE_MAIL).await;
    let later_uid = parse_ics(&[attachment(&invited, "invite.ics")])[0]["events"][0]["uid"].clone();
    let before = meeting_mail_to(&smtp, ATTENDEE_MAIL);
    let r = s
        .post(
            &format!("/api/v1/members/appointments/{}/dismissal", g.absentee),
            Some(&t),
            json!({"reason": "从事有损联盟社会信誉的行为"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text());
    let withdrawn = mail_to(&smtp, ABSENTEE_MAIL, "会议邀请撤回通知").await;
    let cal = &parse_ics(&[attachment(&withdrawn, "invite.ics")])[0];
    assert_eq!(cal["method"], "CANCEL", "{cal}");
    let ev = &cal["events"][0];
    assert_eq!((&ev["uid"], ev["sequence"].as_i64()), (&later_uid, Some(1)), "{ev}");
    let text: String = pdf_text(attachment(&withdrawn, ".pdf")).split_whitespace().collect();
    assert!(text.contains(&format!("关于撤回{later}参会邀请的通知")), "{text}");
    assert!(
        !withdrawn.text.contains("/r/"),
        "a withdrawn invitation takes no reply:\n{}",
        withdrawn.text
    );
    let invitees = ok(s.get(&format!("{A}/activities/{b}/invitees"), Some(&secretary)).await).await;
    let ids: Vec<i64> = invitees
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["appointment_id"].as_i64())
        .collect();
    assert_eq!(ids, [g.attendee], "{invitees}");
    // (The sink's list is not in order of arrival: compared as sets of Message-IDs.)
    assert_eq!(
        meeting_mail_to(&smtp, ATTENDEE_MAIL),
        before,
        "the one still invited gets nothing new"
    );
}
