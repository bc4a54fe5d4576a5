//! Exercise 7, the half-close: the check is the server. It reads the client's message until it
//! reads 0 bytes, which only a FIN gives (the client half-closed, or closed), then sends its
//! reply in pieces, each once the client has printed the last one: a client that closed both
//! directions never gets it.

use std::io::{ErrorKind, Write};
use std::net::TcpStream;

use super::{
    Check, Checker, MESSAGE, describe, error_text, gbk, read_some, start_client_and_accept,
};
use crate::program::Program;
use crate::verdict::Failure;

/// The check's reply, long enough to send in pieces that split characters.
const REPLY: &str = "收到了你的全部消息。回复分几次发给你：这是第一段，这是第二段，这是最后一段。";

/// Where the reply's GBK bytes are cut: odd offsets, inside two-byte characters, so the
/// pieces' lengths differ (9, 22 and the rest).
const CUTS: [usize; 2] = [9, 31];

pub const CHECKS: &[Check] = &[
    Check {
        title: "发送消息后半关闭（服务端读到 0 字节），再收下分几次发来的完整回复 / half-closes after the message (the server reads 0 bytes), then receives the whole reply, sent in pieces",
        run: half_close_then_the_whole_reply,
    },
    Check {
        title: "服务端什么也不回就关闭：打印空的回复，退出码 0 / the server closes with no reply: prints an empty reply, exits 0",
        run: no_reply_at_all,
    },
];

fn half_close_then_the_whole_reply(checker: &mut Checker) -> Result<(), Failure> {
    let (mut program, mut connection) = start_client_and_accept(checker, &[])?;
    message_then_end(&mut connection)?;

    let reply = gbk(REPLY);
    let pieces = [
        &reply[..CUTS[0]],
        &reply[CUTS[0]..CUTS[1]],
        &reply[CUTS[1]..],
    ];
    for piece in pieces {
        send_piece(&mut program, &mut connection, piece)?;
    }
    // The client's FIN has been read and so has everything before it: this close is a FIN too.
    drop(connection);

    let expected = format!(
        "服务端关闭后 recv 返回 0 字节：结束循环，打印完整的回复“回复 reply ({} 字节 bytes): {REPLY}”，退出码 0 \
         / after the server closes, recv returns 0 bytes: leave the loop, print the whole reply, exit 0",
        reply.len()
    );
    let status = program
        .wait_exit(&expected)
        .map_err(|failure| failure.step("6"))?;
    let printed = program
        .stdout()
        .iter()
        .any(|line| line.contains("reply (") && line.contains(REPLY));
    if !printed {
        return Err(program.failure(&expected).step("6"));
    }
    if !status.success() {
        return Err(program.failure(&expected).step("7"));
    }
    Ok(())
}

fn no_reply_at_all(checker: &mut Checker) -> Result<(), Failure> {
    let (mut program, mut connection) = start_client_and_accept(checker, &[])?;
    message_then_end(&mut connection)?;
    drop(connection);

    let expected = "第一次 recv 就返回 0 字节：服务端没有回复就关闭了；结束循环，打印“回复 reply (0 字节 bytes): ”，\
                    退出码 0 / the first recv returns 0 bytes: the server closed with no reply; leave the loop, \
                    print \"reply (0 字节 bytes): \", exit 0";
    let status = program
        .wait_exit(expected)
        .map_err(|failure| failure.step("6"))?;
    let printed = program
        .stdout()
        .iter()
        .any(|line| line.contains("reply (0 "));
    if !printed || !status.success() {
        return Err(program.failure(expected).step("6"));
    }
    Ok(())
}

/// Reads the client's message, then the 0 bytes that say it will send no more.
fn message_then_end(connection: &mut TcpStream) -> Result<(), Failure> {
    let wanted = gbk(MESSAGE);
    let mut received = Vec::new();
    let ended = loop {
        match read_some(connection) {
            Ok(bytes) if bytes.is_empty() => break Ok(()),
            Ok(bytes) => received.extend_from_slice(&bytes),
            Err(error) => break Err(error),
        }
    };
    if received.is_empty() && ended.is_ok() {
        // Steps 1 to 3 are written, and the send is one call: a FIN with no byte before it
        // is a half-close (step 4) made before that send, which then fails (BrokenPipe).
        return Err(Failure::new(
            format!(
                "先收到消息 {MESSAGE:?}（第 3 步发送），然后才是 0 字节（第 4 步的半关闭） \
                 / first the message {MESSAGE:?} (step 3's send), and only then 0 bytes (step 4's half-close)"
            ),
            "检查一个字节也没收到就读到了 0 字节（FIN）：半关闭在发送之前，之后的 send 就失败了（BrokenPipe）；\
             shutdown(Write) 要放在第 3 步的 send 之后 / the check read 0 bytes (a FIN) before any byte: the \
             half-close came before the send, which then fails (BrokenPipe); shutdown(Write) goes after step 3's send",
        )
        .step("4"));
    }
    if received != wanted {
        return Err(Failure::new(
            format!(
                "收到 {MESSAGE:?} 的 GBK 编码，{len} 字节（已经写好）/ the GBK encoding of {MESSAGE:?}, {len} bytes (already written)",
                len = wanted.len()
            ),
            format!("收到 received {}", describe(&received)),
        )
        .step("3"));
    }
    match ended {
        Ok(()) => Ok(()),
        Err(error) => {
            let expected = "发完消息后半关闭：服务端接着读到 0 字节（FIN），知道消息到此为止 \
                            / half-close after the message: the server then reads 0 bytes (a FIN) and knows that is all";
            let never = match error.kind() {
                ErrorKind::WouldBlock | ErrorKind::TimedOut => {
                    "；客户端没有说它发完了 the client never said it was done"
                }
                _ => "",
            };
            let got = format!(
                "消息到了，然后 the message arrived, then: {}{never}",
                error_text(&error)
            );
            Err(Failure::new(expected, got).step("4"))
        }
    }
}

/// Sends one piece of the reply and waits until the client prints that it received it.
fn send_piece(
    program: &mut Program,
    connection: &mut TcpStream,
    piece: &[u8],
) -> Result<(), Failure> {
    let expected = format!(
        "半关闭之后还能接收：这 {len} 字节的一段到达，打印“收到 received {len} 字节 bytes” \
         / after the half-close it still receives: this piece of {len} bytes arrives and it prints \
         \"received {len} 字节 bytes\"",
        len = piece.len()
    );
    let closed_both = "客户端已经收不到了：是不是用了 close 或 shutdown(Both)，而不是 shutdown(Write)？\
                       / the client can no longer receive: did it close, or shutdown(Both), instead of shutdown(Write)?";
    if let Err(error) = connection.write_all(piece) {
        return Err(Failure::new(
            expected,
            format!(
                "发送回复失败 sending the reply failed: {}；{closed_both}",
                error_text(&error)
            ),
        )
        .step("4"));
    }
    let Err(failure) = program.expect_line(&format!("received {} 字节", piece.len()), &expected)
    else {
        return Ok(());
    };
    // recv gave 0 bytes before any reply was sent, or the reply reset the connection (Linux
    // answers data for a socket shut for reading with a reset): it no longer reads.
    let read_nothing = program
        .stdout()
        .iter()
        .any(|line| line.contains("reply (0 "));
    let reset = program.stderr_text().contains("ConnectionReset");
    if !read_nothing && !reset {
        return Err(failure.step("5"));
    }
    // A recv that took a piece but was taken for the end (anything but 0 bytes is not the end)
    // prints the same empty reply, and from outside the two cannot be told apart: say both.
    let why = if read_nothing {
        "它打印了空的回复就结束了：要么 recv 返回了 0 字节（是不是用了 close 或 shutdown(Both)，而不是 shutdown(Write)？），\
         要么把一次不满 1024 字节的 recv 当成了结束（只有 0 字节才表示服务端发完了）\
         / it printed an empty reply and ended: either recv returned 0 bytes (did it close, or shutdown(Both), instead of \
         shutdown(Write)?), or a recv of less than 1024 bytes was taken for the end (only 0 bytes means the server is done)"
            .to_owned()
    } else {
        format!("回复一到，连接就被重置了 the reply reset the connection；{closed_both}")
    };
    Err(Failure::new(failure.expected, format!("{}；{why}", failure.got)).step("4"))
}
