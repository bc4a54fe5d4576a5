//! The student's program running under a check.
//!
//! Its stdout lines, the end of its stdout (it has exited), a panic on its stderr and the
//! connections the check's own listener accepts all arrive on one channel, so a check waits on
//! whichever event comes first and never sleeps. A panic already seen ends every wait at once:
//! a thread that panicked will never print the line a check is waiting for. Every other wait is
//! bounded by [`WAIT`]; when it runs out, the failure says what the program had printed by then.
//! Dropping a `Program` kills it and collects its stderr.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

use crate::verdict::{Failure, Panic};

/// How long a check waits for one event (a line, a connection, a reply, an exit). A correct
/// program on loopback answers in milliseconds; this only bounds a program that hangs.
pub const WAIT: Duration = Duration::from_secs(10);

/// How long [`Program::await_close_notice`] waits for the line saying why a server closed.
pub const CLOSE_NOTICE: Duration = Duration::from_secs(2);

/// How many of a program's stdout lines a check keeps: far more than any check reads.
const KEPT_LINES: usize = 100_000;

/// Something that happened to the program, or on the check's listener.
enum Event {
    Line(String),
    StdoutClosed,
    Accepted(TcpStream),
    /// A thread of the program panicked (its whole message has arrived on stderr).
    Panicked(Panic),
}

/// A student's program, started by a check.
pub struct Program {
    child: Child,
    events: Receiver<Event>,
    sender: Sender<Event>,
    stdout: Vec<String>,
    stdout_closed: bool,
    /// The first panic seen on stderr, and the name of the thread that panicked.
    panicked: Option<(Panic, String)>,
    status: Option<ExitStatus>,
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<JoinHandle<()>>,
}

impl Program {
    /// Starts `binary` with `args`; its stderr also goes to `stderr`, which the checker reads
    /// after the check, to find a `todo!()` or a panic.
    pub fn start(
        binary: &Path,
        args: &[&str],
        stderr: Arc<Mutex<String>>,
    ) -> Result<Self, Failure> {
        let mut child = Command::new(binary)
            .args(args)
            // A panic is reported in one line by the checker; a backtrace would only hide it.
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| {
                Failure::new(
                    format!("启动 start {}", binary.display()),
                    format!("操作系统拒绝了 the OS refused: {error}"),
                )
            })?;
        let (sender, events) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            let lines = sender.clone();
            let closed = sender.clone();
            // A program that prints without end (a loop that reads 0 bytes as a message)
            // must not fill the runner's memory: past KEPT_LINES its lines are read and
            // dropped, so it neither blocks on a full pipe nor gets a broken one.
            let mut count = 0;
            child::pipes::read_lines(
                stdout,
                move |line| {
                    count += 1;
                    if count == KEPT_LINES + 1 {
                        let note = format!(
                            "（之后的输出没有保留 the rest is not kept: over {KEPT_LINES} lines）"
                        );
                        let _ = lines.send(Event::Line(note));
                    }
                    count > KEPT_LINES || lines.send(Event::Line(line)).is_ok()
                },
                move || {
                    let _ = closed.send(Event::StdoutClosed);
                },
            );
        }
        let stderr_reader = child.stderr.take().map(|pipe| {
            let panics = sender.clone();
            let mut told = false;
            child::pipes::collect_text(pipe, Arc::clone(&stderr), move |text| {
                if !told && let Some(panic) = complete_panic(text) {
                    told = true;
                    let _ = panics.send(Event::Panicked(panic));
                }
            })
        });
        Ok(Self {
            child,
            events,
            sender,
            stdout: Vec::new(),
            stdout_closed: false,
            panicked: None,
            status: None,
            stderr,
            stderr_reader,
        })
    }

    /// Waits for the next stdout line containing `needle`. If the program ends or goes quiet
    /// first, fails with `expected` and what the program did instead.
    pub fn expect_line(&mut self, needle: &str, expected: &str) -> Result<String, Failure> {
        let deadline = Instant::now() + WAIT;
        // A line already read while waiting for something else counts too.
        if let Some(line) = self.stdout.iter().find(|line| line.contains(needle)) {
            return Ok(line.clone());
        }
        loop {
            match self.next_event(deadline) {
                Some(Event::Line(line)) => {
                    self.stdout.push(line.clone());
                    if line.contains(needle) {
                        return Ok(line);
                    }
                }
                Some(Event::Accepted(_)) => {}
                Some(Event::StdoutClosed | Event::Panicked(_)) | None => {
                    return Err(self.failure(expected));
                }
            }
        }
    }

    /// Accepts one connection on any of `listeners` (failing if the program ends or goes quiet
    /// first): the first connection made to one of them,
    /// so a check can listen where a program should not connect too, and see it connect there
    /// (the listener it came to is the stream's `local_addr`). The threads of the listeners that
    /// got nothing stay blocked in `accept` until the runner exits: a connection of the check's
    /// own to wake them would reach a later `accept` of this program as if it were the program's.
    pub fn accept_any(
        &mut self,
        listeners: &[&TcpListener],
        expected: &str,
    ) -> Result<TcpStream, Failure> {
        let mut addresses = Vec::new();
        for listener in listeners {
            addresses.extend(listener.local_addr().ok());
            let accepting = listener.try_clone().map_err(|error| {
                Failure::new("复制监听套接字 clone the listener", error.to_string())
            })?;
            let sender = self.sender.clone();
            thread::spawn(move || {
                if let Ok((stream, _)) = accepting.accept() {
                    let _ = sender.send(Event::Accepted(stream));
                }
            });
        }
        let deadline = Instant::now() + WAIT;
        loop {
            match self.next_event(deadline) {
                Some(Event::Accepted(stream)) => return Ok(stream),
                Some(Event::Line(line)) => self.stdout.push(line),
                Some(Event::StdoutClosed | Event::Panicked(_)) | None => {
                    // As in `accept`: a connection made just before the program ended counts.
                    for address in &addresses {
                        if let Some(stream) = self.pending(*address) {
                            return Ok(stream);
                        }
                    }
                    return Err(self.failure(expected));
                }
            }
        }
    }

    /// The connection the accepting thread took, if the program had made one. A connection of
    /// the check's own wakes the thread (so it ends) and comes last: connections are accepted
    /// in the order they were made.
    fn pending(&mut self, address: SocketAddr) -> Option<TcpStream> {
        let waker = TcpStream::connect_timeout(&address, WAIT).ok()?;
        let ours = waker.local_addr().ok();
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left).ok()? {
                Event::Accepted(stream) => {
                    return (stream.peer_addr().ok() != ours).then_some(stream);
                }
                Event::Line(line) => self.stdout.push(line),
                Event::StdoutClosed => self.stdout_closed = true,
                Event::Panicked(panic) => {
                    self.panicked(panic);
                }
            }
        }
    }

    /// Waits for the program to exit and returns its status.
    pub fn wait_exit(&mut self, expected: &str) -> Result<ExitStatus, Failure> {
        let deadline = Instant::now() + WAIT;
        while !self.stdout_closed {
            match self.next_event(deadline) {
                Some(Event::Line(line)) => self.stdout.push(line),
                // Another thread panicked, and the program may run on without it: say so now.
                Some(Event::Panicked(_)) => return Err(self.failure(expected)),
                Some(_) => {}
                None => return Err(self.failure(expected)),
            }
        }
        match self.reap() {
            Some(status) => Ok(status),
            None => Err(self.failure(expected)),
        }
    }

    /// Waits until the lines printed so far satisfy `done` (exercise 9 waits for reads that
    /// add up to what it sent). If the program ends or goes quiet first, fails with `expected`.
    pub fn await_lines(
        &mut self,
        done: impl FnMut(&[String]) -> bool,
        expected: &str,
    ) -> Result<(), Failure> {
        if self.lines_within(done, WAIT) {
            Ok(())
        } else {
            Err(self.failure(expected))
        }
    }

    /// Whether the program ends within `within`. A check whose connection was reset asks: an
    /// exiting process's sockets close a moment before its exit can be seen.
    pub fn ends_within(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while !self.stdout_closed {
            match self.next_event(deadline) {
                Some(Event::Line(line)) => self.stdout.push(line),
                Some(Event::Accepted(_)) => {}
                Some(Event::Panicked(_)) | None => return false,
                Some(Event::StdoutClosed) => {}
            }
        }
        self.reap().is_some()
    }

    /// After the check saw the server end a connection from `client`: waits a little (at most
    /// [`CLOSE_NOTICE`]) for the line that says why. The server prints it before it closes, so
    /// it is on its way; only a server that says nothing makes the check wait that long.
    pub fn await_close_notice(&mut self, client: &str) {
        let words = ["failed", "offline", "closing", "失败", "下线", "关闭"];
        let ends_client =
            |line: &String| line.contains(client) && words.iter().any(|word| line.contains(word));
        self.lines_within(|lines| lines.iter().any(ends_client), CLOSE_NOTICE);
    }

    /// Whether the lines printed so far satisfy `done` within `within`; `false` once the
    /// program ends or goes quiet first. For a diagnosis: the line that says why a server
    /// closed a connection may still be in the pipe when the check sees the close.
    pub fn lines_within(
        &mut self,
        mut done: impl FnMut(&[String]) -> bool,
        within: Duration,
    ) -> bool {
        let deadline = Instant::now() + within;
        while !done(&self.stdout) {
            match self.next_event(deadline) {
                Some(Event::Line(line)) => self.stdout.push(line),
                Some(Event::Accepted(_)) => {}
                Some(Event::StdoutClosed | Event::Panicked(_)) | None => return false,
            }
        }
        true
    }

    /// The program's process id (exercise 9 counts its threads).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Sends the program `signal` (Unix); whether it was sent. A check that cannot send it
    /// says what it could not check.
    pub fn signal(&self, signal: child::Signal) -> bool {
        child::signal(self.id(), signal).is_ok()
    }

    /// Stops the program (SIGSTOP) and waits until the kernel shows it stopped (Linux);
    /// whether it was stopped.
    pub fn stop(&self) -> bool {
        child::stop(self.id(), WAIT).is_ok()
    }

    /// Everything the program printed on stdout that the check has read so far.
    pub fn stdout(&self) -> &[String] {
        &self.stdout
    }

    /// Reads the stdout lines that have already arrived, without waiting.
    pub fn drain(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            match event {
                Event::Line(line) => self.stdout.push(line),
                Event::StdoutClosed => self.stdout_closed = true,
                Event::Panicked(panic) => {
                    self.panicked(panic);
                }
                Event::Accepted(_) => {}
            }
        }
    }

    /// `Ok` if the program is still running; else a failure saying how it ended.
    pub fn still_running(&mut self, expected: &str) -> Result<(), Failure> {
        self.drain();
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            _ => {
                // It has ended: collect the rest of its output before describing it.
                let _ = self.wait_exit(expected);
                Err(self.failure(expected))
            }
        }
    }

    /// A failure: `expected`, and what the program did instead (how it ended, what it said).
    pub fn failure(&mut self, expected: &str) -> Failure {
        Failure::new(expected, self.what_happened())
    }

    /// What the program did: how it exited (or that it is still running), its last words.
    pub fn what_happened(&mut self) -> String {
        if self.stdout_closed && self.status.is_none() {
            self.reap();
        }
        let said = match self.stdout.last() {
            Some(line) => format!("；最后打印 last printed: {}", quoted(line)),
            None => "；什么也没打印 printed nothing".to_owned(),
        };
        if let (None, Some((panic, thread))) = (self.status, &self.panicked) {
            return format!(
                "线程 {thread} 崩溃了，程序还在运行 the thread {thread} panicked, the program still runs: {panic}{said}"
            );
        }
        match self.status {
            None => format!(
                "过了 {} 秒还在运行 still running after {} s{said}",
                WAIT.as_secs(),
                WAIT.as_secs()
            ),
            Some(status) => {
                let stderr = self.stderr_text();
                if let Some(panic) = Panic::find(&stderr) {
                    format!("它崩溃了 it panicked: {panic}")
                } else {
                    let first = stderr.lines().find(|line| !line.trim().is_empty());
                    // course::finish ends with the OS's own words, which name the error's kind.
                    let os = os_words(&stderr)
                        .filter(|os| !first.is_some_and(|line| line.contains(os.as_str())))
                        .map_or_else(String::new, |os| format!(" [{os}]"));
                    let stderr = first.map_or_else(String::new, |line| {
                        format!("，报错 said: {}{os}", abbreviate(line))
                    });
                    format!("{}{stderr}{said}", exit_text(status))
                }
            }
        }
    }

    /// How the program ended, if it has (and the check has seen it end).
    pub fn status(&self) -> Option<ExitStatus> {
        self.status
    }

    /// What the program wrote on stderr so far (all of it, once it has exited).
    pub fn stderr_text(&mut self) -> String {
        if self.status.is_some()
            && let Some(reader) = self.stderr_reader.take()
        {
            // Ends at EOF, which follows the exit.
            let _ = reader.join();
        }
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn next_event(&mut self, deadline: Instant) -> Option<Event> {
        if let Some((panic, _)) = &self.panicked {
            // Seen before: whatever the check waits for now will not come from that thread.
            return Some(Event::Panicked(panic.clone()));
        }
        if self.stdout_closed {
            // Only a connection can still arrive.
            return match self.events.try_recv() {
                Ok(event @ Event::Accepted(_)) => Some(event),
                _ => Some(Event::StdoutClosed),
            };
        }
        match self
            .events
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(Event::StdoutClosed) => {
                self.stdout_closed = true;
                self.reap();
                Some(Event::StdoutClosed)
            }
            Ok(Event::Panicked(panic)) => Some(self.panicked(panic)),
            Ok(event) => Some(event),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(Event::StdoutClosed),
        }
    }

    /// Notes a panic. When the main thread panicked the program is exiting: wait for the end of
    /// its stdout and its exit, so the failure tells how it ended; any other thread's panic is
    /// kept, and ends this wait and every later one at once.
    fn panicked(&mut self, panic: Panic) -> Event {
        let stderr = self
            .stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let thread = panicked_thread(&stderr).unwrap_or_default();
        if thread == "main" {
            let deadline = Instant::now() + WAIT;
            while !self.stdout_closed {
                match self.next_event(deadline) {
                    Some(Event::Line(line)) => self.stdout.push(line),
                    Some(Event::StdoutClosed) | None => break,
                    Some(_) => {}
                }
            }
            self.reap();
            return Event::StdoutClosed;
        }
        self.panicked = Some((panic.clone(), thread));
        Event::Panicked(panic)
    }

    /// Waits (bounded) for the exit that follows the end of stdout.
    fn reap(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.wait_timeout(WAIT).ok().flatten();
        }
        self.status
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        // A program still running when its check ends is stopped; a check leaks no process.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
    }
}

/// A line the program printed, quoted as Rust would (`"…"`, escapes shown). A server's line
/// about a 1 KiB message is mostly the message, and the report must still fit the terminal: a
/// word longer than [`LONGEST_WORD`] columns is cut, and so is a line longer than
/// [`QUOTED_COLUMNS`], each with `…`, and then the quote says how long the line was.
pub fn quoted(line: &str) -> String {
    let words: Vec<String> = line
        .split(' ')
        .map(|word| cut(word, LONGEST_WORD))
        .collect();
    let shown = cut(&words.join(" "), QUOTED_COLUMNS);
    if shown == line {
        format!("{line:?}")
    } else {
        format!("{shown:?}（共 {} 字节 bytes in all）", line.len())
    }
}

/// `text`, or as much of it as fits `columns` less one, and `…`.
fn cut(text: &str, columns: usize) -> String {
    if columns::width(text) <= columns {
        return text.to_owned();
    }
    let mut cut = String::new();
    for c in text.chars() {
        if columns::width(&cut) + columns::width(c.encode_utf8(&mut [0; 4])) >= columns {
            break;
        }
        cut.push(c);
    }
    cut.push('…');
    cut
}

/// How much of a printed line a report quotes, and of one word in it.
const QUOTED_COLUMNS: usize = 160;
const LONGEST_WORD: usize = 40;

/// The operating system's words in a friendly error from `course::finish`, such as
/// `ConnectionRefused: Connection refused (os error 111)`.
pub fn os_words(stderr: &str) -> Option<String> {
    let line = stderr.lines().find(|line| line.contains("(os error "))?;
    let words = line
        .rsplit_once("the OS: ")
        .map_or(line, |(_, words)| words);
    let words = words.rsplit_once('[').map_or(words, |(_, words)| words);
    Some(words.trim().trim_end_matches(']').to_owned())
}

/// The first panic in `stderr`, once its message line has arrived whole.
fn complete_panic(stderr: &str) -> Option<Panic> {
    let (_, after) = stderr.split_once("panicked at ")?;
    // `panicked at FILE:LINE:COL:` ends one line, and the message is the next.
    (after.matches('\n').count() >= 2)
        .then(|| Panic::find(stderr))
        .flatten()
}

/// The name of the thread in the first panic of `stderr`: `main` in
/// `thread 'main' (4242) panicked at …`, `<unnamed>` for a thread spawned without a name.
pub fn panicked_thread(stderr: &str) -> Option<String> {
    let line = stderr.lines().find(|line| line.contains("panicked at "))?;
    let (_, quoted) = line.split_once("thread '")?;
    let (name, _) = quoted.split_once('\'')?;
    Some(name.to_owned())
}

/// `退出码 exit code 1`, or the signal that ended it.
pub fn exit_text(status: ExitStatus) -> String {
    match status.code() {
        Some(0) => "它正常退出了 it exited with code 0".to_owned(),
        Some(code) => format!("它退出了，退出码 it exited with code {code}"),
        None => format!("它被信号终止了 it was ended by a signal ({status})"),
    }
}

/// A long line (a friendly error with its advice in two languages) shortened to its start and
/// its end, where the OS's own words are.
fn abbreviate(line: &str) -> String {
    const KEEP: usize = 70;
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= 2 * KEEP + 10 {
        return line.to_owned();
    }
    let start: String = chars[..KEEP].iter().collect();
    let end: String = chars[chars.len() - KEEP..].iter().collect();
    format!("{start} … {end}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long line is cut, says how long it was, and fits; a short one is quoted whole.
    #[test]
    fn a_long_line_is_quoted_short() {
        assert_eq!(quoted("ok \"好\""), r#""ok \"好\"""#);
        let long = format!(
            "收到 received 1020 字节 bytes: {} frame too long",
            "x".repeat(1000)
        );
        let shown = quoted(&long);
        assert!(shown.starts_with("\"收到 received 1020"), "{shown}");
        assert!(shown.contains("xxx…"), "{shown}");
        assert!(
            shown.contains("frame too long\"（共 1050 字节 bytes in all）"),
            "{shown}"
        );
        assert!(
            shown
                .split(' ')
                .all(|word| columns::width(word) <= LONGEST_WORD + 30),
            "{shown}"
        );
        let many = "word ".repeat(100);
        assert!(columns::width(&quoted(&many)) <= QUOTED_COLUMNS + 30);
    }

    #[test]
    fn a_panic_counts_once_its_message_has_arrived() {
        let head = "\nthread '<unnamed>' (77) panicked at src/main.rs:90:9:\n";
        assert_eq!(
            complete_panic(head),
            None,
            "the message line is still to come"
        );
        let whole = format!("{head}called `Result::unwrap()` on an `Err` value\n");
        let panic = complete_panic(&whole).expect("the whole panic has arrived");
        assert_eq!(panic.location, "src/main.rs:90");
        assert_eq!(panicked_thread(&whole).as_deref(), Some("<unnamed>"));
        let main = "thread 'main' (4242) panicked at src/main.rs:4:5:\nboom\n";
        assert_eq!(panicked_thread(main).as_deref(), Some("main"));
    }

    #[test]
    fn the_os_words_come_from_either_form_of_a_friendly_error() {
        let lines = "错误：127.0.0.1:9 上没有服务器在监听\nerror: no server is listening on 127.0.0.1:9\n  \
                     操作系统 the OS: ConnectionRefused: Connection refused (os error 111)\n";
        let words = "ConnectionRefused: Connection refused (os error 111)";
        assert_eq!(os_words(lines).as_deref(), Some(words));
        let one_line = format!("错误 / error: nobody listens [{words}]\n");
        assert_eq!(os_words(&one_line).as_deref(), Some(words));
        assert_eq!(os_words("no OS words here"), None);
    }
}
