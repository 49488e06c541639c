//! Activities (活动) of a body (第十二条, 第十三条).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// 全体会议
    Plenary,
    /// 理事长会议
    ChairMeeting,
    /// 专题会议
    Thematic,
    /// 培训
    Training,
    /// 竞赛
    Competition,
    /// 交流
    Exchange,
    /// 其他活动
    Other,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 7] = [
        ActivityKind::Plenary,
        ActivityKind::ChairMeeting,
        ActivityKind::Thematic,
        ActivityKind::Training,
        ActivityKind::Competition,
        ActivityKind::Exchange,
        ActivityKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Plenary => "plenary",
            ActivityKind::ChairMeeting => "chair_meeting",
            ActivityKind::Thematic => "thematic",
            ActivityKind::Training => "training",
            ActivityKind::Competition => "competition",
            ActivityKind::Exchange => "exchange",
            ActivityKind::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ActivityKind::Plenary => "全体会议",
            ActivityKind::ChairMeeting => "理事长会议",
            ActivityKind::Thematic => "专题会议",
            ActivityKind::Training => "培训",
            ActivityKind::Competition => "竞赛",
            ActivityKind::Exchange => "交流",
            ActivityKind::Other => "其他活动",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(k.as_str()), Some(k));
        }
    }
}
