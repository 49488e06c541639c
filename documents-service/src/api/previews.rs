//! `POST /documents/previews`: render a template with sample data (optionally overridden) for
//! administrators, without issuing anything.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::Value;
use service_kit::{ApiError, Caller, Problem, Role};
use utoipa::ToSchema;

pub use super::SharedRenderer;
use crate::app::previews;
use crate::domain::kinds::DocumentKind;

/// 模板预览请求：以示例数据（可部分替换）生成 PDF，不签发。A template preview: the sample data, optionally overridden; nothing is issued.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "appointment_certificate", "data": {"person_name": "欧阳堃", "unit_name": "天津市机电工艺技师学院",
    "body_name": "机械行业技工院校高水平专业建设联盟理事会", "post_label": "理事", "term_label": "第二届"}}))]
pub struct PreviewRequest {
    /// 要预览的文件类型（聘书、解聘通知书、会议通知等）。The kind of document to preview.
    pub kind: DocumentKind,
    /// 替换示例数据的字段（各模板的字段见 README）。Fields that replace the sample data's (see the template's fields in the README).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub data: Value,
}

/// 模板预览 · Render a template with sample data.
///
/// 用示例数据渲染模板并返回 PDF（仅限管理员），可用 `data` 替换部分字段；不签发、不保存。含有字体无法打印的字符时返回 422。
///
/// Render a template with sample data (administrators); the PDF is not stored.
#[utoipa::path(post, path = "/api/v1/documents/previews", tag = "documents", request_body = PreviewRequest,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, description = "PDF 文件 · application/pdf", content_type = "application/pdf"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "含有字体无法打印的字符 · Characters the fonts cannot print", body = Problem, content_type = "application/problem+json")))]
pub async fn preview(
    caller: Caller,
    body: service_kit::json::Json<PreviewRequest>,
    renderer: web::Data<SharedRenderer>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let req = body.into_inner();
    let pdf = previews::preview(renderer.get_ref().clone(), req.kind, req.data).await?;
    Ok(HttpResponse::Ok().content_type("application/pdf").body(pdf))
}
