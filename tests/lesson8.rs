//! Lesson 8, the tokio server: what it does that lesson 4 cannot, a graceful shutdown. Lesson 4's
//! behaviour tests run against it too (`tests/lesson4.rs`), and so do the one-thread tests in
//! `tests/lesson7.rs`.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;

use harness::notes::{THREADED_REPLY, connect, gbk};
use harness::server;

/// Ctrl-C (SIGINT) makes the server stop accepting, close every client with a FIN (each idle
/// client's next receive returns 0 bytes, not a reset), wait for its tasks, and exit with 0.
#[cfg(unix)]
#[test]
fn ctrl_c_closes_every_client_cleanly_and_exits_0() {
    let (mut process, address) = server("lesson8", &[]);
    let mut clients: Vec<TcpStream> = (0..5).map(|_| connect(address)).collect();
    for client in &mut clients {
        client.write_all("在吗".as_bytes()).expect("send");
        let mut reply = vec![0u8; gbk(THREADED_REPLY).len()];
        client.read_exact(&mut reply).expect("a reply");
        let me = client.local_addr().expect("connected");
        process.expect_line(&format!("from {me}"));
    }
    let pid = rustix::process::Pid::from_raw(
        i32::try_from(process.id()).expect("process ids fit in an i32"),
    )
    .expect("a child's pid is positive");
    rustix::process::kill_process(pid, rustix::process::Signal::INT)
        .expect("a process may signal its own child");
    let line = process.expect_line("Ctrl-C");
    assert!(line.contains("closing 5 clients"), "{line}");
    for client in &mut clients {
        let mut rest = Vec::new();
        match client.read_to_end(&mut rest) {
            Ok(_) => assert!(rest.is_empty(), "nothing after the replies: {rest:?}"),
            Err(error) => panic!("a FIN, not {:?}: {error}", error.kind()),
        }
    }
    let status = process.wait_exit();
    assert!(
        status.success(),
        "exit code 0 after a graceful shutdown: {status:?}"
    );
    assert!(
        process.stdout().contains("server stopped"),
        "{}",
        process.stdout()
    );
    let refused = TcpStream::connect(address).map_err(|error| error.kind());
    assert_eq!(
        refused.err(),
        Some(ErrorKind::ConnectionRefused),
        "nothing listens after the exit"
    );
}
