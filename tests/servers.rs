//! What every server of many clients promises (`serves_many` in `course::lessons`: the thread
//! per client of lesson 4, the event loop of lesson 7, tokio in lesson 8): lesson 4's behaviour
//! on the wire, one function per behaviour, taking the server's package. `serves_many!("lesson7")`
//! in a lesson's test module makes each of them a test of that lesson, named as the pages cite it
//! (`lesson7::a_reset_ends_only_that_client`), so that a failure says which server broke. The
//! tests of what only threads do (a thread per client, Ctrl-C killing at once, `VmSize`) are in
//! `tests/lesson4.rs`.

/// The tests of a server of many clients, `serves_many!("lesson7")`: one `#[test]` for each
/// behaviour below, named after it, that runs it against that lesson. The list is the suite:
/// a behaviour added below and not here is dead code, which clippy refuses.
macro_rules! serves_many {
    ($package:literal) => {
        named_tests!(servers, $package;
            many_clients_each_get_every_reply,
            a_split_character_prints_whole,
            a_half_character_at_the_end_prints_as_replacement,
            invalid_bytes_print_as_replacement_and_are_answered,
            a_reset_ends_only_that_client,
            a_silent_client_goes_offline,
            a_half_closed_client_gets_its_reply,
            a_64_kib_message_is_received_in_pieces,
            idle_connections_do_not_block_others,
            a_burst_of_connections_is_survived,
            #[cfg(target_os = "linux")] accept_errors_are_reported_and_the_loop_goes_on,
            #[cfg(target_os = "linux")] a_reply_that_cannot_be_sent_ends_the_thread,
            a_closed_stdout_does_not_stop_the_server,
            bad_arguments_get_a_clear_line,
            help_explains_every_option,
            #[cfg(target_os = "linux")] a_stopped_and_continued_server_serves_on,
        );
    };
}

/// The tests of a server that serves every client from one thread (`one_thread` in
/// `course::lessons`), `serves_on_one_thread!("lesson8")`, as [`serves_many`] makes them.
macro_rules! serves_on_one_thread {
    ($package:literal) => {
        named_tests!(servers, $package;
            #[cfg(target_os = "linux")] one_thread_serves_every_client,
            #[cfg(target_os = "linux")] the_open_file_limit_is_raised_to_the_hard_limit,
        );
    };
}

/// `#[test] fn NAME() { crate::MODULE::NAME(PACKAGE) }` for each NAME, with its attributes.
macro_rules! named_tests {
    ($module:ident, $package:literal; $($(#[$attr:meta])* $name:ident),* $(,)?) => {
        $(
            $(#[$attr])*
            #[test]
            fn $name() {
                crate::$module::$name($package);
            }
        )*
    };
}

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
#[cfg(target_os = "linux")]
use std::process::Command;
use std::thread;

use child::Signal;
use harness::notes::{THREADED_REPLY, address_of, connect, gbk, round_trip};
use harness::{Process, server};
use socket2::SockRef;

/// The first words of a lesson's `--help`: `第 7 课` for lesson7.
pub(crate) fn heading(package: &str) -> String {
    format!("第 {} 课", package.trim_start_matches("lesson"))
}

/// A normal client, after whatever came before: connects, is answered, leaves, and the server
/// sees it go. Proves the server is still running and serving. Gives back the client's address.
pub(crate) fn still_serves(server: &mut Process, address: SocketAddr) -> String {
    let mut client = connect(address);
    let me = address_of(&client);
    round_trip(&mut client, &gbk("还在吗？"));
    drop(client);
    server.expect_line(&format!("client offline: {me}"));
    assert!(
        !server.stderr().contains("panicked") && !server.stdout().contains("panicked"),
        "the server never panics"
    );
    me
}

/// Reads the server's lines until each of `wanted` has appeared in one of them, in any order.
pub(crate) fn expect_all(server: &mut Process, wanted: impl IntoIterator<Item = String>) {
    let mut missing: HashSet<String> = wanted.into_iter().collect();
    while !missing.is_empty() {
        let line = server.expect_line("");
        missing.retain(|needle| !line.contains(needle.as_str()));
    }
}

/// Opens `count` connections, in batches the listen queue (128) can hold, and waits until the
/// server has accepted each of them.
pub(crate) fn open_accepted(
    server: &mut Process,
    address: SocketAddr,
    count: usize,
) -> Vec<TcpStream> {
    let mut streams = Vec::with_capacity(count);
    while streams.len() < count {
        let batch: Vec<TcpStream> = (streams.len()..count.min(streams.len() + 100))
            .map(|_| connect(address))
            .collect();
        expect_all(
            server,
            batch
                .iter()
                .map(|stream| format!("client connected: {}", address_of(stream))),
        );
        streams.extend(batch);
    }
    streams
}

#[cfg(target_os = "linux")]
pub(crate) fn server_pid(server: &Process) -> i32 {
    i32::try_from(server.id()).expect("Linux process ids fit in an i32")
}

/// Twenty clients at once, five messages each: every message is printed with its client's
/// address, every one is answered, and every client is seen going offline.
pub(crate) fn many_clients_each_get_every_reply(package: &str) {
    let (mut server, address) = server(package, &[]);
    let clients: Vec<_> = (0..20)
        .map(|client| {
            thread::spawn(move || {
                let mut stream = connect(address);
                let me = address_of(&stream);
                let mut expected = Vec::new();
                for message in 0..5 {
                    let text = format!("客户{client}第{message}条");
                    round_trip(&mut stream, &gbk(&text));
                    expected.push(format!("from {me}: {text}"));
                }
                expected.push(format!("client offline: {me}"));
                expected
            })
        })
        .collect();
    let mut expected = Vec::new();
    for client in clients {
        expected.extend(client.join().expect("each client got its five replies"));
    }
    assert_eq!(expected.len(), 20 * 6);
    expect_all(&mut server, expected);
    still_serves(&mut server, address);
}

/// A two-byte GBK character sent one byte at a time arrives in two receives, and still
/// prints whole: the connection is decoded as one stream, not chunk by chunk.
pub(crate) fn a_split_character_prints_whole(package: &str) {
    let (mut server, address) = server(package, &[]);
    let mut client = connect(address);
    let me = address_of(&client);
    let ni = gbk("你");
    assert_eq!(ni.len(), 2, "你 is two bytes in GBK");
    // The reply to the first byte proves the server has received it on its own, so the second
    // byte cannot join it in the same receive.
    round_trip(&mut client, &ni[..1]);
    round_trip(&mut client, &ni[1..]);
    let first = server.expect_line(&format!("from {me}:"));
    let second = server.expect_line(&format!("from {me}:"));
    assert!(
        first.starts_with("收到 received 1 ") && first.ends_with(&format!("from {me}: ")),
        "the first half alone prints nothing yet: {first:?}"
    );
    assert!(
        second.starts_with("收到 received 1 ") && second.ends_with(&format!("from {me}: 你")),
        "the second half completes the character: {second:?}"
    );
    drop(client);
    still_serves(&mut server, address);
}

/// A connection that ends in the middle of a character: the half left over prints as U+FFFD
/// when the stream ends, before the client is seen going offline. A client whose text was
/// whole gets no such line.
pub(crate) fn a_half_character_at_the_end_prints_as_replacement(package: &str) {
    let (mut server, address) = server(package, &[]);
    // A client of whole text first: no incomplete bytes when it leaves.
    let whole_me = still_serves(&mut server, address);
    assert!(
        !server
            .stdout()
            .contains(&format!("at the end from {whole_me}")),
        "{package}: a whole text leaves no incomplete bytes\n{}",
        server.stdout()
    );
    let mut client = connect(address);
    let me = address_of(&client);
    round_trip(&mut client, &gbk("你")[..1]);
    drop(client);
    let line = server.expect_line(&format!("at the end from {me}"));
    assert!(line.ends_with(": \u{FFFD}"), "got {line:?}");
    server.expect_line(&format!("client offline: {me}"));
    still_serves(&mut server, address);
}

/// Bytes that are not GBK print as U+FFFD, with a note, and are still answered.
pub(crate) fn invalid_bytes_print_as_replacement_and_are_answered(package: &str) {
    let (mut server, address) = server(package, &[]);
    let mut client = connect(address);
    let me = address_of(&client);
    // 0xFF is never a byte of GBK text.
    round_trip(&mut client, b"\xff\xffok");
    let line = server.expect_line(&format!("from {me}:"));
    assert!(line.contains(": \u{FFFD}\u{FFFD}ok"), "got {line:?}");
    // The note goes on a line of its own, under the text it is about.
    let note = if line.contains("not valid text") {
        line
    } else {
        server.expect_line("not valid text")
    };
    assert!(note.contains("not valid text"), "got {note:?}");
    // The same client carries on with valid text.
    round_trip(&mut client, &gbk("好"));
    server.expect_line(&format!("from {me}: 好"));
    drop(client);
    still_serves(&mut server, address);
}

/// A client that resets its connection (SO_LINGER 0, then close) ends only its own thread:
/// the server's receive fails with ConnectionReset, it says so, and serves the next client.
pub(crate) fn a_reset_ends_only_that_client(package: &str) {
    let (mut server, address) = server(package, &[]);
    let mut client = connect(address);
    let me = address_of(&client);
    round_trip(&mut client, b"hello");
    SockRef::from(&client)
        .set_linger(Some(std::time::Duration::ZERO))
        .expect("SO_LINGER can be set on a TCP socket");
    // Closing with a zero linger time sends RST instead of FIN.
    drop(client);
    server.expect_line(&format!("ending this client {me}:"));
    // The OS's reason goes on the next line, which the client's address leaves no room for.
    let reason = server.expect_line("");
    assert!(reason.contains("ConnectionReset"), "got {reason:?}");
    still_serves(&mut server, address);
}

/// A client that connects and closes without a word is seen going offline (0 bytes).
pub(crate) fn a_silent_client_goes_offline(package: &str) {
    let (mut server, address) = server(package, &[]);
    let client = connect(address);
    let me = address_of(&client);
    drop(client);
    server.expect_line(&format!("client connected: {me}"));
    server.expect_line(&format!("client offline: {me}"));
    still_serves(&mut server, address);
}

/// A client that shuts down its sending side still gets the reply it is owed, then 0 bytes
/// when the server, having seen the end of the stream, closes.
pub(crate) fn a_half_closed_client_gets_its_reply(package: &str) {
    let (mut server, address) = server(package, &[]);
    let mut client = connect(address);
    let me = address_of(&client);
    client
        .write_all(&gbk("最后一句"))
        .expect("send to the server");
    client
        .shutdown(Shutdown::Write)
        .expect("shut down the sending side");
    let mut received = Vec::new();
    client
        .read_to_end(&mut received)
        .expect("read until the server closes");
    assert_eq!(
        received,
        gbk(THREADED_REPLY),
        "one reply, then the server's FIN"
    );
    server.expect_line(&format!("from {me}: 最后一句"));
    server.expect_line(&format!("client offline: {me}"));
    still_serves(&mut server, address);
}

/// A 64 KiB message arrives in many receives of at most 1024 bytes; every byte is counted
/// and every receive is answered.
pub(crate) fn a_64_kib_message_is_received_in_pieces(package: &str) {
    let (mut server, address) = server(package, &[]);
    let mut client = connect(address);
    let me = address_of(&client);
    let message = vec![b'a'; 64 * 1024];
    client.write_all(&message).expect("send to the server");
    client
        .shutdown(Shutdown::Write)
        .expect("shut down the sending side");
    let mut replies = Vec::new();
    client
        .read_to_end(&mut replies)
        .expect("read until the server closes");

    server.expect_line(&format!("client connected: {me}"));
    let mut total = 0;
    let mut receives = 0;
    loop {
        let line = server.expect_line(&me);
        if line.contains("client offline") {
            break;
        }
        let bytes: usize = line
            .split_whitespace()
            .nth(2)
            .and_then(|count| count.parse().ok())
            .unwrap_or_else(|| panic!("a receive line gives its byte count: {line:?}"));
        assert!(bytes <= 1024, "recv(1024) never returns more: {line:?}");
        total += bytes;
        receives += 1;
    }
    assert_eq!(total, message.len(), "every byte arrived");
    assert!(receives >= 64, "at least 64 receives of 1024 bytes");
    assert_eq!(
        replies.len(),
        receives * gbk(THREADED_REPLY).len(),
        "one reply per receive"
    );
    still_serves(&mut server, address);
}

/// Three hundred connections that never say a word each hold a thread, and a new client is
/// served all the same.
pub(crate) fn idle_connections_do_not_block_others(package: &str) {
    let (mut server, address) = server(package, &[]);
    let idle = open_accepted(&mut server, address, 300);
    still_serves(&mut server, address);
    drop(idle);
}

/// A burst of a thousand connections, each closed at once, leaves the server serving.
pub(crate) fn a_burst_of_connections_is_survived(package: &str) {
    let (mut server, address) = server(package, &[]);
    for _ in 0..10 {
        let batch: Vec<String> = (0..100).map(|_| address_of(&connect(address))).collect();
        expect_all(
            &mut server,
            batch.iter().map(|me| format!("client offline: {me}")),
        );
    }
    still_serves(&mut server, address);
}

/// Lowers `server`'s open-file limit to leave room for one more descriptor: accept(2) takes
/// the lowest free descriptor and fails with EMFILE when that number is not below the limit,
/// so the limit is the lowest free one, plus one.
#[cfg(target_os = "linux")]
pub(crate) fn room_for_one_more_descriptor(server: &Process) {
    use rustix::process::{Pid, Resource, Rlimit, getrlimit, prlimit};
    let pid = Pid::from_raw(server_pid(server)).expect("a child's pid is positive");
    let open: HashSet<u64> = course::process::open_files(server.id())
        .expect("Linux lists a process's open files")
        .into_iter()
        .map(u64::from)
        .collect();
    let lowest_free = (0..)
        .find(|fd| !open.contains(fd))
        .expect("some number is free");
    let limit = Rlimit {
        current: Some(lowest_free + 1),
        maximum: getrlimit(Resource::Nofile).maximum,
    };
    prlimit(Some(pid), Resource::Nofile, limit).expect("a process may limit its own child");
}

/// Out of file descriptors, `accept` fails (EMFILE); the server reports it, pauses, tries
/// again, and accepts the waiting client once a descriptor is free. The pause is counted: the
/// failures reported while the client waited are at most one per 50 ms of that wait (the pause
/// is 100 ms), where a loop that retried at once would report thousands a millisecond.
#[cfg(target_os = "linux")]
pub(crate) fn accept_errors_are_reported_and_the_loop_goes_on(package: &str) {
    let (mut server, address) = server(package, &[]);
    room_for_one_more_descriptor(&server);

    let mut first = connect(address);
    round_trip(&mut first, b"one");
    // The kernel completes this connection, but the server has no descriptor to accept it.
    let waiting_since = std::time::Instant::now();
    let mut second = connect(address);
    second
        .write_all(b"two")
        .expect("the kernel queues data for a connection not yet accepted");
    let line = server.expect_line("accept failed");
    assert!(line.contains("os error 24"), "EMFILE: {line:?}");

    // The first client leaves, its descriptor is closed, and the retry accepts the second.
    drop(first);
    let accepted = format!("client connected: {}", address_of(&second));
    let mut failures = 1;
    loop {
        let line = server.expect_line("");
        if line.contains(&accepted) {
            break;
        }
        failures += u128::from(line.contains("accept failed"));
        // A server that keeps failing prints forever: the wait for the accept is bounded too.
        assert!(
            waiting_since.elapsed() < harness::TIMEOUT,
            "{package}: the first client left, yet after {failures} failed accepts in {:?} the \
             second is still not accepted: was the first one's descriptor closed?",
            waiting_since.elapsed()
        );
    }
    let waited = waiting_since.elapsed();
    let allowed = 3 + waited.as_millis() / 50;
    assert!(
        failures <= allowed,
        "{package}: {failures} failed accepts reported in {waited:?} (at most {allowed} with \
         a pause after each): the loop retries without pausing"
    );
    let mut reply = vec![0u8; gbk(THREADED_REPLY).len()];
    second
        .read_exact(&mut reply)
        .expect("the waiting client is served once a descriptor is free");
    assert_eq!(reply, gbk(THREADED_REPLY));
    drop(second);
    still_serves(&mut server, address);
}

/// A client that sends a message and resets the connection: the message is still read, the
/// reset then ends that client (the reply cannot be sent, or the next read fails) with a line
/// saying so, and the server carries on. (The test freezes the server with SIGSTOP so that
/// the client's message and reset are both there before the server reads the message.)
#[cfg(target_os = "linux")]
pub(crate) fn a_reply_that_cannot_be_sent_ends_the_thread(package: &str) {
    let (mut server, address) = server(package, &[]);
    let mut client = connect(address);
    let me = address_of(&client);
    round_trip(&mut client, b"first");
    server.expect_line(&format!("from {me}: first"));

    server.stop();
    client.write_all(b"second").expect("send to the server");
    SockRef::from(&client)
        .set_linger(Some(std::time::Duration::ZERO))
        .expect("SO_LINGER can be set on a TCP socket");
    drop(client);
    server.signal(Signal::Continue);

    let line = server.expect_line(&format!("from {me}"));
    assert!(
        line.ends_with("second"),
        "the message is still read: {line:?}"
    );
    // Lessons 4 and 8 answer each read before the next, so the reply is what fails;
    // lesson 7 reads until WouldBlock before it sends, so its next read meets the reset.
    let line = server.expect_line(&format!("ending this client {me}"));
    assert!(
        line.contains("reply could not be sent") || line.contains("receive failed"),
        "{package}: got {line:?}"
    );
    still_serves(&mut server, address);
}

/// Nobody reading the server's output (a closed pipe) does not stop it: a line that cannot be
/// printed is dropped, and clients are still answered.
pub(crate) fn a_closed_stdout_does_not_stop_the_server(package: &str) {
    use std::io::BufReader;
    use std::process::{Command, Stdio};

    let mut child = Command::new(harness::binary(package))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lesson 4");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let address = harness::read_listening_address(&mut stdout);
    // Close the read end: from now on every line the server prints fails with EPIPE.
    drop(stdout);
    for _ in 0..3 {
        let mut client = connect(address);
        round_trip(&mut client, b"anyone listening?");
        round_trip(&mut client, b"still here");
    }
    let still_running = child.try_wait().expect("query the child").is_none();
    child.kill().expect("stop the server");
    let output = child.wait_with_output().expect("collect stderr");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(still_running, "the server kept running; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "no panic; stderr:\n{stderr}");
}

/// Every bad argument gets one clear line and a non-zero exit, never a panic.
pub(crate) fn bad_arguments_get_a_clear_line(package: &str) {
    harness::cli::assert_bad_arguments_refused(package);
}

/// `--help` explains every option, Chinese first.
pub(crate) fn help_explains_every_option(package: &str) {
    harness::cli::assert_help(
        package,
        &heading(package),
        &["--host", "--port", "--encoding"],
    );
}

/// The number of threads the kernel lists for process `pid`.
#[cfg(target_os = "linux")]
fn threads_of(pid: u32) -> usize {
    course::process::threads(pid).expect("Linux lists a process's threads")
}

/// With two hundred clients connected and served, the server still has exactly one thread.
#[cfg(target_os = "linux")]
pub(crate) fn one_thread_serves_every_client(package: &str) {
    {
        let (mut process, address) = server(package, &[]);
        let mut clients: Vec<TcpStream> = (0..200).map(|_| connect(address)).collect();
        for (n, client) in clients.iter_mut().enumerate() {
            round_trip(client, format!("第 {n} 个").as_bytes());
        }
        assert_eq!(
            threads_of(process.id()),
            1,
            "{package}: 200 clients, one thread"
        );
        drop(clients);
        process.expect_line("client offline");
    }
}

/// Started with a soft open-file limit of 1024 below a higher hard limit, the server raises
/// the soft limit to the hard one and says so; the kernel's view of the process agrees.
#[cfg(target_os = "linux")]
pub(crate) fn the_open_file_limit_is_raised_to_the_hard_limit(package: &str) {
    use rustix::process::{Resource, getrlimit};
    let Some(hard) = getrlimit(Resource::Nofile)
        .maximum
        .filter(|&hard| hard > 1024)
    else {
        harness::tools::skip(
            &format!("{package}::the_open_file_limit_is_raised_to_the_hard_limit"),
            "the hard open-file limit here is not above 1024, nothing to raise",
        );
        return;
    };
    let binary = harness::binary(package);
    let mut command = Command::new("sh");
    command
        .args(["-c", "ulimit -Sn 1024 && exec \"$0\" --port 0"])
        .arg(&binary);
    // A Process, so that a server that never says it raised the limit fails the test after
    // harness::TIMEOUT instead of hanging it.
    let mut server = harness::spawn_command(&format!("{package} under ulimit -Sn 1024"), command);
    let limit_line = server.expect_line("open-file limit");
    let limit =
        course::process::open_file_limit(server.id()).expect("Linux shows a process's limits");
    assert!(
        limit_line.contains(&format!("1024 → {hard}")),
        "{package}: says what it raised: {limit_line:?}"
    );
    assert_eq!(limit.soft, Some(hard), "{package}: the kernel's soft limit");
}

/// Stopped (Ctrl-Z: SIGSTOP) and continued (`fg`: SIGCONT) while it waits, a server serves on.
/// On Linux a wait such as `epoll_wait` fails with EINTR after a stop and a continue even when
/// the program has no signal handler (signal(7)), and the server takes it as "wait again", not
/// as an error that ends it. Linux only: the stop is seen in /proc.
#[cfg(target_os = "linux")]
pub(crate) fn a_stopped_and_continued_server_serves_on(package: &str) {
    let (mut server, address) = server(package, &[]);
    // Served once: it is up, and back in its wait.
    still_serves(&mut server, address);
    server.stop();
    server.signal(Signal::Continue);
    still_serves(&mut server, address);
}
