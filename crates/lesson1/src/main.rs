//! # 第 1 课：TCP 客户端 / Lesson 1: a TCP client
//!
//! Notes, section 1. The client walks the notes' numbered steps with `socket2`, one call per
//! step: create a socket, connect, encode and send, receive and decode, close. Run a server
//! first (`cargo run -p lesson2`), then `cargo run -p lesson1`.
//!
//! Left out on purpose: argument parsing and friendly errors live in the shared `course`
//! crate, so this file is only the lesson.

use std::io::{self, BufRead};
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use course::options::ClientOptions;
use encoding_rs::Encoding;
use socket2::{Domain, Socket, Type};

/// 第 1 课：TCP 客户端——连接服务端，发送消息，接收并打印回复。
/// Lesson 1: a TCP client: connects to a server, sends messages, prints each reply.
#[derive(Parser)]
#[command(name = "lesson1")]
struct Args {
    #[command(flatten)]
    options: ClientOptions,

    /// 逐行发送标准输入里输入的每一行（与第 4 课的服务端聊天）/ send each line typed on stdin (to chat with the lesson-4 server)
    #[arg(long, conflicts_with = "messages")]
    stdin: bool,

    /// 要发送的消息，可以有多条，依次在同一个连接上发送 / messages to send, one after another on the same connection
    #[arg(default_value = "你好，服务端！我是第一课的客户端。")]
    messages: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // 写的是主机名时，先看它解析成了哪些地址（按顺序）；下面的 connect 用第一个。
    // Given a host name, first show the addresses it resolved to, in order; the connect
    // below uses the first.
    if let Some(resolution) = args.options.host.resolution() {
        println!("{resolution}");
    }
    let server = args.options.server();
    course::finish(run(&args, server), course::Role::Client { server })
}

// ANCHOR: client
fn run(args: &Args, server: SocketAddr) -> io::Result<()> {
    let encoding = args.options.encoding;

    // 1. 创建 TCP 客户端套接字：地址族跟随服务端地址（IPv4 → AF_INET，IPv6 →
    //    AF_INET6），Type::STREAM 即 SOCK_STREAM（TCP）。
    //    Create the TCP client socket: its address family follows the server's address
    //    (IPv4 → AF_INET, IPv6 → AF_INET6); Type::STREAM is SOCK_STREAM (TCP).
    //    Python: socket.socket(AF_INET, SOCK_STREAM)
    let tcp_client_socket = Socket::new(Domain::for_address(server), Type::STREAM, None)?;

    // 2. 和服务端建立连接（三次握手在这里完成）。 Python: connect((host, port))
    //    Connect to the server (the three-way handshake completes here).
    tcp_client_socket.connect(&server.into())?;
    let local = course::addr_text(&tcp_client_socket.local_addr()?);
    println!("已连接 connected: {local} -> {server}");

    for message in messages(args) {
        let message = message?;
        // 3. 发送数据 / send
        if !send_message(&tcp_client_socket, encoding, &message)? {
            break;
        }
    }

    // 5. 关闭套接字：socket2 在值被丢弃（drop）时调用 close(2)。 Python: close()
    //    Close the socket: socket2 calls close(2) when the value is dropped.
    drop(tcp_client_socket);
    println!("已关闭 closed");
    Ok(())
}
// ANCHOR_END: client

// ANCHOR: exchange
/// Sends one message and prints the reply. Returns `false` when the server has closed.
fn send_message(
    tcp_client_socket: &Socket,
    encoding: &'static Encoding,
    message: &str,
) -> io::Result<bool> {
    // 3.1 准备数据并编码成字节。 Python: "...".encode("gbk")
    //     Prepare the data and encode it as bytes.
    let (send_data, _, _) = encoding.encode(message);
    // 3.2 发送数据：send 返回内核收进发送缓冲区的字节数。 Python: send(send_data)
    //     Send the data: send returns how many bytes the kernel took into its send
    //     buffer, to go out from there; it does not wait for them to arrive.
    let sent = tcp_client_socket.send(&send_data)?;
    println!(
        "已发送 sent {sent} 字节 bytes ({}): {message}",
        encoding.name()
    );

    // 4.1 接收数据，这次最多 1024 字节。 Python: recv(1024)
    //     Receive data, at most 1024 bytes this time.
    let mut recv_data = [0u8; 1024];
    let received = tcp_client_socket.recv(course::as_uninit(&mut recv_data))?;
    let recv_data = &recv_data[..received];
    if received == 0 {
        // recv 返回 0 字节：服务端已经关闭了连接（notes, section 4, point 7）。
        // recv returned 0 bytes: the server has closed the connection.
        println!(
            "收到 0 字节：服务端已关闭连接 / received 0 bytes: the server closed the connection"
        );
        return Ok(false);
    }
    // 收到的是原始字节，原样打印。 Python: print(recv_data)
    // What arrived is raw bytes: print them as they are.
    println!(
        "收到原始字节 received {received} bytes: {}",
        course::bytes_text(recv_data)
    );

    // 4.2 把字节解码成文本。 Python: recv_data.decode("gbk")
    //     Decode the bytes into text.
    let (recv_content, had_errors) = encoding.decode_without_bom_handling(recv_data);
    println!("接收服务端的数据为 reply: {recv_content}");
    if had_errors {
        println!(
            "（有些字节不是合法的 {name}，显示为 �：两端的编码不一致？）\n\
             （some bytes are not valid {name} and show as �: do both sides use the same encoding?）",
            name = encoding.name()
        );
    }
    Ok(true)
}
// ANCHOR_END: exchange

/// The messages to send: from the command line, or each line typed on stdin with `--stdin`.
fn messages(args: &Args) -> Box<dyn Iterator<Item = io::Result<String>> + '_> {
    if args.stdin {
        Box::new(io::stdin().lock().lines())
    } else {
        Box::new(args.messages.iter().cloned().map(Ok))
    }
}
