//! Previews: a template rendered with sample data, nothing issued.

use std::sync::Arc;

use serde_json::Value;
use service_kit::{ApiError, Code};

use super::issuing::{DocumentRenderer, check_glyphs};
use crate::domain::kinds::DocumentKind;
use crate::render::sample_data;

/// The PDF of `kind` with its sample data, `data`'s fields replacing the sample's.
pub async fn preview(
    renderer: Arc<dyn DocumentRenderer>,
    kind: DocumentKind,
    data: Value,
) -> Result<Vec<u8>, ApiError> {
    let mut sample = sample_data(kind);
    match (&mut sample, data) {
        (Value::Object(base), Value::Object(extra)) => base.extend(extra),
        (_, Value::Null) => {}
        _ => return Err(ApiError::unprocessable(Code::InvalidBody, "data must be a JSON object")),
    }
    check_glyphs(&*renderer, &sample)?;
    actix_web::web::block(move || renderer.render(kind, &sample))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::unprocessable(Code::RenderFailed, format!("the template could not be rendered: {e}")))
}
