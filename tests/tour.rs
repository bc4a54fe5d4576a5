//! The tour (`cargo run -p tour`, the README's first command) runs every lesson that exists,
//! straight through when stdin is not a terminal, and labels each program's output.

use std::path::Path;

use harness::{BUILD_TIMEOUT, command};
use predicates::prelude::*;

/// The lessons of the course (`course::lessons`), each of which has its crate.
fn lessons() -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let numbers: Vec<u8> = course::lessons::LESSONS.iter().map(|l| l.number).collect();
    for n in &numbers {
        assert!(
            root.join(format!("crates/lesson{n}/Cargo.toml")).exists(),
            "lesson {n} has a crate"
        );
    }
    numbers
}

/// What each lesson's part of the tour must show, as labelled lines.
fn expected(lesson: u8) -> &'static [&'static str] {
    match lesson {
        1 => &[
            "[lesson1 client] 已连接 connected:",
            "[lesson1 client] 接收服务端的数据为 reply:",
        ],
        2 => &[
            "[lesson2 server] 正在监听 listening on",
            "[lesson2 server] 接收客户端的数据为",
        ],
        3 => &[
            // Lesson 2 restarted on the port it just served on is refused: TIME_WAIT.
            "[lesson2 server] 错误：",
            "[lesson3 server] 正在监听 listening on",
        ],
        4 => &[
            "[lesson4 server] 正在监听 listening on",
            "[lesson1 client A] 接收服务端的数据为 reply:",
            "[lesson1 client B] 接收服务端的数据为 reply:",
        ],
        5 => &["[lesson5] "],
        6 => &[
            "[lesson6]   结论 verdict: glued 成立 holds",
            "[lesson6 server] 收到第 3 条消息 message 3",
            "[lesson6 client] 回复 reply 3",
        ],
        7 => &[
            "[lesson7 server] WouldBlock: accept",
            "[lesson1 client A] 接收服务端的数据为 reply:",
            "[lesson1 client B] 接收服务端的数据为 reply:",
        ],
        8 => &[
            "[lesson8 server] 收到 Ctrl-C",
            "[lesson8 server] 服务端已退出 server stopped",
            "[tour] lesson8 server 已退出，退出码 0",
        ],
        9 => &[
            // Two requests on one connection: keep-alive, then a close asked for; the
            // server logs each (a line starting with the client's address).
            "[lesson9 server] 127.0.0.1:",
            "[lesson1 client] 接收服务端的数据为 reply: HTTP/1.1 200 OK",
            "[lesson1 client] 接收服务端的数据为 reply: HTTP/1.1 404 Not Found",
            "[lesson1 client] Connection: close",
            "[lesson9 server] 服务端已退出 server stopped",
            "[tour] lesson9 server 已退出，退出码 0",
        ],
        _ => &[],
    }
}

/// Runs the tour with `args` as a student would: its build (before the line saying it is
/// built) is waited for without a behaviour timeout, then the run itself must end within the
/// harness's. Returns what it printed.
fn tour(args: &[&str]) -> String {
    let mut tour = harness::spawn("tour", args);
    tour.expect_line_within("built, now running", BUILD_TIMEOUT);
    let status = tour.wait_exit();
    if !status.success() {
        tour.fail(&format!("exited with {status}"));
    }
    tour.stdout()
}

/// Run without a terminal, the tour goes straight through every available lesson, shows each
/// one's labelled output, skips none of them, and exits 0. Every line it prints, its own and
/// the lessons' (lesson 2's refused restart, lesson 5's rules), fits a terminal: at most 100
/// columns, a CJK character counting two.
#[test]
fn the_tour_runs_every_available_lesson_straight_through() {
    let lessons = lessons();
    assert!(
        lessons.contains(&1),
        "expected crates/lesson1, got lessons {lessons:?}"
    );
    let has_lesson8 = lessons.contains(&8);
    let stdout = tour(&[]);
    assert!(!stdout.contains("not available yet"), "{stdout}");
    // No terminal, so no prompt to press Enter between lessons.
    assert!(!stdout.contains("press Enter"), "{stdout}");
    for lesson in lessons {
        for needle in expected(lesson) {
            assert!(
                stdout.lines().any(|line| line.starts_with(needle)),
                "expected a line starting with {needle:?} for lesson {lesson}, got:\n{stdout}"
            );
        }
    }
    harness::assert_lines_fit("the tour", &stdout);
    // Lesson 8's server closes the one client there is: "1 client", not "1 clients" (the
    // line may be cut to fit, so the words are read across lines).
    if has_lesson8 {
        let words = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains("closing 1 client"), "{stdout}");
        assert!(!words.contains("closing 1 clients"), "{stdout}");
        // The client closes once the server's FIN is out, so the server's shutdown ends
        // cleanly, not by its grace running out.
        assert!(words.contains("FIN sent to"), "{stdout}");
        assert!(!words.contains("did not close in time"), "{stdout}");
    }
}

/// `--help` explains the tour and its option, Chinese first.
#[test]
fn the_tour_explains_itself() {
    command("tour")
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("课程之旅"))
        .stdout(predicate::str::contains("--lesson"));
}

/// `--lesson 1` shows lessons 1 and 2 (one scene: lesson 1's client and lesson 2's server)
/// only: the other scenes are not run.
#[test]
fn one_lesson_can_be_chosen() {
    let stdout = tour(&["--lesson", "1"]);
    assert!(
        stdout.contains("[lesson1 client] 接收服务端的数据为 reply:"),
        "{stdout}"
    );
    assert!(!stdout.contains("[lesson4 server]"), "{stdout}");
    assert!(!stdout.contains("[lesson5]"), "{stdout}");
}

/// `--lesson 3` shows lesson 3 alone: its server, restarted at once on its port, and the client
/// it needs; not lesson 2's scene, nor lesson 2's refused restart, nor any other lesson.
#[test]
fn a_chosen_lesson_is_shown_alone() {
    let stdout = tour(&["--lesson", "3"]);
    let starts = |needle: &str| {
        stdout
            .lines()
            .filter(|line| line.starts_with(needle))
            .count()
    };
    assert_eq!(
        starts("[lesson3 server] 正在监听 listening on"),
        2,
        "lesson 3 and its restart:\n{stdout}"
    );
    assert!(
        starts("[lesson1 client] 接收服务端的数据为 reply:") > 0,
        "{stdout}"
    );
    for other in [
        "[lesson2",
        "building lesson2",
        "第 1、2 课",
        "[lesson4",
        "[lesson5",
    ] {
        assert!(!stdout.contains(other), "{other:?} in:\n{stdout}");
    }
}
