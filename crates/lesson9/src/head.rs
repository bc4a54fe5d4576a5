//! Step 7: reading one request's head, lesson 6's framing applied to HTTP.
//!
//! HTTP has no length in front of its head: the head ends at the first empty line. So the
//! server receives until it has seen one, across as many `recv` calls as it takes (a client may
//! send a byte at a time), keeps whatever came after it for the next request (a client may send
//! two requests in one write: pipelining), and stops at a size limit and a deadline, so that no
//! client can make it buffer without end or wait forever.

use std::io;
use std::time::{Duration, Instant};

use socket2::Socket;

use crate::response::Status;

/// The longest request line accepted, without its line end. A longer one is refused with 414.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The longest head accepted, request line and headers together. A longer one gets 431.
pub const MAX_HEAD: usize = 16 * 1024;

/// How a connection's wait for a request head ended, when it did not end in a head.
#[derive(Debug)]
pub enum NoHead {
    /// The client closed its end before sending any byte of a request: it is done.
    Closed,
    /// The client closed its end in the middle of a head: nobody is left to answer.
    ClosedMidway(usize),
    /// The deadline passed: with no byte of a request (an idle keep-alive connection), or
    /// with part of one (a client too slow, or a slowloris), which gets 408.
    TimedOut { received: usize },
    /// The head outgrew a limit: 414 or 431, sent at once, without waiting for the rest.
    TooLong(Status),
    /// `recv` failed: a reset, say.
    Failed(io::Error),
}

// ANCHOR: read_head
/// Receives from `socket` until `pending` holds a whole head, and returns it; the bytes after
/// it stay in `pending`. The whole head must arrive within `timeout` from the call, however
/// slowly it trickles in: each `recv` waits only as long as is left of it. `arrived` is
/// called whenever bytes come: the request is in flight (step 12 answers it after Ctrl-C).
pub fn read_head(
    socket: &Socket,
    pending: &mut Vec<u8>,
    timeout: Duration,
    arrived: impl Fn(),
) -> Result<Vec<u8>, NoHead> {
    let deadline = Instant::now() + timeout;
    let mut recv_data = [0u8; 4096];
    loop {
        if let Some(head) = take_head(pending)? {
            return Ok(head);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(NoHead::TimedOut {
                received: pending.len(),
            });
        }
        // 7.1 只等到期限为止：SO_RCVTIMEO 是每次 recv 的上限，所以每次设成剩下的时间。
        //     Wait no longer than the deadline: SO_RCVTIMEO bounds each recv, so each gets
        //     what is left. Python: settimeout(left)
        socket
            .set_read_timeout(Some(left))
            .map_err(NoHead::Failed)?;
        // 7.2 接收，这次最多 4096 字节，可能只是请求头的一部分。 Python: recv(4096)
        //     Receive at most 4096 bytes this time: perhaps only a part of the head.
        match socket.recv(course::as_uninit(&mut recv_data)) {
            Ok(0) if pending.is_empty() => return Err(NoHead::Closed),
            Ok(0) => return Err(NoHead::ClosedMidway(pending.len())),
            Ok(length) => {
                pending.extend_from_slice(&recv_data[..length]);
                arrived();
            }
            // The timeout shows as WouldBlock on Unix and TimedOut on Windows.
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(NoHead::TimedOut {
                    received: pending.len(),
                });
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(NoHead::Failed(error)),
        }
    }
}
// ANCHOR_END: read_head

/// Takes a whole head out of `pending` if it holds one, leaving the bytes after it; refuses
/// one, whole or in part, that is over a limit already (414, 431).
pub fn take_head(pending: &mut Vec<u8>) -> Result<Option<Vec<u8>>, NoHead> {
    skip_empty_lines(pending);
    if let Some(end) = head_end(pending) {
        check_limits(&pending[..end])?;
        return Ok(Some(pending.drain(..end).collect()));
    }
    check_limits(pending)?;
    Ok(None)
}

/// Drops the empty lines a client may send before a request line (RFC 9112 §2.2 asks a server
/// to ignore at least one: some clients end a request's body with an extra CRLF).
fn skip_empty_lines(pending: &mut Vec<u8>) {
    let blank = pending
        .iter()
        .take_while(|&&byte| byte == b'\r' || byte == b'\n')
        .count();
    // A lone CR may be the start of a CRLF that is still on its way: keep it for now.
    let blank = match pending[..blank].last() {
        Some(b'\r') => blank - 1,
        _ => blank,
    };
    pending.drain(..blank);
}

/// Where the head in `bytes` ends: just after its first empty line. Lines end in CRLF, and a
/// bare LF is accepted too (RFC 9112 §2.2), as a student typing into `nc` sends.
pub fn head_end(bytes: &[u8]) -> Option<usize> {
    bytes.iter().enumerate().find_map(|(at, &byte)| {
        let after = &bytes[at + 1..];
        match (byte, after) {
            (b'\n', [b'\n', ..]) => Some(at + 2),
            (b'\n', [b'\r', b'\n', ..]) => Some(at + 3),
            _ => None,
        }
    })
}

// ANCHOR: check_limits
/// Refuses a head, whole or in part, that is already over a limit: a request line over
/// [`MAX_REQUEST_LINE`] (414), or a head over [`MAX_HEAD`] (431).
fn check_limits(head: &[u8]) -> Result<(), NoHead> {
    let line = head
        .iter()
        .position(|&byte| byte == b'\n')
        .map_or(head, |end| &head[..end]);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() > MAX_REQUEST_LINE {
        return Err(NoHead::TooLong(Status::URI_TOO_LONG));
    }
    if head.len() > MAX_HEAD {
        return Err(NoHead::TooLong(Status::HEADERS_TOO_LARGE));
    }
    Ok(())
}
// ANCHOR_END: check_limits

#[cfg(test)]
mod tests {
    use super::*;

    /// A head ends at its first empty line, CRLF or bare LF, and not before.
    #[test]
    fn a_head_ends_at_its_first_empty_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET"), Some(27));
        assert_eq!(head_end(b"GET / HTTP/1.0\n\n"), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.0\r\n\nX"), Some(17));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r"), None);
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n"), None);
        assert_eq!(head_end(b""), None);
    }

    /// Empty lines before a request are skipped; a CR that may start a CRLF is kept.
    #[test]
    fn empty_lines_before_a_request_are_skipped() {
        let mut pending = b"\r\n\nGET".to_vec();
        skip_empty_lines(&mut pending);
        assert_eq!(pending, b"GET");
        let mut pending = b"\r\n\r".to_vec();
        skip_empty_lines(&mut pending);
        assert_eq!(pending, b"\r");
    }

    /// The limits are on the request line without its line end, and on the whole head.
    #[test]
    fn the_limits_are_exact() {
        let line = |length| {
            let mut head = b"GET /".to_vec();
            head.resize(length, b'a');
            head.extend_from_slice(b"\r\n");
            head
        };
        assert!(check_limits(&line(MAX_REQUEST_LINE)).is_ok());
        assert!(matches!(
            check_limits(&line(MAX_REQUEST_LINE + 1)),
            Err(NoHead::TooLong(Status::URI_TOO_LONG))
        ));
        assert!(check_limits(&vec![b'a'; MAX_REQUEST_LINE]).is_ok());
        let mut head = line(10);
        head.resize(MAX_HEAD, b'h');
        assert!(check_limits(&head).is_ok());
        head.push(b'h');
        assert!(matches!(
            check_limits(&head),
            Err(NoHead::TooLong(Status::HEADERS_TOO_LARGE))
        ));
    }
}
