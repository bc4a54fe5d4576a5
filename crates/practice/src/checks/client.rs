//! Exercise 1, the client: the check is the server, so it sees every byte the client sends.
//! It starts the client as the notes do, then with `--host ::1` (a server on IPv6), then with
//! a message and an encoding of its own (`--encoding utf-8`): a client that ignores its
//! command line fails one of them.

use std::net::{IpAddr, Ipv6Addr, TcpStream};

use encoding_rs::{Encoding, GBK, UTF_8};

use super::{
    Check, Checker, MESSAGE, REPLY, describe, error_text, loopback_listener, port_of, read_some,
    send, start_client_and_accept, start_client_at,
};
use crate::verdict::Failure;

/// The message of the check's own, which no client sends unless it sends `args.message`.
const OWN_MESSAGE: &str = "第二个问题：今天几点下课？";

pub const CHECKS: &[Check] = &[
    Check {
        title: "连接、发送 GBK 编码的消息、打印解码后的回复 / connects, sends the message in GBK, prints the decoded reply",
        run: sends_gbk_and_prints_the_reply,
    },
    Check {
        title: "听从 --host：--host ::1 时用 IPv6 连到 [::1] / follows --host: with --host ::1 it connects to [::1] over IPv6",
        run: connects_to_the_host_given,
    },
    Check {
        title: "发送命令行给的消息，用 --encoding 给的编码（utf-8）/ sends the message given, in the --encoding given (utf-8)",
        run: sends_the_message_given,
    },
    Check {
        title: "没有服务端时，报一行友好的错误，而不是崩溃 / with no server, one friendly error line, not a panic",
        run: no_server_is_one_friendly_line,
    },
];

/// What one run of the client is given on its command line, and so what the check expects.
struct Run {
    /// `--host`; `None` leaves the default, 127.0.0.1.
    host: Option<IpAddr>,
    /// The message argument; `None` leaves the default, the notes' message.
    message: Option<&'static str>,
    /// `--encoding`, given unless it is the default, GBK.
    encoding: &'static Encoding,
}

fn sends_gbk_and_prints_the_reply(checker: &mut Checker) -> Result<(), Failure> {
    let run = Run {
        host: None,
        message: Some(MESSAGE),
        encoding: GBK,
    };
    exchange(checker, &run)
}

fn connects_to_the_host_given(checker: &mut Checker) -> Result<(), Failure> {
    let run = Run {
        host: Some(Ipv6Addr::LOCALHOST.into()),
        message: None,
        encoding: GBK,
    };
    exchange(checker, &run)
}

fn sends_the_message_given(checker: &mut Checker) -> Result<(), Failure> {
    let run = Run {
        host: None,
        message: Some(OWN_MESSAGE),
        encoding: UTF_8,
    };
    exchange(checker, &run)
}

/// Starts the client as `run` says, takes its message, sends the reply in the run's encoding,
/// and expects the reply printed decoded and an exit with code 0.
fn exchange(checker: &mut Checker, run: &Run) -> Result<(), Failure> {
    let mut extra = Vec::new();
    if run.encoding != GBK {
        extra.extend(["--encoding", "utf-8"]);
    }
    extra.extend(run.message);
    let started = match run.host {
        Some(host) => start_client_at(checker, host, &extra)?,
        None => Some(start_client_and_accept(checker, &extra)?),
    };
    let Some((mut program, mut connection)) = started else {
        return Ok(());
    };
    the_message(&mut connection, run)?;

    let reply = encode(run.encoding, REPLY);
    send(&mut connection, &reply)?;
    // The reply has been sent, and nothing more will come: a client still waiting is in a
    // second recv.
    let status = program
        .wait_exit("收到回复后退出 / exit after the reply")
        .map_err(|failure| failure.step("4.1"))?;
    let wanted = reply.len();
    if let Some((count, line)) = received_count(program.stdout())
        && count != wanted
    {
        return Err(Failure::new(
            format!(
                "一次 recv 收下整个回复：检查发了 {wanted} 字节，最多收 1024 字节 \
                 / one recv takes the whole reply: the check sent {wanted} bytes, receive up to 1024"
            ),
            format!(
                "recv 只收到 {count} 字节 recv took only {}: {line:?}",
                course::count(count, "byte", "bytes")
            ),
        )
        .step("4.1"));
    }
    let reply_line = program
        .stdout()
        .iter()
        .find(|line| line.contains("reply:"))
        .cloned();
    match reply_line {
        Some(line) if line.contains(REPLY) => {}
        Some(line) => {
            return Err(Failure::new(
                format!(
                    "用 {name} 把回复解码成 {REPLY:?} 再打印 / decode the reply with {name} and print {REPLY:?}",
                    name = run.encoding.name()
                ),
                format!(
                    "检查发来 the check sent {}；打印了 printed {line:?}",
                    shown(run.encoding, &reply)
                ),
            )
            .step("4.2"));
        }
        None => {
            // The bytes were received (their line is printed after step 4.1), so what stopped
            // it before the reply's line is the decoding, step 4.2 (a panic, say).
            let step = match received_count(program.stdout()) {
                Some(_) => "4.2",
                None => "4.1",
            };
            return Err(program
                .failure(&format!("打印“reply: {REPLY}” / print \"reply: {REPLY}\""))
                .step(step));
        }
    }
    if !status.success() {
        return Err(program
            .failure("正常退出，退出码 0 / exit with code 0")
            .step("5"));
    }
    Ok(())
}

/// Reads the client's message, which must be the run's message in the run's encoding.
fn the_message(connection: &mut TcpStream, run: &Run) -> Result<(), Failure> {
    let message = run.message.unwrap_or(MESSAGE);
    let wanted = encode(run.encoding, message);
    // What a client that ignores part of its command line sends instead, and why it is wrong.
    let mistakes = [
        (
            encode(GBK, message),
            "这是 GBK 编码：没有用 encoding（--encoding utf-8）/ this is GBK: it did not use encoding (--encoding utf-8)",
        ),
        (
            encode(run.encoding, MESSAGE),
            "这是讲义的默认消息：没有发送 args.message / this is the notes' default message: it did not send args.message",
        ),
        (
            encode(GBK, MESSAGE),
            "这是 GBK 编码的讲义默认消息：没有发送 args.message，也没有用 encoding \
             / the notes' default message in GBK: it sent neither args.message nor used encoding",
        ),
    ];
    let (received, ended) =
        read_message(connection, &wanted, &mistakes.each_ref().map(|m| &m.0[..]));
    if received == wanted {
        return Ok(());
    }
    let expected = format!(
        "收到 {message:?} 的 {name} 编码，{len} 字节 / the {name} encoding of {message:?}, {len} bytes",
        name = run.encoding.name(),
        len = wanted.len()
    );
    let why = mistakes
        .iter()
        .find(|(bytes, _)| *bytes == received && received != wanted)
        .map_or_else(String::new, |(_, why)| format!("；{why}"));
    let got = match (&received[..], ended) {
        ([], Ok(())) => "连接关闭了，什么也没发 the connection closed with nothing sent".to_owned(),
        ([], Err(error)) => error_text(&error),
        (bytes, _) => format!("收到 received {}{why}", shown(run.encoding, bytes)),
    };
    let step = if received.is_empty() { "3.2" } else { "3.1" };
    Err(Failure::new(expected, got).step(step))
}

/// Reads until `wanted` bytes have arrived, the bytes are one of the `mistakes` (the client
/// then waits for the reply, and the check would wait out its bound), or the client closes.
fn read_message(
    connection: &mut TcpStream,
    wanted: &[u8],
    mistakes: &[&[u8]],
) -> (Vec<u8>, std::io::Result<()>) {
    let mut received = Vec::new();
    while received.len() < wanted.len() && !mistakes.contains(&&received[..]) {
        match read_some(connection) {
            Ok(bytes) if bytes.is_empty() => return (received, Ok(())),
            Ok(bytes) => received.extend_from_slice(&bytes),
            Err(error) => return (received, Err(error)),
        }
    }
    (received, Ok(()))
}

fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
    encoding.encode(text).0.into_owned()
}

/// Bytes as the check shows them: GBK's way, or as UTF-8 text when that is what they are.
fn shown(encoding: &'static Encoding, bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if encoding == UTF_8 => {
            format!("{}（UTF-8: {text:?}）", course::bytes_text(bytes))
        }
        _ => describe(bytes),
    }
}

fn no_server_is_one_friendly_line(checker: &mut Checker) -> Result<(), Failure> {
    // A port that was free a moment ago: nothing listens there now.
    let port = port_of(&loopback_listener()?)?;
    let mut program = checker.start(&["--port", &port])?;
    let expected = "连接被拒绝时，用 ? 把错误交给 course::finish：一行友好的错误，退出码 1 \
                    / when the connection is refused, hand the error to course::finish with ?: one friendly line, exit code 1";
    let status = program
        .wait_exit(expected)
        .map_err(|failure| failure.step("2"))?;
    let what = program.what_happened();
    if status.code() != Some(1) || what.contains("panicked") {
        return Err(Failure::new(expected, what).step("2"));
    }
    Ok(())
}

/// The byte count of the line printed after step 4.1, "收到原始字节 received N bytes: …".
fn received_count(stdout: &[String]) -> Option<(usize, String)> {
    stdout.iter().find_map(|line| {
        let (_, after) = line.split_once("received ")?;
        let count = after.split_once(" bytes")?.0.parse().ok()?;
        Some((count, line.clone()))
    })
}
