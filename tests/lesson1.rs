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
        .stderr(predicate::str::contains("no server is listening"))
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
