//! Exercise 9, the event loop's WouldBlock cases: clients of the check's own connect at once
//! (while the server is stopped, so that one readiness event stands for all of them), send
//! 64 KiB in one go, send 16 MiB before they read a reply, and reset; the server must keep one
//! thread throughout.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::Command;
use std::time::Instant;

use socket2::{Domain, SockRef, Socket, Type};

use super::{
    Check, Checker, THREADED_REPLY, connect, error_text, gbk, io_failure, listening_address,
    reply_to, timeouts,
};
use crate::program::{Program, WAIT};
use crate::verdict::Failure;

pub const CHECKS: &[Check] = &[
    Check {
        title: "五个客户端同时连上（只换来一次就绪通知）：每个都被接受、得到回复 / five clients connect at once (one readiness event): each is accepted and answered",
        run: clients_at_once,
    },
    Check {
        title: "一条 64 KiB 的消息：每个字节都被读到、回复 / a 64 KiB message: every byte is read and answered",
        run: a_long_message,
    },
    Check {
        title: "客户端发完 16 MiB 才读回复：套接字没收下的回复留着以后再发 / a client reads only after sending 16 MiB: replies the socket did not take are sent later",
        run: a_slow_reader,
    },
    Check {
        title: "始终只有一个线程（Linux：/proc/PID/task）/ one thread throughout (Linux: /proc/PID/task)",
        run: one_thread,
    },
    Check {
        title: "客户端重置连接：只结束那个连接，服务端照常工作 / a client resets: only its connection ends, the server carries on",
        run: a_client_resets,
    },
];

/// How many clients connect at once.
const AT_ONCE: usize = 5;

fn clients_at_once(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    // Stopped, the server cannot accept one by one: the kernel queues every connection, and
    // the edge-triggered poll reports the listener once when the server goes on.
    let stopped = signal(&program, "-STOP") && wait_stopped(&program);
    let mut clients = Vec::new();
    for _ in 0..AT_ONCE {
        clients.push(connect(address, "8")?);
    }
    if stopped {
        signal(&program, "-CONT");
    }
    let first = local(&clients[0])?;
    ask(&mut program, &mut clients[0], "第一个", "8")?;
    // Its line came after the accepts of the round that accepted it.
    program
        .expect_line(
            &format!("from {first}:"),
            "打印收到的消息（已经写好）/ print the message received (already written)",
        )
        .map_err(|failure| failure.step("9"))?;
    let mut accepted = Vec::new();
    for client in &clients {
        let me = local(client)?;
        let needle = format!("client connected: {me}");
        if program.stdout().iter().any(|line| line.contains(&needle)) {
            accepted.push(me.to_string());
        }
    }
    if accepted.len() < AT_ONCE {
        return Err(Failure::new(
            format!(
                "{AT_ONCE} 个客户端同时连上，poll 只通知一次：一直 accept 到 WouldBlock，接受全部 {AT_ONCE} 个 / {AT_ONCE} \
                 clients connect at once and poll reports it once: accepting until WouldBlock takes all {AT_ONCE}"
            ),
            format!(
                "第一个客户端得到回复时，只接受了 {} 个 when the first client got its reply, {} had been accepted: {}",
                accepted.len(),
                accepted.len(),
                accepted.join(", ")
            ),
        )
        .step("8"));
    }
    for (client, text) in clients.iter_mut().skip(1).zip(["二", "三", "四", "五"]) {
        ask(&mut program, client, text, "8")?;
    }
    Ok(())
}

fn a_long_message(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let client = connect(address, "8")?;
    all_answered(&mut program, client, 64 * 1024)
}

fn a_slow_reader(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    // A small receive buffer and small segments (the server's send buffer grows with the
    // segment size), and no reading while sending: the server's sends soon find no room and
    // return WouldBlock.
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
            .step("8")
        })?;
    let client = TcpStream::from(socket);
    timeouts(&client)?;
    all_answered(&mut program, client, 16 * 1024 * 1024)
}

fn one_thread(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut clients = Vec::new();
    for text in ["一", "二", "三"] {
        let mut client = connect(address, "8")?;
        ask(&mut program, &mut client, text, "8")?;
        clients.push(client);
    }
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", program.id())) else {
        // Not Linux: nothing to count.
        return Ok(());
    };
    let threads = tasks.count();
    if threads != 1 {
        return Err(Failure::new(
            "三个客户端连着，/proc/PID/task 里只有 1 个线程：事件循环本身 / three clients connected, and one thread in \
             /proc/PID/task: the event loop",
            format!("{threads} 个线程 threads（每个客户端一个线程？a thread per client?）"),
        )
        .step("8"));
    }
    Ok(())
}

fn a_client_resets(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut a = connect(address, "8")?;
    let a_address = local(&a)?;
    ask(&mut program, &mut a, "我要重置了", "8")?;
    // SO_LINGER 0: close sends a reset (RST) instead of the orderly FIN (lesson 5).
    SockRef::from(&a)
        .set_linger(Some(std::time::Duration::ZERO))
        .map_err(|error| io_failure("设置 set SO_LINGER 0", &error))?;
    drop(a);
    let expected = format!(
        "A 重置连接后，read 返回错误：打印“receive failed {a_address}: …”，只结束这个连接 / after A resets, read \
         fails: print \"receive failed {a_address}: …\" and end only that connection"
    );
    program
        .expect_line(&format!("receive failed {a_address}"), &expected)
        .map_err(|failure| failure.step("9"))?;
    let running = "一个客户端重置之后，服务端还在运行 / the server still runs after a client reset";
    program
        .still_running(running)
        .map_err(|failure| failure.step("9"))?;
    let mut b = connect(address, "8")?;
    ask(&mut program, &mut b, "下一个", "8")?;
    program
        .still_running(running)
        .map_err(|failure| failure.step("9"))
}

/// Sends `size` bytes in one go and half-closes, then reads every reply until the server
/// closes: each read the server printed must have its reply, and the reads must add up to
/// `size`.
fn all_answered(program: &mut Program, mut client: TcpStream, size: usize) -> Result<(), Failure> {
    let me = local(&client)?;
    let message = vec![b'x'; size];
    // A server that stops reading makes this write wait out its timeout: that is step 9's
    // failure below, not the check's own.
    let sent = client
        .write_all(&message)
        .and_then(|()| client.shutdown(Shutdown::Write));
    let mut replies = Vec::new();
    let ended = match sent {
        Ok(()) => client.read_to_end(&mut replies).map(drop),
        Err(error) => Err(error),
    };
    if ended.is_ok() {
        // The server printed that it went offline before it closed: every line is in.
        let _ = program.expect_line(&format!("client offline: {me}"), "");
    }
    program.drain();
    let (reads, total) = reads_of(program, me);
    let reply = gbk(THREADED_REPLY);
    let kib = size / 1024;
    if total != size || ended.is_err() {
        let ending = match ended {
            Ok(()) => "连接被关闭了 the connection closed".to_owned(),
            Err(error) => error_text(&error),
        };
        return Err(Failure::new(
            format!(
                "一次发出 {kib} KiB（{size} 字节）再半关闭：服务端读到全部 {size} 字节，然后关闭 / {kib} KiB ({size} bytes) \
                 sent in one go, then a half-close: the server reads all {size} bytes, then closes"
            ),
            format!(
                "服务端打印了 {reads} 次读取，共 {total} 字节 the server printed {reads} reads, {total} bytes in all；{ending}\
                 （只读一次，剩下的字节不会再有通知 read once, and no event comes again for the bytes left）"
            ),
        )
        .step("9"));
    }
    let wanted = reads * reply.len();
    if replies.len() != wanted || replies.chunks(reply.len()).any(|chunk| chunk != reply) {
        return Err(Failure::new(
            format!(
                "服务端读了 {reads} 次，每次一个回复：收到 {reads} × {} = {wanted} 字节 / the server read {reads} times, \
                 one reply each: {reads} × {} = {wanted} bytes come back",
                reply.len(),
                reply.len()
            ),
            format!(
                "收到 received {} 字节 bytes（write 没收下的部分丢了？what write did not take was lost?）",
                replies.len()
            ),
        )
        .step("10"));
    }
    Ok(())
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

/// Sends `message` and expects the notes' reply; no reply at all blames `step`, a wrong one
/// the reply (10).
fn ask(
    program: &mut Program,
    stream: &mut TcpStream,
    message: &str,
    step: &'static str,
) -> Result<(), Failure> {
    let Err(no_reply) = reply_to(program, stream, &gbk(message), THREADED_REPLY)? else {
        return Ok(());
    };
    let step = if no_reply.nothing_arrived { step } else { "10" };
    Err(Failure::new(
        format!("发送 {message:?}，回复 {THREADED_REPLY:?} / send {message:?}, get the reply {THREADED_REPLY:?}"),
        no_reply.got,
    )
    .step(step))
}

/// Sends the program a signal with the `kill` command (Unix); whether it was sent.
fn signal(program: &Program, signal: &str) -> bool {
    cfg!(unix)
        && Command::new("kill")
            .args([signal, &program.id().to_string()])
            .status()
            .is_ok_and(|status| status.success())
}

/// Waits until the kernel shows the program stopped (Linux); elsewhere, goes on at once.
fn wait_stopped(program: &Program) -> bool {
    let stat = format!("/proc/{}/stat", program.id());
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        let Ok(text) = std::fs::read_to_string(&stat) else {
            return true;
        };
        // `PID (NAME) STATE …`: the state follows the last parenthesis.
        let state = text.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
        if state == Some(Some('T')) {
            return true;
        }
        std::thread::yield_now();
    }
    true
}

fn local(stream: &TcpStream) -> Result<SocketAddr, Failure> {
    stream
        .local_addr()
        .map_err(|error| io_failure("客户端的地址 the client's address", &error))
}
