//! Step 8: what a request head says, by RFC 9112's grammar: a request line
//! (`GET /index.html HTTP/1.1`), header lines (`Host: 127.0.0.1`), and nothing a server should
//! guess at. A head that does not follow it gets a status, never a panic.

use crate::response::Status;

/// The HTTP versions this server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Http10,
    Http11,
}

/// A parsed request head.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub version: Version,
    headers: Vec<(String, String)>,
}

impl Request {
    /// The value of header `name` (names are case-insensitive), if it was sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    // ANCHOR: closing
    /// Whether the client asked to close after this response: HTTP/1.0 always closes here
    /// (this server does not do 1.0's keep-alive), HTTP/1.1 when it says `Connection: close`.
    pub fn wants_close(&self) -> bool {
        self.version == Version::Http10
            || self.header("Connection").is_some_and(|value| {
                value
                    .split(',')
                    .any(|token| token.trim().eq_ignore_ascii_case("close"))
            })
    }

    /// Whether a body follows the head. This server never reads one, so it closes after
    /// answering: the body's bytes must not be read as the next request.
    pub fn has_body(&self) -> bool {
        self.header("Transfer-Encoding").is_some()
            || self
                .header("Content-Length")
                .is_some_and(|length| length != "0")
    }
    // ANCHOR_END: closing
}

/// Parses a head that [`crate::head::read_head`] returned. The method is not checked here: a
/// request for a method this server does not serve is well formed, and gets 405, not 400.
pub fn parse(head: &[u8]) -> Result<Request, Status> {
    // A head is ASCII by the grammar; bytes above 127 in a header's value are allowed
    // (obs-text) but mean nothing to this server, so they stand as U+FFFD.
    let text = String::from_utf8_lossy(head);
    let mut lines = text
        .lines()
        .map(|line| line.strip_suffix('\r').unwrap_or(line));
    let request_line = lines.next().ok_or(Status::BAD_REQUEST)?;
    let (method, target, version) = request_line_parts(request_line)?;

    let mut headers = Vec::new();
    for line in lines.take_while(|line| !line.is_empty()) {
        headers.push(header_line(line)?);
    }
    let request = Request {
        method: method.to_owned(),
        target: target.to_owned(),
        version,
        headers,
    };
    let hosts = request
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Host"))
        .count();
    // HTTP/1.1 requires exactly one Host (RFC 9112 §3.2); 1.0 clients may leave it out.
    if hosts > 1 || (version == Version::Http11 && hosts == 0) {
        return Err(Status::BAD_REQUEST);
    }
    let length = request.header("Content-Length");
    if length.is_some_and(|length| length.parse::<u64>().is_err()) {
        return Err(Status::BAD_REQUEST);
    }
    Ok(request)
}

/// `METHOD SP TARGET SP VERSION`, each part present, printable ASCII, one space between.
fn request_line_parts(line: &str) -> Result<(&str, &str, Version), Status> {
    let printable =
        |part: &str| part.bytes().all(|byte| byte.is_ascii_graphic());
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(Status::BAD_REQUEST);
    };
    if !is_token(method) || target.is_empty() || !printable(target) {
        return Err(Status::BAD_REQUEST);
    }
    let version = match version {
        "HTTP/1.1" => Version::Http11,
        "HTTP/1.0" => Version::Http10,
        // Another HTTP/x.y is well formed but not spoken here; anything else is garbage.
        other if is_http_version(other) => {
            return Err(Status::VERSION_NOT_SUPPORTED);
        }
        _ => return Err(Status::BAD_REQUEST),
    };
    Ok((method, target, version))
}

/// `HTTP/` and one digit, a dot, one digit (RFC 9112 §2.3).
fn is_http_version(text: &str) -> bool {
    matches!(text.as_bytes(), [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
        if major.is_ascii_digit() && minor.is_ascii_digit())
}

/// `name: value`, the name a token right before the colon, the value trimmed of spaces and
/// tabs. A line starting with whitespace (an obsolete folded line) is refused, as RFC 9112
/// §5.2 allows.
fn header_line(line: &str) -> Result<(String, String), Status> {
    let (name, value) = line.split_once(':').ok_or(Status::BAD_REQUEST)?;
    if !is_token(name) {
        return Err(Status::BAD_REQUEST);
    }
    Ok((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()))
}

/// A token (RFC 9110 §5.6.2): one or more letters, digits or ``!#$%&'*+-.^_`|~``.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|byte| {
            byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_of(head: &str) -> Result<(), Status> {
        parse(head.as_bytes()).map(|_| ())
    }

    /// A well-formed head gives its parts; header names are case-insensitive.
    #[test]
    fn a_head_gives_its_parts() {
        let request = parse(
            b"GET /a?b=1 HTTP/1.1\r\nhost:  127.0.0.1 \r\nX-A:\tb\r\n\r\n",
        )
        .expect("a well-formed head");
        assert_eq!(request.method, "GET");
        assert_eq!(request.target, "/a?b=1");
        assert_eq!(request.version, Version::Http11);
        assert_eq!(request.header("Host"), Some("127.0.0.1"));
        assert_eq!(request.header("x-a"), Some("b"));
        assert!(!request.wants_close() && !request.has_body());
    }

    /// Each way a head can be malformed gets 400, and another version 505.
    #[test]
    fn a_malformed_head_gets_400() {
        for head in [
            "",
            "GET\r\n\r\n",
            "GET /\r\n\r\n",
            "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n",
            "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/abc\r\nHost: a\r\n\r\n",
            "GET / http/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nno colon\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: ten\r\n\r\n",
        ] {
            assert_eq!(status_of(head), Err(Status::BAD_REQUEST), "{head:?}");
        }
        for head in [
            "GET / HTTP/2.0\r\n\r\n",
            "GET / HTTP/1.2\r\nHost: a\r\n\r\n",
        ] {
            assert_eq!(
                status_of(head),
                Err(Status::VERSION_NOT_SUPPORTED),
                "{head:?}"
            );
        }
        assert!(
            status_of("GET / HTTP/1.0\r\n\r\n").is_ok(),
            "1.0 needs no Host"
        );
        assert!(
            status_of("BREW / HTTP/1.1\r\nHost: a\r\n\r\n").is_ok(),
            "405, not 400"
        );
    }

    /// 1.0 closes, 1.1 closes when asked (in any case, among other tokens), and a length
    /// other than 0 or any transfer coding is a body.
    #[test]
    fn closing_and_bodies() {
        let request = |head: &str| parse(head.as_bytes()).expect("well formed");
        assert!(request("GET / HTTP/1.0\r\n\r\n").wants_close());
        assert!(
            request(
                "GET / HTTP/1.1\r\nHost: a\r\nConnection: x, Close\r\n\r\n"
            )
            .wants_close()
        );
        assert!(
            !request(
                "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n"
            )
            .wants_close()
        );
        assert!(
            request("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n")
                .has_body()
        );
        assert!(
            !request("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
                .has_body()
        );
        assert!(request("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").has_body());
    }
}
