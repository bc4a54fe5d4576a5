//! Exercise 9, the event loop's WouldBlock cases: clients of the check's own connect at once
//! (while the server is stopped, so that one readiness event stands for all of them), send
//! 64 KiB in one go, send 16 MiB before they read a reply, and reset; the server must keep one
//! thread throughout.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use socket2::{Domain, SockRef, Socket, Type};

use super::{
    Check, Checker, THREADED_REPLY, connect, error_text, gbk, io_failure, listening_address,
    read_at_least, reply_to, timeouts,
};
use crate::program::{CLOSE_NOTICE, Program, WAIT, quoted};
use crate::verdict::Failure;

// Its own file beside this one, since only this exercise watches CPU time.
#[path = "cpu.rs"]
mod cpu;

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
        title: "一个客户端暂时不读：send 返回 WouldBlock，回复留着以后再发，别的客户端照常得到回复 / a client that does not read \
                yet: send returns WouldBlock, the replies wait, and another client is served meanwhile",
        run: a_reader_that_waits,
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
    // Where it cannot be stopped, the clients connect while it runs: a weaker check, not a
    // wrong one.
    let _ = program.stop();
    let mut clients = Vec::new();
    for _ in 0..AT_ONCE {
        clients.push(connect(address, "8")?);
    }
    // Even when the stop was not seen to take effect: a stopped program must go on.
    program.signal(child::Signal::Continue);
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
    if let Some(line) = program
        .stdout()
        .iter()
        .find(|line| line.contains("accept failed") && line.contains("WouldBlock"))
    {
        return Err(Failure::new(
            "accept 返回 WouldBlock 时安静地回到 poll：这不是错误，只是没有更多连接了 / when accept returns WouldBlock, \
             go back to poll quietly: it is no error, only no more connections for now",
            format!("服务端打印了 the server printed {line:?}"),
        )
        .step("8"));
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

/// Exercise 9's back-pressure. A client with a small receive buffer sends far more than the
/// replies to it can fit in the two kernels' buffers, and reads nothing: the server's `write`
/// soon finds no room and returns `WouldBlock`, and the rest of the replies must wait in
/// `unsent`. Meanwhile the server must idle in `poll` (no CPU) and serve another client at
/// once; when the client reads at last, every reply must arrive, and then the close.
fn a_reader_that_waits(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut slow = small_buffer_client(address)?;
    let me = local(&slow)?;
    let reply = gbk(THREADED_REPLY);
    let mut sent = 0;
    let mut round = SLOW_ROUND;
    let held_back = loop {
        send_unread(&mut program, &mut slow, round)?;
        sent += round;
        await_reads(&mut program, me, sent)?;
        not_spinning(checker, &program)?;
        serves_another(&mut program, address)?;
        // The other client's reply came after the server's turn with this one: what the
        // server has not given the kernel by now, it keeps.
        let (reads, _) = reads_of(&program, me);
        match replies_held_back(me, address, reads * reply.len()) {
            Some(held) if held >= reply.len() => break Some(held),
            Some(_) if sent < SLOW_CAP => round *= 2,
            _ => break None,
        }
    };
    if held_back.is_none() {
        checker.not_checked(
            "这里看不出服务端的 write 返回过 WouldBlock（内核的套接字表看不到，或者内核收下了全部回复）。请用 ss -tm 自己看 \
             / whether the server's write returned WouldBlock cannot be seen here (no kernel table, or the kernel took \
             every reply). Watch it yourself with ss -tm",
        );
    }
    slow.shutdown(Shutdown::Write)
        .map_err(|error| io_failure("半关闭 half-close", &error))?;
    let (reads, total) = reads_of(&program, me);
    every_reply_arrives(&mut program, &mut slow, reads, total, held_back)
}

/// How much the slow client sends before it reads, at first; a round that made no reply wait
/// (a kernel that took them all) is followed by one twice as long, up to [`SLOW_CAP`] in all.
const SLOW_ROUND: usize = 16 * 1024 * 1024;
const SLOW_CAP: usize = 64 * 1024 * 1024;

/// How long the server's CPU time is watched while it has replies waiting and nothing to do.
const IDLE_WINDOW: Duration = Duration::from_millis(400);

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
            .step("8")
        })?;
    let client = TcpStream::from(socket);
    timeouts(&client)?;
    Ok(client)
}

/// Sends `size` bytes and reads nothing. The server must keep reading while its replies pile
/// up; a write that stays stuck for [`WAIT`] means it stopped (spinning on a write, or a read
/// loop that ended early).
fn send_unread(program: &mut Program, client: &mut TcpStream, size: usize) -> Result<(), Failure> {
    let chunk = vec![b'x'; 64 * 1024];
    let mut left = size;
    while left > 0 {
        let part = &chunk[..left.min(chunk.len())];
        if let Err(error) = client.write_all(part) {
            if program.ends_within(CLOSE_NOTICE) {
                // The reset came from the server's exit: say that, as a later step would.
                return Err(server_ended(program));
            }
            // A server that spins on a write it cannot make stops reading too: on a busy
            // machine its replies fill the buffers before the client has sent all, and the
            // client's send is what gets stuck. The spinning is the cause to name.
            if let Some(Spinning::Yes(failure)) = spinning(program) {
                return Err(failure);
            }
            let (reads, total) = reads_of(program, local(client)?);
            let expected = "客户端先不读回复，一直发送：服务端一直读（回复留在 unsent 里）/ the client sends on, reading no \
                            reply: the server keeps reading (the replies wait in unsent)";
            let got = format!(
                "发送卡住了 the send got stuck: {}；服务端打印了 {reads} 次读取，共 {total} 字节 the server printed {reads} \
                 reads, {total} bytes{}",
                error_text(&error),
                last_line(program)
            );
            return Err(Failure::new(expected, got).step("9"));
        }
        left -= part.len();
    }
    Ok(())
}

/// Waits until the server has printed reads of `me` that add up to `sent` bytes.
fn await_reads(program: &mut Program, me: SocketAddr, sent: usize) -> Result<(), Failure> {
    let expected = format!(
        "客户端发出 {sent} 字节：服务端每次读到 WouldBlock 为止，读到的加起来是 {sent} 字节 / the client sent {sent} \
         bytes: the server reads until WouldBlock each time, and its reads add up to {sent} bytes"
    );
    let (mut seen, mut total) = (0, 0);
    program
        .await_lines(
            // Counted as the lines come: a long send makes thousands of them.
            |lines| {
                total += reads_in(&lines[seen..], me).1;
                seen = lines.len();
                total >= sent
            },
            &expected,
        )
        .map_err(|failure| {
            let (reads, total) = reads_of(program, me);
            Failure::new(
                expected.clone(),
                format!(
                    "服务端打印了 {reads} 次读取，共 {total} 字节 the server printed {reads} reads, {total} bytes；{}",
                    failure.got
                ),
            )
            .step("9")
        })
}

/// The server has replies waiting for a client that does not read, and nothing else to do:
/// it must wait in `poll`. Retrying `write` in a loop would use a core (Linux shows it in
/// `/proc/PID/stat`; elsewhere this is not checked).
fn not_spinning(checker: &mut Checker, program: &Program) -> Result<(), Failure> {
    match spinning(program) {
        Some(Spinning::Yes(failure)) => Err(failure),
        Some(Spinning::No) => Ok(()),
        None => {
            checker.not_checked(
                "这里读不到程序用了多少 CPU（/proc/PID/stat 只有 Linux 有）。客户端不读时，请用任务管理器看服务端是不是占满一个核 \
                 / the program's CPU time cannot be read here (/proc/PID/stat is Linux's). While a client does not read, \
                 watch in a task manager that the server does not use a whole core",
            );
            Ok(())
        }
    }
}

/// What the server's CPU time over [`IDLE_WINDOW`] says, where it can be read.
enum Spinning {
    No,
    /// It retries `write` in a loop: the step-10 failure that says so.
    Yes(Failure),
}

/// Whether the server uses a core while it should wait in `poll`; `None` where its CPU time
/// cannot be read (not Linux).
fn spinning(program: &Program) -> Option<Spinning> {
    let used = cpu::used_over(program.id(), IDLE_WINDOW)?;
    if !used.spinning() {
        return Some(Spinning::No);
    }
    Some(Spinning::Yes(
        Failure::new(
            "回复发不出去（WouldBlock）时回到 poll，等套接字可写（WRITABLE）：等待时不占 CPU / when a reply cannot go \
             (WouldBlock), return to poll and wait until the socket is writable (WRITABLE): no CPU while waiting",
            format!(
                "客户端不读时，服务端在 {} ms 里用了 {} ms 的 CPU，内核看了 {} 次，{} 次它在运行或等 CPU：它在循环里一直重试 \
                 write？/ while the client did not read, the server used {} ms of CPU in {} ms, and was running or \
                 waiting for a core at {} of the kernel's {} looks: does it retry write in a loop?",
                used.wall.as_millis(),
                used.cpu.as_millis(),
                used.looks,
                used.runnable,
                used.cpu.as_millis(),
                used.wall.as_millis(),
                used.runnable,
                used.looks
            ),
        )
        .step("10"),
    ))
}

/// Another client connects and is answered at once, while the first one's replies wait.
fn serves_another(program: &mut Program, address: SocketAddr) -> Result<(), Failure> {
    if program.still_running(RUNS_ON).is_err() {
        return Err(server_ended(program));
    }
    let mut other = connect(address, "10")?;
    ask(program, &mut other, "另一个客户端不用等", "10")
}

/// The server ended while one client's replies could not go (WouldBlock taken for an error).
fn server_ended(program: &mut Program) -> Failure {
    let failure = program.failure(RUNS_ON);
    // Its last line holds a read of the client's bytes: a thousand x's say nothing.
    let got = match failure.got.split_once("；最后打印") {
        Some((exit, _)) => exit.to_owned(),
        None => failure.got,
    };
    Failure::new(RUNS_ON, got).step("10")
}

const RUNS_ON: &str = "一个客户端的回复发不出去（WouldBlock）时，服务端照常运行 / the server runs on while one \
                       client's replies cannot go (WouldBlock)";

/// How many reply bytes the server keeps in its own memory: `replied` (every reply it
/// queued) less what the two kernels hold, unread by the client or not yet acknowledged by
/// it. `None` where the kernel's table cannot be read.
fn replies_held_back(me: SocketAddr, server: SocketAddr, replied: usize) -> Option<usize> {
    let client_row = course::kernel::connection(me, server).ok()??;
    let server_row = course::kernel::connection(server, me).ok()??;
    // A byte the client has and has not acknowledged yet counts twice: never too few here.
    let in_kernels = client_row.unread as usize + server_row.unacknowledged as usize;
    Some(replied.saturating_sub(in_kernels))
}

/// The client, half-closed, reads at last: one reply for each of the server's `reads`, then
/// the close. `held_back` bytes of them were in the server's memory when it began.
fn every_reply_arrives(
    program: &mut Program,
    client: &mut TcpStream,
    reads: usize,
    total: usize,
    held_back: Option<usize>,
) -> Result<(), Failure> {
    let reply = gbk(THREADED_REPLY);
    let wanted = reads * reply.len();
    // Bounded: a server that sends on and on (replies to reads of 0 bytes, say) is shown
    // after one reply too many.
    let (replies, ended) = read_at_least(client, wanted + reply.len());
    let whole = replies.len() == wanted && replies.chunks(reply.len()).all(|chunk| chunk == reply);
    if whole && ended.is_ok() {
        return Ok(());
    }
    program.drain();
    let waited = held_back.map_or_else(String::new, |held| {
        format!("（其中 {held} 字节 send 没收下，在 unsent 里等着 of which {held} bytes write did not take)")
    });
    let expected = format!(
        "服务端读了 {reads} 次（{total} 字节），每次一个回复：客户端读的时候收到 {reads} × {} = {wanted} 字节{waited}，\
         然后服务端关闭 / the server read {reads} times ({total} bytes), one reply each: once the client reads, \
         {reads} × {} = {wanted} bytes come, then the server closes",
        reply.len(),
        reply.len()
    );
    let exited = program.still_running("").is_err();
    let why = match (&ended, exited) {
        (_, true) => "服务端退出了：WouldBlock 不是错误 the server exited: WouldBlock is no error".to_owned(),
        (Ok(()), false) if replies.len() < wanted => {
            "连接先关闭了，没发出的回复丢了 the connection closed first: what was not sent yet was lost".to_owned()
        }
        (Err(error), false) => format!(
            "{}：剩下的回复没有再发（WouldBlock 之后要登记 WRITABLE，可写时再发）/ the rest never came (after \
             WouldBlock, register WRITABLE and send when writable)",
            error_text(error)
        ),
        (Ok(()), false) => "回复的字节不对 the reply bytes are wrong".to_owned(),
    };
    let got = format!(
        "收到 received {} 字节 bytes；{why}{}",
        replies.len(),
        last_line(program)
    );
    Err(Failure::new(expected, got).step("10"))
}

fn last_line(program: &Program) -> String {
    program.stdout().last().map_or_else(String::new, |line| {
        format!("；服务端最后打印 the server last printed: {}", quoted(line))
    })
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
    let Some(threads) = course::process::threads(program.id()) else {
        // Not Linux: nothing to count.
        return Ok(());
    };
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
    reads_in(program.stdout(), me)
}

/// [`reads_of`] in the lines printed so far.
fn reads_in(lines: &[String], me: SocketAddr) -> (usize, usize) {
    let needle = format!(" 字节 bytes 来自 from {me}:");
    lines
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
    // A read's WouldBlock taken for an error ends the connection before its reply goes.
    if no_reply.nothing_arrived {
        program.await_close_notice(&local(stream)?.to_string());
    }
    // Whichever client met it: one read's WouldBlock taken for an error is the same mistake.
    let would_block = program
        .stdout()
        .iter()
        .any(|line| line.contains("receive failed") && line.contains("WouldBlock"));
    let (step, note) = match (would_block, no_reply.nothing_arrived) {
        (true, _) => (
            "9",
            "（read 返回 WouldBlock 不是错误，只是现在没有更多字节了：回到 poll / a read's WouldBlock is no error, it \
             means no more bytes for now: go back to poll）",
        ),
        (false, true) => (step, ""),
        (false, false) => ("10", ""),
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
