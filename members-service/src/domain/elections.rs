//! R10: an election records, per candidate, votes for / against / abstain and the number of
//! voters present; the candidate is elected with more than half of the votes of those present
//! (过半数), unless the meeting records another threshold.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest count stored (the database's `integer`); larger counts are refused, never wrapped.
pub const MAX_COUNT: u32 = i32::MAX as u32;

/// 一名候选人的得票（R10）：赞成、反对、弃权票数之和不得超过出席人数。
/// One candidate's result; for + against + abstain may not exceed those present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Votes {
    /// 赞成票数。Votes for.
    #[schema(maximum = 2147483647)]
    pub votes_for: u32,
    /// 反对票数。Votes against.
    #[schema(maximum = 2147483647)]
    pub votes_against: u32,
    /// 弃权票数。Abstentions.
    #[schema(maximum = 2147483647)]
    pub abstentions: u32,
    /// 出席人数，至少 1。Voters present, at least 1.
    #[schema(maximum = 2147483647)]
    pub voters_present: u32,
}

/// 当选门槛：赞成票“超过出席人数的 numerator/denominator”，默认 1/2（过半数）；须 0 < numerator < denominator。
/// "More than numerator/denominator of those present"; the default is 1/2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Threshold {
    /// 分子，如 2/3 中的 2。The numerator, e.g. 2 of 2/3.
    pub numerator: u32,
    /// 分母，如 2/3 中的 3。The denominator, e.g. 3 of 2/3.
    pub denominator: u32,
}

impl Default for Threshold {
    fn default() -> Self {
        Self {
            numerator: 1,
            denominator: 2,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteError {
    NoVoters,
    /// A count above [`MAX_COUNT`].
    OutOfRange,
    MoreVotesThanVoters,
    BadThreshold,
}

impl std::fmt::Display for VoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            VoteError::NoVoters => "voters_present must be at least 1",
            VoteError::OutOfRange => "counts are at most 2147483647",
            VoteError::MoreVotesThanVoters => "for + against + abstain exceeds voters_present",
            VoteError::BadThreshold => "the threshold must be a fraction between 0 and 1 (0 < numerator < denominator)",
        })
    }
}

/// Whether the candidate is elected.
pub fn is_elected(v: Votes, threshold: Option<Threshold>) -> Result<bool, VoteError> {
    if v.voters_present == 0 {
        return Err(VoteError::NoVoters);
    }
    // Every count is at most voters_present once the sum is checked below.
    if v.voters_present > MAX_COUNT {
        return Err(VoteError::OutOfRange);
    }
    let cast = u64::from(v.votes_for) + u64::from(v.votes_against) + u64::from(v.abstentions);
    if cast > u64::from(v.voters_present) {
        return Err(VoteError::MoreVotesThanVoters);
    }
    let t = threshold.unwrap_or_default();
    if t.numerator == 0 || t.denominator == 0 || t.numerator >= t.denominator {
        return Err(VoteError::BadThreshold);
    }
    Ok(u64::from(v.votes_for) * u64::from(t.denominator) > u64::from(v.voters_present) * u64::from(t.numerator))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(f: u32, a: u32, ab: u32, p: u32) -> Votes {
        Votes {
            votes_for: f,
            votes_against: a,
            abstentions: ab,
            voters_present: p,
        }
    }

    #[test]
    fn r10_more_than_half_of_those_present() {
        assert_eq!(is_elected(v(21, 10, 9, 40), None), Ok(true));
        // Exactly half is not more than half.
        assert_eq!(is_elected(v(20, 20, 0, 40), None), Ok(false));
        // Abstentions and absent ballots count against: half of those present, not of votes cast.
        assert_eq!(is_elected(v(15, 5, 0, 40), None), Ok(false));
    }

    #[test]
    fn r10_a_recorded_threshold_replaces_the_default() {
        let two_thirds = Some(Threshold {
            numerator: 2,
            denominator: 3,
        });
        assert_eq!(is_elected(v(27, 3, 0, 40), two_thirds), Ok(true));
        assert_eq!(is_elected(v(26, 14, 0, 40), two_thirds), Ok(false));
    }

    #[test]
    fn r10_impossible_counts_are_refused() {
        assert_eq!(is_elected(v(0, 0, 0, 0), None), Err(VoteError::NoVoters));
        assert_eq!(is_elected(v(30, 20, 0, 40), None), Err(VoteError::MoreVotesThanVoters));
        let bad = Some(Threshold {
            numerator: 3,
            denominator: 2,
        });
        assert_eq!(is_elected(v(30, 0, 0, 40), bad), Err(VoteError::BadThreshold));
    }

    /// Issue 9: counts above the stored integer's range were cast and wrapped to negative.
    #[test]
    fn r10_counts_beyond_the_stored_range_are_refused() {
        let big = MAX_COUNT + 1;
        assert_eq!(is_elected(v(big, 0, 0, big), None), Err(VoteError::OutOfRange));
        assert_eq!(is_elected(v(0, 0, 0, u32::MAX), None), Err(VoteError::OutOfRange));
        assert_eq!(is_elected(v(MAX_COUNT, 0, 0, MAX_COUNT), None), Ok(true));
        assert_eq!(is_elected(v(big, 0, 0, 40), None), Err(VoteError::MoreVotesThanVoters));
    }
}
