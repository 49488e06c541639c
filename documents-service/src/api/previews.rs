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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "appointment_certificate", "data": {"person_name": "欧阳堃"}}))]
pub struct PreviewRequest {
    pub kind: DocumentKind,
    /// Fields that replace the sample data's (see the template's fields in the README).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub data: Value,
}

/// Render a template with sample data (administrators); the PDF is not stored.
#[utoipa::path(post, path = "/api/v1/documents/previews", tag = "documents", request_body = PreviewRequest,
    extensions(("x-roles" = json!(["admin"]))),
    responses((status = 200, description = "application/pdf", content_type = "application/pdf"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Characters the fonts cannot print", body = Problem, content_type = "application/problem+json")))]
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
