//! 五个实验：TCP 是字节流，不是消息 / Five experiments: TCP carries a stream of
//! bytes, not messages.
//!
//! Each one makes its own server and client on loopback in this process (a
//! blocking `connect` returns once the kernel has finished the handshake,
//! before `accept`), or a thread where one side must run while the other
//! blocks, and prints what the operating system returned.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::thread;
use std::time::{Duration, Instant};

use course::report::{Report, failed_with, short};
use socket2::{Domain, Socket, TcpKeepalive, Type};

/// Every experiment's server binds here: loopback, a port the kernel picks.
const LOOPBACK: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// A connected pair on loopback: the client's socket and the server's accepted
/// one. Socket options that a connection must have from its first byte are set
/// on the listener before `listen` (the accepted socket inherits them) and on
/// the client before `connect`.
struct Pair {
    client: Socket,
    server: Socket,
}

fn connect_pair(
    prepare_listener: impl FnOnce(&Socket) -> io::Result<()>,
) -> io::Result<Pair> {
    let tcp_server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    prepare_listener(&tcp_server_socket)?;
    tcp_server_socket.bind(&LOOPBACK.into())?;
    tcp_server_socket.listen(128)?;
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_client_socket.connect(&tcp_server_socket.local_addr()?)?;
    let (service_client_socket, _) = tcp_server_socket.accept()?;
    Ok(Pair {
        client: tcp_client_socket,
        server: service_client_socket,
    })
}

fn plain_pair() -> io::Result<Pair> {
    connect_pair(|_| Ok(()))
}

/// How long an experiment waits for bytes that are on their way, at most.
const ARRIVAL: Duration = Duration::from_secs(5);

/// Waits until `total` bytes are queued on `socket`, without taking them:
/// `peek` returns what is waiting and leaves it there. Returns the count seen
/// last.
fn wait_until_queued(socket: &Socket, total: usize) -> io::Result<usize> {
    let mut buffer = vec![0u8; total];
    let deadline = Instant::now() + ARRIVAL;
    loop {
        let waiting = socket.peek(course::as_uninit(&mut buffer))?;
        if waiting >= total || Instant::now() > deadline {
            return Ok(waiting);
        }
        thread::yield_now();
    }
}

// ANCHOR: glued
/// 实验 1：粘包。两次 send，一次 recv 全部收到。
/// Experiment 1: glued. Two sends, and one recv takes both.
pub fn glued(report: &mut Report) -> io::Result<()> {
    let Pair { client, server } = plain_pair()?;
    let first = "第一条消息".as_bytes();
    let second = "第二条消息".as_bytes();

    // 客户端发两条消息，两次 send。 Python: send(first); send(second)
    // The client sends two messages, with two sends.
    let sent_first = client.send(first);
    report.observe("client send(first message)", &sent_first);
    let sent_second = client.send(second);
    report.observe("client send(second message)", &sent_second);

    // 服务端正忙，晚了一点才来读：这时两条消息都已经在它的接收缓冲区里了。
    // The server is busy and comes to read a little late: by then both
    // messages are in its receive buffer.
    let total = first.len() + second.len();
    let waiting = wait_until_queued(&server, total)?;
    report.note("server: bytes waiting before its first recv", waiting);

    // 讲义的服务端：一次 recv(1024) 当作一条消息。
    // The notes' server: one recv(1024) taken as one message.
    // Python: recv_data = recv(1024)
    let mut recv_data = [0u8; 1024];
    let received = server.recv(course::as_uninit(&mut recv_data));
    report.observe("server recv(1024)", &received);
    let got = received.as_ref().map_or(0, |n| *n);
    report.note(
        "the notes' server would print this as ONE message",
        String::from_utf8_lossy(&recv_data[..got]),
    );
    report.conclude(
        got == total,
        format!(
            "2 sends ({} + {} bytes), 1 recv: {}",
            first.len(),
            second.len(),
            short(&received)
        ),
    );
    Ok(())
}
// ANCHOR_END: glued

/// The size of experiment 2's one message: 64 KiB.
const BIG: usize = 64 * 1024;

// ANCHOR: split
/// 实验 2：拆包。一次 64 KiB 的 send，要好几次 recv 才收完。
/// Experiment 2: split. One 64 KiB send takes several recvs to receive.
pub fn split(report: &mut Report) -> io::Result<()> {
    let default = receive_in_pieces(report, None)?;
    let small = receive_in_pieces(report, Some(4096))?;
    report.conclude_if_all(
        &[
            ("default.total == BIG", default.total == BIG),
            ("small.total == BIG", small.total == BIG),
            ("small.recvs > 1", small.recvs > 1),
        ],
        format!(
            "1 send of {BIG} bytes: {} × recv with the default SO_RCVBUF; \
             {} × recv with SO_RCVBUF {}",
            default.recvs, small.recvs, small.recv_buffer
        ),
    );
    Ok(())
}

/// What the server saw of the one big send.
struct Pieces {
    recvs: usize,
    total: usize,
    recv_buffer: usize,
}

fn receive_in_pieces(
    report: &mut Report,
    recv_buffer: Option<usize>,
) -> io::Result<Pieces> {
    let Pair { client, server } = connect_pair(|listener| match recv_buffer {
        // 小的接收缓冲区：内核一次只能替服务端存下这么多。
        // A small receive buffer: the kernel can keep only about this much
        // for the server at a time.
        // Python: setsockopt(SOL_SOCKET, SO_RCVBUF, 4096)
        Some(size) => listener.set_recv_buffer_size(size),
        None => Ok(()),
    })?;
    let actual = server.recv_buffer_size()?;
    // 客户端在另一个线程里一次 send 64 KiB：
    // 缓冲区装不下时 send 会阻塞，等服务端读走一些。
    // The client sends 64 KiB in one send, on another thread: while the
    // buffers cannot hold it, send blocks until the server has read some.
    let sender = thread::spawn(move || {
        let message = vec![b'x'; BIG];
        client.send(&message)
    });
    // 服务端用一个足够大的缓冲区 recv，直到收满 64 KiB。 Python: recv(65536)
    // The server calls recv with a buffer big enough for all of it, until
    // the 64 KiB are in.
    let mut recv_data = vec![0u8; BIG];
    let (mut recvs, mut total, mut sizes) = (0, 0, Vec::new());
    while total < BIG {
        let received = server.recv(course::as_uninit(&mut recv_data))?;
        if received == 0 {
            break;
        }
        recvs += 1;
        total += received;
        sizes.push(received);
    }
    let sent = sender.join().unwrap_or_else(|_| {
        Err(io::Error::other("the sending thread panicked"))
    });
    report.observe("client send(64 KiB) in one call", &sent);
    report.note(
        &format!("server SO_RCVBUF {actual} bytes: recv sizes"),
        format!("{} ({recvs} × recv, {total} bytes)", runs(&sizes)),
    );
    Ok(Pieces {
        recvs,
        total,
        recv_buffer: actual,
    })
}
// ANCHOR_END: split

/// Sizes as runs of equal ones: `4096 × 16` rather than sixteen times
/// `4096 + `.
fn runs(sizes: &[usize]) -> String {
    let mut parts: Vec<(usize, usize)> = Vec::new();
    for &size in sizes {
        match parts.last_mut() {
            Some((last, count)) if *last == size => *count += 1,
            _ => parts.push((size, 1)),
        }
    }
    let parts: Vec<String> = parts
        .iter()
        .map(|&(size, count)| match count {
            1 => size.to_string(),
            _ => format!("{size} × {count}"),
        })
        .collect();
    parts.join(" + ")
}

/// Experiment 3's message: far more than the two small buffers can hold.
const MEBIBYTE: usize = 1024 * 1024;

// ANCHOR: partial_send
/// 实验 3：send 不是 sendall。非阻塞套接字的一次 send 只发出了一部分。
/// Experiment 3: send is not sendall. One send on a non-blocking socket takes
/// only part.
pub fn partial_send(report: &mut Report) -> io::Result<()> {
    // 对方的接收缓冲区和自己的发送缓冲区都很小，对方还暂时不读。
    // The peer's receive buffer and our own send buffer are both small, and
    // the peer does not read yet.
    let Pair { client, server } =
        connect_pair(|listener| listener.set_recv_buffer_size(4096))?;
    client.set_send_buffer_size(4096)?;
    let data = vec![b'x'; MEBIBYTE];

    // 非阻塞：send 不等待，缓冲区放得下多少就收下多少，然后返回；
    // 一点也放不下时返回 WouldBlock。
    // Non-blocking: send does not wait; it takes as much as the buffer has
    // room for and returns, or returns WouldBlock when there is no room.
    // Python: setblocking(False); send(data[sent:]) until BlockingIOError
    client.set_nonblocking(true)?;
    let mut sent = 0;
    let mut returns = Vec::new();
    let refused = loop {
        let result = client.send(&data[sent..]);
        report.observe(&format!("non-blocking send(data[{sent}..])"), &result);
        match result {
            Ok(taken) => {
                sent += taken;
                returns.push(taken.to_string());
            }
            Err(_) => break result,
        }
    };

    // 补上 sendall 藏起来的那个循环：
    // 对方开始读，我们一直 send 剩下的，直到全部发出。
    // Then the loop that sendall hides: the peer starts reading, and we send
    // what is left, again and again, until the kernel has taken it all.
    client.set_nonblocking(false)?;
    let reader = thread::spawn(move || drain(&server));
    let mut calls = 0;
    while sent < data.len() {
        // Python: sent += send(data[sent:])
        sent += client.send(&data[sent..])?;
        calls += 1;
    }
    drop(client);
    let received = reader.join().unwrap_or_else(|_| {
        Err(io::Error::other("the reading thread panicked"))
    });
    report.note("blocking send calls to finish the rest", calls);
    report.observe("server received in all", &received);
    report.conclude_if_all(
        &[
            ("!returns.is_empty()", !returns.is_empty()),
            (
                "failed_with(&refused, &[WouldBlock])",
                failed_with(&refused, &[io::ErrorKind::WouldBlock]),
            ),
            (
                "matches!(received, Ok(n) if n == MEBIBYTE)",
                matches!(received, Ok(n) if n == MEBIBYTE),
            ),
        ],
        format!(
            "non-blocking send(1 MiB): {} bytes; then {}; {} for the rest",
            returns.join(" + "),
            short(&refused),
            course::count(calls, "blocking send", "blocking sends")
        ),
    );
    Ok(())
}

/// Receives until the peer closes; returns how many bytes came.
fn drain(socket: &Socket) -> io::Result<usize> {
    let mut recv_data = vec![0u8; 64 * 1024];
    let mut total = 0;
    loop {
        match socket.recv(course::as_uninit(&mut recv_data))? {
            0 => return Ok(total),
            n => total += n,
        }
    }
}
// ANCHOR_END: partial_send

/// How many write-write-read round trips experiment 4 times with each setting.
const ROUND_TRIPS: usize = 20;

// ANCHOR: nagle
/// 实验 4：Nagle 算法遇上延迟确认。写、写、读的一个来回要等约 40 ms。
/// Experiment 4: Nagle meets delayed ACK. A write-write-read round trip waits
/// about 40 ms.
pub fn nagle(report: &mut Report) -> io::Result<()> {
    let with_nagle = time_round_trips(false)?;
    report.note(
        "Nagle on (the default): round trip median / slowest",
        format!(
            "{:.2} ms / {:.2} ms",
            millis(with_nagle.0),
            millis(with_nagle.1)
        ),
    );
    let without = time_round_trips(true)?;
    report.note(
        "TCP_NODELAY: round trip median / slowest",
        format!("{:.2} ms / {:.2} ms", millis(without.0), millis(without.1)),
    );
    report.conclude(
        with_nagle.0 > without.0 * 10,
        format!(
            "write-write-read median: {:.2} ms with Nagle, \
             {:.2} ms with TCP_NODELAY",
            millis(with_nagle.0),
            millis(without.0)
        ),
    );
    Ok(())
}

/// The median and the slowest of [`ROUND_TRIPS`] write-write-read round trips.
fn time_round_trips(nodelay: bool) -> io::Result<(Duration, Duration)> {
    let Pair { client, server } = plain_pair()?;
    // Python: setsockopt(IPPROTO_TCP, TCP_NODELAY, True)
    client.set_tcp_nodelay(nodelay)?;
    // 服务端：每收满一个请求（两段，共 16 字节）就回 1 个字节。
    // The server: for each whole request (two pieces, 16 bytes in all) it
    // answers 1 byte.
    let responder = thread::spawn(move || -> io::Result<()> {
        let mut request = [0u8; 16];
        for _ in 0..ROUND_TRIPS {
            let mut have = 0;
            while have < request.len() {
                match server.recv(course::as_uninit(&mut request[have..]))? {
                    0 => return Ok(()),
                    n => have += n,
                }
            }
            server.send(b"!")?;
        }
        Ok(())
    });
    let mut times = Vec::with_capacity(ROUND_TRIPS);
    let mut reply = [0u8; 1];
    for _ in 0..ROUND_TRIPS {
        let start = Instant::now();
        // 一个请求分两次写：先写头，再写体。
        // 第二次写是一个小段，而第一段还没被确认：Nagle 算法把它扣下，等确认；
        // 对方的延迟确认又在等更多数据或者 40 ms 的定时器。
        // One request in two writes: the header, then the body. The second
        // write is a small segment while the first is not yet acknowledged:
        // Nagle's algorithm holds it back until the ACK comes, and the peer's
        // delayed ACK waits for more data or for its 40 ms timer.
        client.send(b"header: ")?;
        client.send(b"body....")?;
        client.recv(course::as_uninit(&mut reply))?;
        times.push(start.elapsed());
    }
    drop(client);
    responder.join().unwrap_or_else(|_| {
        Err(io::Error::other("the responding thread panicked"))
    })?;
    times.sort();
    Ok((times[ROUND_TRIPS / 2], times[ROUND_TRIPS - 1]))
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
// ANCHOR_END: nagle

/// Experiment 5's receive timeout.
pub const RECV_TIMEOUT: Duration = Duration::from_millis(300);

// ANCHOR: dead_peer
/// 实验 5：对方悄无声息地消失（没有 FIN）。没有超时，recv 会一直等下去。
/// Experiment 5: a peer that vanishes without a FIN. Without a timeout, recv
/// waits forever.
pub fn dead_peer(report: &mut Report) -> io::Result<()> {
    // 服务端连上以后一言不发，也不关闭：
    // 对 recv 来说，这和一台断了电的主机一模一样。
    // Once connected, the server says nothing and does not close: to recv,
    // that looks exactly like a host that has lost its power.
    let Pair { client, server } = plain_pair()?;

    // SO_RCVTIMEO：recv 最多等这么久。Python 的 settimeout(0.3) 效果相近，
    // 做法不同：它把套接字设为非阻塞，自己用 poll 等（见页面）。
    // SO_RCVTIMEO: recv waits this long at most. Python's settimeout(0.3) has
    // much the same effect another way: it makes the socket non-blocking and
    // waits with poll itself (see the page).
    client.set_read_timeout(Some(RECV_TIMEOUT))?;
    let mut recv_data = [0u8; 1024];
    let start = Instant::now();
    let received = client.recv(course::as_uninit(&mut recv_data));
    let waited = start.elapsed();
    report.observe("recv with SO_RCVTIMEO 300 ms", &received);
    report.note("recv returned after", format!("{:.0} ms", millis(waited)));

    // TCP keepalive：连接空闲 10 秒后开始探测，
    // 每 2 秒一次，3 次没有回应就断开。
    // TCP keepalive: once the connection has been idle for 10 s, probe it
    // every 2 s, and drop it after 3 probes go unanswered.
    // Python: setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1);
    //         TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT
    let keepalive = TcpKeepalive::new()
        .with_time(Duration::from_secs(10))
        .with_interval(Duration::from_secs(2))
        .with_retries(3);
    client.set_tcp_keepalive(&keepalive)?;
    report.note("SO_KEEPALIVE read back", client.keepalive()?);
    report.note("keepalive settings read back", keepalive_settings(&client)?);
    drop(server);
    report.conclude_if_all(
        &[
            (
                "failed_with(&received, &[WouldBlock, TimedOut])",
                failed_with(
                    &received,
                    &[io::ErrorKind::WouldBlock, io::ErrorKind::TimedOut],
                ),
            ),
            ("waited >= RECV_TIMEOUT", waited >= RECV_TIMEOUT),
        ],
        format!(
            "silent peer: recv -> {} after {:.0} ms",
            short(&received),
            millis(waited)
        ),
    );
    Ok(())
}
// ANCHOR_END: dead_peer

/// The keepalive timers as the OS reports them back.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
fn keepalive_settings(socket: &Socket) -> io::Result<String> {
    Ok(format!(
        "idle {} s, interval {} s, probes {}",
        socket.tcp_keepalive_time()?.as_secs(),
        socket.tcp_keepalive_interval()?.as_secs(),
        socket.tcp_keepalive_retries()?
    ))
}

/// socket2 sets the keepalive timers on Windows (and some others) but offers
/// no way to read them back there; Winsock itself can since Windows 10 1709
/// (`getsockopt` with `TCP_KEEPIDLE`, `TCP_KEEPINTVL`, `TCP_KEEPCNT`).
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos"
)))]
fn keepalive_settings(_socket: &Socket) -> io::Result<String> {
    Ok(
        "socket2 在这个系统上读不回这些值 socket2 cannot read them back here"
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal sizes side by side are one run, `SIZE × COUNT`; a run of one is its size alone.
    #[test]
    fn sizes_are_written_as_runs() {
        assert_eq!(
            runs(&[4096, 4096, 2048, 2048, 2048, 1, 4096]),
            "4096 × 2 + 2048 × 3 + 1 + 4096"
        );
        assert_eq!(runs(&[65536]), "65536");
        assert_eq!(runs(&[]), "");
    }
}
