//! Lesson 5, close semantics: each experiment run as `lesson5 NAME`, its printed observations
//! checked (error kinds, byte counts, and on Linux the TCP states the kernel reported), and,
//! wherever a test can see the behaviour from outside, the same behaviour checked again with
//! the test's own sockets, so that a lesson printing the wrong thing cannot pass.

use std::collections::BTreeSet;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use course::kernel::{self, TcpState};
use harness::command;
use predicates::prelude::*;
use socket2::{Domain, Socket, Type};

const NAMES: [&str; 12] = [
    "connect-first",
    "client-no-bind",
    "server-binds",
    "listener-passive",
    "close-accepted",
    "close-listener",
    "close-both-ways",
    "reset-unread",
    "half-close",
    "write-gone-peer",
    "udp-contrast",
    "client-time-wait",
];

/// How long a test waits for the kernel to make a transition it makes asynchronously.
const SETTLE: Duration = Duration::from_secs(10);

/// Runs `lesson5 ARGS` to a successful end and returns what it printed.
fn run(args: &[&str]) -> String {
    let output = command("lesson5")
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(output).expect("the lesson prints UTF-8")
}

/// What the lesson printed for `what`: the text after `观察 observed: WHAT -> `, or, where
/// that is too wide for one line, after the `-> ` that starts the next.
fn observed<'a>(stdout: &'a str, what: &str) -> &'a str {
    let marker = format!("观察 observed: {what}");
    let lines: Vec<&str> = stdout.lines().map(str::trim_start).collect();
    lines
        .iter()
        .zip(lines.iter().skip(1).chain([&""]))
        .find_map(|(line, next)| match line.strip_prefix(&marker)? {
            "" => next.strip_prefix("-> "),
            rest => rest.strip_prefix(" -> "),
        })
        .unwrap_or_else(|| panic!("expected a line starting {marker:?} -> , got:\n{stdout}"))
}

/// On Linux, where the kernel's table is readable, the `状态 states:` lines are exactly these.
fn assert_states(stdout: &str, expected: &[&str]) {
    if !cfg!(target_os = "linux") {
        assert!(stdout.contains("unavailable"), "{stdout}");
        return;
    }
    let seen: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("状态 states: "))
        .collect();
    assert_eq!(seen, expected, "stdout was:\n{stdout}");
    // The ends whose states are shown are named with their addresses first, so that a student
    // can find them with `ss -tan`: `连接 connection: client 127.0.0.1:P <-> server 127.0.0.1:Q`.
    let connections: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("连接 connection: "))
        .collect();
    assert!(
        !connections.is_empty(),
        "the ends' addresses are printed\n{stdout}"
    );
    for line in connections {
        let words: Vec<&str> = line.split_whitespace().collect();
        let addresses = [words.get(1), words.get(4)]
            .map(|word| word.and_then(|word| word.parse::<SocketAddr>().ok()));
        assert!(
            words.len() == 5 && words[2] == "<->" && addresses.iter().all(Option::is_some),
            "LABEL ADDRESS <-> LABEL ADDRESS: {line:?}"
        );
    }
}

fn assert_holds(stdout: &str, name: &str) {
    let verdict = format!("结论 verdict: {name} 成立 holds");
    assert!(
        stdout.contains(&verdict),
        "expected {verdict:?}, got:\n{stdout}"
    );
}

/// A listener on loopback, a client connected to it, and the accepted stream.
fn connected_pair() -> (TcpListener, TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
    let address = listener.local_addr().expect("the listener's address");
    let client = TcpStream::connect(address).expect("connect on loopback");
    let (server, _) = listener.accept().expect("the client just connected");
    (listener, client, server)
}

/// Each end's (local, remote) address, for asking the kernel about it.
fn ends(client: &TcpStream) -> (SocketAddr, SocketAddr) {
    (
        client
            .local_addr()
            .expect("a connected socket has an address"),
        client.peer_addr().expect("a connected socket has a peer"),
    )
}

/// The state the kernel reports for `local -> remote` once it is `wanted` (or after [`SETTLE`]).
fn state(local: SocketAddr, remote: SocketAddr, wanted: Option<TcpState>) -> Option<TcpState> {
    kernel::await_state(local, remote, wanted, SETTLE).expect("Linux has the kernel's table")
}

/// What `send` on a socket that never connected returns, as the page states it: Linux answers
/// EPIPE (`BrokenPipe`); macOS and Windows answer ENOTCONN / WSAENOTCONN (`NotConnected`).
const SEND_BEFORE_CONNECT: &str = if cfg!(target_os = "linux") {
    "Err(BrokenPipe"
} else {
    "Err(NotConnected"
};

/// Rule 1: sending and receiving before `connect` fail; after it, the bytes arrive.
#[test]
fn connect_first_send_and_recv_fail_before_connect() {
    let stdout = run(&["connect-first"]);
    let send_before = observed(&stdout, "client send before connect");
    assert!(
        send_before.starts_with(SEND_BEFORE_CONNECT),
        "expected {SEND_BEFORE_CONNECT}…, got {send_before}\n{stdout}"
    );
    assert!(
        observed(&stdout, "client recv before connect").starts_with("Err(NotConnected"),
        "{stdout}"
    );
    assert_eq!(
        observed(&stdout, "client send after connect"),
        "Ok(5 bytes)"
    );
    assert_eq!(observed(&stdout, "server recv"), "Ok(5 bytes)");
    assert_states(&stdout, &["client=ESTABLISHED server=ESTABLISHED"]);
    assert_holds(&stdout, "connect-first");

    // The same with the test's own socket: no connection, no talking.
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
    let error = socket.send(b"hello").expect_err("send needs a connection");
    let kind = format!("Err({:?}", error.kind());
    assert_eq!(kind, SEND_BEFORE_CONNECT, "{error}");
    let mut buffer = [std::mem::MaybeUninit::new(0u8); 16];
    let error = socket
        .recv(&mut buffer)
        .expect_err("recv needs a connection");
    assert_eq!(error.kind(), ErrorKind::NotConnected);
}

/// Rule 2: a client that never binds gets a port from the kernel's ephemeral range at `connect`.
#[test]
fn client_no_bind_gets_an_ephemeral_port() {
    let stdout = run(&["client-no-bind"]);
    assert_eq!(
        observed(&stdout, "client local address before connect"),
        "Ok(0.0.0.0:0)"
    );
    let after = observed(&stdout, "client local address after connect");
    let address: SocketAddr = after
        .strip_prefix("Ok(")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| panic!("expected Ok(ADDRESS), got {after:?}"));
    assert_eq!(
        observed(&stdout, "server accept sees the client as"),
        address.to_string()
    );
    if let Ok(range) = kernel::ephemeral_port_range() {
        assert!(
            range.contains(&address.port()),
            "{address} not in {range:?}"
        );
        assert_eq!(
            observed(&stdout, "ephemeral port range (ip_local_port_range)"),
            format!("{}..={}", range.start(), range.end())
        );
        // And the test's own client, which never binds either.
        let (_listener, client, _server) = connected_pair();
        let port = client.local_addr().expect("a connected socket").port();
        assert!(range.contains(&port), "{port} not in {range:?}");
    }
    assert_states(&stdout, &["client=ESTABLISHED server=ESTABLISHED"]);
    assert_holds(&stdout, "client-no-bind");
}

/// A loopback port kept reserved while the lesson uses it, and the socket that keeps it: bound
/// with SO_REUSEADDR but not listening, it keeps other programs (and port-0 binds) off the port,
/// yet lets the lesson, which sets SO_REUSEADDR as the notes do, bind and listen there.
fn reserved_port() -> (Socket, u16) {
    let reserve = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
    reserve.set_reuse_address(true).expect("SO_REUSEADDR");
    let any_port: SocketAddr = "127.0.0.1:0".parse().expect("a valid literal");
    reserve.bind(&any_port.into()).expect("bind on loopback");
    let port = reserve
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .expect("an IPv4 address")
        .port();
    (reserve, port)
}

/// Rule 3: a socket that listens without binding gets a port nobody chose; a bound server is
/// exactly where clients look for it.
#[test]
fn server_binds_the_port_it_asks_for() {
    let (_reserve, port) = reserved_port();

    let stdout = run(&["server-binds", "--port", &port.to_string()]);
    let known = format!("127.0.0.1:{port}");
    assert_eq!(observed(&stdout, &format!("bind {known}")), "Ok(())");
    assert_eq!(observed(&stdout, "bound server, local address"), known);
    assert_eq!(
        observed(&stdout, &format!("client connect to {known}")),
        "Ok(())"
    );
    // Before the server binds, a client that only knows the number is refused: the two
    // listeners without a bind are somewhere else, on ports the kernel picked.
    assert!(
        observed(
            &stdout,
            &format!("client connect to {known} before the server binds")
        )
        .starts_with("Err(ConnectionRefused"),
        "{stdout}"
    );
    for what in [
        "listen without bind, local address",
        "again, another socket",
    ] {
        let picked: SocketAddr = observed(&stdout, what)
            .parse()
            .unwrap_or_else(|_| panic!("{what}: expected an address in:\n{stdout}"));
        assert!(picked.ip().is_unspecified(), "{what}: {picked}");
        assert_ne!(picked.port(), port, "{what}: nobody chose the agreed port");
        assert_ne!(
            picked.port(),
            0,
            "{what}: listen gives the socket a real port"
        );
        if let Ok(range) = kernel::ephemeral_port_range() {
            // The kernel's own pick: a port from the range it gives clients, not one anybody asked for.
            assert!(
                range.contains(&picked.port()),
                "{what}: {picked} not in {range:?}"
            );
        }
    }
    assert_states(
        &stdout,
        &[
            "unbound1=LISTEN unbound2=LISTEN",
            "listener=LISTEN client=ESTABLISHED server=ESTABLISHED",
        ],
    );
    assert_holds(&stdout, "server-binds");

    // The test's own socket listening without bind gets a port too, from the kernel, and a
    // client asking for the reserved number (bound, not listening) does not find it.
    let unbound = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
    unbound.listen(1).expect("listen without bind");
    let picked = unbound.local_addr().ok().and_then(|a| a.as_socket());
    assert!(
        picked.is_some_and(|a| a.port() != 0 && a.port() != port),
        "{picked:?}"
    );
    let refused = TcpStream::connect(("127.0.0.1", port)).expect_err("nobody listens there");
    assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);
}

/// Rule 3, when the fixed port is taken: the lesson says the rule was not shown, and why.
#[test]
fn server_binds_on_a_taken_port_says_not_shown() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
    let port = taken.local_addr().expect("bound address").port();
    let stdout = run(&["server-binds", "--port", &port.to_string()]);
    assert!(
        observed(&stdout, &format!("bind 127.0.0.1:{port}")).starts_with("Err(AddrInUse"),
        "{stdout}"
    );
    assert!(
        stdout.contains("结论 verdict: server-binds 未验证 not shown"),
        "{stdout}"
    );
}

/// Rule 4: receiving or sending on the listening socket fails; the accepted socket talks.
#[test]
fn listening_socket_cannot_talk_but_accepted_one_can() {
    let stdout = run(&["listener-passive"]);
    assert!(
        observed(&stdout, "recv on the listening socket").starts_with("Err(NotConnected"),
        "{stdout}"
    );
    assert!(
        observed(&stdout, "send on the listening socket").starts_with("Err("),
        "{stdout}"
    );
    assert_eq!(
        observed(&stdout, "send on the accepted socket"),
        "Ok(17 bytes)"
    );
    assert_eq!(observed(&stdout, "client recv"), "Ok(17 bytes)");
    assert_eq!(
        observed(&stdout, "recv on the accepted socket"),
        "Ok(10 bytes)"
    );
    assert_states(
        &stdout,
        &["listener=LISTEN client=ESTABLISHED server=ESTABLISHED"],
    );
    assert_holds(&stdout, "listener-passive");

    // The test's own listening socket is just as passive.
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
    listener.listen(1).expect("listen");
    let mut buffer = [std::mem::MaybeUninit::new(0u8); 16];
    let error = listener
        .recv(&mut buffer)
        .expect_err("a listener cannot recv");
    assert_eq!(error.kind(), ErrorKind::NotConnected);
    assert!(listener.send(b"hi").is_err());
}

/// Rule 5: closing the accepted socket makes the client's recv return 0 bytes; the listener
/// still accepts the next client; the server, which closed first, ends in TIME_WAIT.
#[test]
fn closing_the_accepted_socket_reads_as_zero_bytes() {
    let stdout = run(&["close-accepted"]);
    assert_eq!(
        observed(&stdout, "client recv after the server closed"),
        "Ok(0 bytes)"
    );
    assert!(
        observed(&stdout, "listener still accepts, next client").starts_with("127.0.0.1:"),
        "{stdout}"
    );
    assert_states(
        &stdout,
        &[
            "client=ESTABLISHED server=ESTABLISHED",
            "client=CLOSE_WAIT server=FIN_WAIT2",
            "listener=LISTEN",
            "client=CLOSED server=TIME_WAIT",
        ],
    );
    assert_holds(&stdout, "close-accepted");

    // The test's own server closes its accepted stream; the client reads 0; the listener lives on.
    let (listener, mut client, server) = connected_pair();
    drop(server);
    let mut buffer = [0u8; 16];
    assert_eq!(client.read(&mut buffer).expect("a clean close"), 0);
    let next = TcpStream::connect(listener.local_addr().expect("address"));
    assert!(next.is_ok() && listener.accept().is_ok());
}

/// Rule 6: after the listener closes, a new client is refused while the connected one still
/// talks both ways.
#[test]
fn closing_the_listener_refuses_new_clients_only() {
    let stdout = run(&["close-listener"]);
    assert!(
        observed(&stdout, "a new client connects after the listener closed")
            .starts_with("Err(ConnectionRefused"),
        "{stdout}"
    );
    for what in [
        "connected client send",
        "server recv",
        "server send",
        "connected client recv",
    ] {
        assert_eq!(observed(&stdout, what), "Ok(4 bytes)", "{what}");
    }
    assert_states(
        &stdout,
        &[
            "listener=LISTEN client=ESTABLISHED server=ESTABLISHED",
            "listener=CLOSED",
            "client=ESTABLISHED server=ESTABLISHED",
        ],
    );
    assert_holds(&stdout, "close-listener");

    // The same with the test's own sockets.
    let (listener, mut client, mut server) = connected_pair();
    let address = listener.local_addr().expect("address");
    drop(listener);
    let refused = TcpStream::connect(address).expect_err("no one listens any more");
    assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);
    let mut buffer = [0u8; 4];
    client
        .write_all(b"ping")
        .expect("the connection outlives the listener");
    server.read_exact(&mut buffer).expect("both ways");
    server.write_all(b"pong").expect("both ways");
    client.read_exact(&mut buffer).expect("both ways");
    assert_eq!(&buffer, b"pong");
}

/// Rule 7: the client's close reads as 0 bytes at the server, and the server's at the client;
/// the side that closes first goes FIN_WAIT2 then TIME_WAIT, the other CLOSE_WAIT.
#[test]
fn close_reads_as_zero_bytes_both_ways() {
    let stdout = run(&["close-both-ways"]);
    assert_eq!(
        observed(&stdout, "server recv after the client closed"),
        "Ok(0 bytes)"
    );
    assert_eq!(
        observed(&stdout, "client recv after the server closed"),
        "Ok(0 bytes)"
    );
    assert_states(
        &stdout,
        &[
            "client1=ESTABLISHED server1=ESTABLISHED",
            "client1=FIN_WAIT2 server1=CLOSE_WAIT",
            "client1=TIME_WAIT server1=CLOSED",
            "client2=ESTABLISHED server2=ESTABLISHED",
            "client2=CLOSE_WAIT server2=FIN_WAIT2",
            "client2=CLOSED server2=TIME_WAIT",
        ],
    );
    assert_holds(&stdout, "close-both-ways");

    // The test's own pair: the client closes, the server reads 0, and the kernel agrees.
    let (_listener, client, mut server) = connected_pair();
    let (client_addr, server_addr) = ends(&client);
    drop(client);
    let mut buffer = [0u8; 16];
    assert_eq!(server.read(&mut buffer).expect("a clean close"), 0);
    if cfg!(target_os = "linux") {
        let client_state = state(client_addr, server_addr, Some(TcpState::FinWait2));
        assert_eq!(client_state, Some(TcpState::FinWait2));
        let server_state = state(server_addr, client_addr, Some(TcpState::CloseWait));
        assert_eq!(server_state, Some(TcpState::CloseWait));
        drop(server);
        let client_state = state(client_addr, server_addr, Some(TcpState::TimeWait));
        assert_eq!(client_state, Some(TcpState::TimeWait));
    }
    // And the other way round.
    let (_listener, mut client, server) = connected_pair();
    drop(server);
    assert_eq!(client.read(&mut buffer).expect("a clean close"), 0);
}

/// Rule 8: closing with unread data sends a reset: the peer's recv fails with ConnectionReset
/// and neither end lingers; reading everything first gives the normal 0 bytes.
#[test]
fn closing_with_unread_data_resets() {
    let stdout = run(&["reset-unread"]);
    assert_eq!(
        observed(&stdout, "server peek: bytes waiting unread"),
        "Ok(27 bytes)"
    );
    assert!(
        observed(&stdout, "client recv after the server closed").starts_with("Err(ConnectionReset"),
        "{stdout}"
    );
    assert_eq!(
        observed(&stdout, "control: client recv after the server closed"),
        "Ok(0 bytes)"
    );
    assert_states(
        &stdout,
        &[
            "client=ESTABLISHED server=ESTABLISHED",
            "client=CLOSED server=CLOSED",
        ],
    );
    assert_holds(&stdout, "reset-unread");

    // The test's own pair: bytes waiting unread (peek waits until they are there), then close.
    let (_listener, mut client, server) = connected_pair();
    client.write_all(b"unread").expect("send on loopback");
    let mut buffer = [0u8; 16];
    assert!(server.peek(&mut buffer).expect("the bytes arrive") > 0);
    drop(server);
    let error = client
        .read(&mut buffer)
        .expect_err("a reset, not a clean close");
    assert_eq!(error.kind(), ErrorKind::ConnectionReset);
}

/// Rule 9: after `shutdown(Write)` the peer reads 0 bytes, this side can no longer send, and it
/// still receives what the peer sends.
#[test]
fn half_close_peer_reads_zero_and_this_side_still_receives() {
    let stdout = run(&["half-close"]);
    assert_eq!(observed(&stdout, "client shutdown(Write)"), "Ok(())");
    assert_eq!(observed(&stdout, "server recv"), "Ok(0 bytes)");
    assert!(
        observed(&stdout, "client send after shutdown(Write)").starts_with("Err(BrokenPipe"),
        "{stdout}"
    );
    assert_eq!(observed(&stdout, "server send"), "Ok(20 bytes)");
    assert_eq!(observed(&stdout, "client recv"), "Ok(20 bytes)");
    assert_states(
        &stdout,
        &[
            "client=ESTABLISHED server=ESTABLISHED",
            "client=FIN_WAIT2 server=CLOSE_WAIT",
            "client=TIME_WAIT server=CLOSED",
        ],
    );
    assert_holds(&stdout, "half-close");

    // The test's own pair, as mini-redis checks a half-close.
    let (_listener, mut client, mut server) = connected_pair();
    client
        .shutdown(Shutdown::Write)
        .expect("shutdown on loopback");
    let mut buffer = [0u8; 16];
    assert_eq!(server.read(&mut buffer).expect("the FIN reads as 0"), 0);
    server
        .write_all(b"still here")
        .expect("the server may still send");
    let mut reply = [0u8; 10];
    client
        .read_exact(&mut reply)
        .expect("the client still receives");
    assert_eq!(&reply, b"still here");
}

/// Rule 10: writing to a peer that has gone: the first write succeeds, a later one returns
/// BrokenPipe or ConnectionReset, and the process lives on (SIGPIPE is ignored).
#[test]
fn writing_to_a_gone_peer_fails_later_not_fatally() {
    // libtest, like every Rust program, ignores SIGPIPE, and an ignored signal stays ignored
    // across exec: started from here, the lesson would inherit "ignore". On Linux, start it with
    // SIGPIPE at its default action (terminate), so only its own runtime can keep it alive.
    #[cfg(target_os = "linux")]
    let stdout = {
        let output = with_default_sigpipe(&harness::binary("lesson5"))
            .arg("write-gone-peer")
            .output()
            .expect("run lesson5 through env(1)");
        assert!(
            output.status.success(),
            "lesson5 started with SIGPIPE at its default action: {:?}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("the lesson prints UTF-8")
    };
    // Elsewhere there is no env --default-signal to rely on: macOS's socket2 sockets set
    // SO_NOSIGPIPE, and Windows has no SIGPIPE (see the page's platform notes).
    #[cfg(not(target_os = "linux"))]
    let stdout = run(&["write-gone-peer"]);
    assert_eq!(observed(&stdout, "client send #1"), "Ok(14 bytes)");
    let later = [
        observed(&stdout, "client send #2"),
        observed(&stdout, "client send #3"),
    ];
    assert!(
        later
            .iter()
            .any(|o| o.starts_with("Err(BrokenPipe") || o.starts_with("Err(ConnectionReset")),
        "{later:?}"
    );
    if cfg!(target_os = "linux") {
        assert_eq!(
            observed(&stdout, "SIGPIPE ignored by this process (SigIgn)"),
            "true"
        );
    }
    assert_states(
        &stdout,
        &[
            "client=ESTABLISHED server=ESTABLISHED",
            "client=CLOSE_WAIT server=FIN_WAIT2",
            "client=CLOSED server=CLOSED",
        ],
    );
    assert_holds(&stdout, "write-gone-peer");

    // The test's own pair: the first write after the peer closed succeeds; writes then fail
    // (as soon as the peer's reset is back), with an error, not a signal.
    let (_listener, mut client, server) = connected_pair();
    drop(server);
    let mut buffer = [0u8; 16];
    assert_eq!(client.peek(&mut buffer).expect("the FIN arrives"), 0);
    client
        .write_all(b"are you there?")
        .expect("the first write is accepted");
    let deadline = Instant::now() + SETTLE;
    let error = loop {
        // Bounded: waits for the reset's arrival, an event, not for a fixed time.
        match client.write(b"hello?") {
            Err(error) => break error,
            Ok(_) if Instant::now() < deadline => continue,
            Ok(_) => panic!("no write failed within {SETTLE:?}"),
        }
    };
    assert!(
        matches!(
            error.kind(),
            ErrorKind::BrokenPipe | ErrorKind::ConnectionReset
        ),
        "{error:?}"
    );
}

/// A command that starts `program` with SIGPIPE at its default action, whatever this process
/// does with it: GNU env(1)'s `--default-signal` resets it just before exec. Checked, not assumed:
/// the child's `SigIgn` mask must not have SIGPIPE's bit, while this test process's has it.
#[cfg(target_os = "linux")]
fn with_default_sigpipe(program: &std::path::Path) -> std::process::Command {
    let probe = std::process::Command::new("env")
        .args(["--default-signal=PIPE", "cat", "/proc/self/status"])
        .output()
        .expect("env and cat are part of every Linux system");
    let child_status = String::from_utf8_lossy(&probe.stdout);
    assert!(
        kernel::sigpipe_ignored().expect("Linux has /proc"),
        "a Rust test process ignores SIGPIPE"
    );
    let child_ignores = kernel::sigpipe_ignored_in(&child_status);
    assert!(
        probe.status.success() && child_ignores == Some(false),
        "env --default-signal=PIPE gives its child the default action:\n{child_status}"
    );
    let mut command = std::process::Command::new("env");
    command.arg("--default-signal=PIPE").arg(program);
    command
}

/// Rule 10 in three languages, each started with SIGPIPE at its default action, writing to a
/// peer whose reset is already back: C dies of the signal (exit status 141 in a shell:
/// 128 + 13), Python raises BrokenPipeError (CPython ignores SIGPIPE at startup), Rust's write
/// returns BrokenPipe (Rust's runtime ignores it before `main`). Linux only: `env
/// --default-signal` and the `/proc` check are Linux's; C and Python skip, clearly, without
/// `cc` or `python3`.
#[cfg(target_os = "linux")]
#[test]
fn sigpipe_kills_c_python_raises_rust_returns_an_error() {
    use std::os::unix::process::ExitStatusExt;

    if let Some(cc) = harness::tools::tool(
        "cc",
        "lesson5::sigpipe_kills_c_python_raises_rust_returns_an_error (C)",
    ) {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sigpipe");
        std::fs::create_dir_all(&dir).expect("create a directory under target/tmp");
        let source = dir.join("gone_peer.c");
        std::fs::write(&source, GONE_PEER_C).expect("write the C source");
        let program = dir.join("gone_peer");
        let compiled = std::process::Command::new(cc)
            .arg(&source)
            .arg("-o")
            .arg(&program)
            .status()
            .expect("run the C compiler");
        assert!(compiled.success(), "the C program compiles");
        let (status, stdout) = against_a_peer_that_leaves(with_default_sigpipe(&program));
        assert_eq!(
            status.signal(),
            Some(13),
            "C is killed by SIGPIPE: {status:?}\n{stdout}"
        );
        assert!(
            stdout.contains("write #1: 14"),
            "the first write succeeds:\n{stdout}"
        );
        assert!(!stdout.contains("survived"), "{stdout}");
    }
    if let Some(python) = harness::tools::tool(
        "python3",
        "lesson5::sigpipe_kills_c_python_raises_rust_returns_an_error (Python)",
    ) {
        let mut command = with_default_sigpipe(&python);
        command.args(["-c", GONE_PEER_PY]);
        let (status, stdout) = against_a_peer_that_leaves(command);
        assert!(status.success(), "Python lives on: {status:?}\n{stdout}");
        assert!(stdout.contains("SIGPIPE ignored: True"), "{stdout}");
        assert!(stdout.contains("send #1: 14"), "{stdout}");
        assert!(stdout.contains("BrokenPipeError"), "{stdout}");
    }
    let output = with_default_sigpipe(&harness::binary("lesson5"))
        .arg("write-gone-peer")
        .output()
        .expect("run lesson5 through env(1)");
    assert!(
        output.status.success(),
        "Rust lives on: {:?}",
        output.status
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        observed(&stdout, "client send #2").starts_with("Err(BrokenPipe"),
        "{stdout}"
    );
}

/// Runs `command` with the port of a fresh listener as its last argument; the listener accepts
/// it and closes at once. Returns how the program ended and what it printed.
#[cfg(target_os = "linux")]
fn against_a_peer_that_leaves(
    mut command: std::process::Command,
) -> (std::process::ExitStatus, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
    let port = listener.local_addr().expect("bound address").port();
    let child = command
        .arg(port.to_string())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the program");
    let (accepted, _) = listener.accept().expect("the program connects");
    // The program reads until this FIN, writes once (the reset comes back), then writes again.
    drop(accepted);
    let output = child.wait_with_output().expect("wait for the program");
    (
        output.status,
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// C: read until the peer's FIN, write once, wait (poll) for the peer's reset, write twice more.
#[cfg(target_os = "linux")]
const GONE_PEER_C: &str = r#"
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    struct sockaddr_in server = {0};
    server.sin_family = AF_INET;
    server.sin_port = htons(atoi(argv[argc - 1]));
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof server) < 0) {
        perror("connect");
        return 2;
    }
    char buffer[64];
    while (read(fd, buffer, sizeof buffer) > 0) {
    }
    printf("write #1: %zd\n", write(fd, "are you there?", 14));
    fflush(stdout);
    struct pollfd reset = {.fd = fd, .events = 0};
    poll(&reset, 1, 30000);
    for (int i = 2; i <= 3; i++) {
        ssize_t n = write(fd, "hello?", 6);
        printf("write #%d: %zd %s\n", i, n, n < 0 ? strerror(errno) : "");
        fflush(stdout);
    }
    printf("survived\n");
    return 0;
}
"#;

/// Python, as the notes write it: the same steps as the C program.
#[cfg(target_os = "linux")]
const GONE_PEER_PY: &str = r#"
import select, signal, socket, sys
print("SIGPIPE ignored:", signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN, flush=True)
tcp_client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp_client_socket.connect(("127.0.0.1", int(sys.argv[-1])))
while tcp_client_socket.recv(64):
    pass
print("send #1:", tcp_client_socket.send(b"are you there?"), flush=True)
reset = select.poll()
reset.register(tcp_client_socket, 0)
reset.poll(30000)
try:
    tcp_client_socket.send(b"hello?")
    tcp_client_socket.send(b"anyone?")
    print("no error")
except OSError as error:
    print(type(error).__name__, error)
"#;

/// "recv returns 0: the peer closed" has fine print. First: the 0 is the peer's FIN, and it comes
/// after every byte sent before it: the data is read first, then 0, then 0 again.
#[test]
fn zero_bytes_come_after_the_data_sent_before_the_close() {
    let (_listener, mut client, mut server) = connected_pair();
    server.write_all(b"last words").expect("send on loopback");
    drop(server);
    let mut reply = Vec::new();
    client
        .read_to_end(&mut reply)
        .expect("the data, then the FIN as 0 bytes");
    assert_eq!(reply, b"last words");
    let mut buffer = [0u8; 16];
    assert_eq!(client.read(&mut buffer).expect("still the FIN"), 0);
}

/// A peer that sends nothing, and no FIN, never makes `recv` return 0: it blocks until a
/// timeout ends the wait (here `set_read_timeout`; a crashed host or a cut cable looks the same,
/// and then only a timeout or TCP keepalive ends it). On Unix the timeout is `WouldBlock`
/// (EAGAIN), on Windows `TimedOut` (WSAETIMEDOUT).
#[test]
fn a_silent_peer_blocks_recv_until_a_timeout() {
    let (_listener, client, _server) = connected_pair();
    client
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("a non-zero timeout is valid");
    let mut buffer = [0u8; 16];
    let error = (&client)
        .read(&mut buffer)
        .expect_err("no data and no FIN: only the timeout ends the wait");
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error:?}"
    );
}

/// Closing one of two descriptors of a socket sends nothing: the FIN goes out when the last one
/// closes. That is the notes' process variant, where a child's `close` leaves the parent's copy
/// open; here the copy is `try_clone` (dup(2)), which shares the socket as fork(2) does. Then the
/// course's own process variant (`lesson4 --processes`), on Linux: its parent closes its copy of
/// the accepted socket at once, and the connection stays open (that close was not the last);
/// the child's close when the client leaves is the last, and sends the FIN, which the kernel's
/// table shows as the server's end leaving CLOSE_WAIT once the child has ended.
#[test]
fn a_shared_socket_sends_its_fin_only_at_the_last_close() {
    let (_listener, client, server) = connected_pair();
    let parent_copy = server.try_clone().expect("dup the server's socket");
    drop(server);
    client
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("a non-zero timeout is valid");
    let mut buffer = [0u8; 16];
    let error = (&client)
        .read(&mut buffer)
        .expect_err("one copy closed: no FIN yet");
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error:?}"
    );
    drop(parent_copy);
    client
        .set_read_timeout(Some(SETTLE))
        .expect("a non-zero timeout is valid");
    assert_eq!(
        (&client)
            .read(&mut buffer)
            .expect("the last close sends the FIN"),
        0
    );
    #[cfg(target_os = "linux")]
    the_process_variant_closes_last_in_the_child();
}

/// The second half of the test above, with lesson 4's `--processes`: a child per client, the
/// accepted socket handed over as its standard input.
#[cfg(target_os = "linux")]
fn the_process_variant_closes_last_in_the_child() {
    use harness::notes::{connect, gbk, round_trip};

    let (mut lesson4, address) = harness::server("lesson4", &["--processes"]);
    let mut client = connect(address);
    round_trip(&mut client, &gbk("你好"));
    let (client_end, server_end) = ends(&client);
    let parent = i32::try_from(lesson4.id()).expect("Linux process ids fit in an i32");
    let children = harness::procs::children(parent);
    assert_eq!(children.len(), 1, "one child serves the one client");
    // The parent's close (at spawn) was not the last: no FIN, the connection is open.
    assert_eq!(
        kernel::state_of(server_end, client_end).expect("Linux has the kernel's table"),
        Some(TcpState::Established),
        "the parent closed its copy, the child holds the socket"
    );
    client
        .shutdown(Shutdown::Write)
        .expect("half-close a connected socket");
    lesson4.expect_line(&format!("client offline: {client_end}"));
    harness::procs::await_ended(&children);
    // An ended process's sockets are closed: the child's close was the last, so the FIN went
    // out (LAST_ACK, then no row at all). A parent holding a copy would leave CLOSE_WAIT.
    let seen = kernel::state_of(server_end, client_end).expect("Linux has the kernel's table");
    assert!(
        seen != Some(TcpState::CloseWait),
        "the child ended, yet the server's end of {client_end} is in CLOSE_WAIT: another copy of \
         the socket is still open (did lesson 4's parent keep one?)"
    );
    let mut buffer = [0u8; 16];
    assert_eq!(
        client
            .read(&mut buffer)
            .expect("the child's close sends the FIN"),
        0
    );
}

/// After a reset, Linux still hands over the bytes that arrived before it, then reports
/// `ConnectionReset` once, then 0 bytes: a 0 after an error is not a clean close.
#[cfg(target_os = "linux")]
#[test]
fn after_a_reset_the_data_then_connection_reset_then_zero() {
    let (_listener, mut client, server) = connected_pair();
    let (client_end, server_end) = ends(&client);
    let mut server = server;
    server
        .write_all(b"before the reset")
        .expect("send on loopback");
    // Close with SO_LINGER 0: the kernel sends RST instead of FIN.
    socket2::SockRef::from(&server)
        .set_linger(Some(Duration::ZERO))
        .expect("SO_LINGER");
    drop(server);
    // Wait for the RST to arrive: the client's connection leaves the kernel's table.
    assert_eq!(
        state(client_end, server_end, None),
        None,
        "the reset ends the connection"
    );
    let mut buffer = [0u8; 64];
    let read = client
        .read(&mut buffer)
        .expect("the data that came before the reset");
    assert_eq!(&buffer[..read], b"before the reset");
    let error = client.read(&mut buffer).expect_err("then the reset");
    assert_eq!(error.kind(), ErrorKind::ConnectionReset);
    assert_eq!(client.read(&mut buffer).expect("then 0 bytes"), 0);
}

/// Rule 11, the contrast with UDP: no connection (sending to a port where nobody is succeeds),
/// each datagram keeps its boundaries (3, 4 and 0 bytes arrive as 3, 4 and 0), an empty
/// datagram is data and not a close, and closing the sender sends nothing: the receiver's
/// `recvfrom` only times out. TCP, for contrast, hands over two sends in one `recv`.
#[test]
fn udp_keeps_boundaries_and_has_no_close() {
    let stdout = run(&["udp-contrast"]);
    assert_eq!(
        observed(&stdout, "sendto a port where nobody is"),
        "Ok(7 bytes)"
    );
    for (number, length) in [(1, 3), (2, 4), (3, 0)] {
        assert_eq!(
            observed(&stdout, &format!("receiver recvfrom #{number}")),
            format!("Ok({length} bytes)"),
            "{stdout}"
        );
    }
    let after = observed(&stdout, "receiver recvfrom after the sender closed");
    assert!(
        after.starts_with("Err(WouldBlock") || after.starts_with("Err(TimedOut"),
        "{stdout}"
    );
    assert_eq!(
        observed(&stdout, "TCP: one recv after send(3) and send(4)"),
        "Ok(7 bytes)"
    );
    assert_holds(&stdout, "udp-contrast");

    // The test's own UDP sockets.
    let receiver = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind on loopback");
    let sender = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind on loopback");
    let address = receiver.local_addr().expect("bound address");
    for datagram in [&b"one"[..], b"two!", b""] {
        sender
            .send_to(datagram, address)
            .expect("sendto on loopback");
    }
    let mut buffer = [0u8; 64];
    let lengths: Vec<usize> = (0..3)
        .map(|_| receiver.recv_from(&mut buffer).expect("a datagram").0)
        .collect();
    assert_eq!(lengths, [3, 4, 0], "each datagram keeps its boundaries");
    drop(sender);
    receiver
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("a non-zero timeout is valid");
    let error = receiver
        .recv_from(&mut buffer)
        .expect_err("a closed UDP sender sends nothing");
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error:?}"
    );
}

/// Without a name, all twelve run in the notes' order and a summary ends the run, a verdict per
/// experiment, each showing its rule held and the states it saw, every line within a terminal's
/// 100 columns (a CJK character takes two).
#[test]
fn all_experiments_run_in_order_with_a_summary() {
    let (_reserve, port) = reserved_port();

    let stdout = run(&["--port", &port.to_string()]);
    let headers: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("== 规则 "))
        .filter_map(|rest| rest.split(": ").nth(1))
        .map(|name| name.trim_end_matches(" =="))
        .collect();
    assert_eq!(headers, NAMES, "stdout was:\n{stdout}");
    let summary = stdout
        .split("总结 summary:")
        .nth(1)
        .unwrap_or_else(|| panic!("no summary in:\n{stdout}"));
    let verdicts: Vec<&str> = summary
        .lines()
        .filter_map(|line| line.strip_prefix("规则 rule "))
        .collect();
    assert_eq!(verdicts.len(), NAMES.len(), "{summary}");
    for (number, (verdict, name)) in verdicts.iter().zip(NAMES).enumerate() {
        let expected = format!("{} {name}: 成立 holds", number + 1);
        assert_eq!(*verdict, expected, "{summary}");
    }
    assert!(
        summary
            .lines()
            .all(|line| harness::width(line) <= harness::MAX_COLUMNS),
        "every summary line fits a terminal:\n{summary}"
    );
    if cfg!(target_os = "linux") {
        assert!(
            summary.contains("client1 ESTABLISHED→FIN_WAIT2→TIME_WAIT"),
            "{summary}"
        );
    }
}

/// `--list` names every experiment, in order.
#[test]
fn list_names_every_experiment() {
    let stdout = run(&["--list"]);
    // An experiment's line starts with its number; the English under it does not.
    let names: Vec<&str> = stdout
        .lines()
        .filter(|line| line.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .filter_map(|line| line.split_whitespace().nth(1))
        .collect();
    assert_eq!(names, NAMES);
    // Each with its rule beside it, its own, in Chinese and then English under it.
    let rules: BTreeSet<String> = stdout
        .lines()
        .filter(|line| line.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .map(|line| {
            line.split_whitespace()
                .skip(2)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|rule| !rule.is_empty())
        .collect();
    assert_eq!(
        rules.len(),
        NAMES.len(),
        "a rule of its own for each\n{stdout}"
    );
    assert!(
        stdout.contains("客户端要和服务端通信，必须先建立连接")
            && stdout.contains("a client must connect before it can talk"),
        "rule 1 as the notes state it\n{stdout}"
    );
}

/// A name that is not an experiment gets one clear error listing the valid ones, exit code 2.
#[test]
fn a_bad_name_lists_the_valid_ones() {
    let mut assert = command("lesson5").arg("close-everything").assert().code(2);
    for name in NAMES {
        assert = assert.stderr(predicate::str::contains(name));
    }
    assert
        .stderr(predicate::str::contains(
            "没有名为 'close-everything' 的实验",
        ))
        .stderr(predicate::str::contains("panicked").not());
}

/// `--help` explains every option and names the experiments, Chinese first.
#[test]
fn help_explains_every_option() {
    harness::cli::assert_help(
        "lesson5",
        "第 5 课",
        &["--list", "--port", "write-gone-peer"],
    );
}

/// What the lesson printed for `what`, whether on the same line after ` -> ` or, where the
/// line would be wider than a terminal, on the next line after `-> `.
fn observed_maybe_wrapped(stdout: &str, what: &str) -> String {
    let marker = format!("观察 observed: {what}");
    let mut lines = stdout.lines().map(str::trim_start);
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix(&marker) {
            if let Some(value) = rest.strip_prefix(" -> ") {
                return value.to_owned();
            }
            if rest.is_empty() {
                let next = lines.next().unwrap_or_default();
                if let Some(value) = next.strip_prefix("-> ") {
                    return value.to_owned();
                }
            }
        }
    }
    panic!("expected a line starting {marker:?}, got:\n{stdout}")
}

/// The numbers rule 12 printed after `观察 observed: WHAT -> `.
fn count_observed(stdout: &str, what: &str) -> usize {
    let text = observed_maybe_wrapped(stdout, what);
    text.parse()
        .unwrap_or_else(|_| panic!("expected a count after {what:?}, got {text:?}:\n{stdout}"))
}

/// Rule 12: the end that closes first keeps TIME_WAIT. Twenty short connections, each closed
/// first by the client, leave twenty TIME_WAIT rows on the client's side and none on the
/// server's; the same twenty messages on one kept connection leave one. The test reads the
/// kernel's table itself after the lesson has exited (TIME_WAIT outlives the process, 60 s on
/// Linux): 21 rows toward the lesson's server, every one in TIME_WAIT, none on the server's
/// port. Linux only: the kernel's table is `/proc/net/tcp`.
#[cfg(target_os = "linux")]
#[test]
fn a_client_that_closes_first_keeps_a_time_wait_per_short_connection() {
    let stdout = run(&["client-time-wait"]);
    assert_holds(&stdout, "client-time-wait");
    assert_eq!(
        count_observed(&stdout, "short connections made"),
        20,
        "{stdout}"
    );
    let counts = [
        "TIME_WAIT, client ends of the short ones",
        "TIME_WAIT, server ends of the short ones",
        "TIME_WAIT, the kept connection's client end",
        "messages answered on the one kept connection",
        "server ends that read 0 bytes, then closed",
    ]
    .map(|what| count_observed(&stdout, what));
    assert_eq!(counts, [20, 0, 1, 20, 21], "{stdout}");

    let server: SocketAddr = observed_maybe_wrapped(&stdout, "server listening on")
        .parse()
        .expect("the lesson prints its server's address");
    let rows = kernel::connections().expect("Linux has the kernel's table");
    let toward_server: Vec<_> = rows.iter().filter(|row| row.remote == server).collect();
    assert_eq!(
        toward_server.len(),
        21,
        "20 short and 1 kept: {toward_server:#?}"
    );
    assert!(
        toward_server
            .iter()
            .all(|row| row.state == TcpState::TimeWait),
        "{toward_server:#?}"
    );
    assert!(
        !rows
            .iter()
            .any(|row| row.local.port() == server.port() && row.state == TcpState::TimeWait),
        "the server closed second and holds no TIME_WAIT"
    );
}

/// Rule 12, run out: in a network namespace of its own whose ephemeral range is 40000-40009,
/// the lesson's listener and its kept connection take two ports, eight short connections the
/// rest, and the ninth `connect` fails with AddrNotAvailable (EADDRNOTAVAIL); SO_REUSEADDR set
/// before the next `connect` changes nothing; the kept connection still carries all twenty
/// messages. The namespace also sets `tcp_tw_reuse` to 0: Linux's default, 2, lets `connect`
/// take a TIME_WAIT port toward a loopback peer again a second later, which would make the
/// run depend on the clock; toward another machine that exception does not apply. The machine's
/// own settings are never touched. Linux only, as root with `unshare` and `ip`.
#[cfg(target_os = "linux")]
#[test]
fn ephemeral_ports_run_out_and_so_reuseaddr_does_not_help() {
    const TEST: &str = "lesson5::ephemeral_ports_run_out_and_so_reuseaddr_does_not_help";
    if harness::tools::tool("unshare", TEST).is_none() || harness::tools::tool("ip", TEST).is_none()
    {
        return;
    }
    let allowed = std::process::Command::new("unshare")
        .args(["--net", "true"])
        .status()
        .is_ok_and(|status| status.success());
    if !allowed {
        harness::tools::skip(TEST, "unshare 需要 root 权限 / unshare needs root here");
        return;
    }
    let script = "ip link set lo up \
        && echo '40000 40009' > /proc/sys/net/ipv4/ip_local_port_range \
        && echo 0 > /proc/sys/net/ipv4/tcp_tw_reuse \
        && exec \"$0\" client-time-wait";
    let mut unshare = std::process::Command::new("unshare");
    unshare
        .args(["--net", "sh", "-c", script])
        .arg(harness::binary("lesson5"));
    let output = assert_cmd::Command::from_std(unshare)
        .timeout(harness::TIMEOUT)
        .output()
        .expect("unshare runs");
    harness::assert_output_fits("lesson5 client-time-wait, ports run out", &output);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        observed_maybe_wrapped(&stdout, "ephemeral port range")
            .starts_with("40000-40009 (10 ports)"),
        "{stdout}"
    );
    assert!(
        observed_maybe_wrapped(&stdout, "connect #9").starts_with("Err(AddrNotAvailable"),
        "{stdout}"
    );
    assert!(
        observed_maybe_wrapped(&stdout, "connect again, SO_REUSEADDR set")
            .starts_with("Err(AddrNotAvailable"),
        "{stdout}"
    );
    let counts = [
        "short connections made",
        "TIME_WAIT, client ends of the short ones",
        "TIME_WAIT, server ends of the short ones",
        "messages answered on the one kept connection",
        "TIME_WAIT, the kept connection's client end",
        "server ends that read 0 bytes, then closed",
    ]
    .map(|what| count_observed(&stdout, what));
    assert_eq!(counts, [8, 8, 0, 20, 1, 9], "{stdout}");
    assert_holds(&stdout, "client-time-wait");
}

/// A reader who closes the pipe at once (`lesson5 --list | head -1`) gets no panic: the
/// lesson prints through course, which carries on past a closed stdout, and ends as usual.
#[test]
fn a_closed_stdout_is_no_panic() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = std::process::Command::new(harness::binary("lesson5"))
        .args(["--list"])
        .stdout(writer)
        .output()
        .expect("the lesson starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "lesson5 --list:\n{stderr}");
    assert!(output.status.success(), "lesson5 --list:\n{stderr}");
}
