//! Lesson 4, the multithreaded server: many clients at once, and clients that misbehave. Every
//! test talks to the lesson's process through the test's own sockets, checks the bytes it
//! gets back, and ends by showing that a normal client is still served.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;

use harness::notes::{THREADED_REPLY, address_of, connect, gbk, round_trip};
use harness::{Process, command, server};
use predicates::prelude::*;

use crate::servers::{expect_all, server_pid, still_serves};

// Lesson 4's behaviour on the wire, as every server of many promises it (tests/servers.rs).
serves_many!("lesson4");

/// Each client has a thread of its own in the server, as the kernel counts them, and the
/// thread ends when its client leaves.
#[cfg(target_os = "linux")]
#[test]
fn one_thread_per_client() {
    let (mut server, address) = server("lesson4", &[]);
    let pid = server.id();
    let threads = || course::process::threads(pid).expect("Linux lists the threads");
    let mut clients: Vec<TcpStream> = (0..10).map(|_| connect(address)).collect();
    for client in &mut clients {
        // A reply proves the client's thread exists and is serving it.
        round_trip(client, b"hi");
    }
    assert_eq!(threads(), 1 + 10, "the main thread, and one per client");
    let leaving: Vec<String> = clients.iter().map(address_of).collect();
    drop(clients);
    expect_all(
        &mut server,
        leaving.iter().map(|me| format!("client offline: {me}")),
    );
    // A thread prints its last line just before it ends; wait for the kernel to see it gone.
    let deadline = std::time::Instant::now() + harness::TIMEOUT;
    while threads() != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the client threads end once their clients leave"
        );
        thread::yield_now();
    }
}

/// Out of address space for one more thread's stack, `Builder::spawn` fails: lesson 4 says why,
/// drops that one connection (its client gets no reply, only 0 bytes, or a reset when its
/// message was there unread) and goes on accepting; once the clients it holds leave, a new
/// client is served. The test caps the server's address space (RLIMIT_AS, set on the running
/// child with prlimit) a few 2 MiB stacks above its idle size, then opens clients, each
/// answered and kept, until a spawn fails. (A first malloc in a new thread would have glibc
/// reserve a 64 MiB arena; under the cap that fails, and glibc shares the main arena.) Linux
/// only: the cap is prlimit(2), the idle size and the thread count come from /proc.
#[cfg(target_os = "linux")]
#[test]
fn a_thread_that_cannot_start_drops_only_its_client() {
    use rustix::process::{Pid, Resource, Rlimit, getrlimit, prlimit};
    const MIB: u64 = 1024 * 1024;
    const MAX_CLIENTS: usize = 100;

    let (mut server, address) = server("lesson4", &[]);
    let pid = server_pid(&server);
    let cap = vm_size_kib(pid) * 1024 + 12 * MIB;
    let limit = Rlimit {
        current: Some(cap),
        maximum: getrlimit(Resource::As).maximum,
    };
    let child = Pid::from_raw(pid).expect("a child's pid is positive");
    prlimit(Some(child), Resource::As, limit).expect("a process may limit its own child");

    let mut served = Vec::new();
    let (mut dropped, failure) = loop {
        assert!(
            served.len() < MAX_CLIENTS,
            "{MAX_CLIENTS} threads started within an address space of {cap} bytes"
        );
        let mut client = connect(address);
        let me = address_of(&client);
        client.write_all(b"hello").expect("send to the server");
        match served_or_refused(&mut server, &me) {
            None => {
                read_threaded_reply(&mut client);
                served.push(client);
            }
            Some(failure) => break (client, failure),
        }
    };
    // The OS's reason ends that line, or, where the line would be too wide, the next one.
    let reason = if failure.contains("os error") {
        failure
    } else {
        server.expect_line("")
    };
    assert!(
        reason.contains("os error"),
        "the server gives the OS's reason: {reason:?}"
    );
    assert!(!served.is_empty(), "the cap leaves room for some threads");
    let mut byte = [0u8; 1];
    match dropped.read(&mut byte) {
        Ok(0) => {}
        Err(error) if error.kind() == ErrorKind::ConnectionReset => {}
        other => panic!("the client whose thread could not start is dropped: got {other:?}"),
    }

    // Still at the cap, the server still accepts: the next client is at least taken in.
    let next = connect(address);
    server.expect_line(&format!("client connected: {}", address_of(&next)));
    drop(next);

    let leaving: Vec<String> = served.iter().map(address_of).collect();
    drop(served);
    expect_all(
        &mut server,
        leaving.iter().map(|me| format!("client offline: {me}")),
    );
    // A thread prints "offline" before it ends; its stack is free for the next one once it has.
    await_threads(pid, 1);
    still_serves(&mut server, address);
}

/// Reads the server's lines after client `me` sent a message: `None` once its thread has
/// received it, or the line saying its thread could not start.
#[cfg(target_os = "linux")]
fn served_or_refused(server: &mut Process, me: &str) -> Option<String> {
    loop {
        let line = server.expect_line("");
        if line.contains(&format!("from {me}")) {
            return None;
        }
        if line.contains("could not start a thread") {
            return Some(line);
        }
    }
}

/// Reads lesson 4's reply to one message.
#[cfg(target_os = "linux")]
fn read_threaded_reply(client: &mut TcpStream) {
    let mut reply = vec![0u8; gbk(THREADED_REPLY).len()];
    client
        .read_exact(&mut reply)
        .expect("a client whose thread started is answered");
    assert_eq!(reply, gbk(THREADED_REPLY));
}

/// The server's `VmSize`, its address space, in KiB.
#[cfg(target_os = "linux")]
fn vm_size_kib(pid: i32) -> u64 {
    u32::try_from(pid)
        .ok()
        .and_then(course::process::memory)
        .expect("the server is running")
        .virtual_kib
}

/// Waits, by asking the kernel again and again, until the server runs `count` threads.
#[cfg(target_os = "linux")]
fn await_threads(pid: i32, count: usize) {
    let deadline = std::time::Instant::now() + harness::TIMEOUT;
    loop {
        let running = u32::try_from(pid)
            .ok()
            .and_then(course::process::threads)
            .expect("the server is running");
        if running == count {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server still runs {running} threads, not {count}"
        );
        thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// Ctrl-C (SIGINT) ends the process at once: no more lines, and the kernel closes every
/// socket. An idle client's next receive returns 0 bytes (FIN); a client whose message the
/// server had not read yet gets a reset; a new connection is refused.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_closes_every_connection() {
    use child::Signal;
    use std::os::unix::process::ExitStatusExt;

    let (mut server, address) = server("lesson4", &[]);
    let mut idle: Vec<TcpStream> = (0..3).map(|_| connect(address)).collect();
    for client in &mut idle {
        round_trip(client, b"hello");
    }
    let mut unread = connect(address);
    round_trip(&mut unread, b"hello");

    // Freeze the server so that this message stays unread in its socket, then interrupt it.
    server.stop();
    unread.write_all(b"never read").expect("send to the server");
    server.signal(Signal::Interrupt);
    server.signal(Signal::Continue);

    let status = server.wait_exit();
    assert_eq!(status.signal(), Some(2), "SIGINT ended it: {status:?}");
    for client in &mut idle {
        let mut buffer = [0u8; 64];
        let read = client
            .read(&mut buffer)
            .expect("an idle client sees an orderly close");
        assert_eq!(read, 0, "the kernel closed the server's socket with a FIN");
    }
    let mut buffer = [0u8; 64];
    let error = unread
        .read(&mut buffer)
        .expect_err("a socket closed with unread data is reset");
    assert_eq!(error.kind(), ErrorKind::ConnectionReset);
    let refused = TcpStream::connect(address).expect_err("nobody listens any more");
    assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);
    assert!(
        !server.stdout().contains("offline"),
        "no thread ran after Ctrl-C"
    );
}

/// The daemon-thread property: when `main` returns, the process exits at once although a
/// client's thread is still blocked in `recv`; nothing waits for it, and the kernel closes its
/// socket, so the idle client reads 0 bytes. With `--stop-after 2` the server stops accepting,
/// and `main` returns, as soon as it has accepted the second client. A server that joined its
/// client threads before exiting would never exit while the first client stays, and this test
/// would fail.
#[test]
fn main_returning_does_not_wait_for_client_threads() {
    let (mut server, address) = server("lesson4", &["--stop-after", "2"]);
    let mut idle = connect(address);
    // Answered: the first client's thread is running, and now waits in its next recv.
    round_trip(&mut idle, b"hello");
    let mut second = connect(address);
    server.expect_line("main returns after 2 clients");
    let status = server.wait_exit();
    assert!(
        status.success(),
        "main returned while the first client was still connected: {status:?}"
    );
    for client in [&mut idle, &mut second] {
        let mut buffer = [0u8; 64];
        let read = client
            .read(&mut buffer)
            .expect("the kernel closed the exited server's sockets with a FIN");
        assert_eq!(read, 0, "the server's end closed with its process");
    }
    assert!(
        !server.stdout().contains("offline"),
        "no client thread saw its client leave: they ended with the process\n{}",
        server.stdout()
    );
}

/// `--processes --stop-after 2`: the parent counts its clients as the threaded server does and
/// returns after the second. Each client is served by a child process of its own, which outlives
/// the parent: both clients are still answered after it exited. (A parent that never counted
/// would never exit, and this test would fail.)
#[cfg(unix)]
#[test]
fn the_process_variant_stops_after_its_clients() {
    let (mut server, address) = server("lesson4", &["--processes", "--stop-after", "2"]);
    let mut first = connect(address);
    round_trip(&mut first, b"one");
    let mut second = connect(address);
    server.expect_line("main returns after 2 clients");
    // The children hold the parent's stdout: its end of the pipe outlives it.
    let status = server.wait_process();
    assert!(status.success(), "the parent returned: {status:?}");
    round_trip(&mut second, b"two");
    round_trip(&mut first, b"three");
}

/// What `listen(backlog)` means on Linux: the kernel completes handshakes for clients nobody has
/// accepted yet and queues them, backlog + 1 of them (`min(backlog, somaxconn) + 1`); past that it
/// drops the client's SYN, so the client is neither connected nor refused: the kernel's table
/// shows it in SYN_SENT, retrying. A queued client waits for `accept`, not for an earlier
/// connection to close: one `accept` makes room, and one waiting client gets in at its next try.
/// Here with `listen(1)`: two clients are queued, two wait in SYN_SENT. Linux only: the table is
/// Linux's, and Windows refuses instead (WSAECONNREFUSED).
#[cfg(target_os = "linux")]
#[test]
fn a_full_accept_queue_leaves_clients_in_syn_sent() {
    use course::kernel::{self, TcpState};
    use socket2::{Domain, Socket, Type};

    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
    let any: SocketAddr = "127.0.0.1:0".parse().expect("a valid literal");
    listener.bind(&any.into()).expect("bind on loopback");
    listener.listen(1).expect("listen with a backlog of 1");
    let server = listener
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .expect("an IPv4 address");

    // backlog + 1 = 2 clients complete their handshake although nobody accepts: connect returns.
    let queued: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(server).expect("the accept queue has room"))
        .collect();
    // Two more, without blocking: their SYNs meet a full queue.
    let waiting: Vec<Socket> = (0..2)
        .map(|_| {
            let client = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
            client.set_nonblocking(true).expect("non-blocking");
            if let Err(error) = client.connect(&server.into()) {
                // EINPROGRESS: the handshake has started and not finished. Anything else is wrong.
                assert_eq!(error.raw_os_error(), Some(115), "{error}");
            }
            client
        })
        .collect();
    let address = |socket: &Socket| {
        socket
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .expect("connect gave the client an address")
    };
    for client in &waiting {
        let seen = kernel::await_state(
            address(client),
            server,
            Some(TcpState::SynSent),
            harness::TIMEOUT,
        )
        .expect("Linux has the kernel's table");
        assert_eq!(
            seen,
            Some(TcpState::SynSent),
            "a full queue leaves the client in SYN_SENT"
        );
        assert!(
            client.take_error().expect("SO_ERROR").is_none(),
            "not refused: no error on the socket"
        );
    }
    for client in &queued {
        let local = client.local_addr().expect("a connected socket");
        let seen = kernel::state_of(local, server).expect("Linux has the kernel's table");
        assert_eq!(
            seen,
            Some(TcpState::Established),
            "queued, never accepted, established"
        );
    }

    // Closing a queued client does not make room: it stays in the queue until accepted. The
    // waiting clients retry (the kernel counts each retransmitted SYN) and are dropped again:
    // after two retries each is still in SYN_SENT.
    drop(queued);
    for client in &waiting {
        let port = address(client).port();
        let deadline = std::time::Instant::now() + harness::TIMEOUT;
        loop {
            let client = SocketAddr::from(([127, 0, 0, 1], port));
            let (row, timers) = kernel::timers(client, server)
                .expect("Linux has /proc/net/tcp")
                .expect("the client's row is in the table");
            let retries = timers.retransmits;
            assert_eq!(
                row.state,
                TcpState::SynSent,
                "still SYN_SENT (02) after {retries} retries"
            );
            if retries >= 2 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no SYN retry within {:?}",
                harness::TIMEOUT
            );
            thread::yield_now();
        }
    }

    // Accepting makes room for one: the kernel queues one more connection (the server's end of it
    // is ESTABLISHED in the table), and the other waiting client stays out. Only the server's side
    // tells: a client whose SYN got through just before the queue filled again may see a SYN-ACK,
    // count itself ESTABLISHED, and have its ACK dropped.
    let (_first, _) = listener.accept().expect("a queued client");
    let ends: Vec<SocketAddr> = waiting.iter().map(address).collect();
    let server_side = || -> Vec<Option<TcpState>> {
        ends.iter()
            .map(|&end| kernel::state_of(server, end).expect("Linux has the kernel's table"))
            .collect()
    };
    let deadline = std::time::Instant::now() + harness::TIMEOUT;
    let mut states = server_side();
    while !states.contains(&Some(TcpState::Established)) && std::time::Instant::now() < deadline {
        thread::yield_now();
        states = server_side();
    }
    let admitted = states
        .iter()
        .filter(|state| **state == Some(TcpState::Established))
        .count();
    assert_eq!(
        admitted, 1,
        "one accept made room for exactly one waiting client (server's side: {states:?})"
    );
}

/// What the big `VmSize` of a threaded server is: address space reserved, not memory used. Each
/// client thread reserves its 2 MiB stack, and glibc gives each new thread that allocates a
/// malloc arena of its own, reserving 64 MiB at once (up to 8 arenas per core). With one client
/// the server's `VmSize` grows by about 66 MiB; with `MALLOC_ARENA_MAX=1` (one arena for all) by
/// about 2 MiB, and with ten clients by about ten stacks. Linux with glibc only: the numbers are
/// glibc's, read from `/proc/PID/status`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn vmsize_is_thread_stacks_plus_malloc_arenas() {
    const MIB: u64 = 1024;
    // Per-arena reserve and per-thread stack, in kB as /proc reports them.
    let (arena, stack) = (64 * MIB, 2 * MIB);

    let default = vmsize_growth(None, 1);
    assert!(
        default >= arena && default < arena + 16 * MIB,
        "one client, default glibc: an arena and a stack, got {default} kB"
    );
    let one_arena = vmsize_growth(Some("1"), 1);
    assert!(
        one_arena >= stack && one_arena < 16 * MIB,
        "one client, MALLOC_ARENA_MAX=1: a stack, got {one_arena} kB"
    );
    let ten = vmsize_growth(Some("1"), 10);
    assert!(
        ten >= 10 * stack && ten < 10 * stack + 16 * MIB,
        "ten clients, MALLOC_ARENA_MAX=1: ten stacks, got {ten} kB"
    );
}

/// Starts lesson 4 (with `MALLOC_ARENA_MAX` if given), then `clients` clients that are each
/// answered once and stay connected; returns how much the server's `VmSize` grew, in kB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn vmsize_growth(arena_max: Option<&str>, clients: usize) -> u64 {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let mut command = Command::new(harness::binary("lesson4"));
    command.args(["--port", "0"]).stdout(Stdio::piped());
    if let Some(max) = arena_max {
        command.env("MALLOC_ARENA_MAX", max);
    }
    let mut child = command.spawn().expect("start lesson 4");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let address = harness::read_listening_address(&mut stdout);
    // Keep reading its output, so that its prints never block on a full pipe.
    thread::spawn(move || for _ in stdout.lines() {});
    let vmsize = || {
        course::process::memory(child.id())
            .expect("the server is running")
            .virtual_kib
    };
    let before = vmsize();
    let mut streams: Vec<TcpStream> = (0..clients).map(|_| connect(address)).collect();
    for stream in &mut streams {
        // Answered: its thread exists and has allocated (decoding, formatting the line).
        round_trip(stream, b"hello");
    }
    let after = vmsize();
    let _ = child.kill();
    let _ = child.wait();
    after.saturating_sub(before)
}

/// Threads or processes, measured side by side (the notes: "threads save resources"). The same
/// server serves the same clients once with a thread per client and once, `--processes`, with a
/// child process per client; for each it prints the time from `connect` to the first reply and
/// the memory (proportional set size, PSS, summed over the server and its children) per client.
/// The test holds the robust part: every client has its own thread, or its own process, and a
/// process costs several times the memory of a thread. The times are printed, not asserted: they
/// depend on the machine. `cargo test --release --test proofs lesson4::threads_or -- --nocapture` shows
/// the table. Once the clients have left and their children ended, no server end is left in
/// CLOSE_WAIT (the kernel's table): the parent closed its copy of each accepted socket. Linux
/// only: PSS, the process tree and the table come from /proc.
#[cfg(target_os = "linux")]
#[test]
fn threads_or_processes_measured_side_by_side() {
    const CLIENTS: usize = 40;
    let threads = measure_per_client(&[], CLIENTS);
    let processes = measure_per_client(&["--processes"], CLIENTS);
    println!(
        "| server | clients | µs to first reply, per client | PSS KiB per client | threads | processes |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, m) in [("threads", &threads), ("processes", &processes)] {
        println!(
            "| {name} | {CLIENTS} | {:.0} | {:.0} | {} | {} |",
            m.micros_per_client, m.pss_kib_per_client, m.threads, m.processes
        );
    }
    assert_eq!(
        (threads.threads, threads.processes),
        (CLIENTS + 1, 1),
        "{threads:?}"
    );
    assert_eq!(
        (processes.threads, processes.processes),
        (CLIENTS + 1, CLIENTS + 1),
        "{processes:?}"
    );
    for (name, m) in [("threads", &threads), ("processes", &processes)] {
        assert_eq!(
            m.close_wait_left, 0,
            "{name}: every client left, yet the server's ends of {} connections are still in \
             CLOSE_WAIT: someone still holds those sockets (a parent that kept its copy?)",
            m.close_wait_left
        );
    }
    assert!(
        processes.pss_kib_per_client > 2.0 * threads.pss_kib_per_client.max(1.0),
        "a process costs several times a thread's memory: {threads:?} {processes:?}"
    );
}

/// The notes' own design, in Python, measured the same way: the section-3 server with a thread
/// per client (`threading.Thread`, as the notes write it), and with a process per client made
/// by `fork` (`multiprocessing`'s "fork" start method, the default on Linux before Python 3.14;
/// the parent closes its copy of the socket). Lesson 4's `--processes` starts a new program for
/// each client (spawn and exec); a forked child is a copy of its parent and starts faster, so
/// the page gives both ratios. The test holds what is robust: one thread, or one process, per
/// client, and a forked client slower to answer and bigger than a thread. Skips without
/// python3. `cargo test --release --test proofs lesson4::python_threads -- --nocapture` shows the table.
#[cfg(target_os = "linux")]
#[test]
fn python_threads_or_fork_measured_side_by_side() {
    const TEST: &str = "lesson4::python_threads_or_fork_measured_side_by_side";
    const CLIENTS: usize = 40;
    let Some(python3) = harness::tools::tool("python3", TEST) else {
        return;
    };
    let measure = |design: &str| {
        let mut command = std::process::Command::new(&python3);
        command
            .args(["-c", NOTES_SECTION_3_SERVER, design])
            .env("PYTHONIOENCODING", "utf-8");
        let mut python = harness::spawn_command(&format!("the notes' server ({design})"), command);
        let address = python.listening_address();
        let measured = measure_clients_of(python, address, "client offline", CLIENTS);
        println!(
            "| python {design} | {CLIENTS} | {:.0} | {:.0} | {} | {} |",
            measured.micros_per_client,
            measured.pss_kib_per_client,
            measured.threads,
            measured.processes
        );
        measured
    };
    println!(
        "| server | clients | µs to first reply, per client | PSS KiB per client | threads | processes |"
    );
    println!("|---|---|---|---|---|---|");
    let threads = measure("thread");
    let forks = measure("fork");
    // Python's own threads (none at rest in CPython 3.11 besides the main one) may vary by
    // version, so the count is at least one per client.
    assert!(
        threads.threads > CLIENTS && threads.processes == 1,
        "{threads:?}"
    );
    assert_eq!(forks.processes, CLIENTS + 1, "{forks:?}");
    assert_eq!(
        forks.close_wait_left, 0,
        "the parent closes its copies: {forks:?}"
    );
    assert!(
        forks.micros_per_client > threads.micros_per_client,
        "a forked process answers its first message later than a new thread: {threads:?} {forks:?}"
    );
    assert!(
        forks.pss_kib_per_client > 2.0 * threads.pss_kib_per_client.max(1.0),
        "a forked process costs several times a thread's memory: {threads:?} {forks:?}"
    );
}

/// The notes' section-3 server (a loop of `accept`, a task per client that echoes the notes'
/// reply until the client leaves), on port 0, its design the first argument: `thread` as the
/// notes write it, or `fork`, a process per client made by `fork`. A client's going offline is
/// printed with one `os.write`, not `print`'s several writes, so that the lines of many clients
/// at once stay whole; a forked child has its own copy of the socket, so the parent closes its
/// copy, or no FIN would go out when the child ends. (No Python comments in it: a line starting
/// with `# ` in a Rust block is one that mdBook hides, and the listing would lose it.)
#[cfg(target_os = "linux")]
const NOTES_SECTION_3_SERVER: &str = r#"
import multiprocessing
import os
import socket
import sys
import threading


def handle_client_request(service_client_socket, ip_port):
    while True:
        recv_data = service_client_socket.recv(1024)
        if recv_data:
            service_client_socket.send("ok，问题正在处理中...".encode("gbk"))
        else:
            os.write(1, f"客户端下线了 client offline: {ip_port}\n".encode())
            break
    service_client_socket.close()


if __name__ == '__main__':
    design = sys.argv[1]
    fork = multiprocessing.get_context("fork")
    tcp_server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp_server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
    tcp_server_socket.bind(("127.0.0.1", 0))
    tcp_server_socket.listen(128)
    host, port = tcp_server_socket.getsockname()
    print(f"listening on {host}:{port}", flush=True)
    while True:
        service_client_socket, ip_port = tcp_server_socket.accept()
        if design == "thread":
            sub_thread = threading.Thread(
                target=handle_client_request, args=(service_client_socket, ip_port), daemon=True)
            sub_thread.start()
        else:
            sub_process = fork.Process(
                target=handle_client_request, args=(service_client_socket, ip_port), daemon=True)
            sub_process.start()
            service_client_socket.close()
"#;

/// What [`measure_per_client`] saw.
#[cfg(target_os = "linux")]
#[derive(Debug)]
struct PerClient {
    micros_per_client: f64,
    pss_kib_per_client: f64,
    threads: usize,
    processes: usize,
    /// The server's ends still in CLOSE_WAIT after every client left and its server ended.
    close_wait_left: usize,
}

/// Starts lesson 4 with `args` and measures what each of `clients` clients costs it
/// ([`measure_clients_of`]).
#[cfg(target_os = "linux")]
fn measure_per_client(args: &[&str], clients: usize) -> PerClient {
    let (lesson, address) = server("lesson4", args);
    measure_clients_of(lesson, address, "client offline", clients)
}

/// Connects `clients` clients to `server` at `address` one after another, each answered once
/// and kept open, and measures what each client cost; after they leave, waits for the server's
/// `offline` line for each.
#[cfg(target_os = "linux")]
fn measure_clients_of(
    mut lesson: Process,
    address: SocketAddr,
    offline: &str,
    clients: usize,
) -> PerClient {
    let root = server_pid(&lesson);
    let before = tree_pss_kib(root);
    let started = std::time::Instant::now();
    let streams: Vec<TcpStream> = (0..clients)
        .map(|_| {
            let mut stream = connect(address);
            round_trip(&mut stream, &gbk("你好"));
            stream
        })
        .collect();
    let elapsed = started.elapsed();
    let pss = tree_pss_kib(root) - before;
    let tree = process_tree(root);
    let threads = tree.iter().map(|pid| thread_count(*pid)).sum();
    drop(streams);
    for _ in 0..clients {
        lesson.expect_line(offline);
    }
    // Each server end closes once its client has left: the thread's socket is dropped, or the
    // child process ends. Only then does it leave CLOSE_WAIT (for LAST_ACK, then nothing). A
    // parent that kept its own copy of every accepted socket, the classic fork-server bug,
    // would leave them all in CLOSE_WAIT however the children ended.
    // A child's exit closes its sockets before its parent can see it ended, so with children
    // one look at the table is enough; a thread closes just after its line, so wait for it.
    harness::procs::await_ended(&tree[1..]);
    let within = if tree.len() > 1 {
        std::time::Duration::ZERO
    } else {
        harness::TIMEOUT
    };
    let rows = course::kernel::await_port(
        address.port(),
        |rows| {
            !rows
                .iter()
                .any(|row| row.state == course::kernel::TcpState::CloseWait)
        },
        within,
    )
    .expect("Linux exposes the kernel's TCP table");
    PerClient {
        micros_per_client: elapsed.as_secs_f64() * 1e6 / clients as f64,
        pss_kib_per_client: pss as f64 / clients as f64,
        threads,
        processes: tree.len(),
        close_wait_left: rows
            .iter()
            .filter(|row| row.state == course::kernel::TcpState::CloseWait)
            .count(),
    }
}

/// `root` and its children.
#[cfg(target_os = "linux")]
fn process_tree(root: i32) -> Vec<i32> {
    let mut tree = vec![root];
    tree.extend(harness::procs::children(root));
    tree
}

/// The summed proportional set size of `root` and its children, in KiB.
#[cfg(target_os = "linux")]
fn tree_pss_kib(root: i32) -> i64 {
    process_tree(root)
        .iter()
        .map(|&pid| {
            // A child that has ended meanwhile counts for nothing.
            u32::try_from(pid)
                .ok()
                .and_then(course::process::pss_kib)
                .and_then(|kib| i64::try_from(kib).ok())
                .unwrap_or(0)
        })
        .sum()
}

/// How many threads the process `pid` has.
#[cfg(target_os = "linux")]
fn thread_count(pid: i32) -> usize {
    u32::try_from(pid)
        .ok()
        .and_then(course::process::threads)
        .unwrap_or(0)
}

/// The load generator runs against lesson 4 (tiny numbers: a smoke test, not a benchmark).
#[test]
fn loadgen_runs_against_lesson4() {
    let (mut server, address) = server("lesson4", &[]);
    command("loadgen")
        .args([
            "run",
            "--address",
            &address.to_string(),
            "--clients",
            "3",
            "--round-trips",
            "5",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("round trips/s"))
        .stdout(predicate::str::contains("p99"));
    still_serves(&mut server, address);
}
