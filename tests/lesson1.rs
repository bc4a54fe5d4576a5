//! Lesson 1, the client, against a server written here in the test, so that every byte the
//! client sends is checked as it arrives on the socket.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread::{self, JoinHandle};

use encoding_rs::{GBK, UTF_8};
use harness::command;
use harness::notes::gbk;
use predicates::prelude::*;

/// A server on `bind` (port 0) that answers every chunk it receives with `reply(chunk)` until
/// the client closes, and hands back the chunks it received.
fn test_server(
    bind: &str,
    reply: impl Fn(&[u8]) -> Vec<u8> + Send + 'static,
) -> (SocketAddr, JoinHandle<Vec<Vec<u8>>>) {
    let listener = TcpListener::bind(bind).expect("bind a loopback test server");
    let address = listener.local_addr().expect("the test server's address");
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("the lesson connects");
        let mut chunks = Vec::new();
        let mut buffer = [0u8; 1024];
        loop {
            let read = stream.read(&mut buffer).expect("read from the lesson");
            if read == 0 {
                return chunks;
            }
            chunks.push(buffer[..read].to_vec());
            stream
                .write_all(&reply(&buffer[..read]))
                .expect("reply to the lesson");
        }
    });
    (address, handle)
}

fn port_of(address: SocketAddr) -> String {
    address.port().to_string()
}

/// The bytes on the wire are exactly the message's GBK encoding, and the reply prints decoded.
#[test]
fn sends_the_gbk_bytes_and_prints_the_decoded_reply() {
    let (address, server) = test_server("127.0.0.1:0", |_| gbk("ok, 问题正在处理中..."));
    command("lesson1")
        .args(["--port", &port_of(address), "你好，服务端"])
        .assert()
        .success()
        .stdout(predicate::str::contains("reply: ok, 问题正在处理中..."))
        .stdout(predicate::str::contains(r"b'ok, \xce\xca\xcc\xe2"));
    assert_eq!(
        server.join().expect("server thread"),
        vec![gbk("你好，服务端")]
    );
}

/// With no message given, the default greeting is sent, in GBK.
#[test]
fn the_default_message_is_a_chinese_greeting_in_gbk() {
    let (address, server) = test_server("127.0.0.1:0", |_| gbk("好"));
    command("lesson1")
        .args(["--port", &port_of(address)])
        .assert()
        .success();
    let chunks = server.join().expect("server thread");
    let (text, _, had_errors) = GBK.decode(&chunks[0]);
    assert!(!had_errors && text.contains("你好"), "got {text:?}");
}

/// Several messages share one connection, and each is followed by its own reply.
#[test]
fn several_messages_each_get_their_reply_on_one_connection() {
    let (address, server) = test_server("127.0.0.1:0", |chunk| {
        let mut reply = gbk("收到：");
        reply.extend_from_slice(chunk);
        reply
    });
    let output = command("lesson1")
        .args(["--port", &port_of(address), "第一条", "第二条", "第三条"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(output).expect("the lesson prints UTF-8");
    let replies: Vec<&str> = stdout.lines().filter(|l| l.contains("reply:")).collect();
    assert_eq!(
        replies,
        [
            "接收服务端的数据为 reply: 收到：第一条",
            "接收服务端的数据为 reply: 收到：第二条",
            "接收服务端的数据为 reply: 收到：第三条"
        ],
        "stdout was:\n{stdout}"
    );
    let chunks = server.join().expect("server thread");
    assert_eq!(chunks, vec![gbk("第一条"), gbk("第二条"), gbk("第三条")]);
}

/// `--stdin` sends each typed line as one message.
#[test]
fn stdin_lines_are_sent_one_by_one() {
    let (address, server) = test_server("127.0.0.1:0", |_| gbk("好的"));
    command("lesson1")
        .args(["--port", &port_of(address), "--stdin"])
        .write_stdin("早上好\n晚上好\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("reply: 好的").count(2));
    assert_eq!(
        server.join().expect("server thread"),
        vec![gbk("早上好"), gbk("晚上好")]
    );
}

/// `--encoding utf-8` puts UTF-8 on the wire.
#[test]
fn utf8_option_sends_utf8() {
    let (address, server) = test_server("127.0.0.1:0", |_| "好".as_bytes().to_vec());
    command("lesson1")
        .args(["--port", &port_of(address), "--encoding", "utf-8", "你好"])
        .assert()
        .success()
        .stdout(predicate::str::contains("reply: 好"));
    assert_eq!(
        server.join().expect("server thread"),
        vec![UTF_8.encode("你好").0.into_owned()]
    );
}

/// A UTF-8 client reading a GBK reply shows the garbled text a student would see, and says why.
#[test]
fn mismatched_encodings_show_garbled_text() {
    let (address, server) = test_server("127.0.0.1:0", |_| gbk("问题正在处理中"));
    command("lesson1")
        .args(["--port", &port_of(address), "--encoding", "utf-8", "hi"])
        .assert()
        .success()
        .stdout(predicate::str::contains("reply: ").and(predicate::str::contains('\u{FFFD}')))
        .stdout(predicate::str::contains("same encoding"))
        .stdout(predicate::str::contains("问题").not());
    server.join().expect("server thread");
}

/// IPv6 works on `::1` (skipped, saying so, where the machine has no IPv6 loopback).
#[test]
fn ipv6_loopback_works() {
    if TcpListener::bind("[::1]:0").is_err() {
        harness::tools::skip(
            "lesson1::ipv6_loopback_works",
            "this machine has no IPv6 loopback",
        );
        return;
    }
    let (address, server) = test_server("[::1]:0", |_| gbk("好"));
    command("lesson1")
        .args(["--host", "::1", "--port", &port_of(address), "你好"])
        .assert()
        .success()
        .stdout(predicate::str::contains("-> [::1]:"));
    assert_eq!(server.join().expect("server thread"), vec![gbk("你好")]);
}

/// When the server closes after one reply, the client's next receive returns 0 bytes, and the
/// client says so and stops sending: the test's socket, which half-closed and kept reading, sees
/// no byte after its FIN (a third message would be written to a closed connection). The server
/// reads the second message before it closes: closing with it unread would send a reset instead,
/// which is lesson 5's rule 8.
#[test]
fn a_server_that_closes_is_reported_as_zero_bytes() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback test server");
    let address = listener.local_addr().expect("the test server's address");
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("the lesson connects");
        let mut buffer = [0u8; 1024];
        let first = stream.read(&mut buffer).expect("first message");
        stream.write_all(&gbk("只答一次")).expect("reply");
        let second = stream
            .read(&mut buffer)
            .expect("second message, read but not answered");
        // The FIN, as a close sends it, while this side still reads what the client sends.
        stream
            .shutdown(std::net::Shutdown::Write)
            .expect("half-close a connected socket");
        let mut after_fin = Vec::new();
        stream
            .read_to_end(&mut after_fin)
            .expect("read until the client closes");
        (first, second, after_fin)
    });
    let output = command("lesson1")
        .args(["--port", &port_of(address), "一", "二", "三"])
        .assert()
        .success()
        .stdout(predicate::str::contains("reply: 只答一次"))
        .stdout(predicate::str::contains(
            "received 0 bytes: the server closed",
        ))
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8_lossy(&output);
    let (first, second, after_fin) = server.join().expect("server thread");
    assert_eq!((first, second), (2, 2), "one GBK character each");
    assert!(
        after_fin.is_empty() && !stdout.contains(": 三"),
        "after reading 0 bytes the client must stop sending, but the server got {after_fin:?} \
         after its FIN; the client printed:\n{stdout}"
    );
}

/// No server listening: one line saying so and which lesson to start, exit code 1.
#[test]
fn refused_connection_names_the_lesson_to_start() {
    // A port that was just free: bind it, note it, release it.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    command("lesson1")
        .args(["--port", &port.to_string()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no server listens on"))
        .stderr(predicate::str::contains("cargo run -p lesson"))
        .stderr(predicate::str::contains("ConnectionRefused"))
        .stderr(predicate::str::contains("panicked").not());
}

/// Every bad argument gets one clear line and a non-zero exit, never a panic.
#[test]
fn bad_arguments_get_a_clear_line() {
    harness::cli::assert_bad_arguments_refused("lesson1");
}

/// `--help` explains every option, Chinese first.
#[test]
fn help_explains_every_option() {
    harness::cli::assert_help(
        "lesson1",
        "第 1 课",
        &["--host", "--port", "--encoding", "--stdin"],
    );
}

/// The addresses a name resolves to here, in `getaddrinfo`'s order, as the lesson must print
/// them: `A, B` after the resolution line's colon.
fn resolved(name: &str) -> String {
    use std::net::ToSocketAddrs;
    let addresses: Vec<String> = (name, 0)
        .to_socket_addrs()
        .expect("every system resolves localhost")
        .map(|address| address.ip().to_string())
        .collect();
    addresses.join(", ")
}

/// `--host localhost` is looked up as Python's `connect(("localhost", port))` looks it up
/// (`getaddrinfo`): the client prints every address the name resolved to, in order, and its one
/// `connect` goes to the first. Where that is 127.0.0.1 (this machine's `/etc/hosts` says only
/// that), it reaches a server on 127.0.0.1; where `::1` comes first, it is refused there, which
/// `localhost_resolving_to_ipv6_first_is_refused_by_an_ipv4_server` shows on purpose.
#[test]
fn a_host_name_is_resolved_printed_and_its_first_address_used() {
    let (address, server) = test_server("127.0.0.1:0", |_| gbk("好"));
    let expected = resolved("localhost");
    let assert = command("lesson1")
        .args(["--host", "localhost", "--port", &port_of(address), "你好"])
        .assert();
    let output = assert.get_output();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let resolution = format!("主机名解析 resolved 'localhost' (getaddrinfo): {expected}");
    assert!(
        stdout.lines().next() == Some(resolution.as_str())
            || stdout.starts_with(&format!("{resolution}；")),
        "expected the first line to be {resolution:?}, got:\n{stdout}"
    );
    if expected.starts_with("127.0.0.1") {
        assert
            .success()
            .stdout(predicate::str::contains(format!("-> {address}")));
        assert_eq!(server.join().expect("server thread"), vec![gbk("你好")]);
    } else {
        assert
            .code(1)
            .stderr(predicate::str::contains("ConnectionRefused"));
    }
}

/// Runs lesson 1 with `args` under `unshare FLAGS` (a namespace of its own, so nothing it does
/// reaches the machine's), with `hosts` bind-mounted over `/etc/hosts` in its own mount
/// namespace when given. `None` where unshare is missing or not allowed (it needs root).
#[cfg(target_os = "linux")]
fn lesson1_in_namespace(
    test: &str,
    flags: &[&str],
    hosts: Option<&str>,
    args: &[&str],
) -> Option<std::process::Output> {
    harness::tools::tool("unshare", test)?;
    let allowed = std::process::Command::new("unshare")
        .args(flags)
        .arg("true")
        .status()
        .is_ok_and(|status| status.success());
    if !allowed {
        harness::tools::skip(test, "unshare 需要 root 权限 / unshare needs root here");
        return None;
    }
    let hosts_file = tempfile::NamedTempFile::new().expect("a temporary file for /etc/hosts");
    let mut script = String::new();
    if let Some(hosts) = hosts {
        std::fs::write(hosts_file.path(), hosts).expect("write the test's /etc/hosts");
        script.push_str("mount --bind \"$0\" /etc/hosts && ");
    }
    script.push_str("exec \"$@\"");
    let mut unshare = std::process::Command::new("unshare");
    unshare
        .args(flags)
        .args(["sh", "-c", &script])
        .arg(hosts_file.path())
        .arg(harness::binary("lesson1"))
        .args(args);
    let output = assert_cmd::Command::from_std(unshare)
        .timeout(harness::TIMEOUT)
        .output()
        .expect("unshare runs");
    Some(output)
}

/// The classic "connection refused": where `/etc/hosts` lists `::1 localhost` as Debian's does,
/// glibc puts `::1` first (RFC 6724), the client prints both addresses, and its one `connect`
/// to `[::1]:PORT` is refused by a server that listens on 127.0.0.1 alone, while 127.0.0.1
/// reaches it. The test gives the client such a `/etc/hosts` in a mount namespace of its own
/// (this machine's lists only 127.0.0.1); Linux only, as root.
#[cfg(target_os = "linux")]
#[test]
fn localhost_resolving_to_ipv6_first_is_refused_by_an_ipv4_server() {
    const TEST: &str = "lesson1::localhost_resolving_to_ipv6_first_is_refused_by_an_ipv4_server";
    if TcpListener::bind("[::1]:0").is_err() {
        harness::tools::skip(TEST, "this machine has no IPv6 loopback");
        return;
    }
    let (address, server) = test_server("127.0.0.1:0", |_| gbk("好"));
    let port = port_of(address);
    let debian_hosts = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n";
    let args = ["--host", "localhost", "--port", &port];
    let Some(output) = lesson1_in_namespace(TEST, &["--mount"], Some(debian_hosts), &args) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.contains(
            "主机名解析 resolved 'localhost' (getaddrinfo): ::1, 127.0.0.1；用第一个 using the first"
        ),
        "expected both addresses, ::1 first, got:\n{stdout}"
    );
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!("[::1]:{port}")) && stderr.contains("ConnectionRefused"),
        "expected a refusal at [::1]:{port}, got:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The server was there all along, on the name's second address; the client never came.
    drop(std::net::TcpStream::connect(address).expect("127.0.0.1 reaches the test server"));
    let received = server.join().expect("server thread");
    assert!(
        received.is_empty(),
        "the client reached 127.0.0.1: {received:?}"
    );
}

/// A name that does not resolve gets one clear line (the resolver's own words after it) and exit
/// code 2 before any socket is made, never a panic. On Linux as root it runs in a network
/// namespace of its own, so no DNS question leaves the machine (`.invalid` never resolves,
/// RFC 6761).
#[test]
fn a_name_that_does_not_resolve_gets_one_clear_line() {
    const TEST: &str = "lesson1::a_name_that_does_not_resolve_gets_one_clear_line";
    let args = ["--host", "no-such-host.invalid", "--port", "8989"];
    #[cfg(target_os = "linux")]
    let output = lesson1_in_namespace(TEST, &["--net"], None, &args);
    #[cfg(not(target_os = "linux"))]
    let output: Option<std::process::Output> = None;
    let output = output.unwrap_or_else(|| {
        let _ = TEST;
        command("lesson1")
            .args(args)
            .output()
            .expect("lesson1 runs")
    });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("无法解析主机名 no-such-host.invalid")
            && stderr.contains("cannot resolve the host name no-such-host.invalid")
            && stderr.contains("解析器 the resolver:"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.stdout.is_empty(), "no connect was tried");
}

/// Python's `bind(("", port))` is INADDR_ANY, IPv4 only: `--host ""` makes lesson 2 listen on
/// 0.0.0.0, where an IPv6 client (`::1`) is refused and 127.0.0.1 is served.
#[test]
fn an_empty_host_listens_on_ipv4_only_as_in_python() {
    if TcpListener::bind("[::1]:0").is_err() {
        harness::tools::skip(
            "lesson1::an_empty_host_listens_on_ipv4_only_as_in_python",
            "this machine has no IPv6 loopback",
        );
        return;
    }
    let (mut lesson2, address) = harness::server("lesson2", &["--host", ""]);
    assert_eq!(address.ip().to_string(), "0.0.0.0", "{}", lesson2.stdout());
    let port = port_of(address);
    command("lesson1")
        .args(["--host", "::1", "--port", &port])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("ConnectionRefused"));
    command("lesson1")
        .args(["--host", "127.0.0.1", "--port", &port])
        .assert()
        .success();
    lesson2.expect_line("client address: 127.0.0.1:");
}

/// On Linux a socket bound to `::` takes IPv4 clients too (dual stack), because IPV6_V6ONLY
/// starts off (`/proc/sys/net/ipv6/bindv6only` is 0): lesson 2 on `--host ::` serves lesson 1
/// at 127.0.0.1, and `accept` names the client as the IPv4-mapped `[::ffff:127.0.0.1]`. With
/// IPV6_V6ONLY set (the test's own listener), the same client is refused and `::1` is served.
/// Windows starts IPV6_V6ONLY on (Microsoft's docs; not proved here).
#[cfg(target_os = "linux")]
#[test]
fn the_ipv6_any_address_takes_ipv4_clients_unless_v6only_is_set() {
    const TEST: &str = "lesson1::the_ipv6_any_address_takes_ipv4_clients_unless_v6only_is_set";
    if TcpListener::bind("[::1]:0").is_err() {
        harness::tools::skip(TEST, "this machine has no IPv6 loopback");
        return;
    }
    let default =
        course::kernel::sysctl("net.ipv6.bindv6only").expect("Linux with IPv6 has bindv6only");
    if default != "0" {
        harness::tools::skip(TEST, "bindv6only is 1 here: dual stack is off by default");
        return;
    }
    let (mut lesson2, address) = harness::server("lesson2", &["--host", "::"]);
    assert_eq!(address.ip().to_string(), "::", "{}", lesson2.stdout());
    command("lesson1")
        .args(["--host", "127.0.0.1", "--port", &port_of(address)])
        .assert()
        .success();
    lesson2.expect_line("client address: [::ffff:127.0.0.1]:");

    use socket2::{Domain, Socket, Type};
    let v6only = Socket::new(Domain::IPV6, Type::STREAM, None).expect("an IPv6 socket");
    v6only.set_only_v6(true).expect("set IPV6_V6ONLY");
    let any: SocketAddr = "[::]:0".parse().expect("a valid literal");
    v6only.bind(&any.into()).expect("bind [::]:0");
    v6only.listen(8).expect("listen");
    let port = v6only
        .local_addr()
        .ok()
        .and_then(|address| address.as_socket())
        .map(port_of)
        .expect("the listener's port");
    command("lesson1")
        .args(["--host", "127.0.0.1", "--port", &port])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("ConnectionRefused"));
    let listener: TcpListener = v6only.into();
    let (address, server) = {
        let address = listener.local_addr().expect("the listener's address");
        let handle = thread::spawn(move || {
            let (mut stream, peer) = listener.accept().expect("::1 connects");
            let mut buffer = [0u8; 1024];
            let read = stream.read(&mut buffer).expect("read the message");
            stream.write_all(&gbk("好")).expect("reply");
            (peer, buffer[..read].to_vec())
        });
        (address, handle)
    };
    command("lesson1")
        .args(["--host", "::1", "--port", &port_of(address), "你好"])
        .assert()
        .success();
    let (peer, message) = server.join().expect("server thread");
    assert_eq!(peer.ip().to_string(), "::1");
    assert_eq!(message, gbk("你好"));
}
