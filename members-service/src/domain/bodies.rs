//! Bodies (机构) of the alliance (第五条, 第七条, 第九条).

alliance_events::vocabulary! {
    /// 机构类型。The kind of body.
    pub enum BodyKind {
        /// 理事会（第五条）。The council.
        Council = "council" => "理事会",
        /// 专家委员会（第七条）。The expert committee.
        ExpertCommittee = "expert_committee" => "专家委员会",
        /// 专业建设协作组（第九条）。A collaboration group.
        Group = "group" => "专业建设协作组",
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
