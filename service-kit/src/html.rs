//! HTML for the few pages people see (the verification page, the meeting reply page): one frame
//! and one base style, each page adding its own rules.

/// What every page shares: a phone-width column in the system's Chinese font, the header line,
/// a definition list of facts, buttons and the footer.
pub const BASE_STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;background:#f4f4f1;color:#1b1b1b;font-family:system-ui,-apple-system,\"PingFang SC\",\"Hiragino Sans GB\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",\"WenQuanYi Micro Hei\",sans-serif;line-height:1.6;font-size:17px}\
main{max-width:40rem;margin:0 auto;padding:1rem}\
header{font-size:.95rem;color:#444;padding:.25rem 0 .75rem;border-bottom:1px solid #ccc;margin-bottom:1rem}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;background:#fff;border-radius:.5rem;padding:1rem;margin:0 0 1rem}\
dt{color:#555}dd{margin:0;font-weight:600;overflow-wrap:anywhere}\
button{font:inherit;border:0;border-radius:.35rem;background:#1f4e99;color:#fff}\
footer{font-size:.85rem;color:#555;margin-top:1rem}";

/// A whole page in Chinese: `title` (escaped), the header line (escaped), `body` and `footer`
/// (markup, already escaped by the caller), [`BASE_STYLE`] followed by the page's own `style`.
pub fn page(title: &str, header: &str, style: &str, body: &str, footer: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex, nofollow\"><title>{title}</title><style>{BASE_STYLE}{style}</style></head>\
         <body><main><header>{header}</header>{body}{footer}</main></body></html>\n",
        title = escape(title),
        header = escape(header),
    )
}

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            super::escape(r#"<a href="x">'&'</a> 张伟"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt; 张伟"
        );
    }
}
