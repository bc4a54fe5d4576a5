//! Exercise 5, a close or a reset: the check's server ends the connection one way or the other,
//! and the student's client must say which.

use std::net::TcpStream;
use std::time::Duration;

use socket2::SockRef;

use super::{
    Check, Checker, MESSAGE, describe, error_text, gbk, io_failure, read_at_least, send,
    start_client_and_accept,
};
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
];

fn the_peer_closes(checker: &mut Checker) -> Result<(), Failure> {
    let (mut program, mut connection) = start_client_and_accept(checker, &[])?;
    the_message(&mut connection)?;
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
    the_message(&mut connection)?;
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

/// Reads the client's message, which must be the notes' message in GBK (step 3).
fn the_message(connection: &mut TcpStream) -> Result<(), Failure> {
    let wanted = gbk(MESSAGE);
    let (received, ended) = read_at_least(connection, wanted.len());
    if received == wanted {
        return Ok(());
    }
    let got = match (&received[..], ended) {
        ([], Ok(())) => "连接关闭了，什么也没发 the connection closed with nothing sent".to_owned(),
        ([], Err(error)) => error_text(&error),
        (bytes, _) => format!("收到 received {}", describe(bytes)),
    };
    Err(Failure::new(
        format!(
            "收到 {MESSAGE:?} 的 GBK 编码，{len} 字节 / the GBK encoding of {MESSAGE:?}, {len} bytes",
            len = wanted.len()
        ),
        got,
    )
    .step("3"))
}
