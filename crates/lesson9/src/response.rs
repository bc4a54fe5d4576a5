//! What a response says before its body: the status line and the headers, as bytes.

use std::path::Path;
use std::time::SystemTime;

/// An HTTP status code, with its reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status(pub u16);

impl Status {
    pub const OK: Self = Self(200);
    pub const PARTIAL_CONTENT: Self = Self(206);
    pub const MOVED_PERMANENTLY: Self = Self(301);
    pub const NOT_MODIFIED: Self = Self(304);
    pub const BAD_REQUEST: Self = Self(400);
    pub const FORBIDDEN: Self = Self(403);
    pub const NOT_FOUND: Self = Self(404);
    pub const METHOD_NOT_ALLOWED: Self = Self(405);
    pub const REQUEST_TIMEOUT: Self = Self(408);
    pub const RANGE_NOT_SATISFIABLE: Self = Self(416);
    pub const URI_TOO_LONG: Self = Self(414);
    pub const HEADERS_TOO_LARGE: Self = Self(431);
    pub const INTERNAL_ERROR: Self = Self(500);
    pub const VERSION_NOT_SUPPORTED: Self = Self(505);

    /// The reason phrase (RFC 9110 §15), and the same in Chinese for the error pages.
    pub fn reason(self) -> (&'static str, &'static str) {
        match self.0 {
            200 => ("OK", "成功"),
            206 => ("Partial Content", "部分内容"),
            301 => ("Moved Permanently", "已永久移动"),
            304 => ("Not Modified", "未修改"),
            400 => ("Bad Request", "请求不合格"),
            403 => ("Forbidden", "禁止访问"),
            404 => ("Not Found", "找不到"),
            405 => ("Method Not Allowed", "不支持这个方法"),
            408 => ("Request Timeout", "请求超时"),
            414 => ("URI Too Long", "请求目标太长"),
            416 => ("Range Not Satisfiable", "范围无法满足"),
            431 => ("Request Header Fields Too Large", "请求头太大"),
            505 => ("HTTP Version Not Supported", "不支持这个 HTTP 版本"),
            _ => ("Internal Server Error", "服务器内部错误"),
        }
    }

    /// Whether the server closes the connection after this status, whatever the client asked:
    /// after a malformed or refused head, the next request's start cannot be trusted. (A 500
    /// follows a head read whole, so the next request still starts where it should.)
    pub fn closes(self) -> bool {
        matches!(self.0, 400 | 408 | 414 | 431 | 505)
    }
}

/// The media type of a file, by its extension, as the browser needs it: a style sheet served
/// as anything but `text/css` is ignored, and text without a charset is guessed at.
pub fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

// ANCHOR: head
/// A response's head: the status line, `Date`, `Server`, `Content-Length` (on every response,
/// so that the client knows where the body ends on a connection that stays open), the
/// `extra` headers, `Connection: close` if the server closes after it, and the empty line.
pub fn head(
    status: Status,
    content_length: u64,
    extra: &[(&str, String)],
    closes: bool,
) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", status.0, status.reason().0);
    let date = httpdate::fmt_http_date(SystemTime::now());
    head.push_str(&format!("Date: {date}\r\nServer: lesson9\r\n"));
    head.push_str(&format!("Content-Length: {content_length}\r\n"));
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if closes {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}
// ANCHOR_END: head

/// The small page an error response carries: the status, in Chinese and English. It never
/// repeats the request, so nothing a client sends can end up in a page (no injection).
pub fn error_page(status: Status) -> String {
    let (en, zh) = status.reason();
    let code = status.0;
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <title>{code} {en}</title></head>\n<body><h1>{code} {zh} / {en}</h1></body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Content types go by extension, in any case, and an unknown one is plain bytes.
    #[test]
    fn content_types_go_by_extension() {
        for (name, expected) in [
            ("a.HTML", "text/html; charset=utf-8"),
            ("a.htm", "text/html; charset=utf-8"),
            ("style.css", "text/css; charset=utf-8"),
            ("app.js", "text/javascript; charset=utf-8"),
            ("讲义.txt", "text/plain; charset=utf-8"),
            ("data.json", "application/json"),
            ("p.png", "image/png"),
            ("p.JPG", "image/jpeg"),
            ("p.jpeg", "image/jpeg"),
            ("p.gif", "image/gif"),
            ("p.svg", "image/svg+xml"),
            ("favicon.ico", "image/x-icon"),
            ("archive.tar", "application/octet-stream"),
            ("Makefile", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), expected, "{name}");
        }
    }

    /// A head is CRLF lines ending in an empty one, with the length and the close.
    #[test]
    fn a_head_is_crlf_lines_and_an_empty_one() {
        let text = String::from_utf8(head(
            Status::NOT_FOUND,
            12,
            &[("X", "y".into())],
            true,
        ))
        .expect("the head is ASCII");
        assert!(
            text.starts_with("HTTP/1.1 404 Not Found\r\nDate: "),
            "{text}"
        );
        assert!(text.contains(
            "\r\nContent-Length: 12\r\nX: y\r\nConnection: close\r\n\r\n"
        ));
        assert!(text.ends_with("\r\n\r\n") && !text.ends_with("\r\n\r\n\r\n"));
        let kept =
            String::from_utf8(head(Status::OK, 0, &[], false)).expect("ASCII");
        assert!(!kept.contains("Connection"), "{kept}");
    }

    /// Every status this server sends has its own reason, and only the ones after which the
    /// next request cannot be trusted close the connection.
    #[test]
    fn every_status_has_its_reason() {
        let all = [
            200, 206, 301, 304, 400, 403, 404, 405, 408, 414, 416, 431, 500,
            505,
        ];
        for code in all {
            let status = Status(code);
            let (en, zh) = status.reason();
            assert!(!en.is_empty() && !zh.is_empty());
            assert!(
                error_page(status).contains(&format!("{code} {zh} / {en}"))
            );
        }
        let reasons: std::collections::HashSet<_> =
            all.iter().map(|&code| Status(code).reason().0).collect();
        assert_eq!(reasons.len(), all.len());
        let closing: Vec<u16> = all
            .into_iter()
            .filter(|&code| Status(code).closes())
            .collect();
        assert_eq!(closing, [400, 408, 414, 431, 505]);
    }
}
