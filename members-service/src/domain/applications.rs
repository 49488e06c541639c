//! R7: a unit's application moves submitted → under_review → (rejected | approved_for_election)
//! → (not_elected | elected) → appointed; every transition is recorded, illegal ones refused.
//! Group posts (第九条, 理事单位选派) skip the election: approved_for_election → appointed.
//! R8: a group post application comes from a council member unit at that moment.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::posts::FillRoute;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// 已申报
    Submitted,
    /// 审核中
    UnderReview,
    /// 审核未通过
    Rejected,
    /// 审核通过，待选举
    ApprovedForElection,
    /// 未当选
    NotElected,
    /// 当选
    Elected,
    /// 已聘任
    Appointed,
    /// 已撤回
    Withdrawn,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 8] = [
        ApplicationStatus::Submitted,
        ApplicationStatus::UnderReview,
        ApplicationStatus::Rejected,
        ApplicationStatus::ApprovedForElection,
        ApplicationStatus::NotElected,
        ApplicationStatus::Elected,
        ApplicationStatus::Appointed,
        ApplicationStatus::Withdrawn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::UnderReview => "under_review",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::ApprovedForElection => "approved_for_election",
            ApplicationStatus::NotElected => "not_elected",
            ApplicationStatus::Elected => "elected",
            ApplicationStatus::Appointed => "appointed",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "已申报",
            ApplicationStatus::UnderReview => "审核中",
            ApplicationStatus::Rejected => "审核未通过",
            ApplicationStatus::ApprovedForElection => "审核通过",
            ApplicationStatus::NotElected => "未当选",
            ApplicationStatus::Elected => "当选",
            ApplicationStatus::Appointed => "已聘任",
            ApplicationStatus::Withdrawn => "已撤回",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
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

/// What a reviewer (or the applying unit, for `withdraw`) does to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationAction {
    StartReview,
    Reject,
    Approve,
    RecordElection,
    Appoint,
    Withdraw,
}

impl ApplicationAction {
    pub const ALL: [ApplicationAction; 6] = [
        ApplicationAction::StartReview,
        ApplicationAction::Reject,
        ApplicationAction::Approve,
        ApplicationAction::RecordElection,
        ApplicationAction::Appoint,
        ApplicationAction::Withdraw,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            ApplicationAction::StartReview => "开始审核",
            ApplicationAction::Reject => "审核不通过",
            ApplicationAction::Approve => "审核通过",
            ApplicationAction::RecordElection => "登记选举结果",
            ApplicationAction::Appoint => "聘任",
            ApplicationAction::Withdraw => "撤回",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationAction::StartReview => "start_review",
            ApplicationAction::Reject => "reject",
            ApplicationAction::Approve => "approve",
            ApplicationAction::RecordElection => "record_election",
            ApplicationAction::Appoint => "appoint",
            ApplicationAction::Withdraw => "withdraw",
        }
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
