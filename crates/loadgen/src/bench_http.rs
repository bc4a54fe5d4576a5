//! `loadgen bench-http`: lesson 9 (`--design threads`, a thread per connection, and
//! `--design tokio`, tasks on one thread) beside two servers people deploy, Python's
//! `http.server` and nginx (Debian's package, one worker), all on the same cores and serving
//! the same temporary site: a 1 KiB page and a 1 MiB file, at each number of clients, kept
//! alive and a connection per request.
//! It prints a Markdown table, then the course's targets, printed and never asserted.
//!
//! A server whose program is missing is skipped with a line saying how to install it: the
//! bench compares what it can, and never fails for want of nginx.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use crate::cli::HttpSweep;
use crate::cores;
use crate::drive_http::{HttpMeasurement, Plan, measure};
use crate::http_charts;
use crate::report::report_cores;
use crate::servers::{Server, free_port, start_server, wait_listening};

/// A file of the site: its label in the table, its name, its size, and how much smaller a
/// share of the requests it gets (a 1 MiB body costs what a thousand 1 KiB ones do).
struct SiteFile {
    label: &'static str,
    name: &'static str,
    bytes: usize,
    share: usize,
    /// The line above its table, and whether the table gives MB/s (else requests/s).
    caption: &'static str,
    by_bytes: bool,
}

const FILES: [SiteFile; 2] = [
    SiteFile {
        label: "1 KiB",
        name: "index.html",
        bytes: 1024,
        share: 1,
        caption: "1 KiB 的页面，每秒请求数 / the 1 KiB page, requests per second:",
        by_bytes: false,
    },
    SiteFile {
        label: "1 MiB",
        name: "file.bin",
        bytes: 1024 * 1024,
        share: 10,
        caption: "1 MiB 的文件，每秒兆字节数（正文）/ the 1 MiB file, MB of body per second:",
        by_bytes: true,
    },
];

/// Python's http.server serves a few thousand requests a second, and with its listen backlog
/// of 5 (socketserver's), a hundred clients connecting at once wait for SYNs sent again after
/// 1, 3, 7 s: a tenth of the others' requests, and one run instead of `--repeat`, keep its
/// share of the bench short and still measure it.
const PYTHON_SHARE: usize = 10;

/// How long one request may take in the bench before its client gives up and counts an
/// error: past a SYN's third retransmission (7 s after the first) is not service.
const REQUEST_LIMIT: Duration = Duration::from_secs(5);

/// The clients and file of the targets: 100 kept-alive clients (the numbers).
const TARGET_CLIENTS: usize = 100;

/// A server of the bench, how small a share of the requests it gets, and whether it is run
/// once rather than `--repeat` times.
struct Contender {
    server: Server,
    share: usize,
    once: bool,
}

/// `loadgen bench-http`: the site, the servers on their cores, the sweep, the table and the
/// targets. `server_cores`: how many cores the servers get to themselves; `None` to share.
pub(crate) fn bench_http(sweep: &HttpSweep, server_cores: Option<usize>) -> io::Result<()> {
    let site = Site::new()?;
    // Built (by cargo) and asked for its flags before any pinning: cargo gets every core.
    let lesson9 = crate::lesson_binary("lesson9")?;
    print_plan(sweep);
    let split = server_cores.and_then(cores::Split::new);
    if let Some(split) = &split {
        cores::pin_here(&split.servers)?;
    }
    let contenders = start_all(&site, &lesson9)?;
    match &split {
        Some(split) => {
            cores::pin_here(&split.clients)?;
            println!(
                "每个服务端用同样的核，loadgen 用其余的核 / every server on the same cores, \
                 loadgen on the others"
            );
        }
        None => println!("服务端与 loadgen 共用所有的核 / servers and loadgen share every core"),
    }
    report_cores(contenders.iter().map(|c| &c.server));
    let rows = sweep_all(&contenders, sweep);
    let names: Vec<&str> = contenders.iter().map(|c| c.server.name).collect();
    drop(contenders);
    println!("\n{}", table(&names, &rows));
    report_http_targets(&names, &rows);
    Ok(())
}

fn print_plan(sweep: &HttpSweep) {
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    let (page, file, repeat) = (sweep.total, sweep.total / FILES[1].share, sweep.repeat);
    let seconds = sweep.seconds;
    println!(
        "{cores} 核 cores；每档请求数：1 KiB 页面 {page}，1 MiB 文件 {file}，python 十分之一；\
         每档至多 {seconds} 秒\n\
         requests per measurement: {page} of the page, {file} of the file, a tenth for python; \
         {seconds} s at most\n\
         测 {repeat} 次取中位数（python 一次）/ the median run of {repeat} (python: one run)"
    );
}

/// A temporary site, removed when dropped: the 1 KiB page and the 1 MiB file in `root`, and
/// beside it nginx's configuration, logs and temporary folders, so that it runs as any user.
struct Site {
    dir: tempfile::TempDir,
    root: PathBuf,
}

impl Site {
    fn new() -> io::Result<Site> {
        let dir = tempfile::Builder::new().prefix("bench-http-").tempdir()?;
        let root = dir.path().join("site");
        fs::create_dir(&root)?;
        for file in &FILES {
            fs::write(root.join(file.name), contents(file))?;
        }
        Ok(Site { dir, root })
    }

    fn root_text(&self) -> String {
        self.root.display().to_string()
    }
}

/// A page of exactly `file.bytes` bytes when it is HTML, or bytes of every value.
fn contents(file: &SiteFile) -> Vec<u8> {
    if file.name.ends_with(".html") {
        let start = "<!DOCTYPE html>\n<title>loadgen</title>\n<p>";
        let end = "</p>\n";
        let filler = "x".repeat(file.bytes - start.len() - end.len());
        format!("{start}{filler}{end}").into_bytes()
    } else {
        (0..=255u8).cycle().take(file.bytes).collect()
    }
}

/// Lesson 9's two designs, each a server of the bench: its name and its arguments.
const DESIGNS: [(&str, &[&str]); 2] = [
    ("threads", &["--design", "threads"]),
    ("tokio", &["--design", "tokio"]),
];

/// A server lesson 9 is compared with: its name, its program, how it is started, and its
/// share of the requests and runs (see [`Contender`]).
struct Other {
    name: &'static str,
    program: &'static str,
    start: fn(&Path, &Site) -> io::Result<Server>,
    share: usize,
    once: bool,
}

const OTHERS: [Other; 2] = [
    Other {
        name: "python",
        program: "python3",
        start: start_python,
        share: PYTHON_SHARE,
        once: true,
    },
    Other {
        name: "nginx",
        program: "nginx",
        start: start_nginx,
        share: 1,
        once: false,
    },
];

/// Starts every server there is; a missing one is skipped with a line saying so.
fn start_all(site: &Site, lesson9: &Path) -> io::Result<Vec<Contender>> {
    let root = site.root_text();
    let mut contenders = Vec::new();
    for (name, design) in DESIGNS {
        let mut args = vec!["--root", root.as_str()];
        args.extend(design);
        // Lesson 9 logs a line per request on stdout: thrown away, or it measures the terminal.
        let server = start_server(name, lesson9, &args, Stdio::null())?;
        contenders.push(Contender {
            server,
            share: 1,
            once: false,
        });
    }
    for other in &OTHERS {
        let (name, program) = (other.name, other.program);
        let Some(path) = find_program(program) else {
            println!(
                "没有找到 {program}，跳过 {name} / {program} not found, {name} skipped \
                 (apt-get install {program})"
            );
            continue;
        };
        match (other.start)(&path, site) {
            Ok(server) => contenders.push(Contender {
                server,
                share: other.share,
                once: other.once,
            }),
            Err(error) => println!("{name} 没有启动，跳过 / did not start, skipped: {error}"),
        }
    }
    Ok(contenders)
}

/// `program` on the PATH, or in /usr/sbin, where Debian puts nginx (not on a user's PATH).
fn find_program(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// `python3 -m http.server`, as its documentation runs it, on loopback only. It logs every
/// request on stderr: thrown away.
fn start_python(python: &Path, site: &Site) -> io::Result<Server> {
    let port = free_port()?;
    let child = Command::new(python)
        .args(["-m", "http.server", "--bind", "127.0.0.1", "--directory"])
        .arg(&site.root)
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    wait_listening("python", child, port)
}

/// nginx with a configuration of its own, everything it writes in the site's temporary folder.
fn start_nginx(nginx: &Path, site: &Site) -> io::Result<Server> {
    let port = free_port()?;
    let dir = site.dir.path();
    let config = dir.join("nginx.conf");
    fs::write(&config, nginx_config(dir, &site.root, port))?;
    let child = Command::new(nginx)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&config)
        // The error log before the configuration is read: otherwise /var/log/nginx, root's.
        .arg("-e")
        .arg(dir.join("error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    wait_listening("nginx", child, port).map_err(|error| {
        let log = fs::read_to_string(dir.join("error.log")).unwrap_or_default();
        io::Error::other(format!("{error}\n{}", log.trim_end()))
    })
}

/// nginx as Debian's package serves static files (`sendfile on`, `tcp_nopush on`), with one
/// worker. `master_process off` makes the one process the worker: the same event loop serves,
/// and killing it (when the bench ends) leaves no worker behind. `keepalive_requests` is raised
/// from 1000 so that a kept-alive client is never closed in the middle of a measurement.
/// Each request is logged, a line written to a file, as Debian's configuration does (to
/// /var/log/nginx/access.log) and as lesson 9 prints a line per request.
fn nginx_config(dir: &Path, root: &Path, port: u16) -> String {
    let dir = dir.display();
    let mut config = format!(
        "worker_processes 1;\nmaster_process off;\ndaemon off;\n\
         pid \"{dir}/nginx.pid\";\nerror_log \"{dir}/error.log\" warn;\n\
         events {{\n    worker_connections 4096;\n}}\nhttp {{\n    access_log \"{dir}/access.log\";\n    \
         sendfile on;\n    tcp_nopush on;\n    keepalive_requests 100000;\n    \
         types {{\n        text/html html;\n        application/octet-stream bin;\n    }}\n    \
         default_type application/octet-stream;\n"
    );
    for temp in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
        let _ = writeln!(config, "    {temp}_temp_path \"{dir}/{temp}\";");
    }
    let _ = write!(
        config,
        "    server {{\n        listen 127.0.0.1:{port};\n        root \"{}\";\n    }}\n}}\n",
        root.display()
    );
    config
}

/// One row of the table: a server, a file, a style and a number of clients, and the run with
/// the median rate (or why none ran).
struct Row {
    server: usize,
    file: usize,
    close: bool,
    clients: usize,
    outcome: Result<HttpMeasurement, String>,
}

/// The header of the rows printed while measuring, and under it the numbers aligned right.
const HEADER: &str =
    "| server | file | style | clients | req/s | MB/s | p50 µs | p99 µs | errors |";
const ALIGNMENT: &str = "|---|---|---|---:|---:|---:|---:|---:|---:|";

/// Under the header of each final table ([`table`]).
const NARROW_ALIGNMENT: &str = "|---|---|---:|---:|---:|---:|---:|";

/// Measures every server with each file, style and number of clients, `repeat` times, taking
/// turns (a machine that gets busier affects them alike), and prints each row as it is found.
fn sweep_all(contenders: &[Contender], sweep: &HttpSweep) -> Vec<Row> {
    let names: Vec<&str> = contenders.iter().map(|c| c.server.name).collect();
    println!("\n{HEADER}\n{ALIGNMENT}");
    let mut rows = Vec::new();
    for &clients in &sweep.clients {
        for (file, site_file) in FILES.iter().enumerate() {
            for close in [false, true] {
                let turns = take_turns(contenders, sweep, site_file, clients, close);
                for (server, runs) in turns.into_iter().enumerate() {
                    let row = Row {
                        server,
                        file,
                        close,
                        clients,
                        outcome: median(runs),
                    };
                    print_progress(&names, &row);
                    rows.push(row);
                }
            }
        }
    }
    rows.sort_by_key(|row| (row.server, row.file, row.close, row.clients));
    rows
}

/// Each contender's runs of one measurement: `repeat` turns (one for a contender measured
/// `once`), the contenders one after another in each.
fn take_turns(
    contenders: &[Contender],
    sweep: &HttpSweep,
    file: &SiteFile,
    clients: usize,
    close: bool,
) -> Vec<Vec<io::Result<HttpMeasurement>>> {
    let path = format!("/{}", file.name);
    let mut runs: Vec<Vec<_>> = contenders.iter().map(|_| Vec::new()).collect();
    for turn in 0..sweep.repeat.max(1) {
        for (contender, runs) in contenders.iter().zip(&mut runs) {
            if contender.once && turn > 0 {
                continue;
            }
            let total = sweep.total / file.share / contender.share;
            runs.push(measure(&Plan {
                address: contender.server.address,
                path: &path,
                clients,
                requests: (total / clients.max(1)).max(1),
                close,
                limit: REQUEST_LIMIT,
                deadline: Some(Duration::from_secs_f64(sweep.seconds)),
            }));
        }
    }
    runs
}

/// The run with the median rate among those that ran, or the first error if none did.
fn median(runs: Vec<io::Result<HttpMeasurement>>) -> Result<HttpMeasurement, String> {
    let mut first_error = None;
    let mut ran = Vec::new();
    for run in runs {
        match run {
            Ok(measurement) => ran.push(measurement),
            Err(error) => {
                first_error.get_or_insert_with(|| error.to_string());
            }
        }
    }
    if ran.is_empty() {
        return Err(first_error.unwrap_or_default());
    }
    ran.sort_by(|a, b| a.times.rate().total_cmp(&b.times.rate()));
    Ok(ran.swap_remove(ran.len() / 2))
}

/// A row as it is found, and what went wrong in it, if anything, on the lines below.
fn print_progress(names: &[&str], row: &Row) {
    println!("{}", table_row(names, row));
    let failure = match &row.outcome {
        Ok(measurement) => measurement.first_failure.as_deref(),
        Err(error) => Some(error.as_str()),
    };
    if let Some(failure) = failure {
        course::print_fit(failure, "  ", "    ");
    }
}

fn table_row(names: &[&str], row: &Row) -> String {
    let (name, file) = (names[row.server], FILES[row.file].label);
    match &row.outcome {
        Ok(m) => format!(
            "| {name} | {file} | {} | {} | {:.0} | {:.1} | {} | {} | {} |",
            m.style(),
            row.clients,
            m.times.rate(),
            m.megabytes_per_second(),
            m.times.percentile(0.50).as_micros(),
            m.times.percentile(0.99).as_micros(),
            m.times.errors
        ),
        Err(_) => {
            let style = if row.close { "close" } else { "keep-alive" };
            format!(
                "| {name} | {file} | {style} | {} | 失败 failed | | | | |",
                row.clients
            )
        }
    }
}

/// A row of the final tables: the file's rate only (requests/s, or MB/s when `by_bytes`).
fn narrow_row(names: &[&str], row: &Row, by_bytes: bool) -> String {
    let name = names[row.server];
    match &row.outcome {
        Ok(m) => {
            let rate = if by_bytes {
                format!("{:.1}", m.megabytes_per_second())
            } else {
                format!("{:.0}", m.times.rate())
            };
            format!(
                "| {name} | {} | {} | {rate} | {} | {} | {} |",
                m.style(),
                row.clients,
                m.times.percentile(0.50).as_micros(),
                m.times.percentile(0.99).as_micros(),
                m.times.errors
            )
        }
        Err(_) => {
            let style = if row.close { "close" } else { "keep-alive" };
            format!("| {name} | {style} | {} | 失败 failed | | | |", row.clients)
        }
    }
}

/// The results as two Markdown tables, the 1 KiB page's (requests/s) and the 1 MiB file's (MB/s
/// of body), one row per server, style and number of clients, with a note under them when a
/// server closed kept-alive connections (Python's HTTP/1.0). Narrower than the rows printed
/// while measuring, so that they fit a page on a phone.
fn table(names: &[&str], rows: &[Row]) -> String {
    let mut out = String::new();
    for (file, site_file) in FILES.iter().enumerate() {
        let header = http_charts::TABLES[file].header;
        let _ = writeln!(out, "{}\n\n{header}\n{NARROW_ALIGNMENT}", site_file.caption);
        for row in rows.iter().filter(|row| row.file == file) {
            let _ = writeln!(out, "{}", narrow_row(names, row, site_file.by_bytes));
        }
        out.push('\n');
    }
    let measured = || rows.iter().filter_map(|row| row.outcome.as_ref().ok());
    if measured().any(HttpMeasurement::server_closed) {
        out.push_str(
            "\nkeep-alive*：服务端每次响应后都关闭连接（python 的 http.server 用 HTTP/1.0），\
             客户端每次都重连\n\
             keep-alive*: the server closed the connection after every response (python's \
             http.server\nspeaks HTTP/1.0), so the clients connected again for each request\n",
        );
    }
    if measured().any(|m| m.times.errors > 0) {
        let seconds = REQUEST_LIMIT.as_secs();
        let _ = write!(
            out,
            "\nerrors：放弃了的客户端，多是一个请求超过了 {seconds} 秒（每行下面是第一个）；python 的\n\
             监听队列只有 5 个（socketserver 的默认值），同时连接的客户端要等 SYN 在 1、3、7 秒后重发\n\
             errors: clients that gave up, mostly on a request over {seconds} s (the first under its \
             row);\npython's listen backlog is 5 (socketserver's default): clients connecting at \
             once wait for\ntheir SYN to be sent again after 1, 3, 7 s\n"
        );
    }
    out
}

/// One of the course's targets for lesson 9: its figure for `file` at least `goal` times
/// `other`'s, the figure being requests/s, or MB/s of body when `by_bytes`.
struct HttpTarget {
    what: &'static str,
    other: &'static str,
    file: usize,
    goal: f64,
    by_bytes: bool,
}

const TARGETS: [HttpTarget; 3] = [
    HttpTarget {
        what: "1 KiB 每秒请求 requests/s",
        other: "python",
        file: 0,
        goal: 20.0,
        by_bytes: false,
    },
    HttpTarget {
        what: "1 KiB 每秒请求 requests/s",
        other: "nginx",
        file: 0,
        goal: 0.7,
        by_bytes: false,
    },
    HttpTarget {
        what: "1 MiB 吞吐 MB/s",
        other: "nginx",
        file: 1,
        goal: 0.8,
        by_bytes: true,
    },
];

/// The course's targets for lesson 9, printed, never asserted (timings depend on the machine):
/// at 100 kept-alive clients, the tokio design makes ≥ 20× python's requests/s and ≥ 0.7×
/// nginx's for the 1 KiB page, and ≥ 0.8× nginx's MB/s for the 1 MiB file; and every server's
/// p99. Without lesson 9's tokio design, its threads stand in, and the lines say so.
fn report_http_targets(names: &[&str], rows: &[Row]) {
    let find = |name: &str, file: usize| {
        let server = names.iter().position(|n| *n == name)?;
        rows.iter()
            .find(|row| {
                (row.server, row.file, row.close, row.clients)
                    == (server, file, false, TARGET_CLIENTS)
            })?
            .outcome
            .as_ref()
            .ok()
    };
    let subject = "tokio";
    if find(subject, 0).is_none() {
        println!(
            "\n目标要 {TARGET_CLIENTS} 个保持连接的客户端（--clients 里要有 {TARGET_CLIENTS}）\n\
             the targets need {TARGET_CLIENTS} keep-alive clients (--clients with {TARGET_CLIENTS})"
        );
        return;
    }
    println!(
        "\n目标：第 9 课的 {subject}，{TARGET_CLIENTS} 个保持连接的客户端，在同样的核上\n\
         targets: lesson 9's {subject}, {TARGET_CLIENTS} keep-alive clients, on the same cores"
    );
    for target in &TARGETS {
        let (short, what) = (target.other, target.what);
        let (Some(ours), Some(theirs)) =
            (find(subject, target.file), find(target.other, target.file))
        else {
            println!("  {what}: 缺少测量，无法比较 / not measured, not compared with {short}");
            continue;
        };
        let value = |m: &HttpMeasurement| {
            if target.by_bytes {
                m.megabytes_per_second()
            } else {
                m.times.rate()
            }
        };
        let (ratio, goal) = (value(ours) / value(theirs), target.goal);
        let met = if ratio >= goal {
            "达到 met"
        } else {
            "未达到 not met"
        };
        println!("  {what}: {short} 的 {ratio:.2} 倍 × {short}'s (≥ {goal}): {met}");
    }
    for (file, site_file) in FILES.iter().enumerate() {
        let mut line = format!("  p99 {} (ms):", site_file.label);
        for name in names {
            if let Some(m) = find(name, file) {
                let p99 = m.times.percentile(0.99).as_secs_f64() * 1e3;
                let _ = write!(line, " {name} {p99:.2},");
            }
        }
        println!("{}", line.trim_end_matches(','));
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    use super::*;

    #[test]
    fn the_site_files_have_the_sizes_the_table_names() {
        assert_eq!(contents(&FILES[0]).len(), 1024);
        assert!(contents(&FILES[0]).starts_with(b"<!DOCTYPE html>"));
        assert_eq!(contents(&FILES[1]).len(), 1024 * 1024);
    }

    /// One worker, loopback only, and nothing written outside the temporary folder, so that
    /// nginx runs as any user; and the installed nginx, if any, accepts the configuration.
    #[test]
    fn nginx_gets_one_worker_on_loopback_and_writes_only_in_the_temporary_folder() {
        let site = Site::new().expect("a temporary site");
        let dir = site.dir.path();
        let config = nginx_config(dir, &site.root, 8080);
        for directive in [
            "worker_processes 1;",
            "listen 127.0.0.1:8080;",
            "sendfile on;",
            "keepalive_requests 100000;",
            "/access.log\";",
        ] {
            assert!(config.contains(directive), "{directive}\n{config}");
        }
        let dir_text = dir.display().to_string();
        // Every path in the configuration is quoted.
        for line in config.lines().filter(|line| line.contains('"')) {
            assert!(
                line.contains(&dir_text),
                "a path outside {dir_text}: {line}"
            );
        }
        let Some(nginx) = find_program("nginx") else {
            return;
        };
        let path = dir.join("nginx.conf");
        fs::write(&path, config).expect("a file in a temporary folder");
        let checked = Command::new(nginx)
            .arg("-t")
            .args([
                OsStr::new("-p"),
                dir.as_os_str(),
                OsStr::new("-c"),
                path.as_os_str(),
            ])
            .args([OsStr::new("-e"), dir.join("error.log").as_os_str()])
            .output()
            .expect("nginx runs");
        assert!(
            checked.status.success(),
            "{}",
            String::from_utf8_lossy(&checked.stderr)
        );
    }
}
