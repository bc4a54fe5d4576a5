//! `loadgen http` against lesson 9, with tiny numbers (a smoke test, not a benchmark): on
//! kept-alive connections, on a new connection per request, and against a path that is not
//! there, which must fail with a message that says so rather than with figures.

use std::fs;
use std::net::SocketAddr;

use harness::{Process, Run, command, server};
use predicates::prelude::*;
use predicates::str::contains;

/// A folder holding one small page, for lesson 9 to serve.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::write(
        dir.path().join("index.html"),
        "<!DOCTYPE html><p>loadgen</p>",
    )
    .expect("a page");
    dir
}

fn lesson9(site: &tempfile::TempDir) -> (Process, SocketAddr) {
    let root = site.path().to_str().expect("a temporary path is UTF-8");
    server("lesson9", &["--root", root])
}

/// `loadgen http` with 3 clients of 5 requests each, and `extra` arguments.
fn loadgen_http(address: SocketAddr, path: &str, extra: &[&str]) -> Run {
    let mut run = command("loadgen");
    let address = address.to_string();
    run.args(["http", "--address", &address, "--path", path])
        .args(["--clients", "3", "--requests", "5"])
        .args(extra);
    run
}

/// Kept alive, 3 clients make their 15 requests on 3 connections.
#[test]
fn loadgen_http_keeps_connections_alive_against_lesson9() {
    let site = site();
    let (_lesson9, address) = lesson9(&site);
    loadgen_http(address, "/index.html", &[])
        .assert()
        .success()
        .stdout(contains("requests/s"))
        .stdout(contains("p99"))
        .stdout(contains("keep-alive"))
        .stdout(contains("connections 3, 错误 errors 0"));
}

/// With `--close`, every one of the 15 requests has a connection of its own.
#[test]
fn loadgen_http_opens_a_connection_per_request_with_close() {
    let site = site();
    let (_lesson9, address) = lesson9(&site);
    loadgen_http(address, "/index.html", &["--close"])
        .assert()
        .success()
        .stdout(contains("requests/s"))
        .stdout(contains("p99"))
        .stdout(contains("connections 15, 错误 errors 0"));
}

/// A 404 is not a measurement: the run fails, naming the status and the path, in both styles.
#[test]
fn loadgen_http_fails_clearly_on_a_404() {
    let site = site();
    let (_lesson9, address) = lesson9(&site);
    for extra in [&[][..], &["--close"]] {
        loadgen_http(address, "/missing.html", extra)
            .assert()
            .failure()
            .stdout(contains("requests/s").not())
            .stderr(contains("GET /missing.html"))
            .stderr(contains("404 Not Found"))
            .stderr(contains("expected 200"));
    }
}

/// The HTTP bench runs (one client, a few requests: a smoke test, not a benchmark): lesson 9
/// (both designs) gets a row for every file and style, the cores are printed, and so is what the targets
/// need. nginx and python are measured when installed, skipped when not.
#[test]
fn loadgen_bench_http_prints_a_table_and_the_targets() {
    // Built first, so that loadgen's own build of it is only cargo seeing it is fresh.
    harness::binary("lesson9");
    let assert = command("loadgen")
        .args(["bench-http", "--clients", "1", "--total", "20"])
        .args(["--repeat", "1", "--seconds", "0.5"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for design in ["threads", "tokio"] {
        for file in ["1 KiB", "1 MiB"] {
            for style in ["keep-alive", "close"] {
                let measured = format!("| {design} | {file} | {style} | 1 | ");
                let rows = stdout
                    .lines()
                    .filter(|line| line.starts_with(&measured))
                    .count();
                assert_eq!(rows, 1, "{measured}\n{stdout}");
            }
        }
    }
    // At the end, a table for each file, with a row for each design and style.
    for header in [
        "| server | style | clients | req/s |",
        "| server | style | clients | MB/s |",
    ] {
        let after = stdout
            .split(header)
            .nth(1)
            .unwrap_or_else(|| panic!("{header}\n{stdout}"));
        let table: Vec<&str> = after
            .lines()
            .skip(2)
            .take_while(|line| line.starts_with('|'))
            .collect();
        for design in ["threads", "tokio"] {
            for style in ["keep-alive", "close"] {
                let row = format!("| {design} | {style} | 1 | ");
                assert!(
                    table.iter().any(|line| line.starts_with(&row)),
                    "{header}: no {row}\n{stdout}"
                );
            }
        }
    }
    assert!(stdout.contains("(Cpus_allowed_list):"), "{stdout}");
    // One client only: the targets, at 100, say what they need.
    assert!(
        stdout.contains("the targets need 100 keep-alive clients"),
        "{stdout}"
    );
}
