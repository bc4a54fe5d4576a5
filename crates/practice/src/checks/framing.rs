//! Exercise 8, length-prefix framing: clients of the check's own send frames glued into one
//! write, frames a byte at a time, and a hostile length, and compare the bytes that come back
//! with one reply frame per message.

use std::io::{self, ErrorKind, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use course::kernel::Connection;
use encoding_rs::GBK;
use socket2::{Domain, Socket, Type};

use super::stall::{self, Seen};
use super::{
    Check, Checker, connect, error_text, gbk, io_failure, listening_address, read_at_least,
    read_some, send,
};
use crate::program::{Program, WAIT, quoted};
use crate::verdict::Failure;

pub const CHECKS: &[Check] = &[
    Check {
        title: "三帧粘在一次写里：三条完整的消息，每条回复恰好一帧 / three frames glued in one write: three whole messages, one frame back for each",
        run: glued_frames,
    },
    Check {
        title: "帧一个字节一个字节地到达（TCP_NODELAY）：照样是完整的消息 / frames arriving a byte at a time (TCP_NODELAY): still whole messages",
        run: a_byte_at_a_time,
    },
    Check {
        title: "声明的长度超过 64 KiB：只关闭那个连接，服务端照常服务别人 / a declared length above 64 KiB: that connection closes, the others are served",
        run: a_hostile_length,
    },
    Check {
        title: "声明 4 GiB（ff ff ff ff），服务端的地址空间限制在 2 GiB：先检查长度，不分配 / 4 GiB declared (ff ff ff ff), the \
                server's address space limited to 2 GiB: the length is checked before any room is made",
        run: a_length_of_4_gib,
    },
    Check {
        title: "客户端先不读，服务端的 write 等着时被打断（SIGSTOP、SIGCONT）：每个回复照样是完整的一帧 / the client reads \
                nothing at first, and the server's waiting write is interrupted (SIGSTOP, SIGCONT): every reply still one \
                whole frame",
        run: replies_that_wait,
    },
    Check {
        title: "一问一答二十次：回复要快，中位数不超过 20 ms（分两次写一帧会碰上 Nagle 和延迟确认）/ twenty requests and \
                replies: the median is at most 20 ms (a frame in two writes meets Nagle and delayed ACKs)",
        run: prompt_replies,
    },
];

/// The largest payload the exercise's server accepts.
const MAX_PAYLOAD: u32 = 64 * 1024;

/// How the check's bytes go out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// All in one write.
    Glued,
    /// One byte per write, Nagle off, each read by the server before the next is sent.
    ByteAtATime,
}

fn glued_frames(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut client = Client::connect(address)?;
    client.exchange(&mut program, &["你好", "第二条消息", "三"], Cut::Glued)?;
    // One more after them: a reply of more than one frame would show here.
    client.exchange(&mut program, &["第四条"], Cut::Glued)?;
    client.ends(&mut program)
}

fn a_byte_at_a_time(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut client = Client::connect(address)?;
    client.exchange(&mut program, &["一个字节一个字节"], Cut::ByteAtATime)?;
    client.exchange(&mut program, &["慢慢来", "ok"], Cut::ByteAtATime)?;
    client.ends(&mut program)
}

fn a_hostile_length(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut bystander = Client::connect(address)?;
    bystander.exchange(&mut program, &["我先来"], Cut::Glued)?;
    bystander.the_largest_frame(&mut program)?;

    let mut hostile = Client::connect(address)?;
    let declared = MAX_PAYLOAD + 1;
    send(&mut hostile.stream, &declared.to_be_bytes())?;
    let expected = format!(
        "另一个客户端只发长度 {} 的前缀（{declared} 字节，比 64 KiB 多 1）：服务端不等内容，关闭这个连接 / another client \
         sends only the prefix {}, a length of {declared} (64 KiB + 1): the server closes that connection at once, \
         waiting for no payload",
        hex(&declared.to_be_bytes()),
        hex(&declared.to_be_bytes())
    );
    closes_at_once(&mut program, &mut hostile, &expected)?;
    program
        .still_running(
            "服务端关闭了那个连接，自己还在运行 / the server closed that connection and still runs",
        )
        .map_err(|failure| failure.step("7.2"))?;
    bystander.exchange(&mut program, &["我还在"], Cut::Glued)
}

/// A declared length of 4 GiB less a byte, to a server whose address space is limited to
/// [`ADDRESS_SPACE`] (Linux: `prlimit`): a server that makes room for the payload before it
/// checks the length cannot, and aborts; one that checks first closes that connection.
fn a_length_of_4_gib(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let limited = limit_address_space(&program);
    let mut bystander = Client::connect(address)?;
    bystander.exchange(&mut program, &["先来一条"], Cut::Glued)?;

    let mut hostile = Client::connect(address)?;
    let prefix = [0xff; 4];
    send(&mut hostile.stream, &prefix)?;
    let expected = format!(
        "另一个客户端只发长度前缀 {}（4294967295 字节，约 4 GiB）：服务端先检查长度，不分配内存，关闭这个连接 / another \
         client sends only the prefix {} (4294967295 bytes, about 4 GiB): the server checks the length before making \
         any room, and closes that connection",
        hex(&prefix),
        hex(&prefix)
    );
    closes_at_once(&mut program, &mut hostile, &expected)?;
    // A program that aborts closes its sockets as it dies, maybe before it can be seen to have
    // ended: the other client's exchange tells, and then the program has ended.
    let served = bystander.exchange(&mut program, &["我还在"], Cut::Glued);
    if served.is_err() {
        // Its end may still be under way (a core dump first): wait for it, bounded.
        let _ = program.wait_exit(&expected);
    }
    program.still_running(&expected).map_err(|failure| {
        let got = format!(
            "{}（先按声明的长度分配了内存，再检查长度？/ room made for the declared length before checking it?）",
            failure.got
        );
        Failure::new(expected.clone(), got).step("7.2")
    })?;
    served?;
    if !limited {
        checker.not_checked(
            "这里没法限制服务端的地址空间（Linux 的 prlimit）。请自己想一想：读到 ff ff ff ff 时，你的程序在检查长度之前分配内存吗？\
             / the server's address space cannot be limited here (Linux's prlimit). Ask yourself: reading ff ff ff ff, \
             does your program make room before it checks the length?",
        );
    }
    Ok(())
}

/// The address space the server may use in [`a_length_of_4_gib`]: far more than a server
/// with a few threads needs (about 400 MiB with six clients: each thread's stack and malloc
/// arena), far less than the 4 GiB a prefix of `ff ff ff ff` declares.
const ADDRESS_SPACE: u64 = 2 * 1024 * 1024 * 1024;

/// Limits the running program's address space with util-linux's `prlimit` (Linux); whether
/// it could. An allocation beyond the limit then fails, and Rust aborts the program.
fn limit_address_space(program: &Program) -> bool {
    cfg!(target_os = "linux")
        && Command::new("prlimit")
            .arg("--pid")
            .arg(program.id().to_string())
            .arg(format!("--as={ADDRESS_SPACE}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
}

/// The server must close `hostile`'s connection at once, sending nothing: it read a length it
/// must not accept.
fn closes_at_once(
    program: &mut Program,
    hostile: &mut Client,
    expected: &str,
) -> Result<(), Failure> {
    match read_some(&mut hostile.stream) {
        Ok(bytes) if bytes.is_empty() => Ok(()),
        Err(error) if error.kind() == ErrorKind::ConnectionReset => Ok(()),
        Ok(bytes) => {
            Err(Failure::new(expected, format!("收到 received {}", hex(&bytes))).step("7.2"))
        }
        Err(error) => {
            program.drain();
            let got = format!(
                "连接没有关闭 the connection stayed open: {}{}",
                error_text(&error),
                last_line(program)
            );
            Err(Failure::new(expected, got).step("7.2"))
        }
    }
}

/// Twenty requests, each sent when the reply to the one before has come. On loopback a round
/// trip takes well under a millisecond; a reply frame written in two writes waits for
/// Nagle's algorithm and the client's delayed ACK, about 40 ms on Linux, every time.
fn prompt_replies(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut client = Client::connect(address)?;
    let mut times = Vec::with_capacity(ROUND_TRIPS);
    for _ in 0..ROUND_TRIPS {
        let start = Instant::now();
        client.exchange(&mut program, &["快"], Cut::Glued)?;
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[ROUND_TRIPS / 2];
    if median <= SLOW_REPLY {
        return Ok(());
    }
    let ms = |time: Duration| format!("{:.1}", time.as_secs_f64() * 1000.0);
    let bound = SLOW_REPLY.as_millis();
    Err(Failure::new(
        format!(
            "一问一答 {ROUND_TRIPS} 次，往返时间的中位数不超过 {bound} ms（回环上一般不到 1 ms）/ {ROUND_TRIPS} requests and \
             replies, with a median round trip of at most {bound} ms (on loopback, usually under 1 ms)"
        ),
        format!(
            "中位数 median {} ms，最快 fastest {} ms。一帧分成两次 write（先长度，再内容）？第二次小的写入要等第一次的 ACK \
             （Nagle 算法），而客户端把 ACK 推迟了约 40 ms（延迟确认）：拼好整帧，用一次 write_all 发出 / a frame in two \
             writes (the length, then the payload)? Nagle's algorithm holds the second small write until the first is \
             acknowledged, and the client delays its ACK by about 40 ms (delayed ACK): build the whole frame and send \
             it with one write_all",
            ms(median),
            ms(times[0])
        ),
    )
    .step("8"))
}

/// How many requests and replies [`prompt_replies`] times, and the median it allows: twenty
/// times a correct server's round trip on a busy machine, half of what Nagle costs.
const ROUND_TRIPS: usize = 20;
const SLOW_REPLY: Duration = Duration::from_millis(20);

/// Replies that find no room. A client with a small receive buffer sends [`UNREAD_FRAMES`]
/// requests and reads nothing until the server's replies fill both kernels' buffers and its
/// `write` waits. Then the check stops the server and lets it go on (SIGSTOP, SIGCONT, Unix):
/// a `write` that waited with part of its frame taken returns that part, which `write_all`
/// follows with the rest and a lone `write` never does. Every reply must then arrive whole.
fn replies_that_wait(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut client = Client::small_buffer(address)?;
    let me = client.me;
    let mut writer = client
        .stream
        .try_clone()
        .map_err(|error| io_failure("复制套接字 clone the socket", &error))?;
    let requests: Vec<u8> = (0..UNREAD_FRAMES).flat_map(|_| frame(b"x")).collect();
    // Its own thread: the server stops reading while its replies cannot go, and the send waits.
    let sending = thread::spawn(move || {
        writer
            .write_all(&requests)
            .and_then(|()| writer.shutdown(Shutdown::Write))
    });
    let mut interrupted = false;
    let mut taken = Vec::new();
    for _ in 0..INTERRUPTIONS {
        if !stalled(&program, me, address) {
            break;
        }
        interrupted |= stop_and_go(&program);
        // Room for the server to go on, and fill it again.
        taken.extend(read_at_least(&mut client.stream, 64 * 1024).0);
    }
    if !interrupted {
        checker.not_checked(
            "这里没法在服务端等着写的时候打断它（需要 SIGSTOP 和内核的套接字表）。请确认 write_frame 用的是 write_all \
             / the server cannot be interrupted here while its write waits (that needs SIGSTOP and the kernel's \
             socket table). Make sure write_frame uses write_all",
        );
    }
    let expected: Vec<u8> = (1..=UNREAD_FRAMES)
        .flat_map(|number| frame(&gbk(&reply(number, 1))))
        .collect();
    let (rest, ended) = read_at_least(&mut client.stream, expected.len() + 1 - taken.len());
    let sent = sending.join().unwrap_or(Ok(()));
    // What the loop read to make room came first.
    let mut got = taken;
    got.extend(rest);
    if got == expected && ended.is_ok() && sent.is_ok() {
        return Ok(());
    }
    let printed = Printed::awaited(&mut program, me, got.len() >= expected.len());
    let mismatch = got
        .iter()
        .zip(&expected)
        .position(|(got, expected)| got != expected);
    // A message read wrong is step 7.1; so is one never read, unless a reply the server had
    // already sent for a message it read whole was wrong: then the student's writes are.
    let replied_wrong = mismatch.is_some_and(|at| at < reply_bytes(printed.whole));
    if printed.whole != printed.messages || (printed.messages < UNREAD_FRAMES && !replied_wrong) {
        return Err(Failure::new(
            format!(
                "{UNREAD_FRAMES} 个请求，每个 1 字节（00 00 00 01 78）：服务端打印 {UNREAD_FRAMES} 条完整的消息 / \
                 {UNREAD_FRAMES} requests of 1 byte each (00 00 00 01 78): the server prints {UNREAD_FRAMES} whole \
                 messages"
            ),
            format!(
                "它打印了 {} 条，其中 {} 条是完整的 1 字节 it printed {}, {} of them whole{}",
                printed.messages,
                printed.whole,
                printed.messages,
                printed.whole,
                last_line(&program)
            ),
        )
        .step("7.1"));
    }
    let at = mismatch.unwrap_or(got.len().min(expected.len()));
    let start = at.saturating_sub(8);
    Err(Failure::new(
        format!(
            "{UNREAD_FRAMES} 个请求，客户端先不读；服务端的 write 等着的时候被打断（SIGSTOP、SIGCONT）：每个回复照样是完整的一帧，\
             共 {} 字节 / {UNREAD_FRAMES} requests, the client reading none at first, and the server's write interrupted \
             while it waits (SIGSTOP, SIGCONT): every reply still one whole frame, {} bytes in all",
            expected.len(),
            expected.len()
        ),
        format!(
            "收到 received {} 字节 bytes，从第 {at} 个字节起不对 wrong from byte {at}: {}，应该是 should be {}\
             （write 只写出了帧的一部分，剩下的没有再写？write_all 会一直写完 / write took only part of a frame, and the \
             rest was never written? write_all writes it all）",
            got.len(),
            hex(&got[start.min(got.len())..(at + 16).min(got.len())]),
            hex(&expected[start..(at + 16).min(expected.len())])
        ),
    )
    .step("8"))
}

/// What the server printed about a client's 1-byte requests: how many messages, and how many
/// of them whole (1 byte, `x`).
struct Printed {
    messages: usize,
    whole: usize,
}

impl Printed {
    /// Counts the lines from `me`. When the server `answered_all` (it wrote as many bytes as
    /// every reply), it read every request and printed each line before its reply: the lines
    /// still in the pipe are waited for, so a busy machine does not make them look missing.
    fn awaited(program: &mut Program, me: SocketAddr, answered_all: bool) -> Printed {
        let from_me = format!("来自 from {me}:");
        let count = |lines: &[String]| lines.iter().filter(|line| line.contains(&from_me)).count();
        if answered_all {
            program.lines_within(|lines| count(lines) >= UNREAD_FRAMES, WAIT);
        }
        program.drain();
        let whole = format!("(1 字节 bytes) {from_me} x");
        Printed {
            messages: count(program.stdout()),
            whole: program
                .stdout()
                .iter()
                .filter(|line| line.contains(&whole))
                .count(),
        }
    }
}

/// How many bytes the replies to the first `messages` 1-byte requests take.
fn reply_bytes(messages: usize) -> usize {
    (1..=messages)
        .map(|number| frame(&gbk(&reply(number, 1))).len())
        .sum()
}

/// How many requests the late reader sends (their replies are about 900 KB), and how many
/// times the server is interrupted while its write waits.
const UNREAD_FRAMES: usize = 20_000;
const INTERRUPTIONS: usize = 3;

/// Waits until the server stalls on its replies to `me`: replies wait unsent in its socket,
/// neither its queue of requests nor that of replies moves, and it sleeps. (Not "requests
/// wait unread": a server that reads ahead has read them all while its write still waits.)
/// False where the kernel's table is missing, or when nothing stalls within [`WAIT`].
fn stalled(program: &Program, me: SocketAddr, server: SocketAddr) -> bool {
    // Replies wait in the server's socket only while the client's window is shut: then
    // neither queue moves, and a server with more to write waits in its write.
    let replies_wait = |row: &Connection| row.unacknowledged != 0;
    stall::await_stall(program.id(), me, server, replies_wait, |_| false) == Seen::Stalled
}

/// Stops the program and lets it go on (Unix): a system call that waits is interrupted, and
/// one that had done part of its work returns that part. Whether it was done.
fn stop_and_go(program: &Program) -> bool {
    let stopped = program.stop();
    // Even when the stop was not seen to take effect: a stopped program must go on.
    program.signal(child::Signal::Continue) && stopped
}

/// A client of the check's own, and how many messages it has sent.
struct Client {
    stream: TcpStream,
    me: SocketAddr,
    sent: usize,
}

impl Client {
    fn connect(address: SocketAddr) -> Result<Self, Failure> {
        let stream = connect(address, "5")?;
        let me = stream
            .local_addr()
            .map_err(|error| io_failure("客户端的地址 the client's address", &error))?;
        stream
            .set_nodelay(true)
            .map_err(|error| io_failure("设置 set TCP_NODELAY", &error))?;
        Ok(Self {
            stream,
            me,
            sent: 0,
        })
    }

    /// A payload of exactly [`MAX_PAYLOAD`] bytes is allowed: one frame back, like any other.
    fn the_largest_frame(&mut self, program: &mut Program) -> Result<(), Failure> {
        let largest = "x".repeat(MAX_PAYLOAD as usize);
        let me = self.me;
        let Err(failure) = self.exchange(program, &[&largest], Cut::Glued) else {
            return Ok(());
        };
        program.await_close_notice(&me.to_string());
        let refused = program.stdout().iter().any(|line| {
            line.contains(&me.to_string())
                && line.contains(&MAX_PAYLOAD.to_string())
                && !line.contains("来自 from")
        });
        if !refused {
            return Err(failure);
        }
        let got = format!(
            "{}（恰好 64 KiB 是允许的：只拒绝超过的 / exactly 64 KiB is allowed: refuse only what is above）",
            failure.got
        );
        Err(Failure::new(failure.expected, got).step("7.2"))
    }

    /// A client with the smallest receive buffer and segments the system allows, whose
    /// replies soon fill both kernels' buffers: the server's send buffer grows with the
    /// segment size and with the packets in flight, which a small window keeps few.
    fn small_buffer(address: SocketAddr) -> Result<Self, Failure> {
        let socket = Socket::new(Domain::for_address(address), Type::STREAM, None)
            .and_then(|socket| socket.set_recv_buffer_size(1).map(|()| socket))
            .map_err(|error| io_failure("创建套接字 create a socket", &error))?;
        #[cfg(unix)]
        let _ = socket.set_tcp_mss(88);
        socket
            .connect_timeout(&address.into(), WAIT)
            .map_err(|error| {
                Failure::new(
                    format!(
                        "服务端在 {address} 接受连接 / the server accepts a connection on {address}"
                    ),
                    format!("连接失败 connect failed: {:?}: {error}", error.kind()),
                )
                .step("5")
            })?;
        let stream = TcpStream::from(socket);
        super::timeouts(&stream)?;
        let me = stream
            .local_addr()
            .map_err(|error| io_failure("客户端的地址 the client's address", &error))?;
        Ok(Self {
            stream,
            me,
            sent: 0,
        })
    }

    /// Sends `messages` as frames, cut as `cut` says, and expects exactly one reply frame for
    /// each, in order.
    fn exchange(
        &mut self,
        program: &mut Program,
        messages: &[&str],
        cut: Cut,
    ) -> Result<(), Failure> {
        let first = self.sent + 1;
        self.sent += messages.len();
        let sent: Vec<u8> = messages.iter().flat_map(|m| frame(&gbk(m))).collect();
        // The server may close the connection halfway (a length read wrong): then what it
        // sent back, and printed, tells why.
        let broke = match cut {
            Cut::Glued => self.stream.write_all(&sent),
            Cut::ByteAtATime => self.send_bytewise(&sent),
        }
        .err();
        let expected: Vec<u8> = messages
            .iter()
            .enumerate()
            .flat_map(|(i, m)| frame(&gbk(&reply(first + i, gbk(m).len()))))
            .collect();
        let (got, ended) = read_at_least(&mut self.stream, expected.len());
        if got == expected {
            // The replies name only lengths: the texts must have been printed whole too.
            return self.printed_whole(program, messages, first, &sent);
        }
        let (step, printed) = self.blame(program, messages, first, &got, &ended);
        let how = match cut {
            Cut::Glued => "一次写出 in one write",
            Cut::ByteAtATime => "一个字节一个字节 a byte at a time",
        };
        let texts: Vec<String> = messages.iter().map(|m| quoted(m)).collect();
        let expected = format!(
            "发送 sent {}（{} 帧 frames: {}，{how}）；回复 reply {} 帧 frames, one per message: {}",
            hex(&sent),
            messages.len(),
            texts.join(", "),
            messages.len(),
            hex(&expected)
        );
        let broke = broke.map_or_else(String::new, |error| {
            format!("；发送到一半连接就断了 the connection broke while sending: {error}")
        });
        let ending = match (&got[..], ended) {
            (_, Err(error)) => format!("；然后 then: {}", error_text(&error)),
            ([], Ok(())) => "；连接被关闭了 the connection closed".to_owned(),
            (_, Ok(())) => String::new(),
        };
        let got = format!("收到 received {}{ending}{broke}{printed}", hex(&got));
        Err(Failure::new(expected, got).step(step))
    }

    /// Which step the wrong reply comes from: a message the server did not print whole was
    /// read wrong (its length: 7.1; its payload: 7.3); when every message printed whole, the
    /// reply frames are wrong (8). Also what the server printed, for the failure.
    fn blame(
        &self,
        program: &mut Program,
        messages: &[&str],
        first: usize,
        got: &[u8],
        ended: &io::Result<()>,
    ) -> (&'static str, String) {
        let (replies, _) = GBK.decode_without_bom_handling(got);
        let me = self.me;
        if got.is_empty() && ended.is_ok() {
            // Closed with no reply: the server's lines about it came before the close.
            let _ = program.expect_line(&format!("connection {me}"), "");
        }
        program.drain();
        for (i, message) in messages.iter().enumerate() {
            let number = first + i;
            let length = gbk(message).len();
            // A reply names the length the server read, and it printed its line first.
            let line = match replied_length(&replies, number) {
                Some(read) if read != length => return ("7.1", printed_for(program, me)),
                Some(read) => program
                    .expect_line(&message_line(number, read, me), "")
                    .ok(),
                None => program
                    .stdout()
                    .iter()
                    .find(|line| line.contains(&message_line(number, length, me)))
                    .cloned(),
            };
            match line {
                None => return ("7.1", printed_for(program, me)),
                Some(line) if !line.ends_with(&format!(": {message}")) => {
                    return ("7.3", printed_for(program, me));
                }
                Some(_) => {}
            }
        }
        ("8", printed_for(program, me))
    }

    /// Each message's line, once its reply has come: the server printed it whole.
    fn printed_whole(
        &self,
        program: &mut Program,
        messages: &[&str],
        first: usize,
        sent: &[u8],
    ) -> Result<(), Failure> {
        for (i, message) in messages.iter().enumerate() {
            let number = first + i;
            let start = message_line(number, gbk(message).len(), self.me);
            let expected = format!(
                "发送 sent {}，打印完整的消息 print the whole message: \"{start} {message}\"",
                hex(sent)
            );
            let line = program
                .expect_line(&start, &expected)
                .map_err(|f| f.step("7.3"))?;
            if !line.ends_with(&format!(": {message}")) {
                return Err(Failure::new(expected, format!("打印了 printed {line:?}")).step("7.3"));
            }
        }
        Ok(())
    }

    /// Sends `bytes` one per write and, where the kernel shows it (Linux), waits until the
    /// server has read each before sending the next, so that every read gets one byte.
    fn send_bytewise(&mut self, bytes: &[u8]) -> io::Result<()> {
        let deadline = Instant::now() + WAIT;
        for byte in bytes {
            self.stream.write_all(std::slice::from_ref(byte))?;
            while Instant::now() < deadline && !self.all_read() {
                thread::yield_now();
            }
        }
        Ok(())
    }

    /// Whether the server has acknowledged and read everything sent; true where the kernel's
    /// table is not available, so the sending goes on.
    fn all_read(&self) -> bool {
        let Ok(server) = self.stream.peer_addr() else {
            return true;
        };
        let sent = course::kernel::connection(self.me, server);
        let received = course::kernel::connection(server, self.me);
        match (sent, received) {
            (Ok(sent), Ok(received)) => {
                sent.is_none_or(|row| row.unacknowledged == 0)
                    && received.is_none_or(|row| row.unread == 0)
            }
            _ => true,
        }
    }

    /// Half-closes and expects the server to see the end and close too, with no byte more.
    fn ends(mut self, program: &mut Program) -> Result<(), Failure> {
        self.stream
            .shutdown(Shutdown::Write)
            .map_err(|error| io_failure("半关闭 half-close", &error))?;
        let expected = "客户端半关闭后，read_frame 返回 Ok(None)，服务端关闭连接，不再发送任何字节 / after the client \
                        half-closes, read_frame returns Ok(None) and the server closes, sending no byte more";
        match read_some(&mut self.stream) {
            Ok(bytes) if bytes.is_empty() => self.went_offline(program, expected),
            Ok(bytes) => Err(Failure::new(
                expected,
                format!("又收到了 received more: {}", hex(&bytes)),
            )
            .step("8")),
            Err(error) => {
                program.drain();
                let got = format!("{}{}", error_text(&error), printed_for(program, self.me));
                Err(Failure::new(expected, got).step("7.1"))
            }
        }
    }
}

impl Client {
    /// The server closed after the half-close: it must have taken the end for the client
    /// leaving (`Ok(None)`, "client offline"), not for an error ("closing the connection").
    fn went_offline(&self, program: &mut Program, expected: &str) -> Result<(), Failure> {
        let me = self.me.to_string();
        // Both lines are printed before the connection is closed, so one has come or is coming.
        let ended = |line: &String| {
            line.contains(&me) && (line.contains("client offline") || line.contains("closing"))
        };
        program.await_lines(|lines| lines.iter().any(ended), expected)?;
        match program.stdout().iter().find(|line| ended(line)) {
            Some(line) if line.contains("closing") => Err(Failure::new(
                expected,
                format!(
                    "服务端打印了 the server printed {line:?}（连接在长度前缀之前结束是客户端下线了：返回 Ok(None)，不是错误 \
                     / the stream ending before a prefix is the client leaving: Ok(None), not an error）"
                ),
            )
            .step("7.1")),
            _ => Ok(()),
        }
    }
}

/// A frame: the payload's length in 4 big-endian bytes, then the payload.
fn frame(payload: &[u8]) -> Vec<u8> {
    let length = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    let mut frame = length.to_be_bytes().to_vec();
    frame.extend_from_slice(payload);
    frame
}

/// The server's reply to message `number`, of `length` bytes (already written in the exercise).
fn reply(number: usize, length: usize) -> String {
    format!("ok，第 {number} 条 message {number} ({length} 字节 bytes)")
}

/// The start of the line the server prints for message `number` of `length` bytes from `me`.
fn message_line(number: usize, length: usize, me: SocketAddr) -> String {
    format!("message {number} ({length} 字节 bytes) 来自 from {me}:")
}

/// The length a reply to message `number` names, wherever it is in the bytes received.
fn replied_length(replies: &str, number: usize) -> Option<usize> {
    let (_, after) = replies.split_once(&format!("message {number} ("))?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// What the server printed about the client `me`, for a failure.
fn printed_for(program: &Program, me: SocketAddr) -> String {
    let needle = me.to_string();
    let lines: Vec<String> = program
        .stdout()
        .iter()
        .filter(|line| line.contains(&needle) && !line.contains("client connected"))
        .map(|line| quoted(line))
        .collect();
    if lines.is_empty() {
        return "；服务端没有为它打印消息 the server printed no message of it".to_owned();
    }
    format!("；服务端打印了 the server printed: {}", lines.join(", "))
}

fn last_line(program: &Program) -> String {
    program.stdout().last().map_or_else(String::new, |line| {
        format!("；服务端最后打印 the server last printed: {}", quoted(line))
    })
}

/// Bytes in hex, as a packet capture shows them; a long run is cut, saying how long it was.
fn hex(bytes: &[u8]) -> String {
    const SHOWN: usize = 48;
    if bytes.is_empty() {
        return "0 字节 bytes".to_owned();
    }
    let shown: Vec<String> = bytes
        .iter()
        .take(SHOWN)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let more = if bytes.len() > SHOWN { " …" } else { "" };
    format!("{}{more}（{} 字节 bytes）", shown.join(" "), bytes.len())
}
