//! Exercise 6, the split character: clients of the check's own send a GBK character in two
//! halves, bytes that are not GBK, and half a character before they leave, and read what the
//! server printed for each `recv`.

use std::net::{SocketAddr, TcpStream};

use super::{
    Check, Checker, THREADED_REPLY, connect, gbk, io_failure, listening_address, reply_in, reply_to,
};
use crate::program::Program;
use crate::verdict::Failure;

/// What a decoder makes of bytes that are not valid text.
const REPLACEMENT: char = '\u{FFFD}';

pub const CHECKS: &[Check] = &[
    Check {
        title: "“你”（c4 e3）分两次 recv 到达：第二次打印完整的“你”，没有 � / 你 arrives in two recvs: the second line holds it whole, no �",
        run: a_split_character_prints_whole,
    },
    Check {
        title: "不合法的字节打印成 �，照样回复，之后的文本照常解码 / invalid bytes print as �, are answered, and the text after them decodes",
        run: invalid_bytes_print_as_replacement,
    },
    Check {
        title: "客户端只发了半个字符就下线：剩下的半个字符报告为 � / a client leaves after half a character: the half is reported as �",
        run: a_half_character_at_the_end,
    },
    Check {
        title: "--encoding utf-8：“你”（e4 bd a0）分两次到达，第二次打印完整的“你” / with --encoding utf-8, 你 (e4 bd a0) in two recvs prints whole from the second",
        run: the_decoder_follows_the_encoding,
    },
];

fn a_split_character_prints_whole(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut client = connect(address, "5")?;
    let me = local(&client)?;
    let ni = gbk("你");
    exchange(
        &mut program,
        &mut client,
        &ni[..1],
        "只发“你”的第一个字节 c4 / only the first byte of 你, c4",
    )?;
    // The reply has come back, so the server's recv took the first byte alone.
    exchange(
        &mut program,
        &mut client,
        &ni[1..],
        "然后发第二个字节 e3 / then the second byte, e3",
    )?;
    exchange(
        &mut program,
        &mut client,
        b"ok",
        "然后是 ASCII 的 ok / then ASCII ok",
    )?;
    let lines = offline(&mut program, client, me)?;
    let whole = matches!(&lines[..], [first, second, ..]
        if !first.contains(REPLACEMENT) && second.contains('你') && !second.contains(REPLACEMENT));
    if !whole {
        // The first half was kept (nothing printed for it) but never joined to the second,
        // though decoding works (the ASCII after it prints): the decoder that kept it was not
        // the one that decoded the second recv.
        let kept_then_lost = matches!(&lines[..], [first, _, third, ..]
            if first.is_empty() && third == "ok");
        return Err(Failure::new(
            "第一次 recv（c4）打印的文字是空的（半个字符留在这个连接的解码器里），第二次（e3）打印完整的“你”，\
             没有 � / the first recv (c4) prints no text (the half waits in the connection's decoder), \
             the second (e3) prints a whole 你, no �",
            format!(
                "为每次 recv 打印了 printed for each recv: {}",
                shown(&lines)
            ),
        )
        .step(if kept_then_lost { "8.1" } else { "8.2" }));
    }
    Ok(())
}

fn invalid_bytes_print_as_replacement(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut client = connect(address, "5")?;
    let me = local(&client)?;
    let mut invalid = vec![0xff];
    invalid.extend_from_slice(b"ok");
    exchange(
        &mut program,
        &mut client,
        &invalid,
        "不是 GBK 的字节 ff 6f 6b / bytes that are not GBK, ff 6f 6b",
    )?;
    exchange(
        &mut program,
        &mut client,
        &gbk("你好"),
        "然后是合法的“你好” / then a valid 你好",
    )?;
    let lines = offline(&mut program, client, me)?;
    let right = matches!(&lines[..], [first, second, ..]
        if first.contains(&format!("{REPLACEMENT}ok")) && second.contains("你好")
            && !second.contains(REPLACEMENT));
    if !right {
        return Err(Failure::new(
            "ff 6f 6b 打印成“�ok”，接着的“你好”照常打印 / ff 6f 6b prints as \"�ok\", and the 你好 \
             after it prints as it is",
            format!(
                "为每次 recv 打印了 printed for each recv: {}",
                shown(&lines)
            ),
        )
        .step("8.2"));
    }
    Ok(())
}

fn a_half_character_at_the_end(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut program, "4")?;
    let mut client = connect(address, "5")?;
    let me = local(&client)?;
    let ni = gbk("你");
    exchange(
        &mut program,
        &mut client,
        b"ok",
        "先发 ASCII 的 ok / first ASCII ok",
    )?;
    // A split 你 first, so the check sees whether the decoder lasts from one recv to the
    // next (step 8.1) before it looks at the end of the stream (`last`, step 8.2).
    exchange(
        &mut program,
        &mut client,
        &ni[..1],
        "然后是“你”的第一个字节 c4 / then the first byte of 你, c4",
    )?;
    exchange(
        &mut program,
        &mut client,
        &ni[1..],
        "然后是第二个字节 e3 / then the second byte, e3",
    )?;
    exchange(
        &mut program,
        &mut client,
        &ni[..1],
        "最后只发又一个“你”的第一个字节 c4 / last, only the first byte of another 你, c4",
    )?;
    let lines = offline(&mut program, client, me)?;
    let needle = format!("at the end from {me}:");
    let leftover = program
        .stdout()
        .iter()
        .find(|line| line.contains(&needle))
        .cloned();
    let joined = matches!(&lines[..], [_, _, third, ..] if third.contains('你'));
    match leftover {
        Some(line)
            if line.contains(REPLACEMENT)
                && joined
                && !lines.iter().any(|l| l.contains(REPLACEMENT)) =>
        {
            Ok(())
        }
        leftover => {
            // Decoding works (the ASCII printed), the first half was kept at its recv (nothing
            // printed) and yet not joined to the second: not the same decoder (step 8.1). A
            // decoder that joins them but drops the half at the end was never told the stream
            // had ended: `last` (step 8.2).
            let not_kept = matches!(&lines[..], [first, second, third, ..]
                if first == "ok" && second.is_empty() && !third.contains('你'));
            Err(Failure::new(
            "“你”分两次到达时第二次打印完整的“你”；最后的 c4 那次 recv 打印的文字是空的；客户端下线时\
             （decode 的 last 为 true），留下的半个字符打印成“最后不完整的字节 incomplete bytes at the end …: �” \
             / a 你 in two recvs prints whole from the second; the recv of the last c4 prints no text; when the \
             client leaves (decode's last is true), the half left prints as \"incomplete bytes at the end …: �\"",
            format!(
                "为每次 recv 打印了 printed for each recv: {}；下线时 on leaving: {}",
                shown(&lines),
                leftover.map_or_else(
                    || "什么也没有 nothing".to_owned(),
                    |line| format!("{line:?}")
                )
            ),
        )
        .step(if not_kept { "8.1" } else { "8.2" }))
        }
    }
}

fn the_decoder_follows_the_encoding(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0", "--encoding", "utf-8"])?;
    let address = listening_address(&mut program, "4")?;
    let mut client = connect(address, "5")?;
    let me = local(&client)?;
    let ni = "你".as_bytes();
    for (bytes, what) in [
        (
            &ni[..1],
            "UTF-8 的“你”的第一个字节 e4 / the first byte of 你 in UTF-8, e4",
        ),
        (
            &ni[1..],
            "然后是另两个字节 bd a0 / then the other two, bd a0",
        ),
    ] {
        exchange_utf8(&mut program, &mut client, bytes, what)?;
    }
    let lines = offline(&mut program, client, me)?;
    if matches!(&lines[..], [first, second, ..] if first.is_empty() && second == "你") {
        return Ok(());
    }
    // The first byte was kept (no text) and the next two made some text, but not 你: they
    // were decoded without it, or as another encoding (GBK reads e4 bd as 浣): the decoder
    // (step 8.1). Anything else is the decoding itself (step 8.2), as in the checks before.
    let decoder =
        matches!(&lines[..], [first, second, ..] if first.is_empty() && !second.is_empty());
    Err(Failure::new(
        "用 --encoding utf-8 启动：第一次 recv（e4）打印的文字是空的，第二次（bd a0）打印完整的“你”：解码器是 \
         encoding 的，不是写死的 GBK / started with --encoding utf-8: the first recv (e4) prints no text, the \
         second (bd a0) a whole 你: the decoder is encoding's, not a fixed GBK",
        format!(
            "为每次 recv 打印了 printed for each recv: {}",
            shown(&lines)
        ),
    )
    .step(if decoder { "8.1" } else { "8.2" }))
}

/// [`exchange`] for a server started with `--encoding utf-8`: its reply comes in UTF-8.
fn exchange_utf8(
    program: &mut Program,
    stream: &mut TcpStream,
    bytes: &[u8],
    what: &str,
) -> Result<(), Failure> {
    let Err(no_reply) = reply_in(program, stream, bytes, THREADED_REPLY.as_bytes())? else {
        return Ok(());
    };
    let (zh, en) = super::languages(what);
    Err(Failure::new(
        format!(
            "{zh}：服务端打印一行，用 UTF-8 回复 {THREADED_REPLY:?} / {en}: the server prints a line and replies {THREADED_REPLY:?} in UTF-8"
        ),
        no_reply.got,
    )
    .step("8.2"))
}

/// Sends `bytes` and expects the notes' reply, in GBK: the server read them in one recv.
fn exchange(
    program: &mut Program,
    stream: &mut TcpStream,
    bytes: &[u8],
    what: &str,
) -> Result<(), Failure> {
    let Err(no_reply) = reply_to(program, stream, bytes, THREADED_REPLY)? else {
        return Ok(());
    };
    let (zh, en) = super::languages(what);
    Err(Failure::new(
        format!(
            "{zh}：服务端打印一行，回复 {THREADED_REPLY:?} / {en}: the server prints a line and replies {THREADED_REPLY:?}"
        ),
        no_reply.got,
    )
    .step("8.2"))
}

/// Closes the client, waits for the server to say it went offline (so everything it printed
/// for the client has been printed), and returns the text of each "received" line it printed
/// for the client, one per recv.
fn offline(
    program: &mut Program,
    client: TcpStream,
    me: SocketAddr,
) -> Result<Vec<String>, Failure> {
    drop(client);
    program
        .expect_line(
            &format!("client offline: {me}"),
            &format!("客户端关闭后打印“client offline: {me}”（已经写好）/ print \"client offline: {me}\" when the client closes (already written)"),
        )
        // Printing it is already written: only the decoding (step 8.2) can stop it, by panicking.
        .map_err(|failure| failure.step("8.2"))?;
    let prefix = format!("from {me}: ");
    Ok(program
        .stdout()
        .iter()
        .filter(|line| line.contains("received"))
        .filter_map(|line| line.split_once(&prefix).map(|(_, text)| text.to_owned()))
        .collect())
}

/// The texts printed, as a list a student can read (an empty text shows as "").
fn shown(lines: &[String]) -> String {
    if lines.is_empty() {
        return "没有“received”行 no \"received\" lines".to_owned();
    }
    format!("{lines:?}")
}

fn local(stream: &TcpStream) -> Result<SocketAddr, Failure> {
    stream
        .local_addr()
        .map_err(|error| io_failure("客户端的地址 the client's address", &error))
}
