//! Lesson 2, the single-shot server without port reuse: served by the lesson-1 client and by
//! the test's own sockets, whose bytes and states are checked from outside, including the
//! kernel's own socket table for the TIME_WAIT connection that keeps the port busy.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use course::kernel::{self, TcpState};
use encoding_rs::{GBK, UTF_8};
use harness::notes::{
    CLIENT_MESSAGE, SERVER_REPLY, await_kernel_state, exchange_until_server_closes, gbk,
    serve_once_leaving_time_wait,
};
use harness::{command, server};
use predicates::prelude::*;

/// Lesson 1 against lesson 2: the server prints the client's address, the exact byte length of
/// the GBK message and its text; the client prints the decoded reply; the server exits 0.
#[test]
fn serves_one_lesson1_client_and_exits() {
    harness::notes::serves_one_lesson1_client_and_exits("lesson2");
}

/// Seen from the test's own socket: the reply is the notes' text in GBK, and the server closes
/// first (the client reads 0 bytes), so the kernel keeps TIME_WAIT on the server's port, not on
/// the client's. At start the server showed the kernel's table on its port: its LISTEN row.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn the_server_closes_first_and_keeps_time_wait() {
    let (mut lesson2, address) = server("lesson2", &[]);
    // At start it shows the kernel's table on its port: its own LISTEN row, and nothing else.
    lesson2.expect_line(&format!(
        "the kernel's socket table, local port {}:",
        address.port()
    ));
    let row = lesson2.expect_line("LISTEN");
    assert_eq!(row.trim(), format!("LISTEN      {address} <-> 0.0.0.0:0"));
    let client = exchange_until_server_closes(address);
    await_kernel_state(address, client, TcpState::TimeWait);
    assert_eq!(
        kernel::state_of(client, address).expect("Linux exposes the kernel's TCP table"),
        None,
        "the client closed second, so its side is gone at once"
    );
    assert!(lesson2.wait_exit().success(), "{}", lesson2.stdout());
}

/// Who keeps the TIME_WAIT after lesson 1's default exchange with lesson 2 is a race, measured:
/// the server closes right after sending its reply, the client right after printing it. Each
/// of 30 runs ends one of three ways, read from the kernel's table once both programs have
/// exited: the server closed first (TIME_WAIT on the server's port: lesson 2 cannot restart at
/// once), the client did (TIME_WAIT on the client's port only), or both closed at once (a
/// simultaneous close: each end in TIME_WAIT). The counts depend on the machine and are
/// printed, not asserted (`cargo test --test proofs lesson2::who_keeps -- --nocapture`); the test
/// holds that every run ends in one of the three, so at least one end always waits.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn who_keeps_time_wait_after_lesson1s_default_is_a_race() {
    const RUNS: usize = 30;
    let mut counts = [0usize; 3];
    for _ in 0..RUNS {
        let (mut lesson2, address) = server("lesson2", &[]);
        let output = command("lesson1")
            .args(["--port", &address.port().to_string()])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let client = harness::notes::lesson1_client_address(&String::from_utf8_lossy(&output));
        assert!(lesson2.wait_exit().success(), "{}", lesson2.stdout());
        counts[who_keeps_time_wait(address, client)] += 1;
    }
    let [server_first, client_first, at_once] = counts;
    println!(
        "{RUNS} runs: server closed first {server_first}, client first {client_first}, \
         both at once {at_once}"
    );
    assert_eq!(counts.iter().sum::<usize>(), RUNS);
}

/// Once both programs have exited: 0 if only the server's end of `server -> client` is left in
/// TIME_WAIT, 1 if only the client's, 2 if both; fails the test if the ends settle otherwise.
fn who_keeps_time_wait(server: SocketAddr, client: SocketAddr) -> usize {
    let end = |rows: &[kernel::Connection], local: SocketAddr, remote: SocketAddr| {
        rows.iter()
            .find(|row| row.local == local && row.remote == remote)
            .map(|row| row.state)
    };
    // The second end to close passes LAST_ACK (or CLOSING) on its way out: wait until each end
    // is in TIME_WAIT or gone.
    let settled = |rows: &[kernel::Connection]| {
        [end(rows, server, client), end(rows, client, server)]
            .iter()
            .all(|state| matches!(state, None | Some(TcpState::TimeWait)))
    };
    let rows = kernel::await_rows(&[server.port(), client.port()], settled, harness::TIMEOUT)
        .expect("Linux exposes the kernel's TCP table");
    match (end(&rows, server, client), end(&rows, client, server)) {
        (Some(TcpState::TimeWait), None) => 0,
        (None, Some(TcpState::TimeWait)) => 1,
        (Some(TcpState::TimeWait), Some(TcpState::TimeWait)) => 2,
        ends => {
            panic!("{server} and {client}: expected TIME_WAIT on one end or both, got {ends:?}")
        }
    }
}

/// How long the port stays held: the TIME_WAIT the server's close leaves lasts 60 seconds on
/// Linux, a length fixed in the kernel (`TCP_TIMEWAIT_LEN`). `/proc/net/tcp` shows the timer
/// running on the row: the TIME_WAIT timer with at most 60 s to go.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn time_wait_lasts_sixty_seconds_on_linux() {
    let (server, client) = serve_once_leaving_time_wait("lesson2");
    let (row, timers) = kernel::timers(server, client)
        .expect("Linux has /proc/net/tcp")
        .unwrap_or_else(|| {
            let table = kernel::port_report(server.port()).join("\n");
            panic!("no row {server} -> {client} in:\n{table}")
        });
    assert_eq!(row.state, TcpState::TimeWait, "TIME_WAIT: {row:?}");
    assert_eq!(
        timers.kind,
        kernel::TimerKind::TimeWait,
        "the TIME_WAIT timer runs: {timers:?}"
    );
    // A few seconds may have passed on a busy machine.
    let left = timers.left;
    assert!(
        (Duration::from_secs(45)..=Duration::from_secs(60)).contains(&left),
        "about 60 s left on a fresh TIME_WAIT, got {left:?}: {row:?}"
    );
}

/// Restarted on the port it has just served on, lesson 2 cannot bind: one clear line naming
/// TIME_WAIT and lesson 3, the kernel's TIME_WAIT row, exit code 1, no panic.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn restart_without_reuse_fails() {
    let (address, client) = serve_once_leaving_time_wait("lesson2");

    command("lesson2")
        .args(["--port", &address.port().to_string()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("listening on").not())
        .stderr(predicate::str::contains(format!(
            "address {address} is already in use"
        )))
        .stderr(predicate::str::contains("TIME_WAIT").and(predicate::str::contains("60 s")))
        .stderr(predicate::str::contains("lesson 3"))
        .stderr(predicate::str::contains(format!(
            "TIME_WAIT   {address} <-> {client}"
        )))
        .stderr(predicate::str::contains("AddrInUse"))
        .stderr(predicate::str::contains("panicked").not());
}

/// Why the lesson uses socket2: `std::net::TcpListener::bind` sets SO_REUSEADDR by itself on
/// Unix, so after a std server has closed first, std binds its port again at once, beside the
/// TIME_WAIT, where lesson 2 is refused.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn std_listener_sets_so_reuseaddr_silently() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback std server");
    let address = listener
        .local_addr()
        .expect("a bound socket has an address");
    let mut client = TcpStream::connect(address).expect("the std server is listening");
    let (server_end, _) = listener.accept().expect("the client is in the queue");
    // The std server closes first, with nothing unread, then stops listening.
    drop(server_end);
    drop(listener);
    let mut rest = Vec::new();
    client
        .read_to_end(&mut rest)
        .expect("read until the server's FIN");
    let client_addr = client
        .local_addr()
        .expect("a connected socket has an address");
    drop(client);
    await_kernel_state(address, client_addr, TcpState::TimeWait);

    command("lesson2")
        .args(["--port", &address.port().to_string()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already in use"));
    let again = TcpListener::bind(address);
    assert!(
        again.is_ok(),
        "std binds beside the TIME_WAIT, so it set SO_REUSEADDR: {again:?}"
    );
}

/// The backlog: while the server waits in `recv` for client A, client B's `connect` succeeds
/// (the kernel completes the handshake and queues B) but B is never served; when the server
/// closes its listening socket, the kernel resets B's queued connection.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn a_second_client_is_queued_but_not_served() {
    let (mut lesson2, address) = server("lesson2", &[]);
    let mut client_a = TcpStream::connect(address).expect("the lesson server is listening");
    let a = client_a
        .local_addr()
        .expect("a connected socket has an address");
    lesson2.expect_line(&format!("client address: {a}"));

    // The server is now blocked in recv for A, and still B's connect completes.
    let mut client_b = TcpStream::connect(address).expect("the kernel accepts B into the backlog");
    let b = client_b
        .local_addr()
        .expect("a connected socket has an address");
    client_b
        .write_all(&gbk("我也在等"))
        .expect("B can send: the kernel buffers it for a socket nobody accepted");
    // The server's end of B's connection exists, fully established, before any accept.
    await_kernel_state(address, b, TcpState::Established);

    client_a
        .write_all(&gbk(CLIENT_MESSAGE))
        .expect("send to the server");
    let mut reply = Vec::new();
    client_a
        .read_to_end(&mut reply)
        .expect("A reads the reply until the server closes");
    assert_eq!(reply, gbk(SERVER_REPLY));
    assert!(lesson2.wait_exit().success(), "{}", lesson2.stdout());
    assert!(
        !lesson2.stdout().contains(&b.to_string()),
        "B was never served"
    );

    client_b
        .set_read_timeout(Some(harness::TIMEOUT))
        .expect("a non-zero timeout is valid");
    let mut buffer = [0u8; 64];
    let seen = client_b.read(&mut buffer);
    assert_eq!(
        seen.as_ref().map_err(io::Error::kind),
        Err(ErrorKind::ConnectionReset),
        "closing a listener resets the connections still in its queue"
    );
}

/// Why lesson 1's second message against lesson 2 ends in "received 0 bytes" only most of the
/// time: it races lesson 2's close. First way: the second message is already in lesson 2's
/// socket, unread, when lesson 2 closes, so the close sends a reset (lesson 5's rule 8): the
/// client reads the reply, then `ConnectionReset`, never 0 bytes, and the reset leaves no
/// TIME_WAIT behind. The test makes that order certain: one write puts a 1024-byte first message
/// and a second message in lesson 2's socket together, and lesson 2's one `recv(1024)` takes
/// only the first.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn a_second_message_there_before_the_close_gets_a_reset() {
    let (mut lesson2, address) = server("lesson2", &[]);
    let mut client = harness::notes::connect(address);
    let me = client
        .local_addr()
        .expect("a connected socket has an address");
    let mut messages = a_full_first_message();
    messages.extend_from_slice(&gbk("第二条"));
    client.write_all(&messages).expect("send to the server");
    lesson2.expect_line("received 1024 字节 bytes");
    let mut reply = vec![0u8; gbk(SERVER_REPLY).len()];
    client
        .read_exact(&mut reply)
        .expect("the reply comes before the reset");
    assert_eq!(reply, gbk(SERVER_REPLY));
    let mut buffer = [0u8; 64];
    let after = client.read(&mut buffer).map_err(|error| error.kind());
    assert_eq!(
        after,
        Err(ErrorKind::ConnectionReset),
        "closed with the second message unread, lesson 2 resets the connection"
    );
    assert!(lesson2.wait_exit().success(), "{}", lesson2.stdout());
    assert_eq!(
        kernel::state_of(address, me).expect("Linux exposes the kernel's TCP table"),
        None,
        "a reset leaves no TIME_WAIT on the server's side"
    );
}

/// The other way the race goes: the second message comes after lesson 2 has closed. The client
/// has the FIN by then, so its next receive returns 0 bytes, lesson 1's "received 0 bytes"; the
/// message itself still meets a closed socket, which answers with a reset: the client's
/// connection leaves the kernel's table, its receives still return 0, and only its next send
/// fails. The test waits for the FIN before it sends.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn a_second_message_after_the_close_reads_zero_bytes_first() {
    let (mut lesson2, address) = server("lesson2", &[]);
    let mut client = harness::notes::connect(address);
    let me = client
        .local_addr()
        .expect("a connected socket has an address");
    client
        .write_all(&gbk(CLIENT_MESSAGE))
        .expect("send to the server");
    let mut reply = Vec::new();
    client
        .read_to_end(&mut reply)
        .expect("the reply, then 0 bytes: the server's FIN");
    assert_eq!(reply, gbk(SERVER_REPLY));
    assert!(lesson2.wait_exit().success(), "{}", lesson2.stdout());
    client
        .write_all(&gbk("第二条"))
        .expect("the kernel takes bytes for a peer that has only sent its FIN");
    assert_eq!(
        kernel::await_state(me, address, None, harness::TIMEOUT)
            .expect("Linux exposes the kernel's TCP table"),
        None,
        "the closed server answers the second message with a reset"
    );
    let mut buffer = [0u8; 64];
    let after = client.read(&mut buffer).map_err(|error| error.kind());
    assert_eq!(
        after,
        Ok(0),
        "after the FIN, a receive still returns 0 bytes"
    );
    let again = client.write_all(b"?").map_err(|error| error.kind());
    assert!(
        matches!(
            again,
            Err(ErrorKind::BrokenPipe | ErrorKind::ConnectionReset)
        ),
        "the next send learns of the reset: {again:?}"
    );
}

/// The fix for the race above, which a request/response server makes: `--half-close` has lesson 2
/// shut only its sending side after the reply (the FIN), read and drop what the client still
/// sends until the client closes too, and only then close. The same two messages as in the reset
/// test now end with the reply and 0 bytes, no reset; lesson 2 says what it dropped, and since
/// it sent the first FIN, the TIME_WAIT is still on its side.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn half_closing_before_the_close_never_resets_the_client() {
    let (mut lesson2, address) = server("lesson2", &["--half-close"]);
    let mut client = harness::notes::connect(address);
    let me = client
        .local_addr()
        .expect("a connected socket has an address");
    let mut messages = a_full_first_message();
    let second = gbk("第二条");
    messages.extend_from_slice(&second);
    client.write_all(&messages).expect("send to the server");
    let mut reply = Vec::new();
    match client.read_to_end(&mut reply) {
        Ok(_) => assert_eq!(reply, gbk(SERVER_REPLY), "the reply, then 0 bytes"),
        Err(error) => lesson2.fail(&format!(
            "a half-closing server must not reset its client: {:?}: {error}",
            error.kind()
        )),
    }
    client
        .shutdown(Shutdown::Write)
        .expect("half-close a connected socket");
    lesson2.expect_line(&format!("(discarded {} bytes)", second.len()));
    assert!(lesson2.wait_exit().success(), "{}", lesson2.stdout());
    await_kernel_state(address, me, TcpState::TimeWait);
}

/// A client that connects and closes without sending gets no reply: the server's `recv`
/// returns 0 bytes, it says so, and it still exits 0.
#[test]
fn a_client_that_sends_nothing_gets_no_reply() {
    let (mut lesson2, address) = server("lesson2", &[]);
    let mut client = TcpStream::connect(address).expect("the lesson server is listening");
    client
        .shutdown(Shutdown::Write)
        .expect("half-close a connected socket");
    let mut reply = Vec::new();
    client
        .read_to_end(&mut reply)
        .expect("read until the server closes");
    assert!(reply.is_empty(), "no reply was sent, got {reply:?}");
    lesson2.expect_line("received 0 字节 bytes");
    lesson2.expect_line("closed without sending");
    assert!(lesson2.wait_exit().success(), "{}", lesson2.stdout());
}

/// A UTF-8 client against the default GBK server: the server shows garbled text (the UTF-8 bytes
/// read as GBK) and still replies and exits 0; the client cannot read the GBK reply either.
#[test]
fn mismatched_encodings_garble_but_do_not_crash() {
    let (mut lesson2, address) = server("lesson2", &[]);
    let utf8 = UTF_8.encode(CLIENT_MESSAGE).0.into_owned();
    let (garbled, _, _) = GBK.decode(&utf8);
    command("lesson1")
        .args([
            "--port",
            &address.port().to_string(),
            "--encoding",
            "utf-8",
            CLIENT_MESSAGE,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains('\u{FFFD}'))
        .stdout(predicate::str::contains(SERVER_REPLY).not());
    lesson2.expect_line(&format!("received {} 字节 bytes", utf8.len()));
    let line = lesson2.expect_line("received text:");
    assert!(line.ends_with(&*garbled), "{line}");
    assert!(!line.contains(CLIENT_MESSAGE), "{line}");
    assert!(lesson2.wait_exit().success(), "{}", lesson2.stdout());
}

/// With the same `--encoding utf-8` on both sides, each reads the other exactly.
#[test]
fn matching_encodings_read_each_other_exactly() {
    let (mut lesson2, address) = server("lesson2", &["--encoding", "utf-8"]);
    command("lesson1")
        .args([
            "--port",
            &address.port().to_string(),
            "--encoding",
            "utf-8",
            CLIENT_MESSAGE,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("reply: {SERVER_REPLY}")));
    lesson2.expect_line(&format!("received {} 字节 bytes", CLIENT_MESSAGE.len()));
    lesson2.expect_line(&format!("received text: {CLIENT_MESSAGE}"));
    assert!(lesson2.wait_exit().success(), "{}", lesson2.stdout());
}

/// `--host ::1` serves on IPv6 loopback and prints the address in brackets (skipped, saying so,
/// where the machine has no IPv6 loopback).
#[test]
fn ipv6_loopback_works() {
    if TcpListener::bind("[::1]:0").is_err() {
        harness::tools::skip(
            "lesson2::ipv6_loopback_works",
            "this machine has no IPv6 loopback",
        );
        return;
    }
    let (mut lesson2, address) = server("lesson2", &["--host", "::1"]);
    assert_eq!(address.ip().to_string(), "::1");
    command("lesson1")
        .args(["--host", "::1", "--port", &address.port().to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("reply: {SERVER_REPLY}")));
    lesson2.expect_line("client address: [::1]:");
    assert!(lesson2.wait_exit().success(), "{}", lesson2.stdout());
}

/// `--host 0.0.0.0` listens on every interface of the machine (the kernel's LISTEN row says
/// `0.0.0.0`): a client reaches it at an address other than 127.0.0.1 and is served, and the
/// kernel's row for the server's end of that connection has that address. Bound to 127.0.0.1 (the
/// default), lesson 2 refuses a client of the other address. The other address is 127.0.0.2:
/// Linux routes all of 127.0.0.0/8 to the loopback interface, so the test needs no network and
/// no second machine, and it stands for any address of the machine.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs the kernel table and 127.0.0.2 of Linux"
)]
fn any_address_listens_on_every_interface() {
    let other_ip = std::net::Ipv4Addr::new(127, 0, 0, 2);
    let (mut lesson2, address) = server("lesson2", &["--host", "0.0.0.0"]);
    assert!(address.ip().is_unspecified(), "{address}");
    let rows = kernel::on_port(address.port()).expect("Linux exposes the kernel's TCP table");
    assert!(
        rows.iter()
            .any(|row| row.state == TcpState::Listen && row.local == address),
        "{rows:?}"
    );
    let other = SocketAddr::from((other_ip, address.port()));
    let mut client = TcpStream::connect(other).unwrap_or_else(|error| {
        lesson2.fail(&format!(
            "bound to 0.0.0.0, it must be reached at {other}: {error}"
        ))
    });
    client
        .set_read_timeout(Some(harness::TIMEOUT))
        .expect("a non-zero timeout is valid");
    let me = client
        .local_addr()
        .expect("a connected socket has an address");
    lesson2.expect_line(&format!("client address: {me}"));
    // The server's end of the connection, as the kernel lists it: the address the client
    // called, 127.0.0.2, on the port bound to 0.0.0.0.
    await_kernel_state(other, me, TcpState::Established);
    client
        .write_all(&gbk(CLIENT_MESSAGE))
        .expect("send to the server");
    let mut reply = Vec::new();
    client
        .read_to_end(&mut reply)
        .expect("read the reply until the server closes");
    assert_eq!(reply, gbk(SERVER_REPLY), "served at {other}");
    assert!(lesson2.wait_exit().success(), "{}", lesson2.stdout());

    let (mut only_loopback, loopback) = server("lesson2", &["--host", "127.0.0.1"]);
    let elsewhere = SocketAddr::from((other_ip, loopback.port()));
    let refused = TcpStream::connect(elsewhere).map_err(|error| error.kind());
    assert_eq!(
        refused.err(),
        Some(ErrorKind::ConnectionRefused),
        "bound to 127.0.0.1, lesson 2 is not reached at {elsewhere}"
    );
    exchange_until_server_closes(loopback);
    assert!(
        only_loopback.wait_exit().success(),
        "{}",
        only_loopback.stdout()
    );
}

/// A port below 1024 refused for lack of privilege gets a hint. The error-to-hint mapping is
/// checked everywhere. On Linux the real refusal is checked too, by running the lesson as an
/// ordinary user: directly when the tests run unprivileged, and through `setpriv` as the user
/// `nobody` when they run as root (root may bind any port, so running it as root proves nothing).
/// Linux only, because only Linux refuses: Windows has no privileged ports, and macOS dropped
/// them in 10.14.
#[test]
fn privileged_port_gets_a_hint() {
    let port_80: SocketAddr = "127.0.0.1:80".parse().expect("a valid literal");
    // EACCES, what bind(2) returns to an ordinary user for a port below 1024.
    let refused = io::Error::from(ErrorKind::PermissionDenied);
    let hint = course::failure::explain(&refused, course::Role::Server { address: port_80 });
    assert!(
        hint.contains("below 1024") && hint.contains("--port 0"),
        "{hint}"
    );
    #[cfg(target_os = "linux")]
    {
        const TEST: &str = "lesson2::privileged_port_gets_a_hint";
        // Linux refuses ordinary users the ports below this (1024 unless changed).
        let start = kernel::sysctl("net.ipv4.ip_unprivileged_port_start")
            .ok()
            .and_then(|text| text.parse::<u16>().ok())
            .unwrap_or(1024);
        if start <= 1 {
            harness::tools::skip(
                TEST,
                &format!("ip_unprivileged_port_start={start}, port 1 is open to everyone here"),
            );
            return;
        }
        let lesson = harness::binary("lesson2");
        let unprivileged = if rustix::process::geteuid().is_root() {
            let Some(setpriv) = harness::tools::tool("setpriv", TEST) else {
                return;
            };
            let mut command = std::process::Command::new(setpriv);
            command
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(lesson);
            command
        } else {
            std::process::Command::new(lesson)
        };
        assert_cmd::Command::from_std(unprivileged)
            .args(["--port", "1"])
            .timeout(harness::TIMEOUT)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("below 1024"))
            .stderr(predicate::str::contains("PermissionDenied"));
    }
}

/// Every bad argument gets one clear line and a non-zero exit, never a panic.
#[test]
fn bad_arguments_get_a_clear_line() {
    harness::cli::assert_bad_arguments_refused("lesson2");
}

/// `--help` explains every option, Chinese first.
#[test]
fn help_explains_every_option() {
    harness::cli::assert_help(
        "lesson2",
        "第 2 课",
        &["--host", "--port", "--encoding", "--half-close"],
    );
}

/// A first message that fills lesson 2's one `recv(1024)` exactly, in lines short enough that
/// the text the lesson prints of it stays within 100 columns.
fn a_full_first_message() -> Vec<u8> {
    let line = [&[b'a'; 31][..], b"\n"].concat();
    line.repeat(1024 / line.len())
}
