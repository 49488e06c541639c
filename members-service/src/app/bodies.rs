//! Bodies (the council, the expert committee, the groups) with their posts, holders and
//! vacancies (R2), and their terms (届, R3).

use chrono::{NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, Caller, Code, DbConn, FieldError};
use utoipa::ToSchema;

use super::appointing::{body, term_dates};
use crate::clock;
use crate::db::audit;
use crate::db::models::{BodyRow, NewTermRow, TermRow};
use crate::db::{appointments, bodies, terms};
use crate::domain::bodies::BodyKind;
use crate::domain::people::check_text;
use crate::domain::posts::{Cardinality, FillRoute, Post, posts_of, route};
use crate::domain::terms::{DEFAULT_TERM_YEARS, TermDates, TermError, check_new_term, default_end};

/// 联盟的一个机构：理事会、专家委员会或某个专业建设协作组。
/// A body of the alliance: the council, the expert committee or a collaboration group.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 1, "kind": "council", "kind_label": "理事会", "name": "理事会", "specialty": null, "created_at": "2026-11-24T08:00:00"}))]
pub struct Body {
    /// 机构编号。The body's id.
    pub id: i64,
    /// 机构类型。The kind of body.
    pub kind: BodyKind,
    /// 机构类型的中文名称，如 理事会。The kind's Chinese label.
    pub kind_label: String,
    /// 机构名称，如 数控技术专业建设协作组。The body's name.
    pub name: String,
    /// 协作组对应的专业，如 数控技术；理事会和专家委员会为空。The group's specialty; none for the council and the committee.
    pub specialty: Option<String>,
    /// 建立时间（UTC）。When it was created (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

impl From<BodyRow> for Body {
    fn from(r: BodyRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            kind_label: r.kind.label_zh().to_owned(),
            name: r.name,
            specialty: r.specialty,
            created_at: r.created_at,
        }
    }
}

/// 职务的一名在任者。One active holder of a post.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Holder {
    /// 聘任编号。The appointment.
    pub appointment_id: i64,
    /// 在任者编号。The holder.
    pub person_id: i64,
    /// 在任者姓名。The holder's name.
    pub person_name: String,
    /// 在任者所在单位。The holder's unit.
    pub unit_id: i64,
    /// 单位名称。The unit's name.
    pub unit_name: String,
    /// 聘期开始日期。The first day of the appointment.
    pub starts_on: NaiveDate,
    /// 聘期结束日期。The last day of the appointment.
    pub ends_on: NaiveDate,
}

/// 机构的一个职务：人数限制、产生方式、在任者与是否空缺。
/// A post of a body: its cardinality, how it is filled, its holders and whether it is vacant.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PostSummary {
    /// 职务。The post.
    pub post: Post,
    /// 职务的中文名称，如 主任委员。The post's Chinese label.
    pub label: String,
    /// 人数：exactly_one（限一人，R1）或 many（不限人数）。exactly_one (R1) or many.
    pub cardinality: Cardinality,
    /// 产生方式：nomination（提名聘任）、application_with_election（申报选举）或 group_selection（理事单位选派）。
    /// How the post is filled.
    pub route: FillRoute,
    /// 当前在任者。The active holders.
    pub holders: Vec<Holder>,
    /// 限一人的职务无人在任。An exactly-one post without a holder.
    pub vacant: bool,
}

/// 对一个单位的引用：编号与名称。A unit by id and name.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnitRef {
    /// 单位编号。The unit's id.
    pub id: i64,
    /// 单位名称。The unit's name.
    pub name: String,
}

/// 机构详情：当前届次、各职务及其在任者、是否完整，以及协作组秘书处所在单位。
/// A body in detail: its current term, posts and holders, completeness and (groups) secretariat unit.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BodyDetail {
    /// 机构本身的各字段。The body itself.
    #[serde(flatten)]
    pub body: Body,
    /// 今天所在的届次；尚无届次或两届之间时为空。The term running today; none before the first or between terms.
    pub current_term: Option<Term>,
    /// 按章程顺序列出的各职务。The body's posts, in the charter's order.
    pub posts: Vec<PostSummary>,
    /// 限一人的职务都有人在任（R1）。Every exactly-one post has its holder.
    pub complete: bool,
    /// 协作组：秘书处设在主任委员所在单位（第九条，R2）；没有主任委员时为空。
    /// Groups: the secretariat sits at the director's unit (第九条, R2); none without a director.
    pub secretariat_unit: Option<UnitRef>,
}

/// 机构的一届（任期，R3），原则上四年。A term of a body (R3), four years in principle.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 1, "body_id": 1, "number": 1, "label": "第一届", "starts_on": "2023-04-01", "ends_on": "2027-03-31",
    "lapse_processed_at": null, "created_at": "2026-11-24T08:00:00"}))]
pub struct Term {
    /// 届次编号。The term's id.
    pub id: i64,
    /// 所属机构。The body.
    pub body_id: i64,
    /// 届次号。The term's number.
    pub number: i32,
    /// 届次的中文名称，如 第一届。第N届
    pub label: String,
    /// 本届开始日期。The first day.
    pub starts_on: NaiveDate,
    /// 本届结束日期。The last day.
    pub ends_on: NaiveDate,
    /// 届满作业结束本届未续聘聘任的时间（R6）；尚未处理时为空。
    /// When the lapse job ended this term's non-renewed appointments (R6).
    #[serde(with = "service_kit::utc::option")]
    pub lapse_processed_at: Option<NaiveDateTime>,
    /// 建立时间（UTC）。When it was created (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
}

impl From<TermRow> for Term {
    fn from(t: TermRow) -> Self {
        Self {
            id: t.id,
            body_id: t.body_id,
            number: t.number,
            label: alliance_events::numerals::term_label(i64::from(t.number)),
            starts_on: t.starts_on,
            ends_on: t.ends_on,
            lapse_processed_at: t.lapse_processed_at,
            created_at: t.created_at,
        }
    }
}

pub fn list(c: &mut DbConn, kind: Option<BodyKind>, w: Window) -> Result<Page<Body>, ApiError> {
    Ok(bodies::list(c, kind, w)?.map(Body::from))
}

/// Creates a collaboration group (专业建设协作组, 第九条); its name is unique.
pub fn create_group(c: &mut DbConn, caller: &Caller, name: &str, specialty: &str) -> Result<Body, ApiError> {
    let mut errors: Vec<FieldError> = Vec::new();
    check_text("name", name, 100, &mut errors);
    check_text("specialty", specialty, 100, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let name = name.trim();
    if bodies::name_taken(c, name)? {
        return Err(ApiError::conflict(
            Code::BodyNameTaken,
            format!("a body named {name} exists"),
        ));
    }
    let row = bodies::insert_group(c, name, specialty.trim())?;
    audit::created(c, caller, "body", row.id, &row)?;
    Ok(Body::from(row))
}

/// One body with its posts, holders, vacancies and (groups) secretariat unit.
pub fn detail(c: &mut DbConn, id: i64) -> Result<BodyDetail, ApiError> {
    let (row, kind) = body(c, id)?;
    let current_term = terms::on(c, id, clock::today())?.map(Term::from);
    let held = appointments::active_holders(c, id)?;
    let posts: Vec<PostSummary> = posts_of(kind)
        .iter()
        .map(|(post, card)| {
            let holders: Vec<Holder> = held
                .iter()
                .filter(|h| h.1 == *post)
                .map(|h| Holder {
                    appointment_id: h.0,
                    person_id: h.2,
                    person_name: h.3.clone(),
                    unit_id: h.4,
                    unit_name: h.5.clone(),
                    starts_on: h.6,
                    ends_on: h.7,
                })
                .collect();
            PostSummary {
                post: *post,
                label: post.label_zh().into(),
                cardinality: *card,
                route: route(kind, *post).unwrap_or(FillRoute::Nomination),
                vacant: *card == Cardinality::ExactlyOne && holders.is_empty(),
                holders,
            }
        })
        .collect();
    // 第九条, R2: a group's secretariat sits at its director's unit.
    let secretariat_unit = (kind == BodyKind::Group)
        .then(|| {
            posts
                .iter()
                .find(|p| p.post == Post::Director)
                .and_then(|p| p.holders.first())
                .map(|h| UnitRef {
                    id: h.unit_id,
                    name: h.unit_name.clone(),
                })
        })
        .flatten();
    Ok(BodyDetail {
        complete: posts.iter().all(|p| !p.vacant),
        body: Body::from(row),
        current_term,
        posts,
        secretariat_unit,
    })
}

/// A body's terms, oldest first.
pub fn terms_of(c: &mut DbConn, body_id: i64) -> Result<Vec<Term>, ApiError> {
    body(c, body_id)?;
    Ok(terms::of_body(c, body_id)?.into_iter().map(Term::from).collect())
}

/// What a new term gives: the number and the end may be left to the rules (R3).
pub struct NewTermInput {
    pub number: Option<i32>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// Opens the next term of the council (and with it the expert committee's, 第七条) or of a group.
pub fn open_term(c: &mut DbConn, caller: &Caller, body_id: i64, t: NewTermInput) -> Result<Term, ApiError> {
    let (_, kind) = body(c, body_id)?;
    if kind == BodyKind::ExpertCommittee {
        return Err(ApiError::conflict(
            Code::FollowsCouncilTerms,
            "第七条: the expert committee serves on the council's terms; open a council term instead",
        ));
    }
    let number = match t.number {
        Some(n) => n,
        None => terms::latest(c, body_id)?.map_or(1, |t| t.number + 1),
    };
    let ends_on = match t.ends_on {
        Some(e) => e,
        None => default_end(t.starts_on, DEFAULT_TERM_YEARS).ok_or_else(|| {
            ApiError::validation(vec![FieldError::new("starts_on", Code::InvalidDate, "out of range")])
        })?,
    };
    let dates = TermDates {
        number,
        starts_on: t.starts_on,
        ends_on,
    };
    let row = insert_term(c, caller, body_id, &dates)?;
    if kind == BodyKind::Council {
        let committee = bodies::id_of_kind(c, BodyKind::ExpertCommittee)?;
        insert_term(c, caller, committee, &dates)?;
    }
    Ok(Term::from(row))
}

fn insert_term(c: &mut DbConn, caller: &Caller, body_id: i64, d: &TermDates) -> Result<TermRow, ApiError> {
    let previous = terms::latest(c, body_id)?;
    check_new_term(d, previous.as_ref().map(term_dates).as_ref()).map_err(|e| match e {
        TermError::EndBeforeStart => ApiError::validation(vec![FieldError::new(
            "ends_on",
            Code::EndBeforeStart,
            "must be after starts_on",
        )]),
        TermError::WrongNumber { expected } => ApiError::validation(vec![FieldError::new(
            "number",
            Code::WrongTermNumber,
            format!("the next term is number {expected}"),
        )]),
        TermError::OverlapsPrevious { previous_ends_on } => ApiError::conflict(
            Code::TermOverlap,
            format!("R3: the previous term ends on {previous_ends_on}; the next starts after it"),
        ),
    })?;
    let row = terms::insert(
        c,
        &NewTermRow {
            body_id,
            number: d.number,
            starts_on: d.starts_on,
            ends_on: d.ends_on,
            created_at: Utc::now().naive_utc(),
        },
    )?;
    audit::created(c, caller, "term", row.id, &row)?;
    Ok(row)
}
