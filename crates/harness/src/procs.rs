//! Processes as the kernel shows them (`course::process`, Linux's `/proc`): a server's
//! children, and whether a process has ended, for tests that count in `i32` process ids as
//! the kernel's calls do. Linux only, like the tests that use it.

use std::time::Instant;

use crate::TIMEOUT;

/// The processes whose parent is `parent` (an ended child the parent has not collected yet, a
/// zombie, is still listed).
pub fn children(parent: i32) -> Vec<i32> {
    u32::try_from(parent)
        .map(course::process::children)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|pid| i32::try_from(pid).ok())
        .collect()
}

/// Whether `pid` has ended: its files, sockets included, are closed by then.
pub fn ended(pid: i32) -> bool {
    u32::try_from(pid).map_or(true, course::process::ended)
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
