//! Posts (职务) of each body, their cardinality and how they are filled
//! (第五条, 第六条, 第七条, 第九条).

use super::bodies::BodyKind;

alliance_events::vocabulary! {
    /// 机构中的职务（第五条、第七条、第九条）。A post of a body.
    pub enum Post {
        /// 理事长（理事会，限一人）。Chair (council, exactly 1).
        Chair = "chair" => "理事长",
        /// 副理事长（理事会）。Vice-chair (council).
        ViceChair = "vice_chair" => "副理事长",
        /// 秘书长（理事会或协作组，限一人）。Secretary-general (council or group, exactly 1).
        SecretaryGeneral = "secretary_general" => "秘书长",
        /// 副秘书长（理事会或协作组）。Deputy secretary-general (council or group).
        DeputySecretaryGeneral = "deputy_secretary_general" => "副秘书长",
        /// 理事（理事会）。Council member.
        CouncilMember = "council_member" => "理事",
        /// 专家委员会委员。Expert (expert committee).
        Expert = "expert" => "委员",
        /// 主任委员（协作组，限一人）。Director (group, exactly 1).
        Director = "director" => "主任委员",
        /// 副主任委员（协作组）。Deputy director (group).
        DeputyDirector = "deputy_director" => "副主任委员",
        /// 委员（协作组）。Member (group).
        Member = "member" => "委员",
        /// 专业顾问（协作组）。Advisor (group).
        Advisor = "advisor" => "专业顾问",
        /// 指导专家（协作组）。Guiding expert (group).
        GuidingExpert = "guiding_expert" => "指导专家",
    }
}

alliance_events::vocabulary! {
    /// 职务的人数限制。How many may hold a post.
    pub enum Cardinality {
        /// 限一人：任何时候至多一名在任者（R1）。Exactly one holder; at most one active at any time (R1).
        ExactlyOne = "exactly_one" => "限一人",
        /// 不限人数，可以无人。Any number, including none.
        Many = "many" => "不限人数",
    }
}

alliance_events::vocabulary! {
    /// 职务的产生方式。How a post is filled.
    pub enum FillRoute {
        /// 由机械工业教育发展中心提名，再由中心聘任。Nominated by the Center (提名), then appointed by the Center (聘任).
        Nomination = "nomination" => "提名聘任",
        /// 单位申报 → 审核 → 选举 → 聘任。Unit application (申报) → review (审核) → election (选举) → appointment.
        ApplicationWithElection = "application_with_election" => "申报选举",
        /// 理事单位选派 → 审核 → 聘任（R8）。Selected by a council member unit (理事单位选派) → review → appointment (R8).
        GroupSelection = "group_selection" => "理事单位选派",
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
