//! Lesson 6: TCP has no message boundaries. The experiments are run as a student runs them and
//! each behaviour is shown again with the test's own sockets; the framed server is fed streams
//! cut every way (all at once, a byte at a time, at random places, inside a GBK character) and
//! hostile peers, and every message must come out whole, with exactly one reply.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use harness::notes::{address_of, connect, gbk};
use harness::{Process, command, spawn};
use predicates::prelude::*;

/// The two framings the lesson teaches, as its `--framing` names them.
const FRAMINGS: [&str; 2] = ["length", "line"];

/// The lesson's largest payload.
const MAX_PAYLOAD: usize = 64 * 1024;

/// One frame of `payload` in `framing`, written here independently of the lesson's code.
fn frame(framing: &str, payload: &[u8]) -> Vec<u8> {
    match framing {
        "length" => {
            let mut bytes = u32::try_from(payload.len())
                .expect("test payloads are small")
                .to_be_bytes()
                .to_vec();
            bytes.extend_from_slice(payload);
            bytes
        }
        _ => {
            assert!(!payload.contains(&b'\n'), "a line payload has no newline");
            let mut bytes = payload.to_vec();
            bytes.push(b'\n');
            bytes
        }
    }
}

/// Reads one frame in `framing` from `stream`, or `None` at the end of the stream.
fn read_frame(framing: &str, stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut byte = [0u8; 1];
    let mut payload = Vec::new();
    if framing == "length" {
        let mut prefix = [0u8; 4];
        match stream.read_exact(&mut prefix) {
            Ok(()) => {}
            Err(error) if error.kind() == ErrorKind::UnexpectedEof => return None,
            Err(error) => panic!("reading a reply's length: {error}"),
        }
        payload.resize(u32::from_be_bytes(prefix) as usize, 0);
        stream
            .read_exact(&mut payload)
            .expect("a reply's payload follows its length");
        return Some(payload);
    }
    loop {
        match stream.read(&mut byte).expect("reading a reply line") {
            0 if payload.is_empty() => return None,
            0 => panic!("the stream ended inside a reply line: {payload:?}"),
            _ if byte[0] == b'\n' => return Some(payload),
            _ => payload.push(byte[0]),
        }
    }
}

/// The framed server with `framing`, on a port the OS picks, and its address.
fn framed_server(framing: &str, extra: &[&str]) -> (Process, SocketAddr) {
    let mut args = vec!["server", "--port", "0", "--framing", framing];
    args.extend_from_slice(extra);
    let mut process = spawn("lesson6", &args);
    let address = process.listening_address();
    // The server says how it reads the stream, as the student asked for it.
    process.expect_line(&format!("分帧方式 framing: {framing}，"));
    (process, address)
}

/// Messages that make cutting interesting: GBK characters (two bytes each), an empty one, a
/// long one that no single segment carries.
fn messages() -> Vec<String> {
    vec![
        "你好".to_owned(),
        "粘包和拆包".to_owned(),
        String::new(),
        "ok".to_owned(),
        "长".repeat(20_000),
    ]
}

/// The ways a stream can be cut on its way to the server.
#[derive(Debug, Clone, Copy)]
enum Cuts {
    /// Every frame in one write.
    AllAtOnce,
    /// One byte per write, with Nagle off so that each goes out as its own segment.
    BytePerWrite,
    /// Writes of random sizes, from this seed.
    Random(u64),
}

/// Writes `bytes` to `stream`, cut as `cuts` says.
fn write_cut(stream: &mut TcpStream, bytes: &[u8], cuts: Cuts) {
    stream.set_nodelay(true).expect("TCP_NODELAY can be set");
    let mut seed = match cuts {
        Cuts::AllAtOnce => return stream.write_all(bytes).expect("send"),
        Cuts::BytePerWrite => 0,
        Cuts::Random(seed) => seed,
    };
    let mut at = 0;
    while at < bytes.len() {
        let size = if seed == 0 {
            1
        } else {
            // xorshift64: repeatable cut points from the seed.
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            1 + (seed % 700) as usize
        };
        let end = (at + size).min(bytes.len());
        stream.write_all(&bytes[at..end]).expect("send");
        at = end;
    }
}

/// Sends every message, cut as `cuts` says, then checks that the server printed each whole,
/// with its length, and answered each with exactly one frame.
fn every_message_whole(framing: &str, cuts: Cuts) {
    let (mut server, address) = framed_server(framing, &[]);
    let mut client = connect(address);
    let me = address_of(&client);
    let messages = messages();
    for message in &messages {
        server.echoes(message);
    }
    let stream: Vec<u8> = messages
        .iter()
        .flat_map(|message| frame(framing, &gbk(message)))
        .collect();
    write_cut(&mut client, &stream, cuts);
    for (index, message) in messages.iter().enumerate() {
        let number = index + 1;
        let length = gbk(message).len();
        let line = server.expect_line(&format!("message {number} ("));
        assert!(
            line.contains(&format!("({length} 字节 bytes) 来自 from {me}: {message}")),
            "{framing}, {cuts:?}: message {number} printed whole\n    expected: {length} bytes, {message:.20}…\n    got:      {line:.120}"
        );
        let reply = read_frame(framing, &mut client).expect("one reply per message");
        let reply = encoding_rs::GBK.decode(&reply).0.into_owned();
        assert!(
            reply.contains(&format!("message {number} ({length} 字节 bytes)")),
            "{framing}, {cuts:?}: reply {number} is for message {number}: {reply}"
        );
    }
    client.shutdown(Shutdown::Write).expect("half-close");
    assert_eq!(
        read_frame(framing, &mut client),
        None,
        "{framing}, {cuts:?}: no reply beyond one per message"
    );
    server.expect_line(&format!("client offline: {me}"));
}

/// With either framing, frames glued into one write come out as separate whole messages.
#[test]
fn glued_frames_arrive_as_separate_messages() {
    for framing in FRAMINGS {
        every_message_whole(framing, Cuts::AllAtOnce);
    }
}

/// With either framing, a stream sent one byte per segment still gives whole messages: every
/// GBK character is cut in two on the way.
#[test]
fn frames_sent_a_byte_at_a_time_arrive_whole() {
    for framing in FRAMINGS {
        every_message_whole(framing, Cuts::BytePerWrite);
    }
}

/// With either framing, frames cut at random places arrive whole, each with one reply.
#[test]
fn frames_cut_at_random_arrive_whole() {
    for framing in FRAMINGS {
        for seed in [1, 42, 2026] {
            every_message_whole(framing, Cuts::Random(seed));
        }
    }
}

/// A GBK character cut inside a frame prints whole: the test sends up to the middle of 开,
/// waits until the kernel shows those bytes acknowledged and read by the server (so the server
/// really did get half a character from one recv), then sends the rest.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "waits on the kernel's TCP table, which only Linux offers"
)]
fn a_gbk_character_cut_inside_a_frame_prints_whole() {
    for framing in FRAMINGS {
        let (mut server, address) = framed_server(framing, &[]);
        let mut client = connect(address);
        let bytes = frame(framing, &gbk("拆开的字"));
        // Cut after the first byte of 开: the prefix (if any), 拆, and half of 开.
        let cut = bytes.len() - if framing == "line" { 6 } else { 5 };
        write_cut(&mut client, &bytes[..cut], Cuts::AllAtOnce);
        wait_until_read(&client);
        write_cut(&mut client, &bytes[cut..], Cuts::AllAtOnce);
        let line = server.expect_line("message 1 (");
        assert!(
            line.contains(": 拆开的字"),
            "{framing}: printed whole: {line}"
        );
        read_frame(framing, &mut client).expect("one reply");
    }
}

/// Waits until every byte `client` sent is acknowledged by the server's kernel and taken by
/// the server's `recv`, as the kernel's table shows both ends' queues.
fn wait_until_read(client: &TcpStream) {
    let (local, remote) = (
        client.local_addr().expect("connected"),
        client.peer_addr().expect("connected"),
    );
    let deadline = Instant::now() + harness::TIMEOUT;
    loop {
        let sent = course::kernel::connection(local, remote).expect("Linux has the table");
        let received = course::kernel::connection(remote, local).expect("Linux has the table");
        let done = sent.is_some_and(|row| row.unacknowledged == 0)
            && received.is_some_and(|row| row.unread == 0);
        assert!(
            Instant::now() < deadline,
            "the server never read the first part"
        );
        if done {
            return;
        }
        thread::yield_now();
    }
}

/// A declared length above the maximum ends that connection with a clear line, without the
/// server waiting for (or making room for) the payload; other clients are unaffected.
#[test]
fn a_hostile_length_ends_only_that_connection() {
    let (mut server, address) = framed_server("length", &[]);
    let mut bystander = connect(address);
    let mut hostile = connect(address);
    let me = address_of(&hostile);
    hostile
        .write_all(&u32::MAX.to_be_bytes())
        .expect("send a hostile length");
    let line = server.expect_line("frame too long");
    assert!(
        line.contains(&me) && line.contains("4294967295") && line.contains("65536"),
        "the line names the peer, the declared length and the maximum: {line}"
    );
    let mut rest = Vec::new();
    let end = hostile.read_to_end(&mut rest);
    assert!(
        matches!(end, Ok(0)) || matches!(&end, Err(e) if e.kind() == ErrorKind::ConnectionReset),
        "the server closed the hostile connection: {end:?}"
    );
    write_cut(
        &mut bystander,
        &frame("length", &gbk("我还在")),
        Cuts::AllAtOnce,
    );
    read_frame("length", &mut bystander).expect("the bystander is still served");
}

/// A line that runs past the maximum without a newline ends that connection too.
#[test]
fn an_endless_line_ends_only_that_connection() {
    let (mut server, address) = framed_server("line", &[]);
    let mut hostile = connect(address);
    // The server may close while this is still being written: a reset here is the point.
    let _ = hostile.write_all(&vec![b'x'; MAX_PAYLOAD + 8192]);
    server.expect_line("frame too long");
    let mut bystander = connect(address);
    write_cut(
        &mut bystander,
        &frame("line", &gbk("我还在")),
        Cuts::AllAtOnce,
    );
    read_frame("line", &mut bystander).expect("a new client is still served");
}

/// A peer that stops in the middle of a frame is timed out and closed, while a client that is
/// merely quiet between frames for longer than that timeout is kept and still served.
#[test]
fn a_peer_that_stops_mid_frame_is_timed_out() {
    for framing in FRAMINGS {
        let (mut server, address) = framed_server(framing, &["--frame-timeout-ms", "300"]);
        let mut quiet = connect(address);
        let mut stuck = connect(address);
        let me = address_of(&stuck);
        let bytes = frame(framing, &gbk("说到一半"));
        write_cut(&mut stuck, &bytes[..bytes.len() / 2], Cuts::AllAtOnce);
        let started = Instant::now();
        let line = server.expect_line("stopped mid-frame");
        assert!(line.contains(&me), "{framing}: names the peer: {line}");
        let mut rest = Vec::new();
        assert!(
            matches!(stuck.read_to_end(&mut rest), Ok(0)),
            "{framing}: the stuck peer's connection is closed"
        );
        assert!(
            started.elapsed() >= Duration::from_millis(250),
            "{framing}: not before the timeout"
        );
        write_cut(
            &mut quiet,
            &frame(framing, &gbk("我只是没说话")),
            Cuts::AllAtOnce,
        );
        read_frame(framing, &mut quiet).expect("the quiet client is still served");
    }
}

/// A client that resets its connection (SO_LINGER 0, then close) ends only that connection, and
/// the server says what `recv` returned, a reset, whether it came between two frames or in the
/// middle of one: a reset is not a pause between frames (which the server waits out) nor a
/// peer that stopped mid-frame (which it times out). The server has read all it was sent before
/// the reset comes (the kernel's queues show it), so the reset is what its `recv` meets.
#[cfg(target_os = "linux")]
#[test]
fn a_reset_ends_only_that_connection_and_is_named() {
    for framing in FRAMINGS {
        let (mut server, address) = framed_server(framing, &[]);
        let mut between = connect(address);
        write_cut(
            &mut between,
            &frame(framing, &gbk("一整帧")),
            Cuts::AllAtOnce,
        );
        read_frame(framing, &mut between).expect("the whole frame is answered");
        let mut inside = connect(address);
        let bytes = frame(framing, &gbk("说到一半"));
        write_cut(&mut inside, &bytes[..bytes.len() / 2], Cuts::AllAtOnce);
        wait_until_read(&inside);
        for (client, waiting) in [(between, 0), (inside, bytes.len() / 2)] {
            let me = address_of(&client);
            socket2::SockRef::from(&client)
                .set_linger(Some(Duration::ZERO))
                .expect("SO_LINGER 0");
            drop(client);
            let line = server.expect_line(&format!("closing {me}:"));
            let said = format!("recv failed ({waiting} 字节 bytes of a frame waiting):");
            assert!(line.contains(&said), "{framing}: {said}\n{line}");
            // The error, on the next line where the line is cut to fit the terminal.
            let next = server.expect_line("");
            assert!(
                format!("{line} {next}").contains("ConnectionReset"),
                "{framing}: a reset\n{line}\n{next}"
            );
        }
        let mut next = connect(address);
        write_cut(&mut next, &frame(framing, &gbk("还在吗")), Cuts::AllAtOnce);
        read_frame(framing, &mut next).expect("the next client is served");
    }
}

/// The client sends all its messages in one write and prints one reply for each, with either
/// framing, against the lesson's own server.
#[test]
fn the_client_sends_in_one_write_and_prints_each_reply() {
    for framing in FRAMINGS {
        let (mut server, address) = framed_server(framing, &[]);
        let port = address.port().to_string();
        command("lesson6")
            .args([
                "client",
                "--framing",
                framing,
                "--port",
                &port,
                "你好",
                "再见",
                "第三条",
            ])
            .assert()
            .success()
            .stdout(predicate::str::contains("sent in one write: 3"))
            .stdout(predicate::str::contains("reply 1 ("))
            .stdout(predicate::str::contains("reply 3 ("))
            .stdout(predicate::str::contains("reply 4").not());
        server.expect_line("(4 字节 bytes)");
        server.expect_line(": 再见");
        server.expect_line(": 第三条");
    }
}

/// The client's messages really do travel in one write: a plain listener here reads the whole
/// stream and finds every frame in it, back to back.
#[test]
fn the_client_frames_are_back_to_back_on_the_wire() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
    let port = listener.local_addr().expect("bound").port().to_string();
    let reader = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("the client connects");
        let mut expected = frame("length", &gbk("甲"));
        expected.extend(frame("length", &gbk("乙")));
        let mut got = vec![0u8; expected.len()];
        stream.read_exact(&mut got).expect("both frames arrive");
        assert_eq!(got, expected, "two length-prefixed GBK frames");
        for payload in ["ok 1", "ok 2"] {
            stream
                .write_all(&frame("length", &gbk(payload)))
                .expect("reply");
        }
    });
    command("lesson6")
        .args(["client", "--port", &port, "甲", "乙"])
        .assert()
        .success()
        .stdout(predicate::str::contains("reply 2 (4 字节 bytes): ok 2"));
    reader.join().expect("the listener saw both frames");
}

/// Line framing refuses a message that holds a newline, with a clear line and no panic.
#[test]
fn line_framing_refuses_a_newline_in_a_message() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
    let port = listener.local_addr().expect("bound").port().to_string();
    command("lesson6")
        .args(["client", "--framing", "line", "--port", &port, "one\ntwo"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("newline"))
        .stderr(predicate::str::contains("panicked").not());
}

/// Lesson 6's experiments, in the order the page numbers them.
const EXPERIMENTS: [&str; 5] = ["glued", "split", "partial-send", "nagle", "dead-peer"];

/// Runs one experiment and returns its output, after checking it ran under its number and its
/// verdict holds.
fn experiment(name: &str) -> String {
    let output = command("lesson6")
        .arg(name)
        .output()
        .expect("the lesson runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success() && stdout.contains(&format!("结论 verdict: {name} 成立 holds")),
        "lesson6 {name}: the experiment shows what it claims\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let number = 1 + EXPERIMENTS
        .iter()
        .position(|known| *known == name)
        .expect("one of lesson 6's experiments");
    let heading = format!("== 实验 {number} experiment {number}: {name} ==");
    assert!(stdout.contains(&heading), "{heading}\n{stdout}");
    stdout
}

/// Two sends from a client, read late, come out of one recv together (粘包); shown by the lesson
/// and by the test's own sockets.
#[test]
fn two_sends_arrive_in_one_recv() {
    let stdout = experiment("glued");
    // Both messages (15 bytes each in UTF-8) wait in the server's buffer before it reads.
    for seen in [
        "server: bytes waiting before its first recv -> 30",
        "server recv(1024) -> Ok(30 bytes)",
    ] {
        assert!(stdout.contains(seen), "{seen}\n{stdout}");
    }

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
    let mut client = TcpStream::connect(listener.local_addr().expect("bound")).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    client.write_all(b"first").expect("send 1");
    client.write_all(b"second").expect("send 2");
    let mut waiting = [0u8; 64];
    let deadline = Instant::now() + harness::TIMEOUT;
    while server.peek(&mut waiting).expect("peek") < 11 && Instant::now() < deadline {
        thread::yield_now();
    }
    let mut server = server;
    let mut recv_data = [0u8; 1024];
    let received = server.read(&mut recv_data).expect("recv");
    assert_eq!(
        &recv_data[..received],
        b"firstsecond",
        "one recv, both sends"
    );
}

/// One 64 KiB send takes many recvs when the receiver's SO_RCVBUF is small: at most a
/// buffer's worth can be waiting at a time.
#[test]
fn one_big_send_takes_several_recvs() {
    let stdout = experiment("split");
    let small = stdout
        .lines()
        .find(|line| {
            line.contains("SO_RCVBUF") && line.contains("× recv") && !line.contains("131072")
        })
        .unwrap_or_default()
        .to_owned();
    let recvs: usize = small
        .split(" × recv")
        .next()
        .and_then(|before| before.rsplit('(').next())
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or_else(|| panic!("a count of recvs in {small:?}\n{stdout}"));
    assert!(
        recvs >= 8,
        "64 KiB through an 8 KiB buffer takes at least 8 recvs: {small}"
    );
    let sizes: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("recv sizes -> "))
        .collect();
    assert_eq!(sizes.len(), 2, "one line of sizes per buffer\n{stdout}");
    for line in sizes {
        assert_sizes_add_up(line);
    }
}

/// A line `… recv sizes -> 4096 × 15 + 1024 (16 × recv, 65536 bytes)`: each run of equal
/// sizes written `SIZE × COUNT` (a run of one as the size alone, and two runs side by side of
/// different sizes), adding up to the count of recvs and the bytes that the line gives.
fn assert_sizes_add_up(line: &str) {
    let parse = |word: &str| -> usize {
        word.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{word:?} is not a number in {line:?}"))
    };
    let (_, after) = line.split_once("recv sizes -> ").expect("the sizes");
    let (runs, totals) = after.split_once(" (").expect("the totals in brackets");
    let (recvs, bytes) = totals
        .trim_end_matches(" bytes)")
        .split_once(" × recv, ")
        .unwrap_or_else(|| panic!("'N × recv, T bytes' in {line:?}"));
    let (mut count, mut sum, mut previous) = (0, 0, None);
    for run in runs.split(" + ") {
        let (size, times) = match run.split_once(" × ") {
            Some((size, times)) => (parse(size), parse(times)),
            None => (parse(run), 1),
        };
        assert!(
            run.contains(" × ") == (times > 1),
            "a run of {times}: {run:?} in {line:?}"
        );
        assert_ne!(
            previous,
            Some(size),
            "two runs of {size} side by side in {line:?}"
        );
        previous = Some(size);
        count += times;
        sum += size * times;
    }
    assert_eq!((count, sum), (parse(recvs), parse(bytes)), "{line}");
    assert_eq!(
        sum,
        64 * 1024,
        "the one send's 64 KiB, all received: {line}"
    );
}

/// A send on a non-blocking socket whose buffers are full takes only part of what it was given,
/// then WouldBlock; the rest needs the loop that sendall hides.
#[test]
fn a_send_takes_only_part() {
    let stdout = experiment("partial-send");
    assert!(stdout.contains("Err(WouldBlock"), "{stdout}");
    // Blocking, one send takes all the rest (Linux returns only when every byte is queued,
    // unless a signal interrupts it): the loop that sendall hides runs once here.
    for seen in [
        "blocking send calls to finish the rest -> 1",
        "server received in all -> Ok(1048576 bytes)",
    ] {
        assert!(stdout.contains(seen), "{seen}\n{stdout}");
    }

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
    let client = TcpStream::connect(listener.local_addr().expect("bound")).expect("connect");
    let (_server, _) = listener.accept().expect("accept");
    client.set_nonblocking(true).expect("non-blocking");
    let data = vec![0u8; 64 * 1024 * 1024];
    let mut client = client;
    let first = client.write(&data).expect("some bytes fit");
    assert!(
        first < data.len(),
        "one send takes only part of 64 MiB: {first}"
    );
}

/// Nagle's algorithm holding the second small write for the peer's delayed ACK makes a
/// write-write-read round trip wait tens of milliseconds; TCP_NODELAY removes the wait.
#[test]
fn nagle_and_delayed_ack_cost_tens_of_milliseconds() {
    let stdout = experiment("nagle");
    let median = |label: &str| -> f64 {
        stdout
            .lines()
            .find(|line| line.contains(label))
            .and_then(|line| line.split("-> ").nth(1))
            .and_then(|figures| figures.split(" ms").next())
            .and_then(|number| number.trim().parse().ok())
            .unwrap_or_else(|| panic!("a median for {label:?}\n{stdout}"))
    };
    let (with_nagle, without) = (median("Nagle on"), median("TCP_NODELAY:"));
    assert!(
        with_nagle >= 20.0,
        "Nagle + delayed ACK: {with_nagle} ms\n{stdout}"
    );
    assert!(
        without * 10.0 < with_nagle,
        "TCP_NODELAY: {without} ms\n{stdout}"
    );
}

/// A peer that says nothing and never closes keeps a plain recv waiting; SO_RCVTIMEO turns the
/// wait into an error (WouldBlock on Linux) once the timeout has passed, never before.
#[test]
fn a_silent_peer_times_out_with_so_rcvtimeo() {
    let stdout = experiment("dead-peer");
    assert!(
        stdout.contains("keepalive settings read back -> idle 10 s"),
        "{stdout}"
    );

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
    let mut client = TcpStream::connect(listener.local_addr().expect("bound")).expect("connect");
    let (_silent, _) = listener.accept().expect("accept");
    let timeout = Duration::from_millis(200);
    client.set_read_timeout(Some(timeout)).expect("a timeout");
    let started = Instant::now();
    let error = loop {
        match client.read(&mut [0u8; 16]) {
            // This test process has a SIGCHLD handler (wait-timeout's, for the children other
            // tests run), and a recv with SO_RCVTIMEO is never restarted after a handler ran:
            // it fails with EINTR whatever SA_RESTART says (signal(7)). Wait on.
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => break error,
            Ok(read) => panic!("nothing arrives from a silent peer, yet {read} bytes came"),
        }
    };
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error:?}"
    );
    assert!(started.elapsed() >= timeout, "not before the timeout");
}

/// `--list` names every experiment, Chinese first, and a wrong name gets the list, exit 2.
#[test]
fn experiments_are_listed_and_a_wrong_name_is_refused() {
    let assert = command("lesson6").arg("--list").assert().success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for (number, name) in (1..).zip(EXPERIMENTS) {
        let numbered = format!("{number}. {name} ");
        assert!(
            stdout.lines().any(|line| line.starts_with(&numbered)),
            "--list numbers the experiments in order: {numbered:?}\n{stdout}"
        );
    }
    for topic in ["粘包", "拆包"] {
        assert!(stdout.contains(topic), "--list names {topic}\n{stdout}");
    }
    command("lesson6")
        .arg("sticky")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("没有名为 'sticky' 的实验"))
        .stderr(predicate::str::contains("glued"));
}

/// Bad options for the server and the client get one clear line and exit 2, never a panic;
/// `--help` starts in Chinese and names the subcommands and experiments.
#[test]
fn bad_arguments_are_refused_and_help_explains() {
    for args in [
        &["server", "--port", "abc"][..],
        &["server", "--framing", "xml"],
        &["client", "--encoding", "klingon", "hi"],
        &["client"],
    ] {
        command("lesson6")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("panicked").not());
    }
    harness::cli::assert_help(
        "lesson6",
        "第 6 课",
        &["server", "client", "--list", "glued"],
    );
}

/// Python's `settimeout` is not SO_RCVTIMEO: CPython puts the socket in non-blocking mode
/// (O_NONBLOCK on the descriptor), leaves SO_RCVTIMEO and SO_SNDTIMEO at 0, and waits for each
/// call with poll(2) itself; a `recv` and a `sendall` that run out of time both raise
/// `TimeoutError`, the recv not before the timeout. Linux only: the program reads the
/// descriptor's flags with `os.get_blocking`, which Windows' Python lacks before 3.12 (the
/// page cites CPython's source for the other systems). Skips, saying so, without `python3`.
#[cfg(target_os = "linux")]
#[test]
fn python_settimeout_polls_a_non_blocking_socket() {
    const PROGRAM: &str = r#"
import os, socket, time
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(1)
sock = socket.create_connection(listener.getsockname()); peer, _ = listener.accept()
sock.settimeout(0.3)
print("O_NONBLOCK", not os.get_blocking(sock.fileno()))
for name in ("SO_RCVTIMEO", "SO_SNDTIMEO"):
    print(name, "zero" if not any(sock.getsockopt(socket.SOL_SOCKET, getattr(socket, name), 16)) else "set")
started = time.monotonic()
try:
    sock.recv(16)
except TimeoutError:
    print("recv TimeoutError after", time.monotonic() - started >= 0.3)
try:
    sock.sendall(b"x" * (64 << 20))
except TimeoutError:
    print("sendall TimeoutError")
"#;
    let test = "lesson6::python_settimeout_polls_a_non_blocking_socket";
    let Some(python3) = harness::tools::tool("python3", test) else {
        return;
    };
    let output = std::process::Command::new(python3)
        .args(["-c", PROGRAM])
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let expected = "O_NONBLOCK True\nSO_RCVTIMEO zero\nSO_SNDTIMEO zero\n\
                    recv TimeoutError after True\nsendall TimeoutError\n";
    assert_eq!(
        stdout,
        expected,
        "settimeout(0.3) as CPython does it\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A fresh TCP socket has SO_KEEPALIVE off, so a peer that vanishes from an idle connection is
/// never noticed without it; turned on, it uses the system's timers, which on Linux are the
/// files in /proc/sys/net/ipv4 (tcp(7): 7200 s idle, then 9 probes 75 s apart when untuned):
/// the socket reports exactly those. Linux only: the timers live in /proc there.
#[cfg(target_os = "linux")]
#[test]
fn keepalive_is_off_by_default_and_uses_the_system_timers() {
    use socket2::{Domain, Socket, Type};
    let sysctl = |name: &str| -> u64 {
        let name = format!("net.ipv4.{name}");
        course::kernel::sysctl(&name)
            .unwrap_or_else(|error| panic!("Linux has {name}: {error}"))
            .parse()
            .unwrap_or_else(|error| panic!("{name} holds a number: {error}"))
    };
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
    assert!(
        !socket.keepalive().expect("SO_KEEPALIVE can be read"),
        "SO_KEEPALIVE is off on a fresh socket"
    );
    let idle = socket
        .tcp_keepalive_time()
        .expect("TCP_KEEPIDLE can be read");
    let interval = socket
        .tcp_keepalive_interval()
        .expect("TCP_KEEPINTVL can be read");
    let probes = socket
        .tcp_keepalive_retries()
        .expect("TCP_KEEPCNT can be read");
    assert_eq!(idle.as_secs(), sysctl("tcp_keepalive_time"), "idle time");
    assert_eq!(
        interval.as_secs(),
        sysctl("tcp_keepalive_intvl"),
        "interval"
    );
    assert_eq!(u64::from(probes), sysctl("tcp_keepalive_probes"), "probes");
    let noticed = idle + interval * probes;
    eprintln!(
        "keepalive on, these timers: a dead idle peer is noticed after {} s \
         ({idle:?} + {probes} x {interval:?})",
        noticed.as_secs()
    );
}

/// Lesson 6's exercise 1, as the page tells it: two messages sent while lesson 4's server is
/// stopped (Ctrl-Z in its terminal, here SIGSTOP) wait together in its socket, and once it
/// goes on (`fg`, here SIGCONT) its one recv takes both: one printed line, "你好再见", 8 bytes,
/// and one reply. Linux only: the test waits on the kernel's table for the 8 unread bytes and
/// on /proc for every thread to stop.
#[cfg(target_os = "linux")]
#[test]
fn two_messages_sent_to_a_stopped_server_print_as_one() {
    let (mut server, address) = harness::server("lesson4", &[]);
    let mut client = connect(address);
    let me = address_of(&client);
    harness::notes::round_trip(&mut client, &gbk("hello"));
    server.expect_line(&format!("from {me}: hello"));

    server.stop();
    client.write_all(&gbk("你好")).expect("send 1");
    client.write_all(&gbk("再见")).expect("send 2");
    let local = client
        .local_addr()
        .expect("a connected socket has an address");
    let row =
        course::kernel::await_connection(address, local, |row| row.unread == 8, harness::TIMEOUT)
            .expect("Linux exposes the kernel's TCP table");
    assert_eq!(
        row.map(|row| row.unread),
        Some(8),
        "both messages wait unread"
    );
    server.signal(child::Signal::Continue);

    let line = server.expect_line(&format!("from {me}"));
    assert!(
        line.contains("received 8 字节") && line.ends_with(": 你好再见"),
        "one recv, both messages: {line:?}"
    );
    let reply = gbk("ok，问题正在处理中...");
    let mut got = vec![0u8; reply.len()];
    client.read_exact(&mut got).expect("the one reply");
    assert_eq!(got, reply, "lesson 4's reply");
    client
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("a timeout");
    let more = client.read(&mut [0u8; 64]);
    assert!(
        matches!(&more, Err(error) if error.kind() == ErrorKind::WouldBlock),
        "one message to the server, one reply: {more:?}"
    );
}

/// Every server that sets SO_REUSEADDR (lesson 6's, and lessons 4, 7 and 8) says so to
/// `course::finish`: refused beside the TIME_WAIT lesson 2 left, each is told that the old
/// server did not set the option (not to set it), with the kernel's TIME_WAIT row. The option
/// must be on both sockets on Linux, so lesson 2's TIME_WAIT blocks them all.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "Linux's rule; others differ")]
fn servers_that_set_reuse_say_why_lesson2s_time_wait_blocks_them() {
    for program in [
        &["lesson6", "server"][..],
        &["lesson4"],
        &["lesson7"],
        &["lesson8"],
    ] {
        let (address, client) = harness::notes::serve_once_leaving_time_wait("lesson2");
        command(program[0])
            .args(&program[1..])
            .args(["--port", &address.port().to_string()])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "address {address} is already in use"
            )))
            .stderr(predicate::str::contains(
                "the old server that left the TIME_WAIT did not",
            ))
            .stderr(predicate::str::contains("as lesson 3 does").not())
            .stderr(predicate::str::contains(format!(
                "TIME_WAIT   {address} <-> {client}"
            )));
    }
}

/// Two ends that frame differently: the client is told that the server closed the connection
/// while it waited for a reply, and that both ends must use the same `--framing`; never that
/// the operating system reported an error, since the OS reported none. Either way round: a
/// length-prefix server reads a line's first bytes as a huge length and closes at once, and a
/// line server waits for a newline that never comes and times the client out.
#[test]
fn a_framing_mismatch_says_the_server_closed() {
    for (server_framing, client_framing, why) in [
        ("length", "line", "frame too long"),
        ("line", "length", "stopped mid-frame"),
    ] {
        let (mut server, address) = framed_server(server_framing, &["--frame-timeout-ms", "300"]);
        let port = address.port().to_string();
        command("lesson6")
            .args([
                "client",
                "--framing",
                client_framing,
                "--port",
                &port,
                "你好",
            ])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("the server closed before reply 1"))
            .stderr(predicate::str::contains(
                "the peer closed the connection (recv returned 0)",
            ))
            .stderr(predicate::str::contains(
                "both ends must use the same --framing",
            ))
            .stderr(predicate::str::contains("操作系统报告了一个错误").not());
        server.expect_line(why);
    }
}
