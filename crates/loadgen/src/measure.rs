//! One measurement and a sweep of them: clients driven against a server, its latencies, and
//! what the kernel says of the server meanwhile (`course::process`).

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use crate::cli::Sweep;
use crate::drive;

/// One measurement: C clients, R round trips each.
pub(crate) struct Measurement {
    pub(crate) clients: usize,
    pub(crate) round_trips: usize,
    pub(crate) elapsed: Duration,
    /// Every round trip's latency, sorted.
    pub(crate) latencies: Vec<Duration>,
    pub(crate) errors: usize,
    /// The server's memory and threads while every client was connected, when known.
    pub(crate) server: Option<ServerView>,
    /// The server just before the clock started: with `server`, what the round trips cost it.
    pub(crate) server_before: Option<ServerView>,
}

impl Measurement {
    pub(crate) fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The server's CPU time (user and kernel) per round trip, in µs.
    pub(crate) fn cpu_micros_per_round_trip(&self) -> Option<f64> {
        let (before, after) = (self.server_before?, self.server?);
        let micros = after.cpu.checked_sub(before.cpu)?.as_secs_f64() * 1e6;
        Some(micros / self.latencies.len().max(1) as f64)
    }

    /// The server's context switches per round trip, every thread's together.
    pub(crate) fn switches_per_round_trip(&self) -> Option<f64> {
        let (before, after) = (self.server_before?, self.server?);
        let switches = after.switches.checked_sub(before.switches)?;
        Some(switches as f64 / self.latencies.len().max(1) as f64)
    }

    pub(crate) fn percentile(&self, fraction: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((self.latencies.len() - 1) as f64 * fraction).round() as usize;
        self.latencies[rank]
    }
}

impl std::fmt::Display for Measurement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "客户端 clients {} × 往返 round trips {}: {:.0} 每秒往返 round trips/s\n  \
             p50 {} µs, p99 {} µs, 错误 errors {}",
            self.clients,
            self.round_trips,
            self.rate(),
            self.percentile(0.50).as_micros(),
            self.percentile(0.99).as_micros(),
            self.errors
        )?;
        // The server's side on a line of its own, indented, so that no line gets too long to read.
        if let Some(server) = &self.server {
            write!(f, "\n  {server}")?;
        }
        if let (Some(cpu), Some(switches)) = (
            self.cpu_micros_per_round_trip(),
            self.switches_per_round_trip(),
        ) {
            write!(
                f,
                "\n  每次往返 per round trip: CPU {cpu:.1} µs, 上下文切换 context switches {switches:.2}"
            )?;
        }
        Ok(())
    }
}

/// The server process as the kernel sees it (Linux's `/proc`, through `course::process`).
#[derive(Clone, Copy)]
pub(crate) struct ServerView {
    pub(crate) threads: u64,
    pub(crate) rss_kib: u64,
    pub(crate) virtual_kib: u64,
    /// CPU time used so far, user and kernel.
    pub(crate) cpu: Duration,
    /// Context switches so far, voluntary (blocked) and not (preempted), summed over threads.
    pub(crate) switches: u64,
}

impl std::fmt::Display for ServerView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "服务端 server: 线程 threads {}, RSS {} KiB, 虚拟内存 virtual {} MiB",
            self.threads,
            self.rss_kib,
            self.virtual_kib / 1024
        )
    }
}

pub(crate) fn server_view(pid: u32) -> Option<ServerView> {
    let memory = course::process::memory(pid)?;
    Some(ServerView {
        threads: u64::try_from(course::process::threads(pid)?).ok()?,
        rss_kib: memory.resident_kib,
        virtual_kib: memory.virtual_kib,
        cpu: course::process::cpu_time(pid)?,
        switches: course::process::context_switches(pid).unwrap_or(0),
    })
}

/// The usual clients: warmed up, and connected until all are done.
pub(crate) const HOLD: drive::Style = drive::Style {
    warm_up: true,
    hold: true,
};

/// Clients for a server that serves a fixed number at a time: no warm-up (a waiting client is
/// not answered until a worker is free), and each leaves as soon as it is done.
pub(crate) const LEAVE: drive::Style = drive::Style {
    warm_up: false,
    hold: false,
};

/// Opens `clients` connections, then lets every client do `round_trips` round trips at once.
/// `server_pid`, when known, is looked at while all clients are still connected.
pub(crate) fn measure(
    address: SocketAddr,
    clients: usize,
    round_trips: usize,
    server_pid: Option<u32>,
    style: drive::Style,
) -> io::Result<Measurement> {
    let look = || server_pid.and_then(server_view);
    let outcome = drive::measure(address, clients, round_trips, style, look)?;
    let mut latencies = outcome.latencies;
    latencies.sort_unstable();
    Ok(Measurement {
        clients,
        round_trips,
        elapsed: outcome.elapsed,
        latencies,
        errors: outcome.errors,
        server: outcome.looked,
        server_before: outcome.looked_before,
    })
}

/// A server to measure: its name, address and (when this program started it) process id.
pub(crate) struct Target {
    pub(crate) name: &'static str,
    pub(crate) address: SocketAddr,
    pub(crate) pid: Option<u32>,
    pub(crate) style: drive::Style,
}

/// Measures every target with each number of clients, `repeat` times, and keeps the run with
/// the median rate. The targets take turns, so a machine that gets busier or quieter during
/// the sweep affects them alike.
pub(crate) fn sweep_all(targets: &[Target], sweep: &Sweep) -> io::Result<Vec<Series>> {
    let mut series: Vec<Series> = targets.iter().map(|t| (t.name, Vec::new())).collect();
    for &clients in &sweep.clients {
        let round_trips = (sweep.total / clients.max(1)).max(10);
        let mut runs: Vec<Vec<Measurement>> = targets.iter().map(|_| Vec::new()).collect();
        for _ in 0..sweep.repeat.max(1) {
            for (target, runs) in targets.iter().zip(&mut runs) {
                let style = target.style;
                runs.push(measure(
                    target.address,
                    clients,
                    round_trips,
                    target.pid,
                    style,
                )?);
            }
        }
        for ((target, mut runs), (_, results)) in targets.iter().zip(runs).zip(&mut series) {
            runs.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
            let median = runs.swap_remove(runs.len() / 2);
            println!("{}: {median}", target.name);
            results.push(median);
        }
    }
    Ok(series)
}

pub(crate) type Series = (&'static str, Vec<Measurement>);
