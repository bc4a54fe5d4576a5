//! `--design tokio`: the same server on tokio, as lesson 8 did for lesson 4's. A task per
//! connection instead of a thread, all of them on one thread (as nginx's one worker serves
//! every connection); where a thread would block in `recv` or `send`, the task awaits, and
//! the thread runs another whose socket is ready. Steps 1–4 are the same socket2 calls;
//! steps 8 and 9 are the same functions (`answer.rs`), so both designs answer every request
//! byte for byte alike; what differs is how each waits, times out and stops.
//!
//! Step 12 is simpler here: `select!` waits for bytes or for Ctrl-C at once, so an idle
//! connection ends when Ctrl-C comes without anyone reaching into its socket (the threads'
//! design needs `stop.rs` for that).
//!
//! One thing on purpose: steps 8 and 9 open and read files with `std::fs`, blocking the one
//! thread for as long as each call takes. For a file the kernel has cached, that is a few
//! microseconds, less than handing the call to another thread would cost (`tokio::fs` does
//! that, for each read); nginx does the same by default. On a slow disk or a network file
//! system, every connection would wait for each call: there, `tokio::fs` (or nginx's
//! `aio threads`) is the right choice.

use std::fs::File;
use std::io::{self, Read, Take};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use course::say;
use socket2::{Domain, Socket, Type};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout_at};

use crate::answer::{self, Answer};
use crate::head::{self, NoHead};
use crate::log::{self, Exchange};
use crate::{ACCEPT_RETRY_PAUSE, Args, LINGER, SHUTDOWN_GRACE};

/// Runs the server on a tokio runtime of one thread, until Ctrl-C.
pub fn serve(args: &Args, address: SocketAddr) -> io::Result<()> {
    // One thread: the runtime's event loop runs every task on the thread that calls
    // block_on, as in lesson 8.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args, address))
}

async fn run(args: &Args, address: SocketAddr) -> io::Result<()> {
    // A thousand connections are a thousand file descriptors (lesson 8).
    let raised = course::limits::raise_open_file_limit();

    // ANCHOR: listen
    // 1.–4. 和线程的设计一样：创建、端口复用、绑定、监听。
    //       As in the threads' design: create, port reuse, bind, listen.
    //       Python: socket(); setsockopt(SO_REUSEADDR); bind(); listen(128)
    let tcp_server_socket =
        Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    tcp_server_socket.set_reuse_address(true)?;
    tcp_server_socket.bind(&address.into())?;
    tcp_server_socket.listen(128)?;
    // 交给 tokio：它要求非阻塞，由它的事件循环等待（第 8 课）。
    // Hand it to tokio: it needs the socket non-blocking, and its event loop waits (lesson 8).
    //    Python (asyncio): await asyncio.start_server(handle, sock=tcp_server_socket)
    tcp_server_socket.set_nonblocking(true)?;
    let listener = TcpListener::from_std(tcp_server_socket.into())?;
    // ANCHOR_END: listen

    // Ctrl-C is handled (step 12) before the server says it listens, as in the threads'
    // design: `ctrl_c()` installs its handler when first polled, so it is polled once here.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    tokio::select! {
        biased;
        installed = &mut ctrl_c => return installed,
        () = std::future::ready(()) => {}
    }
    course::announce_listening(listener.local_addr()?);
    course::limits::report(&raised);
    say!("网站的根目录 serving the folder: {}", args.root.display());
    let root: Arc<Path> = Arc::from(args.root.as_path());

    // ANCHOR: accept_loop
    // 停机信号：Ctrl-C 时发出 true，每个连接的任务都在听（第 12 步）。
    // The stop signal: true is sent on Ctrl-C, and every connection's task listens (step 12).
    let (stop, stopping) = watch::channel(false);
    let mut tasks = JoinSet::new();
    loop {
        tokio::select! {
            // 5. 等待下一个客户端；等待时线程去运行别的任务。 Python: await accept()
            //    Wait for the next client; while it waits, the thread runs other tasks.
            accepted = listener.accept() => match accepted {
                Ok((service_client_socket, ip_port)) => {
                    // 6. 一个连接一个任务（不是线程）。 Python (asyncio): create_task(…)
                    //    A task (not a thread) per connection.
                    tasks.spawn(handle_client_request(
                        service_client_socket,
                        ip_port.to_string(),
                        Arc::clone(&root),
                        args.timeout,
                        stopping.clone(),
                    ));
                }
                Err(error) => {
                    log::accept_failed(&error);
                    tokio::time::sleep(ACCEPT_RETRY_PAUSE).await;
                }
            },
            // Tasks that have ended are collected here, so that the set does not grow.
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            result = &mut ctrl_c => {
                result?;
                break;
            }
        }
    }
    // ANCHOR_END: accept_loop

    // ANCHOR: shutdown
    // 12. 从容退出：关闭监听套接字，告诉每个任务，等正在处理的请求答完（最多 SHUTDOWN_GRACE）。
    //     A graceful exit: close the listening socket, tell every task, wait for the requests
    //     in flight to be answered (SHUTDOWN_GRACE at most), exit with 0.
    drop(listener);
    while tasks.try_join_next().is_some() {}
    log::stopping(tasks.len());
    // The receivers are in the tasks; a send fails only when there are none to tell.
    let _ = stop.send(true);
    let all_ended = async { while tasks.join_next().await.is_some() {} };
    log::stopped(
        tokio::time::timeout(SHUTDOWN_GRACE, all_ended)
            .await
            .is_ok(),
    );
    Ok(())
    // ANCHOR_END: shutdown
}

// ANCHOR: handle_client_request
/// Serves one connection, as a task: request after request, until the client, a rule or
/// Ctrl-C closes it.
async fn handle_client_request(
    mut service_client_socket: TcpStream,
    ip_port: String,
    root: Arc<Path>,
    timeout: Duration,
    mut stopping: watch::Receiver<bool>,
) {
    // 响应一个接一个地写：关掉 Nagle，和线程的设计一样（第 6 课）。
    // Responses are written one after another: without Nagle, as in the threads' design
    // (lesson 6). Python: setsockopt(TCP_NODELAY, 1)
    let _ = service_client_socket.set_nodelay(true);
    let mut pending = Vec::new();
    loop {
        // 7. 接收一个完整的请求头；空闲时 Ctrl-C 可以打断等待。 Python: await reader.readuntil(b"\r\n\r\n")
        //    Receive one whole request head; while idle, Ctrl-C may end the wait.
        let read = read_head(
            &mut service_client_socket,
            &mut pending,
            timeout,
            &mut stopping,
        )
        .await;
        let stopped = *stopping.borrow();
        let head = match read {
            Ok(head) => head,
            Err(NoHead::Closed) if stopped => {
                // 12. 空闲的连接：发出 FIN 就结束，没有要保护的响应。
                //     An idle connection: a FIN, and done; no response is there to protect.
                log::idle_closed(&ip_port);
                let _ = service_client_socket.shutdown().await;
                return;
            }
            Err(no_head) => {
                end_without_head(
                    &mut service_client_socket,
                    &ip_port,
                    &no_head,
                    timeout,
                )
                .await;
                break;
            }
        };
        // 8.–10. 和线程的设计一样地解析、找文件，再发送；Ctrl-C 之后，响应说它要关闭连接。
        //        Parse and find the file as the threads' design does, then send; after
        //        Ctrl-C, the response says the connection closes.
        let answer = answer::answer(&head, &root, stopped);
        match send(&mut service_client_socket, answer, timeout).await {
            Ok(exchange) => {
                exchange.log(&ip_port);
                if exchange.closes {
                    break;
                }
            }
            Err(error) => {
                log::not_sent(&ip_port, &error);
                break;
            }
        }
    }
    // 11. 关闭连接。 Python: writer.close()
    //     Close the connection.
    close_gracefully(service_client_socket, &ip_port).await;
}
// ANCHOR_END: handle_client_request

// ANCHOR: read_head
/// Step 7 on tokio: receives until `pending` holds a whole head, within `timeout` from the
/// call (as the threads' `head::read_head`). While no byte of a request has come, Ctrl-C
/// ends the wait with [`NoHead::Closed`]; a request that has begun is read on, and answered.
async fn read_head(
    stream: &mut TcpStream,
    pending: &mut Vec<u8>,
    timeout: Duration,
    stopping: &mut watch::Receiver<bool>,
) -> Result<Vec<u8>, NoHead> {
    let deadline = Instant::now() + timeout;
    let mut recv_data = [0u8; 4096];
    loop {
        if let Some(head) = head::take_head(pending)? {
            return Ok(head);
        }
        let idle = pending.is_empty();
        let received = tokio::select! {
            // biased：先试读，已经到达的请求不会因为 Ctrl-C 被丢下。
            // biased: reading is tried first, so a request that has arrived is never dropped
            // for Ctrl-C.
            biased;
            // 7.1 接收，最多等到期限。 Python: await asyncio.wait_for(reader.read(4096), left)
            //     Receive, waiting no longer than the deadline.
            received = timeout_at(deadline, stream.read(&mut recv_data)) => received,
            _ = stopping.wait_for(|&stopped| stopped), if idle => return Err(NoHead::Closed),
        };
        match received {
            Err(_deadline_passed) => {
                return Err(NoHead::TimedOut {
                    received: pending.len(),
                });
            }
            Ok(Ok(0)) if pending.is_empty() => return Err(NoHead::Closed),
            Ok(Ok(0)) => return Err(NoHead::ClosedMidway(pending.len())),
            Ok(Ok(length)) => pending.extend_from_slice(&recv_data[..length]),
            Ok(Err(error)) => return Err(NoHead::Failed(error)),
        }
    }
}
// ANCHOR_END: read_head

// ANCHOR: send
/// Step 10 on tokio: the answer's head, then its file's bytes, each sent whole; a client that
/// takes nothing for `timeout` is given up on, as the threads' SO_SNDTIMEO does.
async fn send(
    stream: &mut TcpStream,
    mut answer: Answer,
    timeout: Duration,
) -> io::Result<Exchange> {
    // 10. 发送响应头：write_all 发完为止，发送缓冲区满时 .await 让出线程。
    //     Send the response head: write_all sends it all, giving the thread back (.await)
    //     while the send buffer is full. Python (asyncio): writer.write(head); await drain()
    let head = std::mem::take(&mut answer.head);
    let sent = match answer.file.take() {
        Some(mut file) => stream_file(head, &mut file, stream, timeout).await?,
        None => {
            write_within(stream, &head, timeout).await?;
            0
        }
    };
    Ok(answer.sent(sent))
}

/// Sends `head` and then `file`, and says how many of the file's bytes went.
async fn stream_file(
    head: Vec<u8>,
    file: &mut Take<File>,
    stream: &mut TcpStream,
    timeout: Duration,
) -> io::Result<u64> {
    // 10.1 响应头和文件的第一块一起写：小文件只要一次写、一个 TCP 段。
    //      The head and the file's first chunk in one write: a small file is one write, one
    //      TCP segment. Python (asyncio): writer.write(head + file.read(65536))
    let first = send_chunk(head, file, stream, timeout).await?;
    // 10.2 其余的部分。 The rest of the file.
    #[cfg(target_os = "linux")]
    let rest = send_by_sendfile(file, stream, timeout).await?;
    #[cfg(not(target_os = "linux"))]
    let rest = send_in_chunks(file, stream, timeout).await?;
    Ok(first + rest)
}

/// Sends what `chunk` holds and, after it, the file's next chunk; says how many of the file's
/// bytes went (0: the file has no more).
async fn send_chunk(
    mut chunk: Vec<u8>,
    file: &mut Take<File>,
    stream: &mut TcpStream,
    timeout: Duration,
) -> io::Result<u64> {
    let held = chunk.len();
    chunk.resize(held + answer::next_chunk(file), 0);
    // A read of a cached file: microseconds, on this thread (see the top of this file).
    let length = file.read(&mut chunk[held..])?;
    chunk.truncate(held + length);
    if !chunk.is_empty() {
        write_within(stream, &chunk, timeout).await?;
    }
    Ok(length as u64)
}

// ANCHOR_END: send

// ANCHOR: sendfile
/// Linux: the rest of the file goes from the kernel's page cache to the socket without
/// passing through this program (nginx's `sendfile on`): no read, no copy into a buffer and
/// out again. When the send buffer is full, the task awaits, as `write_all` does.
#[cfg(target_os = "linux")]
async fn send_by_sendfile(
    file: &mut Take<File>,
    stream: &mut TcpStream,
    timeout: Duration,
) -> io::Result<u64> {
    use tokio::io::Interest;
    let mut sent = 0;
    while file.limit() != 0 {
        let count = usize::try_from(file.limit()).unwrap_or(usize::MAX);
        // 10.2 其余的部分由内核从页缓存直接送进套接字；会阻塞时等套接字可写。
        //      The rest goes from the page cache into the socket, inside the kernel; where
        //      it would block, wait until the socket is writable. Python: sock.sendfile(file)
        let sending = stream.async_io(Interest::WRITABLE, || {
            // No offset: from the file's position, which the first chunk's read moved on.
            Ok(rustix::fs::sendfile(&*stream, file.get_ref(), None, count)?)
        });
        let length = within(timeout, sending).await?;
        if length == 0 {
            // The file is shorter than it was: `Answer::sent` closes the connection.
            break;
        }
        file.set_limit(file.limit() - length as u64);
        sent += length as u64;
    }
    Ok(sent)
}
// ANCHOR_END: sendfile

/// Elsewhere: the rest a chunk at a time, read and written as the first.
#[cfg(not(target_os = "linux"))]
async fn send_in_chunks(
    file: &mut Take<File>,
    stream: &mut TcpStream,
    timeout: Duration,
) -> io::Result<u64> {
    let mut sent = 0;
    loop {
        let length = send_chunk(Vec::new(), file, stream, timeout).await?;
        if length == 0 {
            return Ok(sent);
        }
        sent += length;
    }
}

/// `write_all`, given up with `TimedOut` if it does not finish within `timeout`.
async fn write_within(
    stream: &mut TcpStream,
    bytes: &[u8],
    timeout: Duration,
) -> io::Result<()> {
    within(timeout, stream.write_all(bytes)).await
}

/// `sending`, given up with `TimedOut` if it does not finish within `timeout`.
async fn within<T>(
    timeout: Duration,
    sending: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    tokio::time::timeout(timeout, sending)
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))?
}

/// Ends a connection whose next head did not come: says why, and answers if someone waits.
async fn end_without_head(
    stream: &mut TcpStream,
    ip_port: &str,
    no_head: &NoHead,
    timeout: Duration,
) {
    let Some(status) = log::without_head(no_head, ip_port, timeout) else {
        return;
    };
    match send(stream, Answer::refusal(status), timeout).await {
        Ok(exchange) => exchange.log(ip_port),
        Err(error) => log::not_sent(ip_port, &error),
    }
}

// ANCHOR: close
/// Step 11 on tokio, as the threads' `close_gracefully`: a FIN after the last response, then
/// what the client still sends read away until it closes too, for at most [`LINGER`], so
/// that no RST destroys the response (lesson 5).
async fn close_gracefully(mut service_client_socket: TcpStream, ip_port: &str) {
    // 11.1 只关闭发送方向。 Python: shutdown(SHUT_WR)
    //      Shut down only the sending side.
    let _ = service_client_socket.shutdown().await;
    let deadline = Instant::now() + LINGER;
    let mut discard = [0u8; 4096];
    loop {
        // 11.2 读完客户端还在发的字节，直到它也关闭（读到 0），或者出错。 Python: await reader.read(4096)
        //      Read what the client still sends, until it closes too (0 bytes), or fails.
        match timeout_at(deadline, service_client_socket.read(&mut discard))
            .await
        {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(_)) => {}
            Err(_deadline_passed) => {
                log::let_go(ip_port, LINGER);
                break;
            }
        }
    }
    // 11.3 任务结束，套接字被丢弃：close(2)。
    //      The task ends, and the socket is dropped: close(2).
}
// ANCHOR_END: close
