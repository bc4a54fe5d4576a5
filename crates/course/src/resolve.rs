//! 主机名解析 / Turning what a student types after `--host` into IP addresses.
//!
//! The notes' students write `connect(("localhost", 8989))` as often as
//! `connect(("127.0.0.1", 8989))`, and Python looks the name up for them. The lessons do the
//! same through std's `ToSocketAddrs`, which is `getaddrinfo(3)`: `/etc/hosts` first, then DNS,
//! as `/etc/nsswitch.conf` orders them. Every address it returns is kept, in its order, and a
//! lesson prints them ([`Host::resolution`]), because a name can stand for several addresses:
//! where `/etc/hosts` lists `::1 localhost` beside `127.0.0.1 localhost`, glibc puts `::1`
//! first (RFC 6724), and a client that tries only that one is refused by a server that
//! listens on 127.0.0.1 alone.
//!
//! What it deliberately leaves out: sockets. Looking a name up opens none (glibc may ask a DNS
//! server over its own socket, but that is the resolver's, not the lesson's); the lesson's
//! `connect` or `bind` stays in the lesson.

use std::net::{IpAddr, Ipv4Addr, ToSocketAddrs};

/// What came after `--host`, and the addresses it stands for, in the resolver's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// The text as the student typed it.
    pub text: String,
    /// Every address, in order; never empty.
    pub addresses: Vec<IpAddr>,
    /// Whether the text was a name the resolver looked up (not an IP address, not `""`).
    pub looked_up: bool,
}

impl Host {
    /// The address a program that makes one `connect` or `bind` uses: the first.
    pub fn first(&self) -> IpAddr {
        // `parse` never builds a `Host` without an address.
        self.addresses[0]
    }

    /// The line a lesson prints to show what a name became, `None` for an IP address (there
    /// is nothing to show). With several addresses it says that one `connect` takes the first.
    pub fn resolution(&self) -> Option<String> {
        if !self.looked_up && !self.text.trim().is_empty() {
            return None;
        }
        let list: Vec<String> = self.addresses.iter().map(IpAddr::to_string).collect();
        let source = if self.looked_up {
            "getaddrinfo"
        } else {
            "Python 的 \"\" 即 INADDR_ANY"
        };
        let mut line = format!(
            "主机名解析 resolved '{}' ({source}): {}",
            self.text,
            list.join(", ")
        );
        if list.len() > 1 {
            line.push_str("；用第一个 using the first");
        }
        Some(line)
    }
}

/// Text that can be neither an address nor a name (`127.0.0.1:8989`), said on lines of its own.
const NOT_A_HOST: &str = "\n  不是 IP 地址，也不是主机名：请写 127.0.0.1、::1 或 localhost，端口用 --port 给\n  \
     not an IP address or host name: write 127.0.0.1, ::1 or localhost; the port goes in --port";

/// Parses `--host`: an IP address as it is, `""` as Python's `""` (0.0.0.0, every IPv4
/// interface), anything else as a host name looked up with `getaddrinfo`. A name that does not
/// resolve, or text that cannot be a name, gets one line saying so, Chinese first.
pub fn parse(text: &str) -> Result<Host, String> {
    let trimmed = text.trim();
    if let Ok(address) = trimmed.parse::<IpAddr>() {
        return Ok(Host::literal(text, address));
    }
    if trimmed.is_empty() {
        return Ok(Host::literal(text, IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
    }
    if !is_host_name(trimmed) {
        return Err(NOT_A_HOST.to_owned());
    }
    let addresses = look_up(trimmed).map_err(|why| {
        format!(
            "\n  无法解析主机名 {trimmed} / cannot resolve the host name {trimmed}\n  \
             解析器 the resolver: {why}"
        )
    })?;
    Ok(Host {
        text: trimmed.to_owned(),
        addresses,
        looked_up: true,
    })
}

impl Host {
    fn literal(text: &str, address: IpAddr) -> Host {
        Host {
            text: text.trim().to_owned(),
            addresses: vec![address],
            looked_up: false,
        }
    }
}

/// Every address `getaddrinfo` returns for `name`, in its order (port 0: only the addresses
/// matter here; the port comes from `--port`).
fn look_up(name: &str) -> Result<Vec<IpAddr>, String> {
    let found = (name, 0)
        .to_socket_addrs()
        .map_err(|error| error.to_string())?;
    let addresses: Vec<IpAddr> = found.map(|address| address.ip()).collect();
    if addresses.is_empty() {
        return Err("没有地址 no address".to_owned());
    }
    Ok(addresses)
}

/// Whether `text` can be a host name (RFC 1123: letters, digits, `-` and `.`), so that
/// `127.0.0.1:8989` or `http://localhost` is refused at once, before any look-up.
fn is_host_name(text: &str) -> bool {
    let name = text.strip_suffix('.').unwrap_or(text);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_taken_as_they_are() {
        let host = parse("::1").expect("an IPv6 literal");
        assert_eq!(host.addresses, [IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])]);
        assert!(!host.looked_up);
        assert_eq!(
            host.resolution(),
            None,
            "an address needs no resolution line"
        );
        assert_eq!(
            parse(" 127.0.0.1 ").map(|h| h.first()),
            Ok(IpAddr::V4(Ipv4Addr::LOCALHOST))
        );
    }

    #[test]
    fn the_empty_host_is_pythons_inaddr_any() {
        let host = parse("").expect("Python's \"\"");
        assert_eq!(host.first(), IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let line = host
            .resolution()
            .expect("\"\" is shown, it is not what it looks like");
        assert!(
            line.contains("INADDR_ANY") && line.contains("0.0.0.0"),
            "{line}"
        );
    }

    #[test]
    fn localhost_resolves_as_getaddrinfo_says() {
        let host = parse("localhost").expect("every system resolves localhost");
        let expected: Vec<IpAddr> = ("localhost", 0)
            .to_socket_addrs()
            .expect("every system resolves localhost")
            .map(|a| a.ip())
            .collect();
        assert_eq!(
            host.addresses, expected,
            "every address, in getaddrinfo's order"
        );
        assert!(host.looked_up);
        let line = host.resolution().expect("a name shows what it became");
        for address in &expected {
            assert!(line.contains(&address.to_string()), "{line}");
        }
        assert_eq!(
            line.contains("using the first"),
            expected.len() > 1,
            "{line}"
        );
    }

    #[test]
    fn several_addresses_say_that_the_first_is_used() {
        let host = |addresses: &[&str]| Host {
            text: "localhost".to_owned(),
            addresses: addresses
                .iter()
                .map(|a| a.parse().expect("a literal"))
                .collect(),
            looked_up: true,
        };
        let both = host(&["::1", "127.0.0.1"])
            .resolution()
            .expect("a name is shown");
        assert_eq!(
            both,
            "主机名解析 resolved 'localhost' (getaddrinfo): ::1, 127.0.0.1；用第一个 using the first"
        );
        let one = host(&["127.0.0.1"]).resolution().expect("a name is shown");
        assert!(!one.contains("using the first"), "{one}");
    }

    #[test]
    fn what_cannot_be_a_name_is_refused_before_any_look_up() {
        for text in ["127.0.0.1:8989", "http://localhost", "a b", "x..y"] {
            let error = parse(text).expect_err(text);
            assert!(error.contains("not an IP address or host name"), "{error}");
        }
        assert!(is_host_name("ip6-localhost") && is_host_name("localhost."));
    }
}
