//! The scaffold, proved on a copy of this repository: it writes what a lesson has, refuses
//! what it cannot do, and leaves a workspace that builds, passes clippy and fmt, and whose
//! pages' test fails only on what is left to write, naming each place.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

/// A copy of this repository's files (tracked, and untracked but not ignored: the work in
/// progress too), without `target/` and `.git`.
fn copy_of_the_repository(into: &Path) {
    let root = crate::workspace_root();
    for file in repository_files(&root) {
        let from = root.join(&file);
        let to = into.join(&file);
        if !from.is_file() {
            continue; // deleted in the working tree, still in git's index
        }
        fs::create_dir_all(to.parent().expect("a file in a directory")).expect("mkdir");
        fs::copy(&from, &to).unwrap_or_else(|error| panic!("copy {file}: {error}"));
    }
}

/// The files git knows of; outside a git checkout, every file but build output.
fn repository_files(root: &Path) -> Vec<String> {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output();
    match listed {
        Ok(output) if output.status.success() => String::from_utf8_lossy(&output.stdout)
            .split('\0')
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => files_under(root, root).into_iter().collect(),
    }
}

/// Every file under `dir`, relative to `base`, but in `target/`, `.git/` and the built book.
fn files_under(dir: &Path, base: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if ![".git", "target", "book", "node_modules"].contains(&&*name.to_string_lossy()) {
                found.extend(files_under(&path, base));
            }
        } else if let Ok(inside) = path.strip_prefix(base) {
            found.insert(inside.to_string_lossy().replace('\\', "/"));
        }
    }
    found
}

fn demo() -> Facts {
    Facts::next("demo", Some("演示"), Some("a demo")).expect("a good name and titles")
}

/// The files that still carry the mark once a lesson is scaffolded with both its titles: the
/// content only a person can write. CONTRIBUTING.md's checklist is this list.
fn left_to_write(facts: &Facts) -> BTreeSet<String> {
    let n = facts.lesson;
    let dir = &facts.exercise_dir;
    [
        "README.md".to_owned(),
        format!("crates/lesson{n}/src/main.rs"),
        "crates/practice/src/catalog.rs".to_owned(),
        format!("crates/practice/src/checks/{}.rs", facts.name),
        "crates/tour/src/main.rs".to_owned(),
        format!("exercises/{dir}/README.md"),
        format!("exercises/{dir}/src/main.rs"),
        format!("lessons/en/lesson{n}.md"),
        format!("lessons/zh/lesson{n}.md"),
        format!("solutions/{dir}/src/main.rs"),
        format!("tests/lesson{n}.rs"),
    ]
    .into_iter()
    .collect()
}

/// The next lesson's number, port and exercise come from the registry; a bad name or title
/// is refused with a line that says what a good one is.
#[test]
fn the_next_lesson_follows_the_registry() {
    let facts = demo();
    let registry = course::lessons::LESSONS;
    assert_eq!(facts.lesson, course::lessons::last() + 1);
    assert_eq!(facts.previous, course::lessons::last());
    let ports: Vec<u16> = registry.iter().filter_map(|lesson| lesson.port).collect();
    assert!(
        !ports.contains(&facts.port),
        "a port of its own: {}",
        facts.port
    );
    assert_eq!(facts.exercise, course::lessons::exercises().len() + 1);
    assert_eq!(facts.exercise_dir, format!("{:02}_demo", facts.exercise));
    assert_eq!(facts.checks, "DEMO");
    for bad in [
        "",
        "Demo",
        "9demo",
        "demo_",
        "de-mo",
        "fn",
        "a_name_longer_than_twenty",
    ] {
        let refused = Facts::next(bad, None, None).expect_err(bad);
        assert!(refused.contains("/ "), "Chinese and English: {refused}");
        harness::assert_lines_fit("new-lesson", &format!("错误 error: {refused}"));
    }
    for bad in ["", "a \"quoted\" title", "[link]"] {
        let refused = Facts::next("demo", Some(bad), None).expect_err(bad);
        harness::assert_lines_fit("new-lesson", &format!("错误 error: {refused}"));
    }
    let untitled = Facts::next("demo", None, None).expect("titles may be left to write");
    assert_eq!(untitled.title_en, MARK);
}

/// The scaffold creates every file a lesson has and adds the lesson to every list that names
/// the lessons, fills in every placeholder, and refuses to run twice for one name.
#[test]
fn the_scaffold_writes_every_file_a_lesson_has() {
    let tree = tempfile::tempdir().expect("a scratch directory");
    copy_of_the_repository(tree.path());
    let plan = Plan::make(tree.path(), demo()).expect("the repository has every list");
    plan.write(tree.path()).expect("a scratch tree is writable");
    let n = plan.facts.lesson;
    let created: Vec<&str> = plan.creates.iter().map(|(path, _)| path.as_str()).collect();
    for path in [
        format!("crates/lesson{n}/src/main.rs"),
        format!("tests/lesson{n}.rs"),
        format!("lessons/zh/lesson{n}.md"),
        format!("lessons/en/lesson{n}.md"),
        format!("lessons/zh/listings/lesson{n}.md"),
        format!("lessons/en/listings/lesson{n}.md"),
        format!("lessons/zh/listings/tests-lesson{n}.md"),
        format!("lessons/en/listings/tests-lesson{n}.md"),
    ] {
        assert!(created.contains(&path.as_str()), "{path} in {created:?}");
    }
    for (path, text) in plan.creates.iter().chain(&plan.edits) {
        assert_eq!(
            placeholder(text),
            None,
            "{path} has every placeholder filled"
        );
        assert!(tree.path().join(path).is_file(), "{path} written");
    }
    let summary = fs::read_to_string(tree.path().join("lessons/zh/SUMMARY.md")).expect("written");
    assert!(
        summary.contains(&format!("- [第 {n} 课：演示](lesson{n}.md)\n")),
        "{summary}"
    );
    let again = Plan::make(tree.path(), demo())
        .err()
        .expect("the lesson exists now");
    assert!(again.contains("already exists"), "{again}");
}

/// The first `@NAME@` left in `text`, if any.
fn placeholder(text: &str) -> Option<String> {
    text.split('@')
        .skip(1)
        .step_by(2)
        .find(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        .map(|word| format!("@{word}@"))
}

/// The proof of the scaffold: in a copy of this repository with a lesson scaffolded,
/// fmt and clippy pass in both workspaces, the starter builds, and of the pages' tests only
/// `nothing_is_left_to_write` fails, naming every place the scan finds, in exactly the files
/// only a person can finish. Slow the first time (it builds a second copy of the course in
/// `target/xtask-scaffold`), then incremental: the copy is kept and only changed files are
/// rewritten.
#[test]
fn a_scaffolded_workspace_builds_and_names_what_is_left_to_write() {
    let staging = tempfile::tempdir().expect("a scratch directory");
    copy_of_the_repository(staging.path());
    let facts = demo();
    Plan::make(staging.path(), facts.clone())
        .and_then(|plan| plan.write(staging.path()))
        .expect("the scaffold writes into a copy");
    let target = target_dir().join("target");
    let tree = target_dir().join("tree");
    sync(staging.path(), &tree);

    // What `cargo xtask check` lints, and the starters' format and build (their `todo!()`s
    // are the point, so no clippy).
    let starters: [&[&str]; 2] = [
        &[
            "fmt",
            "--manifest-path",
            "exercises/Cargo.toml",
            "--all",
            "--",
            "--check",
        ],
        &[
            "check",
            "--manifest-path",
            "exercises/Cargo.toml",
            "--all-targets",
        ],
    ];
    for step in crate::check::LINTS.into_iter().chain(starters) {
        let (success, output) = cargo(&tree, &target, step);
        assert!(
            success,
            "cargo {} in the scaffolded copy:\n{output}",
            step.join(" ")
        );
    }

    let (success, output) = cargo(
        &tree,
        &target,
        &["test", "--test", "proofs", "--", "pages::"],
    );
    assert!(
        !success,
        "something is left to write, so the pages' test fails:\n{output}"
    );
    let failed: Vec<&str> = output
        .lines()
        .filter_map(|line| line.strip_prefix("test ")?.strip_suffix(" ... FAILED"))
        .collect();
    assert_eq!(failed, ["pages::nothing_is_left_to_write"], "{output}");
    let left = harness::to_write::scan(&tree);
    for place in &left {
        let named = format!("{}:{}:", place.path, place.line);
        assert!(output.contains(&named), "the test names {named}\n{output}");
    }
    let files: BTreeSet<String> = left.into_iter().map(|place| place.path).collect();
    assert_eq!(files, left_to_write(&facts));
}

/// Where cargo builds the copy: a directory of its own, kept between runs. Not this test's own
/// build directory: cargo names a workspace crate's build by its path inside the workspace, so
/// the copy's `course` and this workspace's would overwrite each other there, and a test could
/// run the copy's.
fn target_dir() -> PathBuf {
    let own = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || crate::workspace_root().join("target"),
        |dir| {
            std::env::current_dir()
                .expect("a working directory")
                .join(dir)
        },
    );
    own.join("xtask-scaffold")
}

/// Makes `tree` hold exactly the files of `from`, rewriting only those that differ, so that
/// cargo rebuilds only what changed since the last run.
fn sync(from: &Path, tree: &Path) {
    let wanted = files_under(from, from);
    for stale in files_under(tree, tree).difference(&wanted) {
        fs::remove_file(tree.join(stale)).expect("a stale file of the copy can go");
    }
    remove_empty_dirs(tree);
    for file in &wanted {
        let text = fs::read(from.join(file)).expect("a file just listed");
        let to = tree.join(file);
        if fs::read(&to).ok().as_deref() != Some(text.as_slice()) {
            fs::create_dir_all(to.parent().expect("a file in a directory")).expect("mkdir");
            fs::write(&to, text).expect("the copy is writable");
        }
    }
}

/// Removes the directories under `dir` that hold no file (a crate cargo would find by the
/// workspace's `crates/*` and fail to load), and says whether `dir` itself is left empty.
fn remove_empty_dirs(dir: &Path) -> bool {
    let mut empty = true;
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() && entry.file_name() != "target" && remove_empty_dirs(&path) {
            fs::remove_dir(&path).expect("an empty directory of the copy can go");
        } else {
            empty = false;
        }
    }
    empty
}

/// Runs cargo with `args` in `tree`, building in `target`; whether it succeeded, and what it
/// printed (stdout, then stderr).
fn cargo(tree: &Path, target: &Path, args: &[&str]) -> (bool, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(args)
        .current_dir(tree)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("cargo runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}
