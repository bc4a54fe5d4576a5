//! Builds the student's package with cargo, every time, so a check always runs the code as it
//! is now. A compile error is reported as such, with cargo's first error lines.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What building the package gave.
pub enum Built {
    /// The fresh binary.
    Binary(PathBuf),
    /// The code does not compile: cargo's first error, as cargo printed it.
    CompileError(String),
    /// Cargo itself could not be run, or failed for another reason.
    CargoFailed(String),
}

/// How many lines of cargo's error output a student sees: the first error, whole.
const ERROR_LINES: usize = 20;

/// Builds `package` of the workspace at `workspace` into `target_dir`.
pub fn build(workspace: &Path, package: &str, target_dir: &Path) -> Built {
    // Under `cargo run`, cargo says where it is; otherwise the one on PATH.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .arg("build")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        .args(["--package", package, "--bin", package, "--color", "never"])
        .arg("--target-dir")
        .arg(target_dir)
        .output();
    let output = match output {
        Ok(output) => output,
        Err(error) => {
            return Built::CargoFailed(format!("无法运行 cargo / cannot run cargo: {error}"));
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.success() {
        let name = format!("{package}{}", std::env::consts::EXE_SUFFIX);
        return Built::Binary(target_dir.join("debug").join(name));
    }
    match first_error(&stderr) {
        Some(error) => Built::CompileError(error),
        None => Built::CargoFailed(stderr.trim().to_owned()),
    }
}

/// The first `error…` block of cargo's output (warnings before it are left out), and how many
/// more errors follow.
pub fn first_error(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let start = lines.iter().position(|line| {
        line.starts_with("error") && !line.starts_with("error: could not compile")
    })?;
    let mut block: Vec<&str> = vec![lines[start]];
    for line in &lines[start + 1..] {
        if line.starts_with("error") || line.starts_with("warning") {
            break;
        }
        block.push(line);
    }
    while block.last().is_some_and(|line| line.trim().is_empty()) {
        block.pop();
    }
    block.truncate(ERROR_LINES);
    let more = lines[start + 1..]
        .iter()
        .filter(|line| line.starts_with("error") && !line.starts_with("error: could not compile"))
        .count();
    let mut text = block.join("\n");
    if more > 0 {
        text.push_str(&format!(
            "\n（后面还有 {more} 个错误，先改这一个 / {more} more errors follow: fix this one first）"
        ));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_error_is_kept_whole_and_warnings_are_dropped() {
        let stderr = "warning: unused import\n --> src/main.rs:1:5\n\n\
            error[E0425]: cannot find value `x` in this scope\n --> src/main.rs:9:5\n  |\n9 |     x\n  |     ^ not found\n\n\
            error[E0308]: mismatched types\n --> src/main.rs:12:5\n\n\
            error: could not compile `ex01_client` (bin \"ex01_client\") due to 2 previous errors\n";
        let error = first_error(stderr).expect("there is an error");
        assert!(
            error.starts_with("error[E0425]: cannot find value `x`"),
            "{error}"
        );
        assert!(error.contains("^ not found"), "{error}");
        assert!(!error.contains("unused import"), "{error}");
        assert!(!error.contains("mismatched types"), "{error}");
        assert!(error.contains("1 more errors follow"), "{error}");
    }
}
