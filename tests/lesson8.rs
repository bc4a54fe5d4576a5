//! Lesson 8, the tokio server: what it does that lesson 4 cannot, a graceful shutdown. Lesson 4's
//! behaviour on the wire and the one-thread tests (`tests/servers.rs`) are tests of lesson 8 too.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};

use harness::notes::{THREADED_REPLY, connect, gbk};
use harness::{Process, server};

// What lesson 8 promises with lessons 4 and 7 (tests/servers.rs).
serves_many!("lesson8");
serves_on_one_thread!("lesson8");

/// Ctrl-C (SIGINT) makes the server stop accepting and close every client with a FIN (each idle
/// client's next receive returns 0 bytes, not a reset), then wait for each client to close its
/// end too: while one is still open, the process runs, its end of that connection waits in
/// FIN_WAIT2 (the kernel's table), and what the client still sends is read and dropped (a
/// process that had simply exited would answer it with a reset). When the last client has
/// closed, the server exits with 0 and nothing listens any more.
#[cfg(unix)]
#[test]
fn ctrl_c_closes_every_client_cleanly_and_exits_0() {
    let (mut process, address) = server("lesson8", &[]);
    let mut clients: Vec<TcpStream> = (0..5).map(|_| connect(address)).collect();
    for client in &mut clients {
        client.write_all("在吗".as_bytes()).expect("send");
        read_reply(client);
        let me = client.local_addr().expect("connected");
        process.expect_line(&format!("from {me}"));
    }
    process.signal(child::Signal::Interrupt);
    let line = process.expect_line("Ctrl-C");
    assert!(line.contains("closing 5 clients"), "{line}");
    for client in &mut clients {
        expect_fin(client);
    }
    let mut last = clients.pop().expect("five clients");
    let last_me = last.local_addr().expect("connected");
    drop(clients);
    #[cfg(target_os = "linux")]
    {
        let me = last_me;
        last.write_all(b"bye")
            .expect("a half-closed peer still receives");
        let rows = course::kernel::await_port(
            address.port(),
            |rows| server_end(rows, me).is_none_or(|row| row.unread == 0),
            harness::TIMEOUT,
        )
        .expect("Linux exposes the kernel's TCP table");
        let end = server_end(&rows, me);
        assert!(
            end.is_some_and(|row| {
                row.state == course::kernel::TcpState::FinWait2 && row.unread == 0
            }),
            "after its FIN the server must hold its end open (FIN_WAIT2) and read what the \
             client still sends; the kernel's row for it: {end:?} (no row: it was reset)"
        );
        assert!(
            !harness::procs::ended(pid(&process)),
            "the server must wait for the last client's close, yet it has exited"
        );
    }
    drop(last);
    let status = process.wait_exit();
    assert!(
        status.success(),
        "exit code 0 after a graceful shutdown: {status:?}"
    );
    assert!(
        process.stdout().contains("server stopped"),
        "{}",
        process.stdout()
    );
    // What came after the FIN was read, dropped, and said so: the last client's 3 bytes (sent on
    // Linux only, above), and nothing of the four that sent nothing.
    let stdout = process.stdout();
    let discarded: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("discarded after the FIN"))
        .collect();
    let expected = if cfg!(target_os = "linux") {
        vec![format!(
            "FIN 之后收到的丢弃了 discarded after the FIN: 3 字节 bytes from {last_me}"
        )]
    } else {
        Vec::new()
    };
    assert_eq!(discarded, expected, "{stdout}");
    let refused = TcpStream::connect(address).map_err(|error| error.kind());
    assert_eq!(
        refused.err(),
        Some(ErrorKind::ConnectionRefused),
        "nothing listens after the exit"
    );
}

/// A message in flight at Ctrl-C is answered, then the FIN follows: no reset. The test stops the
/// server (SIGSTOP), sends each of five clients' messages, waits until the kernel's table shows
/// every one of them arrived and unread, sends SIGINT and lets the server run again (SIGCONT):
/// the signal and the messages are there at once, and every client still reads its reply and
/// then 0 bytes. A server that took the shutdown first would drop a socket with its message
/// unread, which the kernel answers with a reset. Which of the two is ready first varies with
/// the runtime's order, so the test does it three times, five clients each.
#[cfg(target_os = "linux")]
#[test]
fn a_message_in_flight_at_ctrl_c_is_answered_then_closed() {
    for _ in 0..3 {
        stop_with_messages_in_flight();
    }
}

/// One round of the test above.
#[cfg(target_os = "linux")]
fn stop_with_messages_in_flight() {
    use child::Signal;

    let (mut process, address) = server("lesson8", &[]);
    let mut clients: Vec<TcpStream> = (0..5).map(|_| connect(address)).collect();
    for client in &mut clients {
        let me = client.local_addr().expect("connected");
        process.expect_line(&format!("client connected: {me}"));
    }
    process.stop();
    let message = gbk("最后一条");
    for client in &mut clients {
        client.write_all(&message).expect("send");
    }
    for client in &clients {
        let me = client.local_addr().expect("connected");
        let row = course::kernel::await_connection(
            address,
            me,
            |row| row.unread as usize == message.len(),
            harness::TIMEOUT,
        )
        .expect("Linux exposes the kernel's TCP table");
        assert!(
            row.as_ref()
                .is_some_and(|row| row.unread as usize == message.len()),
            "the message waits unread at the stopped server: {row:?}"
        );
    }
    process.signal(Signal::Interrupt);
    process.signal(Signal::Continue);
    for client in &mut clients {
        read_reply(client);
        expect_fin(client);
    }
    drop(clients);
    let status = process.wait_exit();
    assert!(status.success(), "exit code 0: {status:?}");
    let answered = process.stdout().matches("最后一条").count();
    assert_eq!(
        answered,
        5,
        "each message printed once:\n{}",
        process.stdout()
    );
}

/// Reads one whole reply, failing with what happened instead (a reset, most likely).
fn read_reply(client: &mut TcpStream) {
    let mut reply = vec![0u8; gbk(THREADED_REPLY).len()];
    if let Err(error) = client.read_exact(&mut reply) {
        panic!(
            "{}: no reply to its message ({:?}: {error}); a server that ends a connection with \
             the message unread loses it",
            client.local_addr().expect("connected"),
            error.kind()
        );
    }
    assert_eq!(reply, gbk(THREADED_REPLY));
}

/// Reads until the server's FIN: 0 bytes, with nothing more before it, and no reset.
fn expect_fin(client: &mut TcpStream) {
    let mut rest = Vec::new();
    match client.read_to_end(&mut rest) {
        Ok(_) => assert!(rest.is_empty(), "nothing after the replies: {rest:?}"),
        Err(error) => panic!("a FIN, not {:?}: {error}", error.kind()),
    }
}

/// The kernel's row for the server's end of the connection from the client `me`.
#[cfg(target_os = "linux")]
fn server_end(
    rows: &[course::kernel::Connection],
    me: SocketAddr,
) -> Option<&course::kernel::Connection> {
    rows.iter().find(|row| row.remote == me)
}

fn pid(process: &Process) -> i32 {
    i32::try_from(process.id()).expect("process ids fit in an i32")
}
