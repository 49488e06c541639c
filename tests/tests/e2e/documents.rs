//! documents-service end to end: an appointment made through the gateway produces, with no
//! further action, a stored PDF certificate that reads correctly in Chinese, an e-mail at a
//! real SMTP server, and a working public verification link; early ends revoke it and send
//! the notice; a duplicate event makes one document and one e-mail.

use awc::http::StatusCode;
use e2e_tests::{Fields, SmtpSink, TestSuite, created, eventually, ok, pdf_text_compact};
use serde_json::{Value, json};
use sha2::Digest;

const M: &str = "/api/v1/members";
const D: &str = "/api/v1/documents";

async fn documents_of(s: &TestSuite, t: &str, query: &str) -> Vec<Value> {
    let r = s.get(&format!("{D}?{query}"), Some(t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json().array_at("items").clone()
}

#[actix_rt::test]
async fn an_appointment_issues_mails_and_verifies_its_certificate_and_a_dismissal_revokes_it() {
    let smtp = SmtpSink::start();
    let smtp_url = smtp.url();
    let s = TestSuite::start_with(|c| c.documents.config.mail.smtp_url = Some(smtp_url)).await;
    let t = s.admin_token().await;

    let unit = created(s.post(&format!("{M}/units"), Some(&t),
        json!({"name": "天津市机电工艺技师学院", "kind": "technical_school", "contact_email": "office@tjjd.example.cn"})).await).await;
    let person = created(
        s.post(
            &format!("{M}/people"),
            Some(&t),
            json!({"name": "欧阳堃", "unit_id": unit["id"], "title_level": "senior", "date_of_birth": "1970-05-01",
               "email": "ouyang@tjjd.example.cn"}),
        )
        .await,
    )
    .await;
    let term = created(
        s.post(
            &format!("{M}/bodies/1/terms"),
            Some(&t),
            json!({"starts_on": "2026-01-01"}),
        )
        .await,
    )
    .await;
    let n = created(
        s.post(
            &format!("{M}/nominations"),
            Some(&t),
            json!({"body_id": 1, "term_id": term["id"], "person_id": person["id"], "post": "chair"}),
        )
        .await,
    )
    .await;
    let appt = created(
        s.post(&format!("{M}/nominations/{}/appointment", n["id"]), Some(&t), json!({}))
            .await,
    )
    .await;
    let appt_id = appt["id"].as_i64().unwrap_or(-1);

    // The certificate appears with no further action.
    let q = format!("appointment_id={appt_id}&kind=appointment_certificate");
    let doc = eventually(30, "the appointment certificate", || async {
        documents_of(&s, &t, &q).await.into_iter().next()
    })
    .await;
    let serial = doc.str_at("serial").to_owned();
    assert!(serial.starts_with("JGLM-PS-"), "{serial}");
    assert_eq!(doc["status"], "valid");
    assert_eq!(doc["post_label"], "理事长");

    // The PDF is stored byte-exact, reads in Chinese, and matches its hash.
    let pdf = s.get(&format!("{D}/{serial}/pdf"), Some(&t)).await;
    assert_eq!(pdf.header("content-type").as_deref(), Some("application/pdf"));
    assert_eq!(hex::encode(sha2::Sha256::digest(&pdf.body)), doc.str_at("content_hash"));
    let text = pdf_text_compact(&pdf.body);
    for expected in ["聘书", "欧阳堃", "理事长", serial.as_str()] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from the PDF text:\n{text}"
        );
    }

    // Public verification needs no token and shows only name, post, body and term.
    let verify_path = doc.str_at("verify_path").to_owned();
    let v = s.get(&verify_path, None).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.text());
    let v = v.json();
    assert_eq!(
        (v["status"].as_str(), v["name"].as_str(), v["post"].as_str()),
        (Some("valid"), Some("欧阳堃"), Some("理事长"))
    );
    assert!(v.get("email").is_none() && v.get("unit").is_none());
    s.get(&format!("{D}/verify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), None)
        .await
        .problem(404, "not_found");
    s.get(&format!("{D}/verify/{serial}"), None)
        .await
        .problem(404, "not_found");

    // The appointee's e-mail arrives at the SMTP server with the PDF attached.
    let mail = eventually(30, "the certificate e-mail", || async {
        smtp.messages()
            .into_iter()
            .find(|m| m.to.contains("ouyang@tjjd.example.cn"))
    })
    .await;
    assert!(
        mail.subject.contains("聘书") && mail.subject.contains(&serial),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("欧阳堃"));
    let (name, ctype, bytes) = mail.attachments.first().cloned().expect("the mail has an attachment");
    assert_eq!(
        (name.as_str(), ctype.as_str()),
        (format!("{serial}.pdf").as_str(), "application/pdf")
    );
    assert_eq!(bytes, pdf.body, "the attachment is the stored PDF");
    // The worker records the attempt just after the SMTP server took the message.
    let deliveries = eventually(10, "the delivery recorded as sent", || async {
        let d = s.get(&format!("{D}/{serial}/deliveries"), Some(&t)).await.json();
        (d[0]["status"] == "sent").then_some(d)
    })
    .await;
    assert_eq!(deliveries[0]["attempts"], 1);
    assert_eq!(deliveries[0]["message_id"].as_str(), Some(mail.message_id.as_str()));

    // Dismissal (R12): the certificate verifies as revoked; the notice goes to the person and
    // to the unit's contact (R14).
    let r = s
        .post(
            &format!("{M}/appointments/{appt_id}/dismissal"),
            Some(&t),
            json!({"reason": "从事有损联盟社会信誉的行为"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let revoked = eventually(30, "the revocation", || async {
        let v = s.get(&verify_path, None).await.json();
        (v["status"] == "revoked").then_some(v)
    })
    .await;
    assert!(revoked["revoked_on"].is_string());
    let notice = eventually(30, "the dismissal notice", || async {
        documents_of(&s, &t, &format!("appointment_id={appt_id}&kind=dismissal_notice"))
            .await
            .into_iter()
            .next()
    })
    .await;
    let notice_serial = notice.str_at("serial").to_owned();
    let notice_text = pdf_text_compact(&s.get(&format!("{D}/{notice_serial}/pdf"), Some(&t)).await.body);
    assert!(
        notice_text.contains("解聘通知书") && notice_text.contains("欧阳堃"),
        "{notice_text}"
    );
    eventually(30, "the notice to the person and the unit contact", || async {
        let to: Vec<String> = smtp
            .messages()
            .into_iter()
            .filter(|m| m.subject.contains("解聘通知书"))
            .map(|m| m.to)
            .collect();
        (to.len() == 2).then_some(to)
    })
    .await;
    s.stop().await;
}

#[actix_rt::test]
async fn the_same_event_delivered_twice_makes_one_document_and_one_email() {
    let smtp = SmtpSink::start();
    let smtp_url = smtp.url();
    let s = TestSuite::start_with(|c| c.documents.config.mail.smtp_url = Some(smtp_url)).await;
    let t = s.admin_token().await;
    let client = created(
        s.post(
            "/api/v1/auth/clients",
            Some(&t),
            json!({"name": "重放测试", "scopes": ["internal"]}),
        )
        .await,
    )
    .await;
    let token = s
        .post("/api/v1/auth/token", None, json!({"grant_type": "client_credentials", "client_id": client["client_id"], "client_secret": client["client_secret"]}))
        .await
        .json().str_at("access_token")
        .to_owned();
    let event = json!({
        "event_id": "5b0c2d4e-0000-4000-8000-000000000001", "kind": "certificate.issue", "source": "members",
        "occurred_at": "2026-11-24T08:00:00Z",
        "payload": {"document_kind": "appointment_certificate", "appointment": {
            "appointment_id": 77, "person_id": 5, "person_name": "赵喆", "person_email": "zhao@example.cn",
            "job_post": "教务处处长", "title_label": "副高级", "unit_id": 2, "unit_name": "杭州技师学院", "unit_contact_email": null, "body_id": 1, "body_name": "理事会",
            "post": "council_member", "post_label": "理事", "term_number": 2, "term_starts_on": "2026-01-01",
            "term_ends_on": "2029-12-31", "starts_on": "2026-11-24", "ends_on": "2029-12-31", "status": "active",
            "ended_on": null, "end_reason": null, "previous_appointment_id": null}}
    });
    let url = format!(
        "{}/internal/v1/events",
        s.suite
            .documents
            .as_ref()
            .map(|h| h.url())
            .expect("documents-service is running")
    );
    for _ in 0..2 {
        let r = s
            .send(
                "POST",
                &url,
                Some(&token),
                Some(("application/json", event.to_string().into_bytes())),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    let doc = eventually(30, "the certificate", || async {
        documents_of(&s, &t, "appointment_id=77").await.into_iter().next()
    })
    .await;
    assert_eq!(doc["term_label"], "第二届");
    eventually(30, "the e-mail", || async {
        (!smtp.messages().is_empty()).then_some(())
    })
    .await;
    // Every queue drained (the inbox processed, every mail sent): a duplicate would be counted.
    s.drained().await;
    assert_eq!(documents_of(&s, &t, "appointment_id=77").await.len(), 1);
    assert_eq!(smtp.messages().len(), 1);
    s.stop().await;
}

#[actix_rt::test]
async fn previews_render_user_text_literally_and_refuse_characters_no_font_has() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let hostile = "#panic() ]*_ $x$ \\ 堃喆犇燚镕𠮷";
    let r = s
        .post(
            &format!("{D}/previews"),
            Some(&t),
            json!({"kind": "appointment_certificate", "data": {"person_name": hostile}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type").as_deref(), Some("application/pdf"));
    let text = pdf_text_compact(&r.body);
    let expected: String = hostile.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(text.contains(&expected), "{expected:?} not printed literally:\n{text}");
    // U+E000 (private use) is in no font: refused, naming the character.
    let p = s
        .post(
            &format!("{D}/previews"),
            Some(&t),
            json!({"kind": "appointment_certificate", "data": {"person_name": "王\u{E000}"}}),
        )
        .await
        .problem(422, "missing_glyphs");
    assert!(p.str_at("detail").contains("U+E000"), "{p}");
    let member = s.token_for("member", Some("person:1")).await;
    s.post(&format!("{D}/previews"), Some(&member), json!({"kind": "roster"}))
        .await
        .problem(403, "forbidden");
    s.stop().await;
}

#[actix_rt::test]
async fn refused_addresses_fail_for_good_and_transient_refusals_are_retried() {
    let smtp = SmtpSink::start();
    let smtp_url = smtp.url();
    let s = TestSuite::start_with(|c| {
        c.documents.config.mail.smtp_url = Some(smtp_url);
        // The production schedule waits a minute before the first retry.
        c.documents.config.mail.retry.base = std::time::Duration::from_secs(1);
    })
    .await;
    let t = s.admin_token().await;
    let unit = created(
        s.post(
            &format!("{M}/units"),
            Some(&t),
            json!({"name": "投递测试学院", "kind": "technical_school"}),
        )
        .await,
    )
    .await;
    let term = created(
        s.post(
            &format!("{M}/bodies/1/terms"),
            Some(&t),
            json!({"starts_on": "2026-01-01"}),
        )
        .await,
    )
    .await;
    let mut serials = vec![];
    for (name, email, post) in [
        ("甲", "bounce@example.cn", "chair"),
        ("乙", "flaky@example.cn", "secretary_general"),
    ] {
        let p = created(s.post(&format!("{M}/people"), Some(&t),
            json!({"name": name, "unit_id": unit["id"], "title_level": "senior", "date_of_birth": "1970-01-01", "email": email})).await).await;
        let n = created(
            s.post(
                &format!("{M}/nominations"),
                Some(&t),
                json!({"body_id": 1, "term_id": term["id"], "person_id": p["id"], "post": post}),
            )
            .await,
        )
        .await;
        let a = created(
            s.post(&format!("{M}/nominations/{}/appointment", n["id"]), Some(&t), json!({}))
                .await,
        )
        .await;
        let q = format!("appointment_id={}", a["id"]);
        let doc = eventually(30, "the certificate", || async {
            documents_of(&s, &t, &q).await.into_iter().next()
        })
        .await;
        serials.push(doc.str_at("serial").to_owned());
    }
    // 550: failed at once, reported with the server's answer, not retried.
    let bounced = eventually(30, "the failed delivery", || async {
        let d = s.get(&format!("{D}/{}/deliveries", serials[0]), Some(&t)).await.json();
        (d[0]["status"] == "failed").then_some(d)
    })
    .await;
    assert_eq!(bounced[0]["attempts"], 1);
    assert!(bounced[0].str_at("last_error").contains("550"), "{bounced}");
    // 451 once: retried after a backoff, then sent; both attempts recorded.
    let retried = eventually(40, "the retried delivery", || async {
        let d = s.get(&format!("{D}/{}/deliveries", serials[1]), Some(&t)).await.json();
        (d[0]["status"] == "sent").then_some(d)
    })
    .await;
    assert_eq!(retried[0]["attempts"], 2);
    let outcomes: Vec<&str> = retried[0]["history"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["retry", "sent"]);
    assert_eq!(smtp.messages().iter().filter(|m| m.to.contains("flaky@")).count(), 1);

    // Issue 9, point 1: failed deliveries are listed across all documents, and can be retried
    // by hand (same Message-ID, schedule started anew); only failed ones.
    let failed = ok(s.get(&format!("{D}/deliveries?status=failed"), Some(&t)).await).await;
    let items = failed.array_at("items").clone();
    assert_eq!(items.len(), 1, "{failed}");
    assert_eq!(items[0]["document_serial"], serials[0].as_str());
    assert_eq!(items[0]["recipient"], "bounce@example.cn");
    assert_eq!(items[0]["message_id"], bounced[0]["message_id"]);
    let sent = ok(s.get(&format!("{D}/deliveries?status=sent"), Some(&t)).await).await;
    assert_eq!(sent["items"][0]["recipient"], "flaky@example.cn", "{sent}");
    let again = s
        .post(&format!("{D}/deliveries/{}/retry", items[0]["id"]), Some(&t), json!({}))
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.text());
    assert_eq!(again.json()["status"], "queued");
    let refailed = eventually(30, "the retried delivery failing again", || async {
        let d = s.get(&format!("{D}/{}/deliveries", serials[0]), Some(&t)).await.json();
        (d[0]["status"] == "failed" && d[0]["history"].as_array().map_or(0, Vec::len) == 2).then_some(d)
    })
    .await;
    assert_eq!(refailed[0]["attempts"], 1, "attempts of this round: {refailed}");
    assert_eq!(refailed[0]["message_id"], bounced[0]["message_id"]);
    let sent_id = sent["items"][0]["id"].clone();
    s.post(&format!("{D}/deliveries/{sent_id}/retry"), Some(&t), json!({}))
        .await
        .problem(409, "delivery_not_failed");
    s.post(&format!("{D}/deliveries/999999/retry"), Some(&t), json!({}))
        .await
        .problem(404, "not_found");
    s.get(&format!("{D}/deliveries?status=failed"), None)
        .await
        .problem(401, "token_missing");
    s.get(&format!("{D}/deliveries?status=bogus"), Some(&t))
        .await
        .problem(400, "invalid_query");
    s.stop().await;
}

#[actix_rt::test]
async fn a_renewal_replaces_the_certificate_and_the_old_one_verifies_as_superseded() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let g = created(
        s.post(
            &format!("{M}/bodies"),
            Some(&t),
            json!({"name": "模具专业建设协作组", "specialty": "模具"}),
        )
        .await,
    )
    .await;
    let gid = g["id"].as_i64().unwrap_or(-1);
    let t1 = created(
        s.post(
            &format!("{M}/bodies/{gid}/terms"),
            Some(&t),
            json!({"starts_on": "2020-01-01"}),
        )
        .await,
    )
    .await;
    created(
        s.post(
            &format!("{M}/bodies/{gid}/terms"),
            Some(&t),
            json!({"starts_on": "2024-01-01"}),
        )
        .await,
    )
    .await;
    let unit = created(
        s.post(
            &format!("{M}/units"),
            Some(&t),
            json!({"name": "续聘测试学院", "kind": "technical_school"}),
        )
        .await,
    )
    .await;
    let p = created(
        s.post(
            &format!("{M}/people"),
            Some(&t),
            json!({"name": "孙续聘", "unit_id": unit["id"], "title_level": "senior", "date_of_birth": "1970-01-01"}),
        )
        .await,
    )
    .await;
    let n = created(
        s.post(
            &format!("{M}/nominations"),
            Some(&t),
            json!({"body_id": gid, "term_id": t1["id"], "person_id": p["id"], "post": "director"}),
        )
        .await,
    )
    .await;
    let a = created(
        s.post(
            &format!("{M}/nominations/{}/appointment", n["id"]),
            Some(&t),
            json!({"starts_on": "2021-01-01"}),
        )
        .await,
    )
    .await;
    let first = eventually(30, "the first certificate", || async {
        documents_of(&s, &t, &format!("appointment_id={}", a["id"]))
            .await
            .into_iter()
            .next()
    })
    .await;
    let renewed = created(
        s.post(&format!("{M}/appointments/{}/renewals", a["id"]), Some(&t), json!({}))
            .await,
    )
    .await;
    let second = eventually(30, "the renewed certificate", || async {
        documents_of(&s, &t, &format!("appointment_id={}", renewed["id"]))
            .await
            .into_iter()
            .next()
    })
    .await;
    assert_eq!(second["term_label"], "第二届");
    let old = eventually(30, "the old certificate superseded", || async {
        let v = s.get(first.str_at("verify_path"), None).await.json();
        (v["status"] == "superseded").then_some(v)
    })
    .await;
    assert_eq!(old["serial"], first["serial"]);
    let new = s.get(second.str_at("verify_path"), None).await.json();
    assert_eq!(new["status"], "valid");
    s.stop().await;
}

/// 200 experts appointed through the gateway (each gets its own certificate from the event),
/// then one batch reissues the committee's certificates with visible progress.
#[actix_rt::test]
async fn a_batch_of_200_certificates_shows_its_progress_and_supersedes_the_earlier_ones() {
    const N: usize = 200;
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    created(
        s.post(
            &format!("{M}/bodies/1/terms"),
            Some(&t),
            json!({"starts_on": "2026-01-01"}),
        )
        .await,
    )
    .await;
    // 第七条: the expert committee serves on the council's terms (opened with them).
    let terms = ok(s.get(&format!("{M}/bodies/2/terms"), Some(&t)).await).await;
    let term = terms[0].clone();
    let mut csv = String::from("单位名称,单位类型,姓名,职务,职称级别,出生日期,电子邮箱,联系电话,专业背景\n");
    const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "欧阳", "诸葛"];
    const GIVEN: [&str; 10] = ["志刚", "建国", "晓燕", "堃", "喆", "犇", "燚", "镕", "文博", "海燕"];
    for i in 0..N {
        let name = format!(
            "{}{}{}",
            SURNAMES[i % 8],
            GIVEN[(i / 8) % 10],
            ["", "一", "二", "三"][i / 80]
        );
        csv.push_str(&format!(
            "天津市机电工艺技师学院,技工院校,{name},教师,正高级,1975-03-01,expert{i}@tjjd.example.cn,,数控技术\n"
        ));
    }
    let r = s
        .send(
            "POST",
            &format!("{M}/people:import?commit=true"),
            Some(&t),
            Some(("text/csv", csv.into_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let people: Vec<i64> = s.get(&format!("{M}/people?limit=500"), Some(&t)).await.json()["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["id"].as_i64())
        .collect();
    assert_eq!(people.len(), N);
    let mut appointments = Vec::new();
    for chunk in people.chunks(20) {
        let made = futures_util::future::join_all(chunk.iter().map(|p| {
            let (s, t, term) = (&s, &t, &term);
            async move {
                let n = created(
                    s.post(
                        &format!("{M}/nominations"),
                        Some(t),
                        json!({"body_id": 2, "term_id": term["id"], "person_id": p, "post": "expert"}),
                    )
                    .await,
                )
                .await;
                created(
                    s.post(&format!("{M}/nominations/{}/appointment", n["id"]), Some(t), json!({}))
                        .await,
                )
                .await
            }
        }))
        .await;
        appointments.extend(made.iter().filter_map(|a| a["id"].as_i64()));
    }
    assert_eq!(appointments.len(), N);
    // Each appointment's own certificate arrives from its event first.
    eventually(120, "200 certificates from the appointment events", || async {
        let n = documents_of(&s, &t, "kind=appointment_certificate&status=valid&limit=500")
            .await
            .len();
        (n == N).then_some(())
    })
    .await;

    // Checks: both or neither of ids and body, unknown ids, the role.
    s.post(
        &format!("{D}/batches"),
        Some(&t),
        json!({"body_id": 2, "appointment_ids": [1]}),
    )
    .await
    .problem(422, "validation_failed");
    let p = s
        .post(
            &format!("{D}/batches"),
            Some(&t),
            json!({"appointment_ids": [appointments[0], 999_999]}),
        )
        .await
        .problem(422, "appointments_not_found");
    assert!(p.str_at("detail").contains("999999"), "{p}");
    let contact = s.token_for("unit_contact", Some("unit:1")).await;
    s.post(&format!("{D}/batches"), Some(&contact), json!({"body_id": 2}))
        .await
        .problem(403, "forbidden");

    // Without reissue every appointment keeps the certificate it has.
    let b = s
        .post(
            &format!("{D}/batches"),
            Some(&t),
            json!({"body_id": 2, "send_mail": false}),
        )
        .await;
    assert_eq!(b.status, StatusCode::ACCEPTED, "{}", b.text());
    let id = b.json()["id"].as_i64().unwrap_or(0);
    let done = eventually(60, "the first batch to finish", || async {
        let b = s.get(&format!("{D}/batches/{id}"), Some(&t)).await.json();
        (b["status"] == "finished").then_some(b)
    })
    .await;
    assert_eq!(
        (
            done["total"].as_i64(),
            done["existing"].as_i64(),
            done["issued"].as_i64()
        ),
        (Some(200), Some(200), Some(0))
    );

    // Reissue for the whole committee: accepted at once, progress visible, then finished.
    let first = s
        .post(
            &format!("{D}/batches"),
            Some(&t),
            json!({"body_id": 2, "send_mail": false, "reissue": true}),
        )
        .await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.text());
    let batch = first.json();
    assert_eq!(batch["total"], 200);
    assert_eq!(first.header("location"), Some(format!("{D}/batches/{}", batch["id"])));
    let id = batch["id"].as_i64().unwrap_or(0);
    let seen = std::cell::RefCell::new(Vec::new());
    let finished = eventually(120, "the reissue batch to finish", || {
        let (s, t, seen) = (&s, &t, &seen);
        async move {
            let b = s.get(&format!("{D}/batches/{id}"), Some(t)).await.json();
            let done = b["done"].as_i64().unwrap_or(-1);
            assert_eq!(
                done + b["failed"].as_i64().unwrap_or(0) + b["pending"].as_i64().unwrap_or(0),
                200,
                "{b}"
            );
            seen.borrow_mut().push(done);
            (b["status"] == "finished").then_some(b)
        }
    })
    .await;
    let seen = seen.into_inner();
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "progress went backwards: {seen:?}"
    );
    assert_eq!(
        (finished["issued"].as_i64(), finished["failed"].as_i64()),
        (Some(200), Some(0)),
        "{finished}"
    );
    assert!(finished["finished_at"].is_string());

    // 200 new valid certificates with distinct serials; the 200 earlier ones are superseded.
    let valid = documents_of(&s, &t, "kind=appointment_certificate&status=valid&limit=500").await;
    let superseded = documents_of(&s, &t, "kind=appointment_certificate&status=superseded&limit=500").await;
    assert_eq!((valid.len(), superseded.len()), (N, N));
    let mut serials: Vec<&str> = valid.iter().filter_map(|d| d["serial"].as_str()).collect();
    serials.sort_unstable();
    serials.dedup();
    assert_eq!(serials.len(), N);
    let sample = &valid[57];
    let pdf = s.get(&format!("{D}/{}/pdf", sample.str_at("serial")), Some(&t)).await;
    let text = pdf_text_compact(&pdf.body);
    assert!(
        text.contains(sample["person_name"].as_str().unwrap_or("?")) && text.contains("专家委员会委员"),
        "{text}"
    );

    // The same Idempotency-Key gives the same batch, not a second one.
    let keyed = || async {
        let mut r = s
            .client
            .post(format!("{}{D}/batches", s.url))
            .insert_header(("authorization", format!("Bearer {t}")))
            .insert_header(("idempotency-key", "batch-key-1"))
            .insert_header(("content-type", "application/json"))
            .send_body(json!({"appointment_ids": [appointments[0]], "send_mail": false}).to_string())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let body = r.body().await.unwrap_or_else(|e| panic!("reading the body: {e}"));
        (
            r.status(),
            serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
        )
    };
    let (st1, b1) = keyed().await;
    let (st2, b2) = keyed().await;
    assert_eq!((st1, st2), (StatusCode::ACCEPTED, StatusCode::OK));
    assert_eq!(b1["id"], b2["id"]);

    // The committee's 成员名册 on request: one table over several pages, everyone on it.
    let roster = created(s.post(&format!("{D}/rosters"), Some(&t), json!({"body_id": 2})).await).await;
    assert_eq!(roster["kind"], "roster");
    let pdf = s.get(&format!("{D}/{}/pdf", roster.str_at("serial")), Some(&t)).await;
    let text = e2e_tests::pdf_text(&pdf.body);
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 4, "a 200-row roster on {pages} pages");
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        compact.contains("专家委员会成员名册") && compact.contains("共200人"),
        "{compact}"
    );
    // A name of up to three characters fits its cell on one line (longer ones may wrap there).
    let short = valid
        .iter()
        .filter_map(|d| d["person_name"].as_str())
        .find(|n| n.chars().count() <= 3)
        .unwrap_or("?");
    assert!(compact.contains(short), "{short} missing: {compact}");
    s.post(
        &format!("{D}/rosters"),
        Some(&t),
        json!({"body_id": 2, "on": "2020-01-01"}),
    )
    .await
    .problem(422, "empty_roster");
    s.stop().await;
}

/// R6 and R11 with R14: a lapse and an accepted resignation each send their notice, and an
/// early end revokes the certificate.
#[actix_rt::test]
async fn a_lapse_and_a_resignation_each_mail_their_notice_and_the_resignation_revokes_the_certificate() {
    let smtp = SmtpSink::start();
    let smtp_url = smtp.url();
    let s = TestSuite::start_with(|c| c.documents.config.mail.smtp_url = Some(smtp_url)).await;
    let t = s.admin_token().await;
    let unit = created(
        s.post(
            &format!("{M}/units"),
            Some(&t),
            json!({"name": "常州技师学院", "kind": "technical_school"}),
        )
        .await,
    )
    .await;
    let person = |name: &'static str, email: &'static str| {
        let (s, t, unit) = (&s, &t, &unit);
        async move {
            created(
                s.post(
                    &format!("{M}/people"),
                    Some(t),
                    json!({"name": name, "unit_id": unit["id"], "title_level": "senior",
                "date_of_birth": "1971-01-01", "email": email}),
                )
                .await,
            )
            .await
        }
    };
    let appoint = |body: i64, term: i64, person: i64, post: &'static str| {
        let (s, t) = (&s, &t);
        async move {
            let n = created(
                s.post(
                    &format!("{M}/nominations"),
                    Some(t),
                    json!({"body_id": body, "term_id": term, "person_id": person, "post": post}),
                )
                .await,
            )
            .await;
            // The group's appointment falls in its ended term.
            let when = if body == 1 {
                json!({})
            } else {
                json!({"starts_on": "2021-06-15"})
            };
            created(
                s.post(&format!("{M}/nominations/{}/appointment", n["id"]), Some(t), when)
                    .await,
            )
            .await
        }
    };
    // A group whose first term ended on 2023-12-31; its secretary-general was not renewed.
    let g = created(
        s.post(
            &format!("{M}/bodies"),
            Some(&t),
            json!({"name": "工业机器人专业建设协作组", "specialty": "工业机器人"}),
        )
        .await,
    )
    .await;
    let gid = g["id"].as_i64().unwrap_or(-1);
    let old_term = created(
        s.post(
            &format!("{M}/bodies/{gid}/terms"),
            Some(&t),
            json!({"starts_on": "2020-01-01"}),
        )
        .await,
    )
    .await;
    let lapsing = person("届满者", "jiman@czjs.example.cn").await;
    appoint(
        gid,
        old_term["id"].as_i64().unwrap_or(-1),
        lapsing["id"].as_i64().unwrap_or(-1),
        "secretary_general",
    )
    .await;
    // The council's chair, who resigns.
    let term = created(
        s.post(
            &format!("{M}/bodies/1/terms"),
            Some(&t),
            json!({"starts_on": "2026-01-01"}),
        )
        .await,
    )
    .await;
    let leaving = person("辞聘者", "cipin@czjs.example.cn").await;
    let chair = appoint(
        1,
        term["id"].as_i64().unwrap_or(-1),
        leaving["id"].as_i64().unwrap_or(-1),
        "chair",
    )
    .await;
    let chair_id = chair["id"].as_i64().unwrap_or(-1);
    let certificate = eventually(30, "the chair's certificate", || async {
        documents_of(
            &s,
            &t,
            &format!("appointment_id={chair_id}&kind=appointment_certificate"),
        )
        .await
        .into_iter()
        .next()
    })
    .await;

    ok(s.post(&format!("{M}/jobs/run"), Some(&t), json!({})).await).await;
    created(
        s.post(
            &format!("{M}/appointments/{chair_id}/resignation"),
            Some(&t),
            json!({"reason": "工作调动"}),
        )
        .await,
    )
    .await;
    ok(s.post(
        &format!("{M}/appointments/{chair_id}/resignation/decision"),
        Some(&t),
        json!({"approve": true, "reason": "同意"}),
    )
    .await)
    .await;

    for (email, kind, title, name) in [
        ("jiman@czjs.example.cn", "lapse_notice", "任期届满通知", "届满者"),
        (
            "cipin@czjs.example.cn",
            "resignation_acceptance",
            "辞聘确认函",
            "辞聘者",
        ),
    ] {
        let mail = eventually(30, title, || async {
            smtp.messages()
                .into_iter()
                .find(|m| m.to.contains(email) && m.subject.contains(title))
        })
        .await;
        let (_, ctype, pdf) = mail.attachments.first().cloned().expect("the mail has an attachment");
        assert_eq!(ctype, "application/pdf");
        let text = pdf_text_compact(&pdf);
        assert!(text.contains(title) && text.contains(name), "{kind}: {text}");
        let docs = documents_of(&s, &t, &format!("kind={kind}")).await;
        assert_eq!(docs.len(), 1, "{kind}");
        assert!(text.contains(docs[0]["serial"].as_str().unwrap_or("?")), "{text}");
    }
    // The resignation ended the chair's appointment early: the certificate verifies as revoked.
    let v = ok(s.get(certificate.str_at("verify_path"), None).await).await;
    assert_eq!(v["status"], "revoked", "{v}");
    assert!(v["revoked_on"].is_string(), "{v}");
    s.stop().await;
}
