//! Replies from the notice (回执 / 请假, issue 13) end to end: the personal link in each 会议通知
//! e-mail opens a page in Chinese that headless Chromium drives at phone width; a 请假 with its
//! reason becomes that invitee's excused absence when attendance is taken (R18: it does not count
//! toward R13); a tampered link, another deployment's link and an answer after the start are
//! refused and change nothing.

use e2e_tests::{SmtpSink, TestSuite, eventually, ok};
use serde_json::{Value, json};

use super::browser::{self, Browser};
use crate::meetings::{ABSENTEE_MAIL, ATTENDEE_MAIL, activity, group, id, today};

const A: &str = "/api/v1/meetings";

/// The reply link in the notice mailed to `to` about `title`.
async fn reply_link(smtp: &SmtpSink, to: &str, title: &str) -> String {
    let mail = eventually(60, &format!("the notice of {title} to {to}"), || async {
        smtp.messages().into_iter().find(|m| {
            m.to.contains(to) && m.subject.contains("会议通知") && {
                let pdf = m.attachments.iter().find(|(n, _, _)| n.ends_with(".pdf"));
                pdf.is_some_and(|(_, _, b)| {
                    e2e_tests::pdf_text(b)
                        .split_whitespace()
                        .collect::<String>()
                        .contains(title)
                })
            }
        })
    })
    .await;
    let link =
        e2e_tests::link_after(&mail.text, "/r/").unwrap_or_else(|| panic!("no reply link in the mail:\n{}", mail.text));
    assert!(link.len() > 20, "{link}");
    // The PDF prints the same link.
    let pdf = mail
        .attachments
        .iter()
        .find(|(n, _, _)| n.ends_with(".pdf"))
        .map(|(_, _, b)| e2e_tests::pdf_text(b))
        .unwrap_or_default();
    let squeezed: String = pdf.split_whitespace().collect();
    assert!(squeezed.contains(&format!("/r/{link}")), "{pdf}");
    link
}

fn form(answer: &str, reason: &str) -> Option<(&'static str, Vec<u8>)> {
    let body = format!(
        "answer={answer}&reason={}",
        reason.bytes().map(|b| format!("%{b:02X}")).collect::<String>()
    );
    Some(("application/x-www-form-urlencoded", body.into_bytes()))
}

#[actix_rt::test]
async fn a_leave_asked_from_the_notice_is_an_excused_absence_r18_and_bad_links_change_nothing() {
    if !browser::available("the reply page test") {
        return;
    }
    let smtp = SmtpSink::start();
    let smtp_url = smtp.url();
    // Reminders three days before, the pass every second (the default: 7 and 1, every 10 min).
    let s = TestSuite::start_with(|c| {
        c.documents.config.mail.smtp_url = Some(smtp_url);
        c.meetings.reminders.days = vec![3];
        c.meetings.reminders.every = std::time::Duration::from_secs(1);
    })
    .await;
    let t = s.admin_token().await;
    let g = group(&s, &t).await;
    let body = g.body_id;
    let secretary = s.token_for("group_secretary", Some(&format!("group:{body}"))).await;
    // Today, late: replies are open until it starts, and attendance can be taken today.
    let title = "数控技术专业建设协作组课程标准研讨会";
    let a = id(&activity(
        &s,
        &secretary,
        json!({"body_id": body, "kind": "thematic", "title": title, "held_on": today().to_string(),
            "starts_at": "23:59", "place": "线上会议", "send_notices": true}),
    )
    .await);
    let link = reply_link(&smtp, ABSENTEE_MAIL, title).await;
    let url = format!("{}/r/{link}", s.url);

    // The page at phone width: 请假 without a reason is refused, with one it is recorded.
    let browser = Browser::launch().await;
    browser.viewport(360, 740).await;
    browser.goto(&url).await;
    let text = browser.visible_text().await;
    for word in ["会议回执", "欧阳堃", title, "线上会议", "参加", "请假"] {
        assert!(text.contains(word), "{word:?} not on the page:\n{text}");
    }
    browser.click_css("input[value=leave]").await;
    browser.click_css("button[type=submit]").await;
    browser
        .wait_for(
            "the missing reason",
            "return document.body.innerText.includes('请假须填写事由');",
            json!([]),
        )
        .await;
    browser.click_css("input[value=leave]").await;
    let reason = browser
        .wait_for("the reason", "return document.querySelector('textarea');", json!([]))
        .await;
    browser.type_into(&reason, "赴外地担任技能大赛裁判").await;
    browser.click_css("button[type=submit]").await;
    browser
        .wait_for(
            "the confirmation",
            "return document.body.innerText.includes('已收到您的请假');",
            json!([]),
        )
        .await;
    let shot = browser.screenshot("reply-leave-360x740").await;
    assert!(
        browser.fits_width().await,
        "the reply page scrolls sideways at 360 px ({shot})"
    );
    browser.quit().await;

    // A tampered link (another invitee's id with this MAC; a changed MAC) is refused, and an
    // answer sent with it changes nothing.
    let (activity_part, rest) = link.split_once('-').unwrap_or_default();
    let (appointment, tail) = rest.split_once('-').unwrap_or_default();
    let other = format!("{activity_part}-{}-{tail}", g.attendee);
    assert_ne!(appointment, g.attendee.to_string());
    let forged = s.send("POST", &format!("/r/{other}"), None, form("attend", "")).await;
    assert_eq!(forged.status.as_u16(), 403, "{other}: {}", forged.text());
    assert!(forged.text().contains("此回执链接无效"), "{}", forged.text());
    // One character of the MAC changed (its first: all six bits count).
    let tag_at = link.len() - 22;
    let first = if link[tag_at..].starts_with('A') { "B" } else { "A" };
    let flipped = format!("{}{first}{}", &link[..tag_at], &link[tag_at + 1..]);
    let r = s.get(&format!("/r/{flipped}"), None).await;
    assert_eq!(r.status.as_u16(), 403, "{flipped}: {}", r.text());
    let r = s.get("/r/not-a-link", None).await;
    assert_eq!(r.status.as_u16(), 404);
    assert!(r.text().contains("无法识别此回执链接"));

    // The secretary sees the replies: one 请假 with its reason, one not answered.
    let replies = ok(s.get(&format!("{A}/activities/{a}/replies"), Some(&secretary)).await).await;
    assert_eq!(
        (
            replies["leave"].as_i64(),
            replies["attend"].as_i64(),
            replies["unanswered"].as_i64()
        ),
        (Some(1), Some(0), Some(1)),
        "{replies}"
    );
    let answered: Vec<&Value> = replies["items"]
        .as_array()
        .map(|a| a.iter().filter(|i| !i["answer"].is_null()).collect())
        .unwrap_or_default();
    assert_eq!(answered.len(), 1);
    assert_eq!(answered[0]["appointment_id"], g.absentee);
    assert_eq!(answered[0]["reason"], "赴外地担任技能大赛裁判");
    let member = s
        .token_for("member", Some(&format!("person:{}", g.absentee_person)))
        .await;
    s.get(&format!("{A}/activities/{a}/replies"), Some(&member))
        .await
        .problem(403, "forbidden");

    // Issue 13 part 4: the 签到表 with the replies, printed by the group's secretary: the meeting
    // named once, each invitee with their answer (请假 with its reason, 未回复), the counts, and a
    // serial of its own kind. A member may not print one; an unknown activity is a 404.
    let sheets = "/api/v1/documents/sign-in-sheets";
    let sheet = e2e_tests::created(s.post(sheets, Some(&secretary), json!({"activity_id": a})).await).await;
    assert_eq!(
        (sheet["kind"].as_str(), sheet["kind_label"].as_str()),
        (Some("sign_in_sheet"), Some("签到表"))
    );
    let serial = sheet["serial"].as_str().unwrap_or_default().to_owned();
    assert!(serial.starts_with("JGLM-QD-"), "{sheet}");
    let pdf = s
        .get(&format!("/api/v1/documents/{serial}/pdf"), Some(&secretary))
        .await;
    assert_eq!(pdf.status.as_u16(), 200);
    let text: String = e2e_tests::pdf_text(&pdf.body).split_whitespace().collect();
    for expected in [
        format!("{title}签到表"),
        "欧阳堃".to_owned(),
        // The reason wraps in its cell, and pdftotext reads the row's lines across the cells.
        "请假（赴外地".to_owned(),
        "技能大赛裁判）".to_owned(),
        "未回复".to_owned(),
        "应到2人；回执：参加0人，请假1人，未回复1人。".to_owned(),
        serial.clone(),
    ] {
        assert!(text.contains(&expected), "{expected:?} not in the sheet:\n{text}");
    }
    assert_eq!(text.matches(title).count(), 1, "the meeting named once: {text}");
    s.post(sheets, Some(&member), json!({"activity_id": a}))
        .await
        .problem(403, "forbidden");
    s.post(sheets, Some(&secretary), json!({"activity_id": 999_999}))
        .await
        .problem(404, "not_found");

    // R18: recorded absent, the one who asked for leave is excused with their reason.
    let r = s
        .put(
            &format!("{A}/activities/{a}/attendance/{}", g.absentee),
            Some(&secretary),
            json!({"status": "absent"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let record = r.json();
    assert_eq!(record["status"], "excused", "{record}");
    assert!(
        record["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("赴外地担任技能大赛裁判"),
        "{record}"
    );
    let r = s
        .put(
            &format!("{A}/activities/{a}/attendance/{}", g.attendee),
            Some(&secretary),
            json!({"status": "absent"}),
        )
        .await;
    assert_eq!(r.json()["status"], "absent", "no reply: the absence stands");
    // The statistics show the replies: one of two invitations answered, with 请假.
    let stats = ok(s
        .get(&format!("{A}/statistics/attendance?body_id={body}"), Some(&secretary))
        .await)
    .await;
    let b = &stats["bodies"][0];
    assert_eq!(
        (
            b["activities_held"].as_i64(),
            b["replied"].as_i64(),
            b["leave_replies"].as_i64(),
            b["reply_rate"].as_f64(),
            b["excused"].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(0.5), Some(1)),
        "{stats}"
    );

    // After the start (today at 00:00, China time; the appointments began today, so not earlier):
    // the page says replies are closed, and nothing is stored.
    let past_title = "数控技术专业建设协作组教材编写会";
    let past = id(&activity(
        &s,
        &secretary,
        json!({"body_id": body, "kind": "thematic", "title": past_title, "held_on": today().to_string(),
            "starts_at": "00:00", "place": "会议室", "send_notices": true}),
    )
    .await);
    let late = reply_link(&smtp, ATTENDEE_MAIL, past_title).await;
    let r = s
        .send("POST", &format!("/r/{late}"), None, form("leave", "补请假"))
        .await;
    assert_eq!(r.status.as_u16(), 409, "{}", r.text());
    assert!(r.text().contains("回执已截止"), "{}", r.text());
    let replies = ok(s.get(&format!("{A}/activities/{past}/replies"), Some(&secretary)).await).await;
    assert_eq!(replies["answered"], 0, "{replies}");

    // Reminders: an activity five days ahead, answered by one invitee, then moved to three days
    // ahead (the configured point): the one who has not answered gets a 会议提醒 with the same
    // kind of link; the one who answered gets none.
    let soon_title = "数控技术专业建设协作组实训基地建设推进会";
    let soon = id(&activity(
        &s,
        &secretary,
        json!({"body_id": body, "kind": "thematic", "title": soon_title,
            "held_on": (today() + chrono::Duration::days(5)).to_string(), "place": "实训楼", "send_notices": true}),
    )
    .await);
    let answered_link = reply_link(&smtp, ABSENTEE_MAIL, soon_title).await;
    let r = s
        .send("POST", &format!("/r/{answered_link}"), None, form("attend", ""))
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text());
    ok(s.patch(
        &format!("{A}/activities/{soon}"),
        Some(&secretary),
        json!({"held_on": (today() + chrono::Duration::days(3)).to_string()}),
    )
    .await)
    .await;
    let reminder = eventually(60, "the reminder to the one who did not answer", || async {
        smtp.messages()
            .into_iter()
            .find(|m| m.to.contains(ATTENDEE_MAIL) && m.subject.contains("会议提醒"))
    })
    .await;
    assert!(reminder.text.contains("/r/"), "{}", reminder.text);
    assert!(reminder.attachments.iter().any(|(n, _, _)| n == "invite.ics"));
    let replies = ok(s.get(&format!("{A}/activities/{soon}/replies"), Some(&secretary)).await).await;
    let reminded = |appointment: i64| {
        replies["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["appointment_id"] == appointment))
            .map(|i| i["reminders"].clone())
    };
    assert_eq!(reminded(g.attendee), Some(json!([3])), "{replies}");
    assert_eq!(reminded(g.absentee), Some(json!([])), "{replies}");
    assert_eq!(replies["attend"], 1);
}
