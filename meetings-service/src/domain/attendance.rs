//! Attendance per invitee (R18): present 出席, excused 请假 (with a reason), absent 缺席
//! (unexcused, 无故不参加). Recorded once per invitee per activity; a correction needs a reason
//! and is audited.

pub use alliance_events::vocab::AttendanceStatus;
use serde::Deserialize;
use service_kit::Code;
use utoipa::ToSchema;

/// 登记受邀人员出席情况的请求（R18）：出席、请假（须写明事由）或缺席。
/// A request to record an invitee's attendance (R18): present, excused (with the reason) or absent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "excused", "reason": "因承担学院技能大赛任务请假", "correction_reason": "会后补交请假条，原登记为缺席"}))]
pub struct AttendanceInput {
    /// 出席情况：present（出席）、excused（请假）或 absent（缺席，即无故不参加，计入 R13）。present, excused or absent (unexcused, counted by R13).
    pub status: AttendanceStatus,
    /// 请假事由：`excused` 时必填，其他情况不得填写。请假事由: required for `excused`, absent otherwise.
    pub reason: Option<String>,
    /// 更正原因：已登记的出席情况被本次请求更改时必填（留痕审计）。Required when attendance is already recorded and this changes it (audited).
    pub correction_reason: Option<String>,
}

/// Whether this record is an unexcused absence (the only kind R13 counts).
pub fn is_unexcused_absence(status: AttendanceStatus) -> bool {
    status == AttendanceStatus::Absent
}

/// Why a recording or correction is refused, with the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRuleError {
    pub field: &'static str,
    pub code: Code,
    pub message: &'static str,
}

/// The attendance record as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub status: AttendanceStatus,
    pub reason: Option<String>,
}

/// What to do with a request to record `status` (with `reason`) for an invitee whose current
/// record is `current`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recording {
    /// The first record for this invitee at this activity.
    First(Recorded),
    /// A correction of an existing record; audited with `why`.
    Correction {
        before: Recorded,
        after: Recorded,
        why: String,
    },
    /// The same as what is recorded: nothing changes (a repeated PUT).
    Unchanged(Recorded),
}

fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// R18: an excused absence needs its reason (请假事由); a present or absent record carries
/// none. A correction of an existing record needs `correction_reason` (why it is corrected).
pub fn record(
    current: Option<&Recorded>,
    status: AttendanceStatus,
    reason: Option<&str>,
    correction_reason: Option<&str>,
) -> Result<Recording, Vec<AttendanceRuleError>> {
    let mut errors = Vec::new();
    let reason = clean(reason);
    match status {
        AttendanceStatus::Excused if reason.is_none() => errors.push(AttendanceRuleError {
            field: "reason",
            code: Code::R18ExcuseReasonRequired,
            message: "an excused absence (请假) needs its reason (R18)",
        }),
        AttendanceStatus::Present | AttendanceStatus::Absent if reason.is_some() => errors.push(AttendanceRuleError {
            field: "reason",
            code: Code::R18ReasonOnlyForExcused,
            message: "only an excused absence carries a reason; use correction_reason to explain a correction",
        }),
        _ => {}
    }
    let after = Recorded { status, reason };
    let outcome = match current {
        None => Recording::First(after),
        Some(before) if *before == after => Recording::Unchanged(after),
        Some(before) => match clean(correction_reason) {
            Some(why) => Recording::Correction {
                before: before.clone(),
                after,
                why,
            },
            None => {
                errors.push(AttendanceRuleError {
                    field: "correction_reason",
                    code: Code::R18CorrectionReasonRequired,
                    message: "attendance is already recorded; a correction needs the reason why (R18)",
                });
                Recording::Unchanged(after)
            }
        },
    };
    if errors.is_empty() { Ok(outcome) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttendanceStatus::*;

    fn rec(status: AttendanceStatus, reason: Option<&str>) -> Recorded {
        Recorded {
            status,
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn r18_statuses_round_trip_with_labels() {
        for s in AttendanceStatus::ALL {
            assert_eq!(AttendanceStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(Excused.label_zh(), "请假");
        assert!(is_unexcused_absence(Absent));
        assert!(!is_unexcused_absence(Excused));
    }

    #[test]
    fn r18_excused_needs_a_reason() {
        let e = record(None, Excused, Some("  "), None).err().unwrap_or_default();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].code, "r18_excuse_reason_required");
        assert_eq!(
            record(None, Excused, Some("出差"), None),
            Ok(Recording::First(rec(Excused, Some("出差"))))
        );
    }

    #[test]
    fn r18_present_and_absent_carry_no_reason() {
        assert!(record(None, Absent, Some("迟到"), None).is_err());
        assert_eq!(
            record(None, Present, None, None),
            Ok(Recording::First(rec(Present, None)))
        );
    }

    #[test]
    fn r18_a_correction_needs_its_reason_and_keeps_before_and_after() {
        let before = rec(Absent, None);
        let e = record(Some(&before), Excused, Some("病假"), None)
            .err()
            .unwrap_or_default();
        assert_eq!(e[0].code, "r18_correction_reason_required");
        assert_eq!(
            record(Some(&before), Excused, Some("病假"), Some("补交请假条")),
            Ok(Recording::Correction {
                before,
                after: rec(Excused, Some("病假")),
                why: "补交请假条".into()
            })
        );
    }

    #[test]
    fn r18_recording_the_same_again_changes_nothing() {
        let before = rec(Present, None);
        assert_eq!(
            record(Some(&before), Present, None, None),
            Ok(Recording::Unchanged(before))
        );
    }
}
