//! # 练习 2：单次服务的 TCP 服务端 / Exercise 2: the single-shot server
//!
//! 任务见 README.md。把每个 `todo!(…)` 换成你的代码，然后运行 `just check 2`。
//! The task is in README.md. Replace each `todo!(…)` with your code, then run `just check 2`.

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
use socket2::{Domain, SockAddr, Socket, Type};

/// 练习 2：TCP 服务端——接受一个客户端，收一条消息，回复，然后退出。
/// Exercise 2: a TCP server: accepts one client, receives one message, replies, exits.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    options: ServerOptions<8989>,
}

// 这部分已经写好：读命令行参数（--port 0 让系统挑端口），把错误变成一行友好的提示。
// Already written: read the command line (--port 0 lets the OS pick), one friendly error line.
fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    course::finish(
        run(&args.options, address),
        course::Role::Server { address },
    )
}

fn run(options: &ServerOptions<8989>, address: SocketAddr) -> io::Result<()> {
    // 编码来自 --encoding，默认 gbk。 The encoding comes from --encoding: gbk by default.
    let encoding = options.encoding;

    // 1. 创建 TCP 服务端套接字（地址族跟随 address）。 Python: socket.socket(AF_INET, SOCK_STREAM)
    let tcp_server_socket: Socket = todo!("第 1 步 step 1: 创建套接字 create the socket");

    // 2. 给程序绑定端口号（address）。 Python: bind(("", 8989))
    todo!("第 2 步 step 2: 绑定 bind to address");

    // 3. 设置监听，128 是等待 accept 的连接数上限。 Python: listen(128)
    todo!("第 3 步 step 3: 监听 listen");

    // 已经写好：打印实际绑定的地址（--port 0 时，这里才知道内核挑了哪个端口）。
    // Already written: print the bound address (with --port 0, only now is the port known).
    let bound = tcp_server_socket
        .local_addr()?
        .as_socket()
        .unwrap_or(address);
    course::announce_listening(bound);

    // 4. 等待客户端建立连接，得到专门和它通信的新套接字和它的地址。 Python: accept()
    let (service_client_socket, ip_port): (Socket, SockAddr) =
        todo!("第 4 步 step 4: 接受连接 accept a client");
    println!(
        "客户端的 IP 地址和端口号 client address: {}",
        course::addr_text(&ip_port)
    );

    // 5. 接收客户端发送的数据，最多 1024 字节。 Python: recv_data = recv(1024)
    //    recv 要 &mut [MaybeUninit<u8>]：course::as_uninit(&mut recv_data) 把这个数组借给它
    //    （练习 1 说过为什么）。 recv wants &mut [MaybeUninit<u8>]: course::as_uninit lends it
    //    this array (exercise 1 says why).
    let mut recv_data = [0u8; 1024];
    let recv_data_length: usize = todo!("第 5 步 step 5: 接收 recv into recv_data");
    let recv_data = &recv_data[..recv_data_length];
    println!("接收数据的长度为 received {recv_data_length} 字节 bytes");

    // 6. 用 encoding 对二进制数据进行解码。 Python: recv_data.decode("gbk")
    let recv_content = todo!("第 6 步 step 6: 解码 decode recv_data");
    println!("接收客户端的数据为 received text: {recv_content}");

    // 7. 把 "ok, 问题正在处理中..." 用 encoding 编码，发送给客户端。 Python: send(send_data)
    let sent: usize = todo!("第 7 步 step 7: 编码并发送回复 encode and send the reply");
    println!("已发送 sent {sent} 字节 bytes");

    // 8. 关闭服务与客户端的套接字。 Python: service_client_socket.close()
    todo!("第 8 步 step 8: 关闭和客户端通信的套接字 close the client's socket");
    // 9. 关闭服务端的套接字。 Python: tcp_server_socket.close()
    todo!("第 9 步 step 9: 关闭监听套接字 close the listening socket");
    println!("已关闭 closed: 服务端退出 / the server exits");
    Ok(())
}
