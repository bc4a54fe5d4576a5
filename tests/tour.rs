//! The tour (`cargo run -p tour`, the README's first command) runs every lesson that exists,
//! straight through when stdin is not a terminal, and labels each program's output.

use std::path::Path;
use std::time::Duration;

use harness::command;
use predicates::prelude::*;

/// The lesson packages in the workspace: `crates/lessonN/Cargo.toml`, N from 1 to 5.
fn lessons() -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    (1..=5)
        .filter(|n| root.join(format!("crates/lesson{n}/Cargo.toml")).exists())
        .collect()
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
            "[lesson2 server] 错误 / error:",
            "[lesson3 server] 正在监听 listening on",
        ],
        4 => &[
            "[lesson4 server] 正在监听 listening on",
            "[lesson1 client A] 接收服务端的数据为 reply:",
            "[lesson1 client B] 接收服务端的数据为 reply:",
        ],
        5 => &["[lesson5] "],
        _ => &[],
    }
}

/// Run without a terminal, the tour goes straight through every available lesson, shows each
/// one's labelled output, skips none of them, and exits 0.
#[test]
fn the_tour_runs_every_available_lesson_straight_through() {
    let lessons = lessons();
    assert!(
        lessons.contains(&1),
        "expected crates/lesson1, got lessons {lessons:?}"
    );
    let output = command("tour")
        // The tour builds each lesson first, which takes longer than one lesson's run.
        .timeout(Duration::from_secs(600))
        .assert()
        .success()
        .stdout(predicate::str::contains("not available yet").not())
        // No terminal, so no prompt to press Enter between lessons.
        .stdout(predicate::str::contains("press Enter").not())
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&output.stdout);
    for lesson in lessons {
        for needle in expected(lesson) {
            assert!(
                stdout.lines().any(|line| line.starts_with(needle)),
                "expected a line starting with {needle:?} for lesson {lesson}, got:\n{stdout}"
            );
        }
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

/// `--lesson 1` shows lessons 1 and 2 only: the other scenes are not run.
#[test]
fn one_lesson_can_be_chosen() {
    command("tour")
        .args(["--lesson", "1"])
        .timeout(Duration::from_secs(600))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "[lesson1 client] 接收服务端的数据为 reply:",
        ))
        .stdout(predicate::str::contains("[lesson4 server]").not())
        .stdout(predicate::str::contains("[lesson5]").not());
}
