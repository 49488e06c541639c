//! Posts (职务) of each body, their cardinality and how they are filled
//! (第五条, 第六条, 第七条, 第九条).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::bodies::BodyKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    /// 理事长 (council, exactly 1)
    Chair,
    /// 副理事长
    ViceChair,
    /// 秘书长 (council or group, exactly 1)
    SecretaryGeneral,
    /// 副秘书长
    DeputySecretaryGeneral,
    /// 理事
    CouncilMember,
    /// 专家委员会委员
    Expert,
    /// 主任委员 (group, exactly 1)
    Director,
    /// 副主任委员
    DeputyDirector,
    /// 委员 (group)
    Member,
    /// 专业顾问
    Advisor,
    /// 指导专家
    GuidingExpert,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cardinality {
    /// Exactly one holder; at most one active at any time (R1).
    ExactlyOne,
    /// Any number, including none.
    Many,
}

/// How a post is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FillRoute {
    /// Nominated by the Center (提名), then appointed by the Center (聘任).
    Nomination,
    /// Unit application (申报) → review (审核) → election (选举) → appointment.
    ApplicationWithElection,
    /// Selected by a council member unit (理事单位选派) → review → appointment (R8).
    GroupSelection,
}

impl Cardinality {
    pub const ALL: [Cardinality; 2] = [Cardinality::ExactlyOne, Cardinality::Many];

    pub fn as_str(self) -> &'static str {
        match self {
            Cardinality::ExactlyOne => "exactly_one",
            Cardinality::Many => "many",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Cardinality::ExactlyOne => "限一人",
            Cardinality::Many => "不限人数",
        }
    }
}

impl FillRoute {
    pub const ALL: [FillRoute; 3] = [
        FillRoute::Nomination,
        FillRoute::ApplicationWithElection,
        FillRoute::GroupSelection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FillRoute::Nomination => "nomination",
            FillRoute::ApplicationWithElection => "application_with_election",
            FillRoute::GroupSelection => "group_selection",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            FillRoute::Nomination => "提名聘任",
            FillRoute::ApplicationWithElection => "申报选举",
            FillRoute::GroupSelection => "理事单位选派",
        }
    }
}

impl Post {
    pub const ALL: [Post; 11] = [
        Post::Chair,
        Post::ViceChair,
        Post::SecretaryGeneral,
        Post::DeputySecretaryGeneral,
        Post::CouncilMember,
        Post::Expert,
        Post::Director,
        Post::DeputyDirector,
        Post::Member,
        Post::Advisor,
        Post::GuidingExpert,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Post::Chair => "chair",
            Post::ViceChair => "vice_chair",
            Post::SecretaryGeneral => "secretary_general",
            Post::DeputySecretaryGeneral => "deputy_secretary_general",
            Post::CouncilMember => "council_member",
            Post::Expert => "expert",
            Post::Director => "director",
            Post::DeputyDirector => "deputy_director",
            Post::Member => "member",
            Post::Advisor => "advisor",
            Post::GuidingExpert => "guiding_expert",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Post::Chair => "理事长",
            Post::ViceChair => "副理事长",
            Post::SecretaryGeneral => "秘书长",
            Post::DeputySecretaryGeneral => "副秘书长",
            Post::CouncilMember => "理事",
            Post::Expert => "委员",
            Post::Director => "主任委员",
            Post::DeputyDirector => "副主任委员",
            Post::Member => "委员",
            Post::Advisor => "专业顾问",
            Post::GuidingExpert => "指导专家",
        }
    }
}

/// The posts a body has, in the charter's order, with their cardinality.
pub fn posts_of(kind: BodyKind) -> &'static [(Post, Cardinality)] {
    use Cardinality::*;
    match kind {
        BodyKind::Council => &[
            (Post::Chair, ExactlyOne),
            (Post::ViceChair, Many),
            (Post::SecretaryGeneral, ExactlyOne),
            (Post::DeputySecretaryGeneral, Many),
            (Post::CouncilMember, Many),
        ],
        BodyKind::ExpertCommittee => &[(Post::Expert, Many)],
        BodyKind::Group => &[
            (Post::Director, ExactlyOne),
            (Post::DeputyDirector, Many),
            (Post::SecretaryGeneral, ExactlyOne),
            (Post::DeputySecretaryGeneral, Many),
            (Post::Member, Many),
            (Post::Advisor, Many),
            (Post::GuidingExpert, Many),
        ],
    }
}

pub fn cardinality(kind: BodyKind, post: Post) -> Option<Cardinality> {
    posts_of(kind).iter().find(|(p, _)| *p == post).map(|(_, c)| *c)
}

/// The posts whose single holder the database guards with a partial unique index (R1).
pub const SINGLE_HOLDER_POSTS: [Post; 3] = [Post::Chair, Post::SecretaryGeneral, Post::Director];

/// How `post` of a body of `kind` is filled; `None` when the body has no such post.
pub fn route(kind: BodyKind, post: Post) -> Option<FillRoute> {
    cardinality(kind, post)?;
    Some(match (kind, post) {
        (BodyKind::Council, Post::Chair | Post::SecretaryGeneral | Post::DeputySecretaryGeneral) => {
            FillRoute::Nomination
        }
        (BodyKind::Council, _) => FillRoute::ApplicationWithElection,
        (BodyKind::ExpertCommittee, _) => FillRoute::Nomination,
        (BodyKind::Group, Post::Director | Post::SecretaryGeneral) => FillRoute::Nomination,
        (BodyKind::Group, _) => FillRoute::GroupSelection,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r1_single_holder_posts_are_the_exactly_one_posts() {
        for kind in BodyKind::ALL {
            for (post, card) in posts_of(kind) {
                assert_eq!(
                    *card == Cardinality::ExactlyOne,
                    SINGLE_HOLDER_POSTS.contains(post),
                    "{kind:?} {post:?}"
                );
            }
        }
    }

    #[test]
    fn fill_routes_follow_articles_6_7_and_9() {
        assert_eq!(route(BodyKind::Council, Post::Chair), Some(FillRoute::Nomination));
        assert_eq!(
            route(BodyKind::Council, Post::DeputySecretaryGeneral),
            Some(FillRoute::Nomination)
        );
        assert_eq!(
            route(BodyKind::Council, Post::ViceChair),
            Some(FillRoute::ApplicationWithElection)
        );
        assert_eq!(
            route(BodyKind::Council, Post::CouncilMember),
            Some(FillRoute::ApplicationWithElection)
        );
        assert_eq!(
            route(BodyKind::ExpertCommittee, Post::Expert),
            Some(FillRoute::Nomination)
        );
        assert_eq!(route(BodyKind::Group, Post::Director), Some(FillRoute::Nomination));
        assert_eq!(route(BodyKind::Group, Post::Member), Some(FillRoute::GroupSelection));
        assert_eq!(route(BodyKind::Council, Post::Director), None);
        assert_eq!(route(BodyKind::ExpertCommittee, Post::Chair), None);
    }

    #[test]
    fn posts_round_trip_with_labels() {
        for p in Post::ALL {
            assert_eq!(Post::parse(p.as_str()), Some(p));
            assert!(!p.label_zh().is_empty());
        }
        assert_eq!(Post::Chair.label_zh(), "理事长");
        assert_eq!(Post::Director.label_zh(), "主任委员");
    }
}
