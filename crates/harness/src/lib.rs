//! # `harness`: what the course's tests share
//!
//! The integration tests in the top-level `tests/` run each lesson's binary exactly as a
//! student would. This crate gives them three things:
//!
//! - [`binary`]: the path of a lesson's binary, **built by this call**, so that a test never
//!   runs a stale binary. Cargo gives tests in the root package no `CARGO_BIN_EXE_*` for
//!   binaries of other workspace members, and a binary some earlier build left in `target/`
//!   may predate the source. So the first use in a test process runs `cargo build` for that
//!   package (through `escargot`); when nothing changed, cargo answers in a fraction of a
//!   second.
//! - [`command`]: a [`Run`], `assert_cmd::Command` for a run-to-completion check.
//! - [`spawn`] and [`Process`]: a lesson running in the background whose output lines a test
//!   waits on (never sleeps on), and which is killed when the test drops it.
//!
//! Compile time never counts against a behaviour's timeout: a binary is built before its clock
//! starts, and a wait that includes a build (a program that compiles something itself, such as
//! the exercises' runner or the tour) uses [`Process::expect_line_within`] with
//! [`BUILD_TIMEOUT`], which only stops a build that hangs.
//!
//! Every line a program prints under [`command`] or [`spawn`] is held to [`MAX_COLUMNS`]
//! (a Chinese character counts 2): the test fails naming the program and the line, so no
//! lesson line too wide for half a screen can slip in. [`assert_lines_fit`] checks other text
//! a person reads.
//!
//! Beside them, [`cli`] holds the command-line checks every lesson passes, and [`notes`] the
//! notes' example messages and the exchanges several lessons' tests make with them, and [`tools`]
//! finds a tool beyond the Rust toolchain (python3, chromium), or says clearly that a test skipped;
//! [`to_write`] lists what a scaffolded lesson (`cargo xtask new-lesson`) still needs by hand,
//! and [`manifest`] reads and edits Cargo manifests (with `toml_edit`, never by hand);
//! [`listings`] writes the test listing pages, a section per test with the sentences that cite
//! it (`cargo xtask listings`), and says how a page links a citation to its test; [`excerpt`]
//! cuts the region of a source that a page quotes.
//! On Linux, `procs` reads `/proc` for a server's children and whether a process has ended.

pub mod cli;
pub mod excerpt;
pub mod http;
pub mod listings;
pub mod manifest;
pub mod notes;
#[cfg(target_os = "linux")]
pub mod procs;
pub mod to_write;
pub mod tools;

use std::ffi::OsStr;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

/// How long a test waits for an event (a line, an exit) before it fails and shows what it saw.
/// Generous, because a loaded CI machine is slow; a passing test never waits this long.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The bound on a wait that includes compiling (a cold build on a busy two-core machine takes
/// minutes): it only stops a build that hangs, and never decides whether behaviour was fast.
pub const BUILD_TIMEOUT: Duration = Duration::from_secs(1200);

/// The widest line a person should have to read, in terminal columns, and how wide a line is
/// (a CJK character takes two): the same measure as the runner's and the tour's, which cut
/// their lines with [`columns::fit`].
pub use columns::{MAX_COLUMNS, width};

/// Fails the test if a line of `text` (what `what` printed) is wider than [`MAX_COLUMNS`] on a
/// terminal, where a CJK character takes two columns.
pub fn assert_lines_fit(what: &str, text: &str) {
    for line in text.lines() {
        let width = width(line);
        assert!(
            width <= MAX_COLUMNS,
            "{what}: a line of {width} columns, wider than {MAX_COLUMNS}:\n{line}\n--- all of it ---\n{text}"
        );
    }
}

/// The path of `package`'s binary of the same name, freshly built in this test run's profile
/// (`child::workspace_binary`); a build that fails fails the test with cargo's message.
pub fn binary(package: &str) -> PathBuf {
    child::workspace_binary(package).unwrap_or_else(|error| panic!("{error}"))
}

/// A command that runs `package`'s fresh binary to completion, stopped after [`TIMEOUT`].
/// Whatever it prints is held to [`MAX_COLUMNS`] (see [`Run`]).
pub fn command(package: &str) -> Run {
    Run {
        name: package.to_owned(),
        command: Command::new(binary(package)),
        stdin: Vec::new(),
        timeout: TIMEOUT,
    }
}

/// A lesson's program to run to completion, with one more promise kept on every run. Each
/// line it printed, on stdout and stderr, must fit [`MAX_COLUMNS`], or the test fails naming
/// the program and the line. So no test can run a lesson without also checking that a student
/// could read its output in half a screen. It runs through [`child::run_to_end`]: what it
/// leaves running is killed with it, and a run longer than its timeout fails the test.
pub struct Run {
    /// The program and its arguments as the failure message names them.
    name: String,
    command: Command,
    stdin: Vec<u8>,
    timeout: Duration,
}

impl Run {
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Self {
        self.name.push(' ');
        self.name.push_str(&arg.as_ref().to_string_lossy());
        self.command.arg(arg);
        self
    }

    pub fn args(&mut self, args: impl IntoIterator<Item = impl AsRef<OsStr>>) -> &mut Self {
        for arg in args {
            self.arg(arg);
        }
        self
    }

    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Self {
        self.command.env_remove(key);
        self
    }

    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.command.current_dir(dir);
        self
    }

    pub fn write_stdin(&mut self, input: impl Into<Vec<u8>>) -> &mut Self {
        self.stdin = input.into();
        self
    }

    pub fn timeout(&mut self, timeout: Duration) -> &mut Self {
        self.timeout = timeout;
        self
    }

    /// Runs it to the end, checks that its lines fit, and hands back assert_cmd's `Assert`.
    pub fn assert(&mut self) -> assert_cmd::assert::Assert {
        assert_cmd::assert::Assert::new(self.run())
    }

    /// Runs it to the end, checks that its lines fit, and hands back what it printed.
    pub fn output(&mut self) -> std::io::Result<Output> {
        Ok(self.run())
    }

    fn run(&mut self) -> Output {
        let ended = child::run_to_end(&mut self.command, &self.stdin, self.timeout)
            .unwrap_or_else(|error| panic!("could not start {}: {error}", self.name));
        assert!(
            !ended.timed_out,
            "{} did not end within {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.name,
            self.timeout,
            String::from_utf8_lossy(&ended.output.stdout),
            String::from_utf8_lossy(&ended.output.stderr)
        );
        assert_output_fits(&self.name, &ended.output);
        ended.output
    }
}

/// Fails the test if a line `program` printed, on stdout or on stderr, is wider than
/// [`MAX_COLUMNS`]. For a test that runs a lesson's binary without [`command`] (under
/// `unshare`, say).
pub fn assert_output_fits(program: &str, output: &Output) {
    assert_fits(program, "stdout", &String::from_utf8_lossy(&output.stdout));
    assert_fits(program, "stderr", &String::from_utf8_lossy(&output.stderr));
}

fn assert_fits(program: &str, stream: &str, text: &str) {
    if let Some(line) = text.lines().find(|line| width(line) > MAX_COLUMNS) {
        panic!(
            "{program} printed a line of {width} columns on {stream}, wider than {MAX_COLUMNS} \
             (a Chinese character counts 2):\n{line}\n--- all of {stream} ---\n{text}",
            width = width(line)
        );
    }
}

/// Starts `package`'s binary with `args` in the background, its stdin, stdout and stderr piped.
pub fn spawn(package: &str, args: &[&str]) -> Process {
    let mut command = Command::new(binary(package));
    command.args(args);
    spawn_command(&format!("{package} {}", args.join(" ")), command)
}

/// Starts `command` (a program that is not a lesson, such as the notes' Python) in the
/// background like [`spawn`], called `name` in failure messages.
pub fn spawn_command(name: &str, mut command: Command) -> Process {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("could not start {name}: {error}"));
    let stdout = child.stdout.take().expect("stdout was piped above");
    let stderr = child.stderr.take().expect("stderr was piped above");
    Process {
        name: name.to_owned(),
        child,
        lines: forward_lines(stdout),
        stdout_seen: Vec::new(),
        echoed: Vec::new(),
        stderr: Arc::default(),
        stderr_reader: None,
    }
    .collecting_stderr(stderr)
}

/// Starts a lesson server on a port the OS picks (`--port 0`, plus `args`) and returns it with
/// the address it reported on its first line.
pub fn server(package: &str, args: &[&str]) -> (Process, SocketAddr) {
    let mut full_args = vec!["--port", "0"];
    full_args.extend_from_slice(args);
    let mut process = spawn(package, &full_args);
    let address = process.listening_address();
    (process, address)
}

/// Reads the first line a server printed on `stdout` (its "listening on ADDR") and parses ADDR,
/// for a test that runs the server as a plain child to reach its pipes itself.
pub fn read_listening_address(stdout: &mut impl std::io::BufRead) -> SocketAddr {
    let mut first = String::new();
    stdout
        .read_line(&mut first)
        .expect("the server prints where it listens");
    first
        .split_whitespace()
        .last()
        .and_then(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
}

/// A lesson program running in the background.
pub struct Process {
    name: String,
    child: Child,
    lines: Receiver<String>,
    stdout_seen: Vec<String>,
    /// What the test sent that the process prints back as it is: see [`Process::echoes`].
    echoed: Vec<String>,
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<thread::JoinHandle<()>>,
}

impl Process {
    /// Waits for the next stdout line containing `needle` and returns it; the lines before it
    /// are kept for failure messages. Fails the test, showing all output, after [`TIMEOUT`].
    pub fn expect_line(&mut self, needle: &str) -> String {
        self.expect_line_within(needle, TIMEOUT)
    }

    /// [`Process::expect_line`] with its own bound, for a line that follows a compilation
    /// (such as a check after a save): compile time must never count against [`TIMEOUT`], so
    /// such a wait gets [`BUILD_TIMEOUT`], which only stops a hung build.
    pub fn expect_line_within(&mut self, needle: &str, within: Duration) -> String {
        self.line_within(needle, within)
            .unwrap_or_else(|why| self.fail(&why))
    }

    /// [`Process::expect_line`] that hands back why the line did not come (stdout closed, or
    /// [`TIMEOUT`] passed) instead of failing, so that the test can say what that means.
    pub fn try_expect_line(&mut self, needle: &str) -> Result<String, String> {
        self.line_within(needle, TIMEOUT)
    }

    fn line_within(&mut self, needle: &str, within: Duration) -> Result<String, String> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.record(line.clone());
                    if line.contains(needle) {
                        return Ok(line);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!("no line containing {needle:?} within {within:?}"));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(format!(
                        "stdout closed before a line containing {needle:?} appeared"
                    ));
                }
            }
        }
    }

    /// The next line the process has printed, if one is already waiting; `None` at once
    /// otherwise. For a test that polls the kernel's table and takes the lines that have come
    /// meanwhile, without waiting for one.
    pub fn line_now(&mut self) -> Option<String> {
        let line = self.lines.try_recv().ok()?;
        self.record(line.clone());
        Some(line)
    }

    /// The next line the process prints within `within`, or `None` if it prints none by then
    /// (or has closed its stdout): for a test that waits while the process is busy printing,
    /// and looks elsewhere once it has gone quiet.
    pub fn next_line_within(&mut self, within: Duration) -> Option<String> {
        let line = self.lines.recv_timeout(within).ok()?;
        self.record(line.clone());
        Some(line)
    }

    /// Waits `quiet` and fails if the process prints any line meanwhile: the proof that nothing
    /// happens (a watcher that does not re-check when no file changed). An absence can only be
    /// seen by waiting, so this is the one bounded wait that is not for an event; keep `quiet`
    /// short (a few seconds).
    pub fn expect_quiet(&mut self, quiet: Duration) {
        match self.lines.recv_timeout(quiet) {
            Ok(line) => {
                self.record(line.clone());
                self.fail(&format!("expected no output for {quiet:?}, got {line:?}"))
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => self.fail(&format!(
                "stdout closed within the {quiet:?} it should stay quiet"
            )),
        }
    }

    /// Says that the process will print `data`, which the test itself sent, as it is (a server
    /// printing a 40 000-byte message whole): its lines are measured without it, so the lesson's
    /// own words around the data must still fit [`MAX_COLUMNS`].
    pub fn echoes(&mut self, data: &str) {
        self.echoed.push(data.to_owned());
    }

    /// Waits for the "listening on ADDR" line and parses ADDR.
    pub fn listening_address(&mut self) -> SocketAddr {
        let line = self.expect_line("listening on");
        let word = line.split_whitespace().last().unwrap_or_default();
        word.parse()
            .unwrap_or_else(|_| self.fail(&format!("no address at the end of {line:?}")))
    }

    /// Waits for the process itself to exit, not for its output to end: for a parent whose
    /// children inherit its stdout and stderr (lesson 4's `--processes`) and live on.
    pub fn wait_process(&mut self) -> ExitStatus {
        match self.child.wait_timeout(TIMEOUT) {
            Ok(Some(status)) => status,
            Ok(None) => self.fail(&format!("did not exit within {TIMEOUT:?}")),
            Err(error) => self.fail(&format!("could not wait for it: {error}")),
        }
    }

    /// Waits for the process to exit, then for the rest of its output, and returns the status.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let status = self.wait_process();
        // The reader thread ends at EOF, which follows the exit; drain what it still holds.
        while let Ok(line) = self.lines.recv_timeout(TIMEOUT) {
            self.record(line);
        }
        if let Some(reader) = self.stderr_reader.take() {
            // Ends at EOF, which follows the exit; a panic in it would already have shown.
            let _ = reader.join();
        }
        self.check_stderr_fits();
        status
    }

    /// Keeps a line the process printed, after checking that it fits [`MAX_COLUMNS`]: every
    /// stdout line a test reads passes here, so no lesson line wider than half a screen slips.
    fn record(&mut self, line: String) {
        let own_words = self
            .echoed
            .iter()
            .fold(line.clone(), |line, data| line.replace(data.as_str(), ""));
        let wide = width(&own_words);
        self.stdout_seen.push(line);
        if wide > MAX_COLUMNS {
            let line = self.stdout_seen.last().cloned().unwrap_or_default();
            self.fail(&format!(
                "printed a line of {wide} columns, wider than {MAX_COLUMNS} \
                 (a Chinese character counts 2):\n{line}"
            ));
        }
    }

    /// The same check for what the process printed on stderr so far.
    fn check_stderr_fits(&self) {
        let stderr = self.stderr();
        if let Some(line) = stderr.lines().find(|line| width(line) > MAX_COLUMNS) {
            self.fail(&format!(
                "printed a line of {} columns on stderr, wider than {MAX_COLUMNS} \
                 (a Chinese character counts 2):\n{line}",
                width(line)
            ));
        }
    }

    /// Everything the process printed on stdout so far (as far as the test has read it).
    pub fn stdout(&self) -> String {
        self.stdout_seen.join("\n")
    }

    /// Everything the process printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The process's stdin, to type into as a student would.
    pub fn stdin(&mut self) -> &mut ChildStdin {
        self.child.stdin.as_mut().expect("stdin is piped by spawn")
    }

    /// Closes the process's stdin, as Ctrl-D does in a terminal.
    pub fn close_stdin(&mut self) {
        drop(self.child.stdin.take());
    }

    /// The operating system's id of the process.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Sends the process `signal` (Unix); fails the test if it cannot.
    pub fn signal(&self, signal: child::Signal) {
        child::signal(self.id(), signal)
            .unwrap_or_else(|error| self.fail(&format!("could not send {signal:?}: {error}")));
    }

    /// Stops the process (SIGSTOP) and waits until the kernel shows every thread stopped:
    /// from then on it runs no code until [`child::Signal::Continue`], whatever arrives for it.
    pub fn stop(&self) {
        child::stop(self.id(), TIMEOUT)
            .unwrap_or_else(|error| self.fail(&format!("could not stop it: {error}")));
    }

    /// Fails the test with `what`, and everything the process printed.
    pub fn fail(&self, what: &str) -> ! {
        panic!(
            "{name}: {what}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
            name = self.name,
            stdout = self.stdout(),
            stderr = self.stderr()
        )
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // A server still running when its test ends is killed: tests must not leak processes.
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The lines the test never waited for are held to the width too: the ones already
        // read from the pipe, and stderr so far. Not while the test is failing already, when
        // a second panic would abort and hide the first.
        if !thread::panicking() {
            while let Ok(line) = self.lines.try_recv() {
                self.record(line);
            }
            self.check_stderr_fits();
        }
    }
}

fn forward_lines(stdout: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    child::pipes::read_lines(stdout, move |line| sender.send(line).is_ok(), || {});
    receiver
}

impl Process {
    fn collecting_stderr(mut self, stderr: impl Read + Send + 'static) -> Self {
        let text = Arc::clone(&self.stderr);
        self.stderr_reader = Some(child::pipes::collect_text(stderr, text, |_| {}));
        self
    }
}
