//! The 签到表 of a meeting, issued on request from meetings-service's invitees and replies as
//! they stand (issue 13).

use alliance_events::SignInFacts;
use service_kit::peer::Peers;
use service_kit::{ApiError, Caller, Code, Db};

use super::issuing::{Press, issue};
use crate::db::models::DocumentMeta;
use crate::domain::sign_in::{SheetRefusal, sign_in_request};

/// Everything issuing a sheet needs besides the request.
pub struct Issuer<'a> {
    pub db: &'a Db,
    pub peers: &'a Peers,
    pub press: Press,
}

/// Issues the 签到表 of `activity_id` if `may_issue` allows the caller for the activity's body:
/// 404 for an unknown activity, 409 for a cancelled one, 422 for one without invitees.
pub async fn issue_sign_in_sheet(
    x: Issuer<'_>,
    caller: &Caller,
    activity_id: i64,
    may_issue: impl Fn(&Caller, i64) -> Result<(), ApiError>,
) -> Result<DocumentMeta, ApiError> {
    let path = format!("/internal/v1/activities/{activity_id}/sign-in-facts");
    let facts: SignInFacts = x
        .peers
        .get_json_found("meetings", &path)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("activity {activity_id} not found")))?;
    may_issue(caller, facts.activity.body_id)?;
    let req = sign_in_request(facts).map_err(|r| match r {
        // A state of the activity, as meetings-service answers it: 409.
        SheetRefusal::Cancelled => {
            ApiError::conflict(Code::ActivityCancelled, format!("activity {activity_id} is cancelled"))
        }
        SheetRefusal::NoInvitees => {
            ApiError::unprocessable(Code::EmptyRoster, format!("activity {activity_id} has no invitees"))
        }
    })?;
    let press = x.press;
    let today = service_kit::clock::today();
    let issued = x.db.run(move |c| issue(c, &press, today, req, |_| Ok(true))).await?;
    issued
        .document()
        .ok_or_else(|| ApiError::internal("a sign-in sheet has no claim to lose, yet was not stored"))
}
