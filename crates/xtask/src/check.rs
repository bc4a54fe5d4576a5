//! `cargo xtask check`: everything `just test` runs (the justfile's recipe is this task), one
//! step after another, each shown as the command a person would type, stopping at the first
//! that fails.

use std::process::Command;

/// The lints, in order, before the tests. The solutions are a Cargo workspace of their own, so
/// they get their own fmt and clippy; the starters are checked as committed in
/// `tests/exercises.rs` (a student's own work never fails this), and never by clippy: their
/// `todo!()`s are the point. The scaffold's test runs the same ones in its copy.
pub(crate) const LINTS: [&[&str]; 4] = [
    &["fmt", "--all", "--", "--check"],
    &[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ],
    &[
        "fmt",
        "--manifest-path",
        "solutions/Cargo.toml",
        "--all",
        "--",
        "--check",
    ],
    &[
        "clippy",
        "--manifest-path",
        "solutions/Cargo.toml",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ],
];

/// The last step: every test of the workspace.
const TESTS: &[&str] = &["test", "--workspace"];

/// The tools the book needs beyond the Rust toolchain.
const BOOK_TOOLS: [&str; 2] = ["mdbook", "mdbook-mermaid"];

pub fn run() -> Result<(), String> {
    let root = crate::workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for step in LINTS.iter().chain([&TESTS]) {
        println!("$ cargo {}", step.join(" "));
        let mut command = Command::new(&cargo);
        command.args(*step).current_dir(&root);
        succeed(command, &format!("cargo {}", step.join(" ")))?;
    }
    if BOOK_TOOLS.iter().all(|tool| on_path(tool)) {
        println!("$ scripts/book");
        let mut command = Command::new("bash");
        command.arg("scripts/book").current_dir(&root);
        succeed(command, "scripts/book")
    } else {
        println!(
            "未安装 mdbook 或 mdbook-mermaid，没有构建课程书（just book 会先安装它们）\n\
             / mdbook or mdbook-mermaid is not installed, so the book was not built \
             (just book installs them)"
        );
        Ok(())
    }
}

fn succeed(mut command: Command, shown: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|error| format!("{shown}: 启动不了 could not start: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} 失败了 failed: {status}"))
    }
}

/// Whether `tool` is a file in one of `PATH`'s directories.
fn on_path(tool: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        let file = dir.join(tool);
        file.is_file() || file.with_extension("exe").is_file()
    })
}
