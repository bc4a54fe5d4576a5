//! # 练习 5：对方关闭还是重置？/ Exercise 5: the peer closed, or reset?
//!
//! 任务见 README.md。把每个 `todo!(…)` 换成你的代码，然后运行 `just check 5`。
//! The task is in README.md. Replace each `todo!(…)` with your code, then run `just check 5`.

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

/// 练习 5：客户端——发一条消息，然后一直接收，直到连接结束，并说出是对方关闭了还是重置了连接。
/// Exercise 5: a client that sends one message, receives until the connection ends, and says
/// whether the peer closed or reset it.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    options: ClientOptions,

    /// 要发送的消息 / the message to send
    #[arg(default_value = "你好服务端，我是客户端小黑!")]
    message: String,
}

// 这部分已经写好。 Already written.
fn main() -> ExitCode {
    let args = Args::parse();
    let server = args.options.server();
    course::finish(run(&args, server), course::Role::Client { server })
}

fn run(args: &Args, server: SocketAddr) -> io::Result<()> {
    let encoding = args.options.encoding;

    // 1. 创建套接字。 Python: socket.socket(AF_INET, SOCK_STREAM)
    let tcp_client_socket: Socket = todo!("第 1 步 step 1: 创建套接字 create the socket");
    // 2. 建立连接。 Python: connect((host, port))
    todo!("第 2 步 step 2: 连接 connect to server");
    println!("已连接 connected: {server}");
    // 3. 把 args.message 用 encoding 编码，发送。 Python: send("...".encode("gbk"))
    todo!("第 3 步 step 3: 编码并发送 encode and send args.message");

    loop {
        let mut recv_data = [0u8; 1024];
        // 4. 接收数据，但先不要用 ?：把 io::Result 留在手里。 Python: recv(1024)
        //    Receive, but no ? yet: keep the io::Result in hand.
        let result: io::Result<usize> =
            todo!("第 4 步 step 4: 接收，保留 io::Result recv, keeping the io::Result");

        // 5. 分辨三种结果，分别打印下面的行 / tell the three outcomes apart, printing these lines:
        //    收到 n 字节 n bytes: 解码前 n 个字节 decode the first n bytes, then
        //        println!("收到 received {n} 字节 bytes: {recv_content}");
        //    0 字节 0 bytes: 对方关闭了连接 the peer closed; print, then leave the loop:
        //        println!("对方关闭了连接 peer closed: recv 返回 0 字节 returned 0 bytes");
        //    错误，种类是 ConnectionReset / an error of kind ConnectionReset; print, leave the loop:
        //        println!("连接被重置 connection reset: {error}");
        //    其他错误 any other error: return Err(error)
        todo!("第 5 步 step 5: 分辨关闭和重置 tell a close from a reset");
    }

    // 6. 关闭套接字。 Python: close()
    todo!("第 6 步 step 6: 关闭 close the socket");
    Ok(())
}
