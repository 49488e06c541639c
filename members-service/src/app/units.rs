//! Units (单位): registering, changing and listing them, with whether each is a council member
//! unit (理事单位) and its contact details for those who may see them.

use chrono::{NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, Window};
use service_kit::{ApiError, Caller, Code, DbConn, FieldError};
use utoipa::ToSchema;

use super::access;
use crate::db::audit::{self, Change, snapshot};
use crate::db::models::{NewUnitRow, UnitChanges, UnitRow};
use crate::db::units::{self, UnitQuery};
use crate::domain::audit::AuditAction;
use crate::domain::people::{UnitKind, check_phone, check_text};
use crate::domain::values::Email;

/// 一个单位（单位）：技工院校、企业、科研院所、行业组织或机械工业教育发展中心。
/// A unit: a technical school, an enterprise, a research institute, an industry organization or the Center.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 3, "name": "天津市机电工艺技师学院", "kind": "technical_school", "kind_label": "技工院校",
    "address": "天津市河西区", "contact_name": "王芳", "contact_email": "wangfang@example.edu.cn", "contact_phone": "022-12345678",
    "council_member": true, "created_at": "2026-11-24T08:00:00", "updated_at": "2026-11-24T08:00:00"}))]
pub struct Unit {
    /// 单位编号。The unit's id.
    pub id: i64,
    /// 单位全称。The unit's full name.
    pub name: String,
    /// 单位类型。The kind of unit.
    pub kind: UnitKind,
    /// 单位类型的中文名称，如 技工院校。The kind's Chinese label.
    pub kind_label: String,
    /// 地址。The address.
    pub address: Option<String>,
    /// 单位联系人：与其电子邮箱、电话一样，只对秘书处、本单位联系人和有 `members:personal_data` 权限的客户端显示（对其他调用者为 null）。
    /// The contact person: like the e-mail and phone, shown to the Center, the unit's contact and
    /// clients with `members:personal_data` (null to others).
    pub contact_name: Option<String>,
    /// 单位联系人的电子邮箱：只对秘书处、本单位联系人和有 `members:personal_data` 权限的客户端显示。
    /// Shown to the Center, the unit's contact and clients with `members:personal_data`.
    pub contact_email: Option<String>,
    /// 单位联系电话：可见范围同电子邮箱。The contact phone, shown to the same callers as the e-mail.
    pub contact_phone: Option<String>,
    /// 是否理事单位：其人员中有人在理事会在任。理事单位: one of its people holds an active council post.
    pub council_member: bool,
    /// 登记时间（UTC）。When it was registered (UTC).
    #[serde(with = "service_kit::utc")]
    pub created_at: NaiveDateTime,
    /// 最后修改时间（UTC）。When it was last changed (UTC).
    #[serde(with = "service_kit::utc")]
    pub updated_at: NaiveDateTime,
}

/// A unit's fields as a request gives them (`None`: not given; `Some(None)`: cleared).
#[derive(Debug)]
pub struct UnitInput {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    pub address: Option<Option<String>>,
    pub contact_name: Option<Option<String>>,
    pub contact_email: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
}

/// The field checks of a new unit or a change (absent fields are not checked).
pub fn validate(u: &UnitInput) -> Result<(), ApiError> {
    let mut errors: Vec<FieldError> = Vec::new();
    if let Some(n) = &u.name {
        check_text("name", n, 100, &mut errors);
    }
    for (field, v) in [("address", &u.address), ("contact_name", &u.contact_name)] {
        if let Some(Some(v)) = v {
            check_text(field, v, 200, &mut errors);
        }
    }
    if let Some(Some(e)) = &u.contact_email {
        Email::parse("contact_email", e, &super::edge::context(), &mut errors);
    }
    if let Some(Some(p)) = &u.contact_phone {
        check_phone("contact_phone", p, &mut errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

fn to_units(c: &mut DbConn, rows: Vec<UnitRow>, caller: &Caller) -> Result<Vec<Unit>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let members = units::council_member_units(c, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let private = access::sees_unit_contact(caller, r.id);
            Unit {
                id: r.id,
                council_member: members.contains(&r.id),
                name: r.name,
                kind: r.kind,
                kind_label: r.kind.label_zh().into(),
                address: r.address,
                contact_name: if private { r.contact_name } else { None },
                contact_email: if private { r.contact_email } else { None },
                contact_phone: if private { r.contact_phone } else { None },
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect())
}

fn to_unit(c: &mut DbConn, row: UnitRow, caller: &Caller) -> Result<Unit, ApiError> {
    to_units(c, vec![row], caller)?
        .pop()
        .ok_or_else(|| ApiError::internal("unit vanished"))
}

pub fn list(c: &mut DbConn, caller: &Caller, f: &UnitQuery, w: Window) -> Result<Page<Unit>, ApiError> {
    let page = units::list(c, f, w)?;
    let items = to_units(c, page.items, caller)?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

pub fn get(c: &mut DbConn, caller: &Caller, id: i64) -> Result<Unit, ApiError> {
    let row = units::find(c, id)?;
    to_unit(c, row, caller)
}

/// Registers a unit of `kind` (validated already: `u.name` is given); its name is unique.
pub fn create(c: &mut DbConn, caller: &Caller, kind: UnitKind, u: UnitInput) -> Result<Unit, ApiError> {
    let now = Utc::now().naive_utc();
    let name = u.name.as_deref().unwrap_or_default().trim().to_owned();
    if units::name_taken(c, &name)? {
        return Err(ApiError::conflict(
            Code::UnitNameTaken,
            format!("a unit named {name} exists"),
        ));
    }
    let row = units::insert(
        c,
        &NewUnitRow {
            name,
            kind,
            address: u.address.flatten(),
            contact_name: u.contact_name.flatten(),
            contact_email: u.contact_email.flatten(),
            contact_phone: u.contact_phone.flatten(),
            created_at: now,
            updated_at: now,
        },
    )?;
    audit::created(c, caller, "unit", row.id, &row)?;
    to_unit(c, row, caller)
}

/// Changes a unit (validated and authorised already) in one statement, audited.
pub fn update(c: &mut DbConn, caller: &Caller, id: i64, u: UnitInput) -> Result<Unit, ApiError> {
    let before = units::find(c, id)?;
    let after = units::update(
        c,
        id,
        &UnitChanges {
            name: u.name.map(|n| n.trim().to_owned()),
            kind: u.kind,
            address: u.address,
            contact_name: u.contact_name,
            contact_email: u.contact_email,
            contact_phone: u.contact_phone,
            updated_at: Some(Utc::now().naive_utc()),
        },
    )?;
    audit::record(
        c,
        caller,
        Change {
            action: AuditAction::Update,
            entity: "unit",
            entity_id: id,
            before: snapshot(&before),
            after: snapshot(&after),
            reason: None,
        },
    )?;
    to_unit(c, after, caller)
}
