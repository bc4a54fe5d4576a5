//! Processes as Linux's `/proc` shows them: a server's children, and whether a process has
//! ended. Linux only, like the tests that use it.

use std::time::Instant;

use crate::TIMEOUT;

/// The processes whose parent is `parent`, from the parent field of every `/proc/PID/stat`
/// (an ended child the parent has not collected yet, a zombie, is still listed).
pub fn children(parent: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| stat_fields(pid).and_then(|f| f.get(1)?.parse().ok()) == Some(parent))
        .collect()
}

/// The state letter of `pid` (`R`, `S`, `T` stopped, `Z` ended but not collected), or `None`
/// when there is no such process any more.
pub fn state(pid: i32) -> Option<char> {
    stat_fields(pid)?.first()?.chars().next()
}

/// Whether `pid` has ended: its files, sockets included, are closed by then.
pub fn ended(pid: i32) -> bool {
    matches!(state(pid), None | Some('Z' | 'X'))
}

/// Waits, by re-reading `/proc`, until every process of `pids` has ended; fails the test
/// naming those still running after [`TIMEOUT`].
pub fn await_ended(pids: &[i32]) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let running: Vec<i32> = pids.iter().copied().filter(|&pid| !ended(pid)).collect();
        if running.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "processes {running:?} still running after {TIMEOUT:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// The fields of `/proc/PID/stat` after the command name (which is in parentheses and may hold
/// spaces): the state first, then the parent's pid.
fn stat_fields(pid: i32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(") ")?;
    Some(rest.split_whitespace().map(str::to_owned).collect())
}

/// Waits, by re-reading `/proc`, until every thread of `pid` is stopped (state `T`, after
/// SIGSTOP): from then on the process runs no code until SIGCONT, whatever arrives for it.
pub fn await_stopped(pid: i32) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
            .map(|tasks| {
                tasks
                    .flatten()
                    .filter_map(|task| task.file_name().to_str()?.parse::<i32>().ok())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let stopped = |task: &i32| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/task/{task}/stat"));
            stat.ok()
                .and_then(|stat| Some(stat.rsplit_once(") ")?.1.starts_with(['T', 't'])))
                .unwrap_or(false)
        };
        if !tasks.is_empty() && tasks.iter().all(stopped) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "process {pid} not stopped after {TIMEOUT:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}
