//! Exercise 2, the single-shot server: the check is the client, so it sees every byte the
//! server sends and when it closes. It starts the server as the notes do, with `--host ::1`,
//! and on a port another server holds, and sends a message of its own too: a server that
//! ignores its command line, binds every address or prints a fixed text fails one of them.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};

use super::{
    Check, Checker, MESSAGE, REPLY, a_used_port_is_one_friendly_line, connect, describe,
    error_text, family_refused, gbk, listener_on, listening_address, listens_only_on,
    read_at_least, read_some, send,
};
use crate::program::{Program, quoted};
use crate::verdict::Failure;

pub const CHECKS: &[Check] = &[
    Check {
        title: "绑定、监听：打印 listening on 地址，这个地址接受连接 / binds and listens: prints \"listening on ADDR\", and ADDR accepts connections",
        run: listens,
    },
    Check {
        title: "听从 --host：--host ::1 时只在 [::1] 上监听，在那里服务一个客户端 / follows --host: with --host ::1 it listens on [::1] only, and serves a client there",
        run: listens_on_the_host_given,
    },
    Check {
        title: "服务一个客户端：收下 GBK 消息，回复 GBK 的 ok，关闭连接，退出 / serves one client: takes the GBK message, replies ok in GBK, closes, exits",
        run: serves_one_client,
    },
    Check {
        title: "打印客户端的地址和解码后的消息 / prints the client's address and the decoded message",
        run: prints_what_it_received,
    },
    Check {
        title: "端口已被另一个服务端占用：一行友好的错误，退出码 1 / a port another server holds: one friendly error line, exit 1",
        run: a_used_port,
    },
];

/// A message of the check's own: a server that prints a fixed text instead of what it
/// received prints the notes' message, not this one.
const OWN_MESSAGE: &str = "第二位客户：在吗？";

fn listens(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_at(&mut program, "3")?;
    listens_only_on(address, Ipv4Addr::LOCALHOST.into(), "2")?;
    connect(address, "3")?;
    Ok(())
}

fn listens_on_the_host_given(checker: &mut Checker) -> Result<(), Failure> {
    let host = IpAddr::from(Ipv6Addr::LOCALHOST);
    if listener_on(host)?.is_none() {
        checker.not_checked(
            "这台机器没有 ::1（IPv6 关掉了）：自己用 --host ::1 启动，再连 [::1] \
             / this machine has no ::1 (IPv6 is off): start it with --host ::1 and connect to [::1] yourself",
        );
        return Ok(());
    }
    let mut program = checker.start(&["--host", "::1", "--port", "0"])?;
    let address = listening_at(&mut program, "3")?;
    listens_only_on(address, host, "2")?;
    exchange_with(&mut program, address, OWN_MESSAGE)?;
    exits_cleanly(&mut program)
}

/// The step that binds, before the listen step `step` (exercise 4 sets SO_REUSEADDR first).
fn bind_step(step: &'static str) -> &'static str {
    match step {
        "4" => "3",
        _ => "2",
    }
}

fn a_used_port(checker: &mut Checker) -> Result<(), Failure> {
    a_used_port_is_one_friendly_line(checker, "2")
}

/// [`listening_address`], where a socket of the wrong family for `address` (an IPv4 socket
/// asked to bind `::1`, say) is step 1's, not the listen step's, and an address bind refused
/// before anything listened (`0.0.0.0` given to an IPv6 socket: InvalidInput) is the bind's.
pub fn listening_at(program: &mut Program, step: &'static str) -> Result<SocketAddr, Failure> {
    listening_address(program, step).map_err(|failure| {
        let stderr = program.stderr_text();
        if stderr.contains("InvalidInput") && failure.step == Some(step) {
            Failure::new(
                failure.expected,
                format!(
                    "{}；bind 拒绝了给它的地址（和套接字的地址族不同）：绑定的不是 address \
                     / bind refused the address it was given (not the socket's family): it was not address",
                    failure.got
                ),
            )
            .step(bind_step(step))
        } else if family_refused(&stderr) {
            Failure::new(
                failure.expected,
                format!(
                    "{}；bind 拒绝了这个地址族：套接字的地址族要跟随 address（IPv4 或 IPv6）\
                     / bind refused the family: the socket's family must follow address (IPv4 or IPv6)",
                    failure.got
                ),
            )
            .step("1")
        } else {
            failure
        }
    })
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
    let client = exchange_with(&mut program, address, OWN_MESSAGE)?;
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
    let wanted = format!("received text: {OWN_MESSAGE}");
    if !printed(&wanted).is_some_and(|line| line.ends_with(&wanted)) {
        return Err(Failure::new(
            format!("打印解码后的消息 / print the message decoded: {OWN_MESSAGE:?}"),
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
    exchange_with(program, address, MESSAGE)
}

/// [`exchange`], with `message` instead of the notes' message.
pub fn exchange_with(
    program: &mut Program,
    address: SocketAddr,
    message: &str,
) -> Result<SocketAddr, Failure> {
    let mut client = connect(address, "3")?;
    let local = client
        .local_addr()
        .map_err(|error| super::io_failure("客户端的地址 the client's address", &error))?;
    program
        .expect_line(
            "client address",
            "accept 之后打印“client address: 地址”（已经写好）/ print \"client address: ADDR\" after accept (already written)",
        )
        .map_err(|failure| failure.step("4"))?;
    // The server has accepted and should now wait in recv. One that replies first has sent its
    // reply by now or is about to: look, without waiting, before sending anything.
    if let Some(early) = arrived_already(&client) {
        return Err(Failure::new(
            "先 recv 收下客户端的消息，再回复 / receive the client's message with recv first, then reply",
            format!(
                "检查还什么都没发，就收到了 before the check sent anything, it received {}",
                describe(&early)
            ),
        )
        .step("5"));
    }
    send(&mut client, &gbk(message))?;
    let wanted = gbk(REPLY);
    let (reply, ended) = read_at_least(&mut client, wanted.len());
    if reply != wanted {
        let waited = matches!(&ended, Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut));
        if reply.is_empty() && !waited {
            // The server ended the connection with no reply: it is ending too, most likely (a
            // panic, an error). Its last lines tell how far it got; have them all.
            let _ = program.wait_exit("");
        }
        program.drain();
        let got = match (&reply[..], ended) {
            ([], Ok(())) => "连接被关闭了，没有回复 the connection closed with no reply".to_owned(),
            ([], Err(error)) => error_text(&error),
            (bytes, _) => format!("收到 received {}", describe(bytes)),
        };
        let step = if reply.is_empty() {
            missing_step(program.stdout(), message)
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
    received_then_replied(program, message)?;
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

/// Bytes the server has sent already, if any, read without waiting.
fn arrived_already(client: &TcpStream) -> Option<Vec<u8>> {
    client.set_nonblocking(true).ok()?;
    let mut buffer = [0u8; 1024];
    let peeked = client.peek(&mut buffer);
    client.set_nonblocking(false).ok()?;
    match peeked {
        Ok(read @ 1..) => Some(buffer[..read].to_vec()),
        _ => None,
    }
}

/// The server's own lines say it took the whole message in its recv (step 5) before it sent
/// the reply (step 7): a reply sent first reaches a client that sent its message early too.
/// Its lines arrive in the order it printed them, so when "sent" has arrived, a "received"
/// printed before it has too.
fn received_then_replied(program: &mut Program, message: &str) -> Result<(), Failure> {
    let length = gbk(message).len();
    let expected = format!(
        "recv 一次收下整条消息，打印“received {length} 字节 bytes”，然后才回复（打印“sent …”）\
         / recv takes the whole message and prints \"received {length} 字节 bytes\", and only then replies (prints \"sent …\")"
    );
    let sent = program
        .expect_line("sent ", &expected)
        .map_err(|failure| failure.step("7"))?;
    let before: Vec<&String> = program
        .stdout()
        .iter()
        .take_while(|line| **line != sent)
        .collect();
    let received = before
        .iter()
        .find(|line| line.contains("received ") && line.contains("字节"));
    match received {
        None => Err(Failure::new(
            expected,
            format!("它先回复，后接收 it replied before it received: 在 before {sent:?} 之前没有打印“received … 字节 bytes” it printed no \"received … 字节 bytes\""),
        )
        .step("5")),
        Some(line) if !line.contains(&format!("received {length} 字节")) => Err(Failure::new(
            expected,
            format!("打印了 printed {line:?}"),
        )
        .step("5")),
        Some(_) => Ok(()),
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
fn missing_step(stdout: &[String], message: &str) -> &'static str {
    let printed = |needle: &str| stdout.iter().any(|line| line.contains(needle));
    let whole = format!("received {} 字节", gbk(message).len());
    if !printed("client address") {
        "4"
    } else if !printed(&whole) {
        // Not received, or not all of it (or nothing at all: no recv, say).
        "5"
    } else if !printed("received text") {
        "6"
    } else {
        "7"
    }
}

fn last_printed(program: &Program) -> String {
    match program.stdout().last() {
        Some(line) => format!("；它最后打印 it last printed: {}", quoted(line)),
        None => String::new(),
    }
}
