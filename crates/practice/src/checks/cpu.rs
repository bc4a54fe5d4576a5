//! How much CPU time a program has used, from the kernel's `/proc/PID/stat` (Linux only): a
//! server that waits in `poll` uses none while nothing happens; one that retries a `write` in
//! a loop until it goes through uses a whole core doing it.

use std::time::{Duration, Instant};

/// The share of the watched time that counts as spinning. A busy-looping program gets far
/// more than this even on a loaded machine (it competes for a core, it does not wait);
/// a waiting one gets nothing.
const SPINNING_SHARE: f64 = 0.25;

/// CPU time a program used while the check watched it.
pub struct Used {
    pub cpu: Duration,
    pub wall: Duration,
}

impl Used {
    /// Whether the program was busy for more than [`SPINNING_SHARE`] of the time.
    pub fn spinning(&self) -> bool {
        self.cpu.as_secs_f64() > self.wall.as_secs_f64() * SPINNING_SHARE
    }
}

/// Watches the program `pid` for `window` and says how much CPU time it used meanwhile;
/// `None` where the system has no `/proc/PID/stat`. The window is a measurement, not a wait
/// for an event: CPU time only means something over a stretch of time.
pub fn used_over(pid: u32, window: Duration) -> Option<Used> {
    let start = Instant::now();
    let before = cpu_time(pid)?;
    std::thread::sleep(window);
    let after = cpu_time(pid)?;
    Some(Used {
        cpu: after.saturating_sub(before),
        wall: start.elapsed(),
    })
}

/// The user and system time the process has used so far.
#[cfg(target_os = "linux")]
fn cpu_time(pid: u32) -> Option<Duration> {
    // Clock ticks per second of /proc's times (USER_HZ), which is 100 on every architecture
    // Linux runs the course on.
    const TICKS_PER_SECOND: u64 = 100;
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `PID (NAME) STATE …`: the name may hold spaces, so count fields after its parenthesis.
    // Field 3 is the state; fields 14 and 15 are utime and stime, in ticks.
    let (_, after_name) = text.rsplit_once(") ")?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |field: usize| fields.get(field - 3)?.parse::<u64>().ok();
    let total = ticks(14)? + ticks(15)?;
    Some(Duration::from_millis(total * 1000 / TICKS_PER_SECOND))
}

/// Not Linux: no `/proc/PID/stat` to read.
#[cfg(not(target_os = "linux"))]
fn cpu_time(_pid: u32) -> Option<Duration> {
    None
}
