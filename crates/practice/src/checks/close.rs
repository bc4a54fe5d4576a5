//! Exercise 5, a close or a reset: the check's server ends the connection one way or the other,
//! and the student's client must say which.

use std::net::{Ipv6Addr, TcpStream};
use std::time::Duration;

use socket2::SockRef;

use super::{
    Check, Checker, MESSAGE, describe, error_text, gbk, io_failure, read_at_least, send,
    start_client_and_accept, start_client_at,
};
use crate::program::Program;
use crate::verdict::Failure;

/// What the check's server sends before it closes normally.
const GOODBYE: &str = "再见";

pub const CHECKS: &[Check] = &[
    Check {
        title: "对方正常关闭：打印收到的数据，然后“peer closed”，退出码 0 / the peer closes: prints what arrived, then \"peer closed\", exits 0",
        run: the_peer_closes,
    },
    Check {
        title: "对方重置连接：打印“connection reset”，退出码 0 / the peer resets: prints \"connection reset\", exits 0",
        run: the_peer_resets,
    },
    Check {
        title: "听从命令行：--host ::1 时用 IPv6 连到 [::1]，发送命令行给的消息 / follows its command line: with --host ::1 it connects to [::1], and sends the message given",
        run: follows_its_command_line,
    },
];

/// A message of the check's own, longer than the notes' (see [`the_message`]): a client that
/// sends a fixed text sends the notes' message.
const OWN_MESSAGE: &str = "第三个问题：作业要交给哪一位老师？";

fn the_peer_closes(checker: &mut Checker) -> Result<(), Failure> {
    let (mut program, mut connection) = start_client_and_accept(checker, &[])?;
    the_message(&mut connection, MESSAGE)?;
    closes(&mut program, connection)
}

fn follows_its_command_line(checker: &mut Checker) -> Result<(), Failure> {
    let started = start_client_at(checker, Ipv6Addr::LOCALHOST.into(), &[OWN_MESSAGE])?;
    let Some((mut program, mut connection)) = started else {
        return Ok(());
    };
    the_message(&mut connection, OWN_MESSAGE)?;
    closes(&mut program, connection)
}

/// Says goodbye and closes normally; the client must print both and exit with code 0.
fn closes(program: &mut Program, mut connection: TcpStream) -> Result<(), Failure> {
    send(&mut connection, &gbk(GOODBYE))?;
    // Everything it sent has been read, so this close is an orderly FIN.
    drop(connection);

    let expected = "收到 0 字节：打印“peer closed”，结束循环，退出码 0 / on 0 bytes: print \"peer closed\", leave the loop, exit 0";
    let status = program
        .wait_exit(expected)
        .map_err(|failure| failure.step("5"))?;
    let printed = |needle: &str| program.stdout().iter().any(|line| line.contains(needle));
    if !printed(&format!(
        "received {} 字节 bytes: {GOODBYE}",
        gbk(GOODBYE).len()
    )) {
        return Err(program
            .failure(&format!("打印收到的 {GOODBYE:?}（“收到 received 4 字节 bytes: {GOODBYE}”）/ print the {GOODBYE:?} that arrived"))
            .step("5"));
    }
    if !printed("peer closed") || printed("connection reset") || !status.success() {
        return Err(program.failure(expected).step("5"));
    }
    Ok(())
}

fn the_peer_resets(checker: &mut Checker) -> Result<(), Failure> {
    let (mut program, mut connection) = start_client_and_accept(checker, &[])?;
    the_message(&mut connection, MESSAGE)?;
    // SO_LINGER 0: close sends a reset (RST), not a FIN (lesson 5, rule 8).
    SockRef::from(&connection)
        .set_linger(Some(Duration::ZERO))
        .map_err(|error| io_failure("设置 set SO_LINGER 0", &error))?;
    drop(connection);

    let expected = "recv 返回 ConnectionReset 错误：打印“connection reset”，结束循环，退出码 0（不要用 ? 把它当成失败）\
                    / recv fails with ConnectionReset: print \"connection reset\", leave the loop, exit 0 (not ? as a failure)";
    let status = program
        .wait_exit(expected)
        .map_err(|failure| failure.step("5"))?;
    let printed = |needle: &str| program.stdout().iter().any(|line| line.contains(needle));
    if !printed("connection reset") || printed("peer closed") || !status.success() {
        // The reset escaped, through ? or a panic: step 4 keeps recv's io::Result in hand.
        let step = if status.success() { "5" } else { "4" };
        return Err(program.failure(expected).step(step));
    }
    Ok(())
}

/// Reads the client's message, which must be `message` in GBK (step 3).
fn the_message(connection: &mut TcpStream, message: &str) -> Result<(), Failure> {
    let wanted = gbk(message);
    // The notes' message is shorter than the check's own: stop there, as the client then
    // waits for more from the check.
    let default = gbk(MESSAGE);
    let (received, ended) = read_at_least(connection, wanted.len().min(default.len()));
    let (received, ended) = if received.len() < wanted.len() && received != default {
        let (more, ended) = read_at_least(connection, wanted.len() - received.len());
        ([received, more].concat(), ended)
    } else {
        (received, ended)
    };
    if received == wanted {
        return Ok(());
    }
    let fixed = if received == default {
        "；这是讲义的默认消息：没有发送 args.message / the notes' default message: it did not send args.message"
    } else {
        ""
    };
    let got = match (&received[..], ended) {
        ([], Ok(())) => "连接关闭了，什么也没发 the connection closed with nothing sent".to_owned(),
        ([], Err(error)) => error_text(&error),
        (bytes, _) => format!("收到 received {}{fixed}", describe(bytes)),
    };
    Err(Failure::new(
        format!(
            "收到 {message:?} 的 GBK 编码，{len} 字节 / the GBK encoding of {message:?}, {len} bytes",
            len = wanted.len()
        ),
        got,
    )
    .step("3"))
}
