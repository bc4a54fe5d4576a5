//! Exercise 10, the tokio server: clients of the check's own talk to it at once and leave,
//! then the check sends SIGINT (Ctrl-C) and expects every client closed with a FIN, each
//! task's line, and exit code 0.

use std::io::{self, ErrorKind, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;

use course::kernel::Connection;
use socket2::{Domain, Socket, Type};

use super::stall::{self, Seen};
use super::{
    Check, Checker, THREADED_REPLY, connect, error_text, gbk, io_failure, listening_address,
    read_at_least, read_some, reply_to, timeouts,
};
use crate::program::{Program, WAIT};
use crate::verdict::Failure;

pub const CHECKS: &[Check] = &[
    Check {
        title: "同时服务两个客户端，每个都能收发多次，离开时打印 client offline / two clients at once, several messages each, and client offline when one leaves",
        run: two_clients_at_once,
    },
    Check {
        title: "一个客户端先发 64 MiB 再读：回复一个字节也不少（write 可能只写出一部分，write_all 写完为止）/ a client sends \
                64 MiB before it reads: not a byte of the replies is missing (write may take part, write_all takes all)",
        run: a_client_that_reads_late,
    },
    Check {
        title: "Ctrl-C（SIGINT）：每个客户端都收到 FIN，程序以退出码 0 结束 / Ctrl-C (SIGINT): every client gets a FIN, and the program exits with code 0",
        run: ctrl_c_closes_gracefully,
    },
];

fn two_clients_at_once(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut a = connect(address, "7")?;
    ask(&mut program, &mut a, "第一条")?;
    let mut b = connect(address, "7")?;
    ask(&mut program, &mut b, "第二条，A 还连着")?;
    ask(&mut program, &mut a, "第三条")?;
    let a_address = local(&a)?;
    drop(a);
    program
        .expect_line(
            &format!("client offline: {a_address}"),
            &format!(
                "A 关闭后，read 返回 0 字节：打印“client offline: {a_address}” / after A closes, read returns 0 bytes: \
                 print \"client offline: {a_address}\""
            ),
        )
        .map_err(|failure| failure.step("9"))?;
    ask(&mut program, &mut b, "B 还在")
}

/// A client with a small receive buffer sends [`UNREAD`] bytes before it reads anything, so
/// the replies fill both kernels' buffers and the server's next `write` can take only part of
/// a reply. Once the client reads, every reply must arrive whole: one for each read the server
/// printed, then the close.
fn a_client_that_reads_late(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut client = small_buffer_client(address)?;
    let me = local(&client)?;
    let mut writer = client
        .try_clone()
        .map_err(|error| io_failure("复制套接字 clone the socket", &error))?;
    // Its own thread: the server stops reading while its replies cannot go, and the send waits.
    let sending = thread::spawn(move || {
        writer
            .write_all(&vec![b'x'; UNREAD])
            .and_then(|()| writer.shutdown(Shutdown::Write))
    });
    if replies_pile_up(&program, me, address, &sending) != Seen::Stalled {
        checker.not_checked(
            "这里看不出服务端的 write 碰上过满的发送缓冲区（内核的套接字表看不到，或者它收下了全部回复）。请确认回复用的是 \
             write_all / whether the server's write met a full send buffer cannot be seen here (no kernel table, or \
             it took every reply). Make sure the reply is sent with write_all",
        );
    }
    // Bounded: a server that answers a read of 0 bytes as a message never stops sending.
    let (replies, ended) = read_at_least(&mut client, MOST_REPLIES);
    // The sending thread does not panic: it only writes.
    let sent = sending.join().unwrap_or(Ok(()));
    if ended.is_ok() {
        // The server printed that the client went offline before it closed: every line is in.
        let _ = program.expect_line(&format!("client offline: {me}"), "");
    }
    program.drain();
    let (reads, total) = reads_of(&program, me);
    let reply = gbk(THREADED_REPLY);
    let wanted = reads * reply.len();
    let whole = replies.len() == wanted && replies.chunks(reply.len()).all(|chunk| chunk == reply);
    if whole && total == UNREAD && ended.is_ok() && sent.is_ok() {
        return Ok(());
    }
    let kib = UNREAD / 1024;
    let expected = format!(
        "客户端先发 {kib} KiB 再读：服务端读了几次就回复几次，一个字节不少（{reads} × {} = {wanted} 字节），然后关闭 / \
         the client sends {kib} KiB before it reads: one reply for each of the server's reads, not a byte missing \
         ({reads} × {} = {wanted} bytes), then the close",
        reply.len(),
        reply.len()
    );
    let ending = match (&ended, &sent) {
        (Err(error), _) | (_, Err(error)) => format!("；{}", error_text(error)),
        _ => String::new(),
    };
    let got = format!(
        "服务端打印了 {reads} 次读取，共 {total} 字节 the server printed {reads} reads, {total} bytes；收到 received {} \
         字节 bytes{ending}",
        replies.len()
    );
    let zero = format!("received 0 字节 bytes 来自 from {me}:");
    let (got, step) = if program.stdout().iter().any(|line| line.contains(&zero)) {
        let got = format!(
            "{got}（read 返回 0 字节是客户端半关闭了：打印 client offline，结束任务 / a read of 0 bytes is the client's \
             half-close: print client offline and end the task）"
        );
        (got, "9")
    } else if total == UNREAD && replies.len() < wanted && ended.is_ok() {
        let got = format!(
            "{got}（write 只写出了回复的一部分，剩下的没有再写？write_all 会一直写完 / write took only part of a \
             reply, and the rest was never written? write_all writes it all）"
        );
        (got, "10")
    } else if total < UNREAD {
        (got, "8")
    } else {
        (got, "10")
    };
    Err(Failure::new(expected, got).step(step))
}

/// How much the late reader sends before it reads: 65536 reads of 1024 bytes, whose replies
/// (about 1.4 MB) are more than a 4 KiB receive buffer and the server's send buffer hold. On
/// the Linux 6.18 the course is tested on, that buffer grows to about a megabyte even for
/// small segments: 16 MiB (340 KB of replies) no longer filled it.
const UNREAD: usize = 64 * 1024 * 1024;

/// More reply bytes than a server can owe the late reader: a reply for every 88 bytes read.
const MOST_REPLIES: usize = 4 * 1024 * 1024;

/// A client with a small receive buffer and small segments (the server's send buffer grows
/// with the segment size): the replies to it soon fill both kernels' buffers.
fn small_buffer_client(address: SocketAddr) -> Result<TcpStream, Failure> {
    let socket = Socket::new(Domain::for_address(address), Type::STREAM, None)
        .and_then(|socket| socket.set_recv_buffer_size(4096).map(|()| socket))
        .map_err(|error| io_failure("创建套接字 create a socket", &error))?;
    #[cfg(unix)]
    let _ = socket.set_tcp_mss(536);
    socket
        .connect_timeout(&address.into(), WAIT)
        .map_err(|error| {
            Failure::new(
                format!(
                    "服务端在 {address} 接受连接 / the server accepts a connection on {address}"
                ),
                format!("连接失败 connect failed: {:?}: {error}", error.kind()),
            )
            .step("7")
        })?;
    let client = TcpStream::from(socket);
    timeouts(&client)?;
    Ok(client)
}

/// Waits until the server stalls on its replies to `me`: requests wait unread in its socket,
/// neither its queue of unread requests nor its queue of unsent replies moves, and it sleeps.
/// `NoStall` when the client sent everything and the server read it all without stalling.
fn replies_pile_up(
    program: &Program,
    me: SocketAddr,
    server: SocketAddr,
    sending: &thread::JoinHandle<io::Result<()>>,
) -> Seen {
    let requests_wait = |row: &Connection| row.unread != 0;
    let all_read = |row: &Connection| row.unread == 0 && sending.is_finished();
    stall::await_stall(program.id(), me, server, requests_wait, all_read)
}

/// How many reads the server printed for `me`, and how many bytes they held.
fn reads_of(program: &Program, me: SocketAddr) -> (usize, usize) {
    let needle = format!(" 字节 bytes 来自 from {me}:");
    program
        .stdout()
        .iter()
        .filter_map(|line| {
            let (before, _) = line.split_once(&needle)?;
            before.rsplit(' ').next()?.parse::<usize>().ok()
        })
        .fold((0, 0), |(reads, total), length| (reads + 1, total + length))
}

fn ctrl_c_closes_gracefully(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut clients = Vec::new();
    for text in ["A", "B"] {
        let mut client = connect(address, "7")?;
        ask(&mut program, &mut client, text)?;
        clients.push(client);
    }
    if !program.signal(child::Signal::Interrupt) {
        checker.not_checked(
            "这里没法给程序发 Ctrl-C。请在运行服务端的终端里自己按 Ctrl-C：每个客户端都应读到 0 字节，程序以退出码 0 结束 \
             / Ctrl-C cannot be sent to the program here. Press Ctrl-C in the server's terminal yourself: every client \
             should read 0 bytes, and the program should exit with code 0",
        );
        return Ok(());
    }
    for client in &mut clients {
        let me = local(client)?;
        let closed = format!("closed {me}");
        let expected = format!(
            "Ctrl-C 之后，{me} 的任务用 shutdown 关闭连接：客户端读到 0 字节（FIN），服务端打印“{closed}” / after Ctrl-C, \
             the task of {me} closes its connection with shutdown: the client reads 0 bytes (a FIN), and the server \
             prints \"{closed}\""
        );
        let got = match read_some(client) {
            Ok(bytes) if bytes.is_empty() => None,
            Ok(bytes) => Some(format!(
                "又收到了 received more: {}",
                super::describe(&bytes)
            )),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => {
                Some("连接被重置（RST），不是 FIN / a reset (RST), not a FIN".to_owned())
            }
            Err(error) => Some(format!(
                "连接没有关闭 the connection stayed open: {}",
                error_text(&error)
            )),
        };
        // The task's own line: a server that ends without telling its tasks closes the
        // sockets as it exits, and prints none.
        let told = program.expect_line(&closed, &expected);
        match (got, told) {
            (None, Ok(_)) => {}
            (Some(got), Ok(_)) => return Err(Failure::new(expected, got).step("11")),
            (got, Err(failure)) => {
                let got = match got {
                    Some(got) => format!("{got}；{}", failure.got),
                    None => failure.got,
                };
                return Err(Failure::new(expected, got).step("12"));
            }
        }
    }
    let expected = "每个任务都结束了，程序以退出码 0 结束 / every task ended, and the program exits with code 0";
    let status = program
        .wait_exit(expected)
        .map_err(|failure| failure.step("12"))?;
    if let Some(line) = program
        .stdout()
        .iter()
        .find(|line| line.contains("did not finish in time"))
    {
        return Err(Failure::new(
            "关闭连接后，任务结束（break）/ after closing its connection, a task ends (break)",
            format!("服务端打印了 the server printed {line:?}"),
        )
        .step("11"));
    }
    if status.code() != Some(0) {
        return Err(Failure::new(expected, program.what_happened()).step("12"));
    }
    Ok(())
}

/// Sends `message` and expects the notes' reply. When none came, the server's lines say
/// whether it read the message (then the reply is missing: 10) or not (8).
fn ask(program: &mut Program, stream: &mut TcpStream, message: &str) -> Result<(), Failure> {
    let Err(no_reply) = reply_to(program, stream, &gbk(message), THREADED_REPLY)? else {
        return Ok(());
    };
    let me = local(stream)?;
    let read = program
        .stdout()
        .iter()
        .any(|line| line.contains(&format!("from {me}: {message}")));
    // Not accepted at all: the loop that accepts is busy elsewhere, serving another client
    // itself instead of in a task of its own.
    let accepted = program
        .stdout()
        .iter()
        .any(|line| line.contains(&format!("client connected: {me}")));
    let (step, note) = match (no_reply.nothing_arrived, read, accepted) {
        (true, false, false) => (
            "7",
            "（服务端没有接受这个连接：它在 await 另一个客户端的处理？每个客户端 spawn 一个任务 / the server never \
             accepted this connection: is it awaiting another client's handler? spawn a task per client）",
        ),
        (true, false, true) => ("8", ""),
        _ => ("10", ""),
    };
    Err(Failure::new(
        format!("发送 {message:?}，回复 {THREADED_REPLY:?} / send {message:?}, get the reply {THREADED_REPLY:?}"),
        format!("{}{note}", no_reply.got),
    )
    .step(step))
}

fn local(stream: &TcpStream) -> Result<SocketAddr, Failure> {
    stream
        .local_addr()
        .map_err(|error| io_failure("客户端的地址 the client's address", &error))
}
