//! Election results recorded at a plenary (R19: elections are an item of a plenary's agenda;
//! R10: per candidate, votes for / against / abstain and the number of voters present, and
//! optionally a threshold other than "more than half" recorded by the meeting).
//!
//! meetings-service checks that the numbers can be true and that the activity is a held plenary
//! with an election on its agenda; members-service decides elected or not (R10) and moves each
//! application (R7).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use service_kit::Code;
use utoipa::ToSchema;

use super::activities::ActivityKind;
use super::agenda::{AgendaItem, AgendaItemKind};

/// No count may exceed this (the columns are 32-bit; no meeting is that large).
pub const MAX_COUNT: i64 = 1_000_000;
/// At most this many candidates in one recording.
pub const MAX_RESULTS: usize = 500;

/// 当选票数门槛：“超过到会人数的 numerator/denominator”（members-service 的 R10 门槛）。
/// "More than numerator/denominator of those present" (members-service's R10 threshold).
/// (`ElectionThreshold` in the contract: members-service has a `Threshold` of its own.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = ElectionThreshold, example = json!({"numerator": 2, "denominator": 3}))]
pub struct Threshold {
    /// 分子，须满足 0 < 分子 < 分母（JSON Schema 无法表达的双字段规则）。0 < numerator < denominator (a two-field rule JSON Schema cannot state).
    #[schema(minimum = 1, maximum = 999999)]
    pub numerator: i64,
    /// 分母。The denominator.
    #[schema(minimum = 2, maximum = 1000000)]
    pub denominator: i64,
}

/// 一位候选人的得票，按其在 members-service 中的申报记录。One candidate's numbers, by their application in members-service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"application_id": 12, "votes_for": 31, "votes_against": 5, "abstentions": 4}))]
pub struct CandidateVotes {
    /// 候选人的申报编号（members-service）。The candidate's application (members-service).
    #[schema(minimum = 1)]
    pub application_id: i64,
    /// 赞成票数；每项票数不超过 1,000,000（`MAX_COUNT`），赞成、反对、弃权之和不超过到会人数。Each count at most 1,000,000 (`MAX_COUNT`); for + against + abstentions at most those present.
    #[schema(minimum = 0, maximum = 1000000)]
    pub votes_for: i64,
    /// 反对票数。Votes against.
    #[schema(minimum = 0, maximum = 1000000)]
    pub votes_against: i64,
    /// 弃权票数。Abstentions.
    #[schema(minimum = 0, maximum = 1000000)]
    pub abstentions: i64,
}

/// 一次全体会议的选举结果，由机械工业教育发展中心登记（R10、R19）。
/// The election results of one plenary, as the Center records them (R10, R19).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"voters_present": 40, "threshold": null, "results": [
    {"application_id": 12, "votes_for": 31, "votes_against": 5, "abstentions": 4},
    {"application_id": 13, "votes_for": 15, "votes_against": 20, "abstentions": 5}]}))]
pub struct RecordElectionResults {
    /// 到会投票人数（R10：“超过半数”以到会人数计，而非所投票数）。The number of voters present (R10: "more than half" counts those present, not votes cast).
    #[schema(minimum = 1, maximum = 1000000)]
    pub voters_present: i64,
    /// 会议另行确定的当选门槛：得票超过到会人数的 numerator/denominator 即当选；省略或为 null 时为超过半数。
    /// A threshold the meeting recorded instead of "more than half": elected with more than
    /// numerator/denominator of those present. Absent or null: more than half.
    #[serde(default)]
    pub threshold: Option<Threshold>,
    /// 每位候选人一条，按其在 members-service 中的申报记录；同一申报只能出现一次。One entry per candidate, by their application in members-service; each application once.
    #[schema(min_items = 1, max_items = 500)]
    pub results: Vec<CandidateVotes>,
}

/// A problem with one field of the recording (`results[2].votes_for`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteError {
    pub field: String,
    pub code: Code,
    pub message: String,
}

fn err(errors: &mut Vec<VoteError>, field: String, code: Code, message: impl Into<String>) {
    errors.push(VoteError {
        field,
        code,
        message: message.into(),
    });
}

/// R10: the numbers of one recording can be true: at least one voter present, no negative
/// count, for + against + abstain at most those present for each candidate, each application
/// once, a threshold strictly between 0 and 1.
pub fn validate(voters_present: i64, threshold: Option<Threshold>, results: &[CandidateVotes]) -> Vec<VoteError> {
    let mut errors = Vec::new();
    if voters_present < 1 {
        err(
            &mut errors,
            "voters_present".into(),
            Code::NoVoters,
            "at least one voter must be present",
        );
    } else if voters_present > MAX_COUNT {
        err(
            &mut errors,
            "voters_present".into(),
            Code::TooLarge,
            format!("at most {MAX_COUNT}"),
        );
    }
    if let Some(t) = threshold
        && !(t.numerator > 0 && t.denominator > 0 && t.numerator < t.denominator && t.denominator <= MAX_COUNT)
    {
        err(
            &mut errors,
            "threshold".into(),
            Code::InvalidThreshold,
            "a fraction between 0 and 1: 0 < numerator < denominator (e.g. 2/3)",
        );
    }
    if results.is_empty() {
        err(
            &mut errors,
            "results".into(),
            Code::Required,
            "record at least one candidate's result",
        );
    } else if results.len() > MAX_RESULTS {
        err(
            &mut errors,
            "results".into(),
            Code::TooMany,
            format!("at most {MAX_RESULTS} candidates"),
        );
    }
    for (i, r) in results.iter().enumerate() {
        candidate(&mut errors, i, r, &results[..i], voters_present);
    }
    errors
}

/// One candidate's numbers (`results[i]`), `earlier` the entries before it.
fn candidate(
    errors: &mut Vec<VoteError>,
    i: usize,
    r: &CandidateVotes,
    earlier: &[CandidateVotes],
    voters_present: i64,
) {
    if r.application_id < 1 {
        err(
            errors,
            format!("results[{i}].application_id"),
            Code::Invalid,
            "an application id of members-service",
        );
    } else if earlier.iter().any(|o| o.application_id == r.application_id) {
        err(
            errors,
            format!("results[{i}].application_id"),
            Code::Duplicate,
            format!("application {} is listed more than once", r.application_id),
        );
    }
    let mut counts_ok = true;
    for (field, v) in [
        ("votes_for", r.votes_for),
        ("votes_against", r.votes_against),
        ("abstentions", r.abstentions),
    ] {
        if v < 0 {
            counts_ok = false;
            err(
                errors,
                format!("results[{i}].{field}"),
                Code::Negative,
                "must not be negative",
            );
        } else if v > MAX_COUNT {
            counts_ok = false;
            err(
                errors,
                format!("results[{i}].{field}"),
                Code::TooLarge,
                format!("at most {MAX_COUNT}"),
            );
        }
    }
    if counts_ok && voters_present >= 1 && r.votes_for + r.votes_against + r.abstentions > voters_present {
        err(
            errors,
            format!("results[{i}]"),
            Code::MoreVotesThanVoters,
            format!(
                "R10: for + against + abstain ({}) exceeds voters_present ({voters_present})",
                r.votes_for + r.votes_against + r.abstentions
            ),
        );
    }
}

/// Why results cannot be recorded at an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAnElection {
    /// Elections take place at a plenary (R19): 409.
    NotAPlenary,
    /// The plenary's agenda has no election item (R19): 422.
    NoElectionOnAgenda,
    /// Cancelled: 409.
    Cancelled,
    /// Its date lies ahead: 409.
    NotHeldYet,
}

/// R19: results are recorded at a plenary with an election on its agenda, once it is held (its
/// date has come) and unless it was cancelled.
pub fn check_activity(
    kind: ActivityKind,
    agenda: &[AgendaItem],
    held_on: NaiveDate,
    cancelled: bool,
    today: NaiveDate,
) -> Result<(), NotAnElection> {
    if kind != ActivityKind::Plenary {
        return Err(NotAnElection::NotAPlenary);
    }
    if cancelled {
        return Err(NotAnElection::Cancelled);
    }
    if !agenda.iter().any(|i| i.kind == AgendaItemKind::Election) {
        return Err(NotAnElection::NoElectionOnAgenda);
    }
    if held_on > today {
        return Err(NotAnElection::NotHeldYet);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(application_id: i64, f: i64, a: i64, ab: i64) -> CandidateVotes {
        CandidateVotes {
            application_id,
            votes_for: f,
            votes_against: a,
            abstentions: ab,
        }
    }

    fn codes(e: &[VoteError]) -> Vec<(&str, &str)> {
        e.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect()
    }

    #[test]
    fn r10_possible_numbers_pass() {
        assert!(validate(40, None, &[r(12, 31, 5, 4), r(13, 15, 20, 5)]).is_empty());
        // Absent ballots are allowed: cast votes may be fewer than those present.
        assert!(validate(40, None, &[r(12, 10, 0, 0)]).is_empty());
        let two_thirds = Threshold {
            numerator: 2,
            denominator: 3,
        };
        assert!(validate(40, Some(two_thirds), &[r(12, 27, 13, 0)]).is_empty());
    }

    #[test]
    fn r10_impossible_numbers_are_named_per_field() {
        let e = validate(40, None, &[r(12, 31, 10, 0), r(13, -1, 0, 0), r(12, 1, 1, 1)]);
        assert_eq!(
            codes(&e),
            vec![
                ("results[0]", "more_votes_than_voters"),
                ("results[1].votes_for", "negative"),
                ("results[2].application_id", "duplicate"),
            ]
        );
        assert_eq!(
            codes(&validate(0, None, &[r(1, 0, 0, 0)])),
            vec![("voters_present", "no_voters")]
        );
        assert_eq!(codes(&validate(40, None, &[])), vec![("results", "required")]);
        let bad = Threshold {
            numerator: 3,
            denominator: 2,
        };
        assert_eq!(
            codes(&validate(40, Some(bad), &[r(1, 0, 0, 0)])),
            vec![("threshold", "invalid_threshold")]
        );
        assert_eq!(
            codes(&validate(40, None, &[r(0, 0, 0, 0)])),
            vec![("results[0].application_id", "invalid")]
        );
    }

    fn election() -> Vec<AgendaItem> {
        vec![AgendaItem {
            kind: AgendaItemKind::Election,
            title: "理事选举".into(),
            work_report_year: None,
            work_plan_year: None,
        }]
    }

    #[test]
    fn r19_results_belong_to_a_held_plenary_with_an_election_on_its_agenda() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let today = d("2026-12-10");
        let check = |kind, agenda: &[AgendaItem], on, cancelled| check_activity(kind, agenda, d(on), cancelled, today);
        assert_eq!(check(ActivityKind::Plenary, &election(), "2026-12-10", false), Ok(()));
        assert_eq!(check(ActivityKind::Plenary, &election(), "2026-12-01", false), Ok(()));
        assert_eq!(
            check(ActivityKind::Thematic, &election(), "2026-12-01", false),
            Err(NotAnElection::NotAPlenary)
        );
        assert_eq!(
            check(ActivityKind::Plenary, &[], "2026-12-01", false),
            Err(NotAnElection::NoElectionOnAgenda)
        );
        assert_eq!(
            check(ActivityKind::Plenary, &election(), "2026-12-11", false),
            Err(NotAnElection::NotHeldYet)
        );
        assert_eq!(
            check(ActivityKind::Plenary, &election(), "2026-12-01", true),
            Err(NotAnElection::Cancelled)
        );
    }
}
