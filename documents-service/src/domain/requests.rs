//! What an event or a request asks to issue: the [`IssueRequest`] of each document, its
//! template data (dates and term numbers in Chinese) and who receives it — pure, from the facts
//! the other services send.

use alliance_events::vocab::NameOrder;
use alliance_events::{
    ActivityFacts, AppointmentFacts, CertificateIssue, CommendationFacts, InviteeFacts, NoticeOccasion, NoticeSend,
    ToDocuments,
};
use chrono::NaiveDate;
use serde_json::{Value, json};

use super::dates::{self, ChineseDate};
use super::invitation::Invitation;
use super::kinds::DocumentKind;

/// The issuing body, printed on every document.
pub const ISSUER: &str = "机械行业技工院校高水平专业建设联盟";

/// Everything needed to issue one document.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    pub kind: DocumentKind,
    /// What it is about: `appointment:12`, `commendation:3`, …
    pub subject_key: String,
    pub person_name: String,
    pub post_label: String,
    pub body_name: String,
    pub term_label: String,
    pub person_id: Option<i64>,
    pub appointment_id: Option<i64>,
    /// The inbox event that causes it; one document per event and kind.
    pub source_event_id: Option<String>,
    /// Template data; `serial`, `verify_url` and `issued_on_zh` are added here.
    pub data: Value,
    pub recipients: Vec<String>,
    /// Valid documents of this kind and subject that the new one replaces (renewal).
    pub supersedes_subject: Option<String>,
    /// The last day a certificate holds (its term's end): its credential's `validUntil`.
    pub valid_until: Option<NaiveDate>,
}

/// A body's full name as documents print it: the alliance's name once, in front (a body whose
/// own name already holds it is not prefixed again; issue 15).
pub fn full_body_name(body_name: &str) -> String {
    let body = body_name.trim();
    if body.contains(ISSUER) {
        body.to_owned()
    } else {
        format!("{ISSUER}{body}")
    }
}

/// Template data of an appointment's documents, from the facts members-service sent.
fn appointment_data(a: &AppointmentFacts) -> Value {
    let zh = |d: Option<NaiveDate>| d.map(|d| ChineseDate::new(d).to_string()).unwrap_or_default();
    json!({
        "issuer": ISSUER,
        "person_name": a.person_name,
        "unit_name": a.unit_name,
        "body_name": full_body_name(&a.body_name),
        "post_label": a.post_label,
        "term_label": term_label(a),
        "term_starts_on_zh": ChineseDate::new(a.term_starts_on).to_string(),
        "term_ends_on_zh": ChineseDate::new(a.term_ends_on).to_string(),
        "starts_on_zh": ChineseDate::new(a.starts_on).to_string(),
        "ends_on_zh": ChineseDate::new(a.ends_on).to_string(),
        "effective_on_zh": zh(a.ended_on),
        "requested_on_zh": zh(a.ended_on),
        "reason": a.end_reason.as_deref().unwrap_or_default(),
    })
}

fn term_label(a: &AppointmentFacts) -> String {
    dates::term_label(i64::from(a.term_number))
}

/// The request for a document about an appointment (`a`: the appointment facts members-service
/// sends), idempotent on `event_id`.
pub fn appointment_request(
    event_id: &str,
    kind: DocumentKind,
    a: &AppointmentFacts,
    recipients: Vec<String>,
) -> IssueRequest {
    IssueRequest {
        kind,
        subject_key: format!("appointment:{}", a.appointment_id),
        person_name: a.person_name.clone(),
        post_label: a.post_label.clone(),
        body_name: a.body_name.clone(),
        term_label: term_label(a),
        person_id: Some(a.person_id),
        appointment_id: Some(a.appointment_id),
        source_event_id: Some(event_id.to_owned()),
        data: appointment_data(a),
        recipients,
        supersedes_subject: a.previous_appointment_id.map(|p| format!("appointment:{p}")),
        valid_until: Some(a.term_ends_on),
    }
}

/// The meeting's name as a notice prints it: the activity's title alone when it already names
/// the alliance or the body (issue 15: "…联盟理事会机械行业…联盟2026年度全体会议" doubled them),
/// otherwise the alliance and the body once, in front of it.
pub fn meeting_name(body_name: &str, title: &str) -> String {
    let title = title.trim();
    let body = body_name.trim();
    if title.contains(ISSUER) || (!body.is_empty() && title.contains(body)) {
        title.to_owned()
    } else {
        format!("{ISSUER}{body}{title}")
    }
}

/// What a meeting notice is called and titled on each occasion: the invitation
/// (关于召开…的通知), a change of date, time or place (会议变更通知: 关于…有关事项变更的通知),
/// the cancellation (会议取消通知: 关于取消召开…的通知), a reminder (会议提醒: 关于参加…的提醒) or
/// one invitee's withdrawn invitation (会议邀请撤回通知: 关于撤回…参会邀请的通知).
pub fn notice_label_and_title(occasion: NoticeOccasion, meeting_name: &str) -> (&'static str, String) {
    match occasion {
        NoticeOccasion::Invitation => ("会议通知", format!("关于召开{meeting_name}的通知")),
        NoticeOccasion::Change => ("会议变更通知", format!("关于{meeting_name}有关事项变更的通知")),
        NoticeOccasion::Cancellation => ("会议取消通知", format!("关于取消召开{meeting_name}的通知")),
        NoticeOccasion::Reminder => ("会议提醒", format!("关于参加{meeting_name}的提醒")),
        NoticeOccasion::Withdrawal => ("会议邀请撤回通知", format!("关于撤回{meeting_name}参会邀请的通知")),
    }
}

/// What a notice holds only sometimes: its purpose (the activity's description), the invitee's
/// reply and feed links (made into `reply_url` and `feed_url` with the public address when the
/// notice is prepared), and a cancellation's reason.
fn add_optional_notice_fields(
    m: &mut serde_json::Map<String, Value>,
    act: &ActivityFacts,
    inv: &InviteeFacts,
    occasion: NoticeOccasion,
) {
    let purpose = act.description.trim().trim_end_matches(['。', '，', '.', ',']);
    if !purpose.is_empty() {
        m.insert("purpose".into(), json!(purpose));
    }
    if let Some(link) = inv.reply_link.as_deref() {
        m.insert("reply_link".into(), json!(link));
    }
    if let Some(link) = inv.feed_link.as_deref() {
        m.insert("feed_link".into(), json!(link));
    }
    let reason = act.cancel_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if let (Some(r), NoticeOccasion::Cancellation) = (reason, occasion) {
        m.insert("cancel_reason".into(), json!(r.trim_end_matches(['。', '.'])));
    }
}

/// When an activity begins, as notices print it: `二〇二六年十二月十日（星期四） 09:30`.
pub fn starts_at_zh(act: &ActivityFacts) -> String {
    let time = act.starts_at.as_deref().map(str::trim).filter(|t| !t.is_empty());
    format!(
        "{}（{}）{}",
        ChineseDate::new(act.held_on),
        ChineseDate::new(act.held_on).weekday(),
        time.map(|t| format!(" {t}")).unwrap_or_default()
    )
}

/// A 会议通知 (or its change or cancellation) to one invitee, from meetings-service's
/// `notice.send` event, with its calendar invitation.
fn meeting_notice_request(
    event_id: &str,
    act: &ActivityFacts,
    inv: &InviteeFacts,
    occasion: NoticeOccasion,
) -> IssueRequest {
    let starts_at_zh = starts_at_zh(act);
    let reply_by = act.reply_by.unwrap_or(act.held_on - chrono::Duration::days(3));
    let meeting_name = meeting_name(&act.body_name, &act.title);
    let (label, title) = notice_label_and_title(occasion, &meeting_name);
    let agenda: Vec<&str> = act
        .agenda
        .iter()
        .map(String::as_str)
        .filter(|t| !t.trim().is_empty())
        .collect();
    let agenda = if agenda.is_empty() {
        vec!["会议议程另行通知"]
    } else {
        agenda
    };
    let contact = act.contact_name.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let mut data = json!({
        "issuer": ISSUER,
        "person_name": inv.person_name,
        "title": title,
        "notice_label": label,
        "occasion": occasion,
        "invitation": Invitation::of(act, occasion, &meeting_name),
        "meeting_name": meeting_name,
        "starts_at_zh": starts_at_zh,
        "location": act.place,
        "agenda": agenda,
        "attendees": format!("{}全体成员", full_body_name(&act.body_name)),
        "reply_by_zh": ChineseDate::new(reply_by).to_string(),
        "contact_name": contact.unwrap_or("技工联盟秘书处"),
        "contact_phone": act.contact_phone.as_deref().unwrap_or_default(),
    });
    if let Value::Object(m) = &mut data {
        add_optional_notice_fields(m, act, inv, occasion);
    }
    IssueRequest {
        kind: DocumentKind::MeetingNotice,
        // A reminder is a document of its own: the notice it reminds of stays valid.
        subject_key: match occasion {
            NoticeOccasion::Reminder => format!(
                "activity:{}:appointment:{}:reminder",
                act.activity_id, inv.appointment_id
            ),
            _ => format!("activity:{}:appointment:{}", act.activity_id, inv.appointment_id),
        },
        person_name: inv.person_name.clone(),
        post_label: inv.post_label.clone(),
        body_name: act.body_name.clone(),
        term_label: String::new(),
        person_id: Some(inv.person_id),
        appointment_id: Some(inv.appointment_id),
        source_event_id: Some(event_id.to_owned()),
        data,
        recipients: inv.person_email.clone().into_iter().collect(),
        supersedes_subject: None,
        valid_until: None,
    }
}

/// A 荣誉证书 of a commendation (R16).
fn commendation_request(event_id: &str, m: &CommendationFacts) -> IssueRequest {
    IssueRequest {
        kind: DocumentKind::CommendationCertificate,
        subject_key: format!("commendation:{}", m.commendation_id),
        person_name: m.recipient_name.clone(),
        post_label: String::new(),
        body_name: String::new(),
        term_label: String::new(),
        person_id: m.person_id,
        appointment_id: None,
        source_event_id: Some(event_id.to_owned()),
        data: json!({"issuer": ISSUER, "person_name": m.recipient_name, "recipient_name": m.recipient_name,
            "recipient_is_unit": m.person_id.is_none(),
            "unit_name": m.unit_name, "citation": m.citation,
            "year_label": format!("{}年度", m.year),
            "honor_title": "先进成员"}),
        recipients: m.recipient_email.clone().into_iter().collect(),
        supersedes_subject: None,
        valid_until: None,
    }
}

/// The documents-side meaning of an event (`event_id`: the inbox event, so each is issued once): what to issue or revoke, or nothing to print.
pub enum Work {
    Issue(Box<IssueRequest>),
    Revoke { subject: String, reason: String },
    Nothing,
}

pub fn work_for(event_id: &str, event: &ToDocuments) -> Work {
    let person = |a: &AppointmentFacts| a.person_email.clone().into_iter().collect::<Vec<_>>();
    match event {
        ToDocuments::CertificateIssue(CertificateIssue::AppointmentCertificate { appointment: a }) => {
            Work::Issue(Box::new(appointment_request(
                event_id,
                DocumentKind::AppointmentCertificate,
                a,
                person(a),
            )))
        }
        ToDocuments::CertificateIssue(CertificateIssue::CommendationCertificate { commendation }) => {
            Work::Issue(Box::new(commendation_request(event_id, commendation)))
        }
        ToDocuments::CertificateRevoke(r) => Work::Revoke {
            subject: format!("appointment:{}", r.appointment.appointment_id),
            reason: format!(
                "{}（{}）",
                r.appointment.status,
                r.appointment.end_reason.as_deref().unwrap_or_default()
            ),
        },
        ToDocuments::NoticeSend(NoticeSend::MeetingNotice {
            activity,
            invitee,
            occasion,
        }) => Work::Issue(Box::new(meeting_notice_request(event_id, activity, invitee, *occasion))),
        ToDocuments::NoticeSend(NoticeSend::DismissalNotice { appointment: a }) => {
            // R14: a dismissal notice goes to the person and to their unit's contact.
            let mut recipients = person(a);
            recipients.extend(a.unit_contact_email.clone());
            Work::Issue(Box::new(appointment_request(
                event_id,
                DocumentKind::DismissalNotice,
                a,
                recipients,
            )))
        }
        ToDocuments::NoticeSend(NoticeSend::ResignationAcceptance { appointment: a }) => Work::Issue(Box::new(
            appointment_request(event_id, DocumentKind::ResignationAcceptance, a, person(a)),
        )),
        ToDocuments::NoticeSend(NoticeSend::LapseNotice { appointment: a }) => Work::Issue(Box::new(
            appointment_request(event_id, DocumentKind::LapseNotice, a, person(a)),
        )),
        // Recorded by members-service; the e-mail itself needs no document.
        ToDocuments::TermEndReminder(_) => Work::Nothing,
    }
}

/// The order of posts on a roster: the body's leaders first.
const POST_ORDER: [&str; 12] = [
    "chair",
    "vice_chair",
    "secretary_general",
    "deputy_secretary_general",
    "council_member",
    "expert",
    "director",
    "deputy_director",
    "member",
    "advisor",
    "guiding_expert",
    "",
];

/// Where a post (its code) comes in a list of a body's people: leaders first.
pub fn post_rank(post: &str) -> usize {
    POST_ORDER.iter().position(|p| *p == post).unwrap_or(POST_ORDER.len())
}

/// Where a person comes in a roster: leaders first (the posts' order), then by name in `order`.
fn rank(f: &AppointmentFacts, order: NameOrder) -> (usize, &str, i64) {
    let key = match order {
        NameOrder::Id => "",
        NameOrder::SurnameStrokes => f.person_stroke_key.as_str(),
        NameOrder::Pinyin => f.person_pinyin_key.as_str(),
    };
    (post_rank(&f.post), key, f.appointment_id)
}

/// The roster's template data from the appointment facts of one body on a date, each post's
/// people in `order`.
pub fn roster_data(mut facts: Vec<AppointmentFacts>, on: NaiveDate, order: NameOrder) -> Value {
    facts.sort_by(|a, b| rank(a, order).cmp(&rank(b, order)));
    let month = |d: NaiveDate| ChineseDate::new(d).year_month();
    let rows: Vec<Value> = facts
        .iter()
        .map(|f| {
            json!({
                "person_name": f.person_name,
                "unit_name": f.unit_name,
                "post_label": f.post_label,
                "job_title": f.job_post,
                "title_label": f.title_label,
                "term_zh": format!("{}—{}", month(f.starts_on), month(f.ends_on)),
            })
        })
        .collect();
    let first = facts.first();
    json!({
        "issuer": ISSUER,
        "body_name": full_body_name(first.map(|f| f.body_name.as_str()).unwrap_or_default()),
        "term_label": dates::term_label(first.map_or(0, |f| i64::from(f.term_number))),
        "as_of_zh": ChineseDate::new(on).to_string(),
        "rows": rows,
    })
}

/// The 成员名册 of body `body_id` on `on` (its members' facts, at least one).
pub fn roster_request(body_id: i64, on: NaiveDate, facts: Vec<AppointmentFacts>, order: NameOrder) -> IssueRequest {
    let data = roster_data(facts, on, order);
    let text = |k: &str| data.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let (body_name, term_label) = (text("body_name"), text("term_label"));
    IssueRequest {
        term_label,
        ..list_request(
            DocumentKind::Roster,
            format!("roster:body:{body_id}:{on}"),
            body_name,
            data,
        )
    }
}

/// A list of a body's people issued on request (a roster, a sign-in sheet): about no one person,
/// mailed to no one, listed under `title`.
pub fn list_request(kind: DocumentKind, subject_key: String, title: String, data: Value) -> IssueRequest {
    IssueRequest {
        kind,
        subject_key,
        person_name: title.clone(),
        post_label: String::new(),
        body_name: title,
        term_label: String::new(),
        person_id: None,
        appointment_id: None,
        source_event_id: None,
        data,
        recipients: Vec::new(),
        supersedes_subject: None,
        valid_until: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(id: i64, post: &str) -> AppointmentFacts {
        serde_json::from_value(json!({"appointment_id": id, "person_id": id, "person_name": format!("王志刚{id}"),
            "person_email": null, "job_post": "教师", "title_label": "正高级", "unit_id": 1, "unit_name": "浙江机电技师学院",
            "unit_contact_email": null, "body_id": 2, "body_name": "专家委员会", "post": post, "post_label": "委员",
            "term_number": 2, "term_starts_on": "2026-01-01", "term_ends_on": "2029-12-31", "starts_on": "2026-01-01",
            "ends_on": "2029-12-31", "status": "active", "ended_on": null, "end_reason": null,
            "previous_appointment_id": null}))
        .unwrap_or_else(|e| panic!("facts: {e}"))
    }

    #[test]
    fn a_roster_lists_leaders_first_with_chinese_dates() {
        let on = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
        let req = roster_request(2, on, vec![facts(1, "expert"), facts(2, "chair")], NameOrder::Id);
        assert_eq!(req.subject_key, "roster:body:2:2026-11-27");
        assert_eq!(req.body_name, format!("{ISSUER}专家委员会"));
        assert_eq!(req.term_label, "第二届");
        assert_eq!(req.data["as_of_zh"], "二〇二六年十一月二十七日");
        assert_eq!(req.data["rows"][0]["person_name"], "王志刚2");
        assert_eq!(req.data["rows"][1]["term_zh"], "2026.01—2029.12");
    }

    /// Issue 15: the alliance is named once in a body's full name, whatever the body is called.
    #[test]
    fn a_body_is_named_with_the_alliance_once() {
        assert_eq!(full_body_name("理事会"), format!("{ISSUER}理事会"));
        let full = format!("{ISSUER}专家委员会");
        assert_eq!(full_body_name(&full), full);
        let mut f = facts(1, "chair");
        f.body_name = full.clone();
        let req = appointment_request("e", DocumentKind::AppointmentCertificate, &f, Vec::new());
        assert_eq!(req.data["body_name"], full);
        assert_eq!(
            roster_data(vec![f], NaiveDate::default(), NameOrder::SurnameStrokes)["body_name"],
            full
        );
    }

    /// Issue 15: a title that already names the alliance or the body is not prefixed again.
    #[test]
    fn a_meeting_is_named_once() {
        let full = format!("{ISSUER}2026年度全体会议");
        assert_eq!(meeting_name("理事会", &full), full);
        assert_eq!(
            meeting_name("数控技术专业建设协作组", "数控技术专业建设协作组第三次工作会议"),
            "数控技术专业建设协作组第三次工作会议"
        );
        assert_eq!(
            meeting_name("理事会", " 第一次全体会议 "),
            format!("{ISSUER}理事会第一次全体会议")
        );
        let (label, title) = notice_label_and_title(NoticeOccasion::Invitation, &full);
        assert_eq!((label, title.matches(ISSUER).count()), ("会议通知", 1));
        assert_eq!(title, format!("关于召开{full}的通知"));
    }

    #[test]
    fn a_change_and_a_cancellation_are_called_so() {
        let (label, title) = notice_label_and_title(NoticeOccasion::Change, "理事会全体会议");
        assert_eq!(
            (label, title.as_str()),
            ("会议变更通知", "关于理事会全体会议有关事项变更的通知")
        );
        let (label, title) = notice_label_and_title(NoticeOccasion::Withdrawal, "理事会全体会议");
        assert_eq!(
            (label, title.as_str()),
            ("会议邀请撤回通知", "关于撤回理事会全体会议参会邀请的通知")
        );
        let (label, title) = notice_label_and_title(NoticeOccasion::Cancellation, "理事会全体会议");
        assert_eq!(
            (label, title.as_str()),
            ("会议取消通知", "关于取消召开理事会全体会议的通知")
        );
    }
}
