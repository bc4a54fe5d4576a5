//! # 第 4 课：多任务版 TCP 服务端 / Lesson 4: the multithreaded TCP server
//!
//! Notes, section 3. The server walks the notes' steps with `socket2`: create a socket, set
//! `SO_REUSEADDR`, bind, listen, then accept in a loop and give every client a thread of its
//! own. Each thread is the notes' `handle_client_request`: receive, print, reply, until the
//! client's `recv` returns 0 bytes. Run it (`cargo run -p lesson4`), then the lesson-1 client
//! in as many terminals as you like (`cargo run -p lesson1 -- --port 9090 --stdin`).
//!
//! What this version does that the notes' does not, each proved by a test in
//! `tests/lesson4.rs` or `tests/servers.rs`:
//!
//! - it decodes each connection as one stream of bytes, so a character split across two
//!   `recv` calls prints whole, and bytes that are not valid text print as `�`;
//! - an error on one connection (a reset, a reply that cannot be sent) ends that client's
//!   thread with a line saying so, and an error from `accept` (out of file descriptors) is
//!   reported and the loop goes on: no client can take the server down;
//! - it prints with `writeln!` and ignores a failed write, because `println!` panics when
//!   stdout is gone (a closed pipe), and a server must not die because nobody reads its log.
//!
//! Left out on purpose: a limit on the number of threads, and any way to stop other than
//! Ctrl-C. Both are what the notes' design is; the lesson page measures what it costs.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use clap::Parser;
use course::encoding::decode_stream;
use course::options::ServerOptions;
use course::say;
use encoding_rs::Encoding;
use socket2::{Domain, Socket, Type};

/// 第 4 课：多任务版 TCP 服务端——一个客户端一个线程，可同时和许多客户端多次收发。
/// Lesson 4: the multithreaded TCP server: a thread per client, many clients at once, many messages each.
#[derive(Parser)]
#[command(name = "lesson4")]
struct Args {
    #[command(flatten)]
    options: ServerOptions<9090>,

    /// 接受 N 个客户端后停止接受、让 main 返回，就像讲义里 Ctrl-C 结束了主线程；还在服务的线程不会让进程等它们（守护线程）
    /// / accept N clients, then stop accepting and return from main, as Ctrl-C ends the notes' main thread;
    /// the threads still serving do not keep the process alive (daemon threads)
    #[arg(long, value_name = "N")]
    stop_after: Option<usize>,

    /// 每个客户端一个子进程而不是线程（讲义说的“多进程”，和线程比较用；只在 Unix 上）
    /// / a child process per client instead of a thread (the notes' "processes", to compare with threads; Unix only)
    #[arg(long)]
    processes: bool,

    /// 子进程用：服务从标准输入继承来的那个连接 / for the child: serve the connection inherited on stdin
    #[arg(long, hide = true)]
    serve_stdin: bool,
}

/// What the server sends back for every message, as in the notes.
const REPLY: &str = "ok，问题正在处理中...";

/// How long to wait before calling `accept` again after it failed. Without a pause, an error
/// that persists (no file descriptor left) would make the loop spin at full speed.
const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(100);

mod processes;

fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    let role = course::Role::ReusingServer { address };
    if args.serve_stdin {
        return course::finish(processes::serve_stdin(args.options.encoding), role);
    }
    course::finish(run(&args, address), role)
}

fn run(args: &Args, address: SocketAddr) -> io::Result<()> {
    let (encoding, stop_after) = (args.options.encoding, args.stop_after);

    // ANCHOR: listen
    // 1. 创建 TCP 服务端套接字：地址族跟随 --host（IPv4 → AF_INET，IPv6 → AF_INET6），
    //    Type::STREAM 即 SOCK_STREAM（TCP）。 Python: socket.socket(AF_INET, SOCK_STREAM)
    //    Create the TCP server socket: its address family follows --host (IPv4 → AF_INET,
    //    IPv6 → AF_INET6); Type::STREAM is SOCK_STREAM (TCP).
    let tcp_server_socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;

    // 2. 设置端口号复用，让程序退出后端口号立即可以再绑定（第 3 课）。
    //    Set port reuse, so that the port can be bound again as soon as the program exits
    //    (lesson 3).
    //    Python: setsockopt(SOL_SOCKET, SO_REUSEADDR, True)
    tcp_server_socket.set_reuse_address(true)?;

    // 3. 绑定端口号，讲义用 9090。 Python: bind(("", 9090))
    //    Bind the port; the notes use 9090.
    tcp_server_socket.bind(&address.into())?;

    // 4. 设置监听：listen 后的套接字是被动套接字，只负责接受连接请求；128 是内核替我们
    //    排队、等待 accept 的连接数上限。 Python: listen(128)
    //    Listen: after listen the socket is passive and only accepts connection requests;
    //    128 caps how many connections the kernel queues for us, waiting for accept.
    tcp_server_socket.listen(128)?;
    // ANCHOR_END: listen

    // 一个 IP 套接字的本地地址总是 IP 地址；--port 0 时这里才知道内核挑了哪个端口。
    // An IP socket's local address is always an IP address; with --port 0, this is where
    // we learn which port the kernel picked.
    let bound = tcp_server_socket
        .local_addr()?
        .as_socket()
        .unwrap_or(address);
    course::announce_listening(bound);
    if args.processes {
        return processes::accept_loop(&tcp_server_socket, encoding, stop_after);
    }

    // ANCHOR: accept_loop
    // 5. 循环等待接收客户端的连接请求：每次 accept 得到一个专门服务这个客户端的新套接字。
    //    Wait for clients' connection requests in a loop: each accept gives a new socket
    //    that serves that one client.
    //    Python: while True: service_client_socket, ip_port = accept()
    let mut accepted = 0;
    loop {
        // 讲义里没有这一步：只有给了 --stop-after N，接受 N 个客户端后才跳出循环。
        // Not in the notes: only with --stop-after N does the loop end, after N clients.
        if stop_after == Some(accepted) {
            break;
        }
        let (service_client_socket, ip_port) = match tcp_server_socket.accept() {
            Ok(client) => client,
            Err(error) => {
                // 出错的只是这一次 accept（例如文件描述符用完了：EMFILE），监听套接字还在。
                // 报告，稍等片刻再试，而不是让整个服务器退出。
                // Only this one accept failed (out of file descriptors, say: EMFILE);
                // the listening socket is still there. Report it, pause, and try again,
                // rather than let the whole server exit.
                say!(
                    "accept 失败，稍后重试 accept failed, retrying: {:?}: {error}",
                    error.kind()
                );
                thread::sleep(ACCEPT_RETRY_PAUSE);
                continue;
            }
        };
        accepted += 1;
        let ip_port = course::addr_text(&ip_port);
        say!("客户端连接成功 client connected: {ip_port}");

        // 6. 为这个客户端创建一个子线程，由它负责收发这个客户端的消息。
        //    Start a thread for this client, to receive and send its messages.
        //    Python: threading.Thread(target=handle_client_request, args=(...)).start()
        let spawned = thread::Builder::new()
            .name(format!("client {ip_port}"))
            .spawn(move || handle_client_request(service_client_socket, ip_port, encoding));
        match spawned {
            // 讲义的 setDaemon(True)：在 Rust 里丢弃 JoinHandle 就让线程“分离”
            // （detached），没有人等它结束。main 返回、进程退出（包括 Ctrl-C）时，
            // 所有线程随进程一起消失，内核关闭它们的套接字——这正是 Python 守护线程
            // 的行为。
            // The notes' setDaemon(True): in Rust, dropping the JoinHandle detaches the
            // thread, and nobody waits for it to end. When main returns or the process is
            // ended (by Ctrl-C too), every thread goes with the process, and the kernel
            // closes their sockets: just what Python's daemon threads do.
            Ok(join_handle) => drop(join_handle),
            // 线程数到了上限或内存不够：闭包连同套接字被丢弃，连接随之关闭，服务器继续。
            // Out of threads or memory: the closure is dropped with the socket, which
            // closes the connection, and the server goes on.
            Err(error) => say!(
                "无法创建线程，关闭这个连接 could not start a thread, closing the connection:\n  \
                 {:?}: {error}",
                error.kind()
            ),
        }
    }
    // 没有 --stop-after 时循环永不结束，服务器一直运行到进程被终止。给了它才走到这
    // 里：main 返回，进程退出，不等任何还在服务的线程，内核关闭它们的套接字——讲义里
    // 守护线程的行为。
    // Without --stop-after the loop never ends, and the server runs until the process is
    // killed. Only with it do we get here: main returns and the process exits without
    // waiting for any thread still serving, and the kernel closes their sockets: the
    // notes' daemon threads.
    let clients = course::count(accepted, "client", "clients");
    say!("停止接受，main 返回 stopped accepting, main returns after {clients}");
    Ok(())
    // ANCHOR_END: accept_loop
}

// ANCHOR: handle_client_request
/// The notes' `handle_client_request`: serves one client until it goes offline.
fn handle_client_request(
    service_client_socket: Socket,
    ip_port: String,
    encoding: &'static Encoding,
) {
    // TCP 是字节流：一个两字节的 GBK 汉字可能前一半在这次 recv，后一半在下一次。
    // 每个连接用一个解码器，它记住上次剩下的半个字符，和下一次收到的字节拼起来。
    // TCP is a byte stream: a two-byte GBK character may come half in this recv and half
    // in the next. Each connection has one decoder, which keeps the half character left
    // over and joins it to the bytes that come next.
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let (send_data, _, _) = encoding.encode(REPLY);
    let mut recv_data = [0u8; 1024];

    loop {
        // 7. 接收客户端发送的数据，这次最多 1024 字节。 Python: recv(1024)
        //    Receive what the client sent, at most 1024 bytes this time.
        let recv_data_length = match service_client_socket.recv(course::as_uninit(&mut recv_data)) {
            Ok(length) => length,
            Err(error) => {
                // 例如客户端重置了连接（RST）：只结束这一个客户端的线程。
                // The client reset the connection (RST), say: end only this client's
                // thread.
                say!(
                    "接收失败，不再服务这个客户端 receive failed, ending this client {ip_port}:\n  \
                     {:?}: {error}",
                    error.kind()
                );
                break;
            }
        };

        // 8. 收到 0 字节：客户端关闭了它那一端，下线了（讲义注意点 7）。
        //    0 bytes received: the client has closed its end and gone offline (the
        //    notes' point 7).
        //    Python: if recv_data: … else: …
        if recv_data_length == 0 {
            // 客户端最后发来的若是半个字符，解码器这时把它报告为 �。
            // If the client's last bytes were half a character, the decoder reports it
            // now, as �.
            let leftover = decode_stream(&mut decoder, &[], true);
            if !leftover.is_empty() {
                say!("最后不完整的字节 incomplete bytes at the end from {ip_port}: {leftover}");
            }
            say!("客户端下线了 client offline: {ip_port}");
            break;
        }

        let recv_content = decode_stream(&mut decoder, &recv_data[..recv_data_length], false);
        // 客户端的文本可长可短：太长时另起几行，每行不超过终端的宽度。
        // The client's text may be any length: a long one goes on over more lines, none
        // wider than the terminal.
        //    Python: print(recv_data.decode("gbk"), ip_port)
        course::print_received(recv_data_length, &ip_port, &recv_content);

        // 9. 回复。 Python: send("ok，问题正在处理中...".encode("gbk"))
        //    Reply to the client.
        if let Err(error) = service_client_socket.send(&send_data) {
            // 客户端已经走了（连接已被重置）：回复发不出去，说一声，只结束这个线程。
            // The client has gone (the connection was reset): the reply cannot be sent.
            // Say so and end only this thread.
            say!(
                "回复发送失败，结束这个客户端 reply could not be sent, ending this client {ip_port}:\n  \
                 {:?}: {error}",
                error.kind()
            );
            break;
        }
    }

    // 10. 终止和这个客户端的通信：套接字在这里被丢弃，socket2 调用 close(2)。
    //     End the conversation with this client: the socket is dropped here, and
    //     socket2 calls close(2).
    //     Python: close()
    drop(service_client_socket);
}
// ANCHOR_END: handle_client_request
