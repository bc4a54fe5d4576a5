//! # 练习 6：被拆成两半的汉字（参考答案）/ Exercise 6: the split character (reference solution)
//!
//! Notes, section 3, and lesson 4: TCP is a stream of bytes, so a two-byte GBK character can
//! arrive half in one `recv` and half in the next. The notes' `recv_data.decode("gbk")` decodes
//! each `recv` by itself and breaks such a character; one `encoding_rs::Decoder` per connection
//! keeps the half and joins it to the next bytes. Bytes that are not valid text come out as
//! U+FFFD, and the client is answered all the same.

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
    // 8.1 每个连接一个解码器：它记住上次 recv 剩下的半个字符。
    //     One decoder per connection: it keeps the half character the last recv left.
    let mut decoder = encoding.new_decoder_without_bom_handling();
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
        // 8.2 用这个连接的解码器解码这次收到的字节。 Python: recv_data.decode("gbk")
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
    let mut text = String::new();
    let mut rest = bytes;
    loop {
        // decode_to_string writes into spare capacity only: make room for the worst case.
        let room = decoder
            .max_utf8_buffer_length(rest.len())
            .unwrap_or(rest.len() * 3 + 16);
        text.reserve(room);
        let (result, read, _) = decoder.decode_to_string(rest, &mut text, last);
        rest = &rest[read..];
        if let CoderResult::InputEmpty = result {
            return text;
        }
    }
}
