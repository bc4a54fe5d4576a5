//! Tools beyond the Rust toolchain (python3, mdbook, chromium, …) that some tests use.
//!
//! The README promises that `cargo test --workspace` needs nothing but the Rust toolchain, so a
//! test whose tool is absent skips, and says so on a line of its own. CI installs every tool
//! and sets `COURSE_REQUIRE_TOOLS=1` (see `.ci/run`): there a missing tool fails the test
//! instead, so a green CI run means that every test really ran.

use std::env;
use std::io::{self, Write as _};
use std::path::PathBuf;

/// Set (to anything but `0`) where every tool must be present, as in CI.
pub const REQUIRE_TOOLS: &str = "COURSE_REQUIRE_TOOLS";

/// The path of `tool` on `PATH`, or `None` after printing that `test` skipped without it.
/// Panics instead of skipping when [`REQUIRE_TOOLS`] is set.
pub fn tool(tool: &str, test: &str) -> Option<PathBuf> {
    if let Some(path) = find_on_path(tool) {
        return Some(path);
    }
    let required = env::var_os(REQUIRE_TOOLS).is_some_and(|value| value != "0");
    assert!(
        !required,
        "{test}: {tool} is not installed, and {REQUIRE_TOOLS} says every test must run"
    );
    skip(test, &format!("没有安装 {tool} / {tool} is not installed"));
    None
}

/// Says, on a line of its own, that `test` proved nothing here and why. Written to the stderr
/// handle itself, not with `eprintln!`, which libtest captures (and shows only for a failing
/// test): the student and the instructor see which proof did not run.
pub fn skip(test: &str, why: &str) {
    let _ = writeln!(io::stderr(), "跳过 SKIPPED {test}: {why}");
}

/// The first executable file named `name` in the directories of `PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .flat_map(|dir| {
            let plain = dir.join(name);
            let exe = dir.join(format!("{name}{}", env::consts::EXE_SUFFIX));
            [plain, exe]
        })
        .find(|candidate| candidate.is_file())
}
