//! The mistakes students really make, and the checks catch every one and name the right step.
//!
//! Each row of [`MISTAKES`] is one mistake: a piece of a reference solution in `solutions/`
//! and what a student writes instead. The test copies the solution, makes the mistake (the
//! original text must still be in the solution, so the table cannot rot), builds the copy, and
//! runs `practice check N --dir COPY` on it, as a student would. The runner must fail, and
//! every check that fails must point at the step the mistake is in, showing what it expected
//! and what it got, and the evidence the row names. A mistake the program shows at once (a
//! panic, a wrong byte, a closed connection) must be reported without any wait running out its
//! 10 s bound; only a program that hangs may cost that. `tests/exercises.rs` proves the other
//! direction: the untouched solutions pass.
//!
//! The copies are built first, with no clock running (a busy machine compiles slowly, and that
//! says nothing about a check); only then do the checks run, all at once, each bounded by the
//! runner's own wait for an event.

use std::collections::BTreeMap;
use std::fs;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;

/// One mistake, made in a copy of a solution.
#[derive(Clone, Copy)]
struct Mistake {
    /// The exercise's directory under `solutions/`, and its number.
    exercise: &'static str,
    number: usize,
    /// A short name, which also names the copy's package.
    name: &'static str,
    /// Text of `solutions/<exercise>/src/main.rs`, and what the student wrote instead.
    original: &'static str,
    mistake: &'static str,
    /// The step every failing check must name.
    step: &'static str,
    /// Words the runner's report must hold, beyond the step: the evidence a student needs.
    shows: &'static [&'static str],
    /// Whether the checks see the mistake without waiting out their bound: true unless the
    /// mistake is a program that hangs (no reply, no exit), which only the bound reveals.
    at_once: bool,
}

const MISTAKES: &[Mistake] = &[
    // Exercise 1, the client.
    Mistake {
        exercise: "01_client",
        number: 1,
        name: "sends_utf8",
        original: "let (send_data, _, _) = encoding.encode(&args.message);",
        mistake: "let send_data = args.message.as_bytes();",
        step: "3.1",
        shows: &["not GBK"],
        at_once: true,
    },
    Mistake {
        exercise: "01_client",
        number: 1,
        name: "four_byte_buffer",
        original: "let mut recv_data = [0u8; 1024];",
        mistake: "let mut recv_data = [0u8; 4];",
        step: "4.1",
        shows: &["recv took only 4 bytes"],
        at_once: true,
    },
    Mistake {
        exercise: "01_client",
        number: 1,
        name: "decodes_utf8",
        original: "let (recv_content, _) = encoding.decode_without_bom_handling(recv_data);",
        mistake: "let recv_content = String::from_utf8_lossy(recv_data);",
        step: "4.2",
        shows: &["printed"],
        at_once: true,
    },
    Mistake {
        exercise: "01_client",
        number: 1,
        name: "connects_to_the_notes_port",
        original: "tcp_client_socket.connect(&server.into())?;",
        mistake: "tcp_client_socket.connect(&SocketAddr::from(([127, 0, 0, 1], 8989)).into())?;",
        step: "2",
        shows: &["no connection came"],
        at_once: true,
    },
    Mistake {
        exercise: "01_client",
        number: 1,
        name: "unwraps_connect",
        original: "tcp_client_socket.connect(&server.into())?;",
        mistake: "tcp_client_socket.connect(&server.into()).unwrap();",
        step: "2",
        shows: &["panicked"],
        at_once: true,
    },
    Mistake {
        exercise: "01_client",
        number: 1,
        name: "udp_socket",
        original: "Type::STREAM",
        mistake: "Type::DGRAM",
        step: "1",
        shows: &["UDP"],
        at_once: true,
    },
    Mistake {
        exercise: "01_client",
        number: 1,
        name: "ipv4_only",
        original: "Domain::for_address(server)",
        mistake: "Domain::IPV4",
        step: "1",
        shows: &["IPv6"],
        at_once: true,
    },
    Mistake {
        exercise: "01_client",
        number: 1,
        name: "fixed_host",
        original: "fn run(args: &Args, server: SocketAddr) -> io::Result<()> {",
        mistake: "fn run(args: &Args, server: SocketAddr) -> io::Result<()> {\n    let server = SocketAddr::from(([127, 0, 0, 1], server.port()));",
        step: "2",
        shows: &["it connected to 127.0.0.1:"],
        at_once: true,
    },
    Mistake {
        exercise: "01_client",
        number: 1,
        name: "connects_to_an_ipv4_address",
        original: "tcp_client_socket.connect(&server.into())?;",
        mistake: "tcp_client_socket.connect(&SocketAddr::from(([127, 0, 0, 1], server.port())).into())?;",
        step: "2",
        shows: &["it was not server"],
        at_once: true,
    },
    Mistake {
        exercise: "01_client",
        number: 1,
        name: "fixed_message",
        original: "let (send_data, _, _) = encoding.encode(&args.message);",
        mistake: "let (send_data, _, _) = encoding.encode(\"你好服务端，我是客户端小黑!\");",
        step: "3.1",
        shows: &["did not send args.message"],
        at_once: true,
    },
    Mistake {
        exercise: "01_client",
        number: 1,
        name: "unwraps_utf8",
        original: "let (recv_content, _) = encoding.decode_without_bom_handling(recv_data);",
        mistake: "let recv_content = String::from_utf8(recv_data.to_vec()).unwrap();",
        step: "4.2",
        shows: &["panicked", "FromUtf8Error"],
        at_once: true,
    },
    // Exercise 2, the single-shot server.
    Mistake {
        exercise: "02_server",
        number: 2,
        name: "replies_before_it_receives",
        original: REPLY_AFTER_RECEIVE,
        mistake: REPLY_BEFORE_RECEIVE,
        step: "5",
        shows: &[],
        at_once: true,
    },
    Mistake {
        exercise: "02_server",
        number: 2,
        name: "never_receives",
        original: "let recv_data_length = service_client_socket.recv(course::as_uninit(&mut recv_data))?;",
        mistake: "let recv_data_length = 0;",
        step: "5",
        shows: &[],
        at_once: true,
    },
    Mistake {
        exercise: "02_server",
        number: 2,
        name: "binds_the_notes_port",
        original: "tcp_server_socket.bind(&address.into())?;",
        // Section 3's port, not 8989: exercise 1's mistake above connects to 8989. Should a
        // lesson hold 9090 meanwhile, the bind fails, and that too is blamed on step 2.
        mistake: "tcp_server_socket.bind(&SocketAddr::from(([127, 0, 0, 1], 9090)).into())?;",
        step: "2",
        shows: &["--port 0"],
        at_once: true,
    },
    Mistake {
        exercise: "02_server",
        number: 2,
        name: "unwraps_utf8",
        original: "let (recv_content, _) = encoding.decode_without_bom_handling(recv_data);",
        mistake: "let recv_content = String::from_utf8(recv_data.to_vec()).unwrap();",
        step: "6",
        shows: &["panicked", "FromUtf8Error"],
        at_once: true,
    },
    Mistake {
        exercise: "02_server",
        number: 2,
        name: "replies_in_utf8",
        original: "let (send_data, _, _) = encoding.encode(\"ok, 问题正在处理中...\");",
        mistake: "let send_data = \"ok, 问题正在处理中...\".as_bytes();",
        step: "7",
        shows: &["not GBK"],
        at_once: true,
    },
    Mistake {
        exercise: "02_server",
        number: 2,
        name: "waits_for_a_second_client",
        original: "    drop(tcp_server_socket);",
        mistake: "    let _ = tcp_server_socket.accept()?;\n    drop(tcp_server_socket);",
        step: "9",
        shows: &[],
        at_once: false,
    },
    Mistake {
        exercise: "02_server",
        number: 2,
        name: "ipv4_only",
        original: "Domain::for_address(address)",
        mistake: "Domain::IPV4",
        step: "1",
        shows: &["family"],
        at_once: true,
    },
    Mistake {
        exercise: "02_server",
        number: 2,
        name: "binds_every_address",
        original: "tcp_server_socket.bind(&address.into())?;",
        mistake: "tcp_server_socket.bind(&SocketAddr::from(([0, 0, 0, 0], address.port())).into())?;",
        step: "2",
        shows: &["0.0.0.0"],
        at_once: true,
    },
    Mistake {
        exercise: "02_server",
        number: 2,
        name: "unwraps_bind",
        original: "tcp_server_socket.bind(&address.into())?;",
        mistake: "tcp_server_socket.bind(&address.into()).unwrap();",
        step: "2",
        shows: &["panicked", "AddrInUse"],
        at_once: true,
    },
    Mistake {
        exercise: "02_server",
        number: 2,
        name: "prints_a_fixed_text",
        original: "println!(\"接收客户端的数据为 received text: {recv_content}\");",
        mistake: "println!(\"接收客户端的数据为 received text: 你好服务端，我是客户端小黑!\");",
        step: "6",
        shows: &["你好服务端"],
        at_once: true,
    },
    // Exercise 3, the restartable server.
    Mistake {
        exercise: "03_reuse",
        number: 3,
        name: "no_reuse",
        original: "    tcp_server_socket.set_reuse_address(true)?;\n",
        mistake: "",
        step: "1.1",
        shows: &[],
        at_once: true,
    },
    Mistake {
        exercise: "03_reuse",
        number: 3,
        name: "reuse_after_bind",
        original: "    tcp_server_socket.set_reuse_address(true)?;\n\n    \
                   // 2. 给程序绑定端口号。 Python: bind((\"\", 8989))\n    \
                   tcp_server_socket.bind(&address.into())?;\n",
        mistake: "    tcp_server_socket.bind(&address.into())?;\n    \
                  tcp_server_socket.set_reuse_address(true)?;\n",
        step: "1.1",
        shows: &[],
        at_once: true,
    },
    Mistake {
        exercise: "03_reuse",
        number: 3,
        name: "reuse_port",
        original: "tcp_server_socket.set_reuse_address(true)?;",
        mistake: "tcp_server_socket.set_reuse_port(true)?;",
        step: "1.1",
        shows: &["SO_REUSEPORT"],
        at_once: true,
    },
    // Exercise 4, a thread per client.
    Mistake {
        exercise: "04_threads",
        number: 4,
        name: "no_thread",
        original: "thread::spawn(move || handle_client_request(service_client_socket, ip_port, encoding));",
        mistake: "handle_client_request(service_client_socket, ip_port, encoding);",
        step: "6",
        shows: &[],
        at_once: false,
    },
    Mistake {
        exercise: "04_threads",
        number: 4,
        name: "no_loop",
        original: "            break;\n        }\n    }\n    // 10.",
        mistake: "            break;\n        }\n        break;\n    }\n    // 10.",
        step: "7",
        shows: &[],
        at_once: true,
    },
    Mistake {
        exercise: "04_threads",
        number: 4,
        name: "unwraps_a_reset",
        original: UNWRAP_NOT,
        mistake: "let recv_data_length = service_client_socket\n            \
                  .recv(course::as_uninit(&mut recv_data))\n            .unwrap();",
        step: "7",
        shows: &["panicked", "ConnectionReset"],
        at_once: true,
    },
    Mistake {
        exercise: "04_threads",
        number: 4,
        name: "ipv4_only",
        original: "Domain::for_address(address)",
        mistake: "Domain::IPV4",
        step: "1",
        shows: &["family"],
        at_once: true,
    },
    Mistake {
        exercise: "04_threads",
        number: 4,
        name: "binds_every_address",
        original: "tcp_server_socket.bind(&address.into())?;",
        mistake: "tcp_server_socket.bind(&SocketAddr::from(([0, 0, 0, 0], address.port())).into())?;",
        step: "3",
        shows: &["0.0.0.0"],
        at_once: true,
    },
    Mistake {
        exercise: "04_threads",
        number: 4,
        name: "reuse_port",
        original: "tcp_server_socket.set_reuse_address(true)?;",
        mistake: "tcp_server_socket.set_reuse_port(true)?;",
        step: "2",
        shows: &["SO_REUSEPORT"],
        at_once: true,
    },
    Mistake {
        exercise: "04_threads",
        number: 4,
        name: "reset_as_offline",
        original: UNWRAP_NOT,
        mistake: "let recv_data_length = service_client_socket\n            .recv(course::as_uninit(&mut recv_data))\n            .unwrap_or(0);",
        step: "7",
        shows: &["took the reset"],
        at_once: true,
    },
    Mistake {
        exercise: "04_threads",
        number: 4,
        name: "replies_in_gbk_always",
        original: "let (send_data, _, _) = encoding.encode(REPLY);",
        mistake: "let (send_data, _, _) = encoding_rs::GBK.encode(REPLY);",
        step: "9",
        shows: &["GBK"],
        at_once: true,
    },
    // Exercise 5, a close or a reset.
    Mistake {
        exercise: "05_close",
        number: 5,
        name: "sends_utf8",
        original: "let (send_data, _, _) = encoding.encode(&args.message);",
        mistake: "let send_data = args.message.as_bytes();",
        step: "3",
        shows: &["not GBK"],
        at_once: true,
    },
    Mistake {
        exercise: "05_close",
        number: 5,
        name: "reset_as_an_error",
        original: RESET_ARM,
        mistake: "",
        step: "4",
        shows: &[],
        at_once: true,
    },
    // The catch-all arm first: the reset arm after it never runs, and rustc says so. The
    // runner shows the compiler's warning before the checks, since it names the bug itself.
    Mistake {
        exercise: "05_close",
        number: 5,
        name: "catch_all_arm_first",
        original: "            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => {",
        mistake: "            Err(error) => return Err(error),\n            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => {",
        step: "4",
        shows: &["unreachable pattern", "the compiler warned"],
        at_once: true,
    },
    Mistake {
        exercise: "05_close",
        number: 5,
        name: "unwraps_a_reset",
        original: "let result = tcp_client_socket.recv(course::as_uninit(&mut recv_data));",
        mistake: "let result: io::Result<usize> =\n            \
                  Ok(tcp_client_socket.recv(course::as_uninit(&mut recv_data)).unwrap());",
        step: "4",
        shows: &["panicked", "ConnectionReset"],
        at_once: true,
    },
    Mistake {
        exercise: "05_close",
        number: 5,
        name: "one_recv_for_everything",
        original: "println!(\"收到 received {length} 字节 bytes: {recv_content}\");",
        mistake: "println!(\"收到 received {length} 字节 bytes: {recv_content}\");\n                break;",
        step: "5",
        shows: &[],
        at_once: true,
    },
    Mistake {
        exercise: "05_close",
        number: 5,
        name: "fixed_message",
        original: "let (send_data, _, _) = encoding.encode(&args.message);",
        mistake: "let (send_data, _, _) = encoding.encode(\"你好服务端，我是客户端小黑!\");",
        step: "3",
        shows: &["did not send args.message"],
        at_once: true,
    },
    Mistake {
        exercise: "05_close",
        number: 5,
        name: "ipv4_only",
        original: "Domain::for_address(server)",
        mistake: "Domain::IPV4",
        step: "1",
        shows: &["IPv6"],
        at_once: true,
    },
    // Exercise 6, the split character.
    Mistake {
        exercise: "06_split_char",
        number: 6,
        name: "decodes_each_recv_alone",
        original: "let recv_content = decode(&mut decoder, &recv_data[..recv_data_length], false);",
        mistake: "let (recv_content, _) =\n            \
                  encoding.decode_without_bom_handling(&recv_data[..recv_data_length]);",
        step: "8.2",
        shows: &["�"],
        at_once: true,
    },
    Mistake {
        exercise: "06_split_char",
        number: 6,
        name: "last_on_every_recv",
        original: "let recv_content = decode(&mut decoder, &recv_data[..recv_data_length], false);",
        mistake: "let recv_content = decode(&mut decoder, &recv_data[..recv_data_length], true);",
        step: "8.2",
        shows: &["panicked"],
        at_once: true,
    },
    Mistake {
        exercise: "06_split_char",
        number: 6,
        name: "a_decoder_per_recv",
        original: "    let mut decoder = encoding.new_decoder_without_bom_handling();\n    \
                   let (send_data, _, _) = encoding.encode(REPLY);\n    \
                   let mut recv_data = [0u8; 1024];\n    loop {\n",
        mistake: "    let (send_data, _, _) = encoding.encode(REPLY);\n    \
                  let mut recv_data = [0u8; 1024];\n    loop {\n        \
                  let mut decoder = encoding.new_decoder_without_bom_handling();\n",
        step: "8.1",
        shows: &[],
        at_once: true,
    },
    Mistake {
        exercise: "06_split_char",
        number: 6,
        name: "decodes_without_room",
        original: DECODE_IN_A_LOOP,
        mistake: "    let mut text = String::new();\n    \
                  let _ = decoder.decode_to_string(bytes, &mut text, last);\n    text\n",
        step: "8.2",
        shows: &[],
        at_once: true,
    },
    Mistake {
        exercise: "06_split_char",
        number: 6,
        name: "ignores_last",
        original: "decoder.decode_to_string(rest, &mut text, last);",
        mistake: "decoder.decode_to_string(rest, &mut text, false);",
        step: "8.2",
        shows: &["on leaving"],
        at_once: true,
    },
    Mistake {
        exercise: "06_split_char",
        number: 6,
        name: "decodes_gbk_always",
        original: "let mut decoder = encoding.new_decoder_without_bom_handling();",
        mistake: "let mut decoder = encoding_rs::GBK.new_decoder_without_bom_handling();",
        step: "8.1",
        shows: &["浣"],
        at_once: true,
    },
    // Exercise 7, the half-close.
    Mistake {
        exercise: "07_half_close",
        number: 7,
        name: "shuts_both_directions",
        original: "tcp_client_socket.shutdown(Shutdown::Write)?;",
        mistake: "tcp_client_socket.shutdown(Shutdown::Both)?;",
        step: "4",
        shows: &[],
        at_once: true,
    },
    Mistake {
        exercise: "07_half_close",
        number: 7,
        name: "one_recv_for_the_reply",
        original: "reply.extend_from_slice(&recv_data[..recv_data_length]);",
        mistake: "reply.extend_from_slice(&recv_data[..recv_data_length]);\n        break;",
        step: "5",
        shows: &[],
        at_once: true,
    },
    Mistake {
        exercise: "07_half_close",
        number: 7,
        name: "no_shutdown",
        original: "    tcp_client_socket.shutdown(Shutdown::Write)?;\n",
        mistake: "",
        step: "4",
        shows: &[],
        at_once: false,
    },
    Mistake {
        exercise: "07_half_close",
        number: 7,
        name: "shuts_down_before_sending",
        original: "    let (send_data, _, _) = encoding.encode(&args.message);\n    tcp_client_socket.send(&send_data)?;\n\n",
        mistake: "    tcp_client_socket.shutdown(Shutdown::Write)?;\n    let (send_data, _, _) = encoding.encode(&args.message);\n    tcp_client_socket.send(&send_data)?;\n\n",
        step: "4",
        shows: &["before the send"],
        at_once: true,
    },
    // Exercise 8, length-prefix framing.
    Mistake {
        exercise: "08_framing",
        number: 8,
        name: "reads_the_prefix_once",
        original: READ_THE_WHOLE_PREFIX,
        mistake: "    if stream.read(&mut prefix)? == 0 {\n        return Ok(None);\n    }\n",
        step: "7.1",
        shows: &["message 1 (0 字节 bytes)"],
        at_once: true,
    },
    Mistake {
        exercise: "08_framing",
        number: 8,
        name: "prefix_read_little_endian",
        original: "let length = u32::from_be_bytes(prefix) as usize;",
        mistake: "let length = u32::from_le_bytes(prefix) as usize;",
        step: "7.1",
        shows: &["frame too long"],
        at_once: true,
    },
    Mistake {
        exercise: "08_framing",
        number: 8,
        name: "trusts_the_length",
        original: "    if length > MAX_PAYLOAD {",
        mistake: "    if false {",
        step: "7.2",
        shows: &["00 01 00 01"],
        at_once: false,
    },
    Mistake {
        exercise: "08_framing",
        number: 8,
        name: "reads_the_payload_once",
        original: "    stream.read_exact(&mut payload)?;",
        mistake: "    let _ = stream.read(&mut payload)?;",
        step: "7.3",
        shows: &["printed \"收到第 1 条消息 message 1 (16 字节 bytes)"],
        at_once: true,
    },
    Mistake {
        exercise: "08_framing",
        number: 8,
        name: "prefix_sent_little_endian",
        original: "frame.extend_from_slice(&length.to_be_bytes());",
        mistake: "frame.extend_from_slice(&length.to_le_bytes());",
        step: "8",
        shows: &["24 00 00 00"],
        at_once: true,
    },
    Mistake {
        exercise: "08_framing",
        number: 8,
        name: "end_of_stream_as_an_error",
        original: READ_THE_WHOLE_PREFIX,
        mistake: "    stream.read_exact(&mut prefix)?;\n",
        step: "7.1",
        shows: &["client leaving"],
        at_once: true,
    },
    Mistake {
        exercise: "08_framing",
        number: 8,
        name: "write_instead_of_write_all",
        original: "    stream.write_all(&frame)\n",
        mistake: "    stream.write(&frame)?;\n    Ok(())\n",
        step: "8",
        shows: &["took only part"],
        at_once: true,
    },
    Mistake {
        exercise: "08_framing",
        number: 8,
        name: "frame_in_two_writes",
        original: "    let mut frame = Vec::with_capacity(4 + payload.len());\n    \
                   frame.extend_from_slice(&length.to_be_bytes());\n    frame.extend_from_slice(payload);\n    \
                   stream.write_all(&frame)\n",
        mistake: "    stream.write_all(&length.to_be_bytes())?;\n    stream.write_all(payload)\n",
        step: "8",
        shows: &["(delayed ACK)"],
        at_once: true,
    },
    Mistake {
        exercise: "08_framing",
        number: 8,
        name: "makes_room_before_checking_the_length",
        original: MAKE_ROOM_AFTER_CHECKING,
        mistake: MAKE_ROOM_BEFORE_CHECKING,
        step: "7.2",
        shows: &["SIGABRT"],
        at_once: true,
    },
    Mistake {
        exercise: "08_framing",
        number: 8,
        name: "refuses_exactly_64_kib",
        original: "    if length > MAX_PAYLOAD {",
        mistake: "    if length >= MAX_PAYLOAD {",
        step: "7.2",
        shows: &["exactly 64 KiB"],
        at_once: true,
    },
    // Exercise 9, the event loop's WouldBlock cases.
    Mistake {
        exercise: "09_event_loop",
        number: 9,
        name: "accepts_once",
        original: "Ok((stream, ip_port)) => self.add(stream, ip_port, registry),",
        mistake: "Ok((stream, ip_port)) => return self.add(stream, ip_port, registry),",
        step: "8",
        shows: &["been accepted"],
        at_once: true,
    },
    Mistake {
        exercise: "09_event_loop",
        number: 9,
        name: "accept_would_block_as_an_error",
        original: "                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return,\n",
        mistake: "",
        step: "8",
        shows: &["accept failed: WouldBlock"],
        at_once: true,
    },
    Mistake {
        exercise: "09_event_loop",
        number: 9,
        name: "reads_once",
        original: "            self.received(connection, &recv_data[..recv_data_length]);\n",
        mistake: "            self.received(connection, &recv_data[..recv_data_length]);\n            \
                  return Reading::Drained;\n",
        step: "9",
        shows: &["65536"],
        at_once: false,
    },
    Mistake {
        exercise: "09_event_loop",
        number: 9,
        name: "assumes_everything_was_sent",
        original: "            Ok(sent) => {\n                connection.unsent.drain(..sent);\n            }\n",
        mistake: "            Ok(_) => connection.unsent.clear(),\n",
        step: "10",
        shows: &["was lost"],
        at_once: true,
    },
    Mistake {
        exercise: "09_event_loop",
        number: 9,
        name: "read_would_block_as_an_error",
        original: "                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {\n                    \
                   return Reading::Drained;\n                }\n",
        mistake: "",
        step: "9",
        shows: &["WouldBlock is no error"],
        at_once: true,
    },
    Mistake {
        exercise: "09_event_loop",
        number: 9,
        name: "exits_when_the_socket_is_full",
        original: SEND_WOULD_BLOCK,
        mistake: "            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {\n                \
                  std::process::exit(1);\n            }\n",
        step: "10",
        shows: &["exited with code 1"],
        at_once: true,
    },
    Mistake {
        exercise: "09_event_loop",
        number: 9,
        name: "drops_what_the_socket_did_not_take",
        original: SEND_WOULD_BLOCK,
        mistake: "            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {\n                \
                  connection.unsent.clear();\n                return true;\n            }\n",
        step: "10",
        shows: &["was lost"],
        at_once: true,
    },
    Mistake {
        exercise: "09_event_loop",
        number: 9,
        name: "never_asks_for_writable",
        original: SEND_WOULD_BLOCK,
        mistake: "            Err(error) if error.kind() == io::ErrorKind::WouldBlock => return true,\n",
        step: "10",
        shows: &["register WRITABLE"],
        at_once: false,
    },
    Mistake {
        exercise: "09_event_loop",
        number: 9,
        name: "spins_on_the_write",
        original: SEND_WOULD_BLOCK,
        mistake: "            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}\n",
        step: "10",
        shows: &["ms of CPU"],
        at_once: true,
    },
    // Exercise 10, the tokio server.
    Mistake {
        exercise: "10_tokio",
        number: 10,
        name: "awaits_the_client_instead_of_spawning",
        original: SPAWN_A_TASK,
        mistake: AWAIT_THE_CLIENT,
        step: "7",
        shows: &["spawn a task"],
        at_once: false,
    },
    Mistake {
        exercise: "10_tokio",
        number: 10,
        name: "write_instead_of_write_all",
        original: "service_client_socket.write_all(&send_data).await",
        mistake: "service_client_socket.write(&send_data).await",
        step: "10",
        shows: &["took only part"],
        at_once: true,
    },
    Mistake {
        exercise: "10_tokio",
        number: 10,
        name: "zero_bytes_as_a_message",
        original: "            Ok(0) => {\n                println!(\"客户端下线了 client offline: {ip_port}\");\n                \
                   break;\n            }\n",
        mistake: "",
        step: "9",
        shows: &["client offline"],
        at_once: false,
    },
    Mistake {
        exercise: "10_tokio",
        number: 10,
        name: "no_break_after_closing",
        original: "server shutting down, closed {ip_port}\");\n                break;",
        mistake: "server shutting down, closed {ip_port}\");\n                continue;",
        step: "11",
        shows: &["did not finish"],
        at_once: false,
    },
    Mistake {
        exercise: "10_tokio",
        number: 10,
        name: "exits_without_telling_the_tasks",
        original: "    let _ = shutdown.send(true);\n",
        mistake: "    return Ok(());\n",
        step: "12",
        shows: &["closed 127.0.0.1:"],
        at_once: true,
    },
    // Exercise 11, HTTP and a static web server.
    Mistake {
        exercise: "11_http",
        number: 11,
        name: "one_recv_is_the_head",
        original: "        pending.extend_from_slice(&recv_data[..recv_data_length]);\n",
        mistake: "        pending.extend_from_slice(&recv_data[..recv_data_length]);\n        \
                  return Ok(Head::Complete(std::mem::take(pending)));\n",
        step: "7",
        shows: &["a byte per write", "400 Bad Request"],
        at_once: true,
    },
    Mistake {
        exercise: "11_http",
        number: 11,
        name: "no_limit_on_the_head",
        original: HEAD_LIMITS,
        mistake: "        if let Some(end) = head_end(pending) {\n            \
                  return Ok(Head::Complete(pending.drain(..end).collect()));\n        }\n",
        step: "7",
        shows: &["431 Request Header Fields Too Large"],
        at_once: true,
    },
    Mistake {
        exercise: "11_http",
        number: 11,
        name: "no_limit_on_the_request_line",
        original: "        if first_line(pending).len() > MAX_REQUEST_LINE {\n            \
                   return Ok(Head::TooLarge(Status::UriTooLong));\n        }\n",
        mistake: "",
        step: "7",
        shows: &["414 URI Too Long"],
        at_once: true,
    },
    Mistake {
        exercise: "11_http",
        number: 11,
        name: "no_dot_dot_check",
        original: "if segment == \"..\" || segment.contains(['/', '\\\\']) {",
        mistake: "if segment.contains(['/', '\\\\']) {",
        step: "9.2",
        shows: &["/sub/../index.html"],
        at_once: true,
    },
    Mistake {
        exercise: "11_http",
        number: 11,
        name: "no_canonicalize",
        original: "let canonical = file.canonicalize().map_err(|error| status_of(&error))?;",
        mistake: "let canonical = file.to_path_buf();",
        step: "9.3",
        shows: &["it served secret.txt", "/link.txt"],
        at_once: true,
    },
    Mistake {
        exercise: "11_http",
        number: 11,
        name: "decodes_twice",
        original: "let bytes = percent_decode(raw).ok_or(Status::BadRequest)?;",
        mistake: "let once = percent_decode(raw).ok_or(Status::BadRequest)?;\n        \
                  let bytes = percent_decode(&String::from_utf8_lossy(&once)).ok_or(Status::BadRequest)?;",
        step: "9.2",
        shows: &["%252e%252e"],
        at_once: true,
    },
    Mistake {
        exercise: "11_http",
        number: 11,
        name: "head_sends_the_body",
        original: "    if head_only {\n        return Ok(0);\n    }\n    // Never more than the head promised",
        mistake: "    // Never more than the head promised",
        step: "11",
        shows: &["HEAD /"],
        at_once: true,
    },
    Mistake {
        exercise: "11_http",
        number: 11,
        name: "no_content_length",
        original: "        (\"Content-Length\", length.to_string()),\n",
        mistake: "",
        step: "10",
        shows: &["the head has no Content-Length"],
        at_once: true,
    },
    Mistake {
        exercise: "11_http",
        number: 11,
        name: "closes_after_every_response",
        original: "    Ok(!request.close && !status.closes())\n",
        mistake: "    Ok(false)\n",
        step: "12",
        shows: &["did not say Connection: close"],
        at_once: true,
    },
    Mistake {
        exercise: "11_http",
        number: 11,
        name: "connection_close_taken_literally",
        original: ".any(|token| token.trim().eq_ignore_ascii_case(\"close\"));",
        mistake: ".any(|token| token == \"close\");",
        step: "12",
        shows: &["Connection: Keep-Alive, CLOSE"],
        at_once: true,
    },
    Mistake {
        exercise: "11_http",
        number: 11,
        name: "http10_kept_open",
        original: "    let mut close = http10;\n",
        mistake: "    let mut close = false;\n",
        step: "12",
        shows: &["HTTP/1.0"],
        at_once: true,
    },
    Mistake {
        exercise: "11_http",
        number: 11,
        name: "body_read_as_the_next_request",
        original: "            close |= value != \"0\";\n",
        mistake: "",
        step: "12",
        shows: &["Content-Length: 5"],
        at_once: true,
    },
];

/// Exercise 11's limits on a head, step 7: the head found and too long, found, and not found
/// yet but long enough to pass the limit whatever comes.
const HEAD_LIMITS: &str = r#"        match head_end(pending) {
            Some(end) if end > MAX_HEAD => return Ok(Head::TooLarge(Status::HeadersTooLarge)),
            Some(end) => return Ok(Head::Complete(pending.drain(..end).collect())),
            // Whatever comes next, the head will be longer than the limit.
            None if pending.len() >= MAX_HEAD => {
                return Ok(Head::TooLarge(Status::HeadersTooLarge));
            }
            None => {}
        }
"#;

/// Exercise 8's steps 7.2 and 7.3: the declared length is checked, and only then is room made
/// for the payload; and the mistake, room made first (a prefix of `ff ff ff ff` asks for 4 GiB).
const MAKE_ROOM_AFTER_CHECKING: &str = r#"    let length = u32::from_be_bytes(prefix) as usize;

    // 7.2 先检查长度，再分配内存：对方声明的长度不可信。
    //     Check the length before making room: the peer's word is not to be trusted.
    if length > MAX_PAYLOAD {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("帧太长 frame too long: {length} 字节 bytes > 上限 max {MAX_PAYLOAD}"),
        ));
    }

    // 7.3 读满 length 字节的内容。 Exactly length bytes of payload.
    let mut payload = vec![0u8; length];
"#;
const MAKE_ROOM_BEFORE_CHECKING: &str = r#"    let length = u32::from_be_bytes(prefix) as usize;
    let mut payload = vec![0u8; length];

    // 7.2 先检查长度，再分配内存：对方声明的长度不可信。
    //     Check the length before making room: the peer's word is not to be trusted.
    if length > MAX_PAYLOAD {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("帧太长 frame too long: {length} 字节 bytes > 上限 max {MAX_PAYLOAD}"),
        ));
    }

    // 7.3 读满 length 字节的内容。 Exactly length bytes of payload.
"#;

/// Exercise 10's step 7, a task for each client, and the mistake: the accepting loop awaits
/// the client's handler itself (the set of tasks then needs its type said, to compile).
const SPAWN_A_TASK: &str = r#"    let mut tasks = JoinSet::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            // 6. 等待下一个连接。 7. 一个客户端一个任务。 Python (asyncio): create_task(handle(...))
            accepted = listener.accept() => match accepted {
                Ok((service_client_socket, ip_port)) => {
                    println!("客户端连接成功 client connected: {ip_port}");
                    let shutting_down = shutting_down.clone();
                    tasks.spawn(handle_client_request(
                        service_client_socket,
                        ip_port,
                        encoding,
                        shutting_down,
                    ));
"#;
const AWAIT_THE_CLIENT: &str = r#"    let mut tasks: JoinSet<()> = JoinSet::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            // 6. 等待下一个连接。 7. 一个客户端一个任务。 Python (asyncio): create_task(handle(...))
            accepted = listener.accept() => match accepted {
                Ok((service_client_socket, ip_port)) => {
                    println!("客户端连接成功 client connected: {ip_port}");
                    let shutting_down = shutting_down.clone();
                    handle_client_request(
                        service_client_socket,
                        ip_port,
                        encoding,
                        shutting_down,
                    )
                    .await;
"#;

/// Exercise 9's step 10 when `write` finds no room: the rest waits for the socket to be
/// writable.
const SEND_WOULD_BLOCK: &str = "            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {\n                \
                   return watch_writable(connection, token, registry, true);\n            }\n";

/// Exercise 2's steps 5 to 7 as the solution has them …
const REPLY_AFTER_RECEIVE: &str = r#"    // 5. 接收客户端发送的数据，最多 1024 字节。 Python: recv(1024)
    let mut recv_data = [0u8; 1024];
    let recv_data_length = service_client_socket.recv(course::as_uninit(&mut recv_data))?;
    let recv_data = &recv_data[..recv_data_length];
    println!("接收数据的长度为 received {recv_data_length} 字节 bytes");

    // 6. 对二进制数据进行解码。 Python: recv_data.decode("gbk")
    let (recv_content, _) = encoding.decode_without_bom_handling(recv_data);
    println!("接收客户端的数据为 received text: {recv_content}");

    // 7. 准备回复，编码，发送给客户端。 Python: send("ok, 问题正在处理中...".encode("gbk"))
    let (send_data, _, _) = encoding.encode("ok, 问题正在处理中...");
    let sent = service_client_socket.send(&send_data)?;
    println!("已发送 sent {sent} 字节 bytes");
"#;

/// … and the reply moved before the receive.
const REPLY_BEFORE_RECEIVE: &str = r#"    let (send_data, _, _) = encoding.encode("ok, 问题正在处理中...");
    let sent = service_client_socket.send(&send_data)?;
    println!("已发送 sent {sent} 字节 bytes");

    let mut recv_data = [0u8; 1024];
    let recv_data_length = service_client_socket.recv(course::as_uninit(&mut recv_data))?;
    let recv_data = &recv_data[..recv_data_length];
    println!("接收数据的长度为 received {recv_data_length} 字节 bytes");
    let (recv_content, _) = encoding.decode_without_bom_handling(recv_data);
    println!("接收客户端的数据为 received text: {recv_content}");
"#;

/// Exercise 4's receive, which ends only this client's thread on an error.
const UNWRAP_NOT: &str = r#"let recv_data_length = match service_client_socket.recv(course::as_uninit(&mut recv_data)) {
            Ok(length) => length,
            Err(error) => {
                println!(
                    "接收失败 receive failed {ip_port}: {:?}: {error}",
                    error.kind()
                );
                break;
            }
        };"#;

/// Exercise 6's decode, which makes room for the text each time round, until the input is used.
const DECODE_IN_A_LOOP: &str = r#"    let mut text = String::new();
    let mut rest = bytes;
    loop {
        // decode_to_string writes into spare capacity only: make room for the worst case.
        let room = decoder
            .max_utf8_buffer_length(rest.len())
            .unwrap_or(rest.len() * 3 + 16);
        text.reserve(room);
        let (result, read, _) = decoder.decode_to_string(rest, &mut text, last);
        rest = &rest[read..];
        if let CoderResult::InputEmpty = result {
            return text;
        }
    }
"#;

/// Exercise 5's arm for a reset.
const RESET_ARM: &str = r#"            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => {
                println!("连接被重置 connection reset: {error}");
                break;
            }
"#;

/// Exercise 8's read of the length prefix, which reads until all 4 bytes have come.
const READ_THE_WHOLE_PREFIX: &str = r#"    match stream.read_exact(&mut prefix) {
        Ok(()) => {}
        // A close inside the prefix ends here too; lesson 6's reader tells the two apart.
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(error) => return Err(error),
    }
"#;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Every mistake is caught by its exercise's checks, and every check that catches it names the
/// mistake's step and shows what it expected and what it got.
#[test]
fn every_mistake_is_caught_and_blamed_on_its_step() {
    let places = make_the_mistakes();
    build(&places);
    let practice = harness::binary("practice");
    let check = move |number: usize, dir: PathBuf| {
        Command::new(&practice)
            .args(["check", &number.to_string(), "--dir"])
            .arg(dir)
            .arg("--target-dir")
            .arg(build_dir())
            .output()
            .expect("the runner starts")
    };
    // The checks mostly wait on sockets: run them all at once.
    let runs: Vec<_> = MISTAKES
        .iter()
        .zip(&places)
        .map(|(mistake, dir)| {
            let (check, dir, number) = (check.clone(), dir.clone(), mistake.number);
            thread::spawn(move || check(number, dir))
        })
        .collect();
    let mut wrong = Vec::new();
    for ((mistake, run), dir) in MISTAKES.iter().zip(runs).zip(&places) {
        let mut output = run
            .join()
            .expect("the thread running the check does not panic");
        // A mistake that only a kernel buffer running full reveals (exercise 10's `write`)
        // can pass while some ninety checks load the machine at once, which no student's
        // machine does: such a pass is checked again, alone.
        if output.status.success() {
            eprintln!(
                "{} passed among all the others: checked again alone",
                mistake.name
            );
            output = check(mistake.number, dir.clone());
        }
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let judged = match judge(mistake, output.status.success(), &text) {
            // A lesson a student runs by hand on the notes' port (README: cargo run -p
            // lesson2) takes the connection the check waits for: then only the step counts.
            Err(_) if mistake.name == "connects_to_the_notes_port" && notes_port_taken() => {
                let plain = Mistake {
                    shows: &[],
                    at_once: false,
                    ..*mistake
                };
                eprintln!(
                    "127.0.0.1:8989 has a listener: {} is judged on its step only",
                    mistake.name
                );
                judge(&plain, output.status.success(), &text)
            }
            judged => judged,
        };
        if let Err(why) = judged {
            wrong.push(format!(
                "== {} {}: {why}\n{text}",
                mistake.exercise, mistake.name
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Whether something listens on the notes' port 8989 on loopback.
fn notes_port_taken() -> bool {
    TcpStream::connect(("127.0.0.1", 8989)).is_ok()
}

/// At least two mistakes for every solution, so no exercise's checks go untested.
#[test]
fn every_solution_has_two_mistakes() {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for entry in fs::read_dir(root().join("solutions")).expect("solutions/ exists") {
        let entry = entry.expect("a readable entry");
        if entry.path().join("Cargo.toml").is_file() {
            count.insert(entry.file_name().to_string_lossy().into_owned(), 0);
        }
    }
    for mistake in MISTAKES {
        *count
            .get_mut(mistake.exercise)
            .unwrap_or_else(|| panic!("{} is not a solution's directory", mistake.exercise)) += 1;
    }
    let short: Vec<_> = count.iter().filter(|(_, n)| **n < 2).collect();
    assert!(
        short.is_empty(),
        "solutions with fewer than two mistakes: {short:?}"
    );
}

/// What the runner said about a mistake: it failed, and every failing check names `step` and
/// shows what it expected and what it got.
fn judge(mistake: &Mistake, success: bool, output: &str) -> Result<(), String> {
    if success {
        return Err("every check passed".to_owned());
    }
    for wrong in [
        "is not written yet",
        "compile error",
        "cargo could not build",
    ] {
        if output.contains(wrong) {
            return Err(format!("the runner said {wrong:?}"));
        }
    }
    let failures: Vec<&str> = output
        .lines()
        .filter(|line| line.trim_start().starts_with('✗'))
        .collect();
    if failures.is_empty() {
        return Err("no check failed".to_owned());
    }
    let expected = output.matches("expected: ").count();
    let got = output.matches("got: ").count();
    if expected < failures.len() || got < failures.len() {
        return Err(format!(
            "{} checks failed, but {expected} said what they expected and {got} what they got",
            failures.len()
        ));
    }
    // The report cuts long lines to fit the terminal: compare without the spaces and breaks.
    let squeezed = |text: &str| text.split_whitespace().collect::<String>();
    let report = squeezed(output);
    for words in mistake.shows {
        if !report.contains(&squeezed(words)) {
            return Err(format!("the report does not show {words:?}"));
        }
    }
    // Only exercises 4, 6 and 8 have threads of their own: elsewhere a panic is the main
    // thread's, and the report must not call it another thread.
    if ![4, 6, 8].contains(&mistake.number) && output.contains("还有一个线程") {
        return Err("a panic of the main thread is called another thread's".to_owned());
    }
    // The bound on every wait is 10 s, and a report that a wait ran out says so.
    if mistake.at_once && output.contains(" 10 s") {
        return Err("a check waited out its bound for something it had seen already".to_owned());
    }
    let named: Vec<String> = output.lines().filter_map(named_step).collect();
    if named.len() != failures.len() || named.iter().any(|step| step != mistake.step) {
        return Err(format!(
            "every failing check should name step {}; they named {named:?}",
            mistake.step
        ));
    }
    Ok(())
}

/// The step a failure line points at: `… → 看…第 5 步 / see step 5 …`.
fn named_step(line: &str) -> Option<String> {
    let (_, pointer) = line.split_once('→')?;
    let (_, after) = pointer.split_once("step ")?;
    let step: String = after
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    Some(step.trim_end_matches('.').to_owned())
}

/// Copies each mistake's solution, with the mistake made, into a workspace under
/// `target/mistakes/`, and returns each mistake's workspace. A workspace holds at most one
/// mistake per exercise (the runner looks for exercise N in its own directory), so the first
/// mistake of every exercise goes in `round0`, the second in `round1`, and so on; each round is
/// then one `cargo build`, compiling its packages side by side. All share the solutions' build
/// directory ([`build_dir`]), so every copy's package gets a name of its own.
fn make_the_mistakes() -> Vec<PathBuf> {
    let solutions = root().join("solutions");
    let base = root().join("target").join("mistakes");
    let mut rounds: BTreeMap<PathBuf, Vec<&str>> = BTreeMap::new();
    let workspaces: Vec<PathBuf> = MISTAKES
        .iter()
        .enumerate()
        .map(|(index, mistake)| {
            let round = MISTAKES[..index]
                .iter()
                .filter(|earlier| earlier.exercise == mistake.exercise)
                .count();
            let workspace = base.join(format!("round{round}"));
            rounds
                .entry(workspace.clone())
                .or_default()
                .push(mistake.exercise);
            let dir = workspace.join(mistake.exercise);
            fs::create_dir_all(dir.join("src")).expect("create the copy");
            let solution = solutions.join(mistake.exercise);
            let manifest =
                fs::read_to_string(solution.join("Cargo.toml")).expect("the package's manifest");
            let name = format!("mistake{}_{}", mistake.exercise, mistake.name);
            write(
                &dir.join("Cargo.toml"),
                &harness::manifest::renamed(&manifest, &name),
            );
            let source =
                fs::read_to_string(solution.join("src/main.rs")).expect("the solution's main.rs");
            let source = replace_once(&source, mistake.original, mistake.mistake);
            write(&dir.join("src/main.rs"), &source);
            workspace
        })
        .collect();
    let manifest =
        fs::read_to_string(solutions.join("Cargo.toml")).expect("solutions/Cargo.toml is readable");
    let course = root().join("crates").join("course");
    for (workspace, members) in rounds {
        let manifest = harness::manifest::with_members(&manifest, &members);
        write(
            &workspace.join("Cargo.toml"),
            &harness::manifest::with_course_at(&manifest, &course),
        );
        // Each solution's manifest names the shared test of its checks (for mutation testing).
        let check = fs::read_to_string(solutions.join("check.rs")).expect("solutions/check.rs");
        write(&workspace.join("check.rs"), &check);
        // The same dependencies as the solutions, so the build directory has them already.
        let lock = workspace.join("Cargo.lock");
        if !lock.exists() {
            fs::copy(solutions.join("Cargo.lock"), lock).expect("copy the lock file");
        }
    }
    workspaces
}

/// Writes `text` to `path` unless it holds it already: an unchanged copy keeps its time
/// stamp, so cargo does not build it again.
fn write(path: &Path, text: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(text) {
        fs::write(path, text).unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
    }
}

/// `text` with `from` replaced by `to`; `from` must occur exactly once.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "the text to replace should occur exactly once (has the solution changed?): {from:?}"
    );
    text.replacen(from, to, 1)
}

/// Where the copies are built: beside the solutions, whose dependencies are compiled there
/// already. Every copy's package has a name of its own, so no binary stands in for another.
fn build_dir() -> PathBuf {
    root().join("target").join("solutions")
}

/// Builds every copy into [`build_dir`], before any check starts its clock.
fn build(workspaces: &[PathBuf]) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = build_dir();
    let mut rounds = workspaces.to_vec();
    rounds.sort();
    rounds.dedup();
    for workspace in &rounds {
        let output = Command::new(&cargo)
            .arg("build")
            .arg("--quiet")
            .arg("--manifest-path")
            .arg(workspace.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "the copy with the mistake builds: {}\n{}",
            workspace.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
