//! # 练习 7：半关闭 / Exercise 7: the half-close
//!
//! 任务见 README.md。把每个 `todo!(…)` 换成你的代码，然后运行 `just check 7`。
//! The task is in README.md. Replace each `todo!(…)` with your code, then run `just check 7`.

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
use std::net::{Shutdown, SocketAddr};
use std::process::ExitCode;

use clap::Parser;
use course::options::ClientOptions;
use socket2::{Domain, Socket, Type};

/// 练习 7：客户端——发送消息，用 shutdown(Write) 告诉服务端“我发完了”，再收下服务端的全部回复。
/// Exercise 7: a client that sends its message, tells the server "that is all" with
/// shutdown(Write), then receives the server's whole reply.
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

    // 第 1–3 步和练习 1 一样，已经写好。 Steps 1–3 are exercise 1's, already written.
    // 1. 创建套接字。 Python: socket.socket(AF_INET, SOCK_STREAM)
    let tcp_client_socket = Socket::new(Domain::for_address(server), Type::STREAM, None)?;
    // 2. 建立连接。 Python: connect((host, port))
    tcp_client_socket.connect(&server.into())?;
    println!("已连接 connected: {server}");
    // 3. 编码并发送消息。 Python: send("...".encode("gbk"))
    let (send_data, _, _) = encoding.encode(&args.message);
    tcp_client_socket.send(&send_data)?;

    // 4. 半关闭：只关闭发送方向，发出 FIN；服务端的 recv 返回 0 字节，而这个套接字还能接收。
    //    Half-close: shut the sending direction only (a FIN); the server's recv returns 0 bytes,
    //    and this socket still receives. Python: tcp_client_socket.shutdown(socket.SHUT_WR)
    todo!("第 4 步 step 4: 半关闭 half-close with shutdown(Write)");
    println!("已半关闭 half-closed: shutdown(Write)");

    let mut reply = Vec::new();
    let mut recv_data = [0u8; 1024];
    loop {
        // 5. 接收数据。 Python: recv_data = recv(1024)
        let recv_data_length: usize = todo!("第 5 步 step 5: 接收 recv into recv_data");
        // 6. 服务端发完了、也关闭了它那一端吗？是就结束循环。 Python: if not recv_data: break
        //    Has the server finished and closed its end? If so, leave the loop.
        let finished: bool = todo!("第 6 步 step 6: 服务端发完了吗 has the server finished?");
        if finished {
            break;
        }
        println!("收到 received {recv_data_length} 字节 bytes");
        reply.extend_from_slice(&recv_data[..recv_data_length]);
    }
    // 已经写好 already written:
    // 全部收齐之后一起解码：一个汉字可能被拆在两次 recv 里。
    let (recv_content, _) = encoding.decode_without_bom_handling(&reply);
    println!("回复 reply ({} 字节 bytes): {recv_content}", reply.len());

    // 7. 关闭套接字。 Python: close()
    todo!("第 7 步 step 7: 关闭 close the socket");
    Ok(())
}
