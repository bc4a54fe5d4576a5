//! # 练习 11：HTTP 与静态网页服务器 / Exercise 11: HTTP and a static web server
//!
//! 任务见 README.md。写好 todo!() 标出的步骤，然后运行 `just check 11`。
//! The task is in README.md. Write the steps the todo!()s mark, then run `just check 11`.

// 还有 todo!() 时，它后面的代码执行不到；写完后可以删掉这一行。
// While a todo!() is left, the code after it is unreachable; delete this line when you are done.
#![allow(
    unreachable_code,
    unused_variables,
    unused_imports,
    unused_mut,
    dead_code
)]

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
    // 待写 / to write：答案里哪几步留给学生写：每一步换成一个 todo!("第 N 步 step N: …")。
    // / which of the solution's steps the student writes: each becomes a todo!().

    // 1. 创建 TCP 服务端套接字。 Python: socket.socket(AF_INET, SOCK_STREAM)
    todo!("第 1 步 step 1: 创建套接字 create the socket");
}
