//! 讲义第 4 节的 7 条注意点，每条一个实验 / The notes' section 4, points 1 to 7, one
//! experiment each.
//!
//! Every experiment makes its own listening socket on 127.0.0.1 with a port the kernel picks
//! (so that runs and tests never collide), its own client, and prints each return value.
//! `drop(socket)` is Python's `close()`: socket2 calls close(2) when the value is dropped.

use std::io::{self, ErrorKind};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use course::kernel::{self, TcpState};
use socket2::{Domain, Socket, Type};

use course::report::{End, Report, failed_with, short};

/// 127.0.0.1, port 0: the kernel picks a free port for each experiment's server.
pub const LOOPBACK: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

// ANCHOR: connect_first
/// 规则 1：先建立连接，才能收发。 Rule 1: a client must connect before it can talk.
pub fn connect_first(report: &mut Report) -> io::Result<()> {
    let tcp_server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_server_socket.bind(&LOOPBACK.into())?;
    tcp_server_socket.listen(128)?;
    let server_address = tcp_server_socket.local_addr()?;
    let mut recv_data = [0u8; 1024];

    // 1. 创建客户端套接字，但先不连接。 Python: socket.socket(AF_INET, SOCK_STREAM)
    //    Create the client socket, but do not connect yet.
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    // 没连接就收发：内核不知道对端是谁。 Python: send(b"hello") / recv(1024)
    // Send and receive with no connection: the kernel does not know who the peer is.
    let send_before = tcp_client_socket.send(b"hello");
    report.observe("client send before connect", &send_before);
    let recv_before = tcp_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("client recv before connect", &recv_before);

    // 2. 先和服务端建立连接，再发送。 Python: connect((host, port)); send(b"hello")
    //    Connect to the server first, then send.
    tcp_client_socket.connect(&server_address)?;
    let (service_client_socket, _) = tcp_server_socket.accept()?;
    let send_after = tcp_client_socket.send(b"hello");
    report.observe("client send after connect", &send_after);
    let received = service_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("server recv", &received);

    let (client, server) = End::pair(
        "client",
        &tcp_client_socket.local_addr()?,
        "server",
        &service_client_socket.local_addr()?,
    )?;
    report.connection(&client, &server);
    report.states(&[&client, &server]);
    report.conclude_if_all(
        &[
            ("send_before.is_err()", send_before.is_err()),
            ("recv_before.is_err()", recv_before.is_err()),
            ("matches!(received, Ok(5))", matches!(received, Ok(5))),
        ],
        format!(
            "before connect: send {}; recv {}; after: send {}",
            short(&send_before),
            short(&recv_before),
            short(&send_after)
        ),
    );
    Ok(())
}
// ANCHOR_END: connect_first

// ANCHOR: client_no_bind
/// 规则 2：客户端不必绑定端口。 Rule 2: a client need not bind.
pub fn client_no_bind(report: &mut Report) -> io::Result<()> {
    let tcp_server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_server_socket.bind(&LOOPBACK.into())?;
    tcp_server_socket.listen(128)?;
    let server_address = tcp_server_socket.local_addr()?;

    // 1. 创建客户端套接字，不调用 bind。 Python: socket.socket(AF_INET, SOCK_STREAM)
    //    Create the client socket, without calling bind.
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    let before = tcp_client_socket.local_addr();
    report.observe("client local address before connect", &before);

    // 2. connect 时内核替客户端挑一个本地端口（隐式 bind）。
    //    At connect the kernel picks a local port for the client (an implicit bind).
    //    Python: connect((host, port))
    tcp_client_socket.connect(&server_address)?;
    let after = tcp_client_socket.local_addr();
    report.observe("client local address after connect", &after);
    let (service_client_socket, ip_port) = tcp_server_socket.accept()?;
    report.note(
        "server accept sees the client as",
        course::addr_text(&ip_port),
    );

    let port = after
        .as_ref()
        .ok()
        .and_then(|a| a.as_socket())
        .map_or(0, |a| a.port());
    let range = kernel::ephemeral_port_range();
    let in_range = match &range {
        Ok(range) => {
            let text = format!("{}..={}", range.start(), range.end());
            report.note("ephemeral port range (ip_local_port_range)", &text);
            report.note("client port in that range", range.contains(&port));
            range.contains(&port)
        }
        Err(unavailable) => {
            report.note("ephemeral port range", unavailable);
            true
        }
    };

    let (client, server) = End::pair(
        "client",
        &tcp_client_socket.local_addr()?,
        "server",
        &service_client_socket.local_addr()?,
    )?;
    report.connection(&client, &server);
    report.states(&[&client, &server]);
    let range_text = range.map_or("range unknown".to_owned(), |r| {
        format!("range {}..={}", r.start(), r.end())
    });
    report.conclude_if_all(
        &[("port != 0", port != 0), ("in_range", in_range)],
        format!("no bind; after connect local port {port} ({range_text})"),
    );
    Ok(())
}
// ANCHOR_END: client_no_bind

// ANCHOR: server_binds
/// 规则 3：服务端必须绑定端口。 Rule 3: a server must bind a known port.
pub fn server_binds(report: &mut Report, port: u16) -> io::Result<()> {
    // 不 bind 就 listen：内核自动选一个端口，每次都不一样，客户端无从知道。
    // listen without bind: the kernel picks a port itself, a different one each time,
    // which no client can know.
    // Python: socket.socket(AF_INET, SOCK_STREAM); listen(128)   # 没有 bind / no bind
    let unbound_first = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    unbound_first.listen(128)?;
    let first_address = unbound_first.local_addr()?;
    report.note(
        "listen without bind, local address",
        course::addr_text(&first_address),
    );
    let unbound_second = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    unbound_second.listen(128)?;
    let second_address = unbound_second.local_addr()?;
    report.note("again, another socket", course::addr_text(&second_address));
    let first = End::listener("unbound1", &first_address)?;
    let second = End::listener("unbound2", &second_address)?;
    report.states(&[&first, &second]);

    // 还没有服务端绑定这个约定的端口：只知道这个号码的客户端找不到上面那两个监
    // 听套接字。
    // No server has bound the agreed port yet: a client that knows only that number
    // cannot find the two listening sockets above.
    // Python: connect(("127.0.0.1", port))   # ConnectionRefusedError
    let known = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let early_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    let before_bind = early_client_socket.connect(&known.into());
    report.observe(
        &format!("client connect to {known} before the server binds"),
        &before_bind,
    );
    drop(early_client_socket);

    // 3. 服务端绑定一个约定好的端口，像讲义那样先设置端口复用。
    //    The server binds an agreed port, setting port reuse first, as the notes do.
    //    Python: setsockopt(SOL_SOCKET, SO_REUSEADDR, True);
    //    bind(("127.0.0.1", port)); listen(128)
    let tcp_server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_server_socket.set_reuse_address(true)?;
    let bound = tcp_server_socket.bind(&known.into());
    report.observe(&format!("bind {known}"), &bound);
    if bound.is_err() {
        report.note("提示 hint", "换一个端口 / pick another port: --port N");
        report.not_shown(format!("bind {known}: {}", short(&bound)));
        return Ok(());
    }
    tcp_server_socket.listen(128)?;
    let server_address = tcp_server_socket.local_addr()?;
    report.note(
        "bound server, local address",
        course::addr_text(&server_address),
    );

    // 客户端只要知道这个端口号就能找到服务端。 Python: connect(("127.0.0.1", port))
    // Knowing this port number is all a client needs to find the server.
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    let connected = tcp_client_socket.connect(&known.into());
    report.observe(&format!("client connect to {known}"), &connected);
    if connected.is_ok() {
        let (service_client_socket, _) = tcp_server_socket.accept()?;
        let listener = End::listener("listener", &server_address)?;
        let (client, server) = End::pair(
            "client",
            &tcp_client_socket.local_addr()?,
            "server",
            &service_client_socket.local_addr()?,
        )?;
        report.connection(&client, &server);
        report.states(&[&listener, &client, &server]);
        // 客户端先关闭，TIME_WAIT 就留在客户端的临时端口上，而不是这个固定端口
        // 上（第 2、3 课）。
        // The client closes first, so the TIME_WAIT stays on the client's ephemeral
        // port, not on this fixed one (lessons 2 and 3).
        drop(tcp_client_socket);
        let mut recv_data = [0u8; 1024];
        service_client_socket.recv(course::as_uninit(&mut recv_data))?;
    }

    let (first_port, second_port) = (first.port(), second.port());
    report.conclude_if_all(
        &[
            ("first_port != 0", first_port != 0),
            ("first_port != port", first_port != port),
            ("second_port != port", second_port != port),
            (
                "failed_with(&before_bind, &[ErrorKind::ConnectionRefused])",
                failed_with(&before_bind, &[ErrorKind::ConnectionRefused]),
            ),
            (
                "server_address.as_socket() == Some(known)",
                server_address.as_socket() == Some(known),
            ),
            ("connected.is_ok()", connected.is_ok()),
        ],
        format!(
            "no bind: ports {first_port}, {second_port}; connect {known} before bind: {}; \
             bind {known}: {}; client connect {}",
            short(&before_bind),
            short(&bound),
            short(&connected)
        ),
    );
    Ok(())
}
// ANCHOR_END: server_binds

// ANCHOR: listener_passive
/// 规则 4：监听套接字是被动的。 Rule 4: the listening socket is passive.
pub fn listener_passive(report: &mut Report) -> io::Result<()> {
    let tcp_server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_server_socket.bind(&LOOPBACK.into())?;
    tcp_server_socket.listen(128)?;
    let server_address = tcp_server_socket.local_addr()?;
    let listener = End::listener("listener", &server_address)?;
    let mut recv_data = [0u8; 1024];

    // 4. listen 后的套接字只负责接受连接：在它上面收发会失败。
    //    After listen the socket only accepts connections: sending or receiving on it
    //    fails.
    //    Python: tcp_server_socket.recv(1024) / tcp_server_socket.send(b"hi")
    let listener_recv = tcp_server_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("recv on the listening socket", &listener_recv);
    let listener_send = tcp_server_socket.send(b"hi");
    report.observe("send on the listening socket", &listener_send);

    // accept 返回一个新的套接字，收发用它。
    // accept returns a new socket, and that is the one to send and receive on.
    // Python: service_client_socket, ip_port = accept()
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_client_socket.connect(&server_address)?;
    let (service_client_socket, ip_port) = tcp_server_socket.accept()?;
    report.note(
        "accept -> a new socket, client",
        course::addr_text(&ip_port),
    );
    let server_sent = service_client_socket.send(b"hello from accept");
    report.observe("send on the accepted socket", &server_sent);
    let client_received = tcp_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("client recv", &client_received);
    let client_sent = tcp_client_socket.send(b"hello back");
    report.observe("client send", &client_sent);
    let server_received = service_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("recv on the accepted socket", &server_received);

    let (client, server) = End::pair(
        "client",
        &tcp_client_socket.local_addr()?,
        "server",
        &service_client_socket.local_addr()?,
    )?;
    report.connection(&client, &server);
    report.states(&[&listener, &client, &server]);
    report.conclude_if_all(
        &[
            ("listener_recv.is_err()", listener_recv.is_err()),
            ("listener_send.is_err()", listener_send.is_err()),
            (
                "matches!((&server_sent, &client_received), (Ok(a), Ok(b)) if a == b)",
                matches!((&server_sent, &client_received), (Ok(a), Ok(b)) if a == b),
            ),
            (
                "matches!((&client_sent, &server_received), (Ok(a), Ok(b)) if a == b)",
                matches!((&client_sent, &server_received), (Ok(a), Ok(b)) if a == b),
            ),
        ],
        format!(
            "listener: recv {}, send {}; accepted socket: send {}, recv {}",
            short(&listener_recv),
            short(&listener_send),
            short(&server_sent),
            short(&server_received)
        ),
    );
    Ok(())
}
// ANCHOR_END: listener_passive

// ANCHOR: close_accepted
/// 规则 5：关闭 accept 返回的套接字。
/// Rule 5: closing the accepted socket ends that conversation.
pub fn close_accepted(report: &mut Report) -> io::Result<()> {
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

    // 5. 关闭 accept 返回的套接字：和这个客户端的通信结束。
    //    Close the socket accept returned: the conversation with this client is over.
    //    Python: service_client_socket.close()
    drop(service_client_socket);
    let mut recv_data = [0u8; 1024];
    let received = tcp_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("client recv after the server closed", &received);
    // The client is in CLOSE_WAIT once its recv has seen the FIN. The server's
    // FIN_WAIT2 needs the client's ACK, which the kernel handles after close()
    // returned: poll, bounded, not sleep.
    report.states_after(&[
        (&client, Some(TcpState::CloseWait)),
        (&server, Some(TcpState::FinWait2)),
    ]);

    // 监听套接字还开着：下一个客户端照样能连上。 Python: tcp_server_socket.accept()
    // The listening socket is still open: the next client connects all the same.
    let next_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    next_client_socket.connect(&server_address)?;
    let (_next_service_socket, next_ip_port) = tcp_server_socket.accept()?;
    report.note(
        "listener still accepts, next client",
        course::addr_text(&next_ip_port),
    );
    let listener = End::listener("listener", &server_address)?;
    report.states(&[&listener]);

    // 客户端也关闭：先关闭的一端（这里是服务端）进入 TIME_WAIT，后关闭的一端消失。
    // The client closes too: the end that closed first (the server, here) goes into
    // TIME_WAIT, and the end that closed last is gone.
    drop(tcp_client_socket);
    report.states_after(&[(&client, None), (&server, Some(TcpState::TimeWait))]);
    report.conclude(
        matches!(received, Ok(0)),
        format!(
            "server closed the accepted socket: client recv {}; listener still accepts",
            short(&received)
        ),
    );
    Ok(())
}
// ANCHOR_END: close_accepted

// ANCHOR: close_listener
/// 规则 6：关闭监听套接字。 Rule 6: closing the listening socket.
pub fn close_listener(report: &mut Report) -> io::Result<()> {
    let tcp_server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_server_socket.bind(&LOOPBACK.into())?;
    tcp_server_socket.listen(128)?;
    let server_address = tcp_server_socket.local_addr()?;
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_client_socket.connect(&server_address)?;
    let (service_client_socket, _) = tcp_server_socket.accept()?;
    let listener = End::listener("listener", &server_address)?;
    let (client, server) = End::pair(
        "client",
        &tcp_client_socket.local_addr()?,
        "server",
        &service_client_socket.local_addr()?,
    )?;
    report.connection(&client, &server);
    report.states(&[&listener, &client, &server]);

    // 6. 关闭监听套接字：新的客户端连不上了。 Python: tcp_server_socket.close()
    //    Close the listening socket: new clients can no longer connect.
    drop(tcp_server_socket);
    report.states(&[&listener]);
    let late_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    let refused = late_client_socket.connect(&server_address);
    report.observe("a new client connects after the listener closed", &refused);

    // 已经连上的客户端照常通信，两个方向都行。 Python: send(b"ping") / recv(1024)
    // The client already connected talks as before, both ways.
    let mut recv_data = [0u8; 1024];
    let client_sent = tcp_client_socket.send(b"ping");
    report.observe("connected client send", &client_sent);
    let server_received = service_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("server recv", &server_received);
    let server_sent = service_client_socket.send(b"pong");
    report.observe("server send", &server_sent);
    let client_received = tcp_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("connected client recv", &client_received);
    report.states(&[&client, &server]);

    report.conclude_if_all(
        &[
            (
                "failed_with(&refused, &[ErrorKind::ConnectionRefused])",
                failed_with(&refused, &[ErrorKind::ConnectionRefused]),
            ),
            (
                "matches!(server_received, Ok(4))",
                matches!(server_received, Ok(4)),
            ),
            (
                "matches!(client_received, Ok(4))",
                matches!(client_received, Ok(4)),
            ),
        ],
        format!(
            "new connect {}; old connection: server recv {}, client recv {}",
            short(&refused),
            short(&server_received),
            short(&client_received)
        ),
    );
    Ok(())
}
// ANCHOR_END: close_listener

// ANCHOR: close_both_ways
/// 规则 7：一端关闭，另一端的 recv 返回 0 字节。
/// Rule 7: a close reads as 0 bytes, both ways.
pub fn close_both_ways(report: &mut Report) -> io::Result<()> {
    let tcp_server_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_server_socket.bind(&LOOPBACK.into())?;
    tcp_server_socket.listen(128)?;
    let server_address = tcp_server_socket.local_addr()?;
    let mut recv_data = [0u8; 1024];

    // 7a. 客户端关闭，服务端的 recv 解除阻塞，返回 0 字节。
    //     The client closes: the server's recv stops blocking and returns 0 bytes.
    //     Python: tcp_client_socket.close()
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_client_socket.connect(&server_address)?;
    let (service_client_socket, _) = tcp_server_socket.accept()?;
    let (client1, server1) = End::pair(
        "client1",
        &tcp_client_socket.local_addr()?,
        "server1",
        &service_client_socket.local_addr()?,
    )?;
    report.connection(&client1, &server1);
    report.states(&[&client1, &server1]);
    drop(tcp_client_socket);
    let server_received = service_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("server recv after the client closed", &server_received);
    // FIN_WAIT2 follows the server's ACK, handled by the kernel after close():
    // poll, bounded.
    report.states_after(&[
        (&client1, Some(TcpState::FinWait2)),
        (&server1, Some(TcpState::CloseWait)),
    ]);
    drop(service_client_socket);
    report.states_after(&[(&client1, Some(TcpState::TimeWait)), (&server1, None)]);

    // 7b. 反过来：服务端关闭，客户端的 recv 返回 0 字节。
    //     The other way round: the server closes, and the client's recv returns 0
    //     bytes.
    //     Python: service_client_socket.close()
    let tcp_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    tcp_client_socket.connect(&server_address)?;
    let (service_client_socket, _) = tcp_server_socket.accept()?;
    let (client2, server2) = End::pair(
        "client2",
        &tcp_client_socket.local_addr()?,
        "server2",
        &service_client_socket.local_addr()?,
    )?;
    report.connection(&client2, &server2);
    report.states(&[&client2, &server2]);
    drop(service_client_socket);
    let client_received = tcp_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("client recv after the server closed", &client_received);
    report.states_after(&[
        (&client2, Some(TcpState::CloseWait)),
        (&server2, Some(TcpState::FinWait2)),
    ]);
    drop(tcp_client_socket);
    report.states_after(&[(&client2, None), (&server2, Some(TcpState::TimeWait))]);

    report.conclude_if_all(
        &[
            (
                "matches!(server_received, Ok(0))",
                matches!(server_received, Ok(0)),
            ),
            (
                "matches!(client_received, Ok(0))",
                matches!(client_received, Ok(0)),
            ),
        ],
        format!(
            "client closed: server recv {}; server closed: client recv {}",
            short(&server_received),
            short(&client_received)
        ),
    );
    Ok(())
}
// ANCHOR_END: close_both_ways
