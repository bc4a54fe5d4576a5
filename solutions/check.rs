//! The exercise's checks, as a test of its reference solution, for mutation testing
//! (`just mutants-solution N`, see CONTRIBUTING.md): cargo-mutants changes the solution (a
//! function returns a default, a `<` becomes `<=`, a call goes), builds it and runs this test,
//! which runs `practice check N --binary` on the binary just built. A mutant that passes every
//! check is a wrong program the checks would let a student pass too.
//!
//! Every solution's manifest names this one file as its `check` test; the exercise's number
//! comes from the package's name (`solution09_event_loop` is exercise 9).

use std::path::PathBuf;
use std::process::Command;

/// The solution's binary, which cargo builds before it runs an integration test: beside the
/// test's own directory (`target/debug/deps/check-…` and `target/debug/solutionNN_…`).
fn solution_binary() -> PathBuf {
    let test = std::env::current_exe().expect("the test knows its own path");
    let debug = test
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test runs from target/<profile>/deps");
    debug.join(format!(
        "{}{}",
        env!("CARGO_PKG_NAME"),
        std::env::consts::EXE_SUFFIX
    ))
}

/// The exercise's number, from the package's name.
fn exercise() -> u32 {
    let name = env!("CARGO_PKG_NAME");
    let digits = name.trim_start_matches("solution").get(..2);
    digits
        .and_then(|digits| digits.parse().ok())
        .unwrap_or_else(|| panic!("{name} is named solutionNN_…"))
}

/// Every check of the exercise passes on the solution as it is built now.
#[test]
fn every_check_passes() {
    let Some(practice) = std::env::var_os("COURSE_PRACTICE") else {
        panic!(
            "set COURSE_PRACTICE to the practice runner's binary: `just mutants-solution N` \
             builds it and sets it"
        );
    };
    let output = Command::new(practice)
        .arg("check")
        .arg(exercise().to_string())
        .arg("--solutions")
        .arg("--binary")
        .arg(solution_binary())
        .output()
        .expect("the practice runner starts");
    assert!(
        output.status.success(),
        "a check failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
