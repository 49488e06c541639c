//! What meetings-service reads from members-service: the appointees of a body on a date
//! (`GET /internal/v1/appointment-facts`), with this service's own token.

use chrono::NaiveDate;
use serde::Deserialize;
use service_kit::ApiError;
use service_kit::peer::Peers;

use crate::domain::absence::AppointmentSpan;

pub const MEMBERS: &str = "members";

/// One appointment as members-service reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct AppointmentFacts {
    pub appointment_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub person_email: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub body_id: i64,
    pub body_name: String,
    pub post: String,
    pub post_label: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: String,
    pub ended_on: Option<NaiveDate>,
}

impl AppointmentFacts {
    pub fn span(&self) -> AppointmentSpan {
        AppointmentSpan {
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            ended_on: self.ended_on,
        }
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
