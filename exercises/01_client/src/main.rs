//! # 练习 1：TCP 客户端 / Exercise 1: the TCP client
//!
//! 任务见 README.md。把每个 `todo!(…)` 换成你的代码，然后在仓库根目录运行
//! `cargo run -p practice -- check 1`（或 `just check 1`）。
//! The task is in README.md. Replace each `todo!(…)` with your code, then run
//! `cargo run -p practice -- check 1` (or `just check 1`) from the repository's root.

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
use course::options::ClientOptions;
use socket2::{Domain, Socket, Type};

/// 练习 1：TCP 客户端——连接服务端，发送一条消息，打印回复。
/// Exercise 1: a TCP client: connects, sends one message, prints the reply.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    options: ClientOptions,

    /// 要发送的消息 / the message to send
    #[arg(default_value = "你好服务端，我是客户端小黑!")]
    message: String,
}

// 这部分已经写好：读命令行参数，把错误变成一行友好的提示。
// Already written: read the command line, and turn an error into one friendly line.
fn main() -> ExitCode {
    let args = Args::parse();
    let server = args.options.server();
    course::finish(run(&args, server), course::Role::Client { server })
}

fn run(args: &Args, server: SocketAddr) -> io::Result<()> {
    // 编码来自 --encoding，默认 gbk，和讲义一样。 The encoding comes from --encoding: gbk by default.
    let encoding = args.options.encoding;

    // 1. 创建 TCP 客户端套接字：地址族跟随 server（IPv4 或 IPv6），类型是 TCP 的流。
    //    Python: socket.socket(AF_INET, SOCK_STREAM)
    let tcp_client_socket: Socket = todo!("第 1 步 step 1: 创建套接字 create the socket");

    // 2. 和服务端建立连接。 Python: connect((host, port))
    todo!("第 2 步 step 2: 连接 connect to server");
    println!("已连接 connected: {server}");

    // 3.1 准备发送的数据（args.message），并用 encoding 编码成字节。 Python: "...".encode("gbk")
    let send_data = todo!("第 3.1 步 step 3.1: 编码 encode args.message");

    // 3.2 发送数据，得到实际发出的字节数。 Python: send(send_data)
    let sent: usize = todo!("第 3.2 步 step 3.2: 发送 send send_data");
    println!("已发送 sent {sent} 字节 bytes");

    // 4.1 接收数据，这次最多 1024 字节。 Python: recv_data = recv(1024)
    //     socket2 的 recv 要的缓冲区是 &mut [MaybeUninit<u8>]（可以是还没写过的内存）。这不是
    //     这一课要学的：course::as_uninit(&mut recv_data) 把下面这个清零的数组借给它。
    //     socket2's recv wants &mut [MaybeUninit<u8>] (memory not written yet). That is not
    //     this lesson: course::as_uninit(&mut recv_data) lends it this zeroed array.
    let mut recv_data = [0u8; 1024];
    let received: usize = todo!("第 4.1 步 step 4.1: 接收 recv into recv_data");
    let recv_data = &recv_data[..received];
    println!(
        "收到原始字节 received {received} bytes: {}",
        course::bytes_text(recv_data)
    );

    // 4.2 用 encoding 把字节解码成文本，然后打印。 Python: recv_data.decode("gbk")
    let recv_content = todo!("第 4.2 步 step 4.2: 解码 decode recv_data");
    println!("接收服务端的数据为 reply: {recv_content}");

    // 5. 关闭套接字。 Python: tcp_client_socket.close()
    todo!("第 5 步 step 5: 关闭 close the socket");
    println!("已关闭 closed");
    Ok(())
}
