//! # 练习 4：多任务版 TCP 服务端 / Exercise 4: the thread-per-client server
//!
//! 任务见 README.md。把每个 `todo!(…)` 换成你的代码，然后运行 `just check 4`。
//! The task is in README.md. Replace each `todo!(…)` with your code, then run `just check 4`.

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
use std::thread;

use clap::Parser;
use course::options::ServerOptions;
use encoding_rs::Encoding;
use socket2::{Domain, SockAddr, Socket, Type};

/// 练习 4：多任务版 TCP 服务端——一个客户端一个线程，可同时和许多客户端多次收发。
/// Exercise 4: the thread-per-client server: many clients at once, many messages each.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    options: ServerOptions<9090>,
}

/// What the server sends back for every message, as in the notes.
const REPLY: &str = "ok，问题正在处理中...";

// 这部分已经写好。 Already written.
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
    let tcp_server_socket: Socket = todo!("第 1 步 step 1: 创建套接字 create the socket");
    // 2. 设置端口号复用（练习 3）。 Python: setsockopt(SOL_SOCKET, SO_REUSEADDR, True)
    todo!("第 2 步 step 2: 设置端口复用 set SO_REUSEADDR");
    // 3. 绑定端口号。 Python: bind(("", 9090))
    todo!("第 3 步 step 3: 绑定 bind to address");
    // 4. 设置监听。 Python: listen(128)
    todo!("第 4 步 step 4: 监听 listen");

    // 已经写好 already written:
    let bound = tcp_server_socket
        .local_addr()?
        .as_socket()
        .unwrap_or(address);
    course::announce_listening(bound);

    loop {
        // 5. 循环等待接收客户端的连接请求。 Python: service_client_socket, ip_port = accept()
        let (service_client_socket, ip_port): (Socket, SockAddr) =
            todo!("第 5 步 step 5: 接受连接 accept a client");
        let ip_port = course::addr_text(&ip_port);
        println!("客户端连接成功 client connected: {ip_port}");

        // 6. 为这个客户端创建一个子线程，让它运行
        //    handle_client_request(service_client_socket, ip_port, encoding)。
        //    Python: threading.Thread(target=handle_client_request, args=(…)).start()
        todo!("第 6 步 step 6: 创建子线程 spawn a thread for this client");
    }
}

/// The notes' `handle_client_request`: serves one client until it goes offline.
fn handle_client_request(
    service_client_socket: Socket,
    ip_port: String,
    encoding: &'static Encoding,
) {
    let mut recv_data = [0u8; 1024];
    loop {
        // 7. 接收客户端发送的数据，最多 1024 字节。 Python: recv_data = recv(1024)
        //    出错时（例如客户端重置了连接）只结束这个客户端：打印下面这一行，然后 break。
        //    On an error (the client reset the connection, say) end only this client: print
        //    this line, then break:
        //    println!("接收失败 receive failed {ip_port}: {error}");
        let recv_data_length: usize = todo!(
            "第 7 步 step 7: 接收；出错时打印并结束这个客户端 recv; on an error, print and end this client"
        );

        // 8. 客户端下线了吗？ Did the client go offline?  Python: if recv_data: … else: …
        let offline: bool = todo!("第 8 步 step 8: 判断客户端是否下线 did the client go offline?");
        if offline {
            println!("客户端下线了 client offline: {ip_port}");
            break;
        }

        // 已经写好 already written:
        let (recv_content, _) =
            encoding.decode_without_bom_handling(&recv_data[..recv_data_length]);
        println!("收到 received {recv_data_length} 字节 bytes 来自 from {ip_port}: {recv_content}");

        // 9. 回复 REPLY（用 encoding 编码）；发送出错时同样只结束这个客户端。
        //    Reply REPLY, encoded; on an error, again end only this client.
        //    Python: send("ok，问题正在处理中...".encode("gbk"))
        todo!("第 9 步 step 9: 回复 send the reply");
    }
    // 10. 终止和这个客户端的通信。 Python: service_client_socket.close()
    todo!("第 10 步 step 10: 关闭 close this client's socket");
}
