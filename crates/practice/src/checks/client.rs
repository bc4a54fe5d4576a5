//! Exercise 1, the client: the check is the server, so it sees every byte the client sends.

use super::{
    Check, Checker, MESSAGE, REPLY, describe, error_text, gbk, loopback_listener, port_of,
    read_at_least, send, start_client_and_accept,
};
use crate::verdict::Failure;

pub const CHECKS: &[Check] = &[
    Check {
        title: "连接、发送 GBK 编码的消息、打印解码后的回复 / connects, sends the message in GBK, prints the decoded reply",
        run: sends_gbk_and_prints_the_reply,
    },
    Check {
        title: "没有服务端时，报一行友好的错误，而不是崩溃 / with no server, one friendly error line, not a panic",
        run: no_server_is_one_friendly_line,
    },
];

fn sends_gbk_and_prints_the_reply(checker: &mut Checker) -> Result<(), Failure> {
    let (mut program, mut connection) = start_client_and_accept(checker, &[MESSAGE])?;

    let wanted = gbk(MESSAGE);
    let (received, ended) = read_at_least(&mut connection, wanted.len());
    if received != wanted {
        let expected = format!(
            "收到 {MESSAGE:?} 的 GBK 编码，{len} 字节 / the GBK encoding of {MESSAGE:?}, {len} bytes",
            len = wanted.len()
        );
        let got = match (&received[..], ended) {
            ([], Ok(())) => {
                "连接关闭了，什么也没发 the connection closed with nothing sent".to_owned()
            }
            ([], Err(error)) => error_text(&error),
            (bytes, _) => format!("收到 received {}", describe(bytes)),
        };
        let step = if received.is_empty() { "3.2" } else { "3.1" };
        return Err(Failure::new(expected, got).step(step));
    }

    send(&mut connection, &gbk(REPLY))?;
    // The reply has been sent, and nothing more will come: a client still waiting is in a
    // second recv.
    let status = program
        .wait_exit("收到回复后退出 / exit after the reply")
        .map_err(|failure| failure.step("4.1"))?;
    let wanted = gbk(REPLY).len();
    if let Some((count, line)) = received_count(program.stdout())
        && count != wanted
    {
        return Err(Failure::new(
            format!(
                "一次 recv 收下整个回复：检查发了 {wanted} 字节，最多收 1024 字节 \
                 / one recv takes the whole reply: the check sent {wanted} bytes, receive up to 1024"
            ),
            format!("recv 只收到 {count} 字节 recv took only {count} bytes: {line:?}"),
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
                format!("把回复解码成 {REPLY:?} 再打印 / print the reply decoded: {REPLY:?}"),
                format!(
                    "检查发来 the check sent {}；打印了 printed {line:?}",
                    describe(&gbk(REPLY))
                ),
            )
            .step("4.2"));
        }
        None => {
            return Err(program
                .failure(&format!("打印“reply: {REPLY}” / print \"reply: {REPLY}\""))
                .step("4.1"));
        }
    }
    if !status.success() {
        return Err(program
            .failure("正常退出，退出码 0 / exit with code 0")
            .step("5"));
    }
    Ok(())
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
