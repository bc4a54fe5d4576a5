//! # `loadgen`: how many clients can lesson 4 serve, and how fast?
//!
//! A load generator for the lesson-4 server, to be run with `--release`. It opens C
//! connections at once (one client thread each), and each client does R request/reply round
//! trips, one at a time, as the lesson-1 client does. It reports round trips per second and
//! the latency of one round trip (p50, p99).
//!
//! - `loadgen run --address A -c C -r R`: one measurement against a server already running.
//! - `loadgen sweep --address A`: the same for C = 1, 10, 100, 1000.
//! - `loadgen bench`: starts the servers itself and sweeps each: lesson 4 with its output
//!   thrown away (`> /dev/null`), lesson 4 writing its output to a file, and a baseline
//!   thread-per-client server that prints nothing (`loadgen serve-baseline`). It prints a
//!   Markdown table and can draw it as SVG charts (`--charts DIR`).
//! - `loadgen charts --table PAGE --out DIR`: draws the charts again from the table on a page
//!   (lesson 4's), in Chinese and in English, so that the charts always show the table's numbers.
//!
//! Left out on purpose: any traffic beyond loopback (the address must be 127.0.0.1 or ::1),
//! and pass/fail: the targets are printed, not asserted, because timings depend on the machine.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};

mod charts;
mod cores;
mod drive;
mod pool;

/// 第 4 课的压力测试工具：C 个并发客户端，每个做 R 次请求/回复往返，报告每秒往返数和延迟分位数。
/// Load generator for lesson 4: C concurrent clients × R round trips; prints round trips/s and latency percentiles.
#[derive(Parser)]
#[command(name = "loadgen")]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// 对一个正在运行的服务端测一次 / measure once against a running server
    Run {
        #[command(flatten)]
        target: Address,
        /// 并发客户端数（每个一个连接、一个线程）/ concurrent clients (one connection and one thread each)
        #[arg(short, long, default_value_t = 10)]
        clients: usize,
        /// 每个客户端的往返次数 / round trips per client
        #[arg(short, long, default_value_t = 1000)]
        round_trips: usize,
    },
    /// 对一个正在运行的服务端，依次用 1、10、100、1000 个客户端测 / measure with 1, 10, 100 and 1000 clients
    Sweep {
        #[command(flatten)]
        target: Address,
        #[command(flatten)]
        sweep: Sweep,
    },
    /// 自己启动第 4 课和基准服务端，逐个测量并打印对比表 / start lesson 4 and the baseline server, sweep each, print a table
    Bench {
        #[command(flatten)]
        sweep: Sweep,
        /// 第 4 课可执行文件的路径（默认与 loadgen 在同一目录）/ path of the lesson-4 binary (default: beside loadgen)
        #[arg(long)]
        lesson4: Option<PathBuf>,
        /// 把结果画成两张 SVG 图（每秒往返数、p99 延迟），写到这个目录 / also draw the results as two SVG charts (rate, p99 latency) in this directory
        #[arg(long)]
        charts: Option<PathBuf>,
    },
    /// 从页面上的结果表重画两张图（中文、英文各一套）/ redraw the two charts, in Chinese and in English, from the results table on a page
    Charts {
        /// 含有 `loadgen bench` 结果表的 Markdown 文件 / a Markdown file holding the table `loadgen bench` printed
        #[arg(long)]
        table: PathBuf,
        /// 写 SVG 的目录 / the directory to write the SVG files to
        #[arg(long)]
        out: PathBuf,
    },
    /// 比较几种设计：第 4 课（线程）、第 7 课（mio）、第 8 课（tokio）和固定线程池，1 到 10000 个客户端 / compare the designs: lesson 4 (threads), 7 (mio), 8 (tokio) and a fixed thread pool, 1 to 10,000 clients
    Designs {
        #[command(flatten)]
        sweep: DesignSweep,
        /// 线程池的线程数 / the thread pool's number of workers
        #[arg(long, default_value_t = 8)]
        pool_workers: usize,
        /// 给服务端的核数，其余的给 loadgen / cores for the servers, the rest for loadgen
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
        server_cores: u16,
        /// 服务端与 loadgen 共用所有的核 / let the servers and loadgen share every core
        #[arg(long)]
        shared: bool,
    },
    /// 固定线程池服务端（Rust 之书最后一章的设计），回复和第 4 课相同，不打印 / a fixed thread pool server (the Rust Book's final chapter), lesson 4's reply, no printing
    ServePool {
        /// 监听的端口，0 表示让系统挑 / the port to listen on; 0 lets the system pick
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// 工作线程数 / the number of worker threads
        #[arg(long, default_value_t = 8)]
        workers: usize,
    },
    /// 基准服务端：一个客户端一个线程，回复和第 4 课相同，但什么都不打印 / the baseline: a thread per client, the same reply as lesson 4, no printing
    ServeBaseline {
        /// 监听的端口，0 表示让系统挑 / the port to listen on; 0 lets the system pick
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
}

#[derive(Args)]
struct Address {
    /// 服务端地址，只能是本机（127.0.0.1 或 ::1）/ the server's address, on this machine only (127.0.0.1 or ::1)
    #[arg(short, long, default_value = "127.0.0.1:9090", value_parser = parse_loopback)]
    address: SocketAddr,
}

#[derive(Args)]
struct Sweep {
    /// 要测的并发客户端数 / the numbers of concurrent clients to measure
    #[arg(long, value_delimiter = ',', default_value = "1,10,100,1000")]
    clients: Vec<usize>,
    /// 每一档总共的往返次数，平均分给各个客户端（每个至少 10 次）/ round trips per measurement, shared among the clients (at least 10 each)
    #[arg(long, default_value_t = 200_000)]
    total: usize,
    /// 每一档测几次，取每秒往返数的中位数那一次 / runs per measurement; the run with the median rate is reported
    #[arg(long, default_value_t = 5)]
    repeat: usize,
}

/// `designs`' sweep: the same knobs as `Sweep`, up to ten thousand clients.
#[derive(Args)]
struct DesignSweep {
    /// 要测的并发客户端数 / the numbers of concurrent clients to measure
    #[arg(long, value_delimiter = ',', default_value = "1,10,100,1000,10000")]
    clients: Vec<usize>,
    /// 每一档总共的往返次数，平均分给各个客户端（每个至少 10 次）/ round trips per measurement, shared among the clients (at least 10 each)
    #[arg(long, default_value_t = 200_000)]
    total: usize,
    /// 每一档测几次，取每秒往返数的中位数那一次 / runs per measurement; the run with the median rate is reported
    #[arg(long, default_value_t = 5)]
    repeat: usize,
}

/// What a client sends: the notes' greeting, in GBK.
const MESSAGE: &[u8] = b"\xc4\xe3\xba\xc3\xb7\xfe\xce\xf1\xb6\xcb"; // 你好服务端
/// What lesson 4 (and the baseline) answer: "ok，问题正在处理中..." in GBK.
const REPLY: &[u8] = b"ok\xa3\xac\xce\xca\xcc\xe2\xd5\xfd\xd4\xda\xb4\xa6\xc0\xed\xd6\xd0...";

fn main() -> ExitCode {
    let cli = Cli::parse();
    raise_open_file_limit();
    let result = match cli.mode {
        Mode::Run {
            target,
            clients,
            round_trips,
        } => measure(target.address, clients, round_trips, None, HOLD).map(|m| println!("{m}")),
        Mode::Sweep { target, sweep } => {
            let target = Target {
                name: "server",
                address: target.address,
                pid: None,
                style: HOLD,
            };
            sweep_all(&[target], &sweep).map(|series| println!("\n{}", table(&series)))
        }
        Mode::Bench {
            sweep,
            lesson4,
            charts,
        } => bench(&sweep, lesson4, charts.as_deref()),
        Mode::Charts { table, out } => redraw(&table, &out),
        Mode::Designs {
            sweep,
            pool_workers,
            server_cores,
            shared,
        } => designs(
            &sweep,
            pool_workers,
            (!shared).then_some(usize::from(server_cores)),
        ),
        Mode::ServePool { port, workers } => pool::serve(port, workers),
        Mode::ServeBaseline { port } => serve_baseline(port),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("错误 / error: {:?}: {error}", error.kind());
            ExitCode::FAILURE
        }
    }
}

fn parse_loopback(text: &str) -> Result<SocketAddr, String> {
    let address: SocketAddr = text
        .parse()
        .map_err(|_| format!("'{text}' 不是 IP:端口 / '{text}' is not an IP:port address"))?;
    if address.ip().is_loopback() {
        Ok(address)
    } else {
        Err(format!(
            "只测本机：请用 127.0.0.1 或 [::1] / loopback only: use 127.0.0.1 or [::1], not {}",
            address.ip()
        ))
    }
}

/// 1000 connections need 1000 descriptors here (and 1000 in the server). The soft limit is
/// often 1024; raise it to the hard limit, which needs no privilege.
fn raise_open_file_limit() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current != limit.maximum {
            let raised = Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            };
            if let Err(error) = setrlimit(Resource::Nofile, raised) {
                eprintln!("无法提高文件描述符上限 / could not raise the open-file limit: {error}");
            }
        }
    }
}

/// One measurement: C clients, R round trips each.
struct Measurement {
    clients: usize,
    round_trips: usize,
    elapsed: Duration,
    /// Every round trip's latency, sorted.
    latencies: Vec<Duration>,
    errors: usize,
    /// The server's memory and threads while every client was connected, when known.
    server: Option<ServerView>,
    /// The server just before the clock started: with `server`, what the round trips cost it.
    server_before: Option<ServerView>,
}

impl Measurement {
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The server's CPU time (user and kernel) per round trip, in µs.
    fn cpu_micros_per_round_trip(&self) -> Option<f64> {
        let (before, after) = (self.server_before?, self.server?);
        let micros = after.cpu.checked_sub(before.cpu)?.as_secs_f64() * 1e6;
        Some(micros / self.latencies.len().max(1) as f64)
    }

    /// The server's context switches per round trip, every thread's together.
    fn switches_per_round_trip(&self) -> Option<f64> {
        let (before, after) = (self.server_before?, self.server?);
        let switches = after.switches.checked_sub(before.switches)?;
        Some(switches as f64 / self.latencies.len().max(1) as f64)
    }

    fn percentile(&self, fraction: f64) -> Duration {
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
struct ServerView {
    threads: u64,
    rss_kib: u64,
    virtual_kib: u64,
    /// CPU time used so far, user and kernel.
    cpu: Duration,
    /// Context switches so far, voluntary (blocked) and not (preempted), summed over threads.
    switches: u64,
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

fn server_view(pid: u32) -> Option<ServerView> {
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
const HOLD: drive::Style = drive::Style {
    warm_up: true,
    hold: true,
};

/// Clients for a server that serves a fixed number at a time: no warm-up (a waiting client is
/// not answered until a worker is free), and each leaves as soon as it is done.
const LEAVE: drive::Style = drive::Style {
    warm_up: false,
    hold: false,
};

/// Opens `clients` connections, then lets every client do `round_trips` round trips at once.
/// `server_pid`, when known, is looked at while all clients are still connected.
fn measure(
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
struct Target {
    name: &'static str,
    address: SocketAddr,
    pid: Option<u32>,
    style: drive::Style,
}

/// Measures every target with each number of clients, `repeat` times, and keeps the run with
/// the median rate. The targets take turns, so a machine that gets busier or quieter during
/// the sweep affects them alike.
fn sweep_all(targets: &[Target], sweep: &Sweep) -> io::Result<Vec<Series>> {
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

/// A server under test, killed when dropped.
struct Server {
    name: &'static str,
    child: Child,
    address: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `program args --port P` with its stdout going to `stdout`, and waits until it
/// accepts connections. P is a port that was free a moment ago.
fn start_server(
    name: &'static str,
    program: &Path,
    args: &[&str],
    stdout: Stdio,
) -> io::Result<Server> {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(program)
        .args(args)
        .args(["--port", &port.to_string()])
        .stdout(stdout)
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|error| {
            io::Error::new(
                error.kind(),
                format!(
                    "{}: {error} (build it with --release first)",
                    program.display()
                ),
            )
        })?;
    let address = SocketAddr::new(IpAddr::from([127, 0, 0, 1]), port);
    let mut server = Server {
        name,
        child,
        address,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(address).is_err() {
        if Instant::now() > deadline || server.child.try_wait()?.is_some() {
            return Err(io::Error::other(format!("{name} did not start listening")));
        }
        thread::sleep(Duration::from_millis(20));
    }
    Ok(server)
}

fn bench(sweep: &Sweep, lesson4: Option<PathBuf>, charts: Option<&Path>) -> io::Result<()> {
    let here = std::env::current_exe()?;
    let lesson4 = lesson4.unwrap_or_else(|| here.with_file_name("lesson4"));
    let log_path = std::env::temp_dir().join(format!("lesson4-bench-{}.log", std::process::id()));

    println!(
        "{} 核 cores；每档 {} 次往返，测 {} 次取中位数 / round trips per measurement {}, median of {} runs",
        thread::available_parallelism().map_or(0, |n| n.get()),
        sweep.total,
        sweep.repeat,
        sweep.total,
        sweep.repeat
    );
    // (name, program, arguments, whether its output goes to a file rather than /dev/null)
    let servers: [(&'static str, &Path, &[&str], bool); 3] = [
        ("baseline", &here, &["serve-baseline"], false),
        ("lesson4 > /dev/null", &lesson4, &[], false),
        ("lesson4 > file", &lesson4, &[], true),
    ];
    let mut running = Vec::new();
    for (name, program, args, to_file) in servers {
        let stdout = if to_file {
            Stdio::from(File::create(&log_path)?)
        } else {
            Stdio::null()
        };
        running.push(start_server(name, program, args, stdout)?);
    }
    let targets: Vec<Target> = running
        .iter()
        .map(|server| Target {
            name: server.name,
            address: server.address,
            pid: Some(server.child.id()),
            style: HOLD,
        })
        .collect();
    let series = sweep_all(&targets, sweep)?;
    drop(running);
    if let Ok(log) = File::open(&log_path) {
        let lines = BufReader::new(log).lines().count();
        println!("\n(lesson4 > file 写了 wrote {lines} 行 lines)");
    }
    let _ = std::fs::remove_file(&log_path);

    println!("\n{}", table(&series));
    report_targets(&series);
    if let Some(directory) = charts {
        // Drawn from the printed table, so the charts show exactly its numbers.
        let rows = charts::parse_table(&table(&series));
        for path in charts::write_all(&rows, directory, "lesson4-bench")? {
            println!("SVG: {}", path.display());
        }
    }
    Ok(())
}

/// `loadgen designs`: lessons 4, 7 and 8 and a fixed thread pool, side by side, from one
/// client to ten thousand; then the table, the memory each design spends per connection, and
/// the course's targets for the one-thread designs ([`report_design_targets`]).
/// `server_cores`: how many cores the servers get to themselves (see `cores`); `None` to share.
fn designs(
    sweep: &DesignSweep,
    pool_workers: usize,
    server_cores: Option<usize>,
) -> io::Result<()> {
    let here = std::env::current_exe()?;
    let beside = |name: &str| here.with_file_name(name);
    let workers = pool_workers.to_string();
    println!(
        "{} 核 cores；每档 {} 次往返，测 {} 次取中位数 / round trips per measurement {}, median of {} runs",
        thread::available_parallelism().map_or(0, |n| n.get()),
        sweep.total,
        sweep.repeat,
        sweep.total,
        sweep.repeat
    );
    let pool_name: &'static str = Box::leak(format!("pool of {pool_workers}").into_boxed_str());
    // (name, program, arguments, how its clients behave): every server's output is thrown away.
    // The lessons' servers of many clients (`course::lessons`), then the pool.
    let mut servers: Vec<(&'static str, PathBuf, Vec<&str>, drive::Style)> =
        course::lessons::servers_of_many()
            .map(|package| (package, beside(package), vec![], HOLD))
            .collect();
    servers.push((
        pool_name,
        here.clone(),
        vec!["serve-pool", "--workers", &workers],
        LEAVE,
    ));
    let split = server_cores.and_then(cores::Split::new);
    if let Some(split) = &split {
        cores::pin_here(&split.servers)?;
    }
    let mut running = Vec::new();
    let mut styles = Vec::new();
    for (name, program, args, style) in servers {
        running.push(start_server(name, &program, &args, Stdio::null())?);
        styles.push(style);
    }
    match &split {
        Some(split) => {
            cores::pin_here(&split.clients)?;
            println!(
                "每种设计用同样的核，loadgen 用其余的核 / every design on the same cores, loadgen on the others"
            );
        }
        None => println!("服务端与 loadgen 共用所有的核 / servers and loadgen share every core"),
    }
    report_cores(&running);
    let targets: Vec<Target> = running
        .iter()
        .zip(styles)
        .map(|(server, style)| Target {
            name: server.name,
            address: server.address,
            pid: Some(server.child.id()),
            style,
        })
        .collect();
    let as_sweep = Sweep {
        clients: sweep.clients.clone(),
        total: sweep.total,
        repeat: sweep.repeat,
    };
    let series = sweep_all(&targets, &as_sweep)?;
    drop(running);
    println!("\n{}", table(&series));
    report_memory(&series, pool_name);
    report_design_targets(&series, pool_name, split.is_some());
    Ok(())
}

/// Where each server and the load generator may run, as the kernel says.
fn report_cores(servers: &[Server]) {
    let unknown = || "?".to_owned();
    let mut line = String::from("可用的核 cores allowed (Cpus_allowed_list):");
    for server in servers {
        let cores = cores::observed(Some(server.child.id())).unwrap_or_else(unknown);
        let _ = write!(line, " {} {cores};", server.name);
    }
    let _ = write!(
        line,
        " loadgen {}",
        cores::observed(None).unwrap_or_else(unknown)
    );
    println!("{line}");
}

/// What each design spends per connection: how much its RSS grew from one client to the most,
/// divided by the connections added. Not for the pool, whose clients leave when done.
fn report_memory(series: &[Series], pool_name: &str) {
    for (name, results) in series.iter().filter(|(name, _)| *name != pool_name) {
        let (Some(first), Some(most)) = (results.first(), results.last()) else {
            continue;
        };
        let (Some(one), Some(many)) = (first.server, most.server) else {
            continue;
        };
        let added = most.clients.saturating_sub(first.clients).max(1);
        let per_connection = (many.rss_kib as f64 - one.rss_kib as f64) / added as f64;
        println!(
            "每个连接的内存 memory per connection, {name}: {per_connection:.1} KiB RSS\n  \
             ({} → {} 个连接 connections, {} → {} 个线程 threads)",
            first.clients, most.clients, one.threads, many.threads
        );
    }
}

/// The course's targets for the one-thread designs, printed, not asserted: at 1000 clients at
/// least 1.3 times lesson 4's round trips a second, and at the most clients every one served
/// with at most 8 threads and under 100 MiB of RSS. The speed target
/// compares designs on the same cores (`pinned`); sharing them with the load generator, lesson
/// 4's threads also take the cores a one-thread server leaves idle.
fn report_design_targets(series: &[Series], pool_name: &str, pinned: bool) {
    let (cores_zh, cores_en) = if pinned {
        ("在同样的核上", "on the same cores")
    } else {
        ("与 loadgen 共用所有的核", "sharing every core with loadgen")
    };
    let find = |name: &str| series.iter().find(|(n, _)| *n == name).map(|(_, r)| r);
    // The thread-per-client server, against which the one-thread designs are measured.
    let threaded = course::lessons::LESSONS
        .iter()
        .find(|lesson| lesson.serves_many && !lesson.one_thread);
    let Some(lesson4) = threaded.and_then(|lesson| find(lesson.package)) else {
        return;
    };
    for name in course::lessons::one_thread_servers() {
        let Some(results) = find(name) else { continue };
        for (threaded, one_thread) in lesson4.iter().zip(results) {
            if threaded.clients == 1000 {
                let ratio = one_thread.rate() / threaded.rate();
                println!(
                    "目标 target: 1000 个客户端时 {name} 是第 4 课的 {ratio:.2} 倍（目标 ≥ 1.3），{cores_zh}\n  \
                     at 1000 clients {name} makes {ratio:.2}× lesson 4's round trips/s (target ≥ 1.3), {cores_en}"
                );
            }
        }
        if let Some(most) = results.last()
            && let Some(server) = most.server
        {
            let rss_mib = server.rss_kib as f64 / 1024.0;
            let held = most.errors == 0 && most.latencies.len() == most.clients * most.round_trips;
            println!(
                "目标 target: {name} 服务 {} 个客户端：全部完成 {}，{} 个线程（≤ 8），RSS {rss_mib:.1} MiB（< 100）\n  \
                 {name} with {} clients: all served {}, {} threads (≤ 8), RSS {rss_mib:.1} MiB (< 100)",
                most.clients,
                if held { "是" } else { "否" },
                server.threads,
                most.clients,
                if held { "yes" } else { "no" },
                server.threads
            );
        }
    }
    if let Some(pool) = find(pool_name)
        && let Some(most) = pool.last()
    {
        println!(
            "线程池 {pool_name}：{} 个客户端时 p99 {} µs，等待空闲线程的客户端把延迟拉长\n  \
             {pool_name} at {} clients: p99 {} µs, clients waiting for a free worker",
            most.clients,
            most.percentile(0.99).as_micros(),
            most.clients,
            most.percentile(0.99).as_micros()
        );
    }
}

/// `loadgen charts`: the charts of the table on a page.
fn redraw(page: &Path, out: &Path) -> io::Result<()> {
    let rows = charts::parse_table(&std::fs::read_to_string(page)?);
    if rows.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} has no table starting {}",
                page.display(),
                charts::HEADER
            ),
        ));
    }
    for path in charts::write_all(&rows, out, &charts::prefix_for(page))? {
        println!("SVG: {}", path.display());
    }
    Ok(())
}

type Series = (&'static str, Vec<Measurement>);

/// The results as a Markdown table, one row per server and number of clients; `rt` is a round
/// trip, so that the header fits a terminal.
fn table(series: &[Series]) -> String {
    let mut out = String::from(
        "| server | clients | rt/s | p50 µs | p99 µs | errors | threads | RSS MiB \
         | CPU µs/rt | switches/rt |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (name, results) in series {
        for m in results {
            let (threads, rss) = m.server.map_or((String::new(), String::new()), |s| {
                (
                    s.threads.to_string(),
                    format!("{:.1}", s.rss_kib as f64 / 1024.0),
                )
            });
            let cpu = m
                .cpu_micros_per_round_trip()
                .map_or(String::new(), |c| format!("{c:.1}"));
            let switches = m
                .switches_per_round_trip()
                .map_or(String::new(), |c| format!("{c:.2}"));
            let _ = writeln!(
                out,
                "| {name} | {} | {:.0} | {} | {} | {} | {threads} | {rss} | {cpu} | {switches} |",
                m.clients,
                m.rate(),
                m.percentile(0.50).as_micros(),
                m.percentile(0.99).as_micros(),
                m.errors
            );
        }
    }
    out
}

/// The course's targets for lesson 4, checked and printed, not asserted: it holds the most
/// clients without an error, and how its rate compares with the baseline's at each count.
fn report_targets(series: &[Series]) {
    let find = |name: &str| series.iter().find(|(n, _)| *n == name).map(|(_, r)| r);
    let (Some(baseline), Some(lesson4)) = (find("baseline"), find("lesson4 > /dev/null")) else {
        return;
    };
    if let Some(most) = lesson4.iter().max_by_key(|m| m.clients) {
        let held = most.errors == 0 && most.latencies.len() == most.clients * most.round_trips;
        println!(
            "目标 target: 第 4 课同时保持 {} 个连接 lesson 4 holds {} concurrent connections: {}",
            most.clients,
            most.clients,
            if held { "是 yes" } else { "否 no" }
        );
    }
    for (b, l) in baseline.iter().zip(lesson4) {
        println!(
            "目标 target: {} 个客户端时，第 4 课的速率是基准的 {:.0}% / with {} clients, lesson 4's rate is {:.0}% of the baseline's",
            l.clients,
            100.0 * l.rate() / b.rate(),
            l.clients,
            100.0 * l.rate() / b.rate()
        );
    }
}

/// The baseline: lesson 4 without the lesson. A thread per client, each receiving up to 1024
/// bytes and sending the same reply, until the client leaves; no printing, no decoding.
fn serve_baseline(port: u16) -> io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    println!("正在监听 listening on {}", listener.local_addr()?);
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else {
            // Out of descriptors, or a connection aborted before accept: try the next one.
            thread::sleep(Duration::from_millis(100));
            continue;
        };
        let _ = thread::Builder::new().spawn(move || {
            let mut buffer = [0u8; 1024];
            while let Ok(read) = stream.read(&mut buffer) {
                if read == 0 || stream.write_all(REPLY).is_err() {
                    break;
                }
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_and_reply_are_the_notes_text_in_gbk() {
        let (message, _, _) = encoding_rs::GBK.decode(MESSAGE);
        let (reply, _, _) = encoding_rs::GBK.decode(REPLY);
        assert_eq!(message, "你好服务端");
        assert_eq!(reply, "ok，问题正在处理中...");
    }

    #[test]
    fn only_loopback_is_accepted() {
        assert!(parse_loopback("127.0.0.1:9090").is_ok());
        assert!(parse_loopback("[::1]:9090").is_ok());
        assert!(parse_loopback("192.168.1.1:9090").is_err());
    }
}
