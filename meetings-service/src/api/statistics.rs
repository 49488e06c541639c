//! `GET /statistics/attendance?body_id=&year=`: attendance rates per body and per person for a
//! work year, for the annual report. Held activities only (cancelled ones and those without
//! attendance recorded are left out).

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use service_kit::clock::today;
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use super::{access, work_year_bounds};
use crate::app::attendance as app;
use crate::domain::attendance::AttendanceStatus;
use crate::domain::replies::ReplyAnswer;
use crate::settings::MeetingsConfig;

/// 出席统计的查询条件。The query of the attendance statistics.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// 只统计该机构；省略时统计全部机构（仅限机械工业教育发展中心和接入系统）。One body; all bodies when absent (the Center and services only).
    pub body_id: Option<i64>,
    /// 工作年度；省略时为当前工作年度。Work year (工作年度); the current one when absent.
    #[param(minimum = 1900, maximum = 2200)]
    pub year: Option<i32>,
}

/// 出席与回执计数。Attendance and reply counts.
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct Counts {
    /// 已举行活动的受邀人次。Invitations at held activities.
    pub invited: i64,
    /// 出席人次。Present.
    pub present: i64,
    /// 请假人次。Excused (请假).
    pub excused: i64,
    /// 缺席人次（无故不参加）。Absent (unexcused).
    pub absent: i64,
    /// 尚未登记出席情况的人次。Not recorded yet.
    pub not_recorded: i64,
    /// 出席率：出席 / 受邀，0–1，保留四位小数；无人受邀时为 null。present / invited, 0–1 with four decimals; null when nobody was invited.
    pub rate: Option<f64>,
    /// 通过会议通知回执回复（参加或请假）的人次。Invitations answered from the notice (回执: 参加 or 请假), and of them 请假.
    pub replied: i64,
    /// 其中回复请假的人次。Of the replies, those asking for leave (请假).
    pub leave_replies: i64,
    /// 回执率：已回复 / 受邀，0–1，保留四位小数；无人受邀时为 null。replied / invited, 0–1 with four decimals; null when nobody was invited.
    pub reply_rate: Option<f64>,
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
}

impl Counts {
    fn add(&mut self, status: Option<AttendanceStatus>, reply: Option<ReplyAnswer>) {
        self.invited += 1;
        if let Some(r) = reply {
            self.replied += 1;
            if r == ReplyAnswer::Leave {
                self.leave_replies += 1;
            }
        }
        match status {
            Some(AttendanceStatus::Present) => self.present += 1,
            Some(AttendanceStatus::Excused) => self.excused += 1,
            Some(AttendanceStatus::Absent) => self.absent += 1,
            None => self.not_recorded += 1,
        }
    }

    fn finish(&mut self) {
        self.rate = ratio(self.present, self.invited);
        self.reply_rate = ratio(self.replied, self.invited);
    }
}

/// 某机构的出席统计（含 `Counts` 的各项计数）。A body's statistics (with the counts of `Counts`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BodyStatistics {
    /// 机构编号。The body's id.
    pub body_id: i64,
    /// 机构名称。The body's name.
    pub body_name: String,
    /// 已举行的活动数。Activities held.
    pub activities_held: i64,
    #[serde(flatten)]
    pub counts: Counts,
}

/// 某人在某机构聘任下的出席统计（含 `Counts` 的各项计数）。A person's statistics in one appointment (with the counts of `Counts`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonStatistics {
    /// 机构编号。The body's id.
    pub body_id: i64,
    /// 聘任记录编号。The appointment's id.
    pub appointment_id: i64,
    /// 人员编号。The person's id.
    pub person_id: i64,
    /// 姓名。The person's name.
    pub person_name: String,
    /// 所在单位名称。The unit's name.
    pub unit_name: String,
    /// 职务的中文名称。The post's Chinese label.
    pub post_label: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// 一个工作年度的出席统计，供年度工作报告使用。The attendance statistics of a work year, for the annual report.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"work_year": 2026, "from": "2026-01-01", "to": "2026-12-31",
    "bodies": [{"body_id": 4, "body_name": "数控技术专业建设协作组", "activities_held": 3, "invited": 9, "present": 6, "excused": 1, "absent": 2, "not_recorded": 0, "rate": 0.6667,
        "replied": 7, "leave_replies": 1, "reply_rate": 0.7778}],
    "people": [{"body_id": 4, "appointment_id": 12, "person_id": 7, "person_name": "张伟", "unit_name": "天津市机电工艺技师学院", "post_label": "委员",
        "invited": 3, "present": 1, "excused": 0, "absent": 2, "not_recorded": 0, "rate": 0.3333,
        "replied": 1, "leave_replies": 0, "reply_rate": 0.3333}]}))]
pub struct AttendanceStatistics {
    /// 工作年度。The work year.
    pub work_year: i32,
    /// 工作年度的第一天。The work year's first day.
    pub from: NaiveDate,
    /// 工作年度的最后一天。The work year's last day.
    pub to: NaiveDate,
    /// 各机构的统计。Per body.
    pub bodies: Vec<BodyStatistics>,
    /// 各人员（按聘任）的统计。Per person and appointment.
    pub people: Vec<PersonStatistics>,
}

/// 出席统计 · Attendance statistics of a work year.
///
/// 一个工作年度内各机构、各人员的出席率，以及会议通知的回执情况：回复人次、请假人次和回执率，供年度工作报告使用。只统计已举行的活动（已取消和未登记出席情况的活动不计）。协作组秘书只能统计本协作组；`year` 超出 1900–2200 时返回 400（`invalid_query`）。
///
/// Attendance rate per body and per person in a work year, with the replies to the notices
/// (回执): how many invitations were answered, how many asked for leave (请假), the reply rate.
#[utoipa::path(get, path = "/api/v1/meetings/statistics/attendance", tag = "attendance", params(StatisticsQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary:own_group", "service:meetings:read"]))),
    responses((status = 200, body = AttendanceStatistics),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn attendance_statistics(
    caller: Caller,
    q: web::Query<StatisticsQuery>,
    db: web::Data<Db>,
    config: web::Data<MeetingsConfig>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    access::read_statistics(&caller, q.body_id)?;
    let ws = config.work_year;
    let year = q.year.unwrap_or_else(|| ws.work_year_of(today()));
    let (from, to) = work_year_bounds(ws, year)?;
    let held = app::held_between(&db, from, to, q.body_id).await?;
    let (bodies, people) = tally(held);
    Ok(HttpResponse::Ok().json(AttendanceStatistics {
        work_year: year,
        from,
        to,
        bodies,
        people,
    }))
}

/// Counts per body and per person, each with its rate.
fn tally(held: app::Held) -> (Vec<BodyStatistics>, Vec<PersonStatistics>) {
    let mut bodies: BTreeMap<i64, (BodyStatistics, Vec<i64>)> = BTreeMap::new();
    let mut people: BTreeMap<(i64, i64), PersonStatistics> = BTreeMap::new();
    for r in held.invitations {
        let of = |a: i64, p: i64| a == r.activity_id && p == r.appointment_id;
        let status = held.marks.iter().find(|(a, p, _)| of(*a, *p)).map(|(_, _, s)| *s);
        let reply = held.replies.iter().find(|(a, p, _)| of(*a, *p)).map(|(_, _, x)| *x);
        let (b, seen) = bodies.entry(r.body_id).or_insert_with(|| {
            (
                BodyStatistics {
                    body_id: r.body_id,
                    body_name: r.body_name.clone(),
                    activities_held: 0,
                    counts: Counts::default(),
                },
                Vec::new(),
            )
        });
        if !seen.contains(&r.activity_id) {
            seen.push(r.activity_id);
            b.activities_held += 1;
        }
        b.counts.add(status, reply);
        people
            .entry((r.body_id, r.appointment_id))
            .or_insert_with(|| PersonStatistics {
                body_id: r.body_id,
                appointment_id: r.appointment_id,
                person_id: r.person_id,
                person_name: r.person_name,
                unit_name: r.unit_name,
                post_label: r.post_label,
                counts: Counts::default(),
            })
            .counts
            .add(status, reply);
    }
    let bodies = bodies
        .into_values()
        .map(|(mut b, _)| {
            b.counts.finish();
            b
        })
        .collect();
    let people = people
        .into_values()
        .map(|mut p| {
            p.counts.finish();
            p
        })
        .collect();
    (bodies, people)
}
