//! `POST /documents/previews`: render a template with sample data (optionally overridden) for
//! administrators, without issuing anything.

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::Value;
use service_kit::{ApiError, Caller, Code, Problem, Role};
use utoipa::ToSchema;

use crate::domain::kinds::DocumentKind;
use crate::issuing::{DocumentRenderer, check_glyphs};
use crate::render::sample_data;

pub type SharedRenderer = Arc<dyn DocumentRenderer>;

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
    let mut data = sample_data(req.kind);
    match (&mut data, req.data) {
        (Value::Object(base), Value::Object(extra)) => base.extend(extra),
        (_, Value::Null) => {}
        _ => return Err(ApiError::unprocessable(Code::InvalidBody, "data must be a JSON object")),
    }
    let renderer = renderer.get_ref().clone();
    check_glyphs(&*renderer, &data)?;
    let pdf = web::block(move || renderer.render(req.kind, &data))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::unprocessable(Code::RenderFailed, format!("the template could not be rendered: {e}")))?;
    Ok(HttpResponse::Ok().content_type("application/pdf").body(pdf))
}
