//! Exercise 10, the tokio server: clients of the check's own talk to it at once and leave,
//! then the check sends SIGINT (Ctrl-C) and expects every client closed with a FIN, each
//! task's line, and exit code 0.

use std::io::ErrorKind;
use std::net::{SocketAddr, TcpStream};
use std::process::Command;

use super::{
    Check, Checker, THREADED_REPLY, connect, error_text, gbk, io_failure, listening_address,
    read_some, reply_to,
};
use crate::program::Program;
use crate::verdict::Failure;

pub const CHECKS: &[Check] = &[
    Check {
        title: "同时服务两个客户端，每个都能收发多次，离开时打印 client offline / two clients at once, several messages each, and client offline when one leaves",
        run: two_clients_at_once,
    },
    Check {
        title: "Ctrl-C（SIGINT）：每个客户端都收到 FIN，程序以退出码 0 结束 / Ctrl-C (SIGINT): every client gets a FIN, and the program exits with code 0",
        run: ctrl_c_closes_gracefully,
    },
];

fn two_clients_at_once(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut a = connect(address, "7")?;
    ask(&mut program, &mut a, "第一条")?;
    let mut b = connect(address, "7")?;
    ask(&mut program, &mut b, "第二条，A 还连着")?;
    ask(&mut program, &mut a, "第三条")?;
    let a_address = local(&a)?;
    drop(a);
    program
        .expect_line(
            &format!("client offline: {a_address}"),
            &format!(
                "A 关闭后，read 返回 0 字节：打印“client offline: {a_address}” / after A closes, read returns 0 bytes: \
                 print \"client offline: {a_address}\""
            ),
        )
        .map_err(|failure| failure.step("9"))?;
    ask(&mut program, &mut b, "B 还在")
}

fn ctrl_c_closes_gracefully(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut clients = Vec::new();
    for text in ["A", "B"] {
        let mut client = connect(address, "7")?;
        ask(&mut program, &mut client, text)?;
        clients.push(client);
    }
    if !interrupt(&program) {
        checker.not_checked(
            "这里没法给程序发 Ctrl-C。请在运行服务端的终端里自己按 Ctrl-C：每个客户端都应读到 0 字节，程序以退出码 0 结束 \
             / Ctrl-C cannot be sent to the program here. Press Ctrl-C in the server's terminal yourself: every client \
             should read 0 bytes, and the program should exit with code 0",
        );
        return Ok(());
    }
    for client in &mut clients {
        let me = local(client)?;
        let closed = format!("closed {me}");
        let expected = format!(
            "Ctrl-C 之后，{me} 的任务用 shutdown 关闭连接：客户端读到 0 字节（FIN），服务端打印“{closed}” / after Ctrl-C, \
             the task of {me} closes its connection with shutdown: the client reads 0 bytes (a FIN), and the server \
             prints \"{closed}\""
        );
        let got = match read_some(client) {
            Ok(bytes) if bytes.is_empty() => None,
            Ok(bytes) => Some(format!(
                "又收到了 received more: {}",
                super::describe(&bytes)
            )),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => {
                Some("连接被重置（RST），不是 FIN / a reset (RST), not a FIN".to_owned())
            }
            Err(error) => Some(format!(
                "连接没有关闭 the connection stayed open: {}",
                error_text(&error)
            )),
        };
        // The task's own line: a server that ends without telling its tasks closes the
        // sockets as it exits, and prints none.
        let told = program.expect_line(&closed, &expected);
        match (got, told) {
            (None, Ok(_)) => {}
            (Some(got), Ok(_)) => return Err(Failure::new(expected, got).step("11")),
            (got, Err(failure)) => {
                let got = match got {
                    Some(got) => format!("{got}；{}", failure.got),
                    None => failure.got,
                };
                return Err(Failure::new(expected, got).step("12"));
            }
        }
    }
    let expected = "每个任务都结束了，程序以退出码 0 结束 / every task ended, and the program exits with code 0";
    let status = program
        .wait_exit(expected)
        .map_err(|failure| failure.step("12"))?;
    if let Some(line) = program
        .stdout()
        .iter()
        .find(|line| line.contains("did not finish in time"))
    {
        return Err(Failure::new(
            "关闭连接后，任务结束（break）/ after closing its connection, a task ends (break)",
            format!("服务端打印了 the server printed {line:?}"),
        )
        .step("11"));
    }
    if status.code() != Some(0) {
        return Err(Failure::new(expected, program.what_happened()).step("12"));
    }
    Ok(())
}

/// Sends `message` and expects the notes' reply. When none came, the server's lines say
/// whether it read the message (then the reply is missing: 10) or not (8).
fn ask(program: &mut Program, stream: &mut TcpStream, message: &str) -> Result<(), Failure> {
    let Err(no_reply) = reply_to(program, stream, &gbk(message), THREADED_REPLY)? else {
        return Ok(());
    };
    let me = local(stream)?;
    let read = program
        .stdout()
        .iter()
        .any(|line| line.contains(&format!("from {me}: {message}")));
    let step = if no_reply.nothing_arrived && !read {
        "8"
    } else {
        "10"
    };
    Err(Failure::new(
        format!("发送 {message:?}，回复 {THREADED_REPLY:?} / send {message:?}, get the reply {THREADED_REPLY:?}"),
        no_reply.got,
    )
    .step(step))
}

/// Sends the program SIGINT, as Ctrl-C in its terminal would (Unix); whether it was sent.
fn interrupt(program: &Program) -> bool {
    cfg!(unix)
        && Command::new("kill")
            .args(["-INT", &program.id().to_string()])
            .status()
            .is_ok_and(|status| status.success())
}

fn local(stream: &TcpStream) -> Result<SocketAddr, Failure> {
    stream
        .local_addr()
        .map_err(|error| io_failure("客户端的地址 the client's address", &error))
}
