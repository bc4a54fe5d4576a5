//! Small printing helpers, so that every lesson shows addresses and bytes the same way.

use std::net::SocketAddr;

use columns::{MAX_COLUMNS, fit, width};
use socket2::SockAddr;

// ANCHOR: say
/// Prints one line on stdout and carries on if it cannot: `println!` panics
/// when stdout is a closed pipe (`lesson7 | head`), and one failed log line
/// must not end a server. The lock makes each line one write, so lines from
/// different threads never interleave.
#[macro_export]
macro_rules! say {
    ($($line:tt)*) => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!(::std::io::stdout().lock(), $($line)*);
    }};
}
// ANCHOR_END: say

/// The first line a lesson server prints: tests and students read the bound address from it,
/// which matters when `--port 0` let the kernel pick the port.
pub fn announce_listening(bound: SocketAddr) {
    say!("正在监听 listening on {bound}");
}

/// An IPv4 or IPv6 socket address as `127.0.0.1:8989` or `[::1]:8989`.
pub fn addr_text(addr: &SockAddr) -> String {
    match addr.as_socket() {
        Some(socket_addr) => socket_addr.to_string(),
        // Only IP sockets appear in this course; anything else is shown as socket2 sees it.
        None => format!("{addr:?}"),
    }
}

/// `n` and its noun, singular for one: `1 client`, `2 clients`, `0 clients`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Prints `text` after `first`, cut by [`fit`] into lines that fit, lined up under `rest`.
/// All the lines go out in one write, so that another thread's line never lands among them;
/// a closed stdout is ignored, as [`say!`] does.
pub fn print_fit(text: &str, first: &str, rest: &str) {
    let mut lines = fit(text, first, rest).join("\n");
    lines.push('\n');
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), lines.as_bytes());
}

/// Prints a `中文 / English` text after `first`: on one line if it fits, otherwise the Chinese
/// on one line and the English on the next, under `rest`, each cut further if still too wide.
pub fn print_both(text: &str, first: &str, rest: &str) {
    let mut lines = both(text, first, rest).join("\n");
    lines.push('\n');
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), lines.as_bytes());
}

/// The lines [`print_both`] prints.
pub(crate) fn both(text: &str, first: &str, rest: &str) -> Vec<String> {
    let one_line = format!("{first}{text}");
    match text.split_once(" / ") {
        Some((chinese, english)) if width(&one_line) > MAX_COLUMNS => {
            let mut lines = fit(chinese, first, rest);
            lines.extend(fit(english, rest, rest));
            lines
        }
        _ => fit(text, first, rest),
    }
}

/// Prints what a server received from a client: `收到 received 5 字节 bytes 来自 from ADDR: 你好`,
/// and under it a note when some bytes were not valid text (shown as `�`).
///
/// The client's text is the client's, not the lesson's, so it may be any length: when the line
/// would be wider than [`MAX_COLUMNS`], the text goes on lines of its own under the first,
/// indented by two and cut wherever the room ends (a 1 KiB message is one word). Everything goes
/// out in one write, so that another thread's line never lands among these.
pub fn print_received(length: usize, from: impl std::fmt::Display, text: &str) {
    // One buffer per thread, reused: a thousand threads each printing every message would
    // otherwise allocate and free several strings a message, which lesson 4's benchmark shows.
    thread_local! {
        static LINES: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    LINES.with_borrow_mut(|lines| {
        lines.clear();
        write_received(lines, length, from, text);
        write_unlocked(lines.as_bytes());
    });
}

/// Writes whole lines to stdout in one `write(2)` where it can (Unix), without std's stdout
/// lock. A server of a thousand threads prints a line for every message (lesson 4): behind one
/// lock, a thread the scheduler stops while it holds it makes every other printing thread wait,
/// and the whole server slows to the pace of that queue (a lock convoy). The kernel keeps each
/// `write` whole: a terminal's and a file's writes are serialized, and a pipe's are atomic up to
/// PIPE_BUF (4 KiB, POSIX), more than a screen of lines. Elsewhere, the lock.
fn write_unlocked(bytes: &[u8]) {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let stdout = std::io::stdout();
        let mut rest = bytes;
        while !rest.is_empty() {
            match rustix::io::write(stdout.as_fd(), rest) {
                Ok(0) => return,
                Ok(written) => rest = &rest[written..],
                Err(rustix::io::Errno::INTR) => {}
                // A closed stdout (lesson 5's `| head`) is no reason to stop a server.
                Err(_) => return,
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), bytes);
    }
}

/// Writes the lines [`print_received`] prints into `out`, each ending in a newline.
fn write_received(out: &mut String, length: usize, from: impl std::fmt::Display, text: &str) {
    use std::fmt::Write as _;
    let _ = write!(out, "收到 received {length} 字节 bytes 来自 from {from}:");
    if !text.contains('\n') && width(out) + 1 + width(text) <= MAX_COLUMNS {
        out.push(' ');
        out.push_str(text);
        out.push('\n');
    } else {
        out.push('\n');
        for line in text.lines() {
            cut_to_width(out, line, "  ");
        }
    }
    if text.contains('\u{FFFD}') {
        out.push_str(
            "  （有些字节不是合法的文本，显示为 � / some bytes are not valid text and show as �）\n",
        );
    }
}

/// The lines [`print_received`] prints.
#[cfg(test)]
fn received_lines(length: usize, from: impl std::fmt::Display, text: &str) -> Vec<String> {
    let mut out = String::new();
    write_received(&mut out, length, from, text);
    out.lines().map(str::to_owned).collect()
}

/// Writes `text` into `out` after `indent`, cut into lines of at most [`MAX_COLUMNS`] columns,
/// anywhere, each ending in a newline.
fn cut_to_width(out: &mut String, text: &str, indent: &str) {
    out.push_str(indent);
    let mut columns = width(indent);
    for c in text.chars() {
        let wide = width(c.encode_utf8(&mut [0; 4]));
        if columns + wide > MAX_COLUMNS {
            out.push('\n');
            out.push_str(indent);
            columns = width(indent);
        }
        out.push(c);
        columns += wide;
    }
    out.push('\n');
}

/// Bytes as Python prints them (`b'\xc4\xe3ok'`), so the output matches the notes' `print(recv_data)`.
///
/// A long run goes on over lines of its own, indented by two, so that the line it is printed
/// in stays within the terminal's width; an escape (`\xe9`) is never cut.
pub fn bytes_text(bytes: &[u8]) -> String {
    // Room for the repr after a label such as "收到原始字节 received 28 bytes: ".
    const PER_LINE: usize = 60;
    let mut text = String::from("b'");
    let mut line = text.len();
    for byte in bytes {
        let escaped = byte.escape_ascii().to_string();
        if line + escaped.len() > PER_LINE {
            text.push_str("\n  ");
            line = 2;
        }
        line += escaped.len();
        text.push_str(&escaped);
    }
    text.push('\'');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long text is cut to lines of exactly 100 columns where it can be: a line is full, not
    /// one character short, and a wide character that would pass the edge starts the next.
    #[test]
    fn long_text_is_cut_at_the_edge() {
        let cut = |text: &str| {
            let mut out = String::new();
            cut_to_width(&mut out, text, "  ");
            out.lines().map(str::to_owned).collect::<Vec<_>>()
        };
        let lines = cut(&"x".repeat(2 * MAX_COLUMNS));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[..2].iter().all(|line| width(line) == MAX_COLUMNS),
            "{lines:?}"
        );
        assert_eq!(lines[2], format!("  {}", "x".repeat(4)));
        let wide = cut(&format!("{}汉字", "x".repeat(MAX_COLUMNS - 3)));
        assert_eq!(wide[0], format!("  {}", "x".repeat(MAX_COLUMNS - 3)));
        assert_eq!(wide[1], "  汉字");
    }

    /// A `中文 / English` text that fits stays on one line; one a column too wide puts each
    /// language on a line of its own, the English under `rest`.
    #[test]
    fn both_languages_share_a_line_only_when_it_fits() {
        let first = "  ";
        let english = "e".repeat(MAX_COLUMNS - width(first) - width("中文 / "));
        let fits = format!("中文 / {english}");
        assert_eq!(width(&format!("{first}{fits}")), MAX_COLUMNS);
        assert_eq!(both(&fits, first, "    "), [format!("{first}{fits}")]);
        let wide = format!("{fits}e");
        assert_eq!(
            both(&wide, first, "    "),
            [format!("{first}中文"), format!("    {english}e")]
        );
        assert_eq!(both("只有中文", first, "    "), ["  只有中文"]);
    }

    #[test]
    fn bytes_print_like_python() {
        assert_eq!(bytes_text(b"ok\xc4\xe3'"), r"b'ok\xc4\xe3\''");
    }

    /// A long run of bytes goes on over lines no wider than 60 columns, and no escape is cut.
    #[test]
    fn long_bytes_go_on_over_lines() {
        let text = bytes_text("ok, 问题正在处理中...".as_bytes());
        assert!(text.lines().count() > 1, "{text}");
        for line in text.lines() {
            assert!(line.len() <= 60, "{line}");
        }
        assert_eq!(
            text.replace("\n  ", ""),
            format!("b'{}'", "ok, 问题正在处理中...".as_bytes().escape_ascii())
        );
    }

    /// Lines of bytes are as full as 60 columns allow: 60 plain bytes after `b'` make a first
    /// line of 60 columns and start the next with the rest.
    #[test]
    fn lines_of_bytes_are_full() {
        let text = bytes_text(&[b'a'; 100]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0].len(), 60, "{text}");
        assert_eq!(lines[1], format!("  {}'", "a".repeat(42)), "{text}");
    }

    /// A short message is printed on the line that says where it came from; a long one, or one
    /// of several lines, goes on lines of its own that fit, and nothing of it is lost.
    #[test]
    fn a_received_text_fits_the_terminal() {
        let from = "127.0.0.1:54321";
        assert_eq!(
            received_lines(2, from, "ok"),
            ["收到 received 2 字节 bytes 来自 from 127.0.0.1:54321: ok"]
        );
        let long = format!("{}好", "a".repeat(1023));
        let lines = received_lines(1026, from, &long);
        assert_eq!(
            lines[0],
            "收到 received 1026 字节 bytes 来自 from 127.0.0.1:54321:"
        );
        assert!(lines.len() > 10, "{lines:?}");
        for line in &lines {
            assert!(
                width(line) <= MAX_COLUMNS,
                "{} columns: {line}",
                width(line)
            );
        }
        let rest: String = lines[1..].iter().map(|line| &line[2..]).collect();
        assert_eq!(rest, long);
        let two = received_lines(3, from, "a\nb");
        assert_eq!(two[1..], ["  a", "  b"]);
    }

    /// A received line exactly as wide as the terminal stays whole; one column more and the
    /// text goes on a line of its own under the head.
    #[test]
    fn a_received_line_is_cut_one_column_past_the_edge() {
        let from = "127.0.0.1:54321";
        let head = format!("收到 received 99 字节 bytes 来自 from {from}:");
        let room = MAX_COLUMNS - width(&head) - 1;
        let fits = received_lines(99, from, &"x".repeat(room));
        assert_eq!(fits, [format!("{head} {}", "x".repeat(room))]);
        assert_eq!(width(&fits[0]), MAX_COLUMNS);
        let over = received_lines(99, from, &"x".repeat(room + 1));
        assert_eq!(over, [head, format!("  {}", "x".repeat(room + 1))]);
    }

    /// Bytes that were not text get a note under the text, in both languages.
    #[test]
    fn invalid_text_gets_a_note() {
        let lines = received_lines(4, "[::1]:1", "\u{FFFD}ok");
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[1].contains("not valid text"), "{lines:?}");
        assert!(received_lines(2, "[::1]:1", "ok").len() == 1);
    }

    #[test]
    fn one_is_singular() {
        assert_eq!(count(1, "client", "clients"), "1 client");
        assert_eq!(count(2, "client", "clients"), "2 clients");
        assert_eq!(count(0, "byte", "bytes"), "0 bytes");
    }

    #[test]
    fn ipv6_addresses_are_bracketed() {
        let addr: SocketAddr = "[::1]:8989".parse().expect("a valid literal");
        assert_eq!(addr_text(&addr.into()), "[::1]:8989");
    }
}
