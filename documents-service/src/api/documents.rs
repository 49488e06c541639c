//! `GET /documents`.

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use service_kit::pagination::{Page, PageQuery};
use service_kit::{ApiError, Caller, Db, Problem};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::documents;
use crate::domain::kinds::DocumentKind;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Document {
    pub id: i64,
    /// e.g. JGLM-2026-000123
    pub serial: String,
    pub kind: DocumentKind,
    pub kind_label: String,
    pub status: String,
    pub person_name: String,
    #[serde(with = "service_kit::utc")]
    pub issued_at: NaiveDateTime,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilter {
    pub kind: Option<DocumentKind>,
}

type Row = (i64, String, String, String, String, NaiveDateTime);

/// Issued documents (administrators and service clients with `documents:read`).
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", params(DocumentFilter, PageQuery),
    responses((status = 200, body = Page<Document>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    filter: web::Query<DocumentFilter>,
    page: web::Query<PageQuery>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin_or_scope("documents:read")?;
    let (limit, after) = (page.limit()?, page.after_id()?);
    let kind = filter.kind;
    let rows: Vec<Row> = db
        .run(move |c| {
            let mut q = documents::table
                .filter(documents::id.gt(after))
                .order(documents::id)
                .limit(limit + 1)
                .select((
                    documents::id,
                    documents::serial,
                    documents::kind,
                    documents::status,
                    documents::person_name,
                    documents::issued_at,
                ))
                .into_boxed();
            if let Some(k) = kind {
                q = q.filter(documents::kind.eq(k.as_str()));
            }
            Ok(q.load(c)?)
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|(id, serial, kind, status, person_name, issued_at)| {
            let kind =
                DocumentKind::parse(&kind).ok_or_else(|| ApiError::internal(format!("unknown kind {kind:?}")))?;
            Ok(Document {
                id,
                serial,
                kind,
                kind_label: kind.label_zh().to_owned(),
                status,
                person_name,
                issued_at,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |d| d.id)))
}
