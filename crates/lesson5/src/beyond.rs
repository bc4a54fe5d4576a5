//! 讲义之外、每个学生接下来都会碰到的几件事 / Things beyond the notes that every student
//! meets next: a reset instead of a close, a half-close, writing to a peer that has gone, the
//! contrast with UDP (the notes' SOCK_DGRAM), which has no connection and no close, and the
//! TIME_WAIT a client keeps when it closes first, one port per short connection.

use std::io::{self, ErrorKind};
use std::net::{Shutdown, SocketAddr};
use std::time::Duration;

use course::kernel::{self, TcpState};
use socket2::{Domain, Socket, Type};

use crate::rules::LOOPBACK;
use course::report::{End, Report, failed_with, ip, short};

// ANCHOR: reset_unread
/// 规则 8：带着未读数据关闭会发送 RST。 Rule 8: closing with unread data sends a reset.
pub fn reset_unread(report: &mut Report) -> io::Result<()> {
    let tcp_server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_server_socket.bind(&LOOPBACK.into())?;
    tcp_server_socket.listen(128)?;
    let server_address = tcp_server_socket.local_addr()?;
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_client_socket.connect(&server_address)?;
    let (service_client_socket, _) = tcp_server_socket.accept()?;
    let (client, server) = End::pair(
        "client",
        &tcp_client_socket.local_addr()?,
        "server",
        &service_client_socket.local_addr()?,
    )?;
    report.connection(&client, &server);
    let mut recv_data = [0u8; 1024];

    // 客户端发来数据，服务端一直不读。 Python: tcp_client_socket.send(b"...")
    // The client sends data, and the server never reads it.
    let sent = tcp_client_socket.send(b"data the server never reads");
    report.observe("client send", &sent);
    // 先确认数据确实已经在服务端的接收缓冲区里：peek 阻塞到有数据可读，但不取走。
    // First make sure the data is in the server's receive buffer: peek blocks until
    // there is something to read, and leaves it there.
    // Python: service_client_socket.recv(1024, socket.MSG_PEEK)
    let waiting = service_client_socket.peek(course::as_uninit(&mut recv_data));
    report.observe("server peek: bytes waiting unread", &waiting);
    report.states(&[&client, &server]);

    // 8. 带着未读数据关闭：内核不发 FIN，而是发 RST。
    //    Close with data unread: the kernel sends a RST, not a FIN.
    //    Python: service_client_socket.close()
    drop(service_client_socket);
    let received = tcp_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("client recv after the server closed", &received);
    // A reset ends both ends at once: no FIN_WAIT, no TIME_WAIT. (Bounded wait,
    // to be safe.)
    report.states_after(&[(&client, None), (&server, None)]);

    // 对照：服务端先把数据读完再关闭，客户端收到的就是正常的 0 字节。
    // The control: when the server reads everything before it closes, the client
    // gets the usual 0 bytes.
    let control_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    control_client_socket.connect(&server_address)?;
    let (control_service_socket, _) = tcp_server_socket.accept()?;
    control_client_socket.send(b"data the server reads")?;
    let read = control_service_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("control: server reads everything first", &read);
    drop(control_service_socket);
    let control = control_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("control: client recv after the server closed", &control);

    report.conclude_if_all(
        &[
            (
                "failed_with(&received, &[ErrorKind::ConnectionReset])",
                failed_with(&received, &[ErrorKind::ConnectionReset]),
            ),
            ("matches!(control, Ok(0))", matches!(control, Ok(0))),
        ],
        format!(
            "closed with {} unread: client recv {}; closed after reading: {}",
            short(&waiting),
            short(&received),
            short(&control)
        ),
    );
    Ok(())
}
// ANCHOR_END: reset_unread

// ANCHOR: half_close
/// 规则 9：半关闭。 Rule 9: half-close.
pub fn half_close(report: &mut Report) -> io::Result<()> {
    let tcp_server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_server_socket.bind(&LOOPBACK.into())?;
    tcp_server_socket.listen(128)?;
    let server_address = tcp_server_socket.local_addr()?;
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_client_socket.connect(&server_address)?;
    let (service_client_socket, _) = tcp_server_socket.accept()?;
    let (client, server) = End::pair(
        "client",
        &tcp_client_socket.local_addr()?,
        "server",
        &service_client_socket.local_addr()?,
    )?;
    report.connection(&client, &server);
    report.states(&[&client, &server]);
    let mut recv_data = [0u8; 1024];

    // 9. 只关闭发送方向：发出 FIN，但套接字还能接收。
    //    Shut only the sending side: a FIN goes out, but the socket can still receive.
    //    Python: tcp_client_socket.shutdown(socket.SHUT_WR)
    let shut = tcp_client_socket.shutdown(Shutdown::Write);
    report.observe("client shutdown(Write)", &shut);
    let server_received = service_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("server recv", &server_received);
    // FIN_WAIT2 follows the server's ACK, handled by the kernel after
    // shutdown(): poll, bounded.
    report.states_after(&[
        (&client, Some(TcpState::FinWait2)),
        (&server, Some(TcpState::CloseWait)),
    ]);
    let client_sent = tcp_client_socket.send(b"more");
    report.observe("client send after shutdown(Write)", &client_sent);

    // 另一个方向还开着：服务端照样发，客户端照样收。 Python: send(...) / recv(1024)
    // The other direction is still open: the server sends, the client receives.
    let server_sent = service_client_socket.send(b"still talking to you");
    report.observe("server send", &server_sent);
    let client_received = tcp_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("client recv", &client_received);

    // 服务端也关闭，客户端读到 0；先发 FIN 的客户端进入 TIME_WAIT（尽管它还没有
    // close）。
    // The server closes too and the client reads 0; the client, which sent the first
    // FIN, goes into TIME_WAIT (though it has not called close).
    drop(service_client_socket);
    let client_end = tcp_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("client recv after the server closed", &client_end);
    report.states_after(&[(&client, Some(TcpState::TimeWait)), (&server, None)]);

    report.conclude_if_all(
        &[
            ("matches!(shut, Ok(()))", matches!(shut, Ok(()))),
            (
                "matches!(server_received, Ok(0))",
                matches!(server_received, Ok(0)),
            ),
            ("client_sent.is_err()", client_sent.is_err()),
            (
                "matches!((&server_sent, &client_received), (Ok(a), Ok(b)) if a == b)",
                matches!((&server_sent, &client_received), (Ok(a), Ok(b)) if a == b),
            ),
        ],
        format!(
            "after shutdown(Write): server recv {}; client send {}; client recv {}",
            short(&server_received),
            short(&client_sent),
            short(&client_received)
        ),
    );
    Ok(())
}
// ANCHOR_END: half_close

// ANCHOR: write_gone_peer
/// 规则 10：向已经离开的对端写数据。 Rule 10: writing to a peer that has gone.
pub fn write_gone_peer(report: &mut Report) -> io::Result<()> {
    let tcp_server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_server_socket.bind(&LOOPBACK.into())?;
    tcp_server_socket.listen(128)?;
    let server_address = tcp_server_socket.local_addr()?;
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_client_socket.connect(&server_address)?;
    let (service_client_socket, _) = tcp_server_socket.accept()?;
    let (client, server) = End::pair(
        "client",
        &tcp_client_socket.local_addr()?,
        "server",
        &service_client_socket.local_addr()?,
    )?;
    report.connection(&client, &server);
    report.states(&[&client, &server]);
    // A C program dies of SIGPIPE when it writes to a reset connection; Rust's
    // runtime sets SIGPIPE to "ignore" before main, so the write returns an
    // error instead. Show the kernel's word.
    match kernel::sigpipe_ignored() {
        Ok(ignored) => report.note("SIGPIPE ignored by this process (SigIgn)", ignored),
        Err(unavailable) => report.note("SIGPIPE disposition", unavailable),
    }

    // 服务端离开了。 Python: service_client_socket.close()
    // The server goes away.
    drop(service_client_socket);
    // 等 FIN 到达（peek 返回 0，不取走任何东西），只是为了让每次运行都一样。
    // Wait for its FIN (peek returns 0 and takes nothing), only so that every run is
    // alike.
    let mut recv_data = [0u8; 1024];
    let fin = tcp_client_socket.peek(course::as_uninit(&mut recv_data));
    report.observe("client peek: the server's FIN arrived", &fin);
    report.states_after(&[
        (&client, Some(TcpState::CloseWait)),
        (&server, Some(TcpState::FinWait2)),
    ]);

    // 10. 第一次写照样成功：数据只是交给了本机内核。对端内核回一个 RST。
    //     The first write still succeeds: the data is only handed to this machine's
    //     kernel. The peer's kernel answers with a RST.
    //     Python: send(b"...")
    let first = tcp_client_socket.send(b"are you there?");
    report.observe("client send #1", &first);
    // The RST comes back asynchronously: wait (bounded) until the kernel's
    // table shows the connection gone, so that the next write meets it every time.
    report.states_after(&[(&client, None), (&server, None)]);
    let second = tcp_client_socket.send(b"hello?");
    report.observe("client send #2", &second);
    let third = tcp_client_socket.send(b"anyone?");
    report.observe("client send #3", &third);
    report.note("进程还活着 process still alive, pid", std::process::id());

    let gone = [ErrorKind::BrokenPipe, ErrorKind::ConnectionReset];
    report.conclude_if_all(
        &[
            ("first.is_ok()", first.is_ok()),
            (
                "(failed_with(&second, &gone) || failed_with(&third, &gone))",
                (failed_with(&second, &gone) || failed_with(&third, &gone)),
            ),
        ],
        format!(
            "send #1 {}; #2 {}; #3 {}; process alive",
            short(&first),
            short(&second),
            short(&third)
        ),
    );
    Ok(())
}
// ANCHOR_END: write_gone_peer

// ANCHOR: udp_contrast
/// 规则 11：对照 UDP（SOCK_DGRAM）。 Rule 11: the contrast with UDP (SOCK_DGRAM).
pub fn udp_contrast(report: &mut Report) -> io::Result<()> {
    let mut recv_data = [0u8; 1024];

    // 1. 两个 UDP 套接字，各自绑定；没有 listen、accept，也没有 connect。
    //    Two UDP sockets, each bound; no listen, no accept, and no connect.
    //    Python: socket(AF_INET, SOCK_DGRAM)
    let udp_receiver_socket = Socket::new(Domain::IPV4, Type::DGRAM, None)?;
    udp_receiver_socket.bind(&LOOPBACK.into())?;
    let receiver_address = udp_receiver_socket.local_addr()?;
    let udp_sender_socket = Socket::new(Domain::IPV4, Type::DGRAM, None)?;
    udp_sender_socket.bind(&LOOPBACK.into())?;

    // 没有连接：发往一个没人在的端口也“成功”，TCP 的 connect 在这里会被拒绝。
    // No connection: sending to a port where nobody is "succeeds" too, where TCP's
    // connect would be refused.
    // Python: sendto(data, addr)
    let nobody = Socket::new(Domain::IPV4, Type::DGRAM, None)?;
    nobody.bind(&LOOPBACK.into())?;
    let nobody_address = nobody.local_addr()?;
    drop(nobody);
    let to_nobody = udp_sender_socket.send_to(b"anyone?", &nobody_address);
    report.observe("sendto a port where nobody is", &to_nobody);

    // 2. 三个数据报：3 字节、4 字节、0 字节。
    //    Three datagrams: 3 bytes, 4 bytes, 0 bytes.
    //    Python: sendto(b"one", addr); sendto(b"two!", addr); sendto(b"", addr)
    for datagram in [&b"one"[..], b"two!", b""] {
        let sent = udp_sender_socket.send_to(datagram, &receiver_address);
        report.observe(&format!("sendto {} bytes", datagram.len()), &sent);
    }
    // 3. 每次 recvfrom 收一个完整的数据报：边界保留，不会拼成 7 字节。
    //    Each recvfrom takes one whole datagram: the boundaries stay, and the bytes
    //    never run together into 7.
    //    Python: recvfrom(1024)
    let mut received = Vec::new();
    for number in 1..=3 {
        let datagram = udp_receiver_socket
            .recv_from(course::as_uninit(&mut recv_data))
            .map(|(length, _)| length);
        report.observe(&format!("receiver recvfrom #{number}"), &datagram);
        received.push(datagram);
    }

    // 4. 发送方关闭：什么也不发出去。接收方的 recvfrom 不会返回 0，只会等到超时。
    //    The sender closes: nothing goes out. The receiver's recvfrom does not return
    //    0; it only waits until its timeout.
    //    Python: close()
    drop(udp_sender_socket);
    udp_receiver_socket.set_read_timeout(Some(Duration::from_millis(200)))?;
    let after_close = udp_receiver_socket
        .recv_from(course::as_uninit(&mut recv_data))
        .map(|(length, _)| length);
    report.observe("receiver recvfrom after the sender closed", &after_close);

    // 对照 TCP：同样两次 send，两段字节到齐后一次 recv 就全拿到：字节流没有边界。
    // TCP for contrast: the same two sends, and once both have arrived one recv takes
    // all 7 bytes: a byte stream has no boundaries.
    let stream = stream_of_two_sends(&mut recv_data)?;
    report.observe("TCP: one recv after send(3) and send(4)", &stream);

    let lengths: Vec<usize> = received
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    report.conclude_if_all(
        &[
            ("to_nobody.is_ok()", to_nobody.is_ok()),
            ("lengths == [3, 4, 0]", lengths == [3, 4, 0]),
            (
                "failed_with(&after_close, &[ErrorKind::WouldBlock, ErrorKind::TimedOut])",
                failed_with(&after_close, &[ErrorKind::WouldBlock, ErrorKind::TimedOut]),
            ),
            ("matches!(stream, Ok(7))", matches!(stream, Ok(7))),
        ],
        format!(
            "UDP recvfrom {lengths:?}, after close {}; TCP one recv {}",
            short(&after_close),
            short(&stream)
        ),
    );
    Ok(())
}
// ANCHOR_END: udp_contrast

/// Two TCP sends of 3 and 4 bytes, and one `recv` once all 7 have arrived (peek waits for them).
fn stream_of_two_sends(recv_data: &mut [u8; 1024]) -> io::Result<io::Result<usize>> {
    let tcp_server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_server_socket.bind(&LOOPBACK.into())?;
    tcp_server_socket.listen(128)?;
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_client_socket.connect(&tcp_server_socket.local_addr()?)?;
    let (service_client_socket, _) = tcp_server_socket.accept()?;
    tcp_client_socket.send(b"one")?;
    tcp_client_socket.send(b"two!")?;
    // Loopback delivers at once, but wait (bounded) until both sends are there, so every run is alike.
    for _ in 0..1000 {
        if service_client_socket.peek(course::as_uninit(recv_data))? >= 7 {
            break;
        }
        std::thread::yield_now();
    }
    Ok(service_client_socket.recv(course::as_uninit(recv_data)))
}

/// How many short connections rule 12 makes, and how many messages its one kept connection
/// carries: enough to count, few enough to leave the machine's port range alone.
pub const SHORT_CONNECTIONS: usize = 20;

/// 规则 12：谁先关闭，TIME_WAIT 就留在谁那边；客户端先关，
/// 每个短连接都在客户端占住一个临时端口。
/// Rule 12: TIME_WAIT stays with the end that closes first: each short connection a client
/// closes first holds one of its ephemeral ports; one connection kept for every message holds one.
pub fn client_time_wait(report: &mut Report) -> io::Result<()> {
    let tcp_server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_server_socket.bind(&LOOPBACK.into())?;
    tcp_server_socket.listen(128)?;
    let server_address = ip(&tcp_server_socket.local_addr()?)?;
    report.note("server listening on", server_address);
    match kernel::ephemeral_port_range() {
        Ok(range) => {
            let ports = usize::from(*range.end()) - usize::from(*range.start()) + 1;
            let range = format!("{}-{} ({ports} ports)", range.start(), range.end());
            report.note("ephemeral port range", range);
        }
        Err(unavailable) => report.note("ephemeral port range", unavailable),
    }

    // 一个一直开着的连接，稍后用它发全部消息。 Python: 一次 connect
    // One connection kept open, to carry every message later: a single connect.
    let kept_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    let kept_connected = kept_client_socket.connect(&server_address.into());
    if kept_connected.is_err() {
        // Every port already held (a run a moment ago left them in TIME_WAIT): say so.
        report.observe("connect (the connection to keep)", &kept_connected);
        report.not_shown(format!(
            "no free port to begin with: {}",
            short(&kept_connected)
        ));
        return Ok(());
    }
    let (kept_service_socket, _) = tcp_server_socket.accept()?;
    let kept = ends_of(&kept_client_socket, &kept_service_socket)?;

    // ANCHOR: client_time_wait
    // 短连接：每条消息一个连接，客户端收到回复就先关闭。
    // Short connections: one per message, and the client closes first, as soon as
    // it has the reply.
    // Python: 每条消息都 connect; send; recv; close 一遍
    //         connect; send; recv; close, once for every message
    let mut short_ones = Vec::new();
    let mut refused = None;
    let mut closed_after_eof = 0;
    for number in 1..=SHORT_CONNECTIONS {
        let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
        let connected = tcp_client_socket.connect(&server_address.into());
        if connected.is_err() {
            report.observe(&format!("connect #{number}"), &connected);
            refused = Some(connected);
            break;
        }
        let (service_client_socket, _) = tcp_server_socket.accept()?;
        short_ones.push(ends_of(&tcp_client_socket, &service_client_socket)?);
        round_trip(&tcp_client_socket, &service_client_socket)?;
        // 客户端先关闭（发 FIN），服务端读到 0 字节后再关闭。 Python: close()
        // The client closes first (a FIN); the server closes once it has read 0 bytes.
        drop(tcp_client_socket);
        let mut recv_data = [0u8; 16];
        let eof = service_client_socket.recv(course::as_uninit(&mut recv_data))?;
        closed_after_eof += usize::from(eof == 0);
        drop(service_client_socket);
    }
    report.note("short connections made", short_ones.len());

    // 端口用完时，客户端设置 SO_REUSEADDR 也没用：connect 照样拿不到端口。
    // Once the ports have run out, SO_REUSEADDR on the client does not help: connect
    // still gets no port.
    let with_reuse = refused.as_ref().map(|_| connect_with_reuse(server_address));
    if let Some(with_reuse) = &with_reuse {
        report.observe("connect again, SO_REUSEADDR set", with_reuse);
    }
    // ANCHOR_END: client_time_wait

    // 复用连接：同样多的消息走一个连接，它的端口早已拿到，不受影响。
    // The reused connection: as many messages over one connection, which got its port
    // long ago and is not affected.
    let mut answered = 0;
    for _ in 0..SHORT_CONNECTIONS {
        let reply = round_trip(&kept_client_socket, &kept_service_socket)?;
        answered += usize::from(reply == REPLY.len());
    }
    report.note("messages answered on the one kept connection", answered);
    drop(kept_client_socket);
    let mut recv_data = [0u8; 16];
    let kept_eof = kept_service_socket.recv(course::as_uninit(&mut recv_data))?;
    closed_after_eof += usize::from(kept_eof == 0);
    drop(kept_service_socket);
    report.note(
        "server ends that read 0 bytes, then closed",
        closed_after_eof,
    );

    let counts = match count_time_waits(&short_ones, kept) {
        Ok(counts) => counts,
        Err(unavailable) => {
            report.not_shown(format!("no view of the kernel's table: {unavailable}"));
            return Ok(());
        }
    };
    let TimeWaits {
        clients,
        servers,
        kept_client,
    } = counts;
    report.note("TIME_WAIT, client ends of the short ones", clients);
    report.note("TIME_WAIT, server ends of the short ones", servers);
    report.note("TIME_WAIT, the kept connection's client end", kept_client);

    let made = short_ones.len();
    let mut observed = format!(
        "{made} short: TIME_WAIT client {clients}, server {servers}; \
         1 kept, {answered} messages: TIME_WAIT {kept_client}"
    );
    // Either every short connection was made, or the ports ran out (AddrNotAvailable) and
    // SO_REUSEADDR on the client did not help.
    let (ran_out_or_all_made, reuse_did_not_help) = match (&refused, &with_reuse) {
        (None, _) => (made == SHORT_CONNECTIONS, true),
        (Some(refused), Some(with_reuse)) => {
            observed.push_str(&format!(
                "; connect #{} {}; with SO_REUSEADDR {}",
                made + 1,
                short(refused),
                short(with_reuse)
            ));
            (
                failed_with(refused, &[ErrorKind::AddrNotAvailable]),
                failed_with(with_reuse, &[ErrorKind::AddrNotAvailable]),
            )
        }
        (Some(_), None) => (false, false),
    };
    report.conclude_if_all(
        &[
            ("ran_out_or_all_made", ran_out_or_all_made),
            ("reuse_did_not_help", reuse_did_not_help),
            ("made > 0", made > 0),
            ("clients == made", clients == made),
            ("closed_after_eof == made + 1", closed_after_eof == made + 1),
            ("servers == 0", servers == 0),
            (
                "answered == SHORT_CONNECTIONS",
                answered == SHORT_CONNECTIONS,
            ),
            ("kept_client == 1", kept_client == 1),
        ],
        observed,
    );
    Ok(())
}

/// One connection as the kernel's table names it: the client's address and the server's end.
type Ends = (SocketAddr, SocketAddr);

fn ends_of(client: &Socket, server: &Socket) -> io::Result<Ends> {
    Ok((ip(&client.local_addr()?)?, ip(&server.local_addr()?)?))
}

/// The reply rule 12's server sends to each request.
const REPLY: &[u8] = b"pong";

/// One request and its reply: the client sends, the server reads it and answers, the client
/// reads the answer. Returns how many bytes of the reply the client read.
fn round_trip(client: &Socket, server: &Socket) -> io::Result<usize> {
    let mut recv_data = [0u8; 16];
    client.send(b"ping")?;
    server.recv(course::as_uninit(&mut recv_data))?;
    server.send(REPLY)?;
    client.recv(course::as_uninit(&mut recv_data))
}

/// A client socket with SO_REUSEADDR set before its `connect`, as a student tries once
/// connect has run out of ports. Python: setsockopt(SOL_SOCKET, SO_REUSEADDR, 1); connect(addr)
fn connect_with_reuse(server_address: SocketAddr) -> io::Result<()> {
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_client_socket.set_reuse_address(true)?;
    tcp_client_socket.connect(&server_address.into())
}

/// TIME_WAIT rows the kernel holds for rule 12's connections.
struct TimeWaits {
    clients: usize,
    servers: usize,
    kept_client: usize,
}

/// Counts them once the kernel has finished each close (a bounded wait: the client's end
/// reaches TIME_WAIT when the server's FIN arrives, the server's end CLOSED at the last ACK).
fn count_time_waits(short_ones: &[Ends], kept: Ends) -> Result<TimeWaits, kernel::Unavailable> {
    let mut wanted = Vec::new();
    for &(client, server) in short_ones.iter().chain(std::iter::once(&kept)) {
        wanted.push((client, server, Some(TcpState::TimeWait)));
        wanted.push((server, client, None));
    }
    let seen = kernel::await_states(&wanted, Duration::from_secs(5))?;
    let time_wait = |states: &mut dyn Iterator<Item = &Option<TcpState>>| {
        states
            .filter(|state| **state == Some(TcpState::TimeWait))
            .count()
    };
    let (short_states, kept_states) = seen.split_at(seen.len() - 2);
    Ok(TimeWaits {
        clients: time_wait(&mut short_states.iter().step_by(2)),
        servers: time_wait(&mut short_states.iter().skip(1).step_by(2)),
        kept_client: time_wait(&mut kept_states[..1].iter()),
    })
}
