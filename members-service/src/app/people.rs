//! People: registering, changing and listing them; date of birth, e-mail and phone only for
//! the roles that may see them (see [`access::sees_personal_data`]).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, Caller, Code, DbConn, FieldError, Role};
use utoipa::ToSchema;

use super::{access, edge};
use crate::db::Only;
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::PersonRow;
use crate::db::people::{self, PersonQuery};
use crate::db::units;
use crate::domain::audit::AuditAction;
use crate::domain::people::{PersonDraft, TitleLevel, ValidPerson, validate_person};

/// 一名人员；出生日期、电子邮箱和联系电话属个人信息，只对有权查看的角色返回。
/// A person; the date of birth, e-mail and phone are personal data, returned only to roles that may see them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 7, "name": "张伟", "unit_id": 3, "unit_name": "天津市机电工艺技师学院", "job_post": "副校长",
    "title_level": "senior", "title_level_label": "正高级", "specialty": "数控技术", "date_of_birth": "1970-05-01",
    "email": "zhangwei@example.edu.cn", "phone": "13812345678", "created_at": "2026-11-24T08:00:00", "updated_at": "2026-11-24T08:00:00"}))]
pub struct Person {
    /// 人员编号。The person's id.
    pub id: i64,
    /// 姓名。The name.
    pub name: String,
    /// 所在单位。The person's unit.
    pub unit_id: i64,
    /// 单位名称。The unit's name.
    pub unit_name: String,
    /// 职务，自由填写（如 副校长）。职务, free text (e.g. 副校长).
    pub job_post: String,
    /// 职称级别。The professional title level.
    pub title_level: TitleLevel,
    /// 职称级别的中文名称，如 正高级。The title level's Chinese label.
    pub title_level_label: String,
    /// 专业背景。The specialty background.
    pub specialty: String,
    /// 出生日期（个人信息）：只对有权查看的角色返回。Personal data: present only for roles that may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    /// 电子邮箱（个人信息）：只对有权查看的角色返回。Personal data: present only for roles that may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// 联系电话（个人信息）：只对有权查看的角色返回。Personal data: present only for roles that may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 登记时间（UTC）。When it was registered (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
    /// 最后修改时间（UTC）。When it was last changed (UTC).
    #[serde(with = "service_kit::utc")]
    pub updated_at: NaiveDateTime,
}

/// A change of a person as the request gives it (`None`: not given; `Some(None)`: cleared).
#[derive(Debug, Default)]
pub struct PersonPatch {
    pub name: Option<String>,
    pub unit_id: Option<i64>,
    pub job_post: Option<String>,
    pub title_level: Option<TitleLevel>,
    pub specialty: Option<String>,
    pub date_of_birth: Option<Option<NaiveDate>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
}

impl PersonPatch {
    /// Only the e-mail and phone, which members may change on their own record.
    fn contact_only(&self) -> bool {
        self.name.is_none()
            && self.unit_id.is_none()
            && self.job_post.is_none()
            && self.title_level.is_none()
            && self.specialty.is_none()
            && self.date_of_birth.is_none()
    }

    fn merged(self, before: &PersonRow) -> PersonDraft {
        PersonDraft {
            name: self.name.unwrap_or_else(|| before.name.clone()),
            unit_id: self.unit_id.unwrap_or(before.unit_id),
            job_post: self.job_post.unwrap_or_else(|| before.job_post.clone()),
            title_level: self.title_level.unwrap_or(before.title_level),
            specialty: self.specialty.unwrap_or_else(|| before.specialty.clone()),
            date_of_birth: self.date_of_birth.unwrap_or(before.date_of_birth),
            email: self.email.unwrap_or_else(|| before.email.clone()),
            phone: self.phone.unwrap_or_else(|| before.phone.clone()),
        }
    }
}

/// The request's fields checked once: the validated person, or every problem (422).
pub fn parse(draft: PersonDraft) -> Result<ValidPerson, ApiError> {
    validate_person(draft, &edge::context()).map_err(ApiError::validation)
}

pub fn to_people(c: &mut DbConn, rows: Vec<PersonRow>, caller: &Caller) -> Result<Vec<Person>, ApiError> {
    let unit_ids: Vec<i64> = rows.iter().map(|r| r.unit_id).collect();
    let names = units::names(c, &unit_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let private = access::sees_personal_data(caller, r.id, r.unit_id);
            Person {
                id: r.id,
                unit_name: names
                    .iter()
                    .find(|(id, _)| *id == r.unit_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
                name: r.name,
                unit_id: r.unit_id,
                job_post: r.job_post,
                title_level: r.title_level,
                title_level_label: r.title_level.label_zh().into(),
                specialty: r.specialty,
                date_of_birth: if private { r.date_of_birth } else { None },
                email: if private { r.email } else { None },
                phone: if private { r.phone } else { None },
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect())
}

fn to_person(c: &mut DbConn, row: PersonRow, caller: &Caller) -> Result<Person, ApiError> {
    to_people(c, vec![row], caller)?
        .pop()
        .ok_or_else(|| ApiError::internal("person vanished"))
}

fn unknown_unit(unit_id: i64) -> ApiError {
    ApiError::validation(vec![FieldError::new(
        "unit_id",
        Code::UnknownUnit,
        format!("no unit {unit_id}"),
    )])
}

/// Inserts one person (create and the CSV import); checks the unit exists.
pub fn insert(c: &mut DbConn, p: &ValidPerson, actor: &Caller) -> Result<PersonRow, ApiError> {
    units::find(c, p.unit_id).map_err(|_| unknown_unit(p.unit_id))?;
    let row = people::insert(c, p)?;
    audit::created(c, actor, "person", row.id, &row)?;
    Ok(row)
}

/// A unit contact sees their unit's people, a member only themselves.
pub fn list(c: &mut DbConn, caller: &Caller, f: &PersonQuery, w: Window) -> Result<Page<Person>, ApiError> {
    let only = Only {
        unit_id: access::contact_unit(caller),
        person_id: (caller.role == Role::Member).then(|| access::member_person(caller).unwrap_or(-1)),
        body_id: None,
    };
    let page = people::list(c, only, f, w)?;
    let items = to_people(c, page.items, caller)?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

pub fn create(c: &mut DbConn, caller: &Caller, p: &ValidPerson) -> Result<Person, ApiError> {
    let row = insert(c, p, caller)?;
    to_person(c, row, caller)
}

/// One person; a unit contact reads only their unit's people.
pub fn get(c: &mut DbConn, caller: &Caller, id: i64) -> Result<Person, ApiError> {
    let row = people::find(c, id)?;
    if caller.role == Role::UnitContact && access::contact_unit(caller) != Some(row.unit_id) {
        return Err(ApiError::forbidden("unit contacts may read only their unit's people"));
    }
    to_person(c, row, caller)
}

/// Changes a person: the Center or their unit's contact (of both units when moving); a member
/// their own e-mail and phone. The merged record is validated whole, written in one statement.
pub fn update(c: &mut DbConn, caller: &Caller, id: i64, patch: PersonPatch) -> Result<Person, ApiError> {
    let before = people::find(c, id)?;
    let own = access::member_person(caller) == Some(id);
    if !(own && patch.contact_only()) {
        access::manage_unit(caller, before.unit_id)?;
        if let Some(new_unit) = patch.unit_id {
            access::manage_unit(caller, new_unit)?;
        }
    }
    let merged = parse(patch.merged(&before))?;
    if merged.unit_id != before.unit_id {
        units::find(c, merged.unit_id).map_err(|_| unknown_unit(merged.unit_id))?;
    }
    let after = people::update(c, id, &merged)?;
    audit::record(
        c,
        caller,
        Change {
            action: AuditAction::Update,
            entity: "person",
            entity_id: id,
            before: snapshot(&before),
            after: snapshot(&after),
            reason: None,
        },
    )?;
    to_person(c, after, caller)
}

/// Keys every name keyed by an older `KEYS_VERSION` (after the migration that added the keys,
/// or a change of the data), 500 a transaction, while the service already answers: a row not
/// keyed yet sorts first and is not found by pinyin until it is. How many it keyed.
pub fn rekey_all(db: &service_kit::Db) -> Result<usize, ApiError> {
    let mut c = db.get()?;
    let mut total = 0;
    loop {
        match people::rekey_names(&mut c, 500)? {
            0 => return Ok(total),
            n => total += n,
        }
    }
}
