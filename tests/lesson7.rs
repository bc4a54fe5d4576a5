//! Lesson 7, the event loop. What it shares with lesson 8 (one thread serves every client, the
//! open-file limit is raised at start) and with lesson 4 (the behaviour on the wire) is in
//! `tests/servers.rs`, made tests of lesson 7 here; the rest is lesson 7's own: its
//! `WouldBlock`s, the client that never reads, and the load generator's comparison.

#[cfg(target_os = "linux")]
use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
#[cfg(target_os = "linux")]
use std::net::{Shutdown, SocketAddr};

#[cfg(target_os = "linux")]
use course::kernel::{Connection, TcpState};
#[cfg(target_os = "linux")]
use harness::Process;
#[cfg(target_os = "linux")]
use harness::notes::THREADED_REPLY;
use harness::notes::{connect, gbk, round_trip};
use harness::server;
#[cfg(target_os = "linux")]
use socket2::{Domain, Socket, Type};

// What lessons 7 and 8 promise: lesson 4's behaviour on the wire, and one thread for every
// client (tests/servers.rs).
serves_many!("lesson7");
serves_on_one_thread!("lesson7");

/// With `--show-would-block`, lesson 7 prints each `WouldBlock` the OS returned where a blocking
/// server would have waited: after the last waiting connection is accepted, and after the last
/// bytes are read.
#[test]
fn would_block_is_shown_where_a_blocking_server_would_wait() {
    let (mut process, address) = server("lesson7", &["--show-would-block"]);
    let mut client = connect(address);
    process.expect_line("WouldBlock: accept");
    round_trip(&mut client, &gbk("你好"));
    process.expect_line("收到 received 4 字节");
    let line = process.expect_line("WouldBlock: recv");
    let me = client.local_addr().expect("connected").to_string();
    assert!(line.contains(&me), "names the connection: {line}");
}

/// The design comparison runs (tiny numbers: a smoke test, not a benchmark): lessons 4, 7 and 8
/// and a thread pool each serve every round trip, with no thread per client on the load
/// generator's side, and it prints the memory each design spends per connection.
#[test]
fn loadgen_compares_the_designs() {
    let servers: Vec<&str> = course::lessons::servers_of_many().collect();
    for &lesson in &servers {
        // Built first: loadgen's own build of them is then only cargo seeing they are fresh,
        // and a build never counts against the run's time.
        harness::binary(lesson);
    }
    let assert = harness::command("loadgen")
        .args([
            "designs",
            "--clients",
            "1,20",
            "--total",
            "200",
            "--repeat",
            "1",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for server in servers.iter().copied().chain(["pool of 8"]) {
        let rows: Vec<&str> = stdout
            .lines()
            .filter(|line| line.starts_with(&format!("| {server} |")))
            .collect();
        assert_eq!(rows.len(), 2, "{server}: a row per client count\n{stdout}");
        for row in rows {
            let errors = row.split(" | ").nth(5).unwrap_or_default();
            assert_eq!(errors, "0", "{server}: no errors: {row}");
        }
    }
    a_thread_per_client_switches_once_per_round_trip(&stdout);
    for lesson in &servers {
        assert!(
            stdout.contains(&format!("memory per connection, {lesson}:")),
            "{stdout}"
        );
    }
    every_design_gets_the_same_cores(&stdout);
}

/// Lesson 4's thread blocks in `recv` after every reply, since the client
/// sends its next message only once it has the reply: at least one context
/// switch per round trip, read from the kernel's counters of every thread.
fn a_thread_per_client_switches_once_per_round_trip(stdout: &str) {
    for row in stdout
        .lines()
        .filter(|line| line.starts_with("| lesson4 |"))
    {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // CPU time comes in clock ticks (10 ms), too coarse for a run this
        // short to be compared, but it must be there.
        let _cpu: f64 = cells[9].parse().expect("CPU µs per round trip");
        let switches: f64 = cells[10].parse().expect("switches per round trip");
        assert!(switches >= 0.9, "{row}");
    }
}

/// With two cores or more, `designs` runs every server on the same cores and
/// itself on the others, as the kernel's `Cpus_allowed_list` shows.
fn every_design_gets_the_same_cores(stdout: &str) {
    let line = stdout
        .lines()
        .find_map(|line| line.split_once("(Cpus_allowed_list):"))
        .map(|(_, cores)| cores)
        .unwrap_or_else(|| panic!("a line of cores\n{stdout}"));
    // "lesson4 0; …; pool of 8 0; loadgen 1": each name's cores are its last word.
    let cores: Vec<&str> = line
        .split(';')
        .filter_map(|entry| entry.split_whitespace().last())
        .collect();
    let (loadgen, servers) = cores.split_last().expect("servers and loadgen");
    assert_eq!(servers.len(), 4, "{line}");
    assert!(servers.iter().all(|cores| cores == &servers[0]), "{line}");
    let machine = std::thread::available_parallelism().map_or(1, |n| n.get());
    if machine >= 2 {
        assert_ne!(loadgen, &servers[0], "{line}");
    }
}

/// Lesson 7's `MAX_UNSENT`: how many reply bytes may wait in the server's memory for one
/// connection before it stops reading from that connection.
#[cfg(target_os = "linux")]
const MAX_UNSENT: i64 = 64 * 1024;

/// How long the bytes sent may go without reaching the server before the test reads the client's
/// replies to end a stall of the client's kernel (`Flooder::unstall`). It decides nothing: a
/// server that reads and replies makes progress well within it, one that does not is still
/// waited for until [`harness::TIMEOUT`].
#[cfg(target_os = "linux")]
const STALL: std::time::Duration = std::time::Duration::from_millis(500);

/// How long the server prints nothing before the flood test reads the kernel's table: a server
/// still reading prints a line per receive, far more often.
#[cfg(target_os = "linux")]
const QUIET: std::time::Duration = std::time::Duration::from_millis(5);

/// More than the flood can take before a server that pauses does: its socket's receive
/// buffer (at most `tcp_rmem`'s 6 MiB) and the requests behind 64 KiB of replies (about 3 MB).
#[cfg(target_os = "linux")]
const FLOOD_BOUND: u64 = 64 * 1024 * 1024;

/// How many bytes the flooding client sends between two looks at the kernel's queues: small
/// beside what the server's socket can hold unread, so every burst reaches it.
#[cfg(target_os = "linux")]
const BURST: u64 = 16 * 1024;

/// A client that sends and never reads cannot make lesson 7 pile up replies without end: once
/// 64 KiB of replies wait, the server stops reading that client, whose bytes then wait unread in
/// the server's socket while the one thread goes on serving others. When the client reads, the
/// server sends and reads on by itself: an edge-triggered poll reported those bytes once, before
/// the pause: every byte is read exactly once, and every reply arrives. (The client reads early only
/// to end a stall of its own kernel, `Flooder::unstall`; what it reads is counted.)
///
/// Why unread bytes mean a pause and not a slow server: every byte the client sent has reached
/// the server's socket (what the server said it received and what its kernel holds unread add up
/// to what was sent: the kernel's counters, not a clock), then another client's round trip
/// completes, so the one thread has taken another turn of its loop. A server that was not paused
/// would have read the first socket empty by then: it reads until `WouldBlock`, and the new bytes
/// raised an edge-triggered event before the other client's did. Yet the kernel still shows bytes
/// unread there. And after every burst of messages, the server's lines (one reply per receive)
/// and the kernel's queues show what it keeps in memory: never more than 64 KiB and one reply;
/// and once it has paused, at least 64 KiB: it paused no sooner.
#[cfg(target_os = "linux")]
#[test]
fn a_client_that_never_reads_pauses_reading_at_64_kib() {
    let (mut server, address) = server("lesson7", &[]);
    let mut bystander = connect(address);
    let mut flooder = paused_by_a_flood(&mut server, address, &mut bystander);
    flooder.await_replies_held(MAX_UNSENT);
    // Before the client half-closes (its FIN would wake the server anyway): taking the replies
    // must be enough for the server to send the rest and read on.
    flooder.take_replies_until_all_read(&mut server);
    flooder.half_close();
    flooder.read_everything(&mut server);
    round_trip(&mut bystander, &gbk("还在吗？"));
}

/// Replies still in lesson 7's memory when it reads the client's FIN all go out before the
/// server closes: `read` returning 0 ends the reading, not the sending.
#[cfg(target_os = "linux")]
#[test]
fn replies_waiting_at_the_clients_fin_still_go_out() {
    let (mut server, address) = server("lesson7", &[]);
    let mut flooder = replies_waiting_at_a_fin(&mut server, address);
    flooder.read_everything(&mut server);
}

/// A client that resets while lesson 7 still holds its replies is ended with the error its
/// socket returned (after a FIN, Linux reports the reset as `BrokenPipe`), and the one thread
/// serves on.
#[cfg(target_os = "linux")]
#[test]
fn a_reset_while_replies_wait_ends_that_client_only() {
    let (mut server, address) = server("lesson7", &[]);
    let flooder = replies_waiting_at_a_fin(&mut server, address);
    let mut bystander = connect(address);
    let local = flooder.local;
    // Closed with replies unread in its socket, the client's kernel sends a reset.
    drop(flooder);
    server.expect_line(&format!(
        "reply could not be sent, ending this client {local}"
    ));
    let kind = server
        .next_line_within(harness::TIMEOUT)
        .unwrap_or_else(|| server.fail("the error's kind, on the next line"));
    // Linux's tcp_reset: a reset in CLOSE_WAIT sets EPIPE, elsewhere ECONNRESET.
    assert!(
        kind.contains("BrokenPipe"),
        "a reset after the client's FIN makes the send fail with BrokenPipe: {kind:?}"
    );
    round_trip(&mut bystander, &gbk("还在吗？"));
}

/// Floods lesson 7 at `address` from a client that reads nothing, in bursts, until the server
/// holds bytes unread after `bystander`'s round trip: it paused. Checks after every burst that it holds no
/// more than 64 KiB and one reply.
#[cfg(target_os = "linux")]
fn paused_by_a_flood(
    server: &mut Process,
    address: SocketAddr,
    bystander: &mut TcpStream,
) -> Flooder {
    // The server prints each receive's text: the flood's own digits, as many as came at once.
    server.echoes(std::str::from_utf8(Flooder::MESSAGE).expect("ASCII digits"));
    let mut flooder = Flooder::connect(address);
    loop {
        // Bounded by bytes, not time: however busy the machine, the kernels' buffers and
        // 64 KiB of replies fill long before this.
        assert!(
            flooder.sent < FLOOD_BOUND,
            "after {} bytes the server has not paused: nothing waits unread",
            flooder.sent
        );
        flooder.burst(BURST);
        let mut unread = flooder.await_delivered(server);
        if unread > 0 {
            round_trip(bystander, &gbk("还在吗？"));
            unread = flooder.await_delivered(server);
        }
        let held = flooder.replies_held();
        assert!(
            held < MAX_UNSENT + reply_len(),
            "after {} bytes in {} receives, the server holds at least {held} bytes of replies in \
             memory: more than 64 KiB and one reply, so it did not pause",
            flooder.sent,
            flooder.receives
        );
        if unread > 0 {
            return flooder;
        }
    }
}

/// A client that sends to lesson 7 at `address` without reading until replies wait in the
/// server's memory (the kernels' buffers are full, yet the server never paused: it read every
/// byte), then half-closes. Returns once the server has taken the FIN in: its end of the
/// connection is in CLOSE_WAIT with nothing unread, and its one thread has been asleep for a
/// while. The replies still wait in its memory then.
#[cfg(target_os = "linux")]
fn replies_waiting_at_a_fin(server: &mut Process, address: SocketAddr) -> Flooder {
    server.echoes(std::str::from_utf8(Flooder::MESSAGE).expect("ASCII digits"));
    let mut flooder = Flooder::connect(address);
    let deadline = std::time::Instant::now() + FILL_TIMEOUT;
    loop {
        let held = flooder.held_beside(&flooder.server_row());
        if held >= WAITING_AT_FIN {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "after {:?}, {} receives, the server holds only {held} bytes of replies, not \
             {WAITING_AT_FIN}: does it pause far below 64 KiB?",
            FILL_TIMEOUT,
            flooder.receives
        );
        // Sized so that the server never holds 64 KiB, does not pause, and reads everything
        // sent: see RECEIVES_PER_KIB.
        let room = MAX_UNSENT - reply_len() - held;
        let burst = room / reply_len() / RECEIVES_PER_KIB * 1024;
        flooder.burst(u64::try_from(burst).expect("below the bound"));
        while flooder.await_delivered(server) > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the server stopped reading, holding {} bytes of replies (the bursts were sized \
                 for at most {RECEIVES_PER_KIB} receives per KiB; it made {} in {} bytes)",
                flooder.held_beside(&flooder.server_row()),
                flooder.receives,
                flooder.received_by_server
            );
        }
    }
    flooder.half_close();
    let row = course::kernel::await_connection(
        flooder.server,
        flooder.local,
        |row| row.state == TcpState::CloseWait && row.unread == 0,
        harness::TIMEOUT,
    )
    .expect("Linux has the table");
    assert!(
        row.as_ref()
            .is_some_and(|row| row.state == TcpState::CloseWait),
        "with replies still waiting, the server keeps the connection open after the client's \
         FIN (CLOSE_WAIT); its end: {row:?}"
    );
    await_asleep(server);
    let row = row.expect("the server's end of the connection");
    let held = flooder.held_beside(&row);
    assert!(
        held > 0,
        "replies should wait in the server's memory at the FIN; after {} receives it holds \
         {held} bytes (its send queue: {})",
        flooder.receives,
        row.unacknowledged
    );
    flooder
}

/// At most how many receives, so how many replies, a KiB of the flood costs the server. Each of
/// its reads takes 1024 bytes or empties the socket, and the socket fills again only as whole
/// segments arrive: the client writes 1000 bytes at a time with Nagle off, so about two segments
/// per write and MSS (536 bytes). That makes at most about three receives per KiB; one more to
/// spare.
#[cfg(target_os = "linux")]
const RECEIVES_PER_KIB: i64 = 4;

/// How long the flood may take until replies wait in lesson 7's memory. The kernels' buffers
/// must fill first, and on Linux 6.18 the server's send buffer grows to about a megabyte even
/// against this client's 4 KiB window and 536-byte segments (its congestion window grows): some
/// 50,000 replies of 20 bytes, more than [`harness::TIMEOUT`] allows a loaded machine.
#[cfg(target_os = "linux")]
const FILL_TIMEOUT: std::time::Duration = harness::TIMEOUT.saturating_mul(4);

/// How many bytes of replies the flooding client leaves in lesson 7's memory before its FIN.
#[cfg(target_os = "linux")]
const WAITING_AT_FIN: i64 = 8 * 1024;

/// Waits until no thread of `server` has been runnable for a while: it has handled every event
/// the kernel raised (a woken thread is runnable at once, before it runs).
#[cfg(target_os = "linux")]
fn await_asleep(server: &Process) {
    const ASLEEP: std::time::Duration = std::time::Duration::from_millis(20);
    let deadline = std::time::Instant::now() + harness::TIMEOUT;
    let mut since = std::time::Instant::now();
    while since.elapsed() < ASLEEP {
        if course::process::runnable(server.id()).expect("Linux has /proc") {
            since = std::time::Instant::now();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server never went to sleep"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// The length of one reply on the wire.
#[cfg(target_os = "linux")]
fn reply_len() -> i64 {
    i64::try_from(gbk(THREADED_REPLY).len()).expect("a short reply")
}

/// A client that sends ten-byte messages and reads no reply until told to, and what it knows of
/// the server's side: the bytes the server said it received, in how many receives.
#[cfg(target_os = "linux")]
struct Flooder {
    stream: TcpStream,
    local: SocketAddr,
    server: SocketAddr,
    sent: u64,
    received_by_server: u64,
    receives: i64,
    /// Replies read early, only to end a stall of the client's own kernel (see `unstall`).
    taken: Vec<u8>,
    /// A hundred messages, written at once: the flood costs few system calls.
    chunk: Vec<u8>,
}

#[cfg(target_os = "linux")]
impl Flooder {
    const MESSAGE: &[u8] = b"0123456789";

    /// Connects with a small receive buffer and a small MSS, both announced in the handshake, so
    /// that few replies fill the kernel's buffers on both sides (a 64 KiB MSS on loopback lets the
    /// server's kernel grow its send buffer to megabytes), and with non-blocking sends.
    fn connect(server: SocketAddr) -> Self {
        let socket =
            Socket::new(Domain::for_address(server), Type::STREAM, None).expect("a TCP socket");
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        socket.set_tcp_mss(536).expect("TCP_MAXSEG");
        socket.set_tcp_nodelay(true).expect("TCP_NODELAY");
        socket
            .connect(&server.into())
            .expect("the lesson server is listening");
        socket.set_nonblocking(true).expect("non-blocking");
        socket
            .set_read_timeout(Some(harness::TIMEOUT))
            .expect("a non-zero timeout is valid");
        let stream = TcpStream::from(socket);
        let local = stream.local_addr().expect("connected");
        Self {
            stream,
            local,
            server,
            sent: 0,
            received_by_server: 0,
            receives: 0,
            taken: Vec::new(),
            chunk: Self::MESSAGE.repeat(100),
        }
    }

    /// Sends about `budget` bytes of messages, fewer if the socket takes no more for now.
    fn burst(&mut self, budget: u64) {
        let end = self.sent + budget;
        while self.sent < end {
            // A message cut by an earlier short write goes on where it stopped.
            let from = usize::try_from(self.sent % 10).expect("below ten");
            let left = usize::try_from(end - self.sent).unwrap_or(usize::MAX);
            let chunk = &self.chunk[from..self.chunk.len().min(from + left)];
            match self.stream.write(chunk) {
                Ok(written) => self.sent += written as u64,
                Err(error) if error.kind() == ErrorKind::WouldBlock => return,
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => panic!("send to the server: {error}"),
            }
        }
    }

    /// The kernel's row for this client's end of the connection.
    fn client_row(&self) -> Connection {
        row(self.local, self.server)
    }

    /// The kernel's row for the server's end of the connection.
    fn server_row(&self) -> Connection {
        row(self.server, self.local)
    }

    /// Waits until every byte sent is accounted for at the server: what it said it received
    /// (its lines, tallied as they come) and what its kernel holds unread add up to what the
    /// client sent. Returns how many bytes the server's kernel then holds unread. It takes the
    /// server's lines as they come and reads the table when they stop; it never waits on the client's send queue, whose ACKs may come
    /// back late on a loaded machine while the client's own receive window is shut.
    fn await_delivered(&mut self, server: &mut Process) -> u32 {
        let needle = format!("字节 bytes 来自 from {}:", self.local);
        let deadline = std::time::Instant::now() + harness::TIMEOUT;
        let mut pause = std::time::Duration::from_millis(1);
        let mut progress = (0, std::time::Instant::now());
        loop {
            // While the server prints receives it is still reading: take its lines, and read
            // the kernel's table only once it has gone quiet. (Each read of /proc/net/tcp walks
            // the kernel's whole connection hash table, milliseconds on a machine with much
            // memory: read in a loop, it was most of this test's time.)
            if let Some(line) = server.next_line_within(QUIET) {
                if line.contains(&needle) {
                    self.received_by_server += bytes_received(&line);
                    self.receives += 1;
                }
                if std::time::Instant::now() < deadline {
                    continue;
                }
            }
            // The server said it received everything sent: nothing can be left unread.
            if self.received_by_server == self.sent {
                return 0;
            }
            let row = self.server_row();
            let accounted = self.received_by_server + u64::from(row.unread);
            assert!(
                accounted <= self.sent,
                "the server says it received {} bytes and holds {} unread: more than the {} sent",
                self.received_by_server,
                row.unread,
                self.sent
            );
            if accounted == self.sent {
                return row.unread;
            }
            if accounted != progress.0 {
                progress = (accounted, std::time::Instant::now());
            } else if progress.1.elapsed() > STALL {
                self.unstall();
                progress = (accounted, std::time::Instant::now());
            }
            assert!(
                std::time::Instant::now() < deadline,
                "after {:?}, of {} bytes sent the server received {} and holds {} unread; \
                 client's side {:?}, server's side {row:?}",
                harness::TIMEOUT,
                self.sent,
                self.received_by_server,
                row.unread,
                self.client_row()
            );
            // Between two reads of the table, not instead of one: the deadline bounds the wait.
            std::thread::sleep(pause);
            pause = (pause * 2).min(std::time::Duration::from_millis(20));
        }
    }

    /// Takes the replies as they come, without sending more, until the server has received
    /// every byte sent. A paused server that has sent its replies must read on by itself: an
    /// edge-triggered poll reported the waiting bytes once, before the pause, and says no more.
    fn take_replies_until_all_read(&mut self, server: &mut Process) {
        let needle = format!("字节 bytes 来自 from {}:", self.local);
        let deadline = std::time::Instant::now() + harness::TIMEOUT;
        while self.received_by_server < self.sent {
            self.unstall();
            while let Some(line) = server.next_line_within(QUIET) {
                if line.contains(&needle) {
                    self.received_by_server += bytes_received(&line);
                    self.receives += 1;
                }
                if std::time::Instant::now() >= deadline {
                    break;
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "with every reply taken, the server received {} of the {} bytes sent and read no \
                 more: after its pause it must read on; server's side {:?}",
                self.received_by_server,
                self.sent,
                self.server_row()
            );
        }
    }

    /// Half-closes: the client will send no more.
    fn half_close(&mut self) {
        self.stream.set_nonblocking(false).expect("blocking again");
        self.stream.shutdown(Shutdown::Write).expect("half-close");
    }

    /// Ends a stall of this client's own kernel: with its receive buffer full it drops the
    /// server's segments, the ACKs they carry with them, so it believes its bytes lost and backs
    /// off retransmitting them, seconds at a time (seen under load as `ss -ti`: `backoff:5`,
    /// `rto:6528`). Reading the replies it holds lets them through. They are kept, and counted
    /// out of what the server holds; the server's side of the test does not change.
    fn unstall(&mut self) {
        let mut buffer = [0u8; 4096];
        loop {
            match self.stream.read(&mut buffer) {
                Ok(0) => panic!("the server closed while the client was still sending"),
                Ok(read) => self.taken.extend_from_slice(&buffer[..read]),
                Err(error) if error.kind() == ErrorKind::WouldBlock => return,
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => panic!("read the replies: {error}"),
            }
        }
    }

    /// At most the reply bytes the server keeps in memory, once it has read what it will read:
    /// one reply per receive counted, less those in the kernel (the server's send queue, then this
    /// client's receive queue). The server's row is read first: replies move from its memory to
    /// its send queue to this client, so a move between the two reads lowers the result, and a
    /// reply in both queues at once (received, not yet acknowledged) counts twice. The receive
    /// last counted may not have queued its reply yet; it read below 64 KiB, so the bound holds.
    /// While one reply per receive counted is itself below the bound, the kernel's queues (which
    /// can only lower it) are not read: reading the table is what costs here.
    fn replies_held(&self) -> i64 {
        let taken = i64::try_from(self.taken.len()).expect("a few replies");
        let at_most = self.receives * reply_len() - taken;
        if at_most < MAX_UNSENT {
            return at_most;
        }
        self.held_beside(&self.server_row())
    }

    /// [`Flooder::replies_held`], given the server's row of the kernel's table.
    fn held_beside(&self, server_row: &Connection) -> i64 {
        let taken = i64::try_from(self.taken.len()).expect("a few replies");
        let server_side = i64::from(server_row.unacknowledged);
        // The client's own receive queue, asked of its socket (FIONREAD: the Recv-Q that the
        // table would show for this end), at no cost.
        let client_side = rustix::io::ioctl_fionread(&self.stream).expect("FIONREAD on a socket");
        self.receives * reply_len()
            - taken
            - server_side
            - i64::try_from(client_side).expect("a few replies")
    }

    /// Waits until the server, paused, holds at least `bound` bytes of replies: it paused no
    /// sooner than at 64 KiB. [`Flooder::replies_held`] can count a reply twice while the
    /// client's ACK for it is on its way, so the count rises to what the server holds as the
    /// ACKs arrive; a server that paused early never reaches the bound, and fails the test after
    /// [`harness::TIMEOUT`].
    fn await_replies_held(&self, bound: i64) {
        let row = course::kernel::await_connection(
            self.server,
            self.local,
            |row| self.held_beside(row) >= bound,
            harness::TIMEOUT,
        )
        .expect("Linux has the table")
        .expect("the server's end of the connection");
        let held = self.held_beside(&row);
        assert!(
            held >= bound,
            "the server stopped reading holding at most {held} bytes of replies, fewer than \
             {bound}: it paused too early (after {} receives)",
            self.receives
        );
    }

    /// After the half-close, reads every reply until the server closes, and checks them against
    /// what the server printed: every byte sent received once, one whole reply per receive.
    fn read_everything(&mut self, server: &mut Process) {
        let mut replies = std::mem::take(&mut self.taken);
        self.stream
            .read_to_end(&mut replies)
            .expect("every reply, then the server's FIN");
        server.expect_line(&format!("client offline: {}", self.local));
        let needle = format!("字节 bytes 来自 from {}:", self.local);
        let stdout = server.stdout();
        let lines: Vec<&str> = stdout
            .lines()
            .filter(|line| line.contains(&needle))
            .collect();
        let received: u64 = lines.iter().map(|line| bytes_received(line)).sum();
        assert_eq!(received, self.sent, "every byte sent was received once");
        assert_eq!(
            replies.len(),
            lines.len() * gbk(THREADED_REPLY).len(),
            "one reply per receive"
        );
        let reply = gbk(THREADED_REPLY);
        assert!(
            replies.chunks(reply.len()).all(|one| one == reply),
            "only whole replies"
        );
        let left =
            course::kernel::connection(self.server, self.local).expect("Linux has the table");
        assert!(
            left.as_ref().is_none_or(|row| row.unread == 0),
            "nothing left unread: {left:?}"
        );
    }
}

/// The kernel's row for the connection `local -> remote`, which must exist.
#[cfg(target_os = "linux")]
fn row(local: SocketAddr, remote: SocketAddr) -> Connection {
    course::kernel::connection(local, remote)
        .expect("Linux has the table")
        .unwrap_or_else(|| panic!("the kernel lists no connection {local} -> {remote}"))
}

/// N in the server's line "收到 received N 字节 bytes 来自 from …".
#[cfg(target_os = "linux")]
fn bytes_received(line: &str) -> u64 {
    line.split_whitespace()
        .skip_while(|word| *word != "received")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count of bytes in {line:?}"))
}
