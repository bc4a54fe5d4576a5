//! The notes' own Python as the peer: programs written the way the notes write them (the same
//! calls, the same names, GBK on the wire) run against the Rust lessons, so that a student who
//! mixes the two sees what these tests see. Each test skips, with a line saying so, where
//! `python3` is not installed (CI installs it and turns the skip into a failure).
//!
//! The notes' programs bind fixed ports (8989, 9090); here the Python server binds port 0 and
//! prints the port the kernel picked, and the Python client takes the port as its argument.
//! Otherwise the programs are the notes' steps, one line each.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;

use harness::notes::{CLIENT_MESSAGE, SERVER_REPLY};
use harness::{command, server};
use predicates::prelude::*;
use wait_timeout::ChildExt;

/// The notes' section-2 server: accept one client, receive, print, reply, close. The encoding
/// is its first argument (the notes write "gbk"); a message that does not decode is reported
/// instead of ending the program with a traceback, so that the test can read what happened.
const NOTES_SERVER: &str = r#"
import socket
import sys

if __name__ == '__main__':
    encoding = sys.argv[1]
    tcp_server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp_server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
    tcp_server_socket.bind(("127.0.0.1", 0))
    tcp_server_socket.listen(128)
    print("listening on", tcp_server_socket.getsockname()[1], flush=True)
    service_client_socket, ip_port = tcp_server_socket.accept()
    recv_data = service_client_socket.recv(1024)
    print("接收的数据长度:", len(recv_data))
    try:
        recv_content = recv_data.decode(encoding)
    except UnicodeDecodeError as error:
        recv_content = "UnicodeDecodeError: " + str(error)
    print("接收客户端的数据为:", recv_content, ip_port)
    send_data = "ok, 问题正在处理中...".encode(encoding)
    service_client_socket.send(send_data)
    service_client_socket.close()
    tcp_server_socket.close()
"#;

/// The notes' section-1 client: connect, send the notes' message in GBK, receive, print, close.
const NOTES_CLIENT: &str = r#"
import socket
import sys

if __name__ == '__main__':
    tcp_client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp_client_socket.connect(("127.0.0.1", int(sys.argv[1])))
    send_data = "你好服务端，我是客户端小黑!".encode("gbk")
    tcp_client_socket.send(send_data)
    recv_data = tcp_client_socket.recv(1024)
    print("接收到的数据长度:", len(recv_data))
    recv_content = recv_data.decode("gbk")
    print("接收服务端的数据为:", recv_content)
    tcp_client_socket.close()
"#;

/// `python3 -c PROGRAM ARGS`, printing UTF-8 whatever the locale or the console says.
fn python(test: &str, program: &str, args: &[&str]) -> Option<Command> {
    let python3 = harness::tools::tool("python3", test)?;
    let mut command = Command::new(python3);
    command
        .arg("-c")
        .arg(program)
        .args(args)
        .env("PYTHONIOENCODING", "utf-8");
    Some(command)
}

/// A Python program running in the background, and the port it said it listens on.
struct PythonServer {
    child: Child,
    port: u16,
    lines: mpsc::Receiver<String>,
}

impl PythonServer {
    /// Starts `command` and waits (at most [`harness::TIMEOUT`]) for its `listening on PORT`.
    fn start(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 was found on PATH, so it starts");
        let stdout = child.stdout.take().expect("stdout was piped above");
        let (sender, lines) = mpsc::channel();
        // Reads to the end, so that the server's later prints never meet a closed pipe.
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let line = lines
            .recv_timeout(harness::TIMEOUT)
            .expect("the Python server prints its port at once");
        let port = line
            .strip_prefix("listening on ")
            .and_then(|port| port.trim().parse().ok())
            .unwrap_or_else(|| panic!("expected 'listening on PORT', got {line:?}"));
        Self { child, port, lines }
    }

    /// Waits for the server to end and returns everything else it printed on stdout.
    fn finish(mut self) -> String {
        let status = self
            .child
            .wait_timeout(harness::TIMEOUT)
            .expect("wait for the Python server")
            .unwrap_or_else(|| panic!("the Python server did not end after one client"));
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        assert!(status.success(), "the Python server failed: {stderr}");
        // The reader ends at EOF, which follows the exit.
        self.lines.iter().collect::<Vec<_>>().join("\n")
    }
}

/// Runs the notes' client against `port` and returns what it printed.
fn notes_client(test: &str, port: u16) -> Option<String> {
    let output = python(test, NOTES_CLIENT, &[&port.to_string()])?
        .output()
        .expect("python3 was found on PATH, so it runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the notes' client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(stdout)
}

/// Lesson 1 against the notes' server: the server decodes lesson 1's GBK bytes into the very
/// text lesson 1 sent, and lesson 1 prints the notes' reply.
#[test]
fn lesson1_talks_to_the_notes_server() {
    let test = "python_peers::lesson1_talks_to_the_notes_server";
    let Some(program) = python(test, NOTES_SERVER, &["gbk"]) else {
        return;
    };
    let notes_server = PythonServer::start(program);
    command("lesson1")
        .args(["--port", &notes_server.port.to_string(), CLIENT_MESSAGE])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("reply: {SERVER_REPLY}")));
    let stdout = notes_server.finish();
    assert!(
        stdout.contains(&format!("接收客户端的数据为: {CLIENT_MESSAGE}")),
        "the notes' server decoded lesson 1's message:\n{stdout}"
    );
}

/// The notes' client against a single-shot lesson server (2 or 3): the server prints the
/// client's text, the client prints the notes' reply, and the server exits 0.
fn notes_client_against_single_shot(package: &str, test: &str) {
    let (mut lesson, address) = server(package, &[]);
    let Some(stdout) = notes_client(test, address.port()) else {
        return;
    };
    lesson.expect_line(CLIENT_MESSAGE);
    assert!(
        stdout.contains(&format!("接收服务端的数据为: {SERVER_REPLY}")),
        "the notes' client decoded {package}'s reply:\n{stdout}"
    );
    assert!(lesson.wait_exit().success(), "{}", lesson.stdout());
}

/// The notes' client against lesson 2.
#[test]
fn notes_client_talks_to_lesson2() {
    notes_client_against_single_shot("lesson2", "python_peers::notes_client_talks_to_lesson2");
}

/// The notes' client against lesson 3.
#[test]
fn notes_client_talks_to_lesson3() {
    notes_client_against_single_shot("lesson3", "python_peers::notes_client_talks_to_lesson3");
}

/// The notes' client against lesson 4: served by a thread, answered with the section-3 reply,
/// and seen going offline when it closes, while the server runs on.
#[test]
fn notes_client_talks_to_lesson4() {
    let test = "python_peers::notes_client_talks_to_lesson4";
    let (mut lesson, address) = server("lesson4", &[]);
    let Some(stdout) = notes_client(test, address.port()) else {
        return;
    };
    lesson.expect_line(CLIENT_MESSAGE);
    lesson.expect_line("client offline");
    assert!(
        stdout.contains("接收服务端的数据为: ok，问题正在处理中..."),
        "the notes' client decoded lesson 4's reply:\n{stdout}"
    );
}

/// Python's gb2312 codec is strict: '镕' (U+9555, in GBK but not in GB2312) cannot be encoded,
/// and its GBK bytes cannot be decoded, while the characters GB2312 has encode to the same
/// bytes as in GBK. Lesson 1's `--encoding gb2312` is encoding_rs's, which maps the label to
/// GBK as the WHATWG standard says: it sends '镕' all the same, and a notes-style server that
/// decodes with Python's gb2312 fails on it.
#[test]
fn python_gb2312_is_stricter_than_the_label_in_lesson1() {
    let test = "python_peers::python_gb2312_is_stricter_than_the_label_in_lesson1";
    let check = r#"
for text, codec in (("镕", "gb2312"), ("镕", "gbk"), ("你好", "gb2312"), ("你好", "gbk")):
    try:
        print(repr(text), codec, text.encode(codec))
    except UnicodeEncodeError as error:
        print(repr(text), codec, "UnicodeEncodeError")
try:
    print("decode", "镕".encode("gbk").decode("gb2312"))
except UnicodeDecodeError:
    print("decode UnicodeDecodeError")
"#;
    let Some(mut program) = python(test, check, &[]) else {
        return;
    };
    let output = program.output().expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "'镕' gb2312 UnicodeEncodeError",
        r"'镕' gbk b'\xe9F'",
        r"'你好' gb2312 b'\xc4\xe3\xba\xc3'",
        r"'你好' gbk b'\xc4\xe3\xba\xc3'",
        "decode UnicodeDecodeError",
    ] {
        assert!(
            stdout.contains(expected),
            "expected {expected:?} in:\n{stdout}"
        );
    }

    // Lesson 1 with --encoding gb2312 sends GBK's bytes for '镕'; a strict gb2312 peer fails.
    let Some(program) = python(test, NOTES_SERVER, &["gb2312"]) else {
        return;
    };
    let notes_server = PythonServer::start(program);
    command("lesson1")
        .args([
            "--port",
            &notes_server.port.to_string(),
            "--encoding",
            "gb2312",
            "镕",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("(GBK)"));
    let stdout = notes_server.finish();
    assert!(
        stdout.contains("接收的数据长度: 2") && stdout.contains("UnicodeDecodeError"),
        "the strict gb2312 server could not decode lesson 1's GBK bytes:\n{stdout}"
    );
    let label = encoding_rs::Encoding::for_label(b"gb2312");
    assert_eq!(
        label,
        Some(encoding_rs::GBK),
        "encoding_rs: gb2312 is a label of GBK"
    );
}
