//! Exercise 2, the single-shot server: the check is the client, so it sees every byte the
//! server sends and when it closes.

use std::net::SocketAddr;

use super::{
    Check, Checker, MESSAGE, REPLY, connect, describe, error_text, gbk, listening_address,
    read_at_least, read_some, send,
};
use crate::program::Program;
use crate::verdict::Failure;

pub const CHECKS: &[Check] = &[
    Check {
        title: "绑定、监听：打印 listening on 地址，这个地址接受连接 / binds and listens: prints \"listening on ADDR\", and ADDR accepts connections",
        run: listens,
    },
    Check {
        title: "服务一个客户端：收下 GBK 消息，回复 GBK 的 ok，关闭连接，退出 / serves one client: takes the GBK message, replies ok in GBK, closes, exits",
        run: serves_one_client,
    },
    Check {
        title: "打印客户端的地址和解码后的消息 / prints the client's address and the decoded message",
        run: prints_what_it_received,
    },
];

fn listens(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "3")?;
    connect(address, "3")?;
    Ok(())
}

/// Serves one client, the notes' way, and exits with code 0.
pub fn serves_one_client(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "3")?;
    exchange(&mut program, address)?;
    exits_cleanly(&mut program)
}

fn prints_what_it_received(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "3")?;
    let client = exchange(&mut program, address)?;
    exits_cleanly(&mut program)?;
    let printed = |needle: &str| {
        program
            .stdout()
            .iter()
            .find(|line| line.contains(needle))
            .cloned()
    };
    let wanted = format!("client address: {client}");
    if !printed(&wanted).is_some_and(|line| line.ends_with(&wanted)) {
        return Err(Failure::new(
            format!(
                "打印 accept 返回的客户端地址 / print the client address accept returned: {client}"
            ),
            format!(
                "打印了 printed {:?}",
                printed("client address").unwrap_or_default()
            ),
        )
        .step("4"));
    }
    let wanted = format!("received text: {MESSAGE}");
    if !printed(&wanted).is_some_and(|line| line.ends_with(&wanted)) {
        return Err(Failure::new(
            format!("打印解码后的消息 / print the message decoded: {MESSAGE:?}"),
            format!(
                "打印了 printed {:?}",
                printed("received text").unwrap_or_default()
            ),
        )
        .step("6"));
    }
    Ok(())
}

/// The notes' exchange with the student's server at `address`: send the message in GBK, read
/// the reply, and then the server's close. Returns the client's own address.
pub fn exchange(program: &mut Program, address: SocketAddr) -> Result<SocketAddr, Failure> {
    let mut client = connect(address, "3")?;
    let local = client
        .local_addr()
        .map_err(|error| super::io_failure("客户端的地址 the client's address", &error))?;
    send(&mut client, &gbk(MESSAGE))?;
    let wanted = gbk(REPLY);
    let (reply, ended) = read_at_least(&mut client, wanted.len());
    if reply != wanted {
        program.drain();
        let got = match (&reply[..], ended) {
            ([], Ok(())) => "连接被关闭了，没有回复 the connection closed with no reply".to_owned(),
            ([], Err(error)) => error_text(&error),
            (bytes, _) => format!("收到 received {}", describe(bytes)),
        };
        let step = if reply.is_empty() {
            missing_step(program.stdout())
        } else {
            "7"
        };
        return Err(Failure::new(
            format!(
                "回复 {REPLY:?} 的 GBK 字节 / the GBK bytes of {REPLY:?}: {}",
                describe(&wanted)
            ),
            format!("{got}{}", last_printed(program)),
        )
        .step(step));
    }
    match read_some(&mut client) {
        Ok(more) if more.is_empty() => Ok(local),
        Ok(more) => Err(Failure::new(
            "回复之后关闭连接 / close the connection after the reply",
            format!("又收到 more came: {}", describe(&more)),
        )
        .step("8")),
        Err(error) => Err(Failure::new(
            "回复之后关闭连接（客户端的 recv 返回 0）/ close the connection after the reply (the client's recv returns 0)",
            format!("连接没有关闭 the connection stayed open: {}", error_text(&error)),
        )
        .step("8")),
    }
}

/// Waits for the server to exit with code 0, as it should after its one client.
pub fn exits_cleanly(program: &mut Program) -> Result<(), Failure> {
    let expected = "服务完一个客户端后退出，退出码 0 / exit with code 0 after one client";
    let status = program
        .wait_exit(expected)
        .map_err(|failure| failure.step("9"))?;
    if !status.success() {
        return Err(program.failure(expected).step("9"));
    }
    Ok(())
}

/// The first step whose line the server has not printed: how far it got.
fn missing_step(stdout: &[String]) -> &'static str {
    let printed = |needle: &str| stdout.iter().any(|line| line.contains(needle));
    if !printed("client address") {
        "4"
    } else if !printed("字节 bytes") {
        "5"
    } else if !printed("received text") {
        "6"
    } else {
        "7"
    }
}

fn last_printed(program: &Program) -> String {
    match program.stdout().last() {
        Some(line) => format!("；它最后打印 it last printed: {line:?}"),
        None => String::new(),
    }
}
