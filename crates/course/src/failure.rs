//! Turns an `io::Error` into a friendly message: what went wrong and what to do, in Chinese on
//! one line and in English on the next, and what the operating system actually said. A
//! lesson's `main` ends with [`finish`], so a student never sees a panic or a backtrace for a
//! server that is not running or a port that is taken.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;

use crate::kernel::{self, Connection, TcpState};

/// What the program was doing when it failed, so the hint can name the next step.
#[derive(Debug, Clone, Copy)]
pub enum Role {
    /// A client talking to the server at this address.
    Client { server: SocketAddr },
    /// A server bound (or binding) to this address, without SO_REUSEADDR (lesson 2).
    Server { address: SocketAddr },
    /// A server that sets SO_REUSEADDR before it binds (lessons 3, 4, 6, 7 and 8). The lesson
    /// says so here because the socket is gone by the time its error is explained: beside a
    /// TIME_WAIT such a server is told that the old server did not set it, not to set it.
    ReusingServer { address: SocketAddr },
}

impl Role {
    /// The server's address and whether it set SO_REUSEADDR; `None` for a client.
    fn server(self) -> Option<(SocketAddr, bool)> {
        match self {
            Self::Client { .. } => None,
            Self::Server { address } => Some((address, false)),
            Self::ReusingServer { address } => Some((address, true)),
        }
    }
}

/// Ends a lesson: success, or the friendly message on stderr (plus the kernel's evidence for a
/// busy port) and a non-zero exit code.
pub fn finish(result: io::Result<()>, role: Role) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", explain(&error, role));
            ExitCode::FAILURE
        }
    }
}

/// The message for `error`: a Chinese line, an English line, the OS's own words, and for a
/// busy port what the kernel's socket table holds on that port.
pub fn explain(error: &io::Error, role: Role) -> String {
    let table = match (error.kind(), role.server()) {
        (io::ErrorKind::AddrInUse, Some((address, _))) => {
            Some(kernel::on_port(address.port()).map_err(|unavailable| unavailable.to_string()))
        }
        _ => None,
    };
    let (zh, en) = match (&table, role.server()) {
        (Some(rows), Some((address, reuses))) => {
            let states: Vec<TcpState> = rows.iter().flatten().map(|row| row.state).collect();
            address_in_use(address, &states, reuses)
        }
        _ => advice(error, role),
    };
    // A long advice runs over several lines: the lines after a language's first are indented.
    let (zh, en) = (zh.replace('\n', "\n  "), en.replace('\n', "\n  "));
    let mut message = format!(
        "错误：{zh}\nerror: {en}\n  操作系统 the OS: {}",
        os_words(error)
    );
    if let Some(rows) = table {
        let lines = match rows {
            Ok(rows) if rows.is_empty() => vec!["（无 / none）".to_owned()],
            Ok(rows) => rows.iter().map(Connection::to_string).collect(),
            Err(unavailable) => vec![unavailable],
        };
        for line in lines {
            message.push_str("\n  ");
            message.push_str(&line);
        }
    }
    message
}

/// Why `address` is in use, going by the states the kernel's table holds on its port, and
/// what to do: a live listener, a TIME_WAIT this program cannot bind beside, or either.
fn address_in_use(address: SocketAddr, states: &[TcpState], reuses: bool) -> (String, String) {
    let has = |state| states.contains(&state);
    let (zh, en) = if has(TcpState::Listen) {
        (
            "下面的 LISTEN 是另一个服务器正在用这个端口：先停掉它，或换个端口（--port 0 让系统挑）"
                .to_owned(),
            "a LISTEN row is another server on this port: stop it or pick another port\n\
             (--port 0 lets the system choose)"
                .to_owned(),
        )
    } else if has(TcpState::TimeWait) && reuses {
        (
            "下面的 TIME_WAIT 是刚结束的连接还在等待（Linux 上约 60 秒）。本程序设置了 SO_REUSEADDR，\n\
             但留下这个 TIME_WAIT 的旧服务端没有设置（比如第 2 课）。在 Linux 上，新旧两个套接字都设置了它，\n\
             才能绑定一个仍有 TIME_WAIT 连接的端口：等一分钟再启动，或者用 --port 0 换个端口".to_owned(),
            "the TIME_WAIT row below is a connection that just ended, still waiting (about 60 s on Linux).\n\
             This program sets SO_REUSEADDR; the old server that left the TIME_WAIT did not (lesson 2, say),\n\
             and on Linux both sockets need it to bind a port that still has a TIME_WAIT connection:\n\
             wait a minute, or pick another port with --port 0".to_owned(),
        )
    } else if has(TcpState::TimeWait) {
        (
            "下面的 TIME_WAIT 是刚结束的连接还在等待（Linux 上约 60 秒）：等一分钟再启动；\n\
             想立刻重启，服务端要在 bind 之前设置 SO_REUSEADDR，像第 3 课那样（cargo run -p lesson3），\n\
             而且在 Linux 上，留下 TIME_WAIT 的旧服务端也必须设置过".to_owned(),
            "the TIME_WAIT row below is a connection that just ended, still waiting (about 60 s on Linux):\n\
             wait a minute; to restart at once, a server sets SO_REUSEADDR before bind, as lesson 3 does\n\
             (cargo run -p lesson3), and on Linux so must the old server that left it".to_owned(),
        )
    } else if reuses {
        // No table to go by (not Linux), or the port was freed meanwhile: both explanations,
        // and no advice to set the option this program has set.
        (
            "如果是刚结束的连接还在 TIME_WAIT（Linux 上约 60 秒）：本程序设置了 SO_REUSEADDR，但在 Linux 上，\n\
             留下它的旧服务端也必须设置过（第 2 课没有），否则等一分钟再启动；\n\
             如果是另一个服务器正在用这个端口，先停掉它，或换个端口（--port 0 让系统挑）".to_owned(),
            "if a connection that just ended is in TIME_WAIT (about 60 s on Linux):\n\
             this program sets SO_REUSEADDR, but on Linux the old server that left it must have set it too\n\
             (lesson 2 does not), or wait a minute; if a LISTEN row is another server on this port,\n\
             stop it or pick another port (--port 0 lets the system choose)".to_owned(),
        )
    } else {
        // No table to go by (not Linux), or the port was freed meanwhile: both explanations.
        (
            "如果是刚结束的连接还在 TIME_WAIT（Linux 上约 60 秒），等一分钟再启动，\n\
             或者像第 3 课那样设置 SO_REUSEADDR；\n\
             如果是另一个服务器正在用这个端口，先停掉它，或换个端口（--port 0 让系统挑）".to_owned(),
            "if a connection that just ended is in TIME_WAIT (about 60 s on Linux), wait a minute\n\
             or set SO_REUSEADDR as lesson 3 does; if a LISTEN row is another server on this port,\n\
             stop it or pick another port (--port 0 lets the system choose)".to_owned(),
        )
    };
    (
        format!("地址 {address} 已被占用。\n{zh}"),
        format!("address {address} is already in use.\n{en}"),
    )
}

/// What went wrong and what to do, in Chinese and in English.
fn advice(error: &io::Error, role: Role) -> (String, String) {
    use io::ErrorKind as Kind;
    let (zh, en) = match (error.kind(), role, role.server()) {
        (Kind::ConnectionRefused, Role::Client { server }, _) => {
            let start = start_command(server);
            (
                format!("{server} 上没有服务器在监听：请先在另一个终端运行 {start}"),
                format!("no server listens on {server}; start one first: {start}"),
            )
        }
        (Kind::AddrInUse, _, Some((address, reuses))) => {
            return address_in_use(address, &[], reuses);
        }
        (Kind::AddrNotAvailable, _, Some((address, _))) => {
            let ip = address.ip();
            (
                format!("{ip} 不是本机的地址，请绑定 127.0.0.1、::1 或 0.0.0.0"),
                format!("{ip} is not an address of this machine: bind 127.0.0.1, ::1 or 0.0.0.0"),
            )
        }
        (Kind::PermissionDenied, _, Some((address, _))) if address.port() < 1024 => {
            let port = address.port();
            (
                format!(
                    "绑定 1024 以下的端口（这里是 {port}）需要管理员权限，请用 1024 以上的端口或 --port 0"
                ),
                format!(
                    "binding a port below 1024 (here {port}) needs administrator rights:\n\
                     use a port above 1023 or --port 0"
                ),
            )
        }
        // A process that ends does not reset by itself: the kernel closes its sockets as
        // close() does, a FIN unless data is left unread (lesson 4's Ctrl-C test shows both).
        (Kind::ConnectionReset, _, _) => (
            "连接被对方重置（RST）：对方关闭时还有没读的数据（进程结束时，内核也是这样关闭它的套接字），\n\
             或者它设置了 SO_LINGER 0，或者这一端发送的数据到达时，对方的套接字已经关闭了"
                .to_owned(),
            "the peer reset the connection (RST): it closed with data unread (the kernel closes the\n\
             sockets of a process that ends the same way), or set SO_LINGER 0,\n\
             or data arrived after it had closed"
                .to_owned(),
        ),
        (Kind::BrokenPipe, _, _) => (
            "对方已经关闭了连接，不能再发送".to_owned(),
            "the peer has closed the connection: nothing more can be sent".to_owned(),
        ),
        (Kind::TimedOut | Kind::HostUnreachable | Kind::NetworkUnreachable, _, _) => (
            "连不上这个地址，请检查 IP 地址，课上用 127.0.0.1".to_owned(),
            "that address cannot be reached: check the IP address; in class use 127.0.0.1"
                .to_owned(),
        ),
        // A stream that ended too soon, or bytes that are no frame: the program found it, not
        // the OS, and the usual cause in this course is two ends that frame differently.
        (Kind::UnexpectedEof, _, _) => (
            "对方关闭了连接（recv 返回 0），而这一端还在等它的数据：原因看对方打印的话；\n\
             第 6 课的两端要用同样的 --framing"
                .to_owned(),
            "the peer closed the connection (recv returned 0) while this side still waited for data:\n\
             see what the peer printed; in lesson 6, both ends must use the same --framing"
                .to_owned(),
        ),
        (Kind::InvalidData, _, _) => (
            "收到的字节不是约定的格式：两端的分帧方式（--framing）一样吗？".to_owned(),
            "the bytes received are not in the agreed format: do both ends use the same --framing?"
                .to_owned(),
        ),
        _ => (
            "操作系统报告了一个错误".to_owned(),
            "the operating system reported an error".to_owned(),
        ),
    };
    (zh, en)
}

/// Which lesson serves on `server`'s port by default, so the hint names a command that works.
fn start_command(server: SocketAddr) -> String {
    match server.port() {
        8989 => "cargo run -p lesson2".to_owned(),
        9090 => "cargo run -p lesson4".to_owned(),
        9191 => "cargo run -p lesson6 -- server".to_owned(),
        port => format!("cargo run -p lesson4 -- --port {port}"),
    }
}

/// The OS's own description and error number, e.g. `Connection refused (os error 111)`.
fn os_words(error: &io::Error) -> String {
    format!("{:?}: {error}", error.kind())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().expect("a valid literal")
    }

    #[test]
    fn refused_names_the_lesson_to_start() {
        let error = io::Error::from(io::ErrorKind::ConnectionRefused);
        let message = explain(
            &error,
            Role::Client {
                server: addr("127.0.0.1:8989"),
            },
        );
        let lines: Vec<&str> = message.lines().collect();
        assert_eq!(
            lines.len(),
            3,
            "Chinese, English, the OS's words: {message}"
        );
        assert!(
            lines[0].starts_with("错误：") && lines[0].contains("cargo run -p lesson2"),
            "{message}"
        );
        assert!(
            lines[1].starts_with("error: no server listens on"),
            "{message}"
        );
        assert!(lines[2].contains("ConnectionRefused"), "{message}");
    }

    #[test]
    fn privileged_port_hint() {
        let error = io::Error::from_raw_os_error(13); // EACCES, what bind(2) returns for port 80
        let line = explain(
            &error,
            Role::Server {
                address: addr("127.0.0.1:80"),
            },
        );
        assert!(line.contains("below 1024"), "{line}");
        assert!(line.contains("PermissionDenied"), "{line}");
    }

    #[test]
    fn address_in_use_lists_the_kernel_table() {
        let error = io::Error::from(io::ErrorKind::AddrInUse);
        let message = explain(
            &error,
            Role::Server {
                address: addr("127.0.0.1:1"),
            },
        );
        assert!(message.contains("lesson 3"), "{message}");
        assert!(message.lines().count() >= 3, "{message}");
    }

    /// A server without SO_REUSEADDR, refused beside a TIME_WAIT, is told to set it as lesson
    /// 3 does; lesson 3 itself, which sets it, is told that the old server did not, and is
    /// never told to run lesson 3.
    #[test]
    fn time_wait_advice_depends_on_who_set_reuse() {
        let address = addr("127.0.0.1:8989");
        let rows = [TcpState::TimeWait];
        let (zh, en) = address_in_use(address, &rows, false);
        assert!(
            zh.contains("cargo run -p lesson3") && en.contains("as lesson 3 does"),
            "{en}"
        );
        let (zh, en) = address_in_use(address, &rows, true);
        assert!(
            !zh.contains("lesson3") && !en.contains("lesson3"),
            "{zh}\n{en}"
        );
        assert!(
            en.contains("the old server that left the TIME_WAIT did not"),
            "{en}"
        );
        assert!(zh.contains("旧服务端没有设置"), "{zh}");
        let (_, en) = address_in_use(address, &[TcpState::Listen], true);
        assert!(en.contains("a LISTEN row is another server"), "{en}");
    }

    /// A reset is explained by what sends one (data left unread at close, SO_LINGER 0, data
    /// after the close), never by a process that ended: its kernel closes its sockets as
    /// close() does, with a FIN when nothing is left unread.
    #[test]
    fn reset_advice_names_what_sends_an_rst() {
        let error = io::Error::from(io::ErrorKind::ConnectionReset);
        let message = explain(
            &error,
            Role::Client {
                server: addr("127.0.0.1:9090"),
            },
        );
        for cause in [
            "data unread",
            "SO_LINGER 0",
            "after it had closed",
            "没读的数据",
        ] {
            assert!(message.contains(cause), "{cause:?} in {message}");
        }
        assert!(!message.contains("or its process ended"), "{message}");
    }

    /// A server says whether it set SO_REUSEADDR: a ReusingServer beside a TIME_WAIT is told
    /// that the old server did not set it, and a Server (lesson 2) is told to set it.
    #[test]
    fn the_lesson_says_whether_it_set_reuse() {
        let address = addr("127.0.0.1:9");
        let error = io::Error::from(io::ErrorKind::AddrInUse);
        let (_, en) = advice(&error, Role::ReusingServer { address });
        assert!(!en.contains("as lesson 3 does"), "{en}");
        assert!(en.contains("this program sets SO_REUSEADDR"), "{en}");
        let (_, en) = advice(&error, Role::Server { address });
        assert!(en.contains("set SO_REUSEADDR as lesson 3 does"), "{en}");
        assert_eq!(
            Role::ReusingServer { address }.server(),
            Some((address, true))
        );
        assert_eq!(Role::Server { address }.server(), Some((address, false)));
    }

    /// Each error a lesson meets gets its own advice, not the generic line; a permission error
    /// is about a privileged port only below 1024.
    #[test]
    fn each_error_gets_its_own_advice() {
        use io::ErrorKind as Kind;
        // Only the message is made, nothing is sent: a loopback address serves as any.
        let server = Role::Server {
            address: addr("127.0.0.1:8989"),
        };
        let client = Role::Client {
            server: addr("127.0.0.1:8989"),
        };
        for (kind, role, said) in [
            (
                Kind::AddrNotAvailable,
                server,
                "127.0.0.1 is not an address of this machine",
            ),
            (Kind::BrokenPipe, client, "nothing more can be sent"),
            (Kind::TimedOut, client, "cannot be reached"),
            (Kind::HostUnreachable, client, "cannot be reached"),
            (Kind::NetworkUnreachable, client, "cannot be reached"),
            (Kind::UnexpectedEof, client, "the same --framing"),
            (
                Kind::InvalidData,
                client,
                "do both ends use the same --framing?",
            ),
            (
                Kind::Other,
                client,
                "the operating system reported an error",
            ),
        ] {
            let (_, en) = advice(&io::Error::from(kind), role);
            assert!(en.contains(said), "{kind:?}: {said:?} in {en:?}");
        }
        let denied = io::Error::from(Kind::PermissionDenied);
        for (port, privileged) in [(80, true), (1023, true), (1024, false), (8989, false)] {
            let role = Role::Server {
                address: SocketAddr::from(([127, 0, 0, 1], port)),
            };
            let (_, en) = advice(&denied, role);
            assert_eq!(en.contains("below 1024"), privileged, "port {port}: {en}");
        }
    }

    /// A lesson ends with exit code 0 when it did its work, and 1 after it explained an error.
    #[test]
    fn finish_gives_the_exit_code() {
        let client = Role::Client {
            server: addr("127.0.0.1:8989"),
        };
        assert_eq!(finish(Ok(()), client), ExitCode::SUCCESS);
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(finish(Err(refused), client), ExitCode::FAILURE);
    }

    /// A busy port is explained from the kernel's table on it, which the message lists: a live
    /// listener's LISTEN row, or that the table holds nothing there.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_busy_port_lists_what_the_kernel_holds_on_it() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
        let address = listener.local_addr().expect("bound address");
        let busy = io::Error::from(io::ErrorKind::AddrInUse);
        let message = explain(&busy, Role::Server { address });
        assert!(
            message.contains("a LISTEN row is another server on this port: stop it"),
            "{message}"
        );
        // The listener's own advice, not the one for a port whose table is unknown.
        assert!(
            !message.contains("if a connection that just ended"),
            "{message}"
        );
        assert!(
            message
                .lines()
                .last()
                .is_some_and(|line| line.trim_start().starts_with("LISTEN")),
            "{message}"
        );
        drop(listener);
        let message = explain(&busy, Role::Server { address });
        assert!(message.ends_with("\n  （无 / none）"), "{message}");
    }

    /// Every line of every message fits a terminal: at most 100 columns, counting a CJK
    /// character as two (`columns`, the measure the runner and the tour cut their lines by).
    #[test]
    fn every_line_fits() {
        let server = Role::Server {
            address: addr("[::1]:8989"),
        };
        let client = Role::Client {
            server: addr("[::1]:65535"),
        };
        let reusing = Role::ReusingServer {
            address: addr("[::1]:8989"),
        };
        let mut messages = Vec::new();
        for kind in [
            io::ErrorKind::ConnectionRefused,
            io::ErrorKind::AddrInUse,
            io::ErrorKind::AddrNotAvailable,
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::BrokenPipe,
            io::ErrorKind::TimedOut,
            io::ErrorKind::UnexpectedEof,
            io::ErrorKind::InvalidData,
            io::ErrorKind::Other,
        ] {
            messages.push(explain(&io::Error::from(kind), client));
            messages.push(explain(&io::Error::from(kind), server));
            messages.push(explain(&io::Error::from(kind), reusing));
        }
        for reuses in [false, true] {
            for rows in [vec![], vec![TcpState::TimeWait], vec![TcpState::Listen]] {
                let (zh, en) = address_in_use(addr("[::1]:8989"), &rows, reuses);
                messages.push(format!("错误：{zh}\nerror: {en}"));
            }
        }
        for message in messages {
            for line in message.lines() {
                let width = columns::width(line);
                assert!(width <= columns::MAX_COLUMNS, "{width} columns: {line}");
            }
        }
    }
}
