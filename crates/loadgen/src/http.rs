//! HTTP/1.1 on the wire, as much as a load generator needs: a GET request, and one response
//! read whole off a connection: the head up to its empty line, then exactly `Content-Length`
//! bytes of body, counted and thrown away. Anything else (a status other than 200, a body cut
//! short, a head that does not parse) is a [`Failure`] that says what went wrong, never a panic.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

/// The most a response head may take: far more than any server measured here sends.
const HEAD_LIMIT: usize = 64 * 1024;

/// How much one `read` may take off the socket.
const CHUNK: usize = 64 * 1024;

/// A GET of `path`, with `Connection: close` when the client opens a connection per request.
pub(crate) fn request(path: &str, host: SocketAddr, close: bool) -> Vec<u8> {
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: loadgen\r\n{connection}\r\n")
        .into_bytes()
}

/// What a response head says that the client needs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Head {
    pub(crate) status: u16,
    pub(crate) reason: String,
    pub(crate) content_length: Option<u64>,
    /// The server closes the connection after this response: `Connection: close`, or an
    /// HTTP/1.0 response without `Connection: keep-alive` (Python's http.server).
    pub(crate) closes: bool,
}

/// A 200 response, read whole.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Response {
    pub(crate) body_bytes: u64,
    pub(crate) closes: bool,
}

/// Why a response could not be read, or was not the one asked for.
#[derive(Debug)]
pub(crate) enum Failure {
    Io(io::Error),
    /// The server closed before a whole head, after sending `received` bytes of it.
    Closed {
        received: usize,
    },
    HeadTooLong,
    Malformed(String),
    Status {
        status: u16,
        reason: String,
    },
    NoLength,
    ShortBody {
        got: u64,
        expected: u64,
    },
    /// More bytes after a response that said the connection closes.
    AfterClose,
    /// No whole response within this long.
    TimedOut(Duration),
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Failure::Io(error)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Io(error) => {
                write!(f, "连接出错 connection error: {:?}: {error}", error.kind())
            }
            Failure::Closed { received } => write!(
                f,
                "响应头不完整服务端就关闭了 server closed before a whole head ({received} 字节 bytes)"
            ),
            Failure::HeadTooLong => write!(f, "响应头超过 64 KiB / a response head over 64 KiB"),
            Failure::Malformed(what) => write!(f, "无法解析的响应 malformed response: {what}"),
            Failure::Status { status, reason } => {
                write!(
                    f,
                    "状态 status {status} {reason}，应为 200 / expected 200 OK"
                )
            }
            Failure::NoLength => write!(f, "响应没有 Content-Length / no Content-Length"),
            Failure::ShortBody { got, expected } => write!(
                f,
                "正文不完整 body cut short: {got} / {expected} 字节 bytes, 然后连接关闭了 then closed"
            ),
            Failure::AfterClose => write!(
                f,
                "说了关闭之后还有字节 bytes after a response that closes the connection"
            ),
            Failure::TimedOut(limit) => {
                let seconds = limit.as_secs_f64();
                write!(
                    f,
                    "{seconds} 秒内没有完整的响应 no whole response within {seconds} s"
                )
            }
        }
    }
}

/// Reads responses off a connection one at a time, keeping the bytes read past a head for
/// its body, and never reading past a body: they would belong to the next response.
pub(crate) struct Reader<R> {
    stream: R,
    buffered: Vec<u8>,
    chunk: Box<[u8]>,
}

impl<R: AsyncRead + Unpin> Reader<R> {
    pub(crate) fn new(stream: R) -> Self {
        Reader {
            stream,
            buffered: Vec::with_capacity(1024),
            chunk: vec![0; CHUNK].into_boxed_slice(),
        }
    }

    /// The connection itself, to send the request on.
    pub(crate) fn get_mut(&mut self) -> &mut R {
        &mut self.stream
    }

    /// Reads one response whole: a 200 with its whole body, or a failure saying why not.
    pub(crate) async fn ok_response(&mut self) -> Result<Response, Failure> {
        let head = self.head().await?;
        if head.status != 200 {
            return Err(Failure::Status {
                status: head.status,
                reason: head.reason,
            });
        }
        let length = head.content_length.ok_or(Failure::NoLength)?;
        let body_bytes = self.body(length).await?;
        Ok(Response {
            body_bytes,
            closes: head.closes,
        })
    }

    /// Reads up to the empty line, in as many reads as it takes (lesson 6's framing).
    async fn head(&mut self) -> Result<Head, Failure> {
        let mut searched = 0;
        loop {
            if let Some(end) = find_empty_line(&self.buffered, searched) {
                let head = parse_head(&self.buffered[..end])?;
                self.buffered.drain(..end + 4);
                return Ok(head);
            }
            if self.buffered.len() > HEAD_LIMIT {
                return Err(Failure::HeadTooLong);
            }
            // The empty line may straddle two reads: search again from 3 bytes back.
            searched = self.buffered.len().saturating_sub(3);
            let read = self.stream.read(&mut self.chunk).await?;
            if read == 0 {
                let received = self.buffered.len();
                return Err(Failure::Closed { received });
            }
            self.buffered.extend_from_slice(&self.chunk[..read]);
        }
    }

    /// Reads and counts exactly `length` bytes of body: those already read with the head
    /// first, then no more than what is still missing.
    async fn body(&mut self, length: u64) -> Result<u64, Failure> {
        let buffered = self
            .buffered
            .len()
            .min(usize::try_from(length).unwrap_or(usize::MAX));
        self.buffered.drain(..buffered);
        let mut got = buffered as u64;
        while got < length {
            let want = usize::try_from(length - got).map_or(CHUNK, |left| left.min(CHUNK));
            let read = self.stream.read(&mut self.chunk[..want]).await?;
            if read == 0 {
                return Err(Failure::ShortBody {
                    got,
                    expected: length,
                });
            }
            got += read as u64;
        }
        Ok(got)
    }

    /// After a response that closes: reads until the server's FIN, so that the server is the
    /// one that closed first (its side keeps the TIME_WAIT, not the client's ports).
    pub(crate) async fn until_closed(&mut self) -> Result<(), Failure> {
        if !self.buffered.is_empty() {
            return Err(Failure::AfterClose);
        }
        match self.stream.read(&mut self.chunk).await? {
            0 => Ok(()),
            _ => Err(Failure::AfterClose),
        }
    }
}

/// Where `\r\n\r\n` starts in `bytes`, looking from `from` on.
fn find_empty_line(bytes: &[u8], from: usize) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map(|at| from + at)
}

/// The status line and the headers that matter: `Content-Length` and `Connection`.
fn parse_head(bytes: &[u8]) -> Result<Head, Failure> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let malformed = || Failure::Malformed(shortened(status_line));
    let (version, rest) = status_line.split_once(' ').ok_or_else(malformed)?;
    let http_1_0 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(malformed()),
    };
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    let status = match code.parse::<u16>() {
        Ok(status) if code.len() == 3 => status,
        _ => return Err(malformed()),
    };
    let (mut content_length, mut close, mut keep_alive) = (None, false, false);
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| Failure::Malformed(shortened(line)))?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            let length = value
                .parse::<u64>()
                .map_err(|_| Failure::Malformed(shortened(line)))?;
            // Two different lengths: which body is it? (RFC 9112 §6.3 says refuse it.)
            if content_length.is_some_and(|seen| seen != length) {
                return Err(Failure::Malformed(shortened(line)));
            }
            content_length = Some(length);
        } else if name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                close |= token.eq_ignore_ascii_case("close");
                keep_alive |= token.eq_ignore_ascii_case("keep-alive");
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // No server here chunks a static file; a body without a length is not counted.
            return Err(Failure::Malformed(shortened(line)));
        }
    }
    Ok(Head {
        status,
        reason: reason.to_owned(),
        content_length,
        closes: close || (http_1_0 && !keep_alive),
    })
}

/// `text` cut to 40 characters, so that a failure stays on a terminal's line.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads responses off `bytes` as a connection would hand them over, `read` at a time.
    fn responses(bytes: &'static [u8]) -> Reader<&'static [u8]> {
        Reader::new(bytes)
    }

    fn block_on<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(future)
    }

    #[test]
    fn a_kept_alive_connection_gives_one_response_after_another() {
        let bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\n\
                      content-length: 2\r\nConnection: close\r\n\r\nhi";
        let mut reader = responses(bytes);
        let first = block_on(reader.ok_response()).expect("a response");
        assert_eq!(
            first,
            Response {
                body_bytes: 5,
                closes: false
            }
        );
        let second = block_on(reader.ok_response()).expect("a second response");
        assert_eq!(
            second,
            Response {
                body_bytes: 2,
                closes: true
            }
        );
        assert!(block_on(reader.until_closed()).is_ok());
    }

    #[test]
    fn http_1_0_closes_unless_it_says_keep_alive() {
        let head = |text: &str| parse_head(text.as_bytes()).expect("a head");
        assert!(head("HTTP/1.0 200 OK\r\nContent-Length: 1").closes);
        assert!(!head("HTTP/1.0 200 OK\r\nConnection: Keep-Alive").closes);
        assert!(!head("HTTP/1.1 200 OK\r\nConnection: keep-alive").closes);
    }

    #[test]
    fn a_status_other_than_200_is_a_failure_that_names_it() {
        let mut reader = responses(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        let failure = block_on(reader.ok_response()).expect_err("404 is not 200");
        assert!(failure.to_string().contains("404 Not Found"), "{failure}");
    }

    #[test]
    fn a_short_body_is_a_failure_not_a_panic() {
        let mut reader = responses(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
        let failure = block_on(reader.ok_response()).expect_err("4 of 10 bytes");
        assert!(
            matches!(
                failure,
                Failure::ShortBody {
                    got: 4,
                    expected: 10
                }
            ),
            "{failure}"
        );
    }

    #[test]
    fn heads_that_do_not_parse_are_failures() {
        for bad in [
            "HTTP/2 200 OK",
            "HTTP/1.1 20 OK",
            "HTTP/1.1 200 OK\r\nno colon",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked",
        ] {
            assert!(parse_head(bad.as_bytes()).is_err(), "{bad:?}");
        }
        let mut reader = responses(b"HTTP/1.1 200 OK\r\n\r\n");
        let failure = block_on(reader.ok_response()).expect_err("no length");
        assert!(matches!(failure, Failure::NoLength), "{failure}");
        let mut reader = responses(b"HTTP/1.1 200 OK\r\nContent-");
        let failure = block_on(reader.ok_response()).expect_err("closed in the head");
        assert!(
            matches!(failure, Failure::Closed { received: 25 }),
            "{failure}"
        );
    }

    #[test]
    fn the_request_asks_to_close_only_when_told() {
        let host: SocketAddr = "127.0.0.1:80".parse().expect("an address");
        let kept = String::from_utf8(request("/a", host, false)).expect("ASCII");
        let closed = String::from_utf8(request("/a", host, true)).expect("ASCII");
        assert!(kept.starts_with("GET /a HTTP/1.1\r\nHost: 127.0.0.1:80\r\n"));
        assert!(!kept.contains("Connection"));
        assert!(closed.ends_with("Connection: close\r\n\r\n"));
    }
}
