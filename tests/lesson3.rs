//! Lesson 3, the single-shot server with SO_REUSEADDR: it restarts at once on the port it has
//! just served on, beside the TIME_WAIT connection the kernel still holds there, while a live
//! listener and (on Linux) a TIME_WAIT left without the option still keep the port.

use course::kernel::{self, TcpState};
use std::io::{Read, Write};
use std::net::Shutdown;

use harness::notes::{
    SERVER_REPLY, await_kernel_state, exchange_until_server_closes, gbk,
    serve_once_leaving_time_wait,
};
use harness::{command, server, spawn};
use predicates::prelude::*;

/// Lesson 1 against lesson 3: the server prints the client's address, the exact byte length of
/// the GBK message and its text; the client prints the decoded reply; the server exits 0.
#[test]
fn serves_one_lesson1_client_and_exits() {
    harness::notes::serves_one_lesson1_client_and_exits("lesson3");
}

/// Right after serving a client (the server closed first, so the kernel holds TIME_WAIT on its
/// port), lesson 2 cannot bind that port but lesson 3 can, and the table it prints still shows
/// the old connection in TIME_WAIT beside its new LISTEN: SO_REUSEADDR did not end TIME_WAIT.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn restarts_at_once_beside_its_own_time_wait() {
    let (address, old_client) = serve_once_leaving_time_wait("lesson3");
    let port = address.port().to_string();

    command("lesson2")
        .args(["--port", &port])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "address {address} is already in use"
        )))
        .stderr(predicate::str::contains(format!(
            "TIME_WAIT   {address} <-> {old_client}"
        )));

    let mut again = spawn("lesson3", &["--port", &port]);
    assert_eq!(again.listening_address(), address, "the same port, at once");
    again.expect_line(&format!("TIME_WAIT   {address} <-> {old_client}"));
    let rows = kernel::on_port(address.port()).expect("Linux exposes the kernel's TCP table");
    assert!(
        rows.iter().any(|row| row.state == TcpState::Listen)
            && rows
                .iter()
                .any(|row| row.state == TcpState::TimeWait && row.remote == old_client),
        "a new listener beside the old TIME_WAIT: {rows:?}"
    );
    // And the restarted server really serves on that port.
    exchange_until_server_closes(address);
    assert!(again.wait_exit().success(), "{}", again.stdout());
}

/// Lesson 3 has lesson 2's `--half-close`, the fix for the second-message race: a second
/// message already there when the reply goes is read and dropped, so the client gets the reply
/// and 0 bytes, never a reset. The server still sends the first FIN, so the TIME_WAIT is on its
/// port, and lesson 3 restarts there at once beside it and serves.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn half_closing_never_resets_and_still_restarts_at_once() {
    let (mut lesson3, address) = server("lesson3", &["--half-close"]);
    let mut client = harness::notes::connect(address);
    let me = client
        .local_addr()
        .expect("a connected socket has an address");
    // One write: lesson 3's one recv(1024) takes the first 1024 bytes, the rest waits unread.
    let mut messages = a_full_first_message();
    let second = gbk("第二条");
    messages.extend_from_slice(&second);
    client.write_all(&messages).expect("send to the server");
    let mut reply = Vec::new();
    match client.read_to_end(&mut reply) {
        Ok(_) => assert_eq!(reply, gbk(SERVER_REPLY), "the reply, then 0 bytes"),
        Err(error) => lesson3.fail(&format!(
            "a half-closing server must not reset its client: {:?}: {error}",
            error.kind()
        )),
    }
    client
        .shutdown(Shutdown::Write)
        .expect("half-close a connected socket");
    lesson3.expect_line(&format!("(discarded {} bytes)", second.len()));
    assert!(lesson3.wait_exit().success(), "{}", lesson3.stdout());
    await_kernel_state(address, me, TcpState::TimeWait);

    let mut again = spawn("lesson3", &["--port", &address.port().to_string()]);
    assert_eq!(again.listening_address(), address, "the same port, at once");
    exchange_until_server_closes(address);
    assert!(again.wait_exit().success(), "{}", again.stdout());
}

/// SO_REUSEADDR does not let two servers listen on one port: a second lesson 3 fails with one
/// clear line and the kernel's LISTEN row, and the first one still serves.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn a_live_listener_still_blocks_the_port() {
    let (mut first, address) = server("lesson3", &[]);
    command("lesson3")
        .args(["--port", &address.port().to_string()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("listening on").not())
        .stderr(predicate::str::contains(format!(
            "address {address} is already in use"
        )))
        .stderr(predicate::str::contains("a LISTEN row is another server"))
        .stderr(predicate::str::contains(format!(
            "LISTEN      {address} <-> "
        )))
        .stderr(predicate::str::contains("panicked").not());
    exchange_until_server_closes(address);
    assert!(first.wait_exit().success(), "{}", first.stdout());
}

/// On Linux the option must be on both sockets: right after lesson 2 (no SO_REUSEADDR) has
/// served a client, its TIME_WAIT keeps even lesson 3 off the port. This is why the notes set
/// the option in the server every time it starts, not only when it is restarted. The refusal
/// says something only because lesson 3 does set the option: the test first shows it binding
/// beside a TIME_WAIT it left itself.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "Linux's rule; others differ")]
fn time_wait_left_without_reuse_blocks_lesson3_too() {
    assert_lesson3_binds_beside_its_own_time_wait();
    let (address, client) = serve_once_leaving_time_wait("lesson2");
    command("lesson3")
        .args(["--port", &address.port().to_string()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "address {address} is already in use"
        )))
        .stderr(predicate::str::contains(format!(
            "TIME_WAIT   {address} <-> {client}"
        )))
        .stderr(predicate::str::contains("panicked").not());
}

/// Refused beside the TIME_WAIT lesson 2 left, lesson 3's message says exactly why: it set
/// SO_REUSEADDR, the old server did not. It does not tell the student to run lesson 3. "It set
/// SO_REUSEADDR" is shown, not taken from the message: lesson 3 binds beside its own TIME_WAIT.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "Linux's rule; others differ")]
fn refused_beside_lesson2s_time_wait_says_why() {
    assert_lesson3_binds_beside_its_own_time_wait();
    let (address, _) = serve_once_leaving_time_wait("lesson2");
    command("lesson3")
        .args(["--port", &address.port().to_string()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the old server that left the TIME_WAIT did not",
        ))
        .stderr(predicate::str::contains("cargo run -p lesson3").not());
}

/// The control for the two tests above: lesson 3, right after serving a client, binds again
/// beside the TIME_WAIT it left itself, which on Linux only a listener with SO_REUSEADDR on both
/// sockets can. Without it, lesson 3 refused beside lesson 2's TIME_WAIT would prove nothing.
fn assert_lesson3_binds_beside_its_own_time_wait() {
    let (address, old_client) = serve_once_leaving_time_wait("lesson3");
    let mut again = spawn("lesson3", &["--port", &address.port().to_string()]);
    if let Err(why) = again.try_expect_line("listening on") {
        again.fail(&format!(
            "lesson 3 could not bind {address} beside the TIME_WAIT it left itself \
             ({old_client}): does it still set SO_REUSEADDR before bind? ({why})"
        ));
    }
    exchange_until_server_closes(address);
    assert!(again.wait_exit().success(), "{}", again.stdout());
}

/// The notes' other way out, "changing the port also works, but is not recommended": right after
/// lesson 2 has left a TIME_WAIT on its port, lesson 2 (no SO_REUSEADDR) starts at once on another
/// port and serves there. Not recommended, because the clients only know the old port: a client
/// of the old address is refused, since a TIME_WAIT connection accepts nobody.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs the kernel table of Linux")]
fn another_port_works_but_clients_must_be_told() {
    let (old, _client) = serve_once_leaving_time_wait("lesson2");
    let (mut moved, new) = server("lesson2", &[]);
    assert_ne!(new.port(), old.port(), "the kernel picked another port");
    exchange_until_server_closes(new);
    assert!(moved.wait_exit().success(), "{}", moved.stdout());
    let refused = std::net::TcpStream::connect(old).expect_err("nobody listens on the old port");
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
}

/// Every bad argument gets one clear line and a non-zero exit, never a panic.
#[test]
fn bad_arguments_get_a_clear_line() {
    harness::cli::assert_bad_arguments_refused("lesson3");
}

/// `--help` explains every option, Chinese first.
#[test]
fn help_explains_every_option() {
    harness::cli::assert_help(
        "lesson3",
        "第 3 课",
        &["--host", "--port", "--encoding", "--half-close"],
    );
}

/// The diff between lessons 2 and 3 *is* the lesson: apart from documentation, the program's
/// name and the role it tells `course::finish` (a server that sets SO_REUSEADDR, for the right
/// advice when a port is taken), lesson 3's code is lesson 2's plus the `set_reuse_address(true)`
/// line and its comment, and both lesson 3 pages show exactly those added lines.
#[test]
fn lesson3_is_lesson2_plus_the_reuse_line() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| {
        std::fs::read_to_string(root.join(path))
            .expect("the lesson sources and pages are in the repo")
    };
    let code = |source: &str| -> Vec<String> {
        source
            .lines()
            .filter(|line| {
                let line = line.trim_start();
                !line.starts_with("//!")
                    && !line.starts_with("///")
                    && !line.starts_with("#[command(name")
                    && !line.starts_with("course::Role::")
            })
            .map(str::to_owned)
            .collect()
    };
    let lesson2 = code(&read("crates/lesson2/src/main.rs"));
    let lesson3 = code(&read("crates/lesson3/src/main.rs"));
    let added: Vec<&String> = lesson3
        .iter()
        .filter(|line| !lesson2.contains(line))
        .collect();
    let kept: Vec<&String> = lesson3
        .iter()
        .filter(|line| lesson2.contains(line))
        .collect();
    assert_eq!(
        kept,
        lesson2.iter().collect::<Vec<_>>(),
        "lesson 3 must keep lesson 2's code in order"
    );
    assert_eq!(
        added.len(),
        5,
        "expected the reuse line and its 4 comment lines (Chinese, English), got {added:#?}"
    );
    assert!(
        added[4].contains("set_reuse_address(true)"),
        "got {added:#?}"
    );
    for page in ["lessons/zh/lesson3.md", "lessons/en/lesson3.md"] {
        let text = read(page);
        for line in &added {
            assert!(
                text.contains(&format!("> {line}")),
                "{page} should show the added line {line:?}"
            );
        }
    }
}

/// A first message that fills lesson 3's one `recv(1024)` exactly, in lines short enough that
/// the text the lesson prints of it stays within 100 columns.
fn a_full_first_message() -> Vec<u8> {
    let line = [&[b'a'; 31][..], b"\n"].concat();
    line.repeat(1024 / line.len())
}
