//! Bodies (机构) of the alliance (第五条, 第七条, 第九条).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// 理事会
    Council,
    /// 专家委员会
    ExpertCommittee,
    /// 专业建设协作组
    Group,
}

impl BodyKind {
    pub const ALL: [BodyKind; 3] = [BodyKind::Council, BodyKind::ExpertCommittee, BodyKind::Group];

    pub fn as_str(self) -> &'static str {
        match self {
            BodyKind::Council => "council",
            BodyKind::ExpertCommittee => "expert_committee",
            BodyKind::Group => "group",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            BodyKind::Council => "理事会",
            BodyKind::ExpertCommittee => "专家委员会",
            BodyKind::Group => "专业建设协作组",
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
    fn kinds_round_trip_and_have_chinese_labels() {
        for k in BodyKind::ALL {
            assert_eq!(BodyKind::parse(k.as_str()), Some(k));
            assert!(!k.label_zh().is_empty());
        }
        assert_eq!(BodyKind::parse("secretariat"), None);
    }
}
