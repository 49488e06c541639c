//! `POST /documents/rosters`: the 成员名册 of a body on a date, issued on request (a serial, a
//! verification link, the PDF kept like every other document). The members come from
//! members-service as they stood on that date.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::ToSchema;

use super::access::may_issue_roster;
use super::{Document, to_document};
use crate::app::issuing::Press;
use crate::app::rosters::{Issuer, issue_roster};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body_id": 1, "on": "2026-11-27"}))]
pub struct NewRoster {
    pub body_id: i64,
    /// The members on this date (default: today).
    pub on: Option<NaiveDate>,
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
    press: web::Data<Press>,
) -> Result<HttpResponse, ApiError> {
    let r = body_in.into_inner();
    may_issue_roster(&caller, r.body_id)?;
    let issuer = Issuer {
        db: &db,
        peers: &peers,
        press: press.get_ref().clone(),
        today: service_kit::clock::today(),
    };
    let doc = to_document(issue_roster(issuer, r.body_id, r.on).await?);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/documents/{}", doc.serial)))
        .json(doc))
}
