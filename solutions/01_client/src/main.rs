//! # 练习 1：TCP 客户端（参考答案）/ Exercise 1: the TCP client (reference solution)
//!
//! Notes, section 1: create a socket, connect, encode and send one message, receive and decode
//! the reply, close. The same steps as `crates/lesson1`, for one message.

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

fn main() -> ExitCode {
    let args = Args::parse();
    let server = args.options.server();
    course::finish(run(&args, server), course::Role::Client { server })
}

fn run(args: &Args, server: SocketAddr) -> io::Result<()> {
    let encoding = args.options.encoding;

    // 1. 创建 TCP 客户端套接字。 Python: socket.socket(AF_INET, SOCK_STREAM)
    let tcp_client_socket = Socket::new(Domain::for_address(server), Type::STREAM, None)?;

    // 2. 和服务端建立连接。 Python: connect((host, port))
    tcp_client_socket.connect(&server.into())?;
    println!("已连接 connected: {server}");

    // 3.1 准备发送的数据，并进行编码。 Python: send_data = "...".encode("gbk")
    let (send_data, _, _) = encoding.encode(&args.message);

    // 3.2 发送数据。 Python: tcp_client_socket.send(send_data)
    let sent = tcp_client_socket.send(&send_data)?;
    println!("已发送 sent {sent} 字节 bytes");

    // 4.1 接收数据，这次最多 1024 字节。 Python: recv_data = tcp_client_socket.recv(1024)
    let mut recv_data = [0u8; 1024];
    let received = tcp_client_socket.recv(course::as_uninit(&mut recv_data))?;
    let recv_data = &recv_data[..received];
    println!(
        "收到原始字节 received {received} bytes: {}",
        course::bytes_text(recv_data)
    );

    // 4.2 对数据进行解码。 Python: recv_content = recv_data.decode("gbk")
    let (recv_content, _) = encoding.decode_without_bom_handling(recv_data);
    println!("接收服务端的数据为 reply: {recv_content}");

    // 5. 关闭套接字。 Python: tcp_client_socket.close()
    drop(tcp_client_socket);
    println!("已关闭 closed");
    Ok(())
}
