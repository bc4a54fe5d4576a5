//! What the kernel says about a running program: its state, its threads, its CPU time, its
//! memory, its open files and their limit, the cores it may run on, its children. The course's
//! tools ask this of the programs they run (a server stalled on a full send buffer sleeps; one
//! the scheduler has not run yet is runnable), and so do the tests.
//!
//! On Linux it is read from `/proc` through the `procfs` crate. Elsewhere every function
//! answers `None`: the callers then go on without the observation, and say so.

use std::ops::RangeInclusive;
use std::time::Duration;

/// The state letter of process `pid` as `ps` shows it: `R` running or runnable, `S` asleep,
/// `T` stopped (once a SIGSTOP has taken effect), `Z` ended but not collected by its parent.
/// `None`: no such process, or no `/proc`.
pub fn state(pid: u32) -> Option<char> {
    platform::stat(pid).map(|stat| stat.state)
}

/// Whether `pid` has ended: its files, sockets included, are closed by then.
pub fn ended(pid: u32) -> bool {
    matches!(state(pid), None | Some('Z' | 'X'))
}

/// The state letter of each of `pid`'s threads. A thread that ends while they are read is
/// left out.
pub fn thread_states(pid: u32) -> Option<Vec<char>> {
    platform::thread_states(pid)
}

/// How many threads `pid` has.
pub fn threads(pid: u32) -> Option<usize> {
    thread_states(pid).map(|states| states.len())
}

/// Whether any thread of `pid` is running or waiting for a CPU (state `R`). A server whose
/// socket queues have stopped moving waits on them only if none is: on a busy machine, one
/// the scheduler has not run yet looks just as still.
pub fn runnable(pid: u32) -> Option<bool> {
    thread_states(pid).map(|states| states.contains(&'R'))
}

/// Whether every thread of `pid` is stopped (`T`, or `t` under a tracer): from then on it runs
/// no code until SIGCONT, whatever arrives for it.
pub fn stopped(pid: u32) -> Option<bool> {
    let states = thread_states(pid)?;
    Some(!states.is_empty() && states.iter().all(|state| matches!(state, 'T' | 't')))
}

/// The CPU time `pid` has used, in user and kernel mode together.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = platform::stat(pid)?;
    let ticks = stat.utime + stat.stime;
    Some(Duration::from_millis(
        ticks * 1000 / platform::ticks_per_second(),
    ))
}

/// A process's memory as the kernel counts it, in KiB: resident in RAM (RSS), and mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    pub resident_kib: u64,
    pub virtual_kib: u64,
}

/// `pid`'s memory (`VmRSS`, `VmSize`).
pub fn memory(pid: u32) -> Option<Memory> {
    platform::memory(pid)
}

/// The context switches of all `pid`'s threads so far, voluntary (it blocked) and not (it was
/// preempted): a thread that blocks in `recv` gives up its core once per message. A thread
/// that ended meanwhile is not counted.
pub fn context_switches(pid: u32) -> Option<u64> {
    platform::context_switches(pid)
}

/// The processes whose parent is `parent` (a child that ended and is not collected yet, a
/// zombie, is still listed).
pub fn children(parent: u32) -> Vec<u32> {
    platform::children(parent)
}

/// `pid`'s proportional set size in KiB (`Pss` in `/proc/PID/smaps_rollup`): its resident
/// memory, a page shared by n processes counted as 1/n of it, so that the PSS of a server's
/// processes adds up to what they cost together.
pub fn pss_kib(pid: u32) -> Option<u64> {
    platform::pss_bytes(pid).map(|bytes| bytes / 1024)
}

/// The numbers of `pid`'s open file descriptors (`/proc/PID/fd`), in no particular order.
pub fn open_files(pid: u32) -> Option<Vec<u32>> {
    platform::open_files(pid)
}

/// A process's limit on open files, soft and hard (`None`: unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimit {
    pub soft: Option<u64>,
    pub hard: Option<u64>,
}

/// `pid`'s limit on open files as the kernel holds it (`Max open files` in
/// `/proc/PID/limits`): what another process sees of a `setrlimit` the program made.
pub fn open_file_limit(pid: u32) -> Option<FileLimit> {
    platform::open_file_limit(pid)
}

/// The cores `pid` may run on (`Cpus_allowed_list` in `/proc/PID/status`), as ranges of core
/// numbers: `0-1,4` is `[0..=1, 4..=4]`.
pub fn cores_allowed(pid: u32) -> Option<Vec<RangeInclusive<u32>>> {
    platform::cores_allowed(pid)
}

#[cfg(target_os = "linux")]
mod platform {
    use procfs::process::{LimitValue, Process, Stat};
    use std::ops::RangeInclusive;

    pub fn stat(pid: u32) -> Option<Stat> {
        process(pid)?.stat().ok()
    }

    pub fn thread_states(pid: u32) -> Option<Vec<char>> {
        let tasks = process(pid)?.tasks().ok()?;
        Some(
            tasks
                .flatten()
                .filter_map(|task| task.stat().ok())
                .map(|stat| stat.state)
                .collect(),
        )
    }

    pub fn memory(pid: u32) -> Option<super::Memory> {
        let status = process(pid)?.status().ok()?;
        Some(super::Memory {
            resident_kib: status.vmrss?,
            virtual_kib: status.vmsize?,
        })
    }

    pub fn context_switches(pid: u32) -> Option<u64> {
        let tasks = process(pid)?.tasks().ok()?;
        Some(
            tasks
                .flatten()
                .filter_map(|task| task.status().ok())
                .map(|status| {
                    status.voluntary_ctxt_switches.unwrap_or(0)
                        + status.nonvoluntary_ctxt_switches.unwrap_or(0)
                })
                .sum(),
        )
    }

    pub fn children(parent: u32) -> Vec<u32> {
        let Ok(parent) = i32::try_from(parent) else {
            return Vec::new();
        };
        let Ok(processes) = procfs::process::all_processes() else {
            return Vec::new();
        };
        processes
            .flatten()
            .filter_map(|process| process.stat().ok())
            .filter(|stat| stat.ppid == parent)
            .filter_map(|stat| u32::try_from(stat.pid).ok())
            .collect()
    }

    pub fn pss_bytes(pid: u32) -> Option<u64> {
        let rollup = process(pid)?.smaps_rollup().ok()?;
        // One entry, the sum over every mapping; procfs gives its figures in bytes.
        let summed = rollup.memory_map_rollup.0.into_iter().next()?;
        summed.extension.map.get("Pss").copied()
    }

    pub fn open_files(pid: u32) -> Option<Vec<u32>> {
        let files = process(pid)?.fd().ok()?;
        // A descriptor closed while they are listed is left out.
        Some(
            files
                .flatten()
                .filter_map(|file| u32::try_from(file.fd).ok())
                .collect(),
        )
    }

    pub fn open_file_limit(pid: u32) -> Option<super::FileLimit> {
        let files = process(pid)?.limits().ok()?.max_open_files;
        let value = |limit| match limit {
            LimitValue::Value(n) => Some(n),
            LimitValue::Unlimited => None,
        };
        Some(super::FileLimit {
            soft: value(files.soft_limit),
            hard: value(files.hard_limit),
        })
    }

    pub fn cores_allowed(pid: u32) -> Option<Vec<RangeInclusive<u32>>> {
        let ranges = process(pid)?.status().ok()?.cpus_allowed_list?;
        Some(ranges.into_iter().map(|(low, high)| low..=high).collect())
    }

    pub fn ticks_per_second() -> u64 {
        procfs::ticks_per_second().max(1)
    }

    fn process(pid: u32) -> Option<Process> {
        Process::new(i32::try_from(pid).ok()?).ok()
    }
}

#[cfg(not(target_os = "linux"))]
// Only says nothing can be read here. Linux never builds it (the Linux module is tested), but
// cargo-mutants reads every cfg: the mark tells it to skip what no test here can run.
#[cfg_attr(test, mutants::skip)]
mod platform {
    /// What this module reads of `/proc/PID/stat`; never built here.
    pub struct Stat {
        pub state: char,
        pub utime: u64,
        pub stime: u64,
    }

    pub fn stat(_pid: u32) -> Option<Stat> {
        None
    }

    pub fn thread_states(_pid: u32) -> Option<Vec<char>> {
        None
    }

    pub fn memory(_pid: u32) -> Option<super::Memory> {
        None
    }

    pub fn context_switches(_pid: u32) -> Option<u64> {
        None
    }

    pub fn children(_parent: u32) -> Vec<u32> {
        Vec::new()
    }

    pub fn pss_bytes(_pid: u32) -> Option<u64> {
        None
    }

    pub fn open_files(_pid: u32) -> Option<Vec<u32>> {
        None
    }

    pub fn open_file_limit(_pid: u32) -> Option<super::FileLimit> {
        None
    }

    pub fn cores_allowed(_pid: u32) -> Option<Vec<std::ops::RangeInclusive<u32>>> {
        None
    }

    pub fn ticks_per_second() -> u64 {
        100
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::process::{Child, Command};
    use std::time::Instant;

    fn sleeper() -> Child {
        Command::new("sleep")
            .arg("10")
            .spawn()
            .expect("sleep starts")
    }

    fn await_state(pid: u32, wanted: char) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while state(pid) != Some(wanted) {
            assert!(
                Instant::now() < deadline,
                "{pid} never reached state {wanted}"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn this_process_is_runnable_while_it_reads_its_states() {
        let me = std::process::id();
        assert_eq!(runnable(me), Some(true));
        // The test runner's main thread waits while this test runs on a thread of its own.
        assert!(threads(me).is_some_and(|threads| threads >= 2));
        assert!(!ended(me));
    }

    #[test]
    fn a_sleeping_child_is_not_runnable_and_a_stopped_one_is_stopped() {
        let mut child = sleeper();
        let pid = child.id();
        await_state(pid, 'S');
        assert_eq!(runnable(pid), Some(false));
        assert_eq!(stopped(pid), Some(false));
        assert_eq!(threads(pid), Some(1));
        assert!(children(std::process::id()).contains(&pid));
        rustix::process::kill_process(
            rustix::process::Pid::from_child(&child),
            rustix::process::Signal::STOP,
        )
        .expect("SIGSTOP");
        await_state(pid, 'T');
        assert_eq!(stopped(pid), Some(true));
        child.kill().expect("SIGKILL");
        child.wait().expect("collected");
        assert!(ended(pid));
        assert_eq!(state(pid), None);
    }

    #[test]
    fn this_process_has_memory_and_has_switched() {
        let me = std::process::id();
        let memory = memory(me).expect("Linux has /proc");
        assert!(memory.resident_kib > 0 && memory.virtual_kib >= memory.resident_kib);
        // The test harness's threads have blocked at least once: waiting is switching.
        assert!(context_switches(me).expect("Linux has /proc") > 0);
    }

    /// An open file is listed under its number, the limit is the one `getrlimit` gives, the
    /// cores are some, and the share of memory is no more than the resident memory (give or
    /// take what the other tests' threads allocate between the two reads).
    #[test]
    fn this_process_has_files_a_limit_cores_and_a_share_of_memory() {
        use rustix::process::{Resource, getrlimit};
        use std::os::fd::AsRawFd;
        let me = std::process::id();
        let file = std::fs::File::open("/dev/null").expect("every Linux has /dev/null");
        let number = u32::try_from(file.as_raw_fd()).expect("an open descriptor");
        assert!(open_files(me).expect("Linux has /proc").contains(&number));
        let limit = getrlimit(Resource::Nofile);
        let file_limit = FileLimit {
            soft: limit.current,
            hard: limit.maximum,
        };
        assert_eq!(open_file_limit(me), Some(file_limit));
        assert!(cores_allowed(me).is_some_and(|cores| !cores.is_empty()));
        let pss = pss_kib(me).expect("Linux has /proc");
        let resident = memory(me).expect("Linux has /proc").resident_kib;
        assert!(
            // A Rust test process maps some MiB of its own: a figure of a few KiB is no reading.
            pss >= 512 && pss <= resident * 2,
            "PSS {pss} KiB, RSS {resident} KiB"
        );
    }

    /// The CPU time read from /proc agrees with the kernel's own clock of it
    /// (CLOCK_PROCESS_CPUTIME_ID), to within a few of /proc's ticks.
    #[test]
    fn cpu_time_is_the_kernels_clock_of_it() {
        let me = std::process::id();
        let clock = || {
            let time = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
            Duration::new(
                u64::try_from(time.tv_sec).expect("positive"),
                u32::try_from(time.tv_nsec).expect("below a second"),
            )
        };
        // Enough CPU time that a wrong unit or sum cannot come out near it.
        let mut spin = 0u64;
        while clock() < Duration::from_millis(300) {
            for _ in 0..100_000 {
                spin = std::hint::black_box(spin.wrapping_add(1));
            }
        }
        let before = clock();
        let read = cpu_time(me).expect("Linux has /proc");
        let after = clock();
        let slack = Duration::from_millis(50);
        assert!(
            read + slack >= before && read <= after + slack,
            "/proc says {read:?}, the clock {before:?} to {after:?}"
        );
    }

    /// Each time a sleeping child is stopped and woken it switches away again: the count grows
    /// by at least one a time. (A child of one thread: the sum over this test process's
    /// threads drops whenever another test's thread ends.)
    #[test]
    fn context_switches_count_every_wake() {
        use rustix::process::{Pid, Signal, kill_process};
        let mut child = sleeper();
        let pid = child.id();
        let target = Pid::from_child(&child);
        await_state(pid, 'S');
        let before = context_switches(pid).expect("Linux has /proc");
        assert!(
            before >= 1,
            "asleep, it has switched away at least once: {before}"
        );
        for _ in 0..5 {
            kill_process(target, Signal::STOP).expect("SIGSTOP");
            await_state(pid, 'T');
            kill_process(target, Signal::CONT).expect("SIGCONT");
            await_state(pid, 'S');
        }
        let after = context_switches(pid).expect("Linux has /proc");
        child.kill().expect("SIGKILL");
        child.wait().expect("collected");
        assert!(after >= before + 5, "{before} → {after}");
    }
}
