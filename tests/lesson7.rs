//! Lesson 7, the event loop, and what it shares with lesson 8: one thread serves every client,
//! and the open-file limit is raised at start. Lesson 4's behaviour tests (`tests/lesson4.rs`) run against lessons 7 and 8 too;
//! these are what only the one-thread servers promise. Lesson 7 also shows its `WouldBlock`s.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use harness::notes::{connect, gbk, round_trip};
use harness::server;

/// The servers that promise to serve every client from one thread.
const ONE_THREAD_SERVERS: [&str; 2] = ["lesson7", "lesson8"];

/// The number of threads the kernel lists for process `pid`.
#[cfg(target_os = "linux")]
fn threads_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .expect("Linux lists a process's threads")
        .count()
}

/// With two hundred clients connected and served, the server still has exactly one thread.
#[cfg(target_os = "linux")]
#[test]
fn one_thread_serves_every_client() {
    for package in ONE_THREAD_SERVERS {
        let (mut process, address) = server(package, &[]);
        let mut clients: Vec<TcpStream> = (0..200).map(|_| connect(address)).collect();
        for (n, client) in clients.iter_mut().enumerate() {
            round_trip(client, format!("第 {n} 个").as_bytes());
        }
        assert_eq!(
            threads_of(process.id()),
            1,
            "{package}: 200 clients, one thread"
        );
        drop(clients);
        process.expect_line("client offline");
    }
}

/// Started with a soft open-file limit of 1024 below a higher hard limit, the server raises
/// the soft limit to the hard one and says so; the kernel's view of the process agrees.
#[cfg(target_os = "linux")]
#[test]
fn the_open_file_limit_is_raised_to_the_hard_limit() {
    use rustix::process::{Resource, getrlimit};
    let Some(hard) = getrlimit(Resource::Nofile)
        .maximum
        .filter(|&hard| hard > 1024)
    else {
        harness::tools::skip(
            "lesson7::the_open_file_limit_is_raised_to_the_hard_limit",
            "the hard open-file limit here is not above 1024, nothing to raise",
        );
        return;
    };
    for package in ONE_THREAD_SERVERS {
        let binary = harness::binary(package);
        let mut child = Command::new("sh")
            .args(["-c", "ulimit -Sn 1024 && exec \"$0\" --port 0"])
            .arg(&binary)
            .stdout(Stdio::piped())
            .spawn()
            .expect("sh starts the server");
        let stdout = child.stdout.take().expect("stdout is piped");
        let limit_line = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find(|line| line.contains("open-file limit"))
            .unwrap_or_default();
        let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id()))
            .expect("Linux shows a process's limits");
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            limit_line.contains(&format!("1024 → {hard}")),
            "{package}: says what it raised: {limit_line:?}"
        );
        let soft = limits
            .lines()
            .find(|line| line.starts_with("Max open files"))
            .and_then(|line| line.split_whitespace().nth(3))
            .unwrap_or_default();
        assert_eq!(soft, hard.to_string(), "{package}: the kernel's soft limit");
    }
}

/// With `--show-would-block`, lesson 7 prints each `WouldBlock` the OS returned where a blocking
/// server would have waited: after the last waiting connection is accepted, and after the last
/// bytes are read.
#[test]
fn would_block_is_shown_where_a_blocking_server_would_wait() {
    let (mut process, address) = server("lesson7", &["--show-would-block"]);
    let mut client = connect(address);
    process.expect_line("WouldBlock: accept");
    round_trip(&mut client, &gbk("你好"));
    process.expect_line("收到 received 4 字节");
    let line = process.expect_line("WouldBlock: recv");
    let me = client.local_addr().expect("connected").to_string();
    assert!(line.contains(&me), "names the connection: {line}");
}

/// The design comparison runs (tiny numbers: a smoke test, not a benchmark): lessons 4, 7 and 8
/// and a thread pool each serve every round trip, with no thread per client on the load
/// generator's side, and it prints the memory each design spends per connection.
#[test]
fn loadgen_compares_the_designs() {
    for lesson in ["lesson4", "lesson7", "lesson8"] {
        // Built beside loadgen, where `designs` looks for them.
        harness::binary(lesson);
    }
    let assert = harness::command("loadgen")
        .args([
            "designs",
            "--clients",
            "1,20",
            "--total",
            "200",
            "--repeat",
            "1",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for server in ["lesson4", "lesson7", "lesson8", "pool of 8"] {
        let rows: Vec<&str> = stdout
            .lines()
            .filter(|line| line.starts_with(&format!("| {server} |")))
            .collect();
        assert_eq!(rows.len(), 2, "{server}: a row per client count\n{stdout}");
        for row in rows {
            let errors = row.split(" | ").nth(5).unwrap_or_default();
            assert_eq!(errors, "0", "{server}: no errors: {row}");
        }
    }
    a_thread_per_client_switches_once_per_round_trip(&stdout);
    for lesson in ["lesson4", "lesson7", "lesson8"] {
        assert!(
            stdout.contains(&format!("memory per connection, {lesson}:")),
            "{stdout}"
        );
    }
    every_design_gets_the_same_cores(&stdout);
}

/// Lesson 4's thread blocks in `recv` after every reply, since the client
/// sends its next message only once it has the reply: at least one context
/// switch per round trip, read from the kernel's counters of every thread.
fn a_thread_per_client_switches_once_per_round_trip(stdout: &str) {
    for row in stdout
        .lines()
        .filter(|line| line.starts_with("| lesson4 |"))
    {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // CPU time comes in clock ticks (10 ms), too coarse for a run this
        // short to be compared, but it must be there.
        let _cpu: f64 = cells[9].parse().expect("CPU µs per round trip");
        let switches: f64 = cells[10].parse().expect("switches per round trip");
        assert!(switches >= 0.9, "{row}");
    }
}

/// With two cores or more, `designs` runs every server on the same cores and
/// itself on the others, as the kernel's `Cpus_allowed_list` shows.
fn every_design_gets_the_same_cores(stdout: &str) {
    let line = stdout
        .lines()
        .find_map(|line| line.split_once("(Cpus_allowed_list):"))
        .map(|(_, cores)| cores)
        .unwrap_or_else(|| panic!("a line of cores\n{stdout}"));
    // "lesson4 0; …; pool of 8 0; loadgen 1": each name's cores are its last word.
    let cores: Vec<&str> = line
        .split(';')
        .filter_map(|entry| entry.split_whitespace().last())
        .collect();
    let (loadgen, servers) = cores.split_last().expect("servers and loadgen");
    assert_eq!(servers.len(), 4, "{line}");
    assert!(servers.iter().all(|cores| cores == &servers[0]), "{line}");
    let machine = std::thread::available_parallelism().map_or(1, |n| n.get());
    if machine >= 2 {
        assert_ne!(loadgen, &servers[0], "{line}");
    }
}
