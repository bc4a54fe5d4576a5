//! # 练习 11 的参考答案：HTTP 与静态网页服务器 / Exercise 11's solution: HTTP and a static web server
//!
//! 待写 / to write：答案就是第 9 课的程序，去掉练习不要求的部分。
//! The solution is lesson 9's program, less what the exercise does not ask for.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use course::options::ServerOptions;
use socket2::{Domain, Socket, Type};

/// 练习 11：HTTP 与静态网页服务器
/// Exercise 11: HTTP and a static web server
#[derive(Parser)]
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
    // 1. 创建 TCP 服务端套接字。 Python: socket.socket(AF_INET, SOCK_STREAM)
    let tcp_server_socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    // 1.1 设置端口号复用。 Python: setsockopt(SOL_SOCKET, SO_REUSEADDR, True)
    tcp_server_socket.set_reuse_address(true)?;
    // 2. 绑定端口号。 Python: bind(("", 9494))
    tcp_server_socket.bind(&address.into())?;
    // 3. 设置监听。 Python: listen(128)
    tcp_server_socket.listen(128)?;

    // --port 0 时，这里才知道内核挑了哪个端口。
    let bound = tcp_server_socket
        .local_addr()?
        .as_socket()
        .unwrap_or(address);
    course::announce_listening(bound);
    Ok(())
}
