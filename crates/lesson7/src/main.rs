//! # 第 7 课：一个线程服务许多客户端 / Lesson 7: one thread, many clients
//!
//! 非阻塞套接字和事件循环 / Non-blocking sockets and an event loop.
//!
//! Lesson 4's server gives every client a thread, and each thread spends its
//! life blocked in `recv`. This server does the same work with one thread:
//! every socket is non-blocking, so a call that would have waited returns
//! `WouldBlock` at once, and one `poll` (epoll on Linux, kqueue on macOS; on
//! Windows, whose IOCP reports completions, readiness that mio builds from the
//! AFD driver) tells the thread which sockets are ready. Python has the same
//! two pieces: `sock.setblocking(False)` and the `selectors` module.
//!
//! On the wire it behaves like lesson 4: the same lines printed, the same reply
//! per `recv`, a decoder per connection (a character split across two reads
//! still prints whole), and no client can take the server down. What it adds: a
//! write buffer per connection, because a non-blocking `send` may take only
//! part of a reply, and the rest must wait for the socket to become writable.
//!
//! Left out on purpose: timers, and more than one thread. Lesson 8 does the
//! same with tokio.

use std::collections::HashMap;
use std::io::{self, Read as _, Write as _};
use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use course::options::ServerOptions;
use course::say;
use encoding_rs::{Decoder, Encoding};
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Registry, Token};
use socket2::{Domain, Socket, Type};

/// 第 7 课：一个线程服务许多客户端——非阻塞套接字加事件循环（mio，在
/// Linux 上是 epoll）。
/// Lesson 7: one thread for many clients, with non-blocking sockets and an
/// event loop (mio: epoll on Linux).
#[derive(Parser)]
#[command(name = "lesson7")]
struct Args {
    /// 打印每一个 WouldBlock（阻塞的程序会在那里等待）/
    /// print every WouldBlock (where a blocking program would have waited)
    #[arg(long)]
    show_would_block: bool,

    #[command(flatten)]
    options: ServerOptions<9292>,
}

/// What the server sends back for every message, as in the notes.
const REPLY: &str = "ok，问题正在处理中...";

/// The listening socket's token; connections get the tokens after it.
const LISTENER: Token = Token(0);

/// How long `poll` waits when `accept` failed for lack of file descriptors: the
/// connection that failed is still queued, and no new readiness event may come
/// to say so.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// One client: its socket, its decoder, and the reply bytes the socket has not
/// taken yet.
struct Connection {
    stream: TcpStream,
    ip_port: String,
    decoder: Decoder,
    unsent: Vec<u8>,
    /// Whether the event loop is also asked for writability (only while
    /// `unsent` waits).
    watching_writable: bool,
    /// The client has closed its end (recv returned 0): close ours once the
    /// replies are out.
    peer_closed: bool,
}

/// How far one connection's replies may pile up before the server stops reading
/// from it. A blocking server gets this for free, because its `send` waits.
/// Without it, a client that sends and never reads would make the server keep
/// every reply in memory.
const MAX_UNSENT: usize = 64 * 1024;

/// What reading a ready connection ended with.
enum Reading {
    /// `WouldBlock`: nothing more for now.
    Drained,
    /// Replies are piling up: stop reading until they are sent.
    Paused,
    /// `recv` returned 0: the client closed its end.
    Closed,
    /// An error (a reset): the connection is over.
    Failed,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    course::finish(run(&args, address), course::Role::ReusingServer { address })
}

fn run(args: &Args, address: SocketAddr) -> io::Result<()> {
    let encoding = args.options.encoding;

    // 一万个连接就是一万个文件描述符：先把软上限提高到硬上限。
    // Ten thousand connections are ten thousand file descriptors: first raise
    // the soft limit to the hard one.
    let raised = course::limits::raise_open_file_limit();

    // ANCHOR: listen
    // 1–4. 和第 4 课一样：创建、端口复用、绑定、监听。
    //      As in lesson 4: create, port reuse, bind, listen.
    //      Python: socket(); setsockopt(SO_REUSEADDR); bind(); listen(128)
    let tcp_server_socket =
        Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    tcp_server_socket.set_reuse_address(true)?;
    tcp_server_socket.bind(&address.into())?;
    tcp_server_socket.listen(128)?;

    // 5. 设为非阻塞：没有连接可接时，accept 不再等待，立刻返回 WouldBlock。
    //    Make it non-blocking: with no connection to accept, accept no longer
    //    waits but returns WouldBlock at once.
    //    Python: tcp_server_socket.setblocking(False)
    tcp_server_socket.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(tcp_server_socket.into());

    // 6. 创建事件循环，登记监听套接字：有连接可接时告诉我们。
    //    Create the event loop and register the listening socket: it tells us
    //    when there is a connection to accept.
    //    Python: selector = selectors.DefaultSelector()
    //            selector.register(tcp_server_socket, selectors.EVENT_READ)
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    // ANCHOR_END: listen

    course::announce_listening(listener.local_addr()?);
    course::limits::report(&raised);

    let mut server = Server {
        connections: HashMap::new(),
        next_token: LISTENER.0 + 1,
        reply: encoding.encode(REPLY).0.into_owned(),
        encoding,
        show_would_block: args.show_would_block,
    };
    let mut events = Events::with_capacity(1024);
    let mut accept_pending = false;

    // ANCHOR: event_loop
    loop {
        // 7. 唯一等待的地方：poll 阻塞到有套接字就绪
        //    （accept 失败过时，最多等一会儿再试）。
        //    The one place that waits: poll blocks until a socket is ready
        //    (after a failed accept, only a short while before trying again).
        //    Python: events = selector.select(timeout)
        let timeout = accept_pending.then_some(ACCEPT_RETRY);
        if let Err(error) = poll.poll(&mut events, timeout) {
            // A signal interrupted the wait;
            // anything else is a broken event loop.
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        }
        if accept_pending
            || events.iter().any(|event| event.token() == LISTENER)
        {
            accept_pending = server.accept_all(&listener, poll.registry());
        }
        for event in events.iter().filter(|event| event.token() != LISTENER) {
            server.serve(event.token(), poll.registry());
        }
    }
    // ANCHOR_END: event_loop
}

/// Everything the one thread keeps between events.
struct Server {
    connections: HashMap<Token, Connection>,
    next_token: usize,
    reply: Vec<u8>,
    encoding: &'static Encoding,
    show_would_block: bool,
}

impl Server {
    /// Prints where a blocking program would have waited, if asked to.
    /// (`format_args!` builds no string unless it is printed.)
    fn would_block(&self, what: std::fmt::Arguments) {
        if self.show_would_block {
            say!("WouldBlock: {what}");
        }
    }

    // ANCHOR: accept_all
    /// 8. Accepts until the OS says `WouldBlock`, since one readiness event may
    ///    stand for many waiting connections. Returns whether to try again soon
    ///    (`accept` failed: EMFILE).
    fn accept_all(
        &mut self,
        listener: &TcpListener,
        registry: &Registry,
    ) -> bool {
        loop {
            // Python:
            //     service_client_socket, ip_port = tcp_server_socket.accept()
            let (mut stream, ip_port) = match listener.accept() {
                Ok(client) => client,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    // 没有更多连接了：阻塞的 accept 会在这里等，我们回到 poll。
                    // No more connections: a blocking accept would wait
                    // here; we go back to poll.
                    self.would_block(format_args!(
                        "accept: 没有更多连接 \
                         no more connections, back to poll"
                    ));
                    return false;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {
                    continue;
                }
                Err(error) => {
                    // 例如文件描述符用完了（EMFILE）：
                    // 连接还在队列里，稍后再试，服务器继续。
                    // Out of file descriptors, say (EMFILE): the connection
                    // is still queued; try again soon, and the server goes on.
                    say!(
                        "accept 失败，稍后重试 \
                         accept failed, retrying: {:?}: {error}",
                        error.kind()
                    );
                    return true;
                }
            };
            let token = Token(self.next_token);
            self.next_token += 1;
            // 登记这个连接：有数据可读时告诉我们。
            // Register the connection: it tells us when there is data to read.
            // Python: selector.register(service_client_socket,
            //                           selectors.EVENT_READ)
            if let Err(error) =
                registry.register(&mut stream, token, Interest::READABLE)
            {
                say!(
                    "无法登记这个连接 \
                     cannot register the connection {ip_port}: {error}"
                );
                continue;
            }
            let ip_port = ip_port.to_string();
            say!("客户端连接成功 client connected: {ip_port}");
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
    }
    // ANCHOR_END: accept_all

    // ANCHOR: serve
    /// One connection is ready: read what it has, send what the socket takes,
    /// and close it once the client has gone and every reply is out (at once,
    /// after an error).
    fn serve(&mut self, token: Token, registry: &Registry) {
        let Some(mut connection) = self.connections.remove(&token) else {
            return; // closed earlier in this round of events
        };
        let open = loop {
            let reading = if connection.peer_closed {
                Reading::Closed
            } else {
                self.read_all(&mut connection)
            };
            if matches!(reading, Reading::Failed)
                || !self.send_some(&mut connection, token, registry)
            {
                break false;
            }
            match reading {
                // Everything sent, but the socket may still hold unread bytes,
                // and an edge-triggered poll will not report them again:
                // read on.
                Reading::Paused if connection.unsent.is_empty() => continue,
                Reading::Closed if connection.unsent.is_empty() => {
                    // 客户端最后发来的若是半个字符，解码器这时把它报告为 �。
                    // If the client's last bytes were half a character, the
                    // decoder reports it now, as �.
                    let decoder = &mut connection.decoder;
                    let leftover =
                        course::encoding::decode_stream(decoder, &[], true);
                    if !leftover.is_empty() {
                        say!(
                            "最后不完整的字节 \
                             incomplete bytes at the end from {}: {leftover}",
                            connection.ip_port
                        );
                    }
                    say!("客户端下线了 client offline: {}", connection.ip_port);
                    break false;
                }
                Reading::Closed => {
                    connection.peer_closed = true;
                    break true;
                }
                _ => break true,
            }
        };
        if open {
            self.connections.insert(token, connection);
        } else {
            // 11. 结束和这个客户端的通信：注销；套接字被丢弃时 close(2)。
            //     End the conversation with this client: deregister it;
            //     dropping the socket calls close(2).
            //     Python: selector.unregister(service_client_socket)
            //             service_client_socket.close()
            let _ = registry.deregister(&mut connection.stream);
        }
    }
    // ANCHOR_END: serve

    // ANCHOR: read_all
    /// 9. Reads until the OS says `WouldBlock`, printing and answering each
    ///    chunk as lesson 4 does, unless too many replies are waiting to be
    ///    sent.
    fn read_all(&self, connection: &mut Connection) -> Reading {
        let mut recv_data = [0u8; 1024];
        while connection.unsent.len() < MAX_UNSENT {
            // Python: recv_data = service_client_socket.recv(1024)
            let recv_data_length = match connection.stream.read(&mut recv_data)
            {
                Ok(0) => return Reading::Closed,
                Ok(length) => length,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    // 暂时没有数据了：阻塞的 recv 会在这里等，我们回到 poll。
                    // No more data for now: a blocking recv would wait here;
                    // we go back to poll.
                    self.would_block(format_args!(
                        "recv {}: 没有更多数据 no more data",
                        connection.ip_port
                    ));
                    return Reading::Drained;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {
                    continue;
                }
                Err(error) => {
                    say!(
                        "接收失败，不再服务这个客户端 \
                         receive failed, ending this client {}:\n  {:?}: {error}",
                        connection.ip_port,
                        error.kind()
                    );
                    return Reading::Failed;
                }
            };
            // 一个连接的字节仍然可能分几次到达：
            // 每个连接一个解码器，和第 4 课一样。
            // A connection's bytes may still arrive in several pieces: one
            // decoder per connection, as in lesson 4.
            let chunk = &recv_data[..recv_data_length];
            let recv_content = course::encoding::decode_stream(
                &mut connection.decoder,
                chunk,
                false,
            );
            // 太长的文本另起几行，每行不超过终端的宽度。
            // Text too long goes on over more lines, none of them wider
            // than the terminal.
            course::print_received(
                recv_data_length,
                &connection.ip_port,
                &recv_content,
            );
            // 10. 回复：先放进这个连接的待发缓冲区，由 send_some 发出。
            //     Reply: first into this connection's buffer of unsent bytes,
            //     which send_some sends.
            connection.unsent.extend_from_slice(&self.reply);
        }
        Reading::Paused
    }
    // ANCHOR_END: read_all

    // ANCHOR: send_some
    /// Sends what the socket takes now and keeps the rest, asking to hear when
    /// the socket is writable again. Returns whether the connection is still
    /// usable.
    fn send_some(
        &self,
        connection: &mut Connection,
        token: Token,
        registry: &Registry,
    ) -> bool {
        while !connection.unsent.is_empty() {
            // Python: sent = service_client_socket.send(unsent)
            match connection.stream.write(&connection.unsent) {
                Ok(sent) => {
                    connection.unsent.drain(..sent);
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    // 发送缓冲区满了：阻塞的 send 会在这里等。
                    // 剩下的留着，可写时再发。
                    // The send buffer is full: a blocking send would wait
                    // here. Keep the rest, to send when the socket is writable.
                    self.would_block(format_args!(
                        "send {}: 发送缓冲区满了 \
                         the send buffer is full, {} bytes kept",
                        connection.ip_port,
                        connection.unsent.len()
                    ));
                    return watch_writable(connection, token, registry, true);
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    say!(
                        "回复发送失败，结束这个客户端 \
                         reply could not be sent, ending this client {}:\n  \
                         {:?}: {error}",
                        connection.ip_port,
                        error.kind()
                    );
                    return false;
                }
            }
        }
        // 全部发出去了：只关心可读。
        // Everything is sent: only readability matters now.
        watch_writable(connection, token, registry, false)
    }
    // ANCHOR_END: send_some
}

/// Asks the event loop to report writability too, or no longer; a system call
/// only when that changes.
/// Python: `selector.modify(conn, EVENT_READ | EVENT_WRITE)`.
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

// One case no test from outside can reach, tested from inside on loopback sockets.
#[cfg(test)]
mod tests;
