//! R7: a unit's application moves submitted → under_review → (rejected | approved_for_election)
//! → (not_elected | elected) → appointed; every transition is recorded, illegal ones refused.
//! Group posts (第九条, 理事单位选派) skip the election: approved_for_election → appointed.
//! R8: a group post application comes from a council member unit at that moment.

use super::posts::FillRoute;

alliance_events::vocabulary! {
    /// 申报所处的状态（R7）。Where a unit application stands (R7).
    pub enum ApplicationStatus {
        /// 已申报。Submitted.
        Submitted = "submitted" => "已申报",
        /// 审核中。Under review.
        UnderReview = "under_review" => "审核中",
        /// 审核未通过。Rejected.
        Rejected = "rejected" => "审核未通过",
        /// 审核通过，待选举（协作组职务待聘任）。Approved, awaiting the election (group posts: the appointment).
        ApprovedForElection = "approved_for_election" => "审核通过",
        /// 未当选。Not elected.
        NotElected = "not_elected" => "未当选",
        /// 当选。Elected.
        Elected = "elected" => "当选",
        /// 已聘任。Appointed.
        Appointed = "appointed" => "已聘任",
        /// 已撤回。Withdrawn.
        Withdrawn = "withdrawn" => "已撤回",
    }
}

impl ApplicationStatus {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Rejected
                | ApplicationStatus::NotElected
                | ApplicationStatus::Appointed
                | ApplicationStatus::Withdrawn
        )
    }
}

alliance_events::vocabulary! {
    /// 审核人（撤回时为申报单位）对申报所做的操作。
    /// What a reviewer (or the applying unit, for `withdraw`) does to an application.
    pub enum ApplicationAction {
        StartReview = "start_review" => "开始审核",
        Reject = "reject" => "审核不通过",
        Approve = "approve" => "审核通过",
        RecordElection = "record_election" => "登记选举结果",
        Appoint = "appoint" => "聘任",
        Withdraw = "withdraw" => "撤回",
    }
}

alliance_events::vocabulary! {
    /// 中心提名所处的状态。Where a Center nomination (提名) stands.
    pub enum NominationStatus {
        /// 待聘任。Waiting for the appointment (待聘任).
        Open = "open" => "待聘任",
        Appointed = "appointed" => "已聘任",
        Withdrawn = "withdrawn" => "已撤回",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: ApplicationStatus,
    pub action: ApplicationAction,
}

impl std::fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "an application that is {} cannot {}",
            self.from.as_str(),
            self.action.as_str()
        )
    }
}

/// R7: the status after `action`. `elected` is the election's outcome, used only by
/// `RecordElection` (see [`super::elections`]).
pub fn next(
    from: ApplicationStatus,
    action: ApplicationAction,
    route: FillRoute,
    elected: bool,
) -> Result<ApplicationStatus, IllegalTransition> {
    use ApplicationAction as A;
    use ApplicationStatus as S;
    let to = match (from, action, route) {
        (S::Submitted, A::StartReview, _) => S::UnderReview,
        (S::UnderReview, A::Reject, _) => S::Rejected,
        (S::UnderReview, A::Approve, _) => S::ApprovedForElection,
        (S::ApprovedForElection, A::RecordElection, FillRoute::ApplicationWithElection) => {
            if elected {
                S::Elected
            } else {
                S::NotElected
            }
        }
        (S::Elected, A::Appoint, FillRoute::ApplicationWithElection) => S::Appointed,
        (S::ApprovedForElection, A::Appoint, FillRoute::GroupSelection) => S::Appointed,
        (S::Submitted | S::UnderReview, A::Withdraw, _) => S::Withdrawn,
        _ => return Err(IllegalTransition { from, action }),
    };
    Ok(to)
}

/// R8: may a unit apply for a post filled by `route`, given whether it is a council member
/// unit right now?
pub fn unit_may_apply(route: FillRoute, is_council_member_unit: bool) -> Result<(), &'static str> {
    match route {
        FillRoute::Nomination => Err("this post is filled by the Center's nomination, not by application"),
        FillRoute::GroupSelection if !is_council_member_unit => {
            Err("R8: group posts are applied for by council member units (理事单位) only")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationAction as A;
    use ApplicationStatus as S;

    const COUNCIL: FillRoute = FillRoute::ApplicationWithElection;
    const GROUP: FillRoute = FillRoute::GroupSelection;

    #[test]
    fn r7_the_happy_path_of_a_council_application() {
        let s = next(S::Submitted, A::StartReview, COUNCIL, false);
        assert_eq!(s, Ok(S::UnderReview));
        assert_eq!(
            next(S::UnderReview, A::Approve, COUNCIL, false),
            Ok(S::ApprovedForElection)
        );
        assert_eq!(
            next(S::ApprovedForElection, A::RecordElection, COUNCIL, true),
            Ok(S::Elected)
        );
        assert_eq!(
            next(S::ApprovedForElection, A::RecordElection, COUNCIL, false),
            Ok(S::NotElected)
        );
        assert_eq!(next(S::Elected, A::Appoint, COUNCIL, false), Ok(S::Appointed));
        assert_eq!(next(S::UnderReview, A::Reject, COUNCIL, false), Ok(S::Rejected));
    }

    #[test]
    fn r7_illegal_transitions_are_refused() {
        let illegal = [
            (S::Submitted, A::Approve),
            (S::Submitted, A::Appoint),
            (S::UnderReview, A::Appoint),
            (S::ApprovedForElection, A::Appoint),
            (S::Rejected, A::Approve),
            (S::NotElected, A::Appoint),
            (S::Appointed, A::Appoint),
            (S::Appointed, A::Withdraw),
            (S::Elected, A::RecordElection),
            (S::Withdrawn, A::StartReview),
        ];
        for (from, action) in illegal {
            assert_eq!(
                next(from, action, COUNCIL, true),
                Err(IllegalTransition { from, action }),
                "{from:?} {action:?}"
            );
        }
    }

    #[test]
    fn r7_group_posts_are_appointed_without_an_election() {
        assert_eq!(next(S::ApprovedForElection, A::Appoint, GROUP, false), Ok(S::Appointed));
        assert!(next(S::ApprovedForElection, A::RecordElection, GROUP, true).is_err());
    }

    #[test]
    fn r8_group_posts_need_a_council_member_unit() {
        assert!(unit_may_apply(GROUP, false).is_err());
        assert!(unit_may_apply(GROUP, true).is_ok());
        assert!(unit_may_apply(COUNCIL, false).is_ok());
        assert!(unit_may_apply(FillRoute::Nomination, true).is_err());
    }

    #[test]
    fn final_states_are_final() {
        for s in S::ALL {
            if s.is_final() {
                for a in [
                    A::StartReview,
                    A::Reject,
                    A::Approve,
                    A::RecordElection,
                    A::Appoint,
                    A::Withdraw,
                ] {
                    assert!(next(s, a, COUNCIL, true).is_err() && next(s, a, GROUP, true).is_err());
                }
            }
        }
    }
}
