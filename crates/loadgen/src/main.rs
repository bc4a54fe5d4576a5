//! # `loadgen`: how many clients can lesson 4 serve, and how fast?
//!
//! A load generator for the lesson-4 server, to be run with `--release`. It opens C
//! connections at once (each client a tokio task, not a thread), and each does R
//! request/reply round trips, one at a time, as the lesson-1 client does. It reports round trips per second and
//! the latency of one round trip (p50, p99).
//!
//! - `loadgen run --address A -c C -r R`: one measurement against a server already running.
//! - `loadgen sweep --address A`: the same for C = 1, 10, 100, 1000.
//! - `loadgen bench`: starts the servers itself and sweeps each: lesson 4 with its output
//!   thrown away (`> /dev/null`), lesson 4 writing its output to a file, and a baseline
//!   thread-per-client server that prints nothing (`loadgen serve-baseline`). It prints a
//!   Markdown table and can draw it as SVG charts (`--charts DIR`).
//! - `loadgen http --address A --path /x -c C -r R [--close]`: one measurement against an HTTP
//!   server: C clients, each R GET requests on one kept-alive connection, or a new connection
//!   per request (`--close`); requests/s, MB/s of body, p50 and p99.
//! - `loadgen bench-http`: lesson 9 (threads, and tokio when it has `--design`), Python's
//!   http.server and nginx on the same cores, a 1 KiB page and a 1 MiB file, 1 to 1000 clients,
//!   both connection styles: a Markdown table and lesson 9's targets (`bench_http`).
//! - `loadgen charts --table PAGE --out DIR`: draws the charts again from the table on a page
//!   (lesson 4's), in Chinese and in English, each wide (a desktop) and narrow (a phone), so
//!   that the charts always show the table's numbers; it prints the `<picture>` a page shows
//!   each chart with.
//!
//! Left out on purpose: any traffic beyond loopback (the address must be 127.0.0.1 or ::1),
//! and pass/fail: the targets are printed, not asserted, because timings depend on the machine.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::thread;

use clap::Parser;

mod bench_http;
mod charts;
mod cli;
mod cores;
mod drive;
mod drive_http;
mod http;
mod http_charts;
mod measure;
mod pool;
mod report;
mod servers;

use cli::{Cli, DesignSweep, Mode, Sweep};
use measure::{HOLD, LEAVE, ServerView, Target, measure, sweep_all};
use report::{redraw, report_cores, report_design_targets, report_memory, report_targets, table};
use servers::{serve_baseline, start_server};

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
        Mode::Http {
            target,
            path,
            clients,
            requests,
            close,
        } => http_once(&drive_http::Plan {
            address: target.address,
            path: &path,
            clients,
            requests,
            close,
            limit: drive::ROUND_TRIP_LIMIT,
            deadline: None,
        }),
        Mode::BenchHttp {
            sweep,
            server_cores,
            shared,
        } => bench_http::bench_http(&sweep, (!shared).then_some(usize::from(server_cores))),
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

/// 1000 connections need 1000 descriptors here (and 1000 in the server). The soft limit is
/// often 1024; raise it to the hard limit, which needs no privilege, as lessons 7 and 8 do.
fn raise_open_file_limit() {
    if let Err(error) = course::limits::raise_open_file_limit() {
        eprintln!("无法提高文件描述符上限 / could not raise the open-file limit: {error}");
    }
}

/// A lesson's binary, built first by cargo in loadgen's own profile (`--release` for loadgen,
/// so for the lesson too): a benchmark never measures a stale or a debug build by mistake.
fn lesson_binary(package: &str) -> io::Result<PathBuf> {
    child::workspace_binary(package).map_err(io::Error::other)
}

fn bench(sweep: &Sweep, lesson4: Option<PathBuf>, charts: Option<&Path>) -> io::Result<()> {
    let here = std::env::current_exe()?;
    let lesson4 = match lesson4 {
        Some(path) => path,
        None => lesson_binary("lesson4")?,
    };
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
        for path in charts::ROUND_TRIPS.write_all(&rows, directory, "lesson4-bench")? {
            println!("SVG: {}", path.display());
        }
    }
    Ok(())
}

/// `loadgen http`: one measurement against an HTTP server; any client's failure (a status
/// other than 200, a short body) fails the run, after the figures of what did succeed.
fn http_once(plan: &drive_http::Plan) -> io::Result<()> {
    let measured = drive_http::measure(plan)?;
    if !measured.times.latencies.is_empty() {
        println!("{measured}");
    }
    match measured.first_failure {
        None => Ok(()),
        Some(failure) => Err(io::Error::other(format!(
            "{} 个客户端失败，第一个 / {} clients failed, the first:\n  {failure}",
            measured.times.errors, measured.times.errors
        ))),
    }
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
    let mut servers: Vec<(&'static str, PathBuf, Vec<&str>, drive::Style)> = Vec::new();
    for package in course::lessons::servers_of_many() {
        servers.push((package, lesson_binary(package)?, vec![], HOLD));
    }
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
}
