//! # 练习 5：对方关闭还是重置？（参考答案）/ Exercise 5: the peer closed, or reset? (reference solution)
//!
//! Notes, section 4, point 7, and lesson 5's rule 8: a client that receives until the
//! connection ends, and tells the two ways it can end apart. An orderly close (FIN) makes `recv`
//! return `Ok(0)`; a reset (RST) makes it return an error of kind `ConnectionReset`.

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

fn main() -> ExitCode {
    let args = Args::parse();
    let server = args.options.server();
    course::finish(run(&args, server), course::Role::Client { server })
}

fn run(args: &Args, server: SocketAddr) -> io::Result<()> {
    let encoding = args.options.encoding;

    // 1. 创建套接字。 Python: socket.socket(AF_INET, SOCK_STREAM)
    let tcp_client_socket = Socket::new(Domain::for_address(server), Type::STREAM, None)?;
    // 2. 建立连接。 Python: connect((host, port))
    tcp_client_socket.connect(&server.into())?;
    println!("已连接 connected: {server}");
    // 3. 编码并发送消息。 Python: send("...".encode("gbk"))
    let (send_data, _, _) = encoding.encode(&args.message);
    tcp_client_socket.send(&send_data)?;

    loop {
        let mut recv_data = [0u8; 1024];
        // 4. 接收数据，把 io::Result 留在手里（不用 ?）。 Python: recv(1024)
        let result = tcp_client_socket.recv(course::as_uninit(&mut recv_data));
        // 5. 分辨三种结果。 Tell the three outcomes apart.
        match result {
            // 0 字节：对方正常关闭了连接（讲义第 4 节第 7 点）。
            Ok(0) => {
                println!("对方关闭了连接 peer closed: recv 返回 0 字节 returned 0 bytes");
                break;
            }
            Ok(length) => {
                let (recv_content, _) = encoding.decode_without_bom_handling(&recv_data[..length]);
                println!("收到 received {length} 字节 bytes: {recv_content}");
            }
            // 连接被重置：对方带着未读数据关闭，或设置了 SO_LINGER 0（第 5 课规则 8）。
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => {
                println!("连接被重置 connection reset: {error}");
                break;
            }
            Err(error) => return Err(error),
        }
    }

    // 6. 关闭套接字。 Python: close()
    drop(tcp_client_socket);
    Ok(())
}
