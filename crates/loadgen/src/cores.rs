//! The same CPU for every design. On a small machine the load generator and the server share
//! the cores, and a server with a thread per client then wins or loses by how much of them it
//! takes from the load generator, not by its design. So `designs` gives the servers cores of
//! their own and keeps the load generator on the others: every server gets the same budget,
//! and the figures show what each design does with it.
//!
//! Pinning relies on inheritance: a process started by a thread gets that thread's CPU
//! affinity, and so do the threads it starts. The load generator pins itself to the servers'
//! cores, starts them, then moves itself to its own cores before any client runs.

use std::io;

/// Which cores the servers get and which the load generator keeps.
pub struct Split {
    pub servers: Vec<usize>,
    pub clients: Vec<usize>,
}

impl Split {
    /// `server_cores` of the cores this process may use go to the servers (one by default: a
    /// one-thread design can use no more, so one core compares the designs per core), the rest
    /// to the load generator. `None` when the cores cannot be split: fewer than two, or a
    /// system without CPU affinity.
    pub fn new(server_cores: usize) -> Option<Split> {
        let allowed = allowed_cores()?;
        if allowed.len() < 2 {
            return None;
        }
        let taken = server_cores.clamp(1, allowed.len() - 1);
        let (servers, clients) = allowed.split_at(taken);
        Some(Split {
            servers: servers.to_vec(),
            clients: clients.to_vec(),
        })
    }
}

/// Runs the calling thread (and every process and thread it starts from now on) on `cores`.
#[cfg(target_os = "linux")]
pub fn pin_here(cores: &[usize]) -> io::Result<()> {
    use rustix::thread::{CpuSet, sched_setaffinity};
    let mut set = CpuSet::new();
    for &core in cores {
        set.set(core);
    }
    sched_setaffinity(None, &set).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
pub fn pin_here(_cores: &[usize]) -> io::Result<()> {
    Err(io::Error::other("CPU affinity is only set on Linux"))
}

#[cfg(target_os = "linux")]
fn allowed_cores() -> Option<Vec<usize>> {
    use rustix::thread::{CpuSet, sched_getaffinity};
    let set = sched_getaffinity(None).ok()?;
    Some(
        (0..CpuSet::MAX_CPU)
            .filter(|&core| set.is_set(core))
            .collect(),
    )
}

#[cfg(not(target_os = "linux"))]
fn allowed_cores() -> Option<Vec<usize>> {
    None
}

/// The cores a process may run on, as the kernel reports them (`Cpus_allowed_list` in
/// `/proc/PID/status`, or `/proc/self/status` for `None`): what pinning did, observed.
pub fn observed(pid: Option<u32>) -> Option<String> {
    let who = pid.map_or_else(|| "self".to_owned(), |pid| pid.to_string());
    let status = std::fs::read_to_string(format!("/proc/{who}/status")).ok()?;
    let list = status
        .lines()
        .find_map(|line| line.strip_prefix("Cpus_allowed_list:"))?;
    Some(list.trim().to_owned())
}
