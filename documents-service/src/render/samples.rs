//! Complete example data of every template, for previews, tests and benchmarks.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::{TemplateKind, zh_date};

const ALLIANCE: &str = "机械行业技工院校高水平专业建设联盟";
const CENTER: &str = "机械工业教育发展中心";

fn zh(y: i32, m: u32, d: u32) -> String {
    NaiveDate::from_ymd_opt(y, m, d).map(zh_date).unwrap_or_default()
}

/// The fields every template reads, for a given serial number.
fn common(serial: &str, issuer: &str) -> serde_json::Map<String, Value> {
    let Value::Object(map) = json!({
        "serial": serial,
        "issuer": issuer,
        "issued_on": "2026-11-24",
        "issued_on_zh": zh(2026, 11, 24),
        "verify_url": format!("https://jglm.example.cn/verify/{serial}"),
    }) else {
        return serde_json::Map::new();
    };
    map
}

fn with_common(serial: &str, issuer: &str, fields: Value) -> Value {
    let mut map = common(serial, issuer);
    if let Value::Object(extra) = fields {
        map.extend(extra);
    }
    Value::Object(map)
}

/// Example data of `kind`, with every field its template reads (see the module docs).
pub fn sample_data(kind: TemplateKind) -> Value {
    match kind {
        TemplateKind::AppointmentCertificate => with_common(
            "JGLM-2026-000123",
            CENTER,
            json!({
                "person_name": "王志刚",
                "unit_name": "浙江机电技师学院",
                "body_name": format!("{ALLIANCE}理事会"),
                "post_label": "副理事长",
                "term_label": "第二届",
                "term_starts_on_zh": zh(2026, 11, 24),
                "term_ends_on_zh": zh(2030, 11, 23),
            }),
        ),
        TemplateKind::DismissalNotice => with_common(
            "JGLM-2026-000124",
            CENTER,
            json!({
                "person_name": "李建国",
                "unit_name": "河南工业技师学院",
                "body_name": "数控技术专业建设协作组",
                "post_label": "委员",
                "term_label": "第二届",
                "reason": "二〇二六工作年度内无故两次不参加活动",
                "effective_on_zh": zh(2026, 11, 24),
            }),
        ),
        TemplateKind::LapseNotice => with_common(
            "JGLM-2026-000125",
            CENTER,
            json!({
                "person_name": "陈晓燕",
                "unit_name": "中国机械工业集团有限公司",
                "body_name": format!("{ALLIANCE}理事会"),
                "post_label": "理事",
                "term_label": "第一届",
                "term_starts_on_zh": zh(2022, 11, 24),
                "term_ends_on_zh": zh(2026, 11, 23),
            }),
        ),
        TemplateKind::ResignationAcceptance => with_common(
            "JGLM-2026-000126",
            CENTER,
            json!({
                "person_name": "赵文博",
                "unit_name": "江苏省常州技师学院",
                "body_name": "专家委员会",
                "post_label": "委员",
                "term_label": "第二届",
                "requested_on_zh": zh(2026, 11, 2),
                "effective_on_zh": zh(2026, 11, 24),
            }),
        ),
        TemplateKind::CommendationCertificate => with_common(
            "JGLM-2026-000127",
            ALLIANCE,
            json!({
                "recipient_name": "刘海燕",
                "recipient_is_unit": false,
                "unit_name": "广州市机电技师学院",
                "year_label": "2026年度",
                "honor_title": "优秀理事",
                "citation": "积极参与、成效显著、贡献较大",
            }),
        ),
        TemplateKind::MeetingNotice => with_common("JGLM-2026-000128", ALLIANCE, meeting_notice_fields()),
        TemplateKind::Roster => with_common("JGLM-2026-000129", ALLIANCE, roster_fields(120)),
        TemplateKind::SignInSheet => with_common("JGLM-2026-000130", ALLIANCE, sign_in_fields(24)),
    }
}

/// A 签到表 of `n` invitees of a plenary: some answered 参加, some 请假 with a reason, some not.
fn sign_in_fields(n: usize) -> Value {
    let Value::Array(people) = roster_fields(n)["rows"].take() else {
        return Value::Null;
    };
    let rows: Vec<Value> = people
        .into_iter()
        .enumerate()
        .map(|(i, p)| match i % 5 {
            0 | 1 | 3 => json!({"person_name": p["person_name"], "unit_name": p["unit_name"], "post_label": p["post_label"], "answer": "attend"}),
            2 => json!({"person_name": p["person_name"], "unit_name": p["unit_name"], "post_label": p["post_label"], "answer": "leave", "reason": "出差在外，无法参会"}),
            _ => json!({"person_name": p["person_name"], "unit_name": p["unit_name"], "post_label": p["post_label"], "answer": null}),
        })
        .collect();
    let count = |a: Option<&str>| rows.iter().filter(|r| r["answer"].as_str() == a).count();
    json!({
        "meeting_name": format!("{ALLIANCE}2026年全体会议"),
        "starts_at_zh": "二〇二六年十二月十日（星期四）上午9:00",
        "location": "北京市西城区三里河路46号机械工业教育发展中心第一会议室",
        "counts": {"invitees": rows.len(), "attend": count(Some("attend")), "leave": count(Some("leave")), "unanswered": count(None)},
        "rows": rows,
    })
}

/// A 会议通知's own fields (its sample is long: a whole agenda).
fn meeting_notice_fields() -> Value {
    json!({
        "person_name": "王志刚",
        "title": format!("关于召开{ALLIANCE}\n2026年全体会议的通知"),
        "meeting_name": format!("{ALLIANCE}2026年全体会议"),
        "purpose": "为总结技工联盟2026年度工作，部署2027年度重点任务",
        "starts_at_zh": "二〇二六年十二月十日（星期四）上午9:00",
        "location": "北京市西城区三里河路46号机械工业教育发展中心第一会议室",
        "agenda": [
            "审议技工联盟2026年度工作报告",
            "发布技工联盟2027年度工作计划",
            "确定调整、增补技工联盟理事及各专业建设协作组成员",
            "研究其他有关事项",
        ],
        "attendees": "技工联盟理事长、副理事长、秘书长、副秘书长、理事及专家委员会委员",
        "reply_by_zh": zh(2026, 12, 3),
        "contact_name": "孙丽",
        "contact_phone": "010-12345678",
    })
}

/// A roster of `n` people with plausible names, units and posts.
fn roster_fields(n: usize) -> Value {
    const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙"];
    const GIVEN: [&str; 12] = [
        "志刚", "建国", "晓燕", "文博", "海燕", "丽华", "国强", "明", "静", "堃", "喆", "镕",
    ];
    const UNITS: [&str; 6] = [
        "浙江机电技师学院",
        "河南工业技师学院",
        "江苏省常州技师学院",
        "广州市机电技师学院",
        "中国机械工业集团有限公司",
        "机械工业仪器仪表综合技术经济研究所",
    ];
    const JOBS: [&str; 4] = ["校长", "副校长", "系主任", "总工程师"];
    const TITLES: [&str; 3] = ["正高级", "副高级", "正高级"];
    let rows: Vec<Value> = (0..n)
        .map(|i| {
            let post = match i {
                0 => "理事长",
                1..=4 => "副理事长",
                5 => "秘书长",
                6..=7 => "副秘书长",
                _ => "理事",
            };
            json!({
                "person_name": format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[(i / SURNAMES.len() + i) % GIVEN.len()]),
                "unit_name": UNITS[i % UNITS.len()],
                "post_label": post,
                "job_title": JOBS[i % JOBS.len()],
                "title_label": TITLES[i % TITLES.len()],
                "term_zh": "2026.11—2030.11",
            })
        })
        .collect();
    json!({
        "body_name": format!("{ALLIANCE}理事会"),
        "term_label": "第二届",
        "as_of_zh": zh(2026, 11, 24),
        "rows": rows,
    })
}
