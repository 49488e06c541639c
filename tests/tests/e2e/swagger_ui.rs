//! Swagger UI in a real headless Chromium: the page served by the gateway lists the operations of
//! every service, and an authorized "Try it out" request made from the page succeeds.
//!
//! Chromium is driven through [`super::browser`].

use std::time::Instant;

use e2e_tests::{ADMIN_PASSWORD, Fields, TestSuite};
use serde_json::{Value, json};

use super::browser::{self, Browser};

/// The operation block of `method` `path` (an element reference), or `null` while it is not rendered.
const FIND_OPBLOCK: &str = r#"
const [method, path] = arguments;
const span = document.querySelector(`.opblock-${method} .opblock-summary-path[data-path="${path}"]`);
return span ? span.closest('.opblock') : null;
"#;

#[actix_rt::test]
async fn swagger_ui_lists_all_services_and_authorized_try_it_out_succeeds() {
    if !browser::available("the Swagger UI test") {
        return;
    }
    let started = Instant::now();
    let suite = TestSuite::start().await;
    let browser = Browser::launch().await;

    // 1. The page loads from the gateway and renders the merged document.
    browser.goto(&format!("{}/swagger-ui/", suite.url)).await;
    let title = browser
        .wait_for(
            "the document title",
            "const t = document.querySelector('.information-container .title'); return t ? t.innerText : null;",
            json!([]),
        )
        .await;
    let title = title
        .as_str()
        .unwrap_or_else(|| panic!("no title in the page: {title}"));
    assert!(!title.is_empty(), "empty title");

    // 2. Operations of all three services and of the gateway's auth are listed.
    for (method, path) in [
        ("get", "/api/v1/members/bodies"),
        ("get", "/api/v1/meetings/activities"),
        ("get", "/api/v1/documents"),
        ("post", "/api/v1/auth/token"),
    ] {
        browser
            .wait_for(
                &format!("the operation {method} {path}"),
                FIND_OPBLOCK,
                json!([method, path]),
            )
            .await;
    }

    // 3. Log in inside the Authorize dialog: the OAuth2 password flow, user name and password
    //    typed as a person would (issue 14); Swagger UI posts the form to /api/v1/auth/token.
    let unauthorized = suite.get("/api/v1/members/people", None).await;
    assert_eq!(
        unauthorized.status.as_u16(),
        401,
        "the list should need a token: {}",
        unauthorized.text()
    );
    let authorize = browser
        .wait_for(
            "the Authorize button",
            "return document.querySelector('.scheme-container .auth-wrapper button.authorize');",
            json!([]),
        )
        .await;
    browser.click(&authorize).await;
    for (field, text) in [("#oauth_username", "admin"), ("#oauth_password", ADMIN_PASSWORD)] {
        let input = browser
            .wait_for(
                &format!("the {field} field"),
                "return document.querySelector('.modal-ux ' + arguments[0]);",
                json!([field]),
            )
            .await;
        browser.type_into(&input, text).await;
    }
    let submit = browser
        .js(
            "return document.querySelector('.modal-ux #oauth_password').closest('.auth-container')
                 .querySelector('.auth-btn-wrapper button.authorize');",
            json!([]),
        )
        .await;
    browser.click(&submit).await;
    let close = browser
        .wait_for(
            "the dialog to show the password scheme as authorized",
            "const m = document.querySelector('.modal-ux');
             const errors = m ? [...m.querySelectorAll('.errors')].map(e => e.innerText).join(' ') : '';
             if (errors) return {error: errors};
             return m && !m.querySelector('#oauth_password') && /Logout/.test(m.innerText)
                 ? m.querySelector('.btn-done') : null;",
            json!([]),
        )
        .await;
    assert!(close.get("error").is_none(), "the login failed in the dialog: {close}");
    browser.click(&close).await;
    browser
        .wait_for(
            "the dialog to close",
            "return document.querySelector('.modal-ux') === null;",
            json!([]),
        )
        .await;
    let stored = browser
        .js("return window.ui.authSelectors.authorized().toJS();", json!([]))
        .await;
    let token = stored["password"]["token"]["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("the UI keeps no token of the password flow: {stored}"))
        .to_owned();
    let me = suite.get("/api/v1/auth/me", Some(&token)).await;
    assert_eq!(me.status.as_u16(), 200, "the dialog's token is refused: {}", me.text());

    // The page speaks Chinese: summaries and tags as the secretariat reads them.
    let text = browser.js("return document.body.innerText;", json!([])).await;
    let text = text.as_str().unwrap_or_default();
    for words in ["人员列表", "单位列表", "机构列表", "取令牌（登录）", "在本页登录"] {
        assert!(text.contains(words), "the page does not show {words}");
    }

    // A person with a Chinese name to find.
    let admin = suite.admin_token().await;
    let unit = suite
        .post(
            "/api/v1/members/units",
            Some(&admin),
            json!({"name": "杭州技师学院", "kind": "technical_school"}),
        )
        .await
        .json();
    let created = suite
        .post(
            "/api/v1/members/people",
            Some(&admin),
            json!({"name": "单丽娟", "unit_id": unit["id"], "job_post": "教务处处长", "title_level": "senior"}),
        )
        .await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text());

    // 4. GET /api/v1/members/people: open it, Try it out, Execute, read the live response.
    let opblock = browser.js(FIND_OPBLOCK, json!(["get", "/api/v1/members/people"])).await;
    let summary = browser
        .js(
            "return arguments[0].querySelector('.opblock-summary-control') || arguments[0].querySelector('.opblock-summary');",
            json!([opblock]),
        )
        .await;
    browser.click(&summary).await;
    let try_out = browser
        .wait_for(
            "the Try it out button",
            "return arguments[0].querySelector('.opblock-body .try-out__btn');",
            json!([opblock]),
        )
        .await;
    let label = browser.js("return arguments[0].innerText;", json!([try_out])).await;
    if label
        .as_str()
        .unwrap_or_else(|| panic!("the button has no label: {label}"))
        .contains("Try it out")
    {
        browser.click(&try_out).await;
    }
    let execute = browser
        .wait_for(
            "the Execute button",
            "return arguments[0].querySelector('.opblock-body button.execute');",
            json!([opblock]),
        )
        .await;
    browser.click(&execute).await;
    let live = browser
        .wait_for(
            "the live response",
            "const o = arguments[0];
             const status = o.querySelector('.live-responses-table .response .response-col_status');
             const body = o.querySelector('.live-responses-table .response .response-col_description pre');
             const url = o.querySelector('.request-url pre');
             const curl = o.querySelector('.curl-command');
             return status && body ? {
                 status: status.innerText.trim(), body: body.innerText,
                 url: url ? url.innerText.trim() : null, curl: curl ? curl.innerText : null,
             } : null;",
            json!([opblock]),
        )
        .await;
    browser
        .js(
            "arguments[0].querySelector('.live-responses-table').scrollIntoView(); return true;",
            json!([opblock]),
        )
        .await;
    let shot = browser.screenshot("swagger-ui-try-it-out").await;
    eprintln!("Swagger UI live response: status {}, screenshot {shot}", live["status"]);
    let status = live.str_at("status");
    let body = live.str_at("body");
    let expected_url = format!("{}/api/v1/members/people", suite.url);
    if live["url"].as_str() != Some(expected_url.as_str()) {
        let spec = suite.get("/api-docs/openapi.json", None).await.json();
        panic!(
            "Try it out on GET /api/v1/members/people requested {} instead of {expected_url}. Swagger UI finds \
             the operation to execute by operationId, so operationIds must be unique; duplicated ones: {:?}; \
             the page shows {live}",
            live["url"],
            duplicate_operation_ids(&spec)
        );
    }
    assert!(status.starts_with("200"), "status {status}; the page shows {live}");
    assert!(body.contains("单丽娟"), "no 单丽娟 in the response body: {body}");
    assert!(
        live.str_at("curl").contains(&format!("Authorization: Bearer {token}")),
        "the request did not carry the token: {live}"
    );

    browser.quit().await;
    suite.stop().await;
    eprintln!("Swagger UI test took {:?}", started.elapsed());
}

/// operationIds used by more than one operation, with their `METHOD path`s.
fn duplicate_operation_ids(spec: &Value) -> Vec<(String, Vec<String>)> {
    let mut seen = std::collections::BTreeMap::<String, Vec<String>>::new();
    for (path, ops) in spec["paths"].as_object().into_iter().flatten() {
        for (method, op) in ops.as_object().into_iter().flatten() {
            if let Some(id) = op["operationId"].as_str() {
                seen.entry(id.to_owned())
                    .or_default()
                    .push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    seen.into_iter().filter(|(_, ops)| ops.len() > 1).collect()
}
