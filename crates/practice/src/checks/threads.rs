//! Exercise 4, the thread-per-client server: clients of the check's own talk to it at once,
//! leave, and reset their connections, and it serves the next one every time.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};

use socket2::SockRef;

use super::server::listening_at;
use super::{
    Check, Checker, THREADED_REPLY, a_second_server_is_refused, connect, gbk, io_failure,
    listener_on, listening_address, listens_only_on, reply_in, reply_to,
};
use crate::program::Program;
use crate::verdict::Failure;

pub const CHECKS: &[Check] = &[
    Check {
        title: "同时服务两个客户端，每个都能收发多次 / serves two clients at once, several messages each",
        run: two_clients_at_once,
    },
    Check {
        title: "客户端下线：服务端打印 client offline，接着服务下一个客户端 / a client leaves: the server says so and serves the next",
        run: a_client_leaves,
    },
    Check {
        title: "客户端重置连接：只结束那个客户端的线程，服务端照常工作 / a client resets: only its thread ends, the server carries on",
        run: a_client_resets,
    },
    Check {
        title: "听从命令行：--host ::1 时只在 [::1] 上监听，--encoding utf-8 时用 UTF-8 回复 / follows its command line: with --host ::1 it listens on [::1] only, with --encoding utf-8 it replies in UTF-8",
        run: listens_on_the_host_given,
    },
    Check {
        title: "你的服务端正在监听时，第二个在同一个端口上启动：一行友好的错误，退出码 1 / while your server listens, a second one on its port: one friendly error line, exit 1",
        run: a_used_port,
    },
];

fn two_clients_at_once(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_at(&mut program, "4")?;
    listens_only_on(address, Ipv4Addr::LOCALHOST.into(), "3")?;
    let mut a = connect(address, "4")?;
    ask(
        &mut program,
        &mut a,
        "第一条",
        "客户端 A 的第一条消息 / client A's first message",
        "5",
    )?;
    let mut b = connect(address, "4")?;
    ask(
        &mut program,
        &mut b,
        "第二条",
        "客户端 B 的消息，这时 A 还连着（每个客户端一个线程？）/ client B's message while A is still connected (a thread per client?)",
        "6",
    )?;
    ask(
        &mut program,
        &mut a,
        "第三条",
        "客户端 A 的第二条消息（线程里循环接收？）/ client A's second message (does the thread loop?)",
        "7",
    )?;
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
    let args = ["--host", "::1", "--port", "0", "--encoding", "utf-8"];
    let mut program = checker.start(&args)?;
    let address = listening_at(&mut program, "4")?;
    listens_only_on(address, host, "3")?;
    let mut client = connect(address, "4")?;
    let asked = reply_in(
        &mut program,
        &mut client,
        "从 IPv6 来的消息".as_bytes(),
        THREADED_REPLY.as_bytes(),
    )?;
    let Err(no_reply) = asked else {
        return Ok(());
    };
    Err(Failure::new(
        format!(
            "从 [::1] 来的消息：用 --encoding 给的 UTF-8 回复 {THREADED_REPLY:?} \
             / a message from [::1]: the reply {THREADED_REPLY:?} in the --encoding given, UTF-8"
        ),
        no_reply.got,
    )
    .step(if no_reply.nothing_arrived { "5" } else { "9" }))
}

/// Another of its own on the port: its SO_REUSEADDR (step 2) must not let the second listen.
fn a_used_port(checker: &mut Checker) -> Result<(), Failure> {
    a_second_server_is_refused(checker, "4", "3", "2")
}

fn a_client_leaves(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut a = connect(address, "4")?;
    let a_address = local(&a)?;
    ask(
        &mut program,
        &mut a,
        "我先走了",
        "客户端 A 的消息 / client A's message",
        "5",
    )?;
    // A second message first: a thread that served one recv and closed fails here, at once.
    ask(
        &mut program,
        &mut a,
        "再见",
        "客户端 A 的第二条消息（线程里循环接收？）/ client A's second message (does the thread loop?)",
        "7",
    )?;
    drop(a);
    program
        .expect_line(
            &format!("client offline: {a_address}"),
            &format!("A 关闭后，recv 返回 0 字节：打印“client offline: {a_address}” / after A closes, recv returns 0 bytes: print \"client offline: {a_address}\""),
        )
        .map_err(|failure| failure.step("8"))?;
    next_client_is_served(&mut program, address)
}

fn a_client_resets(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut a = connect(address, "4")?;
    let a_address = local(&a)?;
    ask(
        &mut program,
        &mut a,
        "我要重置了",
        "客户端 A 的消息 / client A's message",
        "5",
    )?;
    ask(
        &mut program,
        &mut a,
        "真的",
        "客户端 A 的第二条消息（线程里循环接收？）/ client A's second message (does the thread loop?)",
        "7",
    )?;
    // SO_LINGER 0: close sends a reset (RST) instead of the orderly FIN (lesson 5, rule 8).
    SockRef::from(&a)
        .set_linger(Some(std::time::Duration::ZERO))
        .map_err(|error| io_failure("设置 set SO_LINGER 0", &error))?;
    drop(a);
    let expected = format!(
        "A 重置连接后，recv 返回错误：打印一行“receive failed {a_address}: …”，只结束这个线程 / after A resets, recv fails: print \"receive failed {a_address}: …\" and end only that thread"
    );
    let failed = format!("receive failed {a_address}");
    let offline = format!("client offline: {a_address}");
    // Either line ends the wait: one that says A went offline took the reset for 0 bytes.
    program
        .await_lines(
            |lines| {
                lines
                    .iter()
                    .any(|line| line.contains(&failed) || line.contains(&offline))
            },
            &expected,
        )
        .map_err(|failure| failure.step("7"))?;
    if !program.stdout().iter().any(|line| line.contains(&failed)) {
        return Err(Failure::new(
            expected,
            format!(
                "它打印了“client offline: {a_address}”：把重置当成了正常下线（recv 的错误变成了 0 字节？）\
                 / it printed \"client offline: {a_address}\": it took the reset for an orderly close (recv's \
                 error made into 0 bytes?)"
            ),
        )
        .step("7"));
    }
    next_client_is_served(&mut program, address)
}

/// After a client has gone, the server is still running and answers a new one.
fn next_client_is_served(program: &mut Program, address: SocketAddr) -> Result<(), Failure> {
    let expected =
        "一个客户端走了之后，服务端还在运行 / the server still runs after a client has gone";
    program
        .still_running(expected)
        .map_err(|failure| failure.step("7"))?;
    let mut b = connect(address, "5")?;
    ask(
        program,
        &mut b,
        "下一个",
        "下一个客户端的消息 / the next client's message",
        "5",
    )?;
    program
        .still_running(expected)
        .map_err(|failure| failure.step("7"))
}

/// Sends `message` and expects the notes' reply, in GBK.
fn ask(
    program: &mut Program,
    stream: &mut TcpStream,
    message: &str,
    what: &str,
    step: &'static str,
) -> Result<(), Failure> {
    let Err(no_reply) = reply_to(program, stream, &gbk(message), THREADED_REPLY)? else {
        return Ok(());
    };
    // A reply that is wrong, rather than missing, comes from step 9 (the reply itself).
    let step = if no_reply.nothing_arrived { step } else { "9" };
    Err(Failure::new(
        {
            let (zh, en) = super::languages(what);
            format!("{zh}：回复 {THREADED_REPLY:?} / {en}: gets the reply {THREADED_REPLY:?}")
        },
        no_reply.got,
    )
    .step(step))
}

fn local(stream: &TcpStream) -> Result<SocketAddr, Failure> {
    stream
        .local_addr()
        .map_err(|error| io_failure("客户端的地址 the client's address", &error))
}
