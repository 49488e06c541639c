//! The file of a "check this file" request: the PDF as the whole body, or the `file` part of a
//! `multipart/form-data` upload (the verification page's form). The body is read whole first
//! (size-limited by the handler), so this is a plain parser over bytes (RFC 7578, RFC 2046 §5.1).

use memchr::memmem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadError {
    /// Neither a PDF nor `multipart/form-data`.
    UnsupportedType,
    /// Multipart without a boundary, without a `file` part, or cut short.
    Malformed(&'static str),
}

/// The uploaded file's bytes inside `body`.
pub fn uploaded_file<'a>(content_type: &str, body: &'a [u8]) -> Result<&'a [u8], UploadError> {
    let mut params = content_type.split(';');
    let essence = params.next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/pdf" | "application/octet-stream" => Ok(body),
        "multipart/form-data" => {
            let boundary = params
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
                .map(|(_, v)| v.trim().trim_matches('"'))
                .filter(|b| !b.is_empty() && b.len() <= 70)
                .ok_or(UploadError::Malformed("multipart/form-data needs a boundary"))?;
            file_part(boundary.as_bytes(), body)
        }
        _ => Err(UploadError::UnsupportedType),
    }
}

/// The content of the part named `file` (or, failing that, the first part with a file name).
fn file_part<'a>(boundary: &[u8], body: &'a [u8]) -> Result<&'a [u8], UploadError> {
    let mut delimiter = b"--".to_vec();
    delimiter.extend_from_slice(boundary);
    let mut next_delimiter = b"\r\n".to_vec();
    next_delimiter.extend_from_slice(&delimiter);
    let cut_short = UploadError::Malformed("the multipart body is cut short");

    let first = memmem::find(body, &delimiter).ok_or(UploadError::Malformed("no part with the boundary"))?;
    let mut at = first + delimiter.len();
    let mut fallback = None;
    loop {
        let rest = body.get(at..).ok_or(cut_short)?;
        if rest.starts_with(b"--") {
            break;
        }
        // Transport padding, then the CRLF that ends the delimiter line.
        let line_end = memmem::find(rest, b"\r\n").ok_or(cut_short)?;
        let part_start = at + line_end + 2;
        let part = &body[part_start..];
        let head_end = memmem::find(part, b"\r\n\r\n")
            .map(|i| (i, i + 4))
            // A part with no headers at all starts with its blank line.
            .or_else(|| part.starts_with(b"\r\n").then_some((0, 2)))
            .ok_or(UploadError::Malformed("a part's headers do not end"))?;
        let head = String::from_utf8_lossy(&part[..head_end.0]);
        let content_start = part_start + head_end.1;
        let content_len = memmem::find(&body[content_start..], &next_delimiter)
            .ok_or(UploadError::Malformed("a part does not end with the boundary"))?;
        let content = &body[content_start..content_start + content_len];
        match disposition(&head) {
            (Some(name), _) if name == "file" => return Ok(content),
            (_, true) if fallback.is_none() => fallback = Some(content),
            _ => {}
        }
        at = content_start + content_len + next_delimiter.len();
    }
    fallback.ok_or(UploadError::Malformed("no part named file"))
}

/// The `name` of a part's `Content-Disposition: form-data`, and whether it has a `filename`.
fn disposition(head: &str) -> (Option<String>, bool) {
    let Some(value) = head.split("\r\n").find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case("content-disposition").then_some(v)
    }) else {
        return (None, false);
    };
    let mut name = None;
    let mut has_file_name = false;
    for param in value.split(';').skip(1) {
        if let Some((k, v)) = param.split_once('=') {
            match k.trim().to_ascii_lowercase().as_str() {
                "name" => name = Some(v.trim().trim_matches('"').to_owned()),
                "filename" | "filename*" => has_file_name = true,
                _ => {}
            }
        }
    }
    (name, has_file_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(boundary: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut out = b"preamble\r\n".to_vec();
        for (name, file, content) in parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let file = file.map(|f| format!("; filename=\"{f}\"")).unwrap_or_default();
            out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"{file}\r\n").as_bytes());
            out.extend_from_slice(b"Content-Type: application/pdf\r\n\r\n");
            out.extend_from_slice(content);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        out
    }

    #[test]
    fn a_raw_pdf_is_the_whole_body() {
        assert_eq!(uploaded_file("application/pdf", b"%PDF-1.7"), Ok(&b"%PDF-1.7"[..]));
        assert_eq!(uploaded_file("text/plain", b"x"), Err(UploadError::UnsupportedType));
    }

    #[test]
    fn the_file_part_of_a_form_is_found_byte_exact() {
        // Content holding CRLF, dashes and a near-boundary must come back unchanged.
        let pdf: &[u8] = b"%PDF-1.7\r\n--XY not the boundary\r\n\r\n\x00\xff%%EOF";
        let body = form("XYZ", &[("note", None, b"hello"), ("file", Some("a.pdf"), pdf)]);
        let ct = "multipart/form-data; boundary=XYZ";
        assert_eq!(uploaded_file(ct, &body), Ok(pdf));
        let quoted = "multipart/form-data; boundary=\"XYZ\"";
        assert_eq!(uploaded_file(quoted, &body), Ok(pdf));
        // Any part with a file name will do when none is named `file`.
        let other = form("XYZ", &[("upload", Some("a.pdf"), pdf)]);
        assert_eq!(uploaded_file(ct, &other), Ok(pdf));
    }

    #[test]
    fn broken_forms_are_refused_not_guessed() {
        let ct = "multipart/form-data; boundary=XYZ";
        assert!(matches!(
            uploaded_file("multipart/form-data", b""),
            Err(UploadError::Malformed(_))
        ));
        assert!(matches!(
            uploaded_file(ct, b"no boundary here"),
            Err(UploadError::Malformed(_))
        ));
        let no_file = form("XYZ", &[("note", None, b"hello")]);
        assert!(matches!(uploaded_file(ct, &no_file), Err(UploadError::Malformed(_))));
        let body = form("XYZ", &[("file", Some("a.pdf"), b"%PDF")]);
        // Cut anywhere before the closing delimiter: refused.
        let closing = body.len() - "\r\n--XYZ--\r\n".len();
        for cut in 0..closing + 7 {
            assert!(uploaded_file(ct, &body[..cut]).is_err(), "cut at {cut} accepted");
        }
    }
}
