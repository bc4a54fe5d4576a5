//! # 练习 6：被拆成两半的汉字 / Exercise 6: the split character
//!
//! 任务见 README.md。把每个 `todo!(…)` 换成你的代码，然后运行 `just check 6`。
//! The task is in README.md. Replace each `todo!(…)` with your code, then run `just check 6`.

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
use encoding_rs::{CoderResult, Decoder, Encoding};
use socket2::{Domain, Socket, Type};

/// 练习 6：多任务版 TCP 服务端，把每个连接当成一个字节流来解码。
/// Exercise 6: the thread-per-client server, decoding each connection as one stream of bytes.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    options: ServerOptions<9090>,
}

/// What the server sends back for every message, as in the notes.
const REPLY: &str = "ok，问题正在处理中...";

// 练习 4 的服务端，已经写好（剧透：先做练习 4）。 Exercise 4's server, already written
// (a spoiler: do exercise 4 first).
fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    course::finish(
        run(&args.options, address),
        course::Role::ReusingServer { address },
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
        thread::spawn(move || handle_client_request(service_client_socket, ip_port, encoding));
    }
}

/// The notes' `handle_client_request`: serves one client until it goes offline.
fn handle_client_request(
    service_client_socket: Socket,
    ip_port: String,
    encoding: &'static Encoding,
) {
    // 8.1 讲义用 recv_data.decode("gbk") 把每次 recv 单独解码。可 TCP 是字节流：一个两字节的 GBK
    //     汉字可能前一半在这次 recv，后一半在下一次。为这个连接创建一个 encoding 的解码器
    //     （encoding_rs::Decoder），整个连接都用它，它会记住上次剩下的半个字符。
    //     The notes decode each recv by itself. But TCP is a stream of bytes: a two-byte GBK
    //     character may arrive half in this recv and half in the next. Make one decoder of
    //     `encoding` for this connection and use it for the whole connection; it keeps the half.
    let mut decoder: Decoder =
        todo!("第 8.1 步 step 8.1: 为这个连接创建一个解码器 make one decoder for this connection");
    let (send_data, _, _) = encoding.encode(REPLY);
    let mut recv_data = [0u8; 1024];
    loop {
        // 7. 接收客户端发送的数据；出错只结束这个客户端。 Python: recv(1024)
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
            // 流结束了：解码器里剩下的半个字符这时报告为 �。
            let leftover = decode(&mut decoder, &[], true);
            if !leftover.is_empty() {
                println!("最后不完整的字节 incomplete bytes at the end from {ip_port}: {leftover}");
            }
            println!("客户端下线了 client offline: {ip_port}");
            break;
        }
        // 8.2 用这个连接的解码器解码这次收到的字节（写在下面的 decode 里）。 Python: recv_data.decode("gbk")
        //     Decode this recv's bytes with the connection's decoder (write it in `decode` below).
        let recv_content = decode(&mut decoder, &recv_data[..recv_data_length], false);
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

/// Decodes the next bytes of one connection's stream with its `decoder`: a character split
/// across two calls comes out whole from the second, invalid bytes come out as U+FFFD, and
/// `last` says the stream has ended (a half character left then is reported as U+FFFD).
fn decode(decoder: &mut Decoder, bytes: &[u8], last: bool) -> String {
    // 8.2 用 decoder 把 bytes 解码成 String：不合法的字节变成 �（U+FFFD），不完整的字符留在
    //     decoder 里等下一次；last 为 true 时流结束了，留下的半个字符也报告为 �。
    //     Decode `bytes` into a String with `decoder`: invalid bytes become � (U+FFFD), an
    //     incomplete character stays in the decoder for next time; when `last` is true the
    //     stream has ended, and a half character left is reported as � too.
    todo!("第 8.2 步 step 8.2: 用这个连接的解码器解码 decode with this connection's decoder")
}
