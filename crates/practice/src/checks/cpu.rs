//! How much CPU time a program has used, from the kernel's `/proc/PID/stat` (Linux only): a
//! server that waits in `poll` uses none while nothing happens; one that retries a `write` in
//! a loop until it goes through uses a whole core doing it.

use std::time::{Duration, Instant};

/// The share of the watched time that counts as spinning. A busy-looping program gets far
/// more than this on an idle machine; a waiting one gets nothing.
const SPINNING_SHARE: f64 = 0.25;

/// The share of the kernel's looks at the program that may find it runnable before it counts
/// as spinning. On a loaded machine a busy loop gets little CPU time, but it stays runnable
/// (state `R`, waiting for a core) while a server waiting in `poll` sleeps (`S`): this counts
/// whatever the load.
const RUNNABLE_SHARE: f64 = 0.5;

/// CPU time a program used while the check watched it, and how often it was runnable.
pub struct Used {
    pub cpu: Duration,
    pub wall: Duration,
    /// Of the looks at the program's state, how many found it running or waiting for a core.
    pub runnable: usize,
    pub looks: usize,
}

impl Used {
    /// Whether the program was busy for more than [`SPINNING_SHARE`] of the time, or runnable
    /// at more than [`RUNNABLE_SHARE`] of the looks.
    pub fn spinning(&self) -> bool {
        let busy = self.cpu.as_secs_f64() > self.wall.as_secs_f64() * SPINNING_SHARE;
        let looks = self.looks.max(1) as f64;
        busy || self.runnable as f64 > looks * RUNNABLE_SHARE
    }
}

/// Watches the program `pid` for `window` and says how much CPU time it used meanwhile, and
/// how often the kernel showed it runnable; `None` where the system has no `/proc/PID/stat`.
/// The window is a measurement, not a wait for an event: CPU time only means something over a
/// stretch of time.
pub fn used_over(pid: u32, window: Duration) -> Option<Used> {
    let start = Instant::now();
    let (before, _) = stat(pid)?;
    let (mut runnable, mut looks) = (0, 0);
    while start.elapsed() < window {
        std::thread::sleep(Duration::from_millis(1));
        let (_, state) = stat(pid)?;
        looks += 1;
        runnable += usize::from(state == 'R');
    }
    let (after, _) = stat(pid)?;
    Some(Used {
        cpu: after.saturating_sub(before),
        wall: start.elapsed(),
        runnable,
        looks,
    })
}

/// The user and system time the process has used so far, and its state (`R` running or
/// runnable, `S` sleeping, …); `None` where the kernel does not say (not Linux).
fn stat(pid: u32) -> Option<(Duration, char)> {
    Some((
        course::process::cpu_time(pid)?,
        course::process::state(pid)?,
    ))
}
