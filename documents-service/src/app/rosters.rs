//! The 成员名册 of a body on a date, issued on request from members-service's facts as they
//! stood on that date.

use alliance_events::AppointmentFacts;
use alliance_events::vocab::NameOrder;
use chrono::NaiveDate;
use serde::Deserialize;
use service_kit::peer::Peers;
use service_kit::{ApiError, Code, Db};

use super::issuing::{Press, issue};
use crate::db::models::DocumentMeta;
use crate::domain::requests::roster_request;

#[derive(Deserialize)]
struct FactsAnswer {
    items: Vec<AppointmentFacts>,
}

/// Everything issuing a roster needs besides the request.
pub struct Issuer<'a> {
    pub db: &'a Db,
    pub peers: &'a Peers,
    pub press: Press,
    pub today: NaiveDate,
}

/// Issues the roster of `body_id` on `on` (default: today); 422 when it had no members then.
pub async fn issue_roster(
    x: Issuer<'_>,
    body_id: i64,
    on: Option<NaiveDate>,
    order: NameOrder,
) -> Result<DocumentMeta, ApiError> {
    let today = x.today;
    let on = on.unwrap_or(today);
    let answer: FactsAnswer = x
        .peers
        .get_json(
            "members",
            &format!("/internal/v1/appointment-facts?body_id={body_id}&on={on}"),
        )
        .await?;
    if answer.items.is_empty() {
        return Err(ApiError::unprocessable(
            Code::EmptyRoster,
            format!("body {body_id} had no members on {on}"),
        ));
    }
    let req = roster_request(body_id, on, answer.items, order);
    let press = x.press;
    let issued = x.db.run(move |c| issue(c, &press, today, req, |_| Ok(true))).await?;
    issued
        .document()
        .ok_or_else(|| ApiError::internal("a roster has no claim to lose, yet was not stored"))
}
