//! The exercises are right in both directions: every check passes on the exercise's reference
//! solution, and every check fails on the untouched starter with the friendly "step N is not
//! written yet", so no check passes vacuously. And every exercise has a solution, and the other
//! way round.
//!
//! The runner (`cargo run -p practice`) builds each exercise package with cargo itself, in the
//! exercises' own build directory, so these tests always run the code as it is in the tree.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use harness::command;

/// The exercises, by directory. `every_exercise_has_a_solution_and_a_proof` keeps this list
/// equal to what is on disk, so a new exercise cannot go unproved.
const EXERCISES: [&str; 7] = [
    "01_client",
    "02_server",
    "03_reuse",
    "04_threads",
    "05_close",
    "06_split_char",
    "07_half_close",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Runs `practice check NUMBER` with `args`; returns whether it succeeded and what it printed.
fn check(number: usize, args: &[&str]) -> (bool, String) {
    let output = command("practice")
        .arg("check")
        .arg(number.to_string())
        .args(args)
        .output()
        .expect("the runner starts");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    (output.status.success(), format!("{stdout}{stderr}"))
}

/// `passed X/Y` from the runner's last line.
fn tally(output: &str) -> (usize, usize) {
    let line = output
        .lines()
        .find(|line| line.contains("passed "))
        .unwrap_or_else(|| panic!("the runner prints a tally:\n{output}"));
    let tally = line
        .split("passed ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_default();
    let (passed, total) = tally.split_once('/').expect("`passed X/Y`");
    (
        passed.parse().expect("X is a number"),
        total.parse().expect("Y is a number"),
    )
}

fn passes_on_its_solution(number: usize) {
    let (success, output) = check(number, &["--solutions"]);
    let (passed, total) = tally(&output);
    assert!(
        success && passed == total && total > 0,
        "exercise {number}: every check should pass on the solution\n{output}"
    );
}

fn fails_on_its_starter(number: usize) {
    let (success, output) = check(number, &["--dir", &starters().display().to_string()]);
    let (passed, total) = tally(&output);
    let not_written = output.matches("is not written yet").count();
    assert!(
        !success && passed == 0 && not_written == total && total > 0,
        "exercise {number}: every check should fail on the untouched starter, saying a step is \
         not written yet ({not_written} of {total} did)\n{output}"
    );
    assert!(
        !output.contains("panicked"),
        "a todo!() is reported as a step, not a panic\n{output}"
    );
}

/// The untouched starters: `exercises/` itself, or, where a student has been working in it, the
/// starters as committed, taken from git into the build directory.
fn starters() -> &'static Path {
    static STARTERS: OnceLock<PathBuf> = OnceLock::new();
    STARTERS.get_or_init(|| {
        let exercises = root().join("exercises");
        let git = |args: &[&str]| {
            Command::new("git")
                .args(args)
                .current_dir(root())
                .output()
                .ok()
                .filter(|output| output.status.success())
        };
        let Some(status) = git(&[
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            "exercises",
        ]) else {
            // Not a git checkout (a tarball): the starters are as shipped.
            return exercises;
        };
        if status.stdout.is_empty() {
            return exercises;
        }
        eprintln!("exercises/ has changes (a student's work?): proving on the committed starters");
        let pristine = root().join("target").join("pristine");
        let _ = fs::remove_dir_all(&pristine);
        fs::create_dir_all(&pristine).expect("create target/pristine");
        let archive = git(&["archive", "--format=tar", "HEAD", "exercises"])
            .expect("git archive the committed starters");
        let tar = pristine.join("exercises.tar");
        fs::write(&tar, archive.stdout).expect("write the archive");
        let unpacked = Command::new("tar")
            .arg("-xf")
            .arg(&tar)
            .current_dir(&pristine)
            .status()
            .expect("tar runs");
        assert!(unpacked.success(), "tar unpacks the committed starters");
        // The copy is deeper in the tree: point its path dependency at the course crate.
        let manifest = pristine.join("exercises").join("Cargo.toml");
        let text = fs::read_to_string(&manifest).expect("the copy has a manifest");
        let course = root().join("crates").join("course");
        let text = text.replace(
            "path = \"../crates/course\"",
            &format!("path = {:?}", course.display().to_string()),
        );
        fs::write(&manifest, text).expect("rewrite the copy's manifest");
        pristine.join("exercises")
    })
}

/// Exercise 1 (the client): its checks pass on the solution.
#[test]
fn exercise_1_passes_on_its_solution() {
    passes_on_its_solution(1);
}

/// Exercise 1 (the client): each of its checks fails on the starter, naming a step to write.
#[test]
fn exercise_1_fails_on_its_starter() {
    fails_on_its_starter(1);
}

/// Exercise 3 (the restartable server): its checks pass on the solution.
#[test]
fn exercise_3_passes_on_its_solution() {
    passes_on_its_solution(3);
}

/// Exercise 3 (the restartable server): each of its checks fails on the starter, naming a step.
#[test]
fn exercise_3_fails_on_its_starter() {
    fails_on_its_starter(3);
}

/// Exercise 4 (the thread-per-client server): its checks pass on the solution.
#[test]
fn exercise_4_passes_on_its_solution() {
    passes_on_its_solution(4);
}

/// Exercise 4 (the thread-per-client server): each of its checks fails on the starter, naming a step.
#[test]
fn exercise_4_fails_on_its_starter() {
    fails_on_its_starter(4);
}

/// Exercise 5 (a close or a reset): its checks pass on the solution.
#[test]
fn exercise_5_passes_on_its_solution() {
    passes_on_its_solution(5);
}

/// Exercise 5 (a close or a reset): each of its checks fails on the starter, naming a step.
#[test]
fn exercise_5_fails_on_its_starter() {
    fails_on_its_starter(5);
}

/// Exercise 6 (the split character): its checks pass on the solution.
#[test]
fn exercise_6_passes_on_its_solution() {
    passes_on_its_solution(6);
}

/// Exercise 6 (the split character): each of its checks fails on the starter, naming a step.
#[test]
fn exercise_6_fails_on_its_starter() {
    fails_on_its_starter(6);
}

/// Exercise 7 (the half-close): its checks pass on the solution.
#[test]
fn exercise_7_passes_on_its_solution() {
    passes_on_its_solution(7);
}

/// Exercise 7 (the half-close): each of its checks fails on the starter, naming a step.
#[test]
fn exercise_7_fails_on_its_starter() {
    fails_on_its_starter(7);
}

/// The exercise directories in `dir`: `NN_name` with a `Cargo.toml`.
fn exercise_dirs(dir: &str) -> BTreeSet<String> {
    fs::read_dir(root().join(dir))
        .unwrap_or_else(|error| panic!("{dir}/ is readable: {error}"))
        .flatten()
        .filter(|entry| entry.path().join("Cargo.toml").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Every exercise has a solution and vice versa, each is a member of its workspace, each
/// starter has a `todo!()` naming a step and a README, and no solution has a `todo!()`.
#[test]
fn every_exercise_has_a_solution_and_a_proof() {
    let listed: BTreeSet<String> = EXERCISES.iter().map(|name| (*name).to_owned()).collect();
    assert_eq!(
        exercise_dirs("exercises"),
        listed,
        "exercises/ holds the proved exercises"
    );
    assert_eq!(
        exercise_dirs("solutions"),
        listed,
        "solutions/ mirrors exercises/"
    );
    for dir in ["exercises", "solutions"] {
        let manifest = fs::read_to_string(root().join(dir).join("Cargo.toml"))
            .expect("the workspace manifest");
        for name in EXERCISES {
            assert!(
                manifest.contains(&format!("\"{name}\"")),
                "{dir}/Cargo.toml lists {name} as a member"
            );
        }
    }
    for name in EXERCISES {
        let starter = fs::read_to_string(root().join("exercises").join(name).join("src/main.rs"))
            .expect("the starter's main.rs");
        assert!(
            starter.contains("todo!(\"第 ") && starter.contains(" step "),
            "exercises/{name} has todo!()s naming the notes' steps"
        );
        let readme = fs::read_to_string(root().join("exercises").join(name).join("README.md"))
            .unwrap_or_else(|_| panic!("exercises/{name}/README.md states the task"));
        assert!(
            readme.starts_with("# 练习"),
            "exercises/{name}/README.md is Chinese first"
        );
        let solution = fs::read_to_string(root().join("solutions").join(name).join("src/main.rs"))
            .expect("the solution's main.rs");
        assert!(
            !solution.contains("todo!("),
            "solutions/{name} is complete: no todo!()"
        );
    }
}

/// The runner's `--help` explains itself, Chinese first.
#[test]
fn the_runner_explains_itself() {
    let output = command("practice")
        .arg("--help")
        .output()
        .expect("the runner starts");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{help}");
    assert!(help.starts_with("网络编程练习"), "{help}");
    for word in ["list", "check", "hint", "watch", "--solutions", "--dir"] {
        assert!(help.contains(word), "--help names {word}\n{help}");
    }
}

/// Exercise 2 (the single-shot server): its checks pass on the solution.
#[test]
fn exercise_2_passes_on_its_solution() {
    passes_on_its_solution(2);
}

/// Exercise 2 (the single-shot server): each of its checks fails on the starter, naming a step.
#[test]
fn exercise_2_fails_on_its_starter() {
    fails_on_its_starter(2);
}

/// Watch mode's fallback without file watching (`--manual`, for WSL2's /mnt/c and the like):
/// each Enter re-checks the current exercise and `q` quits; on a finished exercise it says so.
#[test]
fn watch_rechecks_on_enter_and_reports_done() {
    let starters = starters().display().to_string();
    let assert = command("practice")
        .args(["watch", "--manual", "--dir", &starters, "1"])
        .write_stdin("\nq\n")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert_eq!(
        stdout.matches("== 练习 1 exercise 1").count(),
        2,
        "expected a first check and one re-check after Enter, got:\n{stdout}"
    );
    assert!(stdout.contains("step 1 is not written yet"), "{stdout}");

    let assert = command("practice")
        .args(["watch", "--manual", "--solutions", "1"])
        .write_stdin("q\n")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(stdout.contains("exercise 1 is done"), "{stdout}");
}
