//! # 练习 2：单次服务的 TCP 服务端（参考答案）/ Exercise 2: the single-shot server (reference solution)
//!
//! Notes, section 2, without the port-reuse line: create, bind, listen, accept one client,
//! receive, decode, reply, close both sockets, exit. The same steps as `crates/lesson2`.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use course::options::ServerOptions;
use socket2::{Domain, Socket, Type};

/// 练习 2：TCP 服务端——接受一个客户端，收一条消息，回复，然后退出。
/// Exercise 2: a TCP server: accepts one client, receives one message, replies, exits.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    options: ServerOptions<8989>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    course::finish(
        run(&args.options, address),
        course::Role::Server { address },
    )
}

fn run(options: &ServerOptions<8989>, address: SocketAddr) -> io::Result<()> {
    let encoding = options.encoding;

    // 1. 创建 TCP 服务端套接字。 Python: socket.socket(AF_INET, SOCK_STREAM)
    let tcp_server_socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;

    // 2. 给程序绑定端口号。 Python: bind(("", 8989))
    tcp_server_socket.bind(&address.into())?;

    // 3. 设置监听，128 是等待 accept 的连接数上限。 Python: listen(128)
    tcp_server_socket.listen(128)?;

    // --port 0 时，这里才知道内核挑了哪个端口。
    let bound = tcp_server_socket
        .local_addr()?
        .as_socket()
        .unwrap_or(address);
    course::announce_listening(bound);

    // 4. 等待客户端建立连接，得到专门和它通信的新套接字。 Python: accept()
    let (service_client_socket, ip_port) = tcp_server_socket.accept()?;
    println!(
        "客户端的 IP 地址和端口号 client address: {}",
        course::addr_text(&ip_port)
    );

    // 5. 接收客户端发送的数据，最多 1024 字节。 Python: recv(1024)
    let mut recv_data = [0u8; 1024];
    let recv_data_length = service_client_socket.recv(course::as_uninit(&mut recv_data))?;
    let recv_data = &recv_data[..recv_data_length];
    println!("接收数据的长度为 received {recv_data_length} 字节 bytes");

    // 6. 对二进制数据进行解码。 Python: recv_data.decode("gbk")
    let (recv_content, _) = encoding.decode_without_bom_handling(recv_data);
    println!("接收客户端的数据为 received text: {recv_content}");

    // 7. 准备回复，编码，发送给客户端。 Python: send("ok, 问题正在处理中...".encode("gbk"))
    let (send_data, _, _) = encoding.encode("ok, 问题正在处理中...");
    let sent = service_client_socket.send(&send_data)?;
    println!("已发送 sent {sent} 字节 bytes");

    // 8. 关闭服务与客户端的套接字。 Python: service_client_socket.close()
    drop(service_client_socket);
    // 9. 关闭服务端的套接字。 Python: tcp_server_socket.close()
    drop(tcp_server_socket);
    println!("已关闭 closed: 服务端退出 / the server exits");
    Ok(())
}
