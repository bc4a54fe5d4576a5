//! The kernel's own view of TCP connections: the socket table that `ss -tan` prints.
//!
//! Lessons use it to *show* what the notes only say: the TIME_WAIT connection that keeps a
//! port busy after a server exits (lessons 2 and 3), and the state each end of a connection
//! is in after a `close` (lesson 5). On Linux the table is read from `/proc/net/tcp` and
//! `/proc/net/tcp6` through the `procfs` crate. Other platforms have no such file; there every
//! function says so with [`Unavailable`] instead of guessing.

use std::fmt;
use std::net::SocketAddr;

/// A TCP state, named as `ss` and RFC 793 name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpState {
    Established,
    SynSent,
    SynRecv,
    FinWait1,
    FinWait2,
    TimeWait,
    Close,
    CloseWait,
    LastAck,
    Listen,
    Closing,
    NewSynRecv,
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Established => "ESTABLISHED",
            Self::SynSent => "SYN_SENT",
            Self::SynRecv => "SYN_RECV",
            Self::FinWait1 => "FIN_WAIT1",
            Self::FinWait2 => "FIN_WAIT2",
            Self::TimeWait => "TIME_WAIT",
            Self::Close => "CLOSE",
            Self::CloseWait => "CLOSE_WAIT",
            Self::LastAck => "LAST_ACK",
            Self::Listen => "LISTEN",
            Self::Closing => "CLOSING",
            Self::NewSynRecv => "NEW_SYN_RECV",
        };
        f.pad(name)
    }
}

/// One row of the kernel's TCP table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub state: TcpState,
    /// Bytes that have arrived and that the program has not yet received (`ss`'s Recv-Q).
    pub unread: u32,
    /// Bytes sent and not yet acknowledged by the peer (`ss`'s Send-Q).
    pub unacknowledged: u32,
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<11} {} <-> {}", self.state, self.local, self.remote)
    }
}

/// The platform gives this program no view of the kernel's TCP table.
#[derive(Debug, Clone)]
pub struct Unavailable(String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "看不到内核的套接字表 / the kernel's socket table cannot be read here: {}",
            self.0
        )
    }
}

impl std::error::Error for Unavailable {}

/// Every TCP connection and listener the kernel reports, IPv4 and IPv6.
pub fn connections() -> Result<Vec<Connection>, Unavailable> {
    platform::connections()
}

/// The rows whose local port is `port`: listeners, live connections and TIME_WAIT leftovers.
pub fn on_port(port: u16) -> Result<Vec<Connection>, Unavailable> {
    let mut rows = connections()?;
    rows.retain(|row| row.local.port() == port);
    Ok(rows)
}

/// The state of the connection from `local` to `remote`, as the kernel reports it now.
/// `Ok(None)` means the kernel has no such connection (any more).
pub fn state_of(local: SocketAddr, remote: SocketAddr) -> Result<Option<TcpState>, Unavailable> {
    let (local, remote) = (canonical(local), canonical(remote));
    Ok(connections()?
        .into_iter()
        .find(|row| row.local == local && row.remote == remote)
        .map(|row| row.state))
}

/// The kernel's row for the connection from `local` to `remote`, with its queues: how many
/// bytes wait unread (they leave as the program calls `recv`) and how many wait for the peer's
/// ACK. `Ok(None)`: the kernel has no such connection.
pub fn connection(
    local: SocketAddr,
    remote: SocketAddr,
) -> Result<Option<Connection>, Unavailable> {
    let (local, remote) = (canonical(local), canonical(remote));
    Ok(platform::connections_on(&[local.port()])?
        .into_iter()
        .find(|row| row.local == local && row.remote == remote))
}

/// Which timer the kernel runs on a connection (`tr` in `/proc/net/tcp`; `ss -o` prints it as
/// `timer:(on|keepalive|timewait|persist,…)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerKind {
    Off,
    /// Resending what was not acknowledged (a SYN, a SYN-ACK, data): `on`.
    Retransmit,
    KeepAlive,
    /// The 60 seconds after which a TIME_WAIT row goes.
    TimeWait,
    /// Probing a peer that advertised a zero window: `persist`.
    ZeroWindowProbe,
}

/// The columns of a row of the kernel's table that [`Connection`] leaves out: its timer, and
/// how often the kernel has resent without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    pub kind: TimerKind,
    /// Until the timer fires (`tm->when`); for TIME_WAIT, until the row goes.
    pub left: std::time::Duration,
    /// Resends so far (`retrnsmt`): for a connection in SYN_SENT, the SYNs it resent.
    pub retransmits: u32,
}

/// The kernel's row for the connection from `local` to `remote` with its [`Timers`], for a
/// lesson that shows how long TIME_WAIT lasts or that a SYN is resent. `Ok(None)`: the kernel
/// has no such connection.
pub fn timers(
    local: SocketAddr,
    remote: SocketAddr,
) -> Result<Option<(Connection, Timers)>, Unavailable> {
    platform::timers(canonical(local), canonical(remote))
}

/// Prints what the kernel's table holds on `port`, one row a line, so a student sees the
/// TIME_WAIT connection (or the other listener) that decides whether `bind` can succeed.
pub fn show_port(port: u16) {
    println!(
        "内核套接字表中本地端口 {port} 上的条目 / the kernel's socket table, local port {port}:"
    );
    for line in port_report(port) {
        println!("  {line}");
    }
}

/// The lines [`show_port`] prints, for callers that print elsewhere (an error message).
pub fn port_report(port: u16) -> Vec<String> {
    match on_port(port) {
        Ok(rows) if rows.is_empty() => vec!["（无 / none）".to_owned()],
        Ok(rows) => rows.iter().map(Connection::to_string).collect(),
        Err(unavailable) => vec![unavailable.to_string()],
    }
}

/// The kernel lists an IPv4 peer of a dual-stack IPv6 socket as `::ffff:a.b.c.d`; compare
/// addresses in one form.
fn canonical(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip().to_canonical(), addr.port())
}

/// Waits until the kernel reports the connection from `local` to `remote` in state `wanted`
/// (`None`: no such connection, which RFC 793 calls CLOSED), or until `within` has passed,
/// and returns the state it saw last: the caller prints that, whatever it is.
///
/// Some transitions happen inside the kernel after the call that causes them has returned:
/// `close()` returns in FIN_WAIT1, and FIN_WAIT2 follows when the peer's ACK is processed.
/// So a lesson that shows them polls the table for a bounded time instead of sleeping a fixed
/// time and hoping. Where there is no table, it returns [`Unavailable`] at once.
pub fn await_state(
    local: SocketAddr,
    remote: SocketAddr,
    wanted: Option<TcpState>,
    within: std::time::Duration,
) -> Result<Option<TcpState>, Unavailable> {
    let seen = await_states(&[(local, remote, wanted)], within)?;
    Ok(seen.into_iter().next().flatten())
}

/// [`await_state`] for several connections at once, reading the table once per look: on a
/// busy machine (thousands of TIME_WAIT rows) each read of the table costs milliseconds.
pub fn await_states(
    wanted: &[(SocketAddr, SocketAddr, Option<TcpState>)],
    within: std::time::Duration,
) -> Result<Vec<Option<TcpState>>, Unavailable> {
    let ports: Vec<u16> = wanted.iter().map(|(local, _, _)| local.port()).collect();
    poll_table(&ports, within, |rows| {
        let now: Vec<Option<TcpState>> = wanted
            .iter()
            .map(|&(local, remote, _)| {
                let (local, remote) = (canonical(local), canonical(remote));
                rows.iter()
                    .find(|row| row.local == local && row.remote == remote)
                    .map(|row| row.state)
            })
            .collect();
        let settled = now.iter().zip(wanted).all(|(now, want)| *now == want.2);
        (settled, now)
    })
}

/// Waits until the kernel's row for the connection from `local` to `remote` satisfies `done`
/// (its queues, say: `|row| row.unacknowledged == 0` once the peer's kernel has taken every
/// byte sent), or until `within` has passed, and returns the row it saw last.
pub fn await_connection(
    local: SocketAddr,
    remote: SocketAddr,
    done: impl Fn(&Connection) -> bool,
    within: std::time::Duration,
) -> Result<Option<Connection>, Unavailable> {
    let (local, remote) = (canonical(local), canonical(remote));
    poll_table(&[local.port()], within, |rows| {
        let row = rows
            .iter()
            .find(|row| row.local == local && row.remote == remote)
            .cloned();
        (row.as_ref().is_some_and(&done), row)
    })
}

/// Waits until the rows whose local port is `port` (a server's listener and its end of every
/// connection) satisfy `done` (`|rows| !rows.iter().any(|r| r.state == TcpState::CloseWait)`,
/// say), or until `within` has passed, and returns the rows it saw last.
pub fn await_port(
    port: u16,
    done: impl Fn(&[Connection]) -> bool,
    within: std::time::Duration,
) -> Result<Vec<Connection>, Unavailable> {
    await_rows(&[port], done, within)
}

/// Waits until the rows whose local port is one of `ports` (both ends of a loopback
/// connection, say) satisfy `done`, or until `within` has passed, and returns the rows it saw
/// last.
pub fn await_rows(
    ports: &[u16],
    done: impl Fn(&[Connection]) -> bool,
    within: std::time::Duration,
) -> Result<Vec<Connection>, Unavailable> {
    poll_table(ports, within, |rows| {
        let mine: Vec<Connection> = rows
            .iter()
            .filter(|row| ports.contains(&row.local.port()))
            .cloned()
            .collect();
        (done(&mine), mine)
    })
}

/// Reads the table's rows on `ports` and hands them to `look`, which says whether what it
/// wanted is there, until it is or `within` has passed; returns what `look` made of the last
/// read.
fn poll_table<T>(
    ports: &[u16],
    within: std::time::Duration,
    mut look: impl FnMut(&[Connection]) -> (bool, T),
) -> Result<T, Unavailable> {
    let deadline = std::time::Instant::now() + within;
    let mut pause = std::time::Duration::from_millis(1);
    loop {
        let (settled, seen) = look(&platform::connections_on(ports)?);
        if settled || std::time::Instant::now() >= deadline {
            return Ok(seen);
        }
        // Between two reads of the table, not instead of one: the deadline bounds the wait.
        std::thread::sleep(pause);
        pause = (pause * 2).min(std::time::Duration::from_millis(20));
    }
}

/// The range the kernel picks a local port from for a socket that connects (or listens)
/// without binding one: `/proc/sys/net/ipv4/ip_local_port_range` on Linux, e.g. 32768–60999.
pub fn ephemeral_port_range() -> Result<std::ops::RangeInclusive<u16>, Unavailable> {
    let name = "net.ipv4.ip_local_port_range";
    let text = sysctl(name)?;
    let mut ports = text.split_whitespace().map(str::parse::<u16>);
    match (ports.next(), ports.next()) {
        (Some(Ok(low)), Some(Ok(high))) => Ok(low..=high),
        _ => Err(Unavailable(format!("{}: {text:?}", sysctl_path(name)))),
    }
}

/// The value of the kernel setting `name`, named as `sysctl` names it
/// (`net.ipv4.tcp_keepalive_time`), without its trailing newline. On Linux it is the file
/// under `/proc/sys` (`/proc/sys/net/ipv4/tcp_keepalive_time`); procfs has no typed reader of
/// the network settings, so this is the one place that reads them.
pub fn sysctl(name: &str) -> Result<String, Unavailable> {
    read_proc_file(&sysctl_path(name)).map(|text| text.trim_end().to_owned())
}

/// Where Linux keeps the setting `name`: its dots are the directories under `/proc/sys`.
fn sysctl_path(name: &str) -> String {
    format!("/proc/sys/{}", name.replace('.', "/"))
}

/// Whether the kernel has this process ignoring SIGPIPE (`SigIgn` in `/proc/self/status`),
/// the signal that kills a C program writing to a connection the peer has reset.
pub fn sigpipe_ignored() -> Result<bool, Unavailable> {
    platform::ignored_signals().map(has_sigpipe)
}

/// The same, read from the text of a `/proc/PID/status` that a process printed of itself
/// (`cat /proc/self/status`): a child started through `env --default-signal` shows the mask it
/// runs with only to itself, after `env` has exec'd it. `None`: not a status file.
pub fn sigpipe_ignored_in(status: &str) -> Option<bool> {
    platform::ignored_signals_in(status).map(has_sigpipe)
}

/// Whether a signal mask (`SigIgn`, a bit for each signal, counted from 1) has SIGPIPE (13).
fn has_sigpipe(mask: u64) -> bool {
    const SIGPIPE: u32 = 13;
    mask & (1 << (SIGPIPE - 1)) != 0
}

#[cfg(target_os = "linux")]
fn read_proc_file(path: &str) -> Result<String, Unavailable> {
    std::fs::read_to_string(path).map_err(|error| Unavailable(format!("{path}: {error}")))
}

#[cfg(not(target_os = "linux"))]
// Linux never builds this (the one that Linux builds is tested), but cargo-mutants reads every
// cfg: the mark tells it to skip what no test here can run.
#[cfg_attr(test, mutants::skip)]
fn read_proc_file(path: &str) -> Result<String, Unavailable> {
    Err(only_linux(path))
}

#[cfg(not(target_os = "linux"))]
#[cfg_attr(test, mutants::skip)]
fn only_linux(path: &str) -> Unavailable {
    Unavailable(format!("只有 Linux 有 {path} / only Linux has {path}"))
}

#[cfg(all(test, target_os = "linux"))]
mod close_tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};
    use std::time::Duration;

    #[test]
    fn a_client_port_comes_from_the_ephemeral_range() {
        let range = ephemeral_port_range().expect("Linux has ip_local_port_range");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
        let client = TcpStream::connect(listener.local_addr().expect("bound address"))
            .expect("connect on loopback");
        let port = client.local_addr().expect("client address").port();
        assert!(range.contains(&port), "{port} not in {range:?}");
    }

    #[test]
    fn closing_first_is_seen_as_fin_wait2_then_gone_as_closed() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
        let server_addr = listener.local_addr().expect("bound address");
        let client = TcpStream::connect(server_addr).expect("connect on loopback");
        let client_addr = client.local_addr().expect("client address");
        let (server, _) = listener.accept().expect("the client connected");
        drop(client);
        let within = Duration::from_secs(5);
        let seen = await_state(client_addr, server_addr, Some(TcpState::FinWait2), within);
        assert_eq!(seen.expect("Linux has the table"), Some(TcpState::FinWait2));
        drop(server);
        let seen = await_state(server_addr, client_addr, None, within);
        assert_eq!(seen.expect("Linux has the table"), None);
    }

    /// The side that closes first keeps TIME_WAIT with its timer running, in the IPv4 table
    /// and the IPv6 one alike; an open connection runs no timer; each side's row is its own,
    /// and a connection the kernel does not have has none.
    #[test]
    fn a_time_wait_row_shows_its_timer() {
        let within = Duration::from_secs(5);
        for host in ["127.0.0.1:0", "[::1]:0"] {
            let listener = TcpListener::bind(host).expect("bind on loopback");
            let server_addr = listener.local_addr().expect("bound address");
            let client = TcpStream::connect(server_addr).expect("connect on loopback");
            let client_addr = client.local_addr().expect("client address");
            let (server, _) = listener.accept().expect("the client connected");
            let (row, open) = timers(server_addr, client_addr)
                .expect("Linux has the table")
                .expect("the server's row");
            assert_eq!((row.local, row.remote), (server_addr, client_addr));
            assert_eq!(row.state, TcpState::Established);
            assert_eq!(open.kind, TimerKind::Off, "{open:?}");
            drop(client);
            let seen = await_state(client_addr, server_addr, Some(TcpState::FinWait2), within);
            assert_eq!(seen.expect("Linux has the table"), Some(TcpState::FinWait2));
            drop(server);
            let seen = await_state(client_addr, server_addr, Some(TcpState::TimeWait), within);
            assert_eq!(seen.expect("Linux has the table"), Some(TcpState::TimeWait));
            let (row, waiting) = timers(client_addr, server_addr)
                .expect("Linux has the table")
                .expect("the client's TIME_WAIT row");
            assert_eq!((row.local, row.state), (client_addr, TcpState::TimeWait));
            assert_eq!(waiting.kind, TimerKind::TimeWait, "{waiting:?}");
            assert!(
                waiting.left > Duration::from_secs(30) && waiting.left <= Duration::from_secs(60),
                "{waiting:?}"
            );
            assert_eq!(waiting.retransmits, 0);
            let nobody = SocketAddr::new(server_addr.ip(), 1);
            assert_eq!(
                timers(client_addr, nobody).expect("Linux has the table"),
                None
            );
        }
    }

    /// The columns after the state: which timer (`tr`), its clock ticks (`tm->when`) and the
    /// resends (`retrnsmt`), in hex, as `/proc/net/tcp` writes them.
    #[test]
    fn a_rows_timer_columns_are_read() {
        let ticks = procfs::ticks_per_second();
        let line = |kind: u8| {
            format!(
                "   0: 0100007F:1F90 0100007F:D431 01 00000000:00000000 0{kind}:00000064 00000003 \
                 1000 0 12345 1 0000000000000000 20 4 30 10 -1"
            )
        };
        let kinds = [
            TimerKind::Off,
            TimerKind::Retransmit,
            TimerKind::KeepAlive,
            TimerKind::TimeWait,
            TimerKind::ZeroWindowProbe,
        ];
        for (number, kind) in (0u8..).zip(kinds) {
            let read = platform::timers_in(&line(number)).expect("a row's timer");
            assert_eq!(read.kind, kind, "{}", line(number));
            assert_eq!(
                read.left,
                Duration::from_secs(100) / u32::try_from(ticks).expect("Hz")
            );
            assert_eq!(read.retransmits, 3);
        }
        assert_eq!(platform::timers_in(&line(5)), None, "no such timer");
    }

    #[test]
    fn rust_programs_ignore_sigpipe() {
        assert!(sigpipe_ignored().expect("Linux has /proc/self/status"));
    }
}

#[cfg(target_os = "linux")]
mod platform {
    use super::{Connection, TcpState, TimerKind, Timers, Unavailable, canonical};
    use procfs::net::{TcpNetEntry, TcpState as Proc};
    use std::net::SocketAddr;
    use std::time::Duration;

    pub fn connections() -> Result<Vec<Connection>, Unavailable> {
        let ipv4 = procfs::net::tcp().map_err(|e| Unavailable(e.to_string()))?;
        // A kernel built or booted without IPv6 has no tcp6 file; IPv4 rows still tell the story.
        let ipv6 = procfs::net::tcp6().unwrap_or_default();
        Ok(ipv4.iter().chain(&ipv6).map(row).collect())
    }

    /// The rows with one of `ports` as local or remote port.
    pub fn connections_on(ports: &[u16]) -> Result<Vec<Connection>, Unavailable> {
        Ok(entries_on(ports)?
            .iter()
            .map(|(entry, _)| row(entry))
            .collect())
    }

    pub fn timers(
        local: SocketAddr,
        remote: SocketAddr,
    ) -> Result<Option<(Connection, Timers)>, Unavailable> {
        for (entry, line) in entries_on(&[local.port()])? {
            let found = row(&entry);
            if found.local == local && found.remote == remote {
                let timers = timers_in(&line)
                    .ok_or_else(|| Unavailable(format!("a row without its timers: {line:?}")))?;
                return Ok(Some((found, timers)));
            }
        }
        Ok(None)
    }

    /// The lines of the table with one of `ports` as local or remote port, each with procfs's
    /// parse of it. Only those lines of the table are parsed: a busy machine lists thousands
    /// of TIME_WAIT rows, and a lesson that polls the table would spend its time parsing them.
    fn entries_on(ports: &[u16]) -> Result<Vec<(TcpNetEntry, String)>, Unavailable> {
        use procfs::FromBufReadSI;
        let needles: Vec<String> = ports.iter().map(|port| format!(":{port:04X} ")).collect();
        let mut rows = Vec::new();
        for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                // As in `connections`: without IPv6 there is no tcp6 file.
                Err(_) if path.ends_with('6') => continue,
                Err(error) => return Err(Unavailable(format!("{path}: {error}"))),
            };
            let mut lines = text.lines();
            let mut wanted = format!("{}\n", lines.next().unwrap_or_default());
            let kept: Vec<&str> = lines
                .filter(|line| needles.iter().any(|n| line.contains(n.as_str())))
                .collect();
            for line in &kept {
                wanted.push_str(line);
                wanted.push('\n');
            }
            let entries = procfs::net::TcpNetEntries::from_buf_read(
                wanted.as_bytes(),
                procfs::current_system_info(),
            )
            .map_err(|error| Unavailable(format!("{path}: {error}")))?;
            // One entry a line, in order: procfs fails the whole table rather than skip one.
            rows.extend(
                entries
                    .0
                    .into_iter()
                    .zip(kept.into_iter().map(str::to_owned)),
            );
        }
        Ok(rows)
    }

    /// The columns of a line of the table that procfs skips: `tr:tm->when` (which timer, and
    /// the clock ticks until it fires), then `retrnsmt`, all in hex.
    pub(super) fn timers_in(line: &str) -> Option<Timers> {
        let mut fields = line.split_whitespace().skip(5);
        let (kind, when) = fields.next()?.split_once(':')?;
        let kind = match u8::from_str_radix(kind, 16).ok()? {
            0 => TimerKind::Off,
            1 => TimerKind::Retransmit,
            2 => TimerKind::KeepAlive,
            3 => TimerKind::TimeWait,
            4 => TimerKind::ZeroWindowProbe,
            _ => return None,
        };
        let ticks = u64::from_str_radix(when, 16).ok()?;
        Some(Timers {
            kind,
            left: Duration::from_millis(ticks * 1000 / procfs::ticks_per_second().max(1)),
            retransmits: u32::from_str_radix(fields.next()?, 16).ok()?,
        })
    }

    /// The signals this process ignores, a bit each (`SigIgn` in `/proc/self/status`).
    pub fn ignored_signals() -> Result<u64, Unavailable> {
        let status = procfs::process::Process::myself().and_then(|me| me.status());
        status
            .map(|status| status.sigign)
            .map_err(|error| Unavailable(format!("/proc/self/status: {error}")))
    }

    /// The same mask, in the text of a `/proc/PID/status` file.
    pub fn ignored_signals_in(status: &str) -> Option<u64> {
        use procfs::FromBufRead;
        let status = procfs::process::Status::from_buf_read(status.as_bytes()).ok()?;
        Some(status.sigign)
    }

    fn row(entry: &TcpNetEntry) -> Connection {
        Connection {
            local: canonical(entry.local_address),
            remote: canonical(entry.remote_address),
            state: state(&entry.state),
            unread: entry.rx_queue,
            unacknowledged: entry.tx_queue,
        }
    }

    fn state(state: &Proc) -> TcpState {
        match state {
            Proc::Established => TcpState::Established,
            Proc::SynSent => TcpState::SynSent,
            Proc::SynRecv => TcpState::SynRecv,
            Proc::FinWait1 => TcpState::FinWait1,
            Proc::FinWait2 => TcpState::FinWait2,
            Proc::TimeWait => TcpState::TimeWait,
            Proc::Close => TcpState::Close,
            Proc::CloseWait => TcpState::CloseWait,
            Proc::LastAck => TcpState::LastAck,
            Proc::Listen => TcpState::Listen,
            Proc::Closing => TcpState::Closing,
            Proc::NewSynRecv => TcpState::NewSynRecv,
        }
    }
}

#[cfg(not(target_os = "linux"))]
// Only says there is no table here; Linux never builds it (see read_proc_file above).
#[cfg_attr(test, mutants::skip)]
mod platform {
    use super::{Connection, Timers, Unavailable, only_linux};
    use std::net::SocketAddr;

    pub fn connections_on(_ports: &[u16]) -> Result<Vec<Connection>, Unavailable> {
        connections()
    }

    pub fn timers(
        _local: SocketAddr,
        _remote: SocketAddr,
    ) -> Result<Option<(Connection, Timers)>, Unavailable> {
        Err(no_table())
    }

    pub fn ignored_signals() -> Result<u64, Unavailable> {
        Err(only_linux("/proc/self/status"))
    }

    pub fn ignored_signals_in(_status: &str) -> Option<u64> {
        None
    }

    pub fn connections() -> Result<Vec<Connection>, Unavailable> {
        Err(no_table())
    }

    fn no_table() -> Unavailable {
        Unavailable(
            "只有 Linux 提供 /proc/net/tcp；请用 `netstat -an` 查看 \
             / only Linux has /proc/net/tcp; run `netstat -an` to look by hand"
                .to_owned(),
        )
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};
    use std::time::Duration;

    /// The names `ss` prints, padded as a column; a row as the lessons print it; and what a
    /// platform without the table says.
    #[test]
    fn states_and_rows_print_as_ss_names_them() {
        assert_eq!(format!("{:<11}|", TcpState::TimeWait), "TIME_WAIT  |");
        assert_eq!(TcpState::FinWait2.to_string(), "FIN_WAIT2");
        let row = Connection {
            local: "127.0.0.1:8989".parse().expect("an address"),
            remote: "127.0.0.1:54620".parse().expect("an address"),
            state: TcpState::TimeWait,
            unread: 0,
            unacknowledged: 0,
        };
        assert_eq!(
            row.to_string(),
            "TIME_WAIT   127.0.0.1:8989 <-> 127.0.0.1:54620"
        );
        let unavailable = Unavailable("no /proc here".to_owned()).to_string();
        assert!(unavailable.ends_with(": no /proc here"), "{unavailable}");
        assert!(unavailable.contains("the kernel's socket table cannot be read"));
    }

    /// SIGPIPE is bit 13 of the `SigIgn` mask, counted from 1; a text that is no status file
    /// has no mask.
    #[test]
    fn sigpipe_is_read_from_its_bit_of_sigign() {
        assert!(has_sigpipe(0x1000));
        assert!(!has_sigpipe(0x0800));
        assert!(has_sigpipe(0x3000));
        assert!(!has_sigpipe(0));
        assert_eq!(sigpipe_ignored_in("Name:\tx\n"), None);
    }

    /// The status a child prints of itself is read for its mask: SIGPIPE ignored under the
    /// shell's `trap '' PIPE`, not without it (Rust's `Command` gives a child SIGPIPE's
    /// default action).
    #[test]
    fn a_printed_status_is_read_for_its_sigpipe() {
        let printed = |script: &str| {
            let output = std::process::Command::new("sh")
                .args(["-c", script])
                .output()
                .expect("sh and cat are part of every Linux system");
            String::from_utf8(output.stdout).expect("a status file is text")
        };
        let ignoring = printed("trap '' PIPE; exec cat /proc/self/status");
        assert_eq!(sigpipe_ignored_in(&ignoring), Some(true), "{ignoring}");
        let default = printed("exec cat /proc/self/status");
        assert_eq!(sigpipe_ignored_in(&default), Some(false), "{default}");
    }

    /// Of two clients of one listener, `connection` finds the row of the pair asked for, with
    /// its queues; `port_report` lists the listener and both server ends, and says when a port
    /// holds nothing.
    #[test]
    fn the_row_of_one_connection_is_found_among_its_neighbours() {
        use std::io::Write as _;
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
        let server = listener.local_addr().expect("bound address");
        let first = TcpStream::connect(server).expect("connect on loopback");
        let mut second = TcpStream::connect(server).expect("connect on loopback");
        let (_first_end, _) = listener.accept().expect("accept");
        let (_second_end, _) = listener.accept().expect("accept");
        second.write_all(b"12345").expect("send");
        let (a, b) = (
            first.local_addr().expect("address"),
            second.local_addr().expect("address"),
        );
        let unread = await_connection(server, b, |row| row.unread == 5, Duration::from_secs(5))
            .expect("Linux has the table")
            .expect("the server's end of the second connection");
        assert_eq!((unread.local, unread.remote, unread.unread), (server, b, 5));
        let quiet = connection(server, a)
            .expect("Linux has the table")
            .expect("the server's end of the first connection");
        assert_eq!((quiet.remote, quiet.unread), (a, 0));
        assert_eq!(connection(a, b).expect("Linux has the table"), None);
        // Only this test's rows are counted: the port numbers are shared. Linux gives a
        // client's port to connections toward other addresses too, and a listener's port may
        // still hold an earlier socket's TIME_WAIT (std sets SO_REUSEADDR on listeners).
        let report = port_report(server.port());
        let lines = |wanted: &dyn Fn(&String) -> bool| report.iter().filter(|l| wanted(l)).count();
        assert_eq!(lines(&|line| line.starts_with("LISTEN")), 1, "{report:?}");
        for client in [a, b] {
            let pair = format!("{server} <-> {client}");
            assert_eq!(lines(&|line| line.ends_with(&pair)), 1, "{report:?}");
        }
        let unused = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
        let port = unused.local_addr().expect("bound address").port();
        drop(unused);
        assert_eq!(port_report(port), ["（无 / none）"]);
        let ours = |rows: &[Connection]| {
            rows.iter()
                .filter(|row| [server, a, b].contains(&row.remote) || row.state == TcpState::Listen)
                .filter(|row| row.local == server || row.local == a)
                .count()
        };
        let rows = await_rows(
            &[server.port(), a.port()],
            |rows| ours(rows) == 4,
            Duration::from_secs(5),
        )
        .expect("Linux has the table");
        assert_eq!(
            ours(&rows),
            4,
            "the listener, both server ends and the first client's: {rows:?}"
        );
        let mine = await_port(a.port(), |rows| ours(rows) == 1, Duration::from_secs(5))
            .expect("Linux has the table");
        assert_eq!(ours(&mine), 1, "{mine:?}");
    }

    /// A wait returns as soon as what it waits for is there, not when its bound runs out, and
    /// not before: the state that comes a moment later is the one it gives back.
    #[test]
    fn a_wait_ends_when_the_state_arrives() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
        let server = listener.local_addr().expect("bound address");
        let client = TcpStream::connect(server).expect("connect on loopback");
        let (server_end, _) = listener.accept().expect("accept");
        let local = client.local_addr().expect("address");
        let closer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            drop(client);
        });
        let started = std::time::Instant::now();
        let seen = await_state(
            local,
            server,
            Some(TcpState::FinWait2),
            Duration::from_secs(20),
        )
        .expect("Linux has the table");
        assert_eq!(
            seen,
            Some(TcpState::FinWait2),
            "the close came after the first look"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "it returned once it saw it"
        );
        closer.join().expect("the closing thread");
        drop(server_end);
    }

    #[test]
    fn a_listener_and_both_ends_of_a_connection_are_seen() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
        let server_addr = listener.local_addr().expect("bound address");
        let client = TcpStream::connect(server_addr).expect("connect on loopback");
        let client_addr = client.local_addr().expect("client address");
        let rows = on_port(server_addr.port()).expect("Linux has the table");
        assert!(rows.iter().any(|r| r.state == TcpState::Listen), "{rows:?}");
        assert_eq!(
            state_of(client_addr, server_addr).expect("Linux has the table"),
            Some(TcpState::Established)
        );
        assert_eq!(
            state_of(server_addr, client_addr).expect("Linux has the table"),
            Some(TcpState::Established)
        );
    }
}
