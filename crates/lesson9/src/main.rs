//! # 第 9 课：HTTP 与静态网页服务器 / Lesson 9: HTTP and a static web server
//!
//! 讲义之后，这门课程接下来讲 HTTP 和一个手写的静态网页服务器。HTTP 就是 TCP 上的文本：
//! 浏览器发来请求头（请求行、若干头部行、一个空行），服务器回一个响应头和文件的字节。
//! 这一课把第 1–8 课学到的都用上：第 4 课的一个连接一个线程，第 6 课的分帧（读到空行为止，
//! 剩下的字节留给下一个请求），第 5 课的关闭（先 shutdown 再读完，免得 RST 毁掉响应），
//! 再加上网上任何人都能发来的请求该怎样安全地对待。
//!
//! After the notes, this curriculum goes on to HTTP and a hand-written static web server.
//! HTTP is text over TCP: a browser sends a request head (a request line, header lines, an
//! empty line), and the server answers with a response head and the file's bytes. The lesson
//! uses everything lessons 1–8 taught: lesson 4's thread per connection, lesson 6's framing
//! (read up to the empty line, keep the rest for the next request), lesson 5's close (shut
//! down, then read what is left, so that no RST destroys the response), and how to treat a
//! request that anyone on the network can send.
//!
//! What this server does that the curriculum's Python version (and the Rust Book's, chapter
//! 21) does not, each proved by a test in `tests/lesson9.rs`: it reads the whole head across
//! any number of `recv` calls, with limits on its size and time; it percent-decodes the path
//! once and refuses `..`, encoded slashes, backslashes, NUL and links out of the root before
//! it opens a file; it sends `Content-Length` and `Content-Type` on every response; it streams
//! a file in chunks, each sent whole (`write_all`, Python's `sendall`); it keeps a connection
//! open for the next request (HTTP/1.1's keep-alive) and answers pipelined requests in order.

use std::fs::File;
use std::io::{self, Read, Take, Write};
use std::net::{Shutdown, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use course::options::ListenOptions;
use course::say;
use socket2::{Domain, Socket, Type};

mod answer;
mod head;
mod log;
mod path;
mod range;
mod request;
mod response;
mod stop;
mod tasks;

use answer::Answer;
use head::NoHead;
use log::Exchange;
use stop::Stop;

/// 第 9 课：HTTP 与静态网页服务器——把一个文件夹里的文件发给浏览器、curl 和任何客户端。
/// Lesson 9: HTTP and a static web server: serves a folder's files to a browser, curl, or any client.
#[derive(Parser)]
#[command(name = "lesson9")]
struct Args {
    #[command(flatten)]
    options: ListenOptions<9494>,

    /// 要发布的文件夹，默认是这一课自带的小网站 crates/lesson9/site
    /// / the folder to serve; by default the lesson's own small site, crates/lesson9/site
    #[arg(long, value_name = "DIR", default_value = DEFAULT_ROOT, hide_default_value = true,
          value_parser = parse_root)]
    root: PathBuf,

    /// 请求头要在几秒内到齐，慢的客户端和空闲的长连接到时被关闭
    /// / seconds for a request head to arrive whole; a slow client, or an idle keep-alive
    /// connection, is closed when they pass
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_seconds)]
    timeout: Duration,

    /// 服务许多连接的方式：threads 一个连接一个线程（第 4 课），tokio 一个连接一个任务（第 8 课）
    /// / how to serve many connections: threads, a thread per connection (lesson 4); tokio, a
    /// task per connection on one thread (lesson 8)
    #[arg(long, value_enum, default_value_t = Design::Threads)]
    design: Design,
}

/// The two designs of lesson 9's server; they answer every request alike (`answer.rs`).
#[derive(Clone, Copy, clap::ValueEnum)]
enum Design {
    /// 一个连接一个线程 / a thread per connection
    Threads,
    /// 一个线程上，一个连接一个 tokio 任务 / a tokio task per connection, on one thread
    Tokio,
}

/// The site shipped with the lesson, where Cargo built it from.
const DEFAULT_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/site");

/// How long a closing connection waits for the client's own close after the server's FIN,
/// reading and discarding what it still sends (see [`close_gracefully`]).
const LINGER: Duration = Duration::from_secs(2);

/// How long Ctrl-C waits for the requests in flight before the process exits anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long to wait before calling `accept` again after it failed (lesson 4).
const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(100);

fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    let served = match args.design {
        Design::Threads => run(&args, address),
        Design::Tokio => tasks::serve(&args, address),
    };
    course::finish(served, course::Role::ReusingServer { address })
}

fn run(args: &Args, address: SocketAddr) -> io::Result<()> {
    // ANCHOR: listen
    // 1. 创建 TCP 服务端套接字，和第 4 课一样。 Python: socket.socket(AF_INET, SOCK_STREAM)
    //    Create the TCP server socket, as in lesson 4.
    let tcp_server_socket =
        Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    // 2. 设置端口号复用（第 3 课）。 Python: setsockopt(SOL_SOCKET, SO_REUSEADDR, True)
    //    Set port reuse (lesson 3).
    tcp_server_socket.set_reuse_address(true)?;
    // 3. 绑定端口号。 Python: bind(("", 9494))
    //    Bind the port.
    tcp_server_socket.bind(&address.into())?;
    // 4. 设置监听。 Python: listen(128)
    //    Listen.
    tcp_server_socket.listen(128)?;
    // ANCHOR_END: listen

    // --port 0 时这里才知道内核挑了哪个端口。
    // With --port 0, this is where we learn which port the kernel picked.
    let bound = tcp_server_socket
        .local_addr()?
        .as_socket()
        .unwrap_or(address);
    // Ctrl-C is handled (step 12) before the server says it listens: from then on, a Ctrl-C
    // always finds the handler, and its thread is there from the start.
    let stop = Stop::new(bound);
    let on_ctrl_c = Arc::clone(&stop);
    ctrlc::set_handler(move || on_ctrl_c.begin()).map_err(io::Error::other)?;
    course::announce_listening(bound);
    say!("网站的根目录 serving the folder: {}", args.root.display());
    let mut connections = 0u64;

    // ANCHOR: accept_loop
    loop {
        // 5. 等待下一个客户端（浏览器常常一次连好几个）。 Python: accept()
        //    Wait for the next client (a browser often opens several connections at once).
        let (service_client_socket, ip_port) = match tcp_server_socket.accept()
        {
            Ok(client) => client,
            // 失败了（例如文件描述符用完了）：报告，稍等再试；Ctrl-C 之后就不再试。
            // A failure (out of file descriptors, say): report it, wait a little, try again;
            // after Ctrl-C, stop trying.
            Err(_) if stop.stopping() => break,
            Err(error) => {
                log::accept_failed(&error);
                thread::sleep(ACCEPT_RETRY_PAUSE);
                continue;
            }
        };
        // 12. Ctrl-C 之后：这个连接是服务端自己用来唤醒 accept 的（或者来晚了的客户端），不再接受。
        //     After Ctrl-C: this connection is the server's own, made to wake accept (or a
        //     client too late): no more connections.
        if stop.stopping() {
            break;
        }
        let ip_port = course::addr_text(&ip_port);
        let (root, timeout) = (args.root.clone(), args.timeout);
        let (live, stop) = (stop.enter(), Arc::clone(&stop));
        connections += 1;
        let id = connections;

        // 6. 一个连接一个线程（第 4 课）。 Python: threading.Thread(target=handle_client_request, …)
        //    A thread per connection (lesson 4).
        let spawned = thread::Builder::new()
            .name(format!("client {ip_port}"))
            .spawn(move || {
                let _counted_until_it_ends = live;
                let connection = Client {
                    id,
                    ip_port: &ip_port,
                    stop: &stop,
                };
                handle_client_request(
                    service_client_socket,
                    &connection,
                    &root,
                    timeout,
                )
            });
        if let Err(error) = spawned {
            log::line(&format!(
                "无法创建线程，关闭这个连接 could not start a thread, closing the connection: {:?}: {error}",
                error.kind()
            ));
        }
    }
    // ANCHOR_END: accept_loop

    // ANCHOR: shutdown
    // 12. 从容退出：关闭监听套接字，等正在处理的请求答完（最多 SHUTDOWN_GRACE），退出码 0。
    //     A graceful exit: close the listening socket, wait for the requests in flight to be
    //     answered (SHUTDOWN_GRACE at most), exit with 0.
    //     Python: except KeyboardInterrupt: tcp_server_socket.close()
    drop(tcp_server_socket);
    log::stopping(stop.live());
    log::stopped(stop.wait_for_connections(SHUTDOWN_GRACE));
    Ok(())
    // ANCHOR_END: shutdown
}

/// One connection as its thread knows it: its number, the client's address, the stop.
struct Client<'a> {
    id: u64,
    ip_port: &'a str,
    stop: &'a Stop,
}

// ANCHOR: handle_client_request
/// Serves one connection: request after request, until the client or a rule closes it.
fn handle_client_request(
    service_client_socket: Socket,
    client: &Client,
    root: &Path,
    timeout: Duration,
) {
    let ip_port = client.ip_port;
    // 一个慢得不读响应的客户端，也不能让这个线程永远卡在 send 里。
    // A client too slow to read its response must not hold this thread in send forever.
    //    Python: settimeout(timeout)
    let _ = service_client_socket.set_write_timeout(Some(timeout));
    // 响应一个接一个地写（流水线），大文件的最后一块也小：关掉 Nagle，小的一次写不必等
    // 前一次的 ACK（第 6 课）。
    // Responses are written one after another (pipelining), and a big file's last chunk is
    // small: without Nagle, a small write does not wait for the ACK of the one before
    // (lesson 6). Python: setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)
    let _ = service_client_socket.set_tcp_nodelay(true);

    // 收到了、但属于下一个请求的字节（流水线：一次写来两个请求）。
    // Bytes received that belong to the next request (pipelining: two requests in one write).
    let mut pending = Vec::new();
    loop {
        // 在两个请求之间，连接是空闲的：Ctrl-C 可以马上关闭它（第 12 步）。
        // Between two requests the connection is idle: Ctrl-C may close it at once (step 12).
        if pending.is_empty()
            && !client.stop.idle(client.id, &service_client_socket)
        {
            break;
        }
        // 7. 接收一个完整的请求头：收到空行为止，可能要 recv 很多次。 Python: recv(4096)，直到 b"\r\n\r\n"
        //    Receive one whole request head: up to the empty line, in as many recv calls as it takes.
        let read = head::read_head(
            &service_client_socket,
            &mut pending,
            timeout,
            || client.stop.busy(client.id),
        );
        client.stop.busy(client.id);
        let head = match read {
            Ok(head) => head,
            Err(NoHead::Closed) if client.stop.stopping() => {
                log::idle_closed(ip_port);
                break;
            }
            Err(no_head) => {
                end_without_head(
                    &service_client_socket,
                    ip_port,
                    &no_head,
                    timeout,
                );
                break;
            }
        };
        // 8.–10. 解析请求，找到文件，发回响应；Ctrl-C 之后，响应说它要关闭连接。
        //        Parse the request, find the file, send the response; after Ctrl-C, the
        //        response says the connection closes.
        let stopping = client.stop.stopping();
        let answer = answer::answer(&head, root, stopping);
        match send(&service_client_socket, answer) {
            Ok(exchange) => {
                exchange.log(ip_port);
                if exchange.closes {
                    break;
                }
            }
            Err(error) => {
                log::not_sent(ip_port, &error);
                break;
            }
        }
    }
    // 11. 关闭连接。 Python: close()
    //     Close the connection.
    close_gracefully(service_client_socket, ip_port);
}
// ANCHOR_END: handle_client_request

// ANCHOR: send
/// Step 10: sends an answer, its head and then its file's bytes, each sent whole.
fn send(socket: &Socket, mut answer: Answer) -> io::Result<Exchange> {
    // 10. 发送响应头：write_all 发完为止（Python 的 sendall），send 可能只发一部分。
    //     Send the response head: write_all sends it all (Python's sendall); send may send
    //     only a part. Python: sendall(response_head)
    let mut sender: &Socket = socket;
    let head = std::mem::take(&mut answer.head);
    let sent = match answer.file.take() {
        Some(mut file) => stream(head, &mut file, sender)?,
        None => {
            sender.write_all(&head)?;
            0
        }
    };
    Ok(answer.sent(sent))
}
// ANCHOR_END: send

// ANCHOR: stream
/// Sends `head`, then `file` a chunk at a time, and says how many of the file's bytes went.
/// The head goes in the same write as the file's first chunk: a small file is one write, and
/// one TCP segment.
fn stream(
    head: Vec<u8>,
    file: &mut Take<File>,
    mut sender: &Socket,
) -> io::Result<u64> {
    // 10.1 正文一块一块地读、一块一块地发：文件再大，内存里也只有一块。
    //      Read and send the body a chunk at a time: however big the file, memory holds one
    //      chunk. Python: while chunk := file.read(65536): sendall(chunk)
    let mut sent = 0;
    let mut chunk = head;
    loop {
        let held = chunk.len();
        chunk.resize(held + answer::next_chunk(file), 0);
        let length = file.read(&mut chunk[held..])?;
        chunk.truncate(held + length);
        if chunk.is_empty() {
            return Ok(sent);
        }
        sender.write_all(&chunk)?;
        sent += length as u64;
        chunk.clear();
    }
}
// ANCHOR_END: stream

/// Ends a connection whose next head did not come: says why, and answers if someone waits.
fn end_without_head(
    socket: &Socket,
    ip_port: &str,
    no_head: &NoHead,
    timeout: Duration,
) {
    let Some(status) = log::without_head(no_head, ip_port, timeout) else {
        return;
    };
    match send(socket, Answer::refusal(status)) {
        Ok(exchange) => exchange.log(ip_port),
        Err(error) => log::not_sent(ip_port, &error),
    }
}

// ANCHOR: close
/// Step 11: closes a connection without destroying the last response. Closing a socket
/// whose receive buffer still holds bytes makes the kernel send RST, not FIN (lesson 5), and
/// an RST can discard the response before the client has read it: a client that was refused
/// with 431 may still be sending its head. So the server shuts down its side (FIN after the
/// response), reads and discards what the client still sends until it closes too, for at
/// most [`LINGER`], and only then closes.
fn close_gracefully(service_client_socket: Socket, ip_port: &str) {
    // 11.1 只关闭发送方向：响应之后是 FIN。 Python: shutdown(SHUT_WR)
    //      Shut down only the sending side: a FIN after the response.
    let _ = service_client_socket.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut discard = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            log::let_go(ip_port, LINGER);
            break;
        }
        let _ = service_client_socket.set_read_timeout(Some(left));
        // 11.2 读完客户端还在发的字节，直到它也关闭（recv 返回 0）。 Python: recv(4096)
        //      Read what the client still sends, until it closes too (recv returns 0).
        //      An error (the timeout, a reset, Ctrl-Z's EINTR) goes round again: after a
        //      reset the next recv returns 0, and the deadline ends the rest.
        if let Ok(0) =
            service_client_socket.recv(course::as_uninit(&mut discard))
        {
            break;
        }
    }
    // 11.3 套接字在这里被丢弃，socket2 调用 close(2)。 Python: close()
    //      The socket is dropped here, and socket2 calls close(2).
    drop(service_client_socket);
}
// ANCHOR_END: close

/// `--root`: a folder that exists, made canonical, so that every file served can be checked
/// to lie inside it.
fn parse_root(text: &str) -> Result<PathBuf, String> {
    let root = std::fs::canonicalize(text).map_err(|error| {
        format!("\n  找不到这个文件夹 no such folder: {error}")
    })?;
    if root.is_dir() {
        Ok(root)
    } else {
        Err("\n  这不是文件夹 not a folder".to_owned())
    }
}

/// `--timeout`: a number of seconds, more than 0, at most a day.
fn parse_seconds(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 86_400.0 => {
            Ok(Duration::from_secs_f64(seconds))
        }
        _ => Err(format!(
            "\n  '{text}' 不是大于 0、至多 86400 的秒数\n  \
             '{text}' is not a number of seconds above 0 and at most 86400"
        )),
    }
}
