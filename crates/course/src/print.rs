//! Small printing helpers, so that every lesson shows addresses and bytes the same way.

use std::net::SocketAddr;

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
    println!("正在监听 listening on {bound}");
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

/// Bytes as Python prints them (`b'\xc4\xe3ok'`), so the output matches the notes' `print(recv_data)`.
pub fn bytes_text(bytes: &[u8]) -> String {
    format!("b'{}'", bytes.escape_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_print_like_python() {
        assert_eq!(bytes_text(b"ok\xc4\xe3'"), r"b'ok\xc4\xe3\''");
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
