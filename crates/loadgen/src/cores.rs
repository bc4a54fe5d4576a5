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
/// `/proc/PID/status`, this process's for `None`), written as the kernel writes the list
/// (`0-1,4`): what pinning did, observed.
pub fn observed(pid: Option<u32>) -> Option<String> {
    let ranges = course::process::cores_allowed(pid.unwrap_or_else(std::process::id))?;
    let written: Vec<String> = ranges
        .iter()
        .map(|cores| match (cores.start(), cores.end()) {
            (low, high) if low == high => low.to_string(),
            (low, high) => format!("{low}-{high}"),
        })
        .collect();
    Some(written.join(","))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// The list as written, read back, names exactly the cores `sched_getaffinity` allows.
    #[test]
    fn the_observed_list_names_the_allowed_cores() {
        let listed = super::observed(None).expect("Linux lists the cores allowed");
        let mut cores = Vec::new();
        for part in listed.split(',') {
            let (low, high) = part.split_once('-').unwrap_or((part, part));
            let number = |core: &str| core.parse::<usize>().expect("a core number");
            cores.extend(number(low)..=number(high));
        }
        assert_eq!(Some(cores), super::allowed_cores(), "{listed}");
    }
}
