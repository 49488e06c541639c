//! People: `GET/POST /people`, `GET/PATCH /people/{id}`. Date of birth, e-mail and phone are
//! shown only to the roles that need them (see [`access::sees_personal_data`]).

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use service_kit::json::Json;
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem, Role};
use utoipa::{IntoParams, ToSchema};

use super::access;
use crate::app::people::{self as app, Person, PersonPatch as Patch};
use crate::db::people::PersonQuery;
use crate::domain::hanzi::NameOrder;
use crate::domain::people::{PersonDraft, TitleLevel, UnitKind};

/// 新人员：某单位的一名人员（由秘书处或该单位的单位联系人登记）。
/// A new person, one of a unit's people (registered by the Center or the unit's contact).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "张伟", "unit_id": 3, "job_post": "副校长", "title_level": "senior", "specialty": "数控技术",
    "date_of_birth": "1970-05-01", "email": "zhangwei@example.edu.cn", "phone": "13812345678"}))]
pub struct NewPerson {
    /// 姓名，1–50 个字符，如 张伟。The name, 1–50 characters.
    #[schema(
        max_length = 50,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// 所在单位编号；单位联系人只能登记本单位的人员。The person's unit; a unit contact registers their own unit's people only.
    pub unit_id: i64,
    /// 职务（自由填写），至多 100 个字符，如 副校长、教务处处长；可不填。The job post, free text, e.g. 副校长; may be left out.
    #[serde(default)]
    #[schema(
        max_length = 100,
        pattern = r"^([^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*)?$"
    )]
    pub job_post: String,
    /// 职称级别：senior（正高级）、associate_senior（副高级）、intermediate（中级）、junior（初级）或 none（无）。
    /// The professional title level.
    pub title_level: TitleLevel,
    /// 专业背景，至多 100 个字符，如 数控技术；可不填。The specialty background, e.g. 数控技术; may be left out.
    #[serde(default)]
    #[schema(
        max_length = 100,
        pattern = r"^([^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*)?$"
    )]
    pub specialty: String,
    /// 出生日期（个人信息），1900-01-01 至今天；用于核对年龄一般不超过60周岁（R9）。
    /// The date of birth (personal data), 1900-01-01 to today; R9 checks the age with it.
    pub date_of_birth: Option<NaiveDate>,
    /// 电子邮箱（个人信息），聘书等文件发往此地址。The e-mail address (personal data); certificates are sent there.
    #[schema(
        max_length = 254,
        pattern = r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}|[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){1,2})@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
    )]
    pub email: Option<String>,
    /// 联系电话（个人信息）：手机号或带区号的固定电话（可带分机号）。
    /// The phone (personal data): a mobile number or a landline with its area code.
    #[schema(pattern = r"^(\+86 ?)?(1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8})([#转][0-9]{1,6})?$")]
    pub phone: Option<String>,
}

/// 修改人员：只改给出的字段；`null` 清除出生日期、电子邮箱或联系电话。成员本人只能改自己的电子邮箱和联系电话。
/// A change to a person: only the fields given change; `null` clears the date of birth, e-mail or
/// phone. A member may change only their own e-mail and phone.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"job_post": "教务处处长", "title_level": "associate_senior", "phone": "13912345678"}))]
pub struct PersonPatch {
    /// 新姓名，1–50 个字符。The new name, 1–50 characters.
    #[schema(
        max_length = 50,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    /// 调往的新单位；单位联系人须同时是原单位和新单位的联系人。The new unit; a unit contact needs to be the contact of both units.
    pub unit_id: Option<i64>,
    /// 新职务，至多 100 个字符，如 副院长。The new job post, e.g. 副院长.
    #[schema(
        max_length = 100,
        pattern = r"^([^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*)?$"
    )]
    pub job_post: Option<String>,
    /// 新的职称级别。The new title level.
    pub title_level: Option<TitleLevel>,
    /// 新的专业背景，至多 100 个字符。The new specialty background.
    #[schema(
        max_length = 100,
        pattern = r"^([^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*)?$"
    )]
    pub specialty: Option<String>,
    /// 新的出生日期；`null` 清除。The new date of birth; `null` clears it.
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub date_of_birth: Option<Option<NaiveDate>>,
    /// 新的电子邮箱；`null` 清除。成员本人可改。The new e-mail; `null` clears it. Members may change their own.
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, max_length = 254, pattern = r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}|[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){1,2})@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")]
    pub email: Option<Option<String>>,
    /// 新的联系电话；`null` 清除。成员本人可改。The new phone; `null` clears it. Members may change their own.
    #[serde(default, deserialize_with = "service_kit::patch::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^(\+86 ?)?(1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8})([#转][0-9]{1,6})?$")]
    pub phone: Option<Option<String>>,
}

/// 人员列表的筛选与排序。How the list of people is filtered and ordered.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonFilter {
    /// 姓名中的汉字，或姓名的拼音全拼、首字母（不分大小写，可带空格），如 建国、zhangwei、zw、shan（单姓）。
    /// Characters of the name, or its full pinyin or initials (any case, spaces allowed).
    pub q: Option<String>,
    /// 只列此单位的人员。Only this unit's people.
    pub unit_id: Option<i64>,
    /// 所在单位的类型，如 technical_school（技工院校）。The kind of the person's unit.
    pub unit_kind: Option<UnitKind>,
    /// 只列此职称级别的人员。Only people of this title level.
    pub title_level: Option<TitleLevel>,
    /// 排序：`id`（默认，登记先后）、`surname_strokes`（姓氏笔画，GB13000.1 字序）、`pinyin`（拼音，姓氏按姓氏读音）。
    /// Order: `id` (default), `surname_strokes` (姓氏笔画, as official name lists), `pinyin`.
    pub sort: Option<NameOrder>,
}

/// 人员列表 · List people.
///
/// 分页列出人员，可按姓名、单位、单位类型和职称级别查找，并可按姓氏笔画或拼音排序（`sort`）。
/// 单位联系人只看到本单位的人员，成员只看到本人。出生日期、电子邮箱和联系电话属个人信息，
/// 只对秘书处、本单位联系人、本人和有 `members:personal_data` 权限的服务客户端显示，对其他调用者省略。
///
/// People; search by name, unit, unit kind and title level. A unit contact sees their unit's
/// people, a member only themselves.
#[utoipa::path(get, path = "/api/v1/members/people", tag = "people", params(PersonFilter, PageQuery),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    responses((status = 200, body = Page<Person>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<PersonFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    access::read_directory(&caller)?;
    let w = page.window()?;
    let f = filter.into_inner();
    let q = PersonQuery {
        q: f.q,
        unit_id: f.unit_id,
        unit_kind: f.unit_kind,
        title_level: f.title_level,
        order: f.sort.unwrap_or_default(),
    };
    let people = db.run(move |c| app::list(c, &caller, &q, w)).await?;
    Ok(HttpResponse::Ok().json(people))
}

/// 登记人员 · Register a person.
///
/// 秘书处或该单位的单位联系人登记一名人员。为其他单位登记答 403；姓名、职务、专业背景过长或含不可打印字符，
/// 出生日期不在 1900-01-01 至今天之间，电子邮箱或电话格式不对，或单位不存在时答 422，并逐项列出出错的字段。
///
/// Register a person (the Center, or the contact of the person's unit).
#[utoipa::path(post, path = "/api/v1/members/people", tag = "people", request_body = NewPerson,
    extensions(("x-roles" = json!(["admin", "unit_contact:own_unit", "service:members:write"]))),
    responses((status = 201, body = Person), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(caller: Caller, body: Json<NewPerson>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let p = body.into_inner();
    access::manage_unit(&caller, p.unit_id)?;
    let valid = app::parse(PersonDraft {
        name: p.name,
        unit_id: p.unit_id,
        job_post: p.job_post,
        title_level: p.title_level,
        specialty: p.specialty,
        date_of_birth: p.date_of_birth,
        email: p.email,
        phone: p.phone,
    })?;
    let person = db.write(move |c| app::create(c, &caller, &valid)).await?;
    Ok(HttpResponse::Created().json(person))
}

/// 查看人员 · One person.
///
/// 按编号读取一名人员。成员只能读本人的记录，单位联系人只能读本单位的人员，否则答 403；
/// 个人信息的可见范围同人员列表。
///
/// One person. Members may read only their own record.
#[utoipa::path(get, path = "/api/v1/members/people/{id}", tag = "people", params(("id" = i64, Path)),
    extensions(("x-roles" = json!(["admin", "group_secretary", "unit_contact:own_unit", "member:own_record", "service:members:read"]))),
    responses((status = 200, body = Person), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(caller: Caller, id: web::Path<i64>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    access::read_directory(&caller)?;
    let id = id.into_inner();
    if caller.role == Role::Member && access::member_person(&caller) != Some(id) {
        return Err(ApiError::forbidden("members may read only their own record"));
    }
    let person = db.run(move |c| app::get(c, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(person))
}

/// 修改人员 · Change a person.
///
/// 秘书处或其单位的单位联系人修改人员信息，只改给出的字段；成员本人只能改自己的电子邮箱和联系电话，
/// 改其他字段或他人记录答 403。字段不合要求答 422。
///
/// Change a person (the Center or their unit's contact; a member may change their own e-mail
/// and phone).
#[utoipa::path(patch, path = "/api/v1/members/people/{id}", tag = "people", params(("id" = i64, Path)), request_body = PersonPatch,
    extensions(("x-roles" = json!(["admin", "unit_contact:own_unit", "member:own_record", "service:members:write"]))),
    responses((status = 200, body = Person), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    caller: Caller,
    id: web::Path<i64>,
    body: Json<PersonPatch>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    access::change_person(&caller, id)?;
    let p = body.into_inner();
    let patch = Patch {
        name: p.name,
        unit_id: p.unit_id,
        job_post: p.job_post,
        title_level: p.title_level,
        specialty: p.specialty,
        date_of_birth: p.date_of_birth,
        email: p.email,
        phone: p.phone,
    };
    let person = db.write(move |c| app::update(c, &caller, id, patch)).await?;
    Ok(HttpResponse::Ok().json(person))
}
