//! The 签到表 of a meeting (issue 13): its invitees, the body's leaders first, each with their
//! answer to the notice (参加, 请假 with its reason, or none yet) and room to sign.

use alliance_events::{SignInFacts, vocab::ActivityStatus, vocab::ReplyAnswer};
use serde_json::{Value, json};

use super::kinds::DocumentKind;
use super::requests::{ISSUER, IssueRequest, list_request, meeting_name, post_rank, starts_at_zh};

/// Why a 签到表 cannot be printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetRefusal {
    /// A cancelled activity has no one to sign in.
    Cancelled,
    /// No one is invited.
    NoInvitees,
}

/// The template data of the 签到表 from meetings-service's facts.
pub fn sign_in_data(mut facts: SignInFacts) -> Value {
    facts.invitees.sort_by_key(|r| (post_rank(&r.post), r.appointment_id));
    let count = |a: Option<ReplyAnswer>| facts.invitees.iter().filter(|r| r.answer == a).count();
    let counts = json!({
        "invitees": facts.invitees.len(),
        "attend": count(Some(ReplyAnswer::Attend)),
        "leave": count(Some(ReplyAnswer::Leave)),
        "unanswered": count(None),
    });
    let rows: Vec<Value> = facts
        .invitees
        .iter()
        .map(|r| {
            let mut row = json!({
                "person_name": r.person_name,
                "unit_name": r.unit_name,
                "post_label": r.post_label,
                "answer": r.answer,
            });
            let reason = r.reason.as_deref().map(str::trim).filter(|t| !t.is_empty());
            if let (Some(reason), Some(ReplyAnswer::Leave), Value::Object(m)) = (reason, r.answer, &mut row) {
                m.insert("reason".into(), json!(reason));
            }
            row
        })
        .collect();
    let act = &facts.activity;
    json!({
        "issuer": ISSUER,
        "meeting_name": meeting_name(&act.body_name, &act.title),
        "starts_at_zh": starts_at_zh(act),
        "location": act.place,
        "counts": counts,
        "rows": rows,
    })
}

/// The 签到表 of an activity as it stands: a new one supersedes the one printed before (the
/// replies may have changed meanwhile).
pub fn sign_in_request(facts: SignInFacts) -> Result<IssueRequest, SheetRefusal> {
    if facts.status == ActivityStatus::Cancelled {
        return Err(SheetRefusal::Cancelled);
    }
    if facts.invitees.is_empty() {
        return Err(SheetRefusal::NoInvitees);
    }
    let act = facts.activity.clone();
    let data = sign_in_data(facts);
    let name = data["meeting_name"].as_str().unwrap_or_default().to_owned();
    let key = format!("sign_in:body:{}:activity:{}", act.body_id, act.activity_id);
    Ok(IssueRequest {
        body_name: act.body_name,
        ..list_request(DocumentKind::SignInSheet, key, name, data)
    })
}

#[cfg(test)]
mod tests {
    use alliance_events::{ActivityFacts, SignInRow};
    use chrono::NaiveDate;

    use super::*;

    fn facts(title: &str, rows: Vec<SignInRow>) -> SignInFacts {
        SignInFacts {
            activity: ActivityFacts {
                activity_id: 5,
                body_id: 1,
                body_name: "理事会".into(),
                kind: "plenary".into(),
                kind_label: "全体会议".into(),
                title: title.into(),
                held_on: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap_or_default(),
                starts_at: Some("09:30".into()),
                place: "北京".into(),
                description: String::new(),
                agenda: vec![],
                reply_by: None,
                contact_name: None,
                contact_phone: None,
                uid: String::new(),
                sequence: 0,
                cancel_reason: None,
            },
            status: ActivityStatus::Scheduled,
            invitees: rows,
        }
    }

    fn row(id: i64, post: &str, answer: Option<ReplyAnswer>, reason: Option<&str>) -> SignInRow {
        SignInRow {
            appointment_id: id,
            person_name: format!("委员{id}"),
            unit_name: "浙江机电技师学院".into(),
            post: post.into(),
            post_label: post.into(),
            answer,
            reason: reason.map(Into::into),
        }
    }

    /// Issue 13 part 4: leaders first, each reply with its 请假事由, the counts of the replies.
    #[test]
    fn the_sheet_lists_leaders_first_with_replies_and_counts() {
        let rows = vec![
            row(1, "council_member", Some(ReplyAnswer::Leave), Some(" 出差 ")),
            row(2, "chair", Some(ReplyAnswer::Attend), None),
            row(3, "council_member", None, None),
        ];
        let req = sign_in_request(facts("2026年度全体会议", rows)).expect("a sheet");
        assert_eq!(req.kind, DocumentKind::SignInSheet);
        assert_eq!(req.subject_key, "sign_in:body:1:activity:5");
        let d = &req.data;
        let names: Vec<&str> = d["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["person_name"].as_str())
            .collect();
        assert_eq!(names, ["委员2", "委员1", "委员3"]);
        assert_eq!(d["rows"][1]["answer"], "leave");
        assert_eq!(d["rows"][1]["reason"], "出差");
        assert_eq!(d["rows"][2]["answer"], Value::Null);
        assert_eq!(
            d["counts"],
            json!({"invitees": 3, "attend": 1, "leave": 1, "unanswered": 1})
        );
        assert_eq!(d["starts_at_zh"], "二〇二六年十二月十日（星期四） 09:30");
    }

    /// Issue 15: the title names the body once (it is the notice's meeting name).
    #[test]
    fn the_sheet_names_the_body_once() {
        let plain = sign_in_request(facts("2026年度全体会议", vec![row(1, "chair", None, None)])).expect("a sheet");
        assert_eq!(plain.data["meeting_name"], format!("{ISSUER}理事会2026年度全体会议"));
        let named = format!("{ISSUER}2026年度全体会议");
        let req = sign_in_request(facts(&named, vec![row(1, "chair", None, None)])).expect("a sheet");
        assert_eq!(req.data["meeting_name"], named);
    }

    #[test]
    fn a_cancelled_activity_or_one_without_invitees_has_no_sheet() {
        let mut f = facts("会议", vec![row(1, "chair", None, None)]);
        f.status = ActivityStatus::Cancelled;
        assert_eq!(sign_in_request(f).err(), Some(SheetRefusal::Cancelled));
        assert_eq!(
            sign_in_request(facts("会议", vec![])).err(),
            Some(SheetRefusal::NoInvitees)
        );
    }
}
