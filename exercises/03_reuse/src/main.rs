//! # 练习 3：可以马上重启的服务端 / Exercise 3: the restartable server
//!
//! 任务见 README.md：这是练习 2 的服务端（剧透！先做练习 2），只差讲义的端口复用那一行。
//! 写好第 1.1 步，然后运行 `just check 3`。
//! The task is in README.md: this is exercise 2's server (a spoiler: do exercise 2 first), but
//! for the notes' port-reuse line. Write step 1.1, then run `just check 3`.

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

/// 练习 3：设置了端口复用的 TCP 服务端——退出后可以马上在同一个端口重启。
/// Exercise 3: the TCP server with SO_REUSEADDR: it can restart at once on the same port.
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
    // 1.1 设置端口号复用，让程序退出后端口号立即可以再绑定（bind 之前）。
    //     Python: setsockopt(SOL_SOCKET, SO_REUSEADDR, True)
    todo!("第 1.1 步 step 1.1: 设置端口复用 set SO_REUSEADDR");

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
