//! # 练习 8：长度前缀分帧 / Exercise 8: length-prefix framing
//!
//! 任务见 README.md。把每个 `todo!(…)` 换成你的代码，然后运行 `just check 8`。
//! The task is in README.md. Replace each `todo!(…)` with your code, then run `just check 8`.

// 还有 todo!() 时，它后面的代码执行不到；写完后可以删掉这一行。
// While a todo!() is left, the code after it is unreachable; delete this line when you are done.
#![allow(
    unreachable_code,
    unused_variables,
    unused_imports,
    unused_mut,
    dead_code
)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::thread;

use clap::Parser;
use course::options::ServerOptions;
use encoding_rs::Encoding;
use socket2::{Domain, Socket, Type};

/// 练习 8：分帧的服务端——每条消息前面是 4 字节大端长度；每条消息回复恰好一帧。
/// Exercise 8: the framed server: a 4-byte big-endian length before every message, one frame back for each.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    options: ServerOptions<9191>,
}

/// The largest payload the server accepts (64 KiB). A length prefix can declare up to 4 GiB.
const MAX_PAYLOAD: usize = 64 * 1024;

// 这部分已经写好，只有 read_frame 和 write_frame 留给你。
// Already written: only read_frame and write_frame are left to you.
fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    course::finish(
        run(&args.options, address),
        course::Role::ReusingServer { address },
    )
}

fn run(options: &ServerOptions<9191>, address: SocketAddr) -> io::Result<()> {
    let encoding = options.encoding;

    // 1–4. 创建、端口复用、绑定、监听（第 2、3 课）。 create, reuse, bind, listen (lessons 2 and 3)
    let tcp_server_socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    tcp_server_socket.set_reuse_address(true)?;
    tcp_server_socket.bind(&address.into())?;
    tcp_server_socket.listen(128)?;
    let bound = tcp_server_socket
        .local_addr()?
        .as_socket()
        .unwrap_or(address);
    course::announce_listening(bound);

    loop {
        // 5. 接受连接，6. 一个客户端一个线程（第 4 课）。 accept, a thread per client (lesson 4)
        let (service_client_socket, ip_port) = tcp_server_socket.accept()?;
        let ip_port = course::addr_text(&ip_port);
        println!("客户端连接成功 client connected: {ip_port}");
        let stream = TcpStream::from(service_client_socket);
        thread::spawn(move || handle_client(stream, ip_port, encoding));
    }
}

/// Serves one client: a whole message in, one frame out, until it leaves.
fn handle_client(mut stream: TcpStream, ip_port: String, encoding: &'static Encoding) {
    let mut count = 0u64;
    loop {
        // 7. 接收一整帧。 Python: recv(4) and recv(length) until each is whole
        let payload = match read_frame(&mut stream) {
            Ok(Some(payload)) => payload,
            Ok(None) => {
                println!("客户端下线了 client offline: {ip_port}");
                break;
            }
            Err(error) => {
                println!("关闭这个连接 closing the connection {ip_port}: {error}");
                break;
            }
        };
        count += 1;
        let (text, _) = encoding.decode_without_bom_handling(&payload);
        println!(
            "收到第 {count} 条消息 message {count} ({} 字节 bytes) 来自 from {ip_port}: {text}",
            payload.len()
        );

        // 8. 每条消息回复恰好一帧。 Python: sendall(struct.pack(">I", len(reply)) + reply)
        let reply = format!(
            "ok，第 {count} 条 message {count} ({} 字节 bytes)",
            payload.len()
        );
        let (reply, _, _) = encoding.encode(&reply);
        if let Err(error) = write_frame(&mut stream, &reply) {
            println!("回复发送失败 reply could not be sent {ip_port}: {error}");
            break;
        }
    }
    // 9. 结束和这个客户端的通信。 Python: close()
    drop(stream);
}

/// The next frame's payload; `Ok(None)` when the client closed the connection between frames.
fn read_frame(stream: &mut TcpStream) -> io::Result<Option<Vec<u8>>> {
    // 7.1 读满 4 字节的长度前缀，按大端（big-endian）解读成 usize。一次 read 可能只拿到 1 个字节：
    //     read_exact 需要几次 recv 就调用几次。连接在这里结束（read_exact 报 UnexpectedEof）：
    //     客户端下线了，返回 Ok(None)；别的错误原样返回。
    //     Read the whole 4-byte prefix and take it as a big-endian number. One read may bring a
    //     single byte: read_exact calls recv as often as it takes. The stream ending here
    //     (UnexpectedEof) is the client leaving: return Ok(None); return any other error.
    //     Python: recv(4) until 4 bytes have come; struct.unpack(">I", prefix)
    let length: usize = todo!("第 7.1 步 step 7.1: 读满 4 字节的长度 read the whole 4-byte length");

    // 7.2 对方声明的长度不可信：大于 MAX_PAYLOAD 时，不分配内存、不等内容，返回一个错误
    //     （io::ErrorKind::InvalidData），结束这个连接。
    //     The declared length is not to be trusted: above MAX_PAYLOAD, return an error
    //     (io::ErrorKind::InvalidData) before making room or waiting, which ends this connection.
    todo!("第 7.2 步 step 7.2: 拒绝超过 64 KiB 的长度 refuse a length above 64 KiB");

    // 7.3 读满 length 字节的内容，返回 Ok(Some(内容))。 Read exactly length bytes, return them.
    //     Python: recv(length - len(payload)) until the payload is whole
    let payload: Vec<u8> = todo!("第 7.3 步 step 7.3: 读满 length 字节 read exactly length bytes");
    Ok(Some(payload))
}

/// Sends one frame: the payload's length in 4 big-endian bytes, then the payload.
fn write_frame(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    // 8. 一帧：4 字节大端长度，然后是内容。拼好整帧，用 write_all 一次写出（send 可能只发出一部分）。
    //    One frame: the 4-byte big-endian length, then the payload. Build it whole and send it
    //    with write_all (a send may take only part of it).
    //    Python: sendall(struct.pack(">I", len(payload)) + payload)
    todo!("第 8 步 step 8: 写出一帧 send one frame")
}
