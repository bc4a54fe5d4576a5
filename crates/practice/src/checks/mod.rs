//! The checks: each runs the student's program against the check's own sockets on loopback,
//! and returns what it expected and what happened when they differ.
//!
//! A check only describes the behaviour. [`Checker::run`] then looks at what the program wrote
//! on stderr: a `todo!()` it reached becomes "step N is not written yet", whatever the check
//! saw, because that is the thing to do next.

mod client;
mod close;
mod event_loop;
mod framing;
mod half_close;
mod http;
mod restart;
mod server;
mod split;
mod stall;
mod threads;
mod tokio_server;

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::ops::Not;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use encoding_rs::GBK;

use crate::program::{Program, WAIT, panicked_thread, quoted};
use crate::verdict::{Failure, Outcome, Panic};

/// One check of an exercise.
pub struct Check {
    /// What it shows, Chinese first.
    pub title: &'static str,
    pub run: fn(&mut Checker) -> Result<(), Failure>,
}

pub use client::CHECKS as CLIENT;
pub use close::CHECKS as CLOSE;
pub use event_loop::CHECKS as EVENT_LOOP;
pub use framing::CHECKS as FRAMING;
pub use half_close::CHECKS as HALF_CLOSE;
pub use http::CHECKS as HTTP;
pub use restart::CHECKS as RESTART;
pub use server::CHECKS as SERVER;
pub use split::CHECKS as SPLIT;
pub use threads::CHECKS as THREADS;
pub use tokio_server::CHECKS as TOKIO;

/// Runs checks on one built binary, and keeps every program's stderr to look for `todo!()`.
pub struct Checker {
    binary: PathBuf,
    stderrs: Vec<Arc<Mutex<String>>>,
    /// Set by a check that could not be made here: why, and what to try by hand.
    not_checked: Option<&'static str>,
}

impl Checker {
    pub fn new(binary: &Path) -> Self {
        Self {
            binary: binary.to_owned(),
            stderrs: Vec::new(),
            not_checked: None,
        }
    }

    /// Tells the runner that this check cannot be made on this system, and what the student
    /// can try by hand instead ("中文 / English"). The check then returns `Ok(())`.
    pub fn not_checked(&mut self, why: &'static str) {
        self.not_checked = Some(why);
    }

    /// Starts the student's program with `args`.
    pub fn start(&mut self, args: &[&str]) -> Result<Program, Failure> {
        let stderr = Arc::default();
        self.stderrs.push(Arc::clone(&stderr));
        Program::start(&self.binary, args, stderr)
    }

    /// Runs `check`. Its programs are stopped when it returns, so their stderr is complete.
    pub fn run(&mut self, check: &Check) -> Outcome {
        self.stderrs.clear();
        self.not_checked = None;
        let result = (check.run)(self);
        let panics: Vec<(Panic, Option<String>)> = self
            .stderrs
            .iter()
            .filter_map(|stderr| {
                let stderr = stderr.lock().unwrap_or_else(PoisonError::into_inner);
                Panic::find(&stderr).map(|panic| (panic, panicked_thread(&stderr)))
            })
            .collect();
        if let Some(todo) = panics.iter().find_map(|(panic, _)| panic.todo()) {
            return Outcome::NotWritten(todo);
        }
        match result {
            Ok(()) => self.not_checked.map_or(Outcome::Pass, Outcome::NotChecked),
            Err(mut failure) => {
                // A panic the failure does not tell of yet: the main thread's ended the program,
                // another thread's left it running.
                if let Some((panic, thread)) = panics.first()
                    && !failure.got.contains(&panic.message)
                {
                    let note = if thread.as_deref() == Some("main") {
                        format!("（它崩溃了 it panicked: {panic}）")
                    } else {
                        format!("（还有一个线程崩溃了 a thread panicked too: {panic}）")
                    };
                    failure.got.push_str(&note);
                }
                Outcome::Fail(failure)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the checks share
// ---------------------------------------------------------------------------------------------

/// The notes' client message, and the single-shot server's reply (notes, section 2).
pub const MESSAGE: &str = "你好服务端，我是客户端小黑!";
pub const REPLY: &str = "ok, 问题正在处理中...";

/// What lesson 4's thread-per-client server replies to every message, as in the notes' section 3.
pub const THREADED_REPLY: &str = "ok，问题正在处理中...";

pub fn gbk(text: &str) -> Vec<u8> {
    GBK.encode(text).0.into_owned()
}

/// Starts the student's client against a server of the check's own, on a free loopback port
/// (`--port PORT`, then `extra`), and accepts its connection: the notes' step 2, `connect`.
/// The connection comes back with the check's timeouts set.
pub fn start_client_and_accept(
    checker: &mut Checker,
    extra: &[&str],
) -> Result<(Program, TcpStream), Failure> {
    let listener = loopback_listener()?;
    start_client_on(checker, &listener, None, extra)
}

/// [`start_client_and_accept`] with `--host HOST`: the check listens on `host` (`::1`, say),
/// and on 127.0.0.1 at the same port too, to see a program that ignores `--host` connect
/// there. `None` when this system has no such address (IPv6 turned off): the check is then
/// marked not checked, and the caller returns.
pub fn start_client_at(
    checker: &mut Checker,
    host: IpAddr,
    extra: &[&str],
) -> Result<Option<(Program, TcpStream)>, Failure> {
    let Some(listener) = listener_on(host)? else {
        checker.not_checked(
            "这台机器没有 ::1（IPv6 关掉了）：自己用 --host ::1 连一个在 [::1] 上监听的服务端 \
             / this machine has no ::1 (IPv6 is off): connect to a server on [::1] with --host ::1 yourself",
        );
        return Ok(None);
    };
    start_client_on(checker, &listener, Some(host), extra).map(Some)
}

/// A listener of the check's own on `ip`, port picked by the OS; `None` when this system has
/// no such address.
pub fn listener_on(ip: IpAddr) -> Result<Option<TcpListener>, Failure> {
    match TcpListener::bind(SocketAddr::new(ip, 0)) {
        Ok(listener) => Ok(Some(listener)),
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::AddrNotAvailable | io::ErrorKind::Unsupported
            ) || family_refused(&error.to_string()) =>
        {
            Ok(None)
        }
        Err(error) => Err(io_failure(
            &format!("在 {ip} 上监听 listen on {ip}"),
            &error,
        )),
    }
}

/// Whether `text` (an error, a program's stderr) is the OS refusing an address of the wrong
/// family: an IPv6 address given to an IPv4 socket, say. Linux and macOS say it in these
/// words (EAFNOSUPPORT, Linux's error 97), Windows with error 10047 (WSAEAFNOSUPPORT).
pub fn family_refused(text: &str) -> bool {
    text.contains("Address family not supported")
        || text.contains("(os error 97)")
        || text.contains("(os error 10047)")
}

fn start_client_on(
    checker: &mut Checker,
    listener: &TcpListener,
    host: Option<IpAddr>,
    extra: &[&str],
) -> Result<(Program, TcpStream), Failure> {
    let address = listener
        .local_addr()
        .map_err(|error| io_failure("监听套接字的地址 the listener's address", &error))?;
    let port = address.port().to_string();
    let host_text = host.map(|host| host.to_string());
    let mut args = Vec::new();
    if let Some(host) = &host_text {
        args.extend(["--host", host.as_str()]);
    }
    args.extend(["--port", port.as_str()]);
    args.extend_from_slice(extra);
    // Where a program that ignores --host connects instead: 127.0.0.1, on the same port. It
    // may be taken by someone else; then that mistake shows as a refused connection instead.
    let decoy = host
        .filter(|host| *host != IpAddr::from(Ipv4Addr::LOCALHOST))
        .and_then(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, address.port())).ok());
    let mut program = checker.start(&args)?;
    let expected = format!("连接到 {address} / connect to {address}");
    let listeners: Vec<&TcpListener> = std::iter::once(listener).chain(decoy.as_ref()).collect();
    let connection = program
        .accept_any(&listeners, &expected)
        .map_err(|failure| not_connected(&mut program, address, failure))?;
    let came_to = connection.local_addr().ok();
    if came_to != Some(address) {
        let came_to = came_to.map_or_else(String::new, |address| address.to_string());
        return Err(Failure::new(
            expected,
            format!(
                "它连到了 {came_to}，不是 {address}：用 --host {ip} 启动，它却没有连 server \
                 / it connected to {came_to}, not {address}: started with --host {ip}, it did not connect to server",
                ip = address.ip()
            ),
        )
        .step("2"));
    }
    timeouts(&connection)?;
    Ok((program, connection))
}

/// Why no connection reached the check at `address`, as the step to look at: a socket of the
/// wrong family or type is step 1's, a connection to somewhere else step 2's.
fn not_connected(program: &mut Program, address: SocketAddr, failure: Failure) -> Failure {
    // Describing it reaps the exit status, when the program has ended.
    program.what_happened();
    let stderr = program.stderr_text();
    let ended = program.status().is_some();
    let printed = |needle: &str| program.stdout().iter().any(|line| line.contains(needle));
    if ended && family_refused(&stderr) {
        let family = if address.is_ipv6() { "IPv6" } else { "IPv4" };
        return Failure::new(
            failure.expected,
            format!(
                "{}；server（{address}）是 {family} 地址，套接字的地址族却不是：地址族要跟随 server \
                 / server ({address}) is an {family} address, and the socket is of another family: \
                 its family must follow server",
                failure.got
            ),
        )
        .step("1");
    }
    // A TCP connect that succeeds has made a connection the check accepts. Connected, sent,
    // and then refused, with no connection ever made: the refusal came back for a datagram
    // (ICMP "port unreachable"), so the socket is UDP's, and only a datagram went out.
    if ended && printed("connected") && stderr.contains("ConnectionRefused") {
        return Failure::new(
            failure.expected,
            format!(
                "{}；它打印了“已连接 connected”，检查却没有收到任何 TCP 连接：不用握手就能“连接”的是 UDP 套接字，\
                 类型要用 TCP 的流 / it printed \"connected\", yet no TCP connection reached the check: \
                 a socket that \"connects\" with no handshake is a UDP one; the type must be TCP's stream",
                failure.got
            ),
        )
        .step("1");
    }
    // The socket follows server's family, and connect refused the address it was given: one
    // of the other family (a fixed 127.0.0.1 given to an IPv6 socket), so not server.
    if ended && stderr.contains("InvalidInput") && printed("connected").not() {
        return Failure::new(
            failure.expected,
            format!(
                "{}；connect 拒绝了给它的地址（地址族和套接字的不同）：连的不是 server（{address}）\
                 / connect refused the address it was given (not the socket's family): it was not \
                 server ({address})",
                failure.got
            ),
        )
        .step("2");
    }
    match refused_elsewhere(program, &address.to_string()) {
        Some(got) => Failure::new(failure.expected, got),
        None => failure,
    }
    .step("2")
}

/// When the program's connect was refused although the check was listening on `address`: what
/// to say instead of its own error, which names the address it was given (the check's) and not
/// the one it connected to.
fn refused_elsewhere(program: &mut Program, address: &str) -> Option<String> {
    let status = program.status()?;
    let stderr = program.stderr_text();
    if !stderr.contains("ConnectionRefused") {
        return None;
    }
    let os = crate::program::os_words(&stderr).unwrap_or_else(|| "ConnectionRefused".to_owned());
    Some(format!(
        "{}：连接被拒绝 {os}。检查程序一直在 {address} 上监听，却没有收到一个连接：你的程序连的是别的地址或端口，\
         不是 server / its connection was refused, yet the check was listening on {address} \
         and no connection came: your program connected to another address or port, not to server",
        crate::program::exit_text(status)
    ))
}

/// What came back instead of the notes' reply: a description for the failure message (with
/// the server's last printed line), and whether nothing arrived at all.
pub struct NoReply {
    pub got: String,
    pub nothing_arrived: bool,
}

/// Sends `bytes` to the student's server and reads back `reply`, in GBK.
pub fn reply_to(
    program: &mut Program,
    stream: &mut TcpStream,
    bytes: &[u8],
    reply: &str,
) -> Result<Result<(), NoReply>, Failure> {
    replied(program, stream, bytes, &gbk(reply), false)
}

/// [`reply_to`], with the reply's bytes as they must come (UTF-8, for a server started with
/// `--encoding utf-8`). It stops reading as soon as the bytes differ from `wanted`: the reply
/// in another encoding is shorter, and the server then waits for the next message.
pub fn reply_in(
    program: &mut Program,
    stream: &mut TcpStream,
    bytes: &[u8],
    wanted: &[u8],
) -> Result<Result<(), NoReply>, Failure> {
    replied(program, stream, bytes, wanted, true)
}

fn replied(
    program: &mut Program,
    stream: &mut TcpStream,
    bytes: &[u8],
    wanted: &[u8],
    stop_at_a_difference: bool,
) -> Result<Result<(), NoReply>, Failure> {
    send(stream, bytes)?;
    let (reply, ended) = if stop_at_a_difference {
        read_while_prefix(stream, wanted)
    } else {
        read_at_least(stream, wanted.len())
    };
    if reply == wanted {
        return Ok(Ok(()));
    }
    // The server's line about why it ended the connection may still be on its way.
    if let Ok(me) = stream.local_addr() {
        program.await_close_notice(&me.to_string());
    }
    program.drain();
    let got = match (&reply[..], ended) {
        ([], Ok(())) => "连接被关闭了，没有回复 the connection closed with no reply".to_owned(),
        ([], Err(error)) => format!("没有回复 no reply: {}", error_text(&error)),
        (bytes, _) => format!("收到 received {}", describe(bytes)),
    };
    let last = program.stdout().last().map_or_else(String::new, |line| {
        format!("；服务端最后打印 the server last printed: {}", quoted(line))
    });
    Ok(Err(NoReply {
        got: format!("{got}{last}"),
        nothing_arrived: reply.is_empty(),
    }))
}

/// A listener of the check's own, on a loopback port the OS picks.
pub fn loopback_listener() -> Result<TcpListener, Failure> {
    TcpListener::bind("127.0.0.1:0")
        .map_err(|error| io_failure("在 127.0.0.1 上监听 listen on 127.0.0.1", &error))
}

/// The port of a listener, as an argument.
pub fn port_of(listener: &TcpListener) -> Result<String, Failure> {
    listener
        .local_addr()
        .map(|address| address.port().to_string())
        .map_err(|error| io_failure("监听套接字的地址 the listener's address", &error))
}

/// Connects to the student's server, reads and writes with [`WAIT`] as the bound.
pub fn connect(server: SocketAddr, step: &'static str) -> Result<TcpStream, Failure> {
    let stream = TcpStream::connect_timeout(&server, WAIT).map_err(|error| {
        Failure::new(
            format!("服务端在 {server} 接受连接 / the server accepts a connection on {server}"),
            format!("连接失败 connect failed: {:?}: {error}", error.kind()),
        )
        .step(step)
    })?;
    timeouts(&stream)?;
    Ok(stream)
}

pub fn timeouts(stream: &TcpStream) -> Result<(), Failure> {
    stream
        .set_read_timeout(Some(WAIT))
        .and_then(|()| stream.set_write_timeout(Some(WAIT)))
        .map_err(|error| io_failure("设置超时 set a timeout", &error))
}

/// What one `read` gave: bytes, the peer's close (empty), or an error (a timeout included).
pub fn read_some(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut buffer = [0u8; 4096];
    let read = stream.read(&mut buffer)?;
    Ok(buffer[..read].to_vec())
}

/// Reads until `wanted` bytes have arrived or the peer closes; what arrived, and how it ended.
pub fn read_at_least(stream: &mut TcpStream, wanted: usize) -> (Vec<u8>, io::Result<()>) {
    let mut received = Vec::new();
    while received.len() < wanted {
        match read_some(stream) {
            Ok(bytes) if bytes.is_empty() => return (received, Ok(())),
            Ok(bytes) => received.extend_from_slice(&bytes),
            Err(error) => return (received, Err(error)),
        }
    }
    (received, Ok(()))
}

/// Reads until `wanted` has arrived, the bytes stop being the start of it, or the peer closes.
fn read_while_prefix(stream: &mut TcpStream, wanted: &[u8]) -> (Vec<u8>, io::Result<()>) {
    let mut received = Vec::new();
    while received.len() < wanted.len() && wanted.starts_with(&received) {
        match read_some(stream) {
            Ok(bytes) if bytes.is_empty() => return (received, Ok(())),
            Ok(bytes) => received.extend_from_slice(&bytes),
            Err(error) => return (received, Err(error)),
        }
    }
    (received, Ok(()))
}

/// Sends `bytes` to the student's program.
pub fn send(stream: &mut TcpStream, bytes: &[u8]) -> Result<(), Failure> {
    stream
        .write_all(bytes)
        .map_err(|error| io_failure("发送给你的程序 send to your program", &error))
}

/// Bytes as Python prints them, plus the text they are in GBK when they are text.
pub fn describe(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "0 字节 bytes".to_owned();
    }
    let (text, had_errors) = GBK.decode_without_bom_handling(bytes);
    let raw = course::bytes_text(bytes);
    if had_errors {
        match std::str::from_utf8(bytes) {
            Ok(utf8) => {
                format!("{raw}（这是 UTF-8 的 {utf8:?}，不是 GBK / UTF-8 for {utf8:?}, not GBK）")
            }
            Err(_) => raw,
        }
    } else {
        format!("{raw}（GBK: {text:?}）")
    }
}

/// A short "中文 / English" text, as its two halves, so each can go in its own sentence.
pub fn languages(text: &str) -> (&str, &str) {
    text.split_once("/ ")
        .map_or((text, text), |(zh, en)| (zh.trim_end(), en))
}

/// What an error was, in a student's words.
pub fn error_text(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            format!(
                "{} 秒内什么也没收到 nothing arrived within {} s",
                WAIT.as_secs(),
                WAIT.as_secs()
            )
        }
        kind => format!("{kind:?}: {error}"),
    }
}

/// A failure of the check's own sockets (not the student's program).
pub fn io_failure(what: &str, error: &io::Error) -> Failure {
    Failure::new(
        what,
        format!("检查自己出错了 the check itself failed: {error}"),
    )
}

/// The address at the end of the student's "listening on ADDR" line. The program was started
/// with `--port 0`, so the OS picks its port; `step` is the listen step, and the step before it
/// binds `address`.
pub fn listening_address(program: &mut Program, step: &'static str) -> Result<SocketAddr, Failure> {
    let bind = match step {
        "4" => "3",
        _ => "2",
    };
    let expected = "打印“正在监听 listening on 地址 ADDR”（listen 之后，已经写好）\
                    / print \"listening on ADDR\" after listen (already written)";
    let fixed = "用 --port 0 启动：绑定 address，端口由系统挑选 / started with --port 0: bind address, and the OS picks the port";
    let line = program.expect_line("listening on", expected).map_err(|failure| {
        // Port 0 is never in use: a program refused it bound a port of its own choosing.
        if program.stderr_text().contains("AddrInUse") {
            Failure::new(
                fixed,
                format!(
                    "{}；端口 0 不会被占用，它绑定的是别的端口 port 0 is never in use: it bound another port",
                    failure.got
                ),
            )
            .step(bind)
        } else {
            failure.step(step)
        }
    })?;
    let word = line.split_whitespace().last().unwrap_or_default();
    let address: SocketAddr = word.parse().map_err(|_| {
        Failure::new(
            expected,
            format!("这一行的末尾不是地址 this line does not end in an address: {line:?}"),
        )
        .step(step)
    })?;
    // The notes' ports, which the OS does not pick for port 0 (they are below its range).
    if [8989, 9090].contains(&address.port()) && !ephemeral(address.port()) {
        return Err(Failure::new(
            fixed,
            format!(
                "它在讲义的端口 {port} 上监听：绑定了写死的端口，而不是 address / it listens on the notes' port {port}: \
                 it bound a fixed port, not address: {line:?}",
                port = address.port()
            ),
        )
        .step(bind));
    }
    Ok(address)
}

/// Whether the OS may give `port` to a socket bound to port 0: Linux says which ports
/// (`course::kernel::ephemeral_port_range`); elsewhere the range is IANA's, 49152 to 65535.
fn ephemeral(port: u16) -> bool {
    course::kernel::ephemeral_port_range()
        .unwrap_or(49152..=65535)
        .contains(&port)
}

/// The server printed that it listens on `address`, having been asked for `host`: the address
/// must be on `host` (a bind to `0.0.0.0` or `::` takes connections from every network), and
/// where the kernel's table can be read (Linux), the table must show a listener there too.
/// (Only there: another program may listen on the same port number at another address, as
/// tests running beside each other do, and that listener is not the student's.) `bind` is the
/// step that binds.
pub fn listens_only_on(
    address: SocketAddr,
    host: IpAddr,
    bind: &'static str,
) -> Result<(), Failure> {
    let expected = format!(
        "用 --host {host} 启动：只在 {host} 上监听（绑定 address）/ started with --host {host}: listen on {host} only (bind address)"
    );
    if address.ip() != host {
        return Err(Failure::new(
            expected,
            format!(
                "它打印了“listening on {address}”：绑定的不是 {host} / it printed \"listening on {address}\": it bound another address than {host}"
            ),
        )
        .step(bind));
    }
    let Ok(rows) = course::kernel::on_port(address.port()) else {
        return Ok(());
    };
    let listening =
        |row: &&course::kernel::Connection| row.state == course::kernel::TcpState::Listen;
    if rows
        .iter()
        .filter(listening)
        .any(|row| row.local == address)
    {
        return Ok(());
    }
    let elsewhere: Vec<String> = rows
        .iter()
        .filter(listening)
        .map(|row| row.local.to_string())
        .collect();
    Err(Failure::new(
        expected,
        format!(
            "内核的套接字表里，端口 {port} 的监听套接字在 {list} / the kernel's table lists port {port}'s listener at {list}",
            port = address.port(),
            list = elsewhere.join(", ")
        ),
    )
    .step(bind))
}

/// Starts the student's server on a port where a listener of the check's own already listens:
/// its `bind` (step `bind`) fails, and the error goes to `course::finish` (with `?`), which
/// prints the friendly lines ("已被占用 already in use") and exits with code 1.
pub fn a_used_port_is_one_friendly_line(
    checker: &mut Checker,
    bind: &'static str,
) -> Result<(), Failure> {
    let listener = loopback_listener()?;
    let port = port_of(&listener)?;
    let mut program = checker.start(&["--port", &port])?;
    let expected = format!(
        "端口 {port} 上已经有服务端在监听：bind 报 AddrInUse，用 ? 交给 course::finish，打印一行友好的错误\
         （“已被占用 already in use”），退出码 1 / another server listens on port {port}: bind fails with \
         AddrInUse; hand it to course::finish with ?, for one friendly error (\"already in use\") and exit code 1"
    );
    // A program that listens all the same bound another port than the one it was given: say
    // so at once, rather than wait for an exit that will not come.
    if let Ok(line) = program.expect_line("listening on", &expected) {
        return Err(Failure::new(
            expected,
            format!(
                "端口 {port} 被占用，它却打印了 {line:?}：绑定的不是 address（--port {port}）\
                 / port {port} is taken, and yet it printed {line:?}: it bound another port than address's"
            ),
        )
        .step(bind));
    }
    let status = program
        .wait_exit(&expected)
        .map_err(|failure| failure.step(bind))?;
    let what = program.what_happened();
    let friendly = program.stderr_text().contains("already in use");
    if status.code() != Some(1) || what.contains("panicked") || !friendly {
        return Err(Failure::new(expected, what).step(bind));
    }
    Ok(())
}

/// Starts the student's server twice on one port: while the first listens, the second's `bind`
/// (step `bind`) must fail, with the friendly lines and exit code 1. On Linux and macOS
/// SO_REUSEADDR never lets two listeners share an address; SO_REUSEPORT does, and the kernel
/// then splits the clients between them, so a second server that listens set that option
/// instead (step `reuse`). Windows lets SO_REUSEADDR take a port another socket listens on:
/// not checked there.
pub fn a_second_server_is_refused(
    checker: &mut Checker,
    listen: &'static str,
    bind: &'static str,
    reuse: &'static str,
) -> Result<(), Failure> {
    if cfg!(windows) {
        checker.not_checked(
            "Windows 的 SO_REUSEADDR 允许第二个套接字绑定正在监听的端口：自己在同一个端口上启动两次看看 \
             / on Windows SO_REUSEADDR lets a second socket bind a port that is listening: start it twice \
             on one port and see",
        );
        return Ok(());
    }
    let mut first = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut first, listen)?;
    let port = address.port().to_string();
    let mut second = checker.start(&["--port", &port])?;
    let expected = format!(
        "你的服务端已经在 {address} 上监听：第二个在同一个端口上启动时 bind 报 AddrInUse，打印一行友好的错误\
         （“已被占用 already in use”），退出码 1 / your server already listens on {address}: a second one \
         started on its port fails in bind with AddrInUse, one friendly error (\"already in use\"), exit code 1"
    );
    if let Ok(line) = second.expect_line("listening on", &expected) {
        if line.ends_with(&address.to_string()) {
            return Err(Failure::new(
                expected,
                format!(
                    "第二个也在 {address} 上监听了：{line:?}。SO_REUSEPORT 让两个服务端共用一个端口，内核把客户端分给它们；\
                     讲义的选项是 SO_REUSEADDR / the second listens on {address} too: SO_REUSEPORT lets two servers \
                     share a port, the kernel splitting the clients between them; the notes' option is SO_REUSEADDR"
                ),
            )
            .step(reuse));
        }
        return Err(Failure::new(
            expected,
            format!(
                "端口 {port} 被占用，第二个却打印了 {line:?}：绑定的不是 address（--port {port}）\
                 / port {port} is taken, and yet the second printed {line:?}: it bound another port than address's"
            ),
        )
        .step(bind));
    }
    let status = second
        .wait_exit(&expected)
        .map_err(|failure| failure.step(bind))?;
    let what = second.what_happened();
    let friendly = second.stderr_text().contains("already in use");
    if status.code() != Some(1) || what.contains("panicked") || !friendly {
        return Err(Failure::new(expected, what).step(bind));
    }
    Ok(())
}
