//! 讲义之外、每个学生接下来都会碰到的三件事 / Three things beyond the notes that every
//! student meets next: a reset instead of a close, a half-close, and writing to a peer that has
//! gone.

use std::io::{self, ErrorKind};
use std::net::Shutdown;

use course::kernel::{self, TcpState};
use socket2::{Domain, Socket, Type};

use crate::report::{End, Report, failed_with, short};
use crate::rules::LOOPBACK;

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
    let sent = tcp_client_socket.send(b"data the server never reads");
    report.observe("client send", &sent);
    // 先确认数据确实已经在服务端的接收缓冲区里：peek 阻塞到有数据可读，但不取走。
    // Python: service_client_socket.recv(1024, socket.MSG_PEEK)
    let waiting = service_client_socket.peek(course::as_uninit(&mut recv_data));
    report.observe("server peek: bytes waiting unread", &waiting);
    report.states(&[&client, &server]);

    // 8. 带着未读数据关闭：内核不发 FIN，而是发 RST。 Python: service_client_socket.close()
    drop(service_client_socket);
    let received = tcp_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("client recv after the server closed", &received);
    // A reset ends both ends at once: no FIN_WAIT, no TIME_WAIT. (Bounded wait, to be safe.)
    report.states_after(&[(&client, None), (&server, None)]);

    // 对照：服务端先把数据读完再关闭，客户端收到的就是正常的 0 字节。
    let control_client_socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    control_client_socket.connect(&server_address)?;
    let (control_service_socket, _) = tcp_server_socket.accept()?;
    control_client_socket.send(b"data the server reads")?;
    let read = control_service_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("control: server reads everything first", &read);
    drop(control_service_socket);
    let control = control_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("control: client recv after the server closed", &control);

    report.conclude(
        failed_with(&received, &[ErrorKind::ConnectionReset]) && matches!(control, Ok(0)),
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

    // 9. 只关闭发送方向：发出 FIN，但套接字还能接收。 Python: tcp_client_socket.shutdown(socket.SHUT_WR)
    let shut = tcp_client_socket.shutdown(Shutdown::Write);
    report.observe("client shutdown(Write)", &shut);
    let server_received = service_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("server recv", &server_received);
    // FIN_WAIT2 follows the server's ACK, handled by the kernel after shutdown(): poll, bounded.
    report.states_after(&[
        (&client, Some(TcpState::FinWait2)),
        (&server, Some(TcpState::CloseWait)),
    ]);
    let client_sent = tcp_client_socket.send(b"more");
    report.observe("client send after shutdown(Write)", &client_sent);

    // 另一个方向还开着：服务端照样发，客户端照样收。 Python: send(...) / recv(1024)
    let server_sent = service_client_socket.send(b"still talking to you");
    report.observe("server send", &server_sent);
    let client_received = tcp_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("client recv", &client_received);

    // 服务端也关闭，客户端读到 0；先发 FIN 的客户端进入 TIME_WAIT（尽管它还没有 close）。
    drop(service_client_socket);
    let client_end = tcp_client_socket.recv(course::as_uninit(&mut recv_data));
    report.observe("client recv after the server closed", &client_end);
    report.states_after(&[(&client, Some(TcpState::TimeWait)), (&server, None)]);

    report.conclude(
        matches!(shut, Ok(()))
            && matches!(server_received, Ok(0))
            && client_sent.is_err()
            && matches!((&server_sent, &client_received), (Ok(a), Ok(b)) if a == b),
        format!(
            "after shutdown(Write): server recv {}, client send {}, client recv {}",
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
    // A C program dies of SIGPIPE when it writes to a reset connection; Rust's runtime sets
    // SIGPIPE to "ignore" before main, so the write returns an error instead. Show the kernel's word.
    match kernel::sigpipe_ignored() {
        Ok(ignored) => report.note("SIGPIPE ignored by this process (SigIgn)", ignored),
        Err(unavailable) => report.note("SIGPIPE disposition", unavailable),
    }

    // 服务端离开了。 Python: service_client_socket.close()
    drop(service_client_socket);
    // 等 FIN 到达（peek 返回 0，不取走任何东西），只是为了让每次运行都一样。
    let mut recv_data = [0u8; 1024];
    let fin = tcp_client_socket.peek(course::as_uninit(&mut recv_data));
    report.observe("client peek: the server's FIN arrived", &fin);
    report.states_after(&[
        (&client, Some(TcpState::CloseWait)),
        (&server, Some(TcpState::FinWait2)),
    ]);

    // 10. 第一次写照样成功：数据只是交给了本机内核。对端内核回一个 RST。 Python: send(b"...")
    let first = tcp_client_socket.send(b"are you there?");
    report.observe("client send #1", &first);
    // The RST comes back asynchronously: wait (bounded) until the kernel's table shows the
    // connection gone, so that the next write meets it every time.
    report.states_after(&[(&client, None), (&server, None)]);
    let second = tcp_client_socket.send(b"hello?");
    report.observe("client send #2", &second);
    let third = tcp_client_socket.send(b"anyone?");
    report.observe("client send #3", &third);
    report.note("进程还活着 process still alive, pid", std::process::id());

    let gone = [ErrorKind::BrokenPipe, ErrorKind::ConnectionReset];
    report.conclude(
        first.is_ok() && (failed_with(&second, &gone) || failed_with(&third, &gone)),
        format!(
            "send #1 {}, #2 {}, #3 {}; process alive",
            short(&first),
            short(&second),
            short(&third)
        ),
    );
    Ok(())
}
// ANCHOR_END: write_gone_peer
