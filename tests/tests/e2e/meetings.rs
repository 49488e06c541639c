//! meetings-service end to end through the gateway: activities of a collaboration group, their
//! invitees read from members-service, attendance (R18), the two-absences rule (R13) opening a
//! dismissal case in members-service that the Center confirms, the 解聘通知书 at a real SMTP
//! server and the certificate verifying as revoked; meeting notices (会议通知); and nothing
//! lost when members-service, meetings-service or documents-service restarts mid-way.

use awc::http::StatusCode;
use e2e_tests::{Fields, SmtpSink, TestSuite, created, eventually, ok};
use serde_json::{Value, json};

const M: &str = "/api/v1/members";
const A: &str = "/api/v1/meetings";
const D: &str = "/api/v1/documents";

/// Today in China Standard Time, the calendar the charter's dates are counted in.
pub(crate) fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

pub(crate) fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or(-1)
}

/// A collaboration group in its first term with two appointees: its director (主任委员) who
/// attends, and its secretary-general (秘书长) who will be absent.
pub(crate) struct Group {
    pub(crate) body_id: i64,
    pub(crate) attendee: i64,
    pub(crate) absentee: i64,
    pub(crate) absentee_person: i64,
}

pub(crate) const ATTENDEE_MAIL: &str = "wang.zhuren@cq-jd.example.cn";
pub(crate) const ABSENTEE_MAIL: &str = "ouyang.mishu@cq-jd.example.cn";

pub(crate) async fn group(s: &TestSuite, t: &str) -> Group {
    let unit = created(
        s.post(
            &format!("{M}/units"),
            Some(t),
            json!({"name": "重庆机械电子技师学院", "kind": "technical_school", "contact_email": "office@cq-jd.example.cn"}),
        )
        .await,
    )
    .await;
    let person = |name: &'static str, email: &'static str| {
        let unit = id(&unit);
        async move {
            created(
                s.post(
                    &format!("{M}/people"),
                    Some(t),
                    json!({"name": name, "unit_id": unit, "title_level": "senior", "date_of_birth": "1972-05-01", "email": email}),
                )
                .await,
            )
            .await
        }
    };
    let g = created(
        s.post(
            &format!("{M}/bodies"),
            Some(t),
            json!({"name": "数控技术专业建设协作组", "specialty": "数控技术"}),
        )
        .await,
    )
    .await;
    let body_id = id(&g);
    let year_start = format!("{}-01-01", chrono::Datelike::year(&today()));
    let term = created(
        s.post(
            &format!("{M}/bodies/{body_id}/terms"),
            Some(t),
            json!({"starts_on": year_start}),
        )
        .await,
    )
    .await;
    let appoint = |person: i64, post: &'static str| {
        let term = id(&term);
        async move {
            let n = created(
                s.post(
                    &format!("{M}/nominations"),
                    Some(t),
                    json!({"body_id": body_id, "term_id": term, "person_id": person, "post": post}),
                )
                .await,
            )
            .await;
            id(&created(
                s.post(&format!("{M}/nominations/{}/appointment", n["id"]), Some(t), json!({}))
                    .await,
            )
            .await)
        }
    };
    let director = person("王建国", ATTENDEE_MAIL).await;
    let secretary = person("欧阳堃", ABSENTEE_MAIL).await;
    Group {
        body_id,
        attendee: appoint(id(&director), "director").await,
        absentee: appoint(id(&secretary), "secretary_general").await,
        absentee_person: id(&secretary),
    }
}

pub(crate) async fn activity(s: &TestSuite, t: &str, body: Value) -> Value {
    created(s.post(&format!("{A}/activities"), Some(t), body).await).await
}

async fn mark(s: &TestSuite, t: &str, activity: i64, appointment: i64, body: Value) -> StatusCode {
    let r = s
        .put(
            &format!("{A}/activities/{activity}/attendance/{appointment}"),
            Some(t),
            body,
        )
        .await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.text());
    r.status
}

async fn cases(s: &TestSuite, t: &str, appointment: i64) -> Vec<Value> {
    ok(
        s.get(&format!("{M}/dismissal-cases?appointment_id={appointment}"), Some(t))
            .await,
    )
    .await
    .array_at("items")
    .clone()
}

async fn case_with_status(s: &TestSuite, t: &str, appointment: i64, status: &str) -> Value {
    let what = format!("a {status} dismissal case for appointment {appointment}");
    eventually(60, &what, || async {
        cases(s, t, appointment)
            .await
            .into_iter()
            .find(|c| c["status"] == status)
    })
    .await
}

pub(crate) async fn documents_of(s: &TestSuite, t: &str, query: &str) -> Vec<Value> {
    ok(s.get(&format!("{D}?{query}"), Some(t)).await)
        .await
        .array_at("items")
        .clone()
}

#[actix_rt::test]
async fn two_unexcused_absences_open_a_case_the_center_confirms_it_and_the_member_is_notified_and_revoked() {
    let smtp = SmtpSink::start();
    let smtp_url = smtp.url();
    let s = TestSuite::start_with(|c| c.documents.config.mail.smtp_url = Some(smtp_url)).await;
    let t = s.admin_token().await;
    let g = group(&s, &t).await;
    let body = g.body_id;
    let secretary = s.token_for("group_secretary", Some(&format!("group:{body}"))).await;
    let other_secretary = s
        .token_for("group_secretary", Some(&format!("group:{}", body + 100)))
        .await;
    let on = today().to_string();
    let year = chrono::Datelike::year(&today());

    // The absentee's certificate exists before anything happens.
    let certificate = eventually(60, "the absentee's certificate", || async {
        documents_of(
            &s,
            &t,
            &format!("appointment_id={}&kind=appointment_certificate", g.absentee),
        )
        .await
        .into_iter()
        .next()
    })
    .await;
    let verify_path = certificate.str_at("verify_path").to_owned();

    // R19: the plenary's agenda attaches the year's work report, which must exist first.
    let plenary = json!({"body_id": body, "kind": "plenary", "title": "年度全体会议", "held_on": on, "starts_at": "9:00",
        "place": "重庆机械电子技师学院报告厅", "send_notices": true, "contact_name": "李老师", "contact_phone": "023-12345678",
        "agenda": [{"kind": "work_report_review", "title": "审议年度工作报告", "work_report_year": year},
                   {"kind": "election", "title": "增补副主任委员选举"}]});
    let p = s
        .post(&format!("{A}/activities"), Some(&secretary), plenary.clone())
        .await
        .problem(422, "validation_failed");
    assert_eq!(p["errors"][0]["code"], "r19_document_missing", "{p}");
    created(
        s.post(
            &format!("{A}/bodies/{body}/work-reports"),
            Some(&secretary),
            json!({"year": year, "title": "年度工作报告", "text": "一、主要工作……",
                "file": {"name": "工作报告.pdf", "content_type": "application/pdf", "content_base64": "JVBERi0xLjcK"}}),
        )
        .await,
    )
    .await;
    let file = s
        .get(&format!("{A}/bodies/{body}/work-reports/{year}/file"), Some(&t))
        .await;
    assert_eq!(file.body, b"%PDF-1.7\n");
    // Election items belong to plenaries only; another group's secretary may not schedule here.
    let mut thematic_with_election = plenary.clone();
    thematic_with_election["kind"] = json!("thematic");
    s.post(&format!("{A}/activities"), Some(&secretary), thematic_with_election)
        .await
        .problem(422, "validation_failed");
    s.post(&format!("{A}/activities"), Some(&other_secretary), plenary.clone())
        .await
        .problem(403, "forbidden");

    let a1 = activity(&s, &secretary, plenary).await;
    assert_eq!(
        (
            a1["kind_label"].as_str(),
            a1["starts_at"].as_str(),
            a1["status"].as_str()
        ),
        (Some("全体会议"), Some("09:00"), Some("scheduled"))
    );
    assert_eq!(a1["agenda"][0]["kind_label"], "审议年度工作报告");
    assert_eq!(a1["body_name"], "数控技术专业建设协作组");
    let a1 = id(&a1);
    // The invitees are the group's two appointees, with e-mail for the group's secretary only.
    let inv = ok(s.get(&format!("{A}/activities/{a1}/invitees"), Some(&secretary)).await).await;
    let appointments: Vec<i64> = inv
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["appointment_id"].as_i64()).collect())
        .unwrap_or_else(|| panic!("invitees are not a list: {inv}"));
    assert_eq!(appointments, vec![g.attendee, g.absentee]);
    assert_eq!(inv[1]["person_email"], ABSENTEE_MAIL);
    let member = s
        .token_for("member", Some(&format!("person:{}", g.absentee_person)))
        .await;
    let inv = ok(s.get(&format!("{A}/activities/{a1}/invitees"), Some(&member)).await).await;
    assert!(inv[1]["person_email"].is_null());

    // Each invitee receives the 会议通知 (through documents-service, by e-mail).
    for to in [ATTENDEE_MAIL, ABSENTEE_MAIL] {
        let mail = eventually(60, "the meeting notice", || async {
            smtp.messages()
                .into_iter()
                .find(|m| m.to.contains(to) && m.subject.contains("会议通知"))
        })
        .await;
        assert!(!mail.attachments.is_empty(), "{}", mail.subject);
    }

    // First activity: one unexcused absence opens nothing.
    let status = mark(&s, &secretary, a1, g.attendee, json!({"status": "present"})).await;
    assert_eq!(status, StatusCode::CREATED);
    mark(&s, &secretary, a1, g.absentee, json!({"status": "absent"})).await;
    s.put(
        &format!("{A}/activities/{a1}/attendance/{}", g.absentee),
        Some(&other_secretary),
        json!({"status": "present"}),
    )
    .await
    .problem(403, "forbidden");
    let a1_view = ok(s.get(&format!("{A}/activities/{a1}"), Some(&t)).await).await;
    assert_eq!(a1_view["status"], "held");

    // An activity ahead cannot have attendance; a cancelled one never counts.
    let later = (today() + chrono::Duration::days(30)).to_string();
    let ahead = id(&activity(
        &s,
        &secretary,
        json!({"body_id": body, "kind": "training", "title": "数控编程师资培训", "held_on": later, "place": "线上"}),
    )
    .await);
    s.put(
        &format!("{A}/activities/{ahead}/attendance/{}", g.absentee),
        Some(&secretary),
        json!({"status": "absent"}),
    )
    .await
    .problem(409, "activity_not_held_yet");
    ok(s.post(
        &format!("{A}/activities/{ahead}/invitees:refresh"),
        Some(&secretary),
        json!({}),
    )
    .await)
    .await;
    s.patch(
        &format!("{A}/activities/{ahead}"),
        Some(&secretary),
        json!({"status": "cancelled"}),
    )
    .await
    .problem(422, "validation_failed");
    let cancelled = ok(s
        .patch(
            &format!("{A}/activities/{ahead}"),
            Some(&secretary),
            json!({"status": "cancelled", "reason": "场地不可用"}),
        )
        .await)
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    s.put(
        &format!("{A}/activities/{ahead}/attendance/{}", g.absentee),
        Some(&secretary),
        json!({"status": "absent"}),
    )
    .await
    .problem(409, "activity_cancelled");

    // Second activity: the second unexcused absence in the work year opens a case (R13).
    let a2 = id(&activity(
        &s,
        &secretary,
        json!({"body_id": body, "kind": "thematic", "title": "专题会议：课程标准", "held_on": on, "place": "会议室"}),
    )
    .await);
    mark(&s, &secretary, a2, g.attendee, json!({"status": "present"})).await;
    mark(&s, &secretary, a2, g.absentee, json!({"status": "absent"})).await;
    let case = case_with_status(&s, &t, g.absentee, "open").await;
    assert_eq!(case["work_year"], year);
    assert_eq!(case["absences"].as_array().map(Vec::len), Some(2), "{case}");

    // R18: a correction needs its reason; the excused absence withdraws the case.
    let p = s
        .put(
            &format!("{A}/activities/{a2}/attendance/{}", g.absentee),
            Some(&secretary),
            json!({"status": "excused", "reason": "病假"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(p["errors"][0]["code"], "r18_correction_reason_required");
    s.put(
        &format!("{A}/activities/{a2}/attendance/{}", g.absentee),
        Some(&secretary),
        json!({"status": "excused", "correction_reason": "会后补交请假条"}),
    )
    .await
    .problem(422, "validation_failed");
    mark(
        &s,
        &secretary,
        a2,
        g.absentee,
        json!({"status": "excused", "reason": "病假", "correction_reason": "会后补交请假条"}),
    )
    .await;
    let withdrawn = case_with_status(&s, &t, g.absentee, "withdrawn").await;
    assert_eq!(withdrawn["id"], case["id"]);
    let list = ok(s.get(&format!("{A}/activities/{a2}/attendance"), Some(&t)).await).await;
    let corrected = list
        .as_array()
        .and_then(|l| l.iter().find(|r| r["appointment_id"] == g.absentee).cloned())
        .unwrap_or_else(|| panic!("no attendance of {} in {list}", g.absentee));
    assert_eq!(corrected["status"], "excused");
    assert_eq!(corrected["corrections"][0]["before_status"], "absent");
    assert_eq!(corrected["corrections"][0]["after_status"], "excused");
    assert_eq!(corrected["corrections"][0]["why"], "会后补交请假条");
    assert!(corrected["corrections"][0]["corrected_by"].is_string());

    // Third activity: another unexcused absence; two count again, a new case opens.
    let a3 = id(&activity(
        &s,
        &secretary,
        json!({"body_id": body, "kind": "exchange", "title": "校企交流活动", "held_on": on, "place": "重庆"}),
    )
    .await);
    mark(&s, &secretary, a3, g.attendee, json!({"status": "present"})).await;
    mark(&s, &secretary, a3, g.absentee, json!({"status": "absent"})).await;
    let case = eventually(60, "a second open case", || async {
        cases(&s, &t, g.absentee)
            .await
            .into_iter()
            .find(|c| c["status"] == "open" && c["id"] != withdrawn["id"])
    })
    .await;
    // The same request again changes nothing and opens nothing more.
    mark(&s, &secretary, a3, g.absentee, json!({"status": "absent"})).await;

    // The member's own record: two unexcused absences in the work year, a case open.
    let record = ok(s
        .get(
            &format!("{A}/attendance?person={}&year={year}", g.absentee_person),
            Some(&member),
        )
        .await)
    .await;
    assert_eq!(record["years"][0]["unexcused_absences"], 2, "{record}");
    assert_eq!(record["years"][0]["excused"], 1, "{record}");
    assert_eq!(record["years"][0]["case_open"], true, "{record}");
    s.get(
        &format!("{A}/attendance?person={}", g.absentee_person + 1),
        Some(&member),
    )
    .await
    .problem(403, "forbidden");
    let stats = ok(s
        .get(
            &format!("{A}/statistics/attendance?body_id={body}&year={year}"),
            Some(&secretary),
        )
        .await)
    .await;
    assert_eq!(stats["bodies"][0]["activities_held"], 3, "{stats}");
    assert_eq!(stats["bodies"][0]["invited"], 6, "{stats}");
    assert_eq!(stats["bodies"][0]["present"], 3, "{stats}");
    assert_eq!(stats["bodies"][0]["rate"], 0.5, "{stats}");

    // The Center confirms: the appointment is dismissed (R13), the notice is mailed (R14), the
    // certificate verifies as revoked.
    let decided = ok(s
        .post(
            &format!("{M}/dismissal-cases/{}/decision", case["id"]),
            Some(&t),
            json!({"confirm": true, "reason": "本工作年度两次无故不参加活动，予以解聘"}),
        )
        .await)
    .await;
    assert_eq!(decided["status"], "confirmed");
    let appointment = ok(s.get(&format!("{M}/appointments/{}", g.absentee), Some(&t)).await).await;
    assert_eq!(appointment["status"], "dismissed");
    let mail = eventually(60, "the 解聘通知书 at the SMTP server", || async {
        smtp.messages()
            .into_iter()
            .find(|m| m.to.contains(ABSENTEE_MAIL) && m.subject.contains("解聘通知书"))
    })
    .await;
    let (_, ctype, pdf) = mail.attachments.first().cloned().expect("the mail has an attachment");
    assert_eq!(ctype, "application/pdf");
    let text = e2e_tests::pdf_text_compact(&pdf);
    assert!(text.contains("解聘通知书") && text.contains("欧阳堃"), "{text}");
    eventually(60, "the certificate verifying as revoked", || async {
        let v = s.get(&verify_path, None).await.json();
        (v["status"] == "revoked").then_some(v)
    })
    .await;

    // The held activities keep their invitees; a new one invites only those still in office.
    let inv = ok(s.get(&format!("{A}/activities/{a1}/invitees"), Some(&t)).await).await;
    assert_eq!(inv.as_array().map(Vec::len), Some(2));
    let a4 = id(&activity(
        &s,
        &t,
        json!({"body_id": body, "kind": "other", "title": "技能竞赛观摩", "held_on": on, "place": "重庆"}),
    )
    .await);
    let inv = ok(s.get(&format!("{A}/activities/{a4}/invitees"), Some(&t)).await).await;
    assert_eq!(inv.as_array().map(Vec::len), Some(1), "{inv}");
    assert_eq!(inv[0]["appointment_id"], g.attendee);

    // A retried create with the same Idempotency-Key schedules one activity, not two.
    let once =
        json!({"body_id": body, "kind": "other", "title": "技能竞赛观摩（重发）", "held_on": on, "place": "重庆"});
    let mut made = Vec::new();
    for expected in [201, 200] {
        let mut r = s
            .client
            .post(format!("{}{A}/activities", s.url))
            .insert_header(("authorization", format!("Bearer {t}")))
            .insert_header(("idempotency-key", "activity-retry-1"))
            .send_json(&once)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status().as_u16(), expected);
        let v: Value = r.json().await.unwrap_or_else(|e| panic!("{e}"));
        made.push(id(&v));
    }
    assert_eq!(made[0], made[1]);

    let listed = ok(s
        .get(
            &format!("{A}/activities?body_id={body}&year={year}&limit=2"),
            Some(&member),
        )
        .await)
    .await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
    assert!(listed["next_cursor"].is_string());
    s.stop().await;
}

#[actix_rt::test]
async fn nothing_is_lost_when_members_meetings_or_documents_restart_mid_way() {
    let mut s = TestSuite::start().await;
    let t = s.admin_token().await;
    let g = group(&s, &t).await;
    let on = today().to_string();
    let a1 = id(&activity(
        &s,
        &t,
        json!({"body_id": g.body_id, "kind": "plenary", "title": "全体会议", "held_on": on, "place": "北京"}),
    )
    .await);
    let a2 = id(&activity(
        &s,
        &t,
        json!({"body_id": g.body_id, "kind": "thematic", "title": "专题会议", "held_on": on, "place": "北京"}),
    )
    .await);
    mark(&s, &t, a1, g.absentee, json!({"status": "absent"})).await;

    // members-service goes down: the second absence is still recorded, and the event that opens
    // the case waits in meetings-service's outbox.
    s.stop_service("members").await;
    s.get(&format!("{M}/dismissal-cases"), Some(&t))
        .await
        .problem(503, "upstream_unavailable");
    mark(&s, &t, a2, g.absentee, json!({"status": "absent"})).await;
    // Creating an activity needs members-service for its invitees: refused cleanly, nothing made.
    s.post(
        &format!("{A}/activities"),
        Some(&t),
        json!({"body_id": g.body_id, "kind": "other", "title": "交流", "held_on": on, "place": "北京"}),
    )
    .await
    .problem(503, "peer_unavailable");

    // meetings-service goes down too, then both come back: the case is opened from the outbox.
    s.stop_service("meetings").await;
    s.get(&format!("{A}/activities/{a2}"), Some(&t))
        .await
        .problem(503, "upstream_unavailable");
    s.start_service("members").await;
    s.start_service("meetings").await;
    let case = case_with_status(&s, &t, g.absentee, "open").await;
    assert_eq!(case["absences"].as_array().map(Vec::len), Some(2), "{case}");

    // Restarting meetings-service again re-sends nothing and keeps every record.
    s.restart_service("meetings").await;
    let list = ok(s.get(&format!("{A}/activities/{a2}/attendance"), Some(&t)).await).await;
    assert!(
        list.as_array().is_some_and(|l| l
            .iter()
            .any(|r| r["appointment_id"] == g.absentee && r["status"] == "absent")),
        "{list}"
    );
    // Whatever the restart might have sent again has been delivered before counting.
    s.drained().await;
    assert_eq!(cases(&s, &t, g.absentee).await.len(), 1);

    // A correction while members-service is down withdraws the case once it is back.
    s.stop_service("members").await;
    mark(
        &s,
        &t,
        a2,
        g.absentee,
        json!({"status": "excused", "reason": "公务", "correction_reason": "补办请假"}),
    )
    .await;
    s.restart_service("meetings").await;
    s.start_service("members").await;
    let withdrawn = case_with_status(&s, &t, g.absentee, "withdrawn").await;
    assert_eq!(withdrawn["id"], case["id"]);

    // A third activity opens a new case; documents-service is down when the Center confirms
    // it, and the dismissal notice is issued once it is back.
    let a3 = id(&activity(
        &s,
        &t,
        json!({"body_id": g.body_id, "kind": "training", "title": "师资培训", "held_on": on, "place": "北京"}),
    )
    .await);
    mark(&s, &t, a3, g.absentee, json!({"status": "absent"})).await;
    let reopened = eventually(60, "a new open case", || async {
        cases(&s, &t, g.absentee)
            .await
            .into_iter()
            .find(|c| c["status"] == "open")
    })
    .await;
    s.stop_service("documents").await;
    ok(s.post(
        &format!("{M}/dismissal-cases/{}/decision", reopened["id"]),
        Some(&t),
        json!({"confirm": true, "reason": "本工作年度两次无故不参加活动，予以解聘"}),
    )
    .await)
    .await;
    s.start_service("documents").await;
    let notice = eventually(60, "the dismissal notice after documents-service restarted", || async {
        documents_of(&s, &t, &format!("appointment_id={}&kind=dismissal_notice", g.absentee))
            .await
            .into_iter()
            .next()
    })
    .await;
    assert!(notice["serial"].is_string(), "{notice}");
    s.stop().await;
}

/// A council_member application for a new unit's candidate, reviewed and approved for election.
async fn approved_application(s: &TestSuite, t: &str, council: i64, term: i64, unit_name: &str, person: &str) -> i64 {
    let unit = id(&created(
        s.post(
            &format!("{M}/units"),
            Some(t),
            json!({"name": unit_name, "kind": "technical_school"}),
        )
        .await,
    )
    .await);
    let person = id(&created(
        s.post(
            &format!("{M}/people"),
            Some(t),
            json!({"name": person, "unit_id": unit, "job_post": "副校长", "title_level": "senior", "date_of_birth": "1972-05-01"}),
        )
        .await,
    )
    .await);
    let app = id(&created(
        s.post(
            &format!("{M}/applications"),
            Some(t),
            json!({"body_id": council, "term_id": term, "unit_id": unit, "person_id": person, "post": "council_member"}),
        )
        .await,
    )
    .await);
    for action in ["start_review", "approve"] {
        ok(s.post(
            &format!("{M}/applications/{app}/transitions"),
            Some(t),
            json!({"action": action}),
        )
        .await)
        .await;
    }
    app
}

#[actix_rt::test]
async fn election_results_recorded_at_a_plenary_decide_the_council_applications_in_members_service() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let bodies = ok(s.get(&format!("{M}/bodies"), Some(&t)).await).await;
    assert_eq!(bodies["items"][0]["kind"], "council");
    let council = id(&bodies["items"][0]);
    let year_start = format!("{}-01-01", chrono::Datelike::year(&today()));
    let term = id(&created(
        s.post(
            &format!("{M}/bodies/{council}/terms"),
            Some(&t),
            json!({"starts_on": year_start}),
        )
        .await,
    )
    .await);
    let winner = approved_application(&s, &t, council, term, "天津市机电工艺技师学院", "张伟").await;
    let loser = approved_application(&s, &t, council, term, "广州市机电技师学院", "钱犇").await;

    let yesterday = (today() - chrono::Duration::days(1)).to_string();
    let ahead = (today() + chrono::Duration::days(30)).to_string();
    let election = json!([{"kind": "election", "title": "增补理事选举"}]);
    let plenary = id(&activity(
        &s,
        &t,
        json!({"body_id": council, "kind": "plenary", "title": "理事会全体会议", "held_on": yesterday,
            "place": "北京", "agenda": election}),
    )
    .await);
    let without_election = id(&activity(
        &s,
        &t,
        json!({"body_id": council, "kind": "plenary", "title": "理事会全体会议（无选举）", "held_on": yesterday,
            "place": "北京", "agenda": [{"kind": "other", "title": "其他事项"}]}),
    )
    .await);
    let future = id(&activity(
        &s,
        &t,
        json!({"body_id": council, "kind": "plenary", "title": "下次全体会议", "held_on": ahead, "place": "北京", "agenda": election}),
    )
    .await);
    let thematic = id(&activity(
        &s,
        &t,
        json!({"body_id": council, "kind": "thematic", "title": "专题会议", "held_on": yesterday, "place": "北京"}),
    )
    .await);

    let path = |a: i64| format!("{A}/activities/{a}/election-results");
    let results = json!({"voters_present": 40, "threshold": null, "results": [
        {"application_id": winner, "votes_for": 31, "votes_against": 5, "abstentions": 4},
        {"application_id": loser, "votes_for": 15, "votes_against": 20, "abstentions": 5}]});

    // Impossible numbers are named per field; only the Center records results.
    let p = s
        .put(
            &path(plenary),
            Some(&t),
            json!({"voters_present": 40, "results": [
                {"application_id": winner, "votes_for": -1, "votes_against": 0, "abstentions": 0},
                {"application_id": loser, "votes_for": 31, "votes_against": 10, "abstentions": 0},
                {"application_id": winner, "votes_for": 1, "votes_against": 0, "abstentions": 0}]}),
        )
        .await
        .problem(422, "validation_failed");
    let errors: Vec<(String, String)> = p["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|e| (e.str_at("field").to_owned(), e.str_at("code").to_owned()))
                .collect()
        })
        .unwrap_or_else(|| panic!("no errors listed: {p}"));
    assert_eq!(
        errors,
        vec![
            ("results[0].votes_for".to_owned(), "negative".to_owned()),
            ("results[1]".to_owned(), "more_votes_than_voters".to_owned()),
            ("results[2].application_id".to_owned(), "duplicate".to_owned()),
        ],
        "{p}"
    );
    let secretary = s.token_for("group_secretary", Some(&format!("group:{council}"))).await;
    s.put(&path(plenary), Some(&secretary), results.clone())
        .await
        .problem(403, "forbidden");

    // R19: elections are held at a plenary, with an election on its agenda, once it is held.
    s.put(&path(thematic), Some(&t), results.clone())
        .await
        .problem(409, "not_a_plenary");
    s.put(&path(without_election), Some(&t), results.clone())
        .await
        .problem(422, "no_election_on_agenda");
    s.put(&path(future), Some(&t), results.clone())
        .await
        .problem(409, "activity_not_held_yet");
    s.get(&path(plenary), Some(&t))
        .await
        .problem(404, "election_results_not_recorded");

    let recorded = created(s.put(&path(plenary), Some(&t), results.clone()).await).await;
    assert_eq!(recorded["voters_present"], 40);
    assert_eq!(recorded["results"][0]["application_id"], winner);
    assert_eq!(recorded["results"][1]["votes_for"], 15);
    assert!(recorded["event_id"].is_string(), "{recorded}");
    // Recorded once: a second recording is refused, and the first stays as it was.
    s.put(&path(plenary), Some(&t), results.clone())
        .await
        .problem(409, "election_results_recorded");
    let shown = ok(s.get(&path(plenary), Some(&secretary)).await).await;
    assert_eq!(shown, recorded);

    // members-service receives the results: R10 decides, R7 records who, when and why.
    let application = |app: i64, status: &'static str| {
        let s = &s;
        let t = &t;
        async move {
            eventually(60, &format!("application {app} {status}"), || async {
                let a = ok(s.get(&format!("{M}/applications/{app}"), Some(t)).await).await;
                (a["status"] == status).then_some(a)
            })
            .await
        }
    };
    let elected = application(winner, "elected").await;
    assert_eq!(elected["election"]["votes_for"], 31);
    assert_eq!(elected["election"]["voters_present"], 40);
    let last = elected["history"]
        .as_array()
        .and_then(|h| h.last().cloned())
        .unwrap_or_else(|| panic!("no history: {elected}"));
    assert_eq!(last["action"], "record_election");
    assert_eq!(last["actor"], "system:meetings");
    assert_eq!(last["reason"], format!("全体会议选举（活动 {plenary}，{yesterday}）"));
    let lost = application(loser, "not_elected").await;
    assert_eq!(lost["election"]["votes_for"], 15);

    // The elected candidate goes on to be appointed (聘任).
    let appointed = ok(s
        .post(
            &format!("{M}/applications/{winner}/transitions"),
            Some(&t),
            json!({"action": "appoint"}),
        )
        .await)
    .await;
    assert_eq!(appointed["status"], "appointed");
    s.stop().await;
}

/// A people change before the date refreshes the invitee list of the body's coming activities
/// (members-service's `body.members_changed` event); a held activity keeps the list it had.
#[actix_rt::test]
async fn a_resignation_before_the_date_takes_the_person_off_the_coming_activitys_invitees() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let g = group(&s, &t).await;
    let ahead = (today() + chrono::Duration::days(20)).to_string();
    let coming = id(&activity(
        &s,
        &t,
        json!({"body_id": g.body_id, "kind": "thematic", "title": "专题会议：实训基地", "held_on": ahead, "place": "重庆"}),
    )
    .await);
    let invitees = |a: i64| {
        let (s, t) = (&s, &t);
        async move {
            let list = ok(s.get(&format!("{A}/activities/{a}/invitees"), Some(t)).await).await;
            list.as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i["appointment_id"].as_i64())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(invitees(coming).await.len(), 2);
    created(
        s.post(
            &format!("{M}/appointments/{}/resignation", g.absentee),
            Some(&t),
            json!({"reason": "工作调动"}),
        )
        .await,
    )
    .await;
    ok(s.post(
        &format!("{M}/appointments/{}/resignation/decision", g.absentee),
        Some(&t),
        json!({"approve": true, "reason": "同意"}),
    )
    .await)
    .await;
    let left = eventually(
        30,
        "the coming activity's invitees without the one who resigned",
        || async {
            let list = invitees(coming).await;
            (list == [g.attendee]).then_some(list)
        },
    )
    .await;
    assert_eq!(left, [g.attendee]);
    s.stop().await;
}
