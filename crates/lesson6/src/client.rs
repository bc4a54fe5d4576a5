//! 分帧的客户端 / The framed client: several messages in one write, then one
//! reply per message.
//!
//! All the frames go out in a single `write_all`, so they reach the server
//! glued together in whatever `recv`s the kernel makes of them; the server must
//! still find every message.

use std::io::{self, Write as _};
use std::net::SocketAddr;

use encoding_rs::Encoding;
use socket2::{Domain, Socket, Type};

use crate::framing::{FrameReader, Framing, write_frame};

pub fn run(
    server: SocketAddr,
    framing: Framing,
    encoding: &'static Encoding,
    messages: &[String],
) -> io::Result<()> {
    // ANCHOR: client
    // 1. 创建 TCP 客户端套接字。 Python: socket.socket(AF_INET, SOCK_STREAM)
    //    Create the TCP client socket.
    let tcp_client_socket =
        Socket::new(Domain::for_address(server), Type::STREAM, None)?;
    // 2. 和服务端建立连接。 Python: connect((host, port))
    //    Connect to the server.
    tcp_client_socket.connect(&server.into())?;
    println!(
        "已连接 connected: {}",
        course::addr_text(&tcp_client_socket.local_addr()?)
    );

    // 3. 每条消息编码成一帧，所有帧放在一起，一次写出。
    //    Encode each message as a frame, put all the frames together, and
    //    write them out in one write.
    //    Python: sendall(b"".join(frames))
    let mut send_data = Vec::new();
    for message in messages {
        let (payload, _, _) = encoding.encode(message);
        write_frame(framing, &payload, &mut send_data).map_err(|error| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{message:?}: {error}"),
            )
        })?;
    }
    (&tcp_client_socket).write_all(&send_data)?;
    println!(
        "一次写出 sent in one write: {} 条消息 messages, {} 字节 bytes",
        messages.len(),
        send_data.len()
    );

    // 4. 每条消息收一帧回复。
    //    Receive one reply frame for each message.
    //    Python: recv(4096) in a loop, until a whole frame is there
    let mut reader = FrameReader::new(framing);
    for number in 1..=messages.len() {
        let reply = reader
            .read_frame(|buffer| {
                tcp_client_socket.recv(course::as_uninit(buffer))
            })
            .map_err(io::Error::from)?;
        let Some(reply) = reply else {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "服务端在第 {number} 条回复之前关闭了连接 \
                     the server closed before reply {number}"
                ),
            ));
        };
        let (text, _) = encoding.decode_without_bom_handling(&reply);
        println!("回复 reply {number} ({} 字节 bytes): {text}", reply.len());
    }

    // 5. 关闭套接字。 Python: close()
    //    Close the socket.
    drop(tcp_client_socket);
    // ANCHOR_END: client
    Ok(())
}
