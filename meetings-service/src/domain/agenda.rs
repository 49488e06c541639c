//! A plenary's agenda (议程, R19): review of the annual work report, publication of next year's
//! work plan, membership adjustments and additions, elections, other matters. The report and
//! the plan are attached as documents (this service's work reports and work plans).

use serde::{Deserialize, Serialize};
use service_kit::Code;
use utoipa::ToSchema;

pub use alliance_events::vocab::AgendaItemKind;

use super::activities::ActivityKind;

/// The items R19 names for a plenary (all but `other`).
pub fn is_plenary_only(kind: AgendaItemKind) -> bool {
    kind != AgendaItemKind::Other
}

/// 议程事项（R19），按保存和显示的形式。One agenda item as stored (JSON text in the activity row) and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"kind": "work_report_review", "title": "审议2026年度工作报告", "work_report_year": 2026}))]
pub struct AgendaItem {
    /// 事项类型：审议年度工作报告、发布下一年度工作计划、调整增补、选举只属于全体会议，其他活动只能列其他事项（R19）。
    /// The kind: all but `other` belong to a plenary's agenda (R19).
    pub kind: AgendaItemKind,
    /// 事项标题，200 字以内；未填写时为类型的中文名称。At most 200 characters; defaults to the kind's Chinese label.
    #[serde(default)]
    pub title: String,
    /// 仅用于审议年度工作报告事项：所附本机构年度工作报告的年度（R19）。For `work_report_review`: the year of the body's work report attached (R19).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_report_year: Option<i32>,
    /// 仅用于发布下一年度工作计划事项：所附本机构年度工作计划的年度（R19）。For `work_plan_publication`: the year of the body's work plan attached (R19).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_plan_year: Option<i32>,
}

impl AgendaItem {
    /// The line printed in notices: the title, or the kind's label.
    pub fn line(&self) -> String {
        if self.title.trim().is_empty() {
            self.kind.label_zh().to_owned()
        } else {
            self.title.trim().to_owned()
        }
    }
}

/// A problem with one agenda item, by index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaError {
    pub index: usize,
    pub field: &'static str,
    pub code: Code,
    pub message: String,
}

/// R19: the report-review, plan-publication, adjustment and election items belong to a
/// plenary (全体会议); other activities may list `other` items only. A report or plan is
/// attached only to its own kind of item.
pub fn validate(kind: ActivityKind, items: &[AgendaItem]) -> Vec<AgendaError> {
    let mut errors = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if is_plenary_only(item.kind) && kind != ActivityKind::Plenary {
            errors.push(AgendaError {
                index,
                field: "kind",
                code: Code::R19PlenaryAgendaItem,
                message: format!(
                    "{} ({}) is an item of a plenary's agenda (R19)",
                    item.kind.as_str(),
                    item.kind.label_zh()
                ),
            });
        }
        if item.work_report_year.is_some() && item.kind != AgendaItemKind::WorkReportReview {
            errors.push(AgendaError {
                index,
                field: "work_report_year",
                code: Code::R19AttachmentMismatch,
                message: "a work report is attached to the work_report_review item only".into(),
            });
        }
        if item.work_plan_year.is_some() && item.kind != AgendaItemKind::WorkPlanPublication {
            errors.push(AgendaError {
                index,
                field: "work_plan_year",
                code: Code::R19AttachmentMismatch,
                message: "a work plan is attached to the work_plan_publication item only".into(),
            });
        }
        if item.title.chars().count() > 200 {
            errors.push(AgendaError {
                index,
                field: "title",
                code: Code::TooLong,
                message: "at most 200 characters".into(),
            });
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: AgendaItemKind) -> AgendaItem {
        AgendaItem {
            kind,
            title: String::new(),
            work_report_year: None,
            work_plan_year: None,
        }
    }

    #[test]
    fn r19_agenda_kinds_have_the_charters_labels() {
        for k in AgendaItemKind::ALL {
            assert_eq!(AgendaItemKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AgendaItemKind::WorkReportReview.label_zh(), "审议年度工作报告");
        assert_eq!(AgendaItemKind::WorkPlanPublication.label_zh(), "发布下一年度工作计划");
        assert_eq!(AgendaItemKind::MembershipAdjustment.label_zh(), "调整、增补");
        assert_eq!(AgendaItemKind::Election.label_zh(), "选举");
        assert_eq!(AgendaItemKind::Other.label_zh(), "其他事项");
    }

    #[test]
    fn r19_a_plenary_takes_every_item_with_its_report_and_plan_attached() {
        let mut report = item(AgendaItemKind::WorkReportReview);
        report.work_report_year = Some(2026);
        let mut plan = item(AgendaItemKind::WorkPlanPublication);
        plan.work_plan_year = Some(2027);
        let items = [
            report,
            plan,
            item(AgendaItemKind::MembershipAdjustment),
            item(AgendaItemKind::Election),
            item(AgendaItemKind::Other),
        ];
        assert!(validate(ActivityKind::Plenary, &items).is_empty());
        assert_eq!(items[0].line(), "审议年度工作报告");
    }

    #[test]
    fn r19_plenary_items_are_refused_on_other_activities() {
        let items = [item(AgendaItemKind::Election), item(AgendaItemKind::Other)];
        let e = validate(ActivityKind::Thematic, &items);
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].index, e[0].code.as_str()), (0, "r19_plenary_agenda_item"));
    }

    #[test]
    fn r19_attachments_go_with_their_own_item() {
        let mut wrong = item(AgendaItemKind::Election);
        wrong.work_report_year = Some(2026);
        let e = validate(ActivityKind::Plenary, &[wrong]);
        assert_eq!(e[0].code, "r19_attachment_mismatch");
    }
}
