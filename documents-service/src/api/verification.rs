//! Public verification (issue 12): the link printed as each document's QR code, `/v/{token}`
//! (and its older long form `/api/v1/documents/verify/{token}`), answers a browser with a page in
//! Chinese and any other client with JSON; `POST /v` (and `POST /api/v1/documents/verify`) says
//! whether an uploaded file is byte-for-byte a document the alliance issued. No token needed;
//! the gateway limits how often one address may ask.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::Serialize;
use service_kit::{ApiError, Code, Db, Problem};

use super::pages;
use super::upload::{UploadError, uploaded_file};
pub use super::verdicts::{FileCheck, Revocation, UploadForm, Verification};
use crate::app::documents;
use crate::domain::verification::NO_MATCH_ZH;

/// The largest file a check accepts; issued documents are far smaller (tens of kilobytes).
pub const MAX_UPLOAD: usize = 4 * 1024 * 1024;

/// True when the client prefers HTML to JSON: a browser (its `Accept` lists `text/html`
/// explicitly, at a quality not below `application/json`'s). `*/*` alone gets JSON, so API
/// clients see what they always did.
pub fn wants_html(req: &HttpRequest) -> bool {
    let accept = req
        .headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let (mut html, mut json) = (0.0_f32, 0.0_f32);
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match essence.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(q),
            "application/json" => json = json.max(q),
            _ => {}
        }
    }
    html > 0.0 && html >= json
}

/// An HTML page with the headers every public page carries: nothing loaded from elsewhere, no
/// framing, no referrer (the URL holds the token), never cached.
fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::VARY, "Accept"))
        .body(body)
}

fn json<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::VARY, "Accept"))
        .json(body)
}

/// 核验文件（短链接） · Public: is this document genuine and still valid?
///
/// 公开：核验该文件是否真实、是否仍然有效（有效、已撤销或已被替代）。浏览器得到中文页面，其他客户端得到 JSON。未知的链接返回 404，且不透露任何序列号是否存在。`/v/{token}` 是印在二维码中的短链接形式。
///
/// Public: is this document genuine and still valid? A browser gets a page in Chinese, other
/// clients JSON. Unknown tokens get 404 without saying whether any serial exists. `/v/{token}`
/// is the short form printed as the QR code.
#[utoipa::path(get, path = "/v/{token}", tag = "documents", params(("token" = String, Path, pattern = r"^[A-Za-z0-9_-]{1,64}$")),
    extensions(("x-roles" = json!(["public"]))),
    responses((status = 200, description = "文件状态：JSON，浏览器得到页面 · The document's standing: JSON, or a page for browsers", content(
            (Verification = "application/json"), (String = "text/html"))),
        (status = 404, description = "没有文件使用该链接 · No document has this link", content(
            (Problem = "application/problem+json"), (String = "text/html")))),
    security(()))]
pub async fn verify_short(
    req: HttpRequest,
    token: web::Path<String>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    answer_verify(&req, token.into_inner(), &db).await
}

/// 核验文件（长链接） · The long form of `/v/{token}`.
///
/// 公开：`/v/{token}` 的长链接形式，印在短链接启用之前签发的文件上；答复与 `/v/{token}` 相同。
///
/// The long form of `/v/{token}`, as printed on documents issued before it existed.
#[utoipa::path(get, path = "/api/v1/documents/verify/{token}", tag = "documents", params(("token" = String, Path, pattern = r"^[A-Za-z0-9_-]{1,64}$")),
    extensions(("x-roles" = json!(["public"]))),
    responses((status = 200, description = "文件状态：JSON，浏览器得到页面 · The document's standing: JSON, or a page for browsers", content(
            (Verification = "application/json"), (String = "text/html"))),
        (status = 404, description = "没有文件使用该链接 · No document has this link", content(
            (Problem = "application/problem+json"), (String = "text/html")))),
    security(()))]
pub async fn verify(req: HttpRequest, token: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    answer_verify(&req, token.into_inner(), &db).await
}

async fn answer_verify(req: &HttpRequest, token: String, db: &Db) -> Result<HttpResponse, ApiError> {
    let page = wants_html(req);
    match documents::verify(db, token).await? {
        Some(v) => {
            let v = Verification::from(v);
            Ok(if page {
                html(StatusCode::OK, pages::verification_page(&v, false))
            } else {
                json(&v)
            })
        }
        None if page => Ok(html(StatusCode::NOT_FOUND, pages::unknown_link_page())),
        None => Err(ApiError::not_found("no document has this verification link")),
    }
}

/// 核验上传的文件 · Public: check an uploaded file.
///
/// 公开：核验上传的文件是否与联盟签发的某份文件逐字节一致，以及该文件是否仍然有效。PDF 可作为请求体（`application/pdf`）上传，或作为表单的 `file` 字段上传，不超过 4 MiB。与任何文件都不一致（被改动过或从未签发）时返回 200，`matches` 为 false。
///
/// Public: is this file byte-for-byte a document the alliance issued, and does it stand? The
/// PDF as the body (`application/pdf`), or the `file` field of a form. A file that matches
/// nothing (altered, or never issued) is answered 200 with `matches: false`.
#[utoipa::path(post, path = "/v", tag = "documents",
    extensions(("x-roles" = json!(["public"]))),
    request_body(description = "要核验的 PDF（不超过 4 MiB） · The PDF (at most 4 MiB)", content(
        (Vec<u8> = "application/pdf"), (UploadForm = "multipart/form-data"))),
    responses((status = 200, description = "文件是否与已签发的文件一致：JSON，浏览器得到页面 · Whether the file matches an issued document: JSON, or a page for browsers",
            content((FileCheck = "application/json"), (String = "text/html"))),
        (status = 400, description = "表单中没有文件，或表单损坏 · A form without a file, or a broken form", content(
            (Problem = "application/problem+json"), (String = "text/html"))),
        (status = 413, description = "超过 4 MiB · Larger than 4 MiB", content(
            (Problem = "application/problem+json"), (String = "text/html"))),
        (status = 415, description = "既不是 PDF 也不是表单 · Neither a PDF nor a form", content(
            (Problem = "application/problem+json"), (String = "text/html")))),
    security(()))]
pub async fn check_short(req: HttpRequest, body: web::Payload, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    answer_check(&req, body, &db).await
}

/// 核验上传的文件（API 路径） · The API form of `POST /v`.
///
/// 公开：`POST /v` 的 API 路径形式，答复相同：上传的文件是否与联盟签发的某份文件逐字节一致，以及是否仍然有效。
///
/// The API form of `POST /v`.
#[utoipa::path(post, path = "/api/v1/documents/verify", tag = "documents",
    extensions(("x-roles" = json!(["public"]))),
    request_body(description = "要核验的 PDF（不超过 4 MiB） · The PDF (at most 4 MiB)", content(
        (Vec<u8> = "application/pdf"), (UploadForm = "multipart/form-data"))),
    responses((status = 200, description = "文件是否与已签发的文件一致：JSON，浏览器得到页面 · Whether the file matches an issued document: JSON, or a page for browsers",
            content((FileCheck = "application/json"), (String = "text/html"))),
        (status = 400, description = "表单中没有文件，或表单损坏 · A form without a file, or a broken form", content(
            (Problem = "application/problem+json"), (String = "text/html"))),
        (status = 413, description = "超过 4 MiB · Larger than 4 MiB", content(
            (Problem = "application/problem+json"), (String = "text/html"))),
        (status = 415, description = "既不是 PDF 也不是表单 · Neither a PDF nor a form", content(
            (Problem = "application/problem+json"), (String = "text/html")))),
    security(()))]
pub async fn check(req: HttpRequest, body: web::Payload, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    answer_check(&req, body, &db).await
}

async fn answer_check(req: &HttpRequest, body: web::Payload, db: &Db) -> Result<HttpResponse, ApiError> {
    let page = wants_html(req);
    let refused = |e: ApiError| -> Result<HttpResponse, ApiError> {
        if page {
            let (title, line) = match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ("文件过大", "核对的文件不能超过 4 MiB。"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE => ("不是 PDF 文件", "请选择收到的 PDF 文件再核对。"),
                _ => ("无法读取上传的文件", "请重新选择收到的 PDF 文件再核对。"),
            };
            Ok(html(e.status(), pages::problem_page(title, line)))
        } else {
            Err(e)
        }
    };
    let bytes = match read_limited(req, body).await {
        Ok(b) => b,
        Err(e) => return refused(e),
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let file = match uploaded_file(content_type, &bytes) {
        Ok(f) => f,
        Err(UploadError::UnsupportedType) => {
            return refused(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Code::UnsupportedMediaType,
                "send the PDF as application/pdf, or as the file field of multipart/form-data",
            ));
        }
        Err(UploadError::Malformed(why)) => return refused(ApiError::bad_request(Code::InvalidBody, why)),
    };
    let found = documents::check_file(db, file).await?;
    let answer = FileCheck {
        matches: found.is_some(),
        message: if found.is_some() {
            "文件与签发记录逐字节一致".into()
        } else {
            NO_MATCH_ZH.into()
        },
        document: found.map(Verification::from),
    };
    Ok(match (&answer.document, page) {
        (Some(v), true) => html(StatusCode::OK, pages::verification_page(v, true)),
        (None, true) => html(StatusCode::OK, pages::no_match_page()),
        (_, false) => json(&answer),
    })
}

/// The whole body, refused with 413 once it passes [`MAX_UPLOAD`] (by its announced length
/// before anything is read).
async fn read_limited(req: &HttpRequest, mut body: web::Payload) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            Code::PayloadTooLarge,
            format!("a file to check is at most {} MiB", MAX_UPLOAD / (1024 * 1024)),
        )
    };
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|n| n > MAX_UPLOAD) {
        return Err(too_large());
    }
    let mut out = Vec::with_capacity(announced.unwrap_or(0));
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request(Code::IncompleteBody, format!("the upload broke off: {e}")))?;
        if out.len() + chunk.len() > MAX_UPLOAD {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
