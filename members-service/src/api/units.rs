//! Units (单位): `GET/POST /units`, `GET/PATCH /units/{id}`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::app::units::{self as app, Unit, UnitInput};
use crate::db::units::UnitQuery;
use crate::domain::people::UnitKind;

/// 新单位（由秘书处登记）：名称不可重复；地址、单位联系人及其电子邮箱、联系电话可不填。
/// A new unit (registered by the Center): the name is unique; the address and the contact's
/// name, e-mail and phone may be left out.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "天津市机电工艺技师学院", "kind": "technical_school", "address": "天津市河西区",
    "contact_name": "王芳", "contact_email": "wangfang@example.edu.cn", "contact_phone": "022-12345678"}))]
pub struct NewUnit {
    /// 单位全称，1–100 个字符，不可与已有单位重名，如 天津市机电工艺技师学院。
    /// The unit's full name, 1–100 characters, unique.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// 单位类型：technical_school（技工院校）、enterprise（企业）、research_institute（科研院所）、
    /// industry_organization（行业组织）或 center（机械工业教育发展中心）。The kind of unit.
    pub kind: UnitKind,
    /// 单位地址，至多 200 个字符。The address, at most 200 characters.
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub address: Option<String>,
    /// 单位联系人姓名，至多 200 个字符。The contact person's name, at most 200 characters.
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub contact_name: Option<String>,
    /// 单位联系人的电子邮箱（通知、解聘通知书等发往此地址）。
    /// The contact's e-mail address (notices to the unit go there).
    #[schema(
        max_length = 254,
        pattern = r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}|[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){1,2})@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
    )]
    pub contact_email: Option<String>,
    /// 单位联系电话：手机号或带区号的固定电话（可带分机号），如 022-12345678。
    /// The contact's phone: a mobile number or a landline with its area code (an extension allowed).
    #[schema(pattern = r"^(\+86 ?)?(1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8})([#转][0-9]{1,6})?$")]
    pub contact_phone: Option<String>,
}

/// 修改单位：只改给出的字段，未给出的保持不变；`null` 清除地址或联系方式。名称和类型只有秘书处可改，
/// 单位联系人可改本单位的地址和联系方式。
/// A change to a unit: only the fields given change; `null` clears the address or a contact field.
/// Only the Center may change the name and kind; a unit's contact may change its address and contact.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"contact_name": "李建国", "contact_email": "lijianguo@example.edu.cn", "contact_phone": "022-28123456"}))]
pub struct UnitPatch {
    /// 新的单位全称，1–100 个字符，不可重名（仅秘书处）。The new name, 1–100 characters, unique (the Center only).
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    /// 新的单位类型（仅秘书处）。The new kind (the Center only).
    pub kind: Option<UnitKind>,
    /// 新地址，至多 200 个字符；`null` 清除。The new address, at most 200 characters; `null` clears it.
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$")]
    pub address: Option<Option<String>>,
    /// 新的单位联系人姓名，至多 200 个字符；`null` 清除。The new contact's name; `null` clears it.
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$")]
    pub contact_name: Option<Option<String>>,
    /// 新的联系人电子邮箱；`null` 清除。The new contact e-mail; `null` clears it.
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, max_length = 254, pattern = r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}|[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){1,2})@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")]
    pub contact_email: Option<Option<String>>,
    /// 新的联系电话（手机号或带区号的固定电话）；`null` 清除。The new contact phone; `null` clears it.
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^(\+86 ?)?(1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8})([#转][0-9]{1,6})?$")]
    pub contact_phone: Option<Option<String>>,
}

/// 单位列表的筛选条件。How the list of units is filtered.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitFilter {
    /// 只列此类型的单位。Only units of this kind.
    pub kind: Option<UnitKind>,
    /// true 只列理事单位，false 只列其他单位。Only council member units (true) or only the others (false).
    pub council_member: Option<bool>,
    /// 单位名称中的一部分，如 技师学院。Part of the name.
    pub q: Option<String>,
}

/// 单位列表 · List units.
///
/// 分页列出单位，可按单位类型（`kind`）、是否理事单位（`council_member`）和名称（`q`）筛选。
/// 理事单位指其人员中有人在理事会任职的单位。单位联系人姓名、电子邮箱和联系电话只对秘书处、
/// 本单位联系人和有 `members:personal_data` 权限的服务客户端显示，对其他调用者为 null。
///
/// Units; filter by kind, council membership and name.
#[utoipa::path(get, path = "/api/v1/members/units", tag = "units", params(UnitFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:members:read"]))),
    responses((status = 200, body = Page<Unit>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<UnitFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::read_directory(&caller)?;
    let w = page.window()?;
    let f = filter.into_inner();
    let q = UnitQuery {
        kind: f.kind,
        council_member: f.council_member,
        q: f.q,
    };
    let units = db.run(move |c| app::list(c, &caller, &q, w)).await?;
    Ok(HttpResponse::Ok().json(units))
}

/// 登记单位 · Register a unit.
///
/// 秘书处登记一个新单位（技工院校、企业、科研院所、行业组织或机械工业教育发展中心）。
/// 名称已被其他单位使用时答 409；名称、地址过长、含不可打印字符，或电子邮箱、电话格式不对时答 422，
/// 并逐项列出出错的字段。
///
/// Register a unit (the Center).
#[utoipa::path(post, path = "/api/v1/members/units", tag = "units", request_body = NewUnit,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 201, body = Unit),
        (status = 409, description = "单位名称已被占用 · Name taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body: Json<NewUnit>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::admin(&caller)?;
    let b = body.into_inner();
    let u = UnitInput {
        name: Some(b.name),
        kind: Some(b.kind),
        address: Some(b.address),
        contact_name: Some(b.contact_name),
        contact_email: Some(b.contact_email),
        contact_phone: Some(b.contact_phone),
    };
    app::validate(&u)?;
    let unit = db.write(move |c| app::create(c, &caller, b.kind, u)).await?;
    Ok(HttpResponse::Created().json(unit))
}

/// 查看单位 · One unit.
///
/// 按编号读取一个单位，含是否理事单位；单位联系人及其联系方式的可见范围同单位列表。
///
/// One unit.
#[utoipa::path(get, path = "/api/v1/members/units/{id}", tag = "units", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact", "member", "service:members:read"]))),
    responses((status = 200, body = Unit), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::read_directory(&caller)?;
    let id = id.into_inner();
    let unit = db.run(move |c| app::get(c, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(unit))
}

/// 修改单位 · Change a unit.
///
/// 秘书处或本单位的单位联系人修改单位信息，只改给出的字段。名称和类型只有秘书处可改，
/// 单位联系人改名称或类型答 403，改其他单位也答 403。新名称已被占用答 409，字段不合要求答 422。
///
/// Change a unit (the Center, or the unit's own contact).
#[utoipa::path(patch, path = "/api/v1/members/units/{id}", tag = "units", params(("id" = i64, Path)), request_body = UnitPatch,
    extensions(("x-roles" = json!(["admin", "unit_contact:own_unit", "service:members:write"]))),
    responses((status = 200, body = Unit), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "单位名称已被占用 · Name taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    caller: Caller,
    id: web::Path<i64>,
    body: Json<UnitPatch>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    access::manage_unit(&caller, id)?;
    let p = body.into_inner();
    if p.kind.is_some() || p.name.is_some() {
        access::admin(&caller)?;
    }
    let u = UnitInput {
        name: p.name,
        kind: p.kind,
        address: p.address,
        contact_name: p.contact_name,
        contact_email: p.contact_email,
        contact_phone: p.contact_phone,
    };
    app::validate(&u)?;
    let unit = db.write(move |c| app::update(c, &caller, id, u)).await?;
    Ok(HttpResponse::Ok().json(unit))
}
