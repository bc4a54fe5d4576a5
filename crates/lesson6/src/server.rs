//! 分帧的服务端 / The framed server: lesson 4's thread per client, reading
//! whole messages.
//!
//! Where lesson 4 treats each `recv` as one message, this server reads frames:
//! it prints each message whole, with its length, however the bytes were glued
//! or split on the way, and answers each message with exactly one frame. A peer
//! that misbehaves ends only its own connection: a declared length above the
//! maximum, a frame left unfinished for too long.

use std::io::{self, Write as _};
use std::net::SocketAddr;
use std::thread;
use std::time::Duration;

use course::say;
use encoding_rs::Encoding;
use socket2::{Domain, Socket, Type};

use crate::framing::{FrameError, FrameReader, Framing, write_frame};

/// How long a thread waits after `accept` failed (out of file descriptors, say)
/// before trying again, so that an error that persists does not make the loop
/// spin.
const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(100);

/// What every connection's thread needs to know.
#[derive(Clone, Copy)]
pub struct Settings {
    pub framing: Framing,
    pub encoding: &'static Encoding,
    /// How long a frame may stay unfinished before the connection is closed.
    pub frame_timeout: Duration,
}

pub fn run(address: SocketAddr, settings: Settings) -> io::Result<()> {
    // ANCHOR: listen
    // 1. 创建 TCP 服务端套接字。 Python: socket.socket(AF_INET, SOCK_STREAM)
    //    Create the TCP server socket.
    let tcp_server_socket =
        Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    // 2. 端口号复用（第 3 课）。
    //    Port reuse (lesson 3).
    //    Python: setsockopt(SOL_SOCKET, SO_REUSEADDR, True)
    tcp_server_socket.set_reuse_address(true)?;
    // 3. 绑定端口号。 Python: bind(("", 9191))
    //    Bind the port.
    tcp_server_socket.bind(&address.into())?;
    // 4. 设置监听。 Python: listen(128)
    //    Listen for connections.
    tcp_server_socket.listen(128)?;
    // ANCHOR_END: listen

    let bound = tcp_server_socket
        .local_addr()?
        .as_socket()
        .unwrap_or(address);
    course::announce_listening(bound);
    say!(
        "分帧方式 framing: {}，编码 encoding: {}，\
         一帧最多 max payload: {} 字节 bytes",
        settings.framing,
        settings.encoding.name(),
        crate::framing::MAX_PAYLOAD
    );

    // 5. 循环接受连接，6. 一个客户端一个线程，和第 4 课一样。
    //    Accept connections in a loop, 6. a thread per client, as in lesson 4.
    //    Python: while True:
    //        service_client_socket, ip_port = accept(); Thread(...).start()
    loop {
        let (service_client_socket, ip_port) = match tcp_server_socket.accept()
        {
            Ok(client) => client,
            Err(error) => {
                say!(
                    "accept 失败，稍后重试 \
                     accept failed, retrying: {:?}: {error}",
                    error.kind()
                );
                thread::sleep(ACCEPT_RETRY_PAUSE);
                continue;
            }
        };
        let ip_port = course::addr_text(&ip_port);
        say!("客户端连接成功 client connected: {ip_port}");
        let spawned = thread::Builder::new()
            .name(format!("client {ip_port}"))
            .spawn(move || {
                handle_client(service_client_socket, ip_port, settings)
            });
        if let Err(error) = spawned {
            say!(
                "无法创建线程，关闭这个连接 \
                 could not start a thread, closing the connection: \
                 {:?}: {error}",
                error.kind()
            );
        }
    }
}

// ANCHOR: handle_client
/// Serves one client: a whole message in, one frame out, until it leaves.
fn handle_client(
    service_client_socket: Socket,
    ip_port: String,
    settings: Settings,
) {
    // recv 最多等这么久。两帧之间的安静是正常的，一帧停在中间才是对方出了问题。
    // SO_RCVTIMEO。Python 最接近的是 settimeout(…)，但它不设这个选项（见页面）。
    // recv waits this long at most (SO_RCVTIMEO). Quiet between two frames is
    // normal; a frame stopped halfway means something is wrong with the peer.
    // Python's nearest is settimeout(…), which does not set this option (see
    // the page).
    if let Err(error) =
        service_client_socket.set_read_timeout(Some(settings.frame_timeout))
    {
        say!(
            "无法设置超时 cannot set the timeout {ip_port}: {:?}: {error}",
            error.kind()
        );
        return;
    }
    let mut reader = FrameReader::new(settings.framing);
    let mut count = 0u64;
    loop {
        // 7. 接收一整帧：需要几次 recv 就调用几次。
        //    Receive a whole frame: as many recvs as it takes.
        //    Python: recv(4096) in a loop
        let frame = reader.read_frame(|buffer| {
            service_client_socket.recv(course::as_uninit(buffer))
        });
        let payload = match frame {
            Ok(Some(payload)) => payload,
            Ok(None) => {
                say!("客户端下线了 client offline: {ip_port}");
                break;
            }
            // 两帧之间超时：客户端只是暂时没话说，继续等。
            // A timeout between frames: the client just has nothing to say for
            // now; keep waiting.
            Err(FrameError::Recv { error, have: 0 }) if is_timeout(&error) => {
                continue;
            }
            Err(FrameError::Recv { error, have }) if is_timeout(&error) => {
                let stopped = format!(
                    "对方停在一帧中间，超时，关闭连接 {ip_port}: the peer \
                     stopped mid-frame ({have} 字节 bytes waiting) for {} ms",
                    settings.frame_timeout.as_millis()
                );
                course::print_fit(&stopped, "", "  ");
                break;
            }
            Err(error) => {
                let closing = format!("关闭连接 closing {ip_port}: {error}");
                course::print_fit(&closing, "", "  ");
                break;
            }
        };
        count += 1;
        let (text, malformed) =
            settings.encoding.decode_without_bom_handling(&payload);
        say!(
            "收到第 {count} 条消息 message {count} ({} 字节 bytes) \
             来自 from {ip_port}: {text}{}",
            payload.len(),
            if malformed {
                "  （有不合法的字节，显示为 � / invalid bytes show as �）"
            } else {
                ""
            }
        );

        // 8. 每条消息回复恰好一帧。 Python: sendall(frame)
        //    Exactly one reply frame for each message.
        let reply = format!(
            "ok，第 {count} 条 message {count} ({} 字节 bytes)",
            payload.len()
        );
        let (reply, _, _) = settings.encoding.encode(&reply);
        let mut send_data = Vec::new();
        let framed = write_frame(settings.framing, &reply, &mut send_data);
        let sent = framed
            .map_err(|error| io::Error::other(error.to_string()))
            .and_then(|()| {
                // write_all 就是 Python 的 sendall：
                // send 只发出一部分时，接着发剩下的。
                // write_all is Python's sendall: when a send takes only part,
                // it sends the rest.
                (&service_client_socket).write_all(&send_data)
            });
        if let Err(error) = sent {
            say!(
                "回复发送失败 reply could not be sent {ip_port}: {:?}: {error}",
                error.kind()
            );
            break;
        }
    }
    // 9. 结束和这个客户端的通信。 Python: service_client_socket.close()
    //    End the conversation with this client.
    drop(service_client_socket);
}
// ANCHOR_END: handle_client

/// A receive timeout: `WouldBlock` (EAGAIN) on Unix, `TimedOut` (WSAETIMEDOUT)
/// on Windows.
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
