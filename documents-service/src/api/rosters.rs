//! `POST /documents/rosters`: the 成员名册 of a body on a date, issued on request (a serial, a
//! verification link, the PDF kept like every other document). The members come from
//! members-service as they stood on that date.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Code, Db, Problem, Role, ScopeRef};
use utoipa::ToSchema;

use super::documents::{Document, to_document};
use super::previews::SharedRenderer;
use crate::domain::kinds::DocumentKind;
use crate::inbox_processing::ISSUER;
use crate::issuing::{IssueRequest, chinese_date, issue, small_number_zh};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body_id": 1, "on": "2026-11-27"}))]
pub struct NewRoster {
    pub body_id: i64,
    /// The members on this date (default: today).
    pub on: Option<NaiveDate>,
}

/// The order of posts on a roster: the body's leaders first.
const POST_ORDER: [&str; 12] = [
    "chair",
    "vice_chair",
    "secretary_general",
    "deputy_secretary_general",
    "council_member",
    "expert",
    "director",
    "deputy_director",
    "member",
    "advisor",
    "guiding_expert",
    "",
];

fn rank(f: &Value) -> (usize, i64) {
    let post = f.get("post").and_then(Value::as_str).unwrap_or("");
    let r = POST_ORDER.iter().position(|p| *p == post).unwrap_or(POST_ORDER.len());
    (r, f.get("appointment_id").and_then(Value::as_i64).unwrap_or(0))
}

fn text<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// `2026-01-01` → `2026.01`
fn month(iso: &str) -> String {
    iso.get(..7).map(|m| m.replace('-', ".")).unwrap_or_default()
}

/// The roster's template data from the appointment facts of one body.
pub fn roster_data(mut facts: Vec<Value>, on: NaiveDate) -> Value {
    facts.sort_by_key(rank);
    let first = facts.first().cloned().unwrap_or(Value::Null);
    let rows: Vec<Value> = facts
        .iter()
        .map(|f| {
            json!({
                "person_name": text(f, "person_name"),
                "unit_name": text(f, "unit_name"),
                "post_label": text(f, "post_label"),
                "job_title": text(f, "job_post"),
                "title_label": text(f, "title_label"),
                "term_zh": format!("{}—{}", month(text(f, "starts_on")), month(text(f, "ends_on"))),
            })
        })
        .collect();
    json!({
        "issuer": ISSUER,
        "body_name": format!("{ISSUER}{}", text(&first, "body_name")),
        "term_label": format!("第{}届", small_number_zh(first.get("term_number").and_then(Value::as_i64).unwrap_or(0))),
        "as_of_zh": chinese_date(on),
        "rows": rows,
    })
}

/// The base of verification URLs printed on documents (the gateway's public address).
#[derive(Debug, Clone)]
pub struct PublicUrl(pub String);

#[derive(Deserialize)]
struct FactsAnswer {
    items: Vec<Value>,
}

/// Issue the 成员名册 of a body (the Center, a group's secretary for their group, or a system
/// with `documents:write`); the PDF is at `GET /documents/{serial}/pdf`.
#[utoipa::path(post, path = "/api/v1/documents/rosters", tag = "documents", request_body = NewRoster,
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "service:documents:write"]))),
    responses((status = 201, body = Document),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "no members on that date, or characters no font has"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "members-service unreachable")))]
pub async fn create(
    caller: Caller,
    body_in: service_kit::json::Json<NewRoster>,
    db: web::Data<Db>,
    peers: web::Data<Peers>,
    renderer: web::Data<SharedRenderer>,
    public_url: web::Data<PublicUrl>,
) -> Result<HttpResponse, ApiError> {
    let r = body_in.into_inner();
    let own_group =
        matches!((caller.role, caller.scope), (Role::GroupSecretary, Some(ScopeRef::Group(g))) if g == r.body_id);
    if !own_group {
        caller.require_admin_or_scope("documents:write")?;
    }
    let today = service_kit::clock::today();
    let on = r.on.unwrap_or(today);
    let answer: FactsAnswer = peers
        .get_json(
            "members",
            &format!("/internal/v1/appointment-facts?body_id={}&on={on}", r.body_id),
        )
        .await?;
    if answer.items.is_empty() {
        return Err(ApiError::unprocessable(
            Code::EmptyRoster,
            format!("body {} had no members on {on}", r.body_id),
        ));
    }
    let data = roster_data(answer.items, on);
    let body_name = text(&data, "body_name").to_owned();
    let term_label = text(&data, "term_label").to_owned();
    let renderer = renderer.get_ref().clone();
    let public_url = public_url.0.clone();
    let doc = db
        .write(move |c| {
            issue(
                c,
                &*renderer,
                &public_url,
                today,
                IssueRequest {
                    kind: DocumentKind::Roster,
                    subject_key: format!("roster:body:{}:{on}", r.body_id),
                    person_name: body_name.clone(),
                    post_label: String::new(),
                    body_name,
                    term_label,
                    person_id: None,
                    appointment_id: None,
                    source_event_id: None,
                    data,
                    recipients: Vec::new(),
                    supersedes_subject: None,
                },
            )
        })
        .await?;
    let doc = to_document(doc);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/documents/{}", doc.serial)))
        .json(doc))
}
