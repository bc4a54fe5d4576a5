//! # `child`: the course's programs, run as children
//!
//! The tour (a program students run) and the tests' harness both start lesson programs. Both
//! find a lesson's binary the same way, here: built first, by cargo, in the profile the caller
//! was built in, so that neither ever runs a stale binary, and the build's time is spent before
//! any clock that bounds a behaviour starts.
//!
//! A build that fails comes back as an error to show (the tour prints it and goes on with the
//! next lesson; the harness fails the test with it), never as a panic to catch.
//!
//! Signals go through [`signal`] and [`stop`], from the tour, the practice runner's checks and
//! the tests alike; a running child's stdout and stderr are read through [`pipes`].
//!
//! Left out on purpose: the lesson programs and the exercises, which depend only on `course`.

pub mod pipes;

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

/// What a program run to its end left: its status and all it printed, and whether it was
/// killed for running longer than allowed.
#[derive(Debug)]
pub struct Ended {
    pub output: Output,
    pub timed_out: bool,
}

/// Runs `command` to its end, with `stdin` as its whole input, for at most `within`. It runs
/// in a process group of its own (Unix): when it ends, or is killed for taking too long, what
/// it started and left running (a server's children, say) is killed with it, so that nothing
/// left behind holds its output open and keeps the caller waiting.
pub fn run_to_end(command: &mut Command, stdin: &[u8], within: Duration) -> io::Result<Ended> {
    platform::own_group(command);
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let input = stdin.to_vec();
    let mut pipe = child.stdin.take();
    // Its own thread: a program that prints before it reads must not wait for this one.
    let writing = thread::spawn(move || {
        if let Some(pipe) = pipe.as_mut() {
            // A program that ends without reading all its input closes the pipe: not an error.
            let _ = pipe.write_all(&input);
        }
    });
    let stdout = read_all(child.stdout.take());
    let stderr = read_all(child.stderr.take());
    let (status, timed_out) = match child.wait_timeout(within)? {
        Some(status) => (status, false),
        None => {
            platform::kill_group(child.id());
            (child.wait()?, true)
        }
    };
    // Whatever it left running would hold the pipes open.
    platform::kill_group(child.id());
    let _ = writing.join();
    let output = Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    Ok(Ended { output, timed_out })
}

/// Reads `pipe` to its end in a thread of its own.
fn read_all(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// The signals the course sends its programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT, as Ctrl-C in the program's terminal.
    Interrupt,
    /// SIGSTOP: the program runs no code until [`Signal::Continue`].
    Stop,
    /// SIGCONT: a stopped program goes on; a system call it was waiting in returns early.
    Continue,
}

/// Sends `signal` to process `pid` (Unix). Elsewhere there is no such thing to send one
/// process: an error of kind `Unsupported`, for the caller to say so.
pub fn signal(pid: u32, signal: Signal) -> io::Result<()> {
    platform::signal(pid, signal)
}

/// Stops process `pid` and waits, at most `within`, until the kernel shows every thread
/// stopped (Linux; elsewhere it cannot be seen, and the stop is taken as done).
pub fn stop(pid: u32, within: Duration) -> io::Result<()> {
    signal(pid, Signal::Stop)?;
    let deadline = Instant::now() + within;
    while course::process::stopped(pid) == Some(false) {
        if Instant::now() >= deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("process {pid} not stopped after {within:?}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

#[cfg(unix)]
mod platform {
    use super::Signal;
    use rustix::process::{Pid, kill_process, kill_process_group};
    use std::io;
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    pub fn own_group(command: &mut Command) {
        command.process_group(0);
    }

    /// Kills every process of the group `leader` leads; none left is not an error.
    pub fn kill_group(leader: u32) {
        if let Some(group) = i32::try_from(leader).ok().and_then(Pid::from_raw) {
            let _ = kill_process_group(group, rustix::process::Signal::KILL);
        }
    }

    pub fn signal(pid: u32, signal: Signal) -> io::Result<()> {
        let pid = i32::try_from(pid)
            .ok()
            .and_then(Pid::from_raw)
            .ok_or_else(|| io::Error::other(format!("no process has id {pid}")))?;
        let signal = match signal {
            Signal::Interrupt => rustix::process::Signal::INT,
            Signal::Stop => rustix::process::Signal::STOP,
            Signal::Continue => rustix::process::Signal::CONT,
        };
        kill_process(pid, signal).map_err(io::Error::from)
    }
}

#[cfg(not(unix))]
mod platform {
    use super::Signal;
    use std::io;
    use std::process::Command;

    /// Windows has no process groups of this kind: a program's children are not followed.
    pub fn own_group(_command: &mut Command) {}

    pub fn kill_group(_leader: u32) {}

    pub fn signal(_pid: u32, signal: Signal) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("{signal:?} cannot be sent to one program here"),
        ))
    }
}

/// The path of `package`'s binary of the same name, built first (once per process) in the
/// caller's profile; or cargo's message if the build failed.
pub fn workspace_binary(package: &str) -> Result<PathBuf, String> {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT
        .get_or_init(Mutex::default)
        .lock()
        // A build that panicked elsewhere left nothing half-written in the map.
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(path) = built.get(package) {
        return Ok(path.clone());
    }
    let path = build(package)?;
    built.insert(package.to_owned(), path.clone());
    Ok(path)
}

fn build(package: &str) -> Result<PathBuf, String> {
    let run = escargot::CargoBuild::new()
        .manifest_path(workspace_manifest())
        .package(package)
        .bin(package)
        .current_release()
        .run()
        .map_err(|error| format!("cargo build -p {package} failed:\n{error}"))?;
    Ok(run.path().to_path_buf())
}

/// The workspace's `Cargo.toml`: this crate lives in `crates/child`.
fn workspace_manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A program that ends leaving a child behind, holding its output open, is not waited
    /// for; nor is one that runs too long: both come back, their children killed.
    #[cfg(target_os = "linux")]
    #[test]
    fn what_a_program_leaves_running_does_not_keep_the_caller_waiting() {
        let mut leaves = Command::new("sh");
        leaves.args(["-c", "sleep 300 & echo started"]);
        let started = Instant::now();
        let ended = run_to_end(&mut leaves, b"", Duration::from_secs(30)).expect("sh runs");
        assert!(
            !ended.timed_out && ended.output.status.success(),
            "{ended:?}"
        );
        assert_eq!(ended.output.stdout, b"started\n");
        let mut hangs = Command::new("sh");
        hangs.args(["-c", "sleep 300 & cat"]);
        let ended = run_to_end(&mut hangs, b"", Duration::from_secs(60)).expect("sh runs");
        assert!(
            !ended.timed_out,
            "cat ends at the end of its input: {ended:?}"
        );
        let mut sleeps = Command::new("sleep");
        sleeps.arg("300");
        let ended = run_to_end(&mut sleeps, b"", Duration::from_millis(200)).expect("runs");
        assert!(ended.timed_out, "{ended:?}");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{:?}",
            started.elapsed()
        );
    }

    /// The input is written while the output is read: a program that echoes a lot does not
    /// deadlock against its caller.
    #[cfg(unix)]
    #[test]
    fn a_large_input_is_echoed_whole() {
        let input = vec![b'x'; 1 << 20];
        let ended = run_to_end(&mut Command::new("cat"), &input, Duration::from_secs(30))
            .expect("cat runs");
        assert_eq!(ended.output.stdout.len(), input.len());
    }

    /// A stopped child is seen stopped, goes on when continued, and ends on Ctrl-C.
    #[cfg(target_os = "linux")]
    #[test]
    fn signals_stop_continue_and_interrupt_a_child() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep starts");
        let pid = child.id();
        stop(pid, Duration::from_secs(10)).expect("stopped");
        assert_eq!(course::process::stopped(pid), Some(true));
        signal(pid, Signal::Continue).expect("continued");
        signal(pid, Signal::Interrupt).expect("interrupted");
        let status = child.wait().expect("collected");
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(2), "SIGINT ended it: {status:?}");
    }

    /// A package that does not exist is cargo's error, returned, not a panic.
    #[test]
    fn a_failed_build_is_an_error_to_show() {
        let error = workspace_binary("no-such-lesson").expect_err("there is no such package");
        assert!(
            error.contains("cargo build -p no-such-lesson failed"),
            "{error}"
        );
    }
}
