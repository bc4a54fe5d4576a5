//! # 练习 4：多任务版 TCP 服务端（参考答案）/ Exercise 4: the thread-per-client server (reference solution)
//!
//! Notes, section 3: accept in a loop, and give every client a thread of its own that receives,
//! prints and replies until the client's `recv` returns 0 bytes. An error on one connection (a
//! reset) ends that client's thread only, never the server. The same steps as `crates/lesson4`,
//! without its defences against hostile peers.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::thread;

use clap::Parser;
use course::options::ServerOptions;
use encoding_rs::Encoding;
use socket2::{Domain, Socket, Type};

/// 练习 4：多任务版 TCP 服务端——一个客户端一个线程，可同时和许多客户端多次收发。
/// Exercise 4: the thread-per-client server: many clients at once, many messages each.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    options: ServerOptions<9090>,
}

/// What the server sends back for every message, as in the notes.
const REPLY: &str = "ok，问题正在处理中...";

fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    course::finish(
        run(&args.options, address),
        course::Role::Server { address },
    )
}

fn run(options: &ServerOptions<9090>, address: SocketAddr) -> io::Result<()> {
    let encoding = options.encoding;

    // 1. 创建 TCP 服务端套接字。 Python: socket.socket(AF_INET, SOCK_STREAM)
    let tcp_server_socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    // 2. 设置端口号复用。 Python: setsockopt(SOL_SOCKET, SO_REUSEADDR, True)
    tcp_server_socket.set_reuse_address(true)?;
    // 3. 绑定端口号。 Python: bind(("", 9090))
    tcp_server_socket.bind(&address.into())?;
    // 4. 设置监听。 Python: listen(128)
    tcp_server_socket.listen(128)?;

    let bound = tcp_server_socket
        .local_addr()?
        .as_socket()
        .unwrap_or(address);
    course::announce_listening(bound);

    loop {
        // 5. 循环等待接收客户端的连接请求。 Python: accept()
        let (service_client_socket, ip_port) = tcp_server_socket.accept()?;
        let ip_port = course::addr_text(&ip_port);
        println!("客户端连接成功 client connected: {ip_port}");

        // 6. 为这个客户端创建一个子线程。 Python: threading.Thread(target=handle_client_request, …).start()
        //    move：线程拿走套接字的所有权。丢弃 JoinHandle 就是讲义的 setDaemon(True)。
        thread::spawn(move || handle_client_request(service_client_socket, ip_port, encoding));
    }
}

/// The notes' `handle_client_request`: serves one client until it goes offline.
fn handle_client_request(
    service_client_socket: Socket,
    ip_port: String,
    encoding: &'static Encoding,
) {
    let (send_data, _, _) = encoding.encode(REPLY);
    let mut recv_data = [0u8; 1024];
    loop {
        // 7. 接收客户端发送的数据；出错（例如连接被重置）只结束这个客户端。 Python: recv(1024)
        let recv_data_length = match service_client_socket.recv(course::as_uninit(&mut recv_data)) {
            Ok(length) => length,
            Err(error) => {
                println!(
                    "接收失败 receive failed {ip_port}: {:?}: {error}",
                    error.kind()
                );
                break;
            }
        };
        // 8. 收到 0 字节：客户端下线了。 Python: if recv_data: … else: break
        if recv_data_length == 0 {
            println!("客户端下线了 client offline: {ip_port}");
            break;
        }
        let (recv_content, _) =
            encoding.decode_without_bom_handling(&recv_data[..recv_data_length]);
        println!("收到 received {recv_data_length} 字节 bytes 来自 from {ip_port}: {recv_content}");

        // 9. 回复。 Python: send("ok，问题正在处理中...".encode("gbk"))
        if let Err(error) = service_client_socket.send(&send_data) {
            println!(
                "回复失败 reply failed {ip_port}: {:?}: {error}",
                error.kind()
            );
            break;
        }
    }
    // 10. 终止和这个客户端的通信。 Python: service_client_socket.close()
    drop(service_client_socket);
}
