//! The exercises are right in both directions: every check passes on the exercise's reference
//! solution, and every check fails on the untouched starter with the friendly "step N is not
//! written yet", so no check passes vacuously. And every exercise has a solution, and the other
//! way round.
//!
//! The runner (`cargo run -p practice`) builds each exercise package with cargo itself, in the
//! exercises' own build directory, so these tests always run the code as it is in the tree.
//! Compiling is never timed: each workspace is built once with `practice build`, with no
//! timeout, before any check runs under the harness's timeout, which then only measures how the
//! programs behave. (The first build of the exercises' workspace takes a minute on a busy
//! two-core machine.)
//!
//! The starters are proved as committed in git, never as the student's working copy: a student
//! who has finished an exercise in `exercises/` does not make `cargo test --workspace` fail.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use harness::{BUILD_TIMEOUT, command};

/// The exercises, by directory, as `course::lessons` lists them.
/// `every_exercise_has_a_solution_and_a_proof` keeps this list equal to what is on disk, so a
/// new exercise cannot go unproved.
fn exercises() -> Vec<&'static str> {
    course::lessons::exercises()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Builds the workspace that `args` (`--solutions`, or `--dir DIR`) name, once per test run,
/// with no timeout: compile time must not count against a check's. Returns what it printed.
fn built(args: &[&str]) -> String {
    static BUILT: OnceLock<Mutex<BTreeSet<String>>> = OnceLock::new();
    let key = args.join(" ");
    let mut done = BUILT
        .get_or_init(Mutex::default)
        .lock()
        // A failed build was reported by the test that hit it; the next one tries again.
        .unwrap_or_else(PoisonError::into_inner);
    if done.contains(&key) {
        return String::new();
    }
    let printed = untimed_build(args);
    done.insert(key);
    printed
}

/// Runs `practice build` with `args`, with no timeout: cargo ends by itself, and a slow
/// machine must not fail the proof. Returns what it printed.
fn untimed_build(args: &[&str]) -> String {
    let output = assert_cmd::Command::new(harness::binary("practice"))
        .args(args)
        .arg("build")
        .output()
        .expect("the runner starts");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "practice {} build: every exercise compiles\n{printed}",
        args.join(" ")
    );
    printed
}

/// Runs `practice check NUMBER` with `args` (after building, untimed); returns whether it
/// succeeded and what it printed.
fn check(number: usize, args: &[&str]) -> (bool, String) {
    built(args);
    let output = command("practice")
        .arg("check")
        .arg(number.to_string())
        .args(args)
        .output()
        .expect("the runner starts");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let printed = format!("{stdout}{stderr}");
    harness::assert_lines_fit(
        &format!("practice check {number} {}", args.join(" ")),
        &printed,
    );
    (output.status.success(), printed)
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

/// The untouched starters: `exercises/` itself while it is as committed, or else the starters
/// as committed, taken from git into the build directory.
fn starters() -> &'static Path {
    static STARTERS: OnceLock<PathBuf> = OnceLock::new();
    STARTERS.get_or_init(|| committed_starters(&root(), &root().join("target").join("pristine")))
}

/// The starters of the checkout at `repo` as its `HEAD` commits them: `repo/exercises` when it
/// has no changes, otherwise a copy of them from git in `scratch` (which the runner builds in a
/// build directory of its own, never the student's: `practice::build_dir`). Outside a git
/// checkout (a tarball) the starters are as shipped, said once.
fn committed_starters(repo: &Path, scratch: &Path) -> PathBuf {
    let exercises = repo.join("exercises");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(repo)
            .output()
            .ok()
            .filter(|output| output.status.success())
    };
    // Untracked files count too: a new file may be a module the student's main.rs uses.
    let Some(status) = git(&["status", "--porcelain", "--", "exercises"]) else {
        eprintln!(
            "{} is not a git checkout (or git is missing): proving exercises/ as it is",
            repo.display()
        );
        return exercises;
    };
    if status.stdout.is_empty() {
        return exercises;
    }
    eprintln!("exercises/ has changes (a student's work?): proving on the committed starters");
    let listed = git(&[
        "ls-tree",
        "-r",
        "-z",
        "--name-only",
        "HEAD",
        "--",
        "exercises",
    ])
    .expect("git lists the committed starters");
    let files: BTreeSet<String> = String::from_utf8_lossy(&listed.stdout)
        .split('\0')
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();
    for name in &files {
        let committed = git(&["show", &format!("HEAD:{name}")])
            .unwrap_or_else(|| panic!("git shows the committed {name}"));
        let mut contents = committed.stdout;
        if name == "exercises/Cargo.toml" {
            // The copy is elsewhere in the tree: point its path dependency at the course crate.
            contents = with_course_at(&String::from_utf8_lossy(&contents), repo).into_bytes();
        }
        write_if_changed(&scratch.join(name), &contents);
    }
    remove_all_but(&scratch.join("exercises"), scratch, &files);
    scratch.join("exercises")
}

/// Writes `contents` to `path` unless it holds them already. A file that changed gets a fresh
/// time stamp, so cargo rebuilds it however old the commit is; one that did not keeps its own,
/// so cargo builds nothing.
fn write_if_changed(path: &Path, contents: &[u8]) {
    if fs::read(path).ok().as_deref() == Some(contents) {
        return;
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create the copy's directories");
    }
    fs::write(path, contents).unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
}

/// Removes every file under `dir` whose path relative to `base` is not in `keep`: a file the
/// committed starters no longer have must not stay in the copy.
fn remove_all_but(dir: &Path, base: &Path, keep: &BTreeSet<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            remove_all_but(&path, base, keep);
        } else {
            let relative = path.strip_prefix(base).unwrap_or(&path);
            let relative = relative.to_string_lossy().replace('\\', "/");
            if !keep.contains(&relative) {
                fs::remove_file(&path).expect("remove a file the starters no longer have");
            }
        }
    }
}

/// A workspace manifest of `exercises/` with its `course` dependency pointing into `repo`.
fn with_course_at(manifest: &str, repo: &Path) -> String {
    harness::manifest::with_course_at(manifest, &repo.join("crates").join("course"))
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

/// Exercise 8 (length-prefix framing): its checks pass on the solution.
#[test]
fn exercise_8_passes_on_its_solution() {
    passes_on_its_solution(8);
}

/// Exercise 8 (length-prefix framing): each of its checks fails on the starter, naming a step.
#[test]
fn exercise_8_fails_on_its_starter() {
    fails_on_its_starter(8);
}

/// Exercise 9 (the event loop's WouldBlock): its checks pass on the solution.
#[test]
fn exercise_9_passes_on_its_solution() {
    passes_on_its_solution(9);
}

/// Exercise 9 (the event loop's WouldBlock): each of its checks fails on the starter, naming a step.
#[test]
fn exercise_9_fails_on_its_starter() {
    fails_on_its_starter(9);
}

/// Exercise 10 (the tokio server): its checks pass on the solution.
#[test]
fn exercise_10_passes_on_its_solution() {
    passes_on_its_solution(10);
}

/// Exercise 10 (the tokio server): each of its checks fails on the starter, naming a step.
#[test]
fn exercise_10_fails_on_its_starter() {
    fails_on_its_starter(10);
}

/// The exercise directories in `dir`: `NN_name` with a `Cargo.toml`.
fn exercise_dirs(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{} is readable: {error}", dir.display()))
        .flatten()
        .filter(|entry| entry.path().join("Cargo.toml").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Every exercise has a solution and vice versa, each is a member of its workspace, each
/// starter (as committed) has a `todo!()` naming a step and a README, and no solution has a
/// `todo!()`.
#[test]
fn every_exercise_has_a_solution_and_a_proof() {
    assert_exercises_proved(starters(), &root().join("solutions"));
}

/// The static part of the proof, on the starters in `starters` and the solutions in `solutions`.
fn assert_exercises_proved(starters: &Path, solutions: &Path) {
    let listed: BTreeSet<String> = exercises().iter().map(|name| (*name).to_owned()).collect();
    assert_eq!(
        exercise_dirs(starters),
        listed,
        "exercises/ holds the proved exercises"
    );
    assert_eq!(
        exercise_dirs(solutions),
        listed,
        "solutions/ mirrors exercises/"
    );
    for dir in [starters, solutions] {
        let members = harness::manifest::members(
            &fs::read_to_string(dir.join("Cargo.toml")).expect("the workspace manifest"),
        );
        for name in exercises() {
            assert!(
                members.iter().any(|member| member == name),
                "{} lists {name} as a member",
                dir.join("Cargo.toml").display()
            );
        }
    }
    for name in exercises() {
        let starter = fs::read_to_string(starters.join(name).join("src/main.rs"))
            .expect("the starter's main.rs");
        assert!(
            starter.contains("todo!(\"第 ") && starter.contains(" step "),
            "exercises/{name} has todo!()s naming the notes' steps"
        );
        let readme = fs::read_to_string(starters.join(name).join("README.md"))
            .unwrap_or_else(|_| panic!("exercises/{name}/README.md states the task"));
        assert!(
            readme.starts_with("# 练习"),
            "exercises/{name}/README.md is Chinese first"
        );
        assert!(
            readme.contains("需要的 Rust 知识")
                && readme.contains("Rust you need")
                && readme.contains("https://doc.rust-lang.org/book/ch"),
            "exercises/{name}/README.md says which chapters of the Rust Book it assumes, linked"
        );
        let solution = fs::read_to_string(solutions.join(name).join("src/main.rs"))
            .expect("the solution's main.rs");
        assert!(
            !solution.contains("todo!("),
            "solutions/{name} is complete: no todo!()"
        );
    }
}

/// A clone of this repository in a scratch directory of its own, where the student has
/// finished exercise 1 (its starter overwritten by the solution); `None` outside a git
/// checkout (a tarball), where there is nothing a student's edit could be told from.
fn clone_with_exercise_1_finished(test: &str, scratch: &Path) -> Option<PathBuf> {
    harness::tools::tool("git", test)?;
    let _ = fs::remove_dir_all(scratch);
    let clone = scratch.join("repo");
    let cloned = Command::new("git")
        .args(["clone", "--quiet", "--shared"])
        .arg(root())
        .arg(&clone)
        .status()
        .expect("git runs");
    if !cloned.success() {
        eprintln!(
            "{} is not a git checkout: nothing to prove here",
            root().display()
        );
        return None;
    }
    fs::copy(
        clone.join("solutions/01_client/src/main.rs"),
        clone.join("exercises/01_client/src/main.rs"),
    )
    .expect("the student finishes exercise 1");
    Some(clone)
}

/// A student who has finished exercise 1 in `exercises/` does not make the proofs fail: they
/// read the starters as committed, todo!()s and all.
#[test]
fn a_finished_exercise_leaves_the_proofs_passing() {
    let test = "a_finished_exercise_leaves_the_proofs_passing";
    let scratch = root()
        .join("target")
        .join(format!("finished-exercise-{}", std::process::id()));
    let Some(clone) = clone_with_exercise_1_finished(test, &scratch) else {
        return;
    };
    let proved = committed_starters(&clone, &scratch.join("pristine"));
    assert_ne!(
        proved,
        clone.join("exercises"),
        "the working copy has changes"
    );
    let starter =
        fs::read_to_string(proved.join("01_client/src/main.rs")).expect("the committed starter");
    assert!(
        starter.contains("todo!("),
        "the proof reads the committed starter"
    );
    assert_exercises_proved(&proved, &clone.join("solutions"));
    fs::remove_dir_all(&scratch).expect("remove the scratch copy");
}

/// The student's builds and the proofs' never share a build directory, so that no order of
/// them makes one program stand in for the other (cargo keeps one binary per package name in
/// a build directory, and the starters' packages have the students' names). In a clone where
/// exercise 1 is finished, the student's exercises and the committed starters are built and
/// checked one after the other; then the course crate changes, as an update of the course
/// brings, and they are built and checked again in the other order. Every time, the finished
/// exercise passes every check and the starter fails every one with "step 1 is not written".
#[test]
fn the_students_builds_and_the_proofs_never_stand_in_for_each_other() {
    let test = "the_students_builds_and_the_proofs_never_stand_in_for_each_other";
    // Not named after this process: the build directories are named after the workspaces'
    // paths (`practice::build_dir`), so the next run finds its dependencies compiled.
    let scratch = root().join("target").join("builds-never-mix");
    let Some(clone) = clone_with_exercise_1_finished(test, &scratch) else {
        return;
    };
    let student = clone.join("exercises").display().to_string();
    let starters = committed_starters(&clone, &scratch.join("pristine"))
        .display()
        .to_string();
    let student = ["--dir", student.as_str()];
    let starters = ["--dir", starters.as_str()];
    for workspace in [student, starters] {
        untimed_build(&workspace);
    }
    assert_passes(
        1,
        &student,
        "the finished exercise, after the starters were built",
    );
    assert_not_written(
        1,
        &starters,
        "the starter, after the finished exercise was built",
    );

    let lib = clone.join("crates/course/src/lib.rs");
    let mut course = fs::read_to_string(&lib).expect("the clone's course crate");
    course.push_str(
        "\n/// A change to the course, as an update brings.\npub const CHANGED: () = ();\n",
    );
    fs::write(&lib, course).expect("change the course crate");
    for workspace in [starters, student] {
        untimed_build(&workspace);
    }
    assert_not_written(1, &starters, "the starter, after the course changed");
    assert_passes(
        1,
        &student,
        "the finished exercise, after the course changed",
    );
    let _ = fs::remove_dir_all(&scratch);
}

/// Runs `practice check NUMBER` with `args` to its end; what it builds is compiled first with
/// no clock running, and its checks bound their own waits.
fn untimed_check(number: usize, args: &[&str]) -> (bool, String) {
    let output = assert_cmd::Command::new(harness::binary("practice"))
        .arg("check")
        .arg(number.to_string())
        .args(args)
        .output()
        .expect("the runner starts");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), printed)
}

fn assert_passes(number: usize, args: &[&str], what: &str) {
    let (success, output) = untimed_check(number, args);
    let (passed, total) = tally(&output);
    assert!(
        success && passed == total && total > 0,
        "{what}: every check should pass\n{output}"
    );
}

fn assert_not_written(number: usize, args: &[&str], what: &str) {
    let (success, output) = untimed_check(number, args);
    let (_, total) = tally(&output);
    let not_written = output.matches("step 1 is not written yet").count();
    assert!(
        !success && not_written == total && total > 0,
        "{what}: every check should say step 1 is not written yet ({not_written} of {total} \
         did)\n{output}"
    );
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

/// What the runner prints besides checks fits a terminal too: the list, every exercise's hints,
/// and the error for an exercise that does not exist, Chinese and English on lines of their own.
#[test]
fn the_runners_lines_fit_a_terminal() {
    let mut runs: Vec<Vec<String>> = vec![vec!["list".into()], vec!["check".into(), "99".into()]];
    runs.extend((1..=exercises().len()).map(|n| vec!["hint".to_owned(), n.to_string()]));
    for args in runs {
        let output = command("practice")
            .args(&args)
            .output()
            .expect("the runner starts");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        harness::assert_lines_fit(&format!("practice {}", args.join(" ")), &printed);
    }
    let output = command("practice")
        .args(["check", "99"])
        .output()
        .expect("the runner starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines.len() == 2 && lines[0].starts_with("错误：") && lines[1].starts_with("error: "),
        "a Chinese line, then an English line:\n{stderr}"
    );
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
    built(&["--dir", &starters]);
    built(&["--solutions"]);
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

/// How long "nothing happens" is watched for. An absence can only be seen by waiting; a watcher
/// that re-checks when idle (the old one: six times a second) shows itself well within this.
const QUIET: Duration = Duration::from_secs(3);

/// The solutions' build directory, where a copy whose packages are renamed is built beside them
/// with their dependencies compiled already (a directory of its own would compile them all).
fn shared_build_dir() -> String {
    root()
        .join("target")
        .join("solutions")
        .display()
        .to_string()
}

/// A workspace of its own holding exercise 1's committed starter, for watch mode to watch while
/// the test edits it. Its package is renamed, so that it can be built beside the solutions
/// (`shared_build_dir`) without standing in for another package's binary.
fn watched_workspace() -> PathBuf {
    let workspace = root()
        .join("target")
        .join(format!("watched-{}", std::process::id()));
    let _ = fs::remove_dir_all(&workspace);
    let package = workspace.join("01_client");
    fs::create_dir_all(package.join("src")).expect("create the watched workspace");
    let from = starters().join("01_client");
    fs::copy(from.join("src/main.rs"), package.join("src/main.rs")).expect("copy main.rs");
    let manifest = fs::read_to_string(from.join("Cargo.toml")).expect("the starter's manifest");
    fs::write(
        package.join("Cargo.toml"),
        harness::manifest::renamed(&manifest, "watched01_client"),
    )
    .expect("write the package's manifest");
    let workspace_manifest = fs::read_to_string(starters().join("Cargo.toml"))
        .expect("the starters' workspace manifest");
    let workspace_manifest = harness::manifest::with_members(&workspace_manifest, &["01_client"]);
    fs::write(
        workspace.join("Cargo.toml"),
        with_course_at(&workspace_manifest, &root()),
    )
    .expect("write the workspace manifest");
    // The same versions of the dependencies as the exercises: already compiled, and no network.
    fs::copy(starters().join("Cargo.lock"), workspace.join("Cargo.lock"))
        .expect("copy the lock file");
    workspace
}

/// Watch mode re-checks exactly once per real change to the exercise: never while idle (the
/// runner's and cargo's own reads of the files during a check included), never on reads, on
/// a save of identical contents or on cargo's writes, and once for a save made of several writes.
#[test]
fn watch_rechecks_once_per_real_change() {
    let workspace = watched_workspace();
    let dir = workspace.display().to_string();
    // A fresh copy: cargo compiles it, and the runner says so while it does.
    let printed = built(&["--dir", &dir, "--target-dir", &shared_build_dir()]);
    assert!(
        printed.contains("compiling the exercises"),
        "the build shows progress while it compiles\n{printed}"
    );
    let target = shared_build_dir();
    let mut watch = harness::spawn(
        "practice",
        &["watch", "--dir", &dir, "--target-dir", &target, "1"],
    );
    let header = "== 练习 1 exercise 1";
    let prompt = "saving a file re-checks";
    watch.expect_line(header);
    watch.expect_line_within(prompt, BUILD_TIMEOUT);

    // Idle, right after a check that read every file: nothing.
    watch.expect_quiet(QUIET);

    // Reading the files, saving main.rs unchanged in several writes, and what cargo writes
    // (its lock file, a build directory): nothing.
    let main_rs = workspace.join("01_client/src/main.rs");
    let source = fs::read(&main_rs).expect("read main.rs");
    fs::read(workspace.join("01_client/Cargo.toml")).expect("read the manifest");
    fs::read_dir(workspace.join("01_client/src")).expect("list src/");
    save_in_pieces(&main_rs, &source);
    let lock = workspace.join("Cargo.lock");
    let mut locked = fs::read(&lock).expect("read the lock file");
    locked.extend_from_slice(b"\n");
    fs::write(&lock, locked).expect("write the lock file as cargo does");
    let built = workspace.join("target/debug/build/out");
    fs::create_dir_all(&built).expect("create a build directory");
    fs::write(built.join("generated.rs"), "// cargo's\n").expect("write a generated source");
    watch.expect_quiet(QUIET);

    // One real save, in several writes: one re-check, then nothing more.
    let mut edited = source.clone();
    edited.extend_from_slice("\n// 学生的一次保存 a student's save\n".as_bytes());
    save_in_pieces(&main_rs, &edited);
    watch.expect_line(header);
    // The re-check compiles the edited code first: that wait is not a behaviour timeout.
    watch.expect_line_within(prompt, BUILD_TIMEOUT);
    watch.expect_quiet(QUIET);

    writeln!(watch.stdin(), "q").expect("type q");
    assert!(watch.wait_exit().success(), "{}", watch.stdout());
    let checks = watch.stdout().matches(header).count();
    assert_eq!(
        checks,
        2,
        "the first check and one re-check\n{}",
        watch.stdout()
    );
    // Read through a pipe, not a terminal: the re-check did not clear a screen.
    assert!(!watch.stdout().contains('\u{1b}'), "{}", watch.stdout());
    let _ = fs::remove_dir_all(&workspace);
}

/// Saves `contents` to `path` as an editor may: truncate, then write in two pieces.
fn save_in_pieces(path: &Path, contents: &[u8]) {
    let mut file = fs::File::create(path).expect("open main.rs for writing");
    let (first, rest) = contents.split_at(contents.len() / 2);
    file.write_all(first).expect("write the first half");
    file.flush().expect("flush");
    file.write_all(rest).expect("write the rest");
    file.sync_all().expect("sync");
}

/// The starters as committed are formatted the way `rustfmt` leaves them, the course's own
/// style, checked on the committed copy so that a student's unformatted work never fails this.
#[test]
fn the_committed_starters_are_formatted() {
    let Some(rustfmt) = harness::tools::tool("rustfmt", "the_committed_starters_are_formatted")
    else {
        return;
    };
    let sources: Vec<PathBuf> = exercises()
        .iter()
        .map(|dir| starters().join(dir).join("src").join("main.rs"))
        .collect();
    let output = Command::new(rustfmt)
        .args(["--edition", "2024", "--check"])
        .args(&sources)
        .output()
        .expect("rustfmt runs");
    assert!(
        output.status.success(),
        "the committed starters are not formatted:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A reader who closes the pipe at once (`practice hint 1 | head -1`) gets no panic: the
/// runner ends quietly, with what a shell reports for a program `SIGPIPE` ended (141). The
/// pipe's reading end is closed before the runner starts, so every write it makes fails.
#[test]
fn a_closed_stdout_ends_the_runner_quietly() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = Command::new(harness::binary("practice"))
        .args(["hint", "1"])
        .stdout(writer)
        .output()
        .expect("the runner starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "practice hint 1 panicked:\n{stderr}"
    );
    assert_eq!(
        output.status.code(),
        Some(141),
        "practice hint 1:\n{stderr}"
    );
}

/// Exercise 11 (HTTP and a static web server): its checks pass on the solution.
#[test]
fn exercise_11_passes_on_its_solution() {
    passes_on_its_solution(11);
}

/// Exercise 11 (HTTP and a static web server): each of its checks fails on the starter, naming a step.
#[test]
fn exercise_11_fails_on_its_starter() {
    fails_on_its_starter(11);
}
