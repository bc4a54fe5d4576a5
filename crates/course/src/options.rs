//! Command-line options that the lessons share, each explained in Chinese first, then English.
//!
//! A lesson flattens one of these into its own `clap` parser, so `--help` is the same
//! everywhere and a bad value (`--port abc`, `--encoding klingon`, `--host 127.0.0.1:8989`)
//! gets the same one clear line and a non-zero exit from every lesson. `--host` takes an IP
//! address or a host name such as `localhost`, looked up as Python's `connect` and `bind` look
//! it up (`course::resolve`).

use std::net::SocketAddr;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, ValueEnum};
use encoding_rs::Encoding;

use crate::encoding::parse_label;
use crate::resolve::{self, Host};

/// Where a client connects, and how it encodes text. `DEFAULT_PORT` is the port of the server
/// it is meant for: the notes' 8989 unless a lesson's server uses another.
#[derive(Debug, Clone, Args)]
pub struct ClientOptions<const DEFAULT_PORT: u16 = 8989> {
    /// 服务端的 IP 地址（IPv4 如 127.0.0.1，IPv6 如 ::1）或主机名（如 localhost，解析出几个地址就打印几个，连接第一个）/ the server's IP address (IPv4 or IPv6) or host name (such as localhost: every address it resolves to is printed, and the first is used)
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_host)]
    pub host: Host,

    /// 服务端的端口号 / the server's port (each lesson's, from `course::lessons`)
    #[arg(long, default_value_t = DEFAULT_PORT, value_parser = parse_port, help = server_ports())]
    pub port: u16,

    /// 文本编码：gbk（Windows 常用）、utf-8（Linux 常用）、gb2312（Java 工具常用）… / text encoding label
    #[arg(long, default_value = "gbk", value_parser = parse_label)]
    pub encoding: &'static Encoding,
}

impl<const DEFAULT_PORT: u16> ClientOptions<DEFAULT_PORT> {
    /// The server's socket address: the host's first address, as one `connect` uses it.
    pub fn server(&self) -> SocketAddr {
        SocketAddr::new(self.host.first(), self.port)
    }
}

/// Where a server listens: the host and port it binds. `DEFAULT_PORT` is the port the notes
/// use for that lesson's server. Lesson 9's web server takes only this: HTTP's bytes are not
/// text in one encoding.
#[derive(Debug, Clone, Args)]
pub struct ListenOptions<const DEFAULT_PORT: u16> {
    /// 绑定的 IP 地址：127.0.0.1 只接受本机连接；0.0.0.0（或 Python 的 ""）接受任何网卡上的 IPv4 连接（课堂共享服务器时用）；也可以写主机名，绑定它解析出的第一个地址 / the IP address to bind: 127.0.0.1 accepts only this machine; 0.0.0.0 (or Python's "") accepts every IPv4 interface; a host name binds the first address it resolves to
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_host)]
    pub host: Host,

    /// 绑定的端口号；0 表示让操作系统挑一个空闲端口 / the port to bind; 0 lets the operating system pick a free one
    #[arg(long, default_value_t = DEFAULT_PORT, value_parser = parse_port)]
    pub port: u16,
}

impl<const DEFAULT_PORT: u16> ListenOptions<DEFAULT_PORT> {
    /// The socket address to bind: the host's first address, as one `bind` uses it.
    pub fn address(&self) -> SocketAddr {
        SocketAddr::new(self.host.first(), self.port)
    }
}

/// Where a server listens, and how it encodes text. `DEFAULT_PORT` is the port the notes use
/// for that lesson's server.
#[derive(Debug, Clone, Args)]
pub struct ServerOptions<const DEFAULT_PORT: u16> {
    #[command(flatten)]
    pub listen: ListenOptions<DEFAULT_PORT>,

    /// 文本编码：gbk（Windows 常用）、utf-8（Linux 常用）、gb2312（Java 工具常用）… / text encoding label
    #[arg(long, default_value = "gbk", value_parser = parse_label)]
    pub encoding: &'static Encoding,
}

impl<const DEFAULT_PORT: u16> ServerOptions<DEFAULT_PORT> {
    /// The socket address to bind: the host's first address, as one `bind` uses it.
    pub fn address(&self) -> SocketAddr {
        self.listen.address()
    }
}

/// `--port`'s help for a client: which lesson's server listens on which port, from the
/// registry: `服务端的端口号（第 2、3 课用 8989，第 4 课用 9090…）/ the server's port (8989 for
/// lessons 2 and 3, …)`.
fn server_ports() -> String {
    let mut ports: Vec<(u16, Vec<u8>)> = Vec::new();
    for lesson in crate::lessons::LESSONS {
        let Some(port) = lesson.port else { continue };
        match ports.iter_mut().find(|(known, _)| *known == port) {
            Some((_, lessons)) => lessons.push(lesson.number),
            None => ports.push((port, vec![lesson.number])),
        }
    }
    let join = |numbers: &[u8], and: &str| {
        let text: Vec<String> = numbers.iter().map(u8::to_string).collect();
        match text.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{}{and}{last}", rest.join(", ")),
            None => String::new(),
        }
    };
    let zh: Vec<String> = ports
        .iter()
        .map(|(port, lessons)| {
            format!("第 {} 课用 {port}", join(lessons, "、").replace(", ", "、"))
        })
        .collect();
    let en: Vec<String> = ports
        .iter()
        .map(|(port, lessons)| {
            let noun = if lessons.len() == 1 {
                "lesson"
            } else {
                "lessons"
            };
            format!("{port} for {noun} {}", join(lessons, " and "))
        })
        .collect();
    format!(
        "服务端的端口号（{}）/ the server's port ({})",
        zh.join("，"),
        en.join(", ")
    )
}

/// Parses the name of one of `E`'s values (an experiment of lessons 5 and 6); for a wrong one
/// it lists the names, the Chinese line first. It offers the names as possible values, so
/// `--help` shows them too. Use it as `#[arg(value_parser = ExperimentName::<E>::default())]`.
#[derive(Clone)]
pub struct ExperimentName<E>(std::marker::PhantomData<E>);

impl<E> Default for ExperimentName<E> {
    fn default() -> Self {
        ExperimentName(std::marker::PhantomData)
    }
}

impl<E: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for ExperimentName<E> {
    type Value = E;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<E, clap::Error> {
        let text = value.to_string_lossy();
        E::from_str(&text, false).map_err(|_| {
            let names: Vec<String> = E::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value)
                .map(|value| value.get_name().to_owned())
                .collect();
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!(
                    "没有名为 '{text}' 的实验\n\
                     there is no experiment named '{text}'\n\
                     可选的有 the experiments are:\n{}\n",
                    wrapped(&names)
                ),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            E::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// `names`, comma-separated, in indented lines of at most about 80 columns.
fn wrapped(names: &[String]) -> String {
    let mut lines = Vec::new();
    let mut line = String::from(" ");
    for name in names {
        if line.len() > 1 && line.len() + name.len() > 76 {
            lines.push(std::mem::replace(&mut line, String::from(" ")));
        }
        line.push(' ');
        line.push_str(name);
        line.push(',');
    }
    lines.push(line);
    let mut text = lines.join("\n");
    text.pop();
    text
}

/// An IP address or a host name, with every address the name resolves to; one clear line for
/// text that is neither, or a name that does not resolve.
pub fn parse_host(text: &str) -> Result<Host, String> {
    resolve::parse(text)
}

/// A TCP port, 0 to 65535. The refusal starts on a line of its own, after clap's
/// `error: invalid value … for '--port <PORT>':`, so that no line is wider than a terminal.
pub fn parse_port(text: &str) -> Result<u16, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "\n  '{text}' 不是端口号：端口是 0 到 65535 之间的整数\n  \
             '{text}' is not a port: a port is a whole number from 0 to 65535"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client's `--port` help names every lesson server's port, from the registry.
    #[test]
    fn the_port_help_lists_every_lesson_server() {
        assert_eq!(
            server_ports(),
            "服务端的端口号（第 2、3 课用 8989，第 4 课用 9090，第 6 课用 9191，第 7 课用 9292，第 8 课用 9393，\
             第 9 课用 9494）/ the server's port (8989 for lessons 2 and 3, 9090 for lesson 4, \
             9191 for lesson 6, 9292 for lesson 7, 9393 for lesson 8, 9494 for lesson 9)"
        );
    }

    /// A long list of names runs over indented lines of at most 80 columns, each name once, in
    /// order, with a comma after each but the last; a short list is one line.
    #[test]
    fn names_are_wrapped_in_indented_lines() {
        let names: Vec<String> = (0..30).map(|n| format!("experiment-{n:02}")).collect();
        let text = wrapped(&names);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 1, "{text}");
        for line in &lines {
            assert!(line.starts_with("  ") && line.len() <= 80, "{line:?}");
        }
        let all: Vec<&str> = text
            .split([',', '\n', ' '])
            .filter(|w| !w.is_empty())
            .collect();
        assert_eq!(all, names, "{text}");
        assert!(
            lines[..lines.len() - 1]
                .iter()
                .all(|line| line.ends_with(',')),
            "{text}"
        );
        assert!(!text.ends_with(','), "{text}");
        assert_eq!(
            wrapped(&["glued".to_owned(), "split".to_owned()]),
            "  glued, split"
        );
        // Eleven names of five letters end exactly at column 76 before the last comma: still
        // one line; one letter more and the last name goes on the next.
        let eleven: Vec<String> = (0..11).map(|n| format!("name{n:x}")).collect();
        assert_eq!(wrapped(&eleven).lines().count(), 1, "{}", wrapped(&eleven));
        let longer: Vec<String> = (0..11).map(|n| format!("names{n:x}")).collect();
        assert_eq!(wrapped(&longer).lines().count(), 2, "{}", wrapped(&longer));
        // A name too long for any line still starts the first one, which is never empty.
        let huge = "x".repeat(80);
        assert_eq!(wrapped(std::slice::from_ref(&huge)), format!("  {huge}"));
    }

    /// A wrong experiment name is refused with the list of the right ones, and `--help` and
    /// shell completion get the same list.
    #[test]
    fn an_experiment_name_is_one_of_the_list() {
        #[derive(Clone, Debug, PartialEq, ValueEnum)]
        enum Demo {
            Glued,
            Split,
        }
        let parser = ExperimentName::<Demo>::default();
        let cmd = clap::Command::new("lesson6");
        assert_eq!(
            parser.parse_ref(&cmd, None, "split".as_ref()).ok(),
            Some(Demo::Split)
        );
        let error = parser
            .parse_ref(&cmd, None, "sticky".as_ref())
            .expect_err("no such experiment")
            .to_string();
        assert!(
            error.contains("there is no experiment named 'sticky'"),
            "{error}"
        );
        assert!(error.contains("  glued, split"), "{error}");
        let possible: Vec<String> = parser
            .possible_values()
            .expect("a list")
            .map(|value| value.get_name().to_owned())
            .collect();
        assert_eq!(possible, ["glued", "split"]);
    }

    #[test]
    fn ports_out_of_range_are_refused() {
        assert_eq!(parse_port("8989"), Ok(8989));
        assert!(parse_port("abc").is_err());
        assert!(parse_port("70000").is_err());
        assert!(parse_port("-1").is_err());
    }

    #[test]
    fn hosts_are_addresses_or_names() {
        let server = |host: &str| {
            parse_host(host).map(|host| ClientOptions::<8989> {
                host,
                port: 8989,
                encoding: encoding_rs::GBK,
            })
        };
        assert_eq!(
            server("::1").map(|options| options.server()),
            Ok("[::1]:8989".parse().expect("a valid literal"))
        );
        let localhost = server("localhost").expect("every system resolves localhost");
        assert_eq!(localhost.server().ip(), localhost.host.addresses[0]);
        assert!(parse_host("127.0.0.1:8989").is_err_and(|e| e.contains("--port")));
    }
}
