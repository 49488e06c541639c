//! Issue 12: a certificate anyone can check. The QR code printed on the PDF is the short link
//! `/v/<token>`, which a browser (headless Chromium, at a phone's 360×740 and a desktop's
//! 1280×800) shows as a page in Chinese for a valid, a revoked (R12: 解聘), a superseded and an
//! unknown certificate, with nothing about the person beyond the certificate; the same link
//! answers API clients with JSON. A file uploaded on that page, or to `POST /api/v1/documents/verify`,
//! matches its document only when byte-identical. Screenshots: `target/tmp/screenshots/verify-*.png`.

use std::process::Command;

use awc::http::StatusCode;
use e2e_tests::{Fields, TestSuite, created, eventually, ok};
use serde_json::{Value, json};

use super::browser::{self, Browser};

const M: &str = "/api/v1/members";
const D: &str = "/api/v1/documents";

/// The three appointees; e-mail, phone and birth date must never reach the page.
const PEOPLE: [(&str, &str, &str, &str); 3] = [
    ("欧阳堃", "ouyang.kun@tjjd.example.cn", "13800138001", "1970-05-01"),
    ("诸葛喆", "zhuge.zhe@tjjd.example.cn", "13800138002", "1971-06-02"),
    ("司马燚", "sima.yi@tjjd.example.cn", "13800138003", "1972-07-03"),
];

/// The certificate of appointment `id` (the newest first).
async fn certificate(s: &TestSuite, t: &str, id: &Value) -> Value {
    eventually(30, "the certificate", || async {
        let r = s
            .get(
                &format!("{D}?appointment_id={id}&kind=appointment_certificate&status=valid"),
                Some(t),
            )
            .await;
        r.json()["items"].as_array().and_then(|a| a.first().cloned())
    })
    .await
}

/// The JSON answer of a verification link, once `status` is what it shows.
async fn standing(s: &TestSuite, path: &str, status: &str) -> Value {
    eventually(30, &format!("{path} to verify as {status}"), || async {
        let v = s.get(path, None).await;
        (v.status == StatusCode::OK && v.json()["status"] == status).then(|| v.json())
    })
    .await
}

/// The text of the QR code printed on `pdf` (poppler's pdftoppm, then zbarimg).
fn printed_qr(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
    let path = dir.path().join("c.pdf");
    std::fs::write(&path, pdf).unwrap_or_else(|e| panic!("cannot write the PDF: {e}"));
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "200", "-singlefile"])
        .arg(&path)
        .arg(dir.path().join("page"))
        .status()
        .unwrap_or_else(|e| panic!("pdftoppm (poppler-utils) could not start: {e}"));
    assert!(status.success(), "pdftoppm failed");
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(dir.path().join("page.png"))
        .output()
        .unwrap_or_else(|e| panic!("zbarimg (zbar-tools) could not start: {e}"));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A unit and the expert committee's first term (第七条: it serves on the council's terms, which
/// this opens); its experts are nominated.
async fn expert_term(s: &TestSuite, t: &str) -> (Value, Value) {
    let unit = created(s.post(&format!("{M}/units"), Some(t),
        json!({"name": "天津市机电工艺技师学院", "kind": "technical_school", "contact_email": "office@tjjd.example.cn"})).await).await;
    created(
        s.post(
            &format!("{M}/bodies/1/terms"),
            Some(t),
            json!({"starts_on": "2026-01-01"}),
        )
        .await,
    )
    .await;
    let term = ok(s.get(&format!("{M}/bodies/2/terms"), Some(t)).await).await[0].clone();
    (unit, term)
}

/// `person` (the body of `POST /people`, without its unit) appointed 委员 of the expert committee
/// in `term`: the person and the appointment.
async fn appoint_expert(s: &TestSuite, t: &str, unit: &Value, term: &Value, mut person: Value) -> (Value, Value) {
    person["unit_id"] = unit["id"].clone();
    person["title_level"] = json!("senior");
    let p = created(s.post(&format!("{M}/people"), Some(t), person).await).await;
    let n = created(
        s.post(
            &format!("{M}/nominations"),
            Some(t),
            json!({"body_id": 2, "term_id": term["id"], "person_id": p["id"], "post": "expert"}),
        )
        .await,
    )
    .await;
    let a = created(
        s.post(&format!("{M}/nominations/{}/appointment", n["id"]), Some(t), json!({}))
            .await,
    )
    .await;
    (p, a)
}

#[actix_rt::test]
async fn the_qr_link_shows_a_chinese_page_for_valid_revoked_superseded_and_unknown_and_files_are_checked() {
    if !browser::available("the verification page test") {
        return;
    }
    // Generous for this test (it reads each link many times); the limit has its own test.
    let s = TestSuite::start_with(|c| c.gateway.limits.verify_per_minute = 0).await;
    let t = s.admin_token().await;
    let (unit, term) = expert_term(&s, &t).await;
    let mut appointments = Vec::new();
    for (name, email, phone, born) in PEOPLE {
        let person = json!({"name": name, "date_of_birth": born, "email": email, "phone": phone});
        appointments.push(appoint_expert(&s, &t, &unit, &term, person).await.1);
    }
    let valid = certificate(&s, &t, &appointments[0]["id"]).await;
    let revoked = certificate(&s, &t, &appointments[1]["id"]).await;
    let superseded = certificate(&s, &t, &appointments[2]["id"]).await;
    let link = |d: &Value| d.str_at("verify_path").to_owned();
    assert!(link(&valid).starts_with("/v/"), "the short link: {valid}");

    // R12: a dismissal revokes the certificate; a reissue supersedes one.
    ok(s.post(
        &format!("{M}/appointments/{}/dismissal", appointments[1]["id"]),
        Some(&t),
        json!({"reason": "内部备注：不应出现在公开页面"}),
    )
    .await)
    .await;
    let batch = s
        .post(
            &format!("{D}/batches"),
            Some(&t),
            json!({"appointment_ids": [appointments[2]["id"]], "reissue": true, "send_mail": false}),
        )
        .await;
    assert!(batch.status.is_success(), "{}", batch.text());
    standing(&s, &link(&revoked), "revoked").await;
    let old = standing(&s, &link(&superseded), "superseded").await;
    let replacement = old.str_at("superseded_by_serial").to_owned();
    assert!(
        replacement.starts_with("JGLM-PS-") && replacement != superseded.str_at("serial"),
        "{old}"
    );

    // API clients still get JSON from the same link (no Accept, or asking for JSON).
    let v = s.get(&link(&valid), None).await;
    assert_eq!(v.header("content-type").as_deref(), Some("application/json"));
    assert_eq!(
        (v.json()["status_label"].as_str(), v.json()["issuer"].as_str()),
        (Some("有效"), Some("机械行业技工院校高水平专业建设联盟"))
    );
    let r = standing(&s, &link(&revoked), "revoked").await;
    assert_eq!(
        (r["revocation"]["class"].as_str(), r["revocation"]["label"].as_str()),
        (Some("dismissed"), Some("解聘"))
    );
    assert!(
        !r.to_string().contains("内部备注"),
        "the secretariat's note is not public: {r}"
    );

    // The QR code printed on the PDF is the short link on the gateway.
    let pdf = s
        .get(&format!("{D}/{}/pdf", valid.str_at("serial")), Some(&t))
        .await
        .body;
    assert_eq!(printed_qr(&pdf), format!("{}{}", s.url, link(&valid)));

    // The pages, as a phone and a desktop show them.
    let cases = [
        (
            "valid",
            link(&valid),
            vec![
                "有效",
                valid.str_at("serial"),
                PEOPLE[0].0,
                "委员",
                "专家委员会",
                "聘书",
            ],
        ),
        (
            "revoked",
            link(&revoked),
            vec!["已撤销", revoked.str_at("serial"), PEOPLE[1].0, "解聘", "撤销日期"],
        ),
        (
            "superseded",
            link(&superseded),
            vec![
                "已被替代",
                superseded.str_at("serial"),
                PEOPLE[2].0,
                "被新证书替代",
                &replacement,
            ],
        ),
        (
            "unknown",
            "/v/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            vec!["未找到"],
        ),
        ("malformed", "/v/not-a-token".to_owned(), vec!["未找到"]),
    ];
    let browser = Browser::launch().await;
    for (width, height) in [(360, 740), (1280, 800)] {
        browser.viewport(width, height).await;
        for (name, path, expected) in &cases {
            browser.goto(&format!("{}{path}", s.url)).await;
            let text = browser.visible_text().await;
            let shot = browser.screenshot(&format!("verify-{name}-{width}x{height}")).await;
            for word in expected {
                assert!(
                    text.contains(word),
                    "{name} at {width}px: {word:?} not shown (screenshot {shot}):\n{text}"
                );
            }
            let html = browser.html().await;
            for (_, email, phone, born) in PEOPLE {
                for secret in [email, phone, born, "内部备注"] {
                    assert!(!html.contains(secret), "{name}: {secret} in the page");
                }
            }
            if *name == "unknown" || *name == "malformed" {
                for (person, ..) in PEOPLE {
                    assert!(!text.contains(person), "{name}: a name on the page for an unknown link");
                }
            }
            assert!(
                browser.fits_width().await,
                "{name} scrolls sideways at {width}px (screenshot {shot})"
            );
        }
    }

    // A file uploaded on the page: the issued PDF matches, one byte changed does not.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
    let genuine = dir.path().join("genuine.pdf");
    let mut altered_bytes = pdf.clone();
    let middle = altered_bytes.len() / 2;
    altered_bytes[middle] ^= 0x01;
    let altered = dir.path().join("altered.pdf");
    std::fs::write(&genuine, &pdf).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&altered, &altered_bytes).unwrap_or_else(|e| panic!("{e}"));
    for (file, expected) in [(&genuine, "逐字节一致"), (&altered, "未找到与该文件一致的签发记录")] {
        browser.goto(&format!("{}{}", s.url, link(&valid))).await;
        let input = browser
            .js("return document.querySelector('input[type=file]');", json!([]))
            .await;
        browser.type_into(&input, &file.display().to_string()).await;
        let submit = browser
            .js("return document.querySelector('form button[type=submit]');", json!([]))
            .await;
        browser.click(&submit).await;
        let text = browser
            .wait_for(
                "the check's answer",
                "return location.pathname === '/v' ? document.body.innerText : null;",
                json!([]),
            )
            .await;
        let name = file.file_stem().and_then(|n| n.to_str()).unwrap_or("file");
        let shot = browser.screenshot(&format!("verify-upload-{name}")).await;
        assert!(
            text.as_str().unwrap_or_default().contains(expected),
            "{name}: {expected} not shown (screenshot {shot}): {text}"
        );
    }
    browser.quit().await;

    // The same check in the API: raw PDF, and a multipart form.
    let check = |body: Vec<u8>, ctype: &'static str| {
        let s = &s;
        async move { s.send("POST", &format!("{D}/verify"), None, Some((ctype, body))).await }
    };
    let m = check(pdf.clone(), "application/pdf").await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.text());
    assert_eq!(
        (m.json()["matches"].as_bool(), m.json()["document"]["serial"].as_str()),
        (Some(true), Some(valid.str_at("serial")))
    );
    let n = check(altered_bytes.clone(), "application/pdf").await.json();
    assert_eq!(
        (n["matches"].as_bool(), n["message"].as_str()),
        (Some(false), Some("未找到与该文件一致的签发记录"))
    );
    assert!(n["document"].is_null());
    let mut form = b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".to_vec();
    form.extend_from_slice(&pdf);
    form.extend_from_slice(b"\r\n--b0undary--\r\n");
    let f = check(form, "multipart/form-data; boundary=b0undary").await.json();
    assert_eq!(f["matches"].as_bool(), Some(true), "{f}");
    // Refused clearly: not a PDF or form, too large, a form without its file.
    check(b"hello".to_vec(), "text/plain")
        .await
        .problem(415, "unsupported_media_type");
    check(vec![b'%'; 4 * 1024 * 1024 + 1], "application/pdf")
        .await
        .problem(413, "payload_too_large");
    check(
        b"--x\r\n\r\nno file\r\n--x--\r\n".to_vec(),
        "multipart/form-data; boundary=x",
    )
    .await
    .problem(400, "invalid_body");
    // An empty file is no document the alliance issued.
    let empty = check(Vec::new(), "application/pdf").await;
    assert_eq!(
        (empty.status, empty.json()["matches"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{}",
        empty.text()
    );
    s.stop().await;
}

#[actix_rt::test]
async fn one_address_is_held_to_the_verification_rate() {
    let s = TestSuite::start_with(|c| c.gateway.limits.verify_per_minute = 6).await;
    // The burst passes (unknown links answer 404), then the address waits.
    let mut answers = Vec::new();
    for _ in 0..gateway::proxy::VERIFY_BURST + 3 {
        answers.push(s.get("/v/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", None).await);
    }
    let statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    let burst = gateway::proxy::VERIFY_BURST as usize;
    assert!(statuses[..burst].iter().all(|s| *s == 404), "{statuses:?}");
    let limited = answers.last().unwrap_or_else(|| panic!("no answers"));
    limited.problem(429, "rate_limited");
    let wait: u64 = limited.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or(0);
    assert!((1..=10).contains(&wait), "Retry-After {wait}");
    // The long form and the file check share the same budget.
    s.get(&format!("{D}/verify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), None)
        .await
        .problem(429, "rate_limited");
    s.send("POST", "/v", None, Some(("application/pdf", b"%PDF".to_vec())))
        .await
        .problem(429, "rate_limited");
    // Other routes are not limited by it.
    assert_eq!(
        s.get("/api/v1/members/bodies", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    s.stop().await;
}

/// The body of a 200 answer as text.
fn ok_text(r: e2e_tests::Reply) -> String {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.text()
}

/// The payload of a JWT, decoded without checking it (the independent check is the Python one).
fn jwt_payload(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap_or_else(|e| panic!("not a JWT ({e}): {jwt}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("JWT payload is not JSON: {e}"))
}

/// `tests/tools/check_credential.py` (jwcrypto and the standard library, not this project's
/// code) on the credential, the published JWKS and the status list as fetched now.
async fn independent_check(s: &TestSuite, jwt: &str, expect: &str) -> Value {
    let status_url = jwt_payload(jwt)["credentialStatus"]["statusListCredential"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        status_url.starts_with(&s.url),
        "the status list is on the gateway: {status_url}"
    );
    let list = s.get(&status_url, None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    assert_eq!(list.header("content-type").as_deref(), Some("application/vc+jwt"));
    let jwks = s.get(&format!("{D}/issuer/jwks"), None).await;
    assert_eq!(jwks.status, StatusCode::OK, "{}", jwks.text());
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{e}"));
        p
    };
    // Debian's python3, where python3-jwcrypto is installed (not a pyenv one).
    let out = Command::new("/usr/bin/python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tools/check_credential.py"))
        .arg(write("jwks.json", &jwks.body))
        .arg(write("credential.jwt", jwt.as_bytes()))
        .arg(write("status.jwt", &list.body))
        .arg(expect)
        .output()
        .unwrap_or_else(|e| panic!("python3 could not start: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the independent check failed ({expect}): {stdout}{}\n(apt-get install python3-jwcrypto; CI installs it)",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[actix_rt::test]
async fn a_certificate_is_a_signed_open_badge_an_independent_verifier_accepts_and_its_revocation_sets_its_bit() {
    let smtp = e2e_tests::SmtpSink::start();
    let smtp_url = smtp.url();
    let s = TestSuite::start_with(|c| c.documents.config.mail.smtp_url = Some(smtp_url)).await;
    let t = s.admin_token().await;
    let (unit, term) = expert_term(&s, &t).await;
    let person = json!({"name": "欧阳堃", "email": "ouyang@tjjd.example.cn"});
    let (p, a) = appoint_expert(&s, &t, &unit, &term, person).await;
    let doc = certificate(&s, &t, &a["id"]).await;
    let serial = doc.str_at("serial").to_owned();

    // The holder's and the secretariat's: a VC-JOSE JWT; nobody else's.
    let path = format!("{D}/{serial}/credential");
    s.get(&path, None).await.problem(401, "token_missing");
    let r = s.get(&path, Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type").as_deref(), Some("application/vc+jwt"));
    let jwt = r.text();
    let vc = jwt_payload(&jwt);
    assert_eq!(
        vc["id"].as_str(),
        Some(format!("{}{}", s.url, doc.str_at("verify_path")).as_str())
    );
    assert_eq!(vc["evidence"][0]["description"].as_str(), Some(serial.as_str()));
    assert_eq!(vc["credentialSubject"]["achievement"]["name"], "专家委员会委员");
    // validUntil is the end of the term's last day in China.
    assert_eq!(
        vc["validUntil"].as_str(),
        Some(format!("{}T15:59:59Z", term.str_at("ends_on")).as_str())
    );
    let profile = ok(s.get(&format!("{D}/issuer"), None).await).await;
    assert_eq!(
        (profile["id"].as_str(), profile["name"].as_str()),
        (vc["issuer"]["id"].as_str(), Some("机械行业技工院校高水平专业建设联盟"))
    );
    let valid = independent_check(&s, &jwt, "valid").await;
    assert_eq!(valid["serial"].as_str(), Some(serial.as_str()));
    assert!(valid["bytes"].as_u64() >= Some(16 * 1024), "{valid}");

    // The PDF carries it too: PDF/A-3b with the credential as an embedded file, read back by
    // qpdf and poppler (Debian), not by this project.
    let pdf = s.get(&format!("{D}/{serial}/pdf"), Some(&t)).await.body;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
    let pdf_path = dir.path().join("c.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap_or_else(|e| panic!("{e}"));
    let run = |cmd: &str, args: &[&str]| {
        let out = Command::new(cmd)
            .args(args)
            .arg(&pdf_path)
            .output()
            .unwrap_or_else(|e| panic!("{cmd} could not start ({e}): apt-get install qpdf poppler-utils"));
        assert!(
            out.status.success(),
            "{cmd} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let listed = run("qpdf", &["--list-attachments"]);
    assert!(listed.contains("credential.jwt"), "attachments: {listed}");
    assert_eq!(
        run("qpdf", &["--show-attachment=credential.jwt"]),
        jwt,
        "the embedded credential is the API's"
    );
    let xmp = run("pdfinfo", &["-meta"]);
    let compact: String = xmp.split_whitespace().collect();
    assert!(
        (compact.contains("<pdfaid:part>3</pdfaid:part>") || compact.contains("pdfaid:part=\"3\""))
            && (compact.contains("<pdfaid:conformance>B</pdfaid:conformance>")
                || compact.contains("pdfaid:conformance=\"B\"")),
        "the XMP does not say PDF/A-3b:\n{xmp}"
    );

    // The e-mail carries it beside the PDF.
    let mail = eventually(30, "the certificate e-mail", || async {
        smtp.messages().into_iter().find(|m| m.subject.contains(&serial))
    })
    .await;
    let attached = mail
        .attachments
        .iter()
        .find(|(name, ..)| name == &format!("{serial}.jwt"));
    let (_, ctype, bytes) = attached.unwrap_or_else(|| {
        panic!(
            "no credential attached: {:?}",
            mail.attachments.iter().map(|a| &a.0).collect::<Vec<_>>()
        )
    });
    assert_eq!(
        (ctype.as_str(), bytes.as_slice()),
        ("application/vc+jwt", jwt.as_bytes())
    );

    // R16: a 荣誉证书 is a credential too (an Award, no end date), in its own kind's list.
    created(
        s.post(
            &format!("{M}/commendations"),
            Some(&t),
            json!({"year": 2026, "person_id": p["id"], "citation": "在专业建设中成绩突出"}),
        )
        .await,
    )
    .await;
    let honour = eventually(30, "the 荣誉证书", || async {
        let r = s
            .get(
                &format!("{D}?person_id={}&kind=commendation_certificate", p["id"]),
                Some(&t),
            )
            .await;
        r.json()["items"].as_array().and_then(|a| a.first().cloned())
    })
    .await;
    let honour_jwt = ok_text(
        s.get(&format!("{D}/{}/credential", honour.str_at("serial")), Some(&t))
            .await,
    );
    let award = jwt_payload(&honour_jwt);
    let achievement = &award["credentialSubject"]["achievement"];
    assert_eq!(
        (
            achievement["achievementType"].as_str(),
            achievement["description"].as_str()
        ),
        (Some("Award"), Some("在专业建设中成绩突出")),
        "{award}"
    );
    assert!(award.get("validUntil").is_none(), "{award}");
    let list = award["credentialStatus"]["statusListCredential"]
        .as_str()
        .unwrap_or_default();
    assert!(
        list.contains("/status-lists/RY-"),
        "a 荣誉证书 is in the RY list: {award}"
    );
    independent_check(&s, &honour_jwt, "valid").await;

    // Ended early (R11 resignation accepted or R12 dismissal): revoked, and the bit is set.
    ok(s.post(
        &format!("{M}/appointments/{}/dismissal", a["id"]),
        Some(&t),
        json!({"reason": "测试"}),
    )
    .await)
    .await;
    standing(&s, doc.str_at("verify_path"), "revoked").await;
    independent_check(&s, &jwt, "revoked").await;
    // Notices have no credential; unknown lists are 404.
    let notice = eventually(30, "the dismissal notice", || async {
        let r = s
            .get(
                &format!("{D}?appointment_id={}&kind=dismissal_notice", a["id"]),
                Some(&t),
            )
            .await;
        r.json()["items"].as_array().and_then(|a| a.first().cloned())
    })
    .await;
    s.get(&format!("{D}/{}/credential", notice.str_at("serial")), Some(&t))
        .await
        .problem(404, "not_found");
    for bad in ["JP-2026-0", "PS-2026-x", "nothing"] {
        s.get(&format!("{D}/status-lists/{bad}"), None)
            .await
            .problem(404, "not_found");
    }
    s.stop().await;
}
