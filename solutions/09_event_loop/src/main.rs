//! # 练习 9：事件循环里的 WouldBlock（参考答案）/ Exercise 9: the event loop's WouldBlock (reference solution)
//!
//! Lesson 7: one thread serves every client. The sockets are non-blocking and mio's poll
//! (epoll on Linux) is edge-triggered: it reports a socket when it becomes ready, not while
//! it stays ready. So every ready socket is used until the OS says `WouldBlock`: accept until
//! no connection is left, read until no byte is left, and what a send did not take is kept
//! for when the socket is writable again. The same steps as `crates/lesson7`, without its
//! file-descriptor limits and its cap on unsent replies.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use course::options::ServerOptions;
use encoding_rs::{Decoder, Encoding};
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Registry, Token};
use socket2::{Domain, Socket, Type};

/// 练习 9：一个线程服务许多客户端——非阻塞套接字加事件循环（mio）。
/// Exercise 9: one thread for many clients, with non-blocking sockets and an event loop (mio).
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    options: ServerOptions<9292>,
}

/// What the server sends back for every message, as in the notes.
const REPLY: &str = "ok，问题正在处理中...";

/// The listening socket's token; connections get the tokens after it.
const LISTENER: Token = Token(0);

/// One client: its socket, its decoder, and the reply bytes the socket has not taken yet.
struct Connection {
    stream: TcpStream,
    ip_port: String,
    decoder: Decoder,
    unsent: Vec<u8>,
    /// Whether poll also reports writability (only while `unsent` waits).
    watching_writable: bool,
    /// The client has closed its end (recv returned 0): close ours once the replies are out.
    peer_closed: bool,
}

/// What reading a ready connection ended with.
enum Reading {
    /// `WouldBlock`: nothing more for now.
    Drained,
    /// `recv` returned 0: the client closed its end.
    Closed,
    /// An error (a reset): the connection is over.
    Failed,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    course::finish(
        run(&args.options, address),
        course::Role::ReusingServer { address },
    )
}

fn run(options: &ServerOptions<9292>, address: SocketAddr) -> io::Result<()> {
    // 1–4. 创建、端口复用、绑定、监听（第 4 课）。 create, reuse, bind, listen (lesson 4)
    let tcp_server_socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    tcp_server_socket.set_reuse_address(true)?;
    tcp_server_socket.bind(&address.into())?;
    tcp_server_socket.listen(128)?;
    // 5. 设为非阻塞。 Python: tcp_server_socket.setblocking(False)
    tcp_server_socket.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(tcp_server_socket.into());
    // 6. 创建事件循环，登记监听套接字。 Python: selector.register(tcp_server_socket, EVENT_READ)
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    course::announce_listening(listener.local_addr()?);

    let mut server = Server {
        connections: HashMap::new(),
        next_token: LISTENER.0 + 1,
        reply: options.encoding.encode(REPLY).0.into_owned(),
        encoding: options.encoding,
    };
    let mut events = Events::with_capacity(1024);
    loop {
        // 7. 唯一等待的地方：poll 阻塞到有套接字就绪。 Python: selector.select()
        if let Err(error) = poll.poll(&mut events, None) {
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        }
        for event in &events {
            if event.token() == LISTENER {
                server.accept_all(&listener, poll.registry());
            } else {
                server.serve(event.token(), poll.registry());
            }
        }
    }
}

/// Everything the one thread keeps between events.
struct Server {
    connections: HashMap<Token, Connection>,
    next_token: usize,
    reply: Vec<u8>,
    encoding: &'static Encoding,
}

impl Server {
    /// Accepts every connection waiting: one readiness event may stand for many.
    fn accept_all(&mut self, listener: &TcpListener, registry: &Registry) {
        loop {
            // 8. 一直 accept，直到 WouldBlock：没有更多连接了，回到 poll。
            //    Python: service_client_socket, ip_port = tcp_server_socket.accept()
            match listener.accept() {
                Ok((stream, ip_port)) => self.add(stream, ip_port, registry),
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    // Out of file descriptors, say: the server goes on.
                    println!("accept 失败 accept failed: {:?}: {error}", error.kind());
                    return;
                }
            }
        }
    }

    /// Registers a new connection (already written).
    fn add(&mut self, mut stream: TcpStream, ip_port: SocketAddr, registry: &Registry) {
        let token = Token(self.next_token);
        self.next_token += 1;
        if let Err(error) = registry.register(&mut stream, token, Interest::READABLE) {
            println!("无法登记这个连接 cannot register {ip_port}: {error}");
            return;
        }
        let ip_port = ip_port.to_string();
        println!("客户端连接成功 client connected: {ip_port}");
        let connection = Connection {
            stream,
            ip_port,
            decoder: self.encoding.new_decoder_without_bom_handling(),
            unsent: Vec::new(),
            watching_writable: false,
            peer_closed: false,
        };
        self.connections.insert(token, connection);
    }

    /// One connection is ready: read what it has, send what the socket takes, and close it
    /// once the client has gone and every reply is out (at once, after an error).
    fn serve(&mut self, token: Token, registry: &Registry) {
        let Some(mut connection) = self.connections.remove(&token) else {
            return;
        };
        let reading = if connection.peer_closed {
            Reading::Closed
        } else {
            self.read_all(&mut connection)
        };
        let open = match reading {
            Reading::Failed => false,
            _ if !send_some(&mut connection, token, registry) => false,
            Reading::Closed if connection.unsent.is_empty() => {
                println!("客户端下线了 client offline: {}", connection.ip_port);
                false
            }
            Reading::Closed => {
                connection.peer_closed = true;
                true
            }
            Reading::Drained => true,
        };
        if open {
            self.connections.insert(token, connection);
        } else {
            // 11. 注销；套接字被丢弃时 close。 Python: selector.unregister(…); close()
            let _ = registry.deregister(&mut connection.stream);
        }
    }

    /// Reads everything the connection has now, printing and answering each chunk.
    fn read_all(&self, connection: &mut Connection) -> Reading {
        let mut recv_data = [0u8; 1024];
        loop {
            // 9. 一直读，直到 WouldBlock：边沿触发的 poll 不会为还没读的字节再通知一次。
            //    出错（客户端重置了连接）只结束这个客户端。 Python: recv(1024)
            let recv_data_length = match connection.stream.read(&mut recv_data) {
                Ok(0) => return Reading::Closed,
                Ok(length) => length,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    return Reading::Drained;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    println!(
                        "接收失败 receive failed {}: {:?}: {error}",
                        connection.ip_port,
                        error.kind()
                    );
                    return Reading::Failed;
                }
            };
            self.received(connection, &recv_data[..recv_data_length]);
        }
    }

    /// Prints one chunk and queues its reply (already written).
    fn received(&self, connection: &mut Connection, chunk: &[u8]) {
        let text = course::encoding::decode_stream(&mut connection.decoder, chunk, false);
        println!(
            "收到 received {} 字节 bytes 来自 from {}: {text}",
            chunk.len(),
            connection.ip_port
        );
        connection.unsent.extend_from_slice(&self.reply);
    }
}

/// Sends what the socket takes now and keeps the rest, to send when it is writable again.
/// Returns whether the connection is still usable.
fn send_some(connection: &mut Connection, token: Token, registry: &Registry) -> bool {
    while !connection.unsent.is_empty() {
        // 10. 非阻塞的 send 可能只发出一部分，或者一个字节也发不出（WouldBlock）：
        //     剩下的留在 unsent 里，等套接字可写时再发。 Python: sent = send(unsent)
        match connection.stream.write(&connection.unsent) {
            Ok(sent) => {
                connection.unsent.drain(..sent);
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                return watch_writable(connection, token, registry, true);
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => {
                println!(
                    "回复发送失败 reply could not be sent {}: {:?}: {error}",
                    connection.ip_port,
                    error.kind()
                );
                return false;
            }
        }
    }
    watch_writable(connection, token, registry, false)
}

/// Asks the event loop to report writability too (while replies wait), or no longer; a system
/// call only when that changes: re-registering a socket that is still readable would report it
/// again, and hide a read loop that stops early (already written).
/// Python: `selector.modify(conn, EVENT_READ | EVENT_WRITE)`
fn watch_writable(
    connection: &mut Connection,
    token: Token,
    registry: &Registry,
    on: bool,
) -> bool {
    if connection.watching_writable == on {
        return true;
    }
    connection.watching_writable = on;
    let interest = if on {
        Interest::READABLE | Interest::WRITABLE
    } else {
        Interest::READABLE
    };
    registry
        .reregister(&mut connection.stream, token, interest)
        .is_ok()
}
