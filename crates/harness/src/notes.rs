//! The notes' example messages, and the exchanges the servers' tests make with them.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use course::kernel::{self, TcpState};
use encoding_rs::GBK;

use crate::TIMEOUT;

/// The client's message in the notes' section 2.
pub const CLIENT_MESSAGE: &str = "你好服务端，我是客户端小黑!";

/// The single-shot server's reply in the notes' section 2.
pub const SERVER_REPLY: &str = "ok, 问题正在处理中...";

/// The multitasking server's reply in the notes' section 3, sent for every message (lessons 4,
/// 7 and 8).
pub const THREADED_REPLY: &str = "ok，问题正在处理中...";

/// A client of a lesson's server, with [`TIMEOUT`] as its connect and read timeout, so that a
/// server that stops accepting (its listen queue full, its SYNs then retried for minutes) or a
/// missing reply fails the test instead of hanging it.
pub fn connect(server: SocketAddr) -> TcpStream {
    let stream =
        TcpStream::connect_timeout(&server, TIMEOUT).expect("the lesson server is listening");
    stream
        .set_read_timeout(Some(TIMEOUT))
        .expect("a non-zero timeout is valid");
    stream
}

/// The client's own address, as the servers print it.
pub fn address_of(stream: &TcpStream) -> String {
    stream
        .local_addr()
        .expect("a connected socket has an address")
        .to_string()
}

/// Sends `message` to a lesson 4, 7 or 8 server and reads its whole reply, which must be
/// [`THREADED_REPLY`] in GBK.
pub fn round_trip(stream: &mut TcpStream, message: &[u8]) {
    stream.write_all(message).expect("send to the server");
    let mut reply = vec![0u8; gbk(THREADED_REPLY).len()];
    stream
        .read_exact(&mut reply)
        .expect("the server replies to every message");
    assert_eq!(
        reply,
        gbk(THREADED_REPLY),
        "the reply is the notes' text in GBK"
    );
}

/// `text` in GBK, as the notes' programs put it on the wire.
pub fn gbk(text: &str) -> Vec<u8> {
    GBK.encode(text).0.into_owned()
}

/// Connects to a single-shot server (lessons 2 and 3), sends [`CLIENT_MESSAGE`] in GBK and
/// reads until the server has closed, checking the reply is [`SERVER_REPLY`]. Returns the
/// client's address. The server closed first, so its side of the connection is the one that
/// waits in TIME_WAIT; this side closes when the function returns.
pub fn exchange_until_server_closes(server: SocketAddr) -> SocketAddr {
    let mut client = TcpStream::connect(server).expect("the lesson server is listening");
    client
        .set_read_timeout(Some(TIMEOUT))
        .expect("a non-zero timeout is valid");
    let local = client
        .local_addr()
        .expect("a connected socket has an address");
    client
        .write_all(&gbk(CLIENT_MESSAGE))
        .expect("send to the server");
    let mut reply = Vec::new();
    // read_to_end returns only at the server's FIN: the server has closed first.
    client
        .read_to_end(&mut reply)
        .expect("read the reply until the server closes");
    assert_eq!(
        reply,
        gbk(SERVER_REPLY),
        "the reply is the notes' text in GBK"
    );
    local
}

/// Waits, by re-reading the kernel's table (never on a clock), until it reports `state` for
/// the connection `local -> remote`; fails the test with the last state seen after [`TIMEOUT`].
pub fn await_kernel_state(local: SocketAddr, remote: SocketAddr, state: TcpState) {
    let seen = kernel::await_state(local, remote, Some(state), TIMEOUT)
        .expect("Linux exposes the kernel's TCP table");
    assert_eq!(
        seen,
        Some(state),
        "the kernel's state for {local} -> {remote}\n    expected: {state}\n    got:      {seen:?}"
    );
}

/// Runs single-shot server `package` (lesson 2 or 3) on a free port, serves it one exchange,
/// waits for it to exit 0 and for the kernel to hold its side of that connection in TIME_WAIT.
/// Returns the server's address (its port is now the one a restart would want) and the old
/// client's address.
pub fn serve_once_leaving_time_wait(package: &str) -> (SocketAddr, SocketAddr) {
    let (mut server, address) = crate::server(package, &[]);
    let client = exchange_until_server_closes(address);
    let status = server.wait_exit();
    if !status.success() {
        server.fail(&format!("exited with {status} after one exchange"));
    }
    await_kernel_state(address, client, TcpState::TimeWait);
    (address, client)
}

/// Runs lesson 1 against `package`'s single-shot server (lesson 2 or 3), as the notes' section 2
/// does: the server prints the client's address, the exact byte length of the GBK message and
/// its text; the client prints the decoded reply; the server exits 0.
pub fn serves_one_lesson1_client_and_exits(package: &str) {
    let (mut server, address) = crate::server(package, &[]);
    let output = crate::command("lesson1")
        .args(["--port", &address.port().to_string(), CLIENT_MESSAGE])
        .assert()
        .success()
        .stdout(predicates::str::contains(format!("reply: {SERVER_REPLY}")))
        .get_output()
        .stdout
        .clone();
    let client = lesson1_client_address(&String::from_utf8_lossy(&output));
    let line = server.expect_line("client address:");
    assert!(line.ends_with(&format!(": {client}")), "{line}");
    let length = gbk(CLIENT_MESSAGE).len();
    assert_eq!(length, 27, "the notes' message is 27 bytes in GBK");
    server.expect_line(&format!("received {length} 字节 bytes"));
    server.expect_line(&format!("received text: {CLIENT_MESSAGE}"));
    assert!(server.wait_exit().success(), "{}", server.stdout());
}

/// The address lesson 1 prints after `connected: LOCAL -> SERVER`.
pub fn lesson1_client_address(stdout: &str) -> SocketAddr {
    let line = stdout
        .lines()
        .find(|line| line.contains("connected:"))
        .unwrap_or_else(|| panic!("lesson 1 prints its address once connected; got:\n{stdout}"));
    line.split_whitespace()
        .rev()
        .nth(2)
        .and_then(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("no client address in {line:?}"))
}
