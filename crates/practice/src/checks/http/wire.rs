//! Exercise 11's transcripts: exact bytes sent to the student's server, and the exact bytes of
//! the response that must come back. On a difference the failure shows what was sent, what was
//! expected and what came, escaped (`\r\n` visible), with a caret under the first wrong byte.

use std::io::{self, ErrorKind, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use super::site::SECRET;
use crate::checks::{error_text, io_failure, read_some, timeouts};
use crate::verdict::Failure;

/// How a request goes out.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Cut<'a> {
    /// In one write.
    Whole,
    /// One byte per write, Nagle off: the server's recv gets a byte or a few at a time.
    Bytewise,
    /// In writes ending at these offsets, Nagle off (the rest in a last write), with a pause
    /// after each but the last: each piece reaches the server by itself.
    At(&'a [usize]),
    /// In one write, then the sending direction closed: no more requests will come.
    ThenShutdown,
}

/// One exchange: the bytes sent, the bytes that must come back, and whether the server must
/// then close the connection.
pub struct Exchange {
    pub request: Vec<u8>,
    pub response: Vec<u8>,
    pub closes: bool,
    /// What must happen, "中文 / English".
    pub what: String,
    /// The exercise's step to look at when it does not.
    pub step: &'static str,
}

/// How long [`Cut::At`] waits between two pieces.
const PAUSE: Duration = Duration::from_millis(30);

/// The connections (this end, the server's end) on which a response came that did not say
/// `Connection: close`: the server must answer the next request on them.
static KEPT: Mutex<Vec<(SocketAddr, SocketAddr)>> = Mutex::new(Vec::new());

fn ends(stream: &TcpStream) -> Option<(SocketAddr, SocketAddr)> {
    Some((stream.local_addr().ok()?, stream.peer_addr().ok()?))
}

/// Whether a response that kept the connection with these ends open has come on it before.
fn kept_before(ends: Option<(SocketAddr, SocketAddr)>) -> bool {
    let kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
    ends.is_some_and(|ends| kept.contains(&ends))
}

fn remember_kept(ends: Option<(SocketAddr, SocketAddr)>) {
    if let Some(ends) = ends {
        KEPT.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(ends);
    }
}

/// Why a connection that was kept open has no answer: keep-alive's mistake, not the request's.
const CLOSED_AFTER_KEEPING: &str = "上一个响应没有说 Connection: close，服务端却关闭了连接 / the previous \
                                    response did not say Connection: close, yet the server closed the connection";

/// Sends the exchange's request and reads its response; a failure shows the transcript.
pub fn exchange(stream: &mut TcpStream, exchange: &Exchange, cut: Cut) -> Result<(), Failure> {
    // Taken before sending: a connection the server reset has no peer address any more.
    let ends = ends(stream);
    let kept = kept_before(ends);
    // A send that fails (the server closed) may still have drawn a response: that is judged.
    let sending = send_cut(stream, &exchange.request, cut).err();
    let (received, ending) = read_response(stream, &exchange.response);
    if let Some(failure) = sending
        && received.is_empty()
    {
        let (step, why) = if kept {
            ("12", CLOSED_AFTER_KEEPING)
        } else {
            (
                exchange.step,
                "没有响应，请求还没发完，连接就被关闭了 / no response, and the connection closed \
                 before the whole request was sent",
            )
        };
        let got = format!("{}；{why}", failure.got);
        return Err(Failure::new(exchange.what.clone(), got).step(step));
    }
    // Why it went wrong, where the bytes tell more than the exchange's own step.
    let (step, why) = blame(kept, exchange, &received, &ending);
    let expected = if exchange.closes {
        format!(
            "{}；然后关闭连接 / then the connection closes",
            exchange.what
        )
    } else {
        exchange.what.clone()
    };
    let fail = |note: String| {
        let got = transcript(&exchange.request, cut, &exchange.response, &received, &note);
        Failure::new(expected.clone(), got).step(step)
    };
    if received != exchange.response {
        let note = match why {
            Some(why) => format!("{}；{why}", ending_text(&ending, received.len())),
            None => ending_text(&ending, received.len()),
        };
        return Err(fail(note));
    }
    if exchange.closes {
        match read_some(stream) {
            Ok(more) if more.is_empty() => {}
            // The server closed with bytes of the request still unread: the OS resets.
            Err(error) if error.kind() == ErrorKind::ConnectionReset => {}
            Ok(more) => {
                let mut all = received.clone();
                all.extend_from_slice(&more);
                let got = transcript(
                    &exchange.request,
                    cut,
                    &exchange.response,
                    &all,
                    "响应之后还有字节，连接没有关闭 more bytes after the response, and no close",
                );
                return Err(Failure::new(expected, got).step(exchange.step));
            }
            Err(error) => {
                return Err(fail(format!(
                    "响应对了，连接却没有关闭 the response is right, but the connection stayed open: {}",
                    error_text(&error)
                )));
            }
        }
    } else {
        remember_kept(ends);
    }
    Ok(())
}

/// [`exchange`], and then nothing more for a moment: a response that must end where its head
/// does (HEAD's) shows a body sent all the same.
pub fn exchange_then_quiet(
    stream: &mut TcpStream,
    exchange: &Exchange,
    cut: Cut,
) -> Result<(), Failure> {
    self::exchange(stream, exchange, cut)?;
    let mut received = exchange.response.clone();
    read_the_rest(stream, &mut received);
    let more = received.len() - exchange.response.len();
    if more == 0 {
        return Ok(());
    }
    let note = format!("响应之后又来了 {more} 字节 {more} more bytes came after the response");
    let got = transcript(&exchange.request, cut, &exchange.response, &received, &note);
    Err(Failure::new(exchange.what.clone(), got).step(exchange.step))
}

/// The step to look at when the response is wrong, and why, where the bytes point elsewhere
/// than the exchange's step: a connection closed, with no response, after a response that kept
/// it open is keep-alive's (step 12); a head without the Content-Length the rules call for is
/// the response head's (step 10).
fn blame(
    kept: bool,
    exchange: &Exchange,
    received: &[u8],
    ending: &Ending,
) -> (&'static str, Option<&'static str>) {
    let closed = match ending {
        Ending::Closed => true,
        Ending::Failed(error) => error.kind() == ErrorKind::ConnectionReset,
        Ending::Read => false,
    };
    if received.is_empty() && closed && kept {
        return ("12", Some(CLOSED_AFTER_KEEPING));
    }
    let length = |response: &[u8]| {
        head_of(response).map(|head| {
            head.split(|byte| *byte == b'\n')
                .any(|line| line.to_ascii_lowercase().starts_with(b"content-length:"))
        })
    };
    if length(&exchange.response) == Some(true) && length(received) == Some(false) {
        return (
            "10",
            Some(
                "响应头里没有 Content-Length：客户端不知道正文在哪里结束 / the head has no \
                 Content-Length: the client cannot tell where the body ends",
            ),
        );
    }
    (exchange.step, None)
}

/// The head of a response, up to its empty line, if it has come whole.
fn head_of(response: &[u8]) -> Option<&[u8]> {
    let end = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")?;
    Some(&response[..end + 4])
}

/// Sends `bytes` as `cut` says.
pub fn send_cut(stream: &mut TcpStream, bytes: &[u8], cut: Cut) -> Result<(), Failure> {
    let failed = |error: io::Error| io_failure("发送给你的程序 send to your program", &error);
    let pieces: Vec<&[u8]> = match cut {
        Cut::Whole | Cut::ThenShutdown => vec![bytes],
        Cut::Bytewise => bytes.chunks(1).collect(),
        Cut::At(ends) => {
            let mut pieces = Vec::new();
            let mut start = 0;
            for &end in ends.iter().filter(|end| **end < bytes.len()) {
                pieces.push(&bytes[start..end]);
                start = end;
            }
            pieces.push(&bytes[start..]);
            pieces
        }
    };
    if pieces.len() > 1 {
        stream.set_nodelay(true).map_err(failed)?;
    }
    let count = pieces.len();
    for (index, piece) in pieces.into_iter().enumerate() {
        stream.write_all(piece).map_err(failed)?;
        if matches!(cut, Cut::At(_)) && index + 1 < count {
            thread::sleep(PAUSE);
        }
    }
    if cut == Cut::ThenShutdown {
        stream.shutdown(Shutdown::Write).map_err(failed)?;
    }
    Ok(())
}

/// How reading a response ended.
enum Ending {
    /// As many bytes as expected came, or a wrong one did.
    Read,
    Closed,
    Failed(io::Error),
}

/// Reads until `expected`'s length has come, a byte differs from it, or the peer closes.
fn read_response(stream: &mut TcpStream, expected: &[u8]) -> (Vec<u8>, Ending) {
    let mut received = Vec::new();
    while received.len() < expected.len() && expected.starts_with(&received) {
        match read_some(stream) {
            Ok(bytes) if bytes.is_empty() => return (received, Ending::Closed),
            Ok(bytes) => received.extend_from_slice(&bytes),
            Err(error) => return (received, Ending::Failed(error)),
        }
    }
    if !expected.starts_with(&received) {
        read_the_rest(stream, &mut received);
    }
    (received, Ending::Read)
}

/// How long a wrong response may take to come whole, and how much of it is kept.
const REST_WAIT: Duration = Duration::from_millis(150);
const REST_MAX: usize = 64 * 1024;

/// After a wrong byte: what else the server sends at once (its body, a secret in it), so that
/// the transcript shows it, not just the head.
fn read_the_rest(stream: &mut TcpStream, received: &mut Vec<u8>) {
    if stream.set_read_timeout(Some(REST_WAIT)).is_err() {
        return;
    }
    while received.len() < REST_MAX {
        match read_some(stream) {
            Ok(bytes) if !bytes.is_empty() => received.extend_from_slice(&bytes),
            _ => break,
        }
    }
    let _ = timeouts(stream);
}

fn ending_text(ending: &Ending, received: usize) -> String {
    match ending {
        Ending::Read => "响应不对 the response is wrong".to_owned(),
        Ending::Closed if received == 0 => {
            "连接被关闭了，没有响应 the connection closed with no response".to_owned()
        }
        Ending::Closed => {
            format!(
                "收到 {received} 字节后连接被关闭了 the connection closed after {received} bytes"
            )
        }
        Ending::Failed(error) => format!(
            "收到 {received} 字节 received {received} bytes, then {}",
            error_text(error)
        ),
    }
}

/// How wide the escaped bytes of a transcript's line may be, in columns: the runner indents
/// by 6 and the label takes [`LABEL`], within the terminal's 100.
const ROOM: usize = 80;
/// The columns of a transcript line's label (`收到 got    `, two for each Chinese character).
const LABEL: usize = 12;
/// How much of the bytes before the first difference a line shows, at most.
const BEFORE: usize = 36;

/// The transcript of one exchange: a note, what was sent, what was expected and what came,
/// the last two from the same byte on, with a caret under the first that differs.
fn transcript(sent: &[u8], cut: Cut, expected: &[u8], received: &[u8], note: &str) -> String {
    let leaked = contains(received, SECRET);
    let mut lines = Vec::new();
    if leaked {
        lines.push(
            "它发出了根目录外的 secret.txt！/ it served secret.txt, which is outside the root!"
                .to_owned(),
        );
    }
    let differs = expected
        .iter()
        .zip(received)
        .position(|(want, got)| want != got)
        .unwrap_or(expected.len().min(received.len()));
    lines.push(format!(
        "{note}（第 {differs} 字节起不同 from byte {differs} on, counting from 0）"
    ));
    let how = match cut {
        Cut::Whole => "一次写 in one write",
        Cut::Bytewise => "一次一个字节 a byte per write",
        Cut::At(_) => "分几次写 in several writes",
        Cut::ThenShutdown => "一次写，然后 shutdown(Write) / in one write, then shutdown(Write)",
    };
    lines.push(format!(
        "发送 sent   {} （{} 字节 bytes，{how}）",
        shown(sent, 56),
        sent.len()
    ));
    let tokens_expected: Vec<String> = expected.iter().map(|byte| escape(*byte)).collect();
    let tokens_received: Vec<String> = received.iter().map(|byte| escape(*byte)).collect();
    // Start so that a little of what agrees is shown before the difference.
    let mut start = differs;
    let mut width = 0;
    while start > 0 && width + tokens_expected[start - 1].len() <= BEFORE {
        start -= 1;
        width += tokens_expected[start].len();
    }
    let lead = if start > 0 { "…" } else { "" };
    let window = |tokens: &[String]| {
        let mut text = lead.to_owned();
        let mut used = lead.chars().count();
        for token in &tokens[start.min(tokens.len())..] {
            if used + token.len() > ROOM {
                text.push('…');
                return text;
            }
            used += token.len();
            text.push_str(token);
        }
        text
    };
    lines.push(format!(
        "应该 want   {}（共 {} 字节 bytes）",
        window(&tokens_expected),
        expected.len()
    ));
    let came = if received.is_empty() {
        "（什么也没有 nothing）".to_owned()
    } else {
        format!(
            "{}（共 {} 字节 bytes）",
            window(&tokens_received),
            received.len()
        )
    };
    lines.push(format!("收到 got    {came}"));
    let caret = " ".repeat(LABEL + lead.chars().count() + width);
    lines.push(format!("{caret}^"));
    lines.join("\n")
}

/// Bytes escaped as in a Rust or Python byte string, cut to `room` columns.
pub fn shown(bytes: &[u8], room: usize) -> String {
    let mut text = String::new();
    for byte in bytes {
        let token = escape(*byte);
        if text.len() + token.len() > room {
            text.push('…');
            return text;
        }
        text.push_str(&token);
    }
    text
}

/// One byte as it is written in a byte string: printable ASCII as itself, `\r`, `\n`, `\t`,
/// `\\`, and `\xNN` for the rest.
fn escape(byte: u8) -> String {
    match byte {
        b'\r' => "\\r".to_owned(),
        b'\n' => "\\n".to_owned(),
        b'\t' => "\\t".to_owned(),
        b'\\' => "\\\\".to_owned(),
        0x20..=0x7e => char::from(byte).to_string(),
        _ => format!("\\x{byte:02x}"),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The caret stands under the first byte that differs, past the bytes that agree, on a
    /// line that fits the terminal.
    #[test]
    fn the_caret_points_at_the_first_wrong_byte() {
        let expected = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
        let received = b"HTTP/1.1 404 Not Found\r\n";
        let text = transcript(
            b"GET / HTTP/1.1\r\n\r\n",
            Cut::Whole,
            expected,
            received,
            "x",
        );
        let lines: Vec<&str> = text.lines().collect();
        let got = lines
            .iter()
            .find(|line| line.starts_with("收到"))
            .expect("a got line");
        let caret = lines.last().expect("a caret line");
        let at = caret.find('^').expect("a caret");
        // The character of the got line at the caret's column.
        let mut column = 0;
        let under = got.chars().find(|c| {
            let here = column;
            column += columns::width(&c.to_string());
            here == at
        });
        assert_eq!(under, Some('4'), "{text}");
        assert!(text.contains("from byte 9"), "{text}");
        for line in lines {
            assert!(columns::width(line) <= 94, "{line}");
        }
    }
}
