//! # 练习 8：长度前缀分帧（参考答案）/ Exercise 8: length-prefix framing (reference solution)
//!
//! Lesson 6: TCP keeps no message boundaries, so every message travels as a frame: 4 bytes of
//! its length, big-endian, then the payload. `read_frame` reads exactly that many bytes however
//! the stream was glued or cut; `write_frame` sends one frame in one write. A declared length
//! above the maximum ends that connection only. The same framing as `crates/lesson6`, without
//! its line framing and its frame timeout.

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
    // 7.1 读满 4 字节的长度前缀，按大端解读。read_exact 需要几次 recv 就调用几次。
    //     连接在这里结束（UnexpectedEof）：客户端下线了。
    //     The whole 4-byte prefix, big-endian: read_exact calls recv as often as it takes.
    //     The stream ending here (UnexpectedEof) is the client leaving.
    let mut prefix = [0u8; 4];
    match stream.read_exact(&mut prefix) {
        Ok(()) => {}
        // A close inside the prefix ends here too; lesson 6's reader tells the two apart.
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(error) => return Err(error),
    }
    let length = u32::from_be_bytes(prefix) as usize;

    // 7.2 先检查长度，再分配内存：对方声明的长度不可信。
    //     Check the length before making room: the peer's word is not to be trusted.
    if length > MAX_PAYLOAD {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("帧太长 frame too long: {length} 字节 bytes > 上限 max {MAX_PAYLOAD}"),
        ));
    }

    // 7.3 读满 length 字节的内容。 Exactly length bytes of payload.
    let mut payload = vec![0u8; length];
    stream.read_exact(&mut payload)?;
    Ok(Some(payload))
}

/// Sends one frame: the payload's length in 4 big-endian bytes, then the payload.
fn write_frame(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    // 8. 拼好一整帧，一次写出：两次小的 write 会碰上 Nagle 算法（第 6 课实验 4）。
    //    write_all 就是 Python 的 sendall。
    //    The whole frame in one write: two small writes meet Nagle's algorithm (lesson 6,
    //    experiment 4). write_all is Python's sendall.
    let length = u32::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "帧太长 frame too long"))?;
    let mut frame = Vec::with_capacity(4 + payload.len());
    frame.extend_from_slice(&length.to_be_bytes());
    frame.extend_from_slice(payload);
    stream.write_all(&frame)
}
