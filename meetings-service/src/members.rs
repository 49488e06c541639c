//! What meetings-service reads from members-service: the appointees of a body on a date
//! (`GET /internal/v1/appointment-facts`), with this service's own token.

use chrono::NaiveDate;
use serde::Deserialize;
use service_kit::ApiError;
use service_kit::peer::Peers;

use crate::domain::absence::AppointmentSpan;

pub const MEMBERS: &str = "members";

/// One appointment as members-service reports it: the type members-service writes
/// (`alliance_events`), so a renamed or missing field fails here, by name.
pub use alliance_events::AppointmentFacts;

/// The dates of an appointment that R13 counts absences within.
pub fn span(f: &AppointmentFacts) -> AppointmentSpan {
    AppointmentSpan {
        starts_on: f.starts_on,
        ends_on: f.ends_on,
        ended_on: f.ended_on,
    }
}

#[derive(Debug, Deserialize)]
struct Items {
    items: Vec<AppointmentFacts>,
}

/// The body's appointees active on `on` (the invitees of an activity that day).
pub async fn active_on(peers: &Peers, body_id: i64, on: NaiveDate) -> Result<Vec<AppointmentFacts>, ApiError> {
    let path = format!("/internal/v1/appointment-facts?body_id={body_id}&on={on}");
    Ok(peers.get_json::<Items>(MEMBERS, &path).await?.items)
}

/// The current facts of one appointment (its end may have changed since the snapshot).
pub async fn appointment(peers: &Peers, appointment_id: i64) -> Result<Option<AppointmentFacts>, ApiError> {
    let path = format!("/internal/v1/appointment-facts?ids={appointment_id}");
    Ok(peers
        .get_json::<Items>(MEMBERS, &path)
        .await?
        .items
        .into_iter()
        .find(|f| f.appointment_id == appointment_id))
}
