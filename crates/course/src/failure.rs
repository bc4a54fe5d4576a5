//! Turns an `io::Error` into one friendly line: what went wrong, what to do, and what the
//! operating system actually said. A lesson's `main` ends with [`finish`], so a student never
//! sees a panic or a backtrace for a server that is not running or a port that is taken.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;

use crate::kernel;

/// What the program was doing when it failed, so the hint can name the next step.
#[derive(Debug, Clone, Copy)]
pub enum Role {
    /// A client talking to the server at this address.
    Client { server: SocketAddr },
    /// A server bound (or binding) to this address.
    Server { address: SocketAddr },
}

/// Ends a lesson: success, or one friendly line on stderr (plus the kernel's evidence for a
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

/// The message for `error`: a first line in Chinese and English, then the OS's own words.
/// For a busy port it also lists what the kernel's socket table holds on that port.
pub fn explain(error: &io::Error, role: Role) -> String {
    let advice = advice(error, role);
    let mut message = format!("错误 / error: {advice} [{}]", os_words(error));
    if let (io::ErrorKind::AddrInUse, Role::Server { address }) = (error.kind(), role) {
        for line in kernel::port_report(address.port()) {
            message.push_str("\n  ");
            message.push_str(&line);
        }
    }
    message
}

fn advice(error: &io::Error, role: Role) -> String {
    use io::ErrorKind as Kind;
    match (error.kind(), role) {
        (Kind::ConnectionRefused, Role::Client { server }) => format!(
            "{server} 上没有服务器在监听，请先在另一个终端启动服务端：{start} \
             / no server is listening on {server}: start one first in another terminal with {start}",
            start = start_command(server)
        ),
        (Kind::AddrInUse, Role::Server { address }) => format!(
            "地址 {address} 已被占用：下面若有 TIME_WAIT，是刚结束的连接还在等待（Linux 上约 60 秒）：\
             等一分钟再启动；想立刻重启，服务端要像第 3 课那样设置 SO_REUSEADDR（cargo run -p lesson3），\
             在 Linux 上留下 TIME_WAIT 的旧服务端也必须设置过；下面若有 LISTEN，是另一个服务器正在用这个端口：\
             先停掉它或换个端口（--port 0 让系统挑） \
             / address {address} is already in use: a TIME_WAIT row below is a connection that just ended and is \
             still waiting (about 60 s on Linux): wait a minute; to restart at once, the server must set SO_REUSEADDR \
             as lesson 3 does (cargo run -p lesson3), and on Linux so must the old server that left the TIME_WAIT; \
             a LISTEN row is another server on this port: stop it or pick another port (--port 0 lets the system choose)"
        ),
        (Kind::AddrNotAvailable, Role::Server { address }) => format!(
            "{ip} 不是本机的地址，请绑定 127.0.0.1、::1 或 0.0.0.0 \
             / {ip} is not an address of this machine: bind 127.0.0.1, ::1 or 0.0.0.0",
            ip = address.ip()
        ),
        (Kind::PermissionDenied, Role::Server { address }) if address.port() < 1024 => format!(
            "绑定 1024 以下的端口（这里是 {port}）需要管理员权限，请用 1024 以上的端口或 --port 0 \
             / binding a port below 1024 (here {port}) needs administrator rights: use a port above 1023 or --port 0",
            port = address.port()
        ),
        (Kind::ConnectionReset, _) => "连接被对方重置（RST），对方在还有未读数据时关闭了套接字，或进程被终止 \
             / the peer reset the connection (RST): it closed with unread data, or its process ended"
            .to_owned(),
        (Kind::BrokenPipe, _) => "对方已经关闭了连接，不能再发送 \
             / the peer has closed the connection: nothing more can be sent"
            .to_owned(),
        (Kind::TimedOut | Kind::HostUnreachable | Kind::NetworkUnreachable, _) => {
            "连不上这个地址，请检查 IP 地址，课上用 127.0.0.1 \
             / that address cannot be reached: check the IP address; in class use 127.0.0.1"
                .to_owned()
        }
        _ => "操作系统报告了一个错误 / the operating system reported an error".to_owned(),
    }
}

/// Which lesson serves on `server`'s port by default, so the hint names a command that works.
fn start_command(server: SocketAddr) -> String {
    match server.port() {
        8989 => "cargo run -p lesson2".to_owned(),
        9090 => "cargo run -p lesson4".to_owned(),
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
        let line = explain(
            &error,
            Role::Client {
                server: addr("127.0.0.1:8989"),
            },
        );
        assert!(line.contains("cargo run -p lesson2"), "{line}");
        assert!(line.contains("ConnectionRefused"), "{line}");
        assert_eq!(line.lines().count(), 1, "{line}");
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
        assert!(message.lines().count() >= 2, "{message}");
    }
}
