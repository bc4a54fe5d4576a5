//! Steps 8 and 9, and what step 10 sends: from a request head to the bytes of its response.
//! Nothing here touches a socket, so both designs of the server, threads and tokio, answer
//! every request alike; each sends the answer with its own calls (`write_all`, blocking or
//! awaited).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Take};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::log::Exchange;
use crate::path::{self, Resolved};
use crate::range::{self, Wanted};
use crate::request::{self, Request};
use crate::response::{self, Status};

/// What to send for one request: the bytes of its head (with the small page of a response
/// that has no file), then perhaps a file's bytes; and what to log once it is sent.
pub struct Answer {
    /// The request as the log line shows it: `GET /style.css`.
    pub request: String,
    pub status: Status,
    /// The bytes to send first: the response head, and for a response without a file its page.
    pub head: Vec<u8>,
    /// How many of `head`'s bytes are body (the page), for the log line.
    page_length: u64,
    /// The file's bytes that follow the head (all of them, or a range); the design takes
    /// them to send them.
    pub file: Option<Take<File>>,
    /// How many bytes of the file the head promised (0 without a file).
    promised: u64,
    /// Whether the server closes the connection after this response.
    pub closes: bool,
}

impl Answer {
    /// The response to a head that was refused before it was read whole (408, 414, 431).
    pub fn refusal(status: Status) -> Self {
        page(String::from("-"), status, &[], true)
    }

    /// What was sent, for the log: `file_bytes` is how many of the file's bytes went. A file
    /// that shrank while it was sent did not keep the promised `Content-Length`, and only a
    /// close can tell the client its body is incomplete.
    pub fn sent(self, file_bytes: u64) -> Exchange {
        let short = file_bytes != self.promised;
        Exchange {
            request: self.request,
            status: self.status,
            body_bytes: self.page_length + file_bytes,
            closes: self.closes || short,
        }
    }
}

// ANCHOR: answer
/// Steps 8 and 9 for one head: parse it, find the file, and say what to send back.
/// `stopping`: Ctrl-C has come, and the response says the connection closes.
pub fn answer(head: &[u8], root: &Path, stopping: bool) -> Answer {
    // 8. 解析请求行和头部；不合格的请求得到 400（或 505），然后关闭。
    //    Parse the request line and headers; a malformed request gets 400 (or 505), then the
    //    connection closes.
    let request = match request::parse(head) {
        Ok(request) => request,
        Err(status) => return page(first_line(head), status, &[], true),
    };
    let line = format!("{} {}", request.method, shortened(&request.target));
    let closes = request.wants_close() || request.has_body() || stopping;
    if request.method != "GET" && request.method != "HEAD" {
        let allow = [("Allow", "GET, HEAD".to_owned())];
        return page(line, Status::METHOD_NOT_ALLOWED, &allow, closes);
    }

    // 9. 把请求的路径变成根目录下的一个文件：先检查，再打开。
    //    Turn the requested path into a file under the root: check first, then open.
    match path::resolve(root, &request.target) {
        Ok(Resolved::File(file)) => file_answer(&request, line, &file, closes),
        Ok(Resolved::AddSlash(location)) => {
            let location = [("Location", location)];
            page(line, Status::MOVED_PERMANENTLY, &location, closes)
        }
        Err(status) => page(line, status, &[], closes || status.closes()),
    }
}
// ANCHOR_END: answer

// ANCHOR: file_answer
/// A file's answer: its head (type, length, date), and its bytes to follow unless the
/// request was HEAD or the client's copy is current (304); for a `Range`, only those bytes.
fn file_answer(
    request: &Request,
    line: String,
    path: &Path,
    closes: bool,
) -> Answer {
    let (mut file, length, modified) = match open(path) {
        Ok(opened) => opened,
        // Not found, forbidden or failing: the request was read whole, so the connection
        // stays as the client asked.
        Err(status) => return page(line, status, &[], closes),
    };
    let mut headers = vec![
        ("Content-Type", response::content_type(path).to_owned()),
        ("Accept-Ranges", "bytes".to_owned()),
    ];
    let mut status = Status::OK;
    let mut version = None;
    if let Some(modified) = modified {
        version = Some(httpdate::fmt_http_date(modified));
        headers.push(("Last-Modified", version.clone().unwrap_or_default()));
        if not_modified_since(request, modified) {
            status = Status::NOT_MODIFIED;
        }
    }
    // How many of the file's bytes follow: all of them, or the range asked for.
    let mut count = length;
    if status == Status::OK && request.method == "GET" {
        match wanted_range(request, length, version.as_deref()) {
            Wanted::Whole => {}
            Wanted::Part { first, last } => {
                if file.seek(SeekFrom::Start(first)).is_err() {
                    return page(line, Status::INTERNAL_ERROR, &[], closes);
                }
                status = Status::PARTIAL_CONTENT;
                let range = format!("bytes {first}-{last}/{length}");
                headers.push(("Content-Range", range));
                count = last - first + 1;
            }
            Wanted::Unsatisfiable => {
                let range = [("Content-Range", format!("bytes */{length}"))];
                let status = Status::RANGE_NOT_SATISFIABLE;
                return page(line, status, &range, closes);
            }
        }
    }
    let with_body = request.method == "GET" && status != Status::NOT_MODIFIED;
    Answer {
        request: line,
        status,
        head: response::head(status, count, &headers, closes),
        page_length: 0,
        file: with_body.then(|| file.take(count)),
        promised: if with_body { count } else { 0 },
        closes,
    }
}
// ANCHOR_END: file_answer

/// The part of the file a `Range` asks for, if `If-Range` (when sent) names this version of
/// it: a client that resumes a download of a file changed since must get it whole.
fn wanted_range(
    request: &Request,
    length: u64,
    last_modified: Option<&str>,
) -> Wanted {
    let same_version = match request.header("If-Range") {
        None => true,
        Some(version) => last_modified == Some(version),
    };
    if !same_version {
        return Wanted::Whole;
    }
    range::wanted(request.header("Range"), length)
}

/// How many bytes to read next of a file being sent: a chunk ([`CHUNK`]), or what is left
/// of it if that is less, so that a small file's buffer is the size of the file.
pub fn next_chunk(file: &Take<File>) -> usize {
    usize::try_from(file.limit()).map_or(CHUNK, |left| left.min(CHUNK))
}

/// The most of a file's bytes held in memory at once, per connection.
pub const CHUNK: usize = 64 * 1024;

/// Opens a resolved file: the file, its length, when it last changed.
fn open(path: &Path) -> Result<(File, u64, Option<SystemTime>), Status> {
    let file = File::open(path).map_err(|error| path::status_of(&error))?;
    let metadata = file.metadata().map_err(|_| Status::INTERNAL_ERROR)?;
    if !metadata.is_file() {
        return Err(Status::NOT_FOUND);
    }
    Ok((file, metadata.len(), metadata.modified().ok()))
}

/// Whether the client's copy is current: its `If-Modified-Since` (a valid HTTP date; an
/// invalid one is ignored, RFC 9110 §13.1.3) is not older than the file, to the second, the
/// resolution of an HTTP date.
fn not_modified_since(request: &Request, modified: SystemTime) -> bool {
    let Some(since) = request
        .header("If-Modified-Since")
        .and_then(|date| httpdate::parse_http_date(date).ok())
    else {
        return false;
    };
    let seconds = modified
        .duration_since(UNIX_EPOCH)
        .map_or(0, |age| age.as_secs());
    UNIX_EPOCH + Duration::from_secs(seconds) <= since
}

/// A response with no file: a status, its small page, and `extra` headers.
fn page(
    request: String,
    status: Status,
    extra: &[(&str, String)],
    closes: bool,
) -> Answer {
    let page = response::error_page(status);
    let mut headers =
        vec![("Content-Type", "text/html; charset=utf-8".to_owned())];
    headers.extend_from_slice(extra);
    let mut head = response::head(status, page.len() as u64, &headers, closes);
    head.extend_from_slice(page.as_bytes());
    Answer {
        request,
        status,
        head,
        page_length: page.len() as u64,
        file: None,
        promised: 0,
        closes,
    }
}

/// A head's first line, for the log line of a request that could not be parsed.
fn first_line(head: &[u8]) -> String {
    let line = head.split(|&byte| byte == b'\n').next().unwrap_or_default();
    shortened(String::from_utf8_lossy(line).trim_end())
}

/// `text`, cut to 60 characters with `…`, so that a log line stays readable in a terminal.
fn shortened(text: &str) -> String {
    const MOST: usize = 60;
    match text.char_indices().nth(MOST) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file is sent 64 KiB at a time, the most the page says a connection holds of it, and
    /// its end as it is: a small file's buffer is the size of the file.
    #[test]
    fn a_file_is_read_in_64_kib_chunks_and_its_end_as_it_is() {
        let file = || {
            File::open(env!("CARGO_MANIFEST_PATH"))
                .expect("the crate's Cargo.toml")
        };
        assert_eq!(next_chunk(&file().take(1 << 20)), 65_536);
        assert_eq!(next_chunk(&file().take(65_536)), 65_536);
        assert_eq!(next_chunk(&file().take(100)), 100);
        assert_eq!(next_chunk(&file().take(0)), 0);
    }
}
