//! # 第 8 课：一个任务服务一个客户端 / Lesson 8: a task per client
//!
//! async/await 和 tokio / With async/await and tokio.
//!
//! Lesson 7 wrote the event loop by hand: non-blocking sockets, `poll`, a state
//! per connection, and a write buffer for what `send` did not take. Here tokio
//! does all of that, and the code reads like lesson 4's again: one
//! `handle_client_request` per client, a loop of `read` and `write_all`. The
//! difference is `.await`: where lesson 4's thread would block, this task gives
//! the one thread back to the runtime, which runs another task whose socket is
//! ready (it is the same epoll loop as lesson 7, underneath).
//!
//! What lesson 4 could not do, this one does: on Ctrl-C it stops accepting,
//! answers every message that has arrived, half-closes each connection (a FIN,
//! not a reset), waits for each client to close its end too (draining what it
//! still sends, so that nothing is left unread to turn the close into a reset),
//! and exits 0.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use course::options::ServerOptions;
use course::say;
use encoding_rs::Encoding;
use socket2::{Domain, Socket, Type};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

// `#[doc]` rather than `///` for the Chinese line: clap joins a doc comment's
// lines with a space, and this sentence has no space where it could be cut.
#[doc = "第 8 课：一个线程服务许多客户端——async/await（tokio），\
         每个客户端一个任务，Ctrl-C 时从容退出。"]
/// Lesson 8: one thread for many clients with async/await (tokio): a task per
/// client, and a graceful exit on Ctrl-C.
#[derive(Parser)]
#[command(name = "lesson8")]
struct Args {
    #[command(flatten)]
    options: ServerOptions<9393>,
}

/// What the server sends back for every message, as in the notes.
const REPLY: &str = "ok，问题正在处理中...";

/// How long `accept` waits after it failed (out of file descriptors, say)
/// before trying again.
const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(100);

/// How long the shutdown waits for the clients to close their ends after the
/// server's FIN, before it exits anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let args = Args::parse();
    let address = args.options.address();
    // One thread: the runtime's event loop runs every task on the thread that
    // calls block_on.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let result = runtime.and_then(|runtime| {
        runtime.block_on(run(address, args.options.encoding))
    });
    course::finish(result, course::Role::ReusingServer { address })
}

async fn run(
    address: SocketAddr,
    encoding: &'static Encoding,
) -> io::Result<()> {
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
    // 5. 交给 tokio：它要求非阻塞，由它的事件循环（第 7 课那样的 epoll）等待。
    //    Hand it to tokio: it needs the socket non-blocking, and its event
    //    loop (an epoll, as in lesson 7) does the waiting.
    //    Python (asyncio):
    //        await asyncio.start_server(handle, sock=tcp_server_socket)
    tcp_server_socket.set_nonblocking(true)?;
    let listener = TcpListener::from_std(tcp_server_socket.into())?;
    // ANCHOR_END: listen

    course::announce_listening(listener.local_addr()?);
    course::limits::report(&raised);

    // ANCHOR: accept_loop
    // 停机信号：Ctrl-C 时发出 true，每个客户端的任务都在听。
    // The shutdown signal: true is sent on Ctrl-C, and every client's task
    // listens for it.
    let (shutdown, shutting_down) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            // 6. 等待下一个连接；等待时线程去运行别的任务。
            //    Wait for the next connection; while it waits, the thread runs
            //    other tasks.
            //    Python: await accept()
            accepted = listener.accept() => match accepted {
                Ok((service_client_socket, ip_port)) => {
                    say!("客户端连接成功 client connected: {ip_port}");
                    // 7. 一个客户端一个任务（不是线程）。
                    //    A task (not a thread) per client.
                    //    Python (asyncio): create_task(handle(...))
                    let shutting_down = shutting_down.clone();
                    tasks.spawn(handle_client_request(
                        service_client_socket,
                        ip_port,
                        encoding,
                        shutting_down,
                    ));
                }
                Err(error) => {
                    // 例如文件描述符用完了（EMFILE）：
                    // 报告，稍等再试，服务器继续。
                    // Out of file descriptors, say (EMFILE): report it, wait a
                    // little and try again; the server goes on.
                    say!(
                        "accept 失败，稍后重试 \
                         accept failed, retrying: {:?}: {error}",
                        error.kind()
                    );
                    tokio::time::sleep(ACCEPT_RETRY_PAUSE).await;
                }
            },
            // 结束了的任务在这里收走，免得 JoinSet 越积越多。
            // Tasks that have ended are collected here, so that the JoinSet
            // does not keep growing.
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            result = &mut ctrl_c => {
                result?;
                break;
            }
        }
    }
    // ANCHOR_END: accept_loop

    // ANCHOR: shutdown
    // 12. 从容退出：先关闭监听套接字（不再接受新连接），
    //     再让每个客户端的任务关闭自己的连接，
    //     等它们都结束（最多等 SHUTDOWN_GRACE），然后以退出码 0 结束。
    //     A graceful exit: close the listening socket first (no new
    //     connections), then have each client's task close its connection,
    //     wait for them all to end (SHUTDOWN_GRACE at most), and exit with 0.
    drop(listener);
    say!(
        "收到 Ctrl-C：不再接受新连接，正在关闭 {} 个客户端 \
         / Ctrl-C: no new connections; closing {}",
        tasks.len(),
        course::count(tasks.len(), "client", "clients")
    );
    // The receivers are in the tasks; a send fails only when there are none,
    // and then there is nobody to tell.
    let _ = shutdown.send(true);
    let all_done = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, all_done)
        .await
        .is_err()
    {
        say!(
            "有的客户端没有及时关闭，直接退出 \
             some clients did not close in time; exiting anyway"
        );
    }
    say!("服务端已退出 server stopped");
    Ok(())
    // ANCHOR_END: shutdown
}

// ANCHOR: handle_client_request
/// The notes' `handle_client_request`, as a task: serves one client until it
/// goes offline, or until the server shuts down.
async fn handle_client_request(
    mut service_client_socket: TcpStream,
    ip_port: SocketAddr,
    encoding: &'static Encoding,
    mut shutting_down: watch::Receiver<bool>,
) {
    // 字节流仍然可能把一个汉字拆在两次 read 里：
    // 每个连接一个解码器，和第 4 课一样。
    // The byte stream may still cut a Chinese character across two reads: one
    // decoder per connection, as in lesson 4.
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let (send_data, _, _) = encoding.encode(REPLY);
    let mut recv_data = [0u8; 1024];
    loop {
        let read = tokio::select! {
            // biased：按书写顺序试，先读。已经到达的消息先回复，
            // 停机时不会把它丢下不读（带着未读数据关闭会发出 RST）。
            // biased: try the branches in the order written, reading first. A
            // message that has arrived is answered first, never left unread at
            // shutdown (closing with data unread sends a RST).
            biased;
            // 8. 接收数据；没有数据时 .await 让出线程。
            //    Receive; with no data, .await gives the thread back.
            //    Python (asyncio): await reader.read(1024)
            read = service_client_socket.read(&mut recv_data) => read,
            // 停机，而且没有没读的消息：从容关闭这个连接，结束任务。
            // Shutting down, with no message left unread: close this
            // connection gracefully and end the task.
            _ = shutting_down.changed() => {
                close_gracefully(service_client_socket, ip_port).await;
                return;
            }
        };
        let recv_data_length = match read {
            Ok(0) => {
                // 9. 收到 0 字节：客户端下线了。
                //    0 bytes received: the client has gone offline.
                let leftover =
                    course::encoding::decode_stream(&mut decoder, &[], true);
                if !leftover.is_empty() {
                    say!(
                        "最后不完整的字节 \
                         incomplete bytes at the end from {ip_port}: {leftover}"
                    );
                }
                say!("客户端下线了 client offline: {ip_port}");
                break;
            }
            Ok(length) => length,
            Err(error) => {
                say!(
                    "接收失败，不再服务这个客户端 \
                     receive failed, ending this client {ip_port}:\n  \
                     {:?}: {error}",
                    error.kind()
                );
                break;
            }
        };
        let recv_content = course::encoding::decode_stream(
            &mut decoder,
            &recv_data[..recv_data_length],
            false,
        );
        // 太长的文本另起几行，每行不超过终端的宽度。
        // Text too long goes on over more lines, none of them wider
        // than the terminal.
        course::print_received(recv_data_length, ip_port, &recv_content);
        // 10. 回复：write_all 发完为止，发送缓冲区满时 .await 让出线程
        //     （第 7 课存在待发缓冲区里的字节，在这里等在暂停的 write_all 里）。
        //     Reply: write_all sends until all is out, giving the thread back
        //     (.await) while the send buffer is full; what lesson 7 kept in
        //     its buffer of unsent bytes waits here, in the paused write_all.
        //     Python (asyncio): writer.write(...); await writer.drain()
        if let Err(error) = service_client_socket.write_all(&send_data).await {
            say!(
                "回复发送失败，结束这个客户端 \
                 reply could not be sent, ending this client {ip_port}:\n  \
                 {:?}: {error}",
                error.kind()
            );
            break;
        }
    }
    // 11. 任务结束，套接字被丢弃：close(2)。 Python: writer.close()
    //     The task ends and the socket is dropped: close(2).
}
// ANCHOR_END: handle_client_request

// ANCHOR: close_gracefully
/// Ends one connection at shutdown, once every message that had arrived is
/// answered: a FIN, then the client's own close awaited, with whatever it
/// still sends read and dropped. Closing with bytes unread would send a reset
/// (lesson 5's rule 8), and the client could lose replies it has not read.
async fn close_gracefully(
    mut service_client_socket: TcpStream,
    ip_port: SocketAddr,
) {
    // 半关闭：只关发送方向，客户端读到 0 字节（FIN，不是 RST）。
    // Half-close: shut only the sending side; the client reads 0 bytes (a
    // FIN, not a RST).
    // Python: service_client_socket.shutdown(socket.SHUT_WR)
    if let Err(error) = service_client_socket.shutdown().await {
        say!(
            "停机时关闭失败 shutdown of {ip_port} failed: {:?}: {error}",
            error.kind()
        );
        return;
    }
    say!(
        "已发出 FIN，等客户端关闭 \
         FIN sent to {ip_port}, waiting for its close"
    );
    // 等客户端也关闭（读到 0 字节）。这期间到达的字节不再回复（发送方向
    // 已经关了），读掉丢弃；最多等 SHUTDOWN_GRACE，由 run 计时。
    // Wait for the client to close too (0 bytes read). Bytes that arrive
    // meanwhile get no reply (the sending side is shut): they are read and
    // dropped. This waits SHUTDOWN_GRACE at most, timed by run.
    let mut discard = [0u8; 1024];
    let mut discarded = 0;
    loop {
        match service_client_socket.read(&mut discard).await {
            Ok(0) | Err(_) => break,
            Ok(length) => discarded += length,
        }
    }
    if discarded > 0 {
        say!(
            "FIN 之后收到的丢弃了 \
             discarded after the FIN: {discarded} 字节 bytes from {ip_port}"
        );
    }
    say!("客户端下线了 client offline: {ip_port}");
    // 11. 套接字被丢弃：close(2)，这时已经没有没读的数据。
    //     The socket is dropped: close(2), with no data left unread by now.
}
// ANCHOR_END: close_gracefully
