//! # 第 9 课：HTTP 与静态网页服务器 / Lesson 9: HTTP and a static web server
//!
//! 待写 / to write：这一课教什么，跟着讲义的哪一节，比第 8 课多了什么。
//! What this lesson teaches, which section of the notes it follows, and what it
//! adds to lesson 8.
//!
//! `cargo xtask new-lesson` wrote the start of a server, as lesson 3 starts: a
//! socket, SO_REUSEADDR, bind, listen, the address printed. The lesson's own
//! steps go where step 4 says.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use course::options::ServerOptions;
use socket2::{Domain, Socket, Type};

/// 第 9 课：HTTP 与静态网页服务器
/// Lesson 9: HTTP and a static web server
#[derive(Parser)]
#[command(name = "lesson9")]
struct Args {
    #[command(flatten)]
    options: ServerOptions<9494>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    course::finish(run(address), course::Role::ReusingServer { address })
}

fn run(address: SocketAddr) -> io::Result<()> {
    // ANCHOR: listen
    // 1. 创建 TCP 服务端套接字：地址族跟随 --host，Type::STREAM 即 TCP。
    //    Python: socket.socket(AF_INET, SOCK_STREAM)
    let tcp_server_socket =
        Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    // 1.1 设置端口号复用，重启时不必等 TIME_WAIT 结束。
    //     Python: setsockopt(SOL_SOCKET, SO_REUSEADDR, True)
    tcp_server_socket.set_reuse_address(true)?;
    // 2. 绑定端口号。 Python: bind(("", 9494))
    tcp_server_socket.bind(&address.into())?;
    // 3. 设置监听，128 是等待 accept 的连接数上限。 Python: listen(128)
    tcp_server_socket.listen(128)?;
    // ANCHOR_END: listen

    // 一个 IP 套接字的本地地址总是 IP 地址；--port 0 时这里才知道内核挑了哪个端口。
    let bound = tcp_server_socket
        .local_addr()?
        .as_socket()
        .unwrap_or(address);
    course::announce_listening(bound);

    // 4. 待写 / to write：这一课自己的步骤，每一步一个 socket2 调用，
    //    写上它对应的 Python 调用。 / The lesson's own steps, each a socket2
    //    call with the Python call it mirrors.
    Ok(())
}
