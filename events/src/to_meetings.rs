//! Events meetings-service handles.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Event;

/// `body.members_changed`：机构有聘任新增或结束，会议服务重新确定该机构将举行活动的受邀者。
/// `body.members_changed`: an appointment of the body was made or ended; meetings-service reads
/// the invitees of the body's coming activities again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BodyMembersChanged {
    /// 机构编号。The body's id.
    pub body_id: i64,
    /// 新增或结束的聘任编号。The appointment made or ended.
    pub appointment_id: i64,
}

/// 会议服务处理的全部事件（`kind` 与其 `payload`）。Every event meetings-service handles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "payload")]
pub enum ToMeetings {
    #[serde(rename = "body.members_changed")]
    BodyMembersChanged(BodyMembersChanged),
}

impl Event for ToMeetings {
    const DESTINATION: &'static str = "meetings";
    const KINDS: &'static [&'static str] = &["body.members_changed"];

    fn kind(&self) -> &'static str {
        match self {
            Self::BodyMembersChanged(_) => "body.members_changed",
        }
    }
}
