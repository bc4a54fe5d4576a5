//! Builds the student's package with cargo, every time, so a check always runs the code as it
//! is now. A compile error is reported as such, with cargo's first error lines.
//!
//! While cargo compiles, the student sees that it does (the first build of the exercises'
//! workspace takes a minute on a slow machine, and a silent terminal looks like a hang): one
//! line saying so, then the name of each crate as cargo compiles it. A build with nothing to
//! compile prints nothing.

use std::fs;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;

/// Why a build gave no binary.
pub enum Failed {
    /// The code does not compile: cargo's first error, as cargo printed it.
    CompileError(String),
    /// Cargo itself could not be run, or failed for another reason.
    CargoFailed(String),
}

/// A fresh binary, on a path only this run uses (see [`private_link`]); the path goes away
/// when this value does.
pub struct Binary {
    path: PathBuf,
    private: bool,
    /// What the compiler warned about in the student's own code, each warning whole.
    pub warnings: Vec<String>,
}

impl Binary {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        if self.private {
            // Only a link: cargo's own binary stays. A link left behind is removed later.
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// How many lines of cargo's error output a student sees: the first error, whole.
const ERROR_LINES: usize = 20;

/// The line printed when cargo starts compiling.
pub const COMPILING: &str = "正在编译练习… / compiling the exercises…";

/// The same, when the build directory holds no compiled dependency yet (see [`first_build`]).
pub const COMPILING_FIRST: &str = "正在编译练习…（第一次要一两分钟）/ compiling the exercises… (the first time takes a minute or two)";

/// Builds `package` of the workspace at `workspace` into `target_dir`.
pub fn build(workspace: &Path, package: &str, target_dir: &Path) -> Result<Binary, Failed> {
    let stderr = cargo_build(
        workspace,
        &["--package", package, "--bin", package],
        target_dir,
    )?;
    let mut binary = private_link(target_dir, package);
    binary.warnings = warnings(&stderr, package);
    Ok(binary)
}

/// Builds every package of the workspace at `workspace` (`practice build`), so that the checks
/// that follow compile nothing.
pub fn build_all(workspace: &Path, target_dir: &Path) -> Result<(), Failed> {
    cargo_build(workspace, &["--workspace"], target_dir).map(drop)
}

/// Runs `cargo build` with `args`, showing progress while it compiles; returns cargo's stderr,
/// which holds the compiler's warnings (cargo repeats them when it compiles nothing).
fn cargo_build(workspace: &Path, args: &[&str], target_dir: &Path) -> Result<String, Failed> {
    // Under `cargo run`, cargo says where it is; otherwise the one on PATH.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let child = Command::new(cargo)
        .arg("build")
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        .args(args)
        .args(["--color", "never"])
        .arg("--target-dir")
        .arg(target_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = child.map_err(|error| {
        Failed::CargoFailed(format!("无法运行 cargo\ncannot run cargo: {error}"))
    })?;
    let first = first_build(target_dir);
    let stderr = child.stderr.take().map(|pipe| {
        // Read on a thread so that cargo never blocks on a full pipe while we wait for it.
        thread::spawn(move || relay(BufReader::new(pipe), &mut io::stdout(), first))
    });
    let status = child.wait();
    let stderr = stderr
        .and_then(|reader| reader.join().ok())
        .unwrap_or_default();
    match status {
        Ok(status) if status.success() => Ok(stderr),
        Ok(_) => Err(match first_error(&stderr) {
            Some(error) => Failed::CompileError(error),
            None => Failed::CargoFailed(stderr.trim().to_owned()),
        }),
        Err(error) => Err(Failed::CargoFailed(format!(
            "cargo 没有正常结束\ncargo did not end normally: {error}"
        ))),
    }
}

/// Whether nothing has been compiled into `target_dir` yet: no library among its compiled
/// dependencies, so cargo is about to compile all of them (clap, socket2, tokio…), which is
/// what takes a minute or two. Later builds compile only the student's crate.
pub fn first_build(target_dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(target_dir.join("debug").join("deps")) else {
        return true;
    };
    !entries
        .flatten()
        .any(|entry| entry.path().extension().is_some_and(|ext| ext == "rlib"))
}

/// Reads cargo's stderr to its end and returns it; on the first `Compiling` line prints
/// [`COMPILING`] to `out` ([`COMPILING_FIRST`] on a `first` build), then each crate's name as
/// cargo starts compiling it.
pub fn relay(stderr: impl BufRead, out: &mut impl Write, first: bool) -> String {
    let mut all = String::new();
    let mut announced = false;
    for line in stderr.lines() {
        let Ok(line) = line else { break };
        if let Some(what) = line.trim_start().strip_prefix("Compiling ") {
            if !announced {
                let _ = writeln!(out, "  {}", if first { COMPILING_FIRST } else { COMPILING });
                announced = true;
            }
            // `clap v4.5.1` or `ex01_client v0.1.0 (/path)`: the name and version are enough.
            let name: Vec<&str> = what.split_whitespace().take(2).collect();
            let _ = writeln!(out, "    {}", name.join(" "));
            let _ = out.flush();
        }
        all.push_str(&line);
        all.push('\n');
    }
    all
}

/// A hard link to the fresh binary that only this run uses.
///
/// Each workspace has a build directory of its own (`build_dir` in main.rs), but two runs on
/// one workspace may overlap (`watch` in one terminal, `check` in another, after an edit): the
/// second build would put its binary at the same path while the first run's checks still start
/// it. So each run starts a link of its own, made at once after its build.
fn private_link(target_dir: &Path, package: &str) -> Binary {
    let name = format!("{package}{}", std::env::consts::EXE_SUFFIX);
    let built = target_dir.join("debug").join(&name);
    let runs = target_dir.join("practice-runs");
    let pid = std::process::id();
    let private = runs.join(format!("{pid}-{name}"));
    let _ = fs::create_dir_all(&runs);
    remove_stale_links(&runs);
    let _ = fs::remove_file(&private);
    match fs::hard_link(&built, &private) {
        Ok(()) => Binary {
            path: private,
            private: true,
            warnings: Vec::new(),
        },
        // A file system without hard links: run the binary where cargo put it.
        Err(_) => Binary {
            path: built,
            private: false,
            warnings: Vec::new(),
        },
    }
}

/// Removes the links of runs that ended without removing theirs (stopped with Ctrl-C), so
/// that old binaries do not pile up. Only where the running processes can be seen (Linux).
fn remove_stale_links(runs: &Path) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(entries) = fs::read_dir(runs) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((pid, _)) = name.split_once('-') else {
            continue;
        };
        // A name that is no process id is no run's either.
        if pid.parse().map_or(true, course::process::ended) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// How many lines of one warning a student sees.
const WARNING_LINES: usize = 12;

/// The compiler's warnings about `package` in cargo's output, each block whole (up to
/// [`WARNING_LINES`]). Rustc's warnings often name the bug itself: an "unreachable pattern" is
/// a match arm that never runs.
///
/// Cargo prints a package's warnings together and then its summary, "warning: `ex01_client`
/// (bin "ex01_client") generated 2 warnings": the blocks before a summary that names another
/// package (a path dependency) are that one's, and left out.
pub fn warnings(stderr: &str, package: &str) -> Vec<String> {
    let mut kept = Vec::new();
    let mut pending: Vec<Vec<&str>> = Vec::new();
    let mut inside = false;
    for line in stderr.lines() {
        if line.starts_with("warning") && line.contains(" generated ") {
            if line.contains(&format!("`{package}`")) {
                kept.append(&mut pending);
            }
            pending.clear();
            inside = false;
        } else if line.starts_with("warning") {
            pending.push(vec![line]);
            inside = true;
        } else if line.starts_with("error") || line.trim_start().starts_with("Compiling ") {
            inside = false;
        } else if inside && let Some(block) = pending.last_mut() {
            block.push(line);
        }
    }
    kept.into_iter()
        .map(|mut block| {
            while block.last().is_some_and(|line| line.trim().is_empty()) {
                block.pop();
            }
            block.truncate(WARNING_LINES);
            block.join("\n")
        })
        .collect()
}

/// The first `error…` block of cargo's output (warnings before it are left out), and how many
/// more errors follow.
pub fn first_error(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let is_error =
        |line: &str| line.starts_with("error") && !line.starts_with("error: could not compile");
    let start = lines.iter().position(|line| is_error(line))?;
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
        .filter(|line| is_error(line))
        .count();
    let mut text = block.join("\n");
    let errors = if more == 1 {
        "error follows"
    } else {
        "errors follow"
    };
    if more > 0 {
        text.push_str(&format!(
            "\n（后面还有 {more} 个错误，先改这一个）\n({more} more {errors}: fix this one first)"
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
        assert!(error.contains("(1 more error follows: "), "{error}");
        let two = stderr.replace("error: could not", "error[E0384]: again\nerror: could not");
        let error = first_error(&two).expect("there is an error");
        assert!(error.contains("(2 more errors follow: "), "{error}");
    }

    /// The student's warnings are kept whole; a path dependency's and cargo's summary are not.
    #[test]
    fn the_students_warnings_are_kept_and_others_left_out() {
        let stderr = "   Compiling course v0.1.0 (/work/crates/course)\n\
            warning: unused variable: `x`\n --> ../crates/course/src/lib.rs:3:9\n\n\
            warning: `course` (lib) generated 1 warning\n\
            \x20  Compiling ex09_event_loop v0.1.0 (/work/exercises/09_event_loop)\n\
            warning: unreachable pattern\n --> 09_event_loop/src/main.rs:40:13\n   |\n\
            40 |             Err(_) => {}\n   |             ^^^^^^ no value can reach this\n\n\
            warning: `ex09_event_loop` (bin \"ex09_event_loop\") generated 1 warning\n\
            \x20   Finished `dev` profile\n";
        let warnings = warnings(stderr, "ex09_event_loop");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("warning: unreachable pattern"),
            "{warnings:?}"
        );
        assert!(
            warnings[0].contains("no value can reach this"),
            "{warnings:?}"
        );
        assert!(!warnings[0].contains("generated"), "{warnings:?}");
    }

    /// While cargo compiles, the student sees that it does, before cargo has finished; a build
    /// with nothing to compile prints nothing.
    #[test]
    fn compiling_is_announced_as_it_starts() {
        let cargo = "    Blocking waiting for file lock on build directory\n   Compiling libc v0.2.170\n   \
            Compiling ex01_client v0.1.0 (/work/exercises/01_client)\n    Finished `dev` profile\n";
        let mut out = Vec::new();
        let all = relay(cargo.as_bytes(), &mut out, true);
        let out = String::from_utf8(out).expect("the relay writes text");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [
                &format!("  {COMPILING_FIRST}") as &str,
                "    libc v0.2.170",
                "    ex01_client v0.1.0"
            ],
            "{out}"
        );
        assert!(all.contains("Finished"), "everything is kept: {all}");

        let mut out = Vec::new();
        relay("    Finished `dev` profile\n".as_bytes(), &mut out, true);
        assert!(out.is_empty(), "nothing compiled, nothing said");
    }

    /// "The first time takes a minute or two" is said only on a first build, while the build
    /// directory holds no compiled dependency; afterwards only that it compiles.
    #[test]
    fn only_the_first_build_is_said_to_be_slow() {
        let target = std::env::temp_dir().join(format!("practice-first-{}", std::process::id()));
        let _ = fs::remove_dir_all(&target);
        assert!(first_build(&target), "no build directory yet");
        let deps = target.join("debug").join("deps");
        fs::create_dir_all(&deps).expect("a temporary directory can be made");
        fs::write(deps.join("libclap-0123.rmeta"), "").expect("a temporary file");
        assert!(
            first_build(&target),
            "metadata only: nothing compiled to link yet"
        );
        fs::write(deps.join("libclap-0123.rlib"), "").expect("a temporary file");
        let first = first_build(&target);
        let _ = fs::remove_dir_all(&target);
        assert!(!first, "a compiled dependency: not the first build");

        let cargo = "   Compiling ex01_client v0.1.0 (/work/exercises/01_client)\n";
        let mut out = Vec::new();
        relay(cargo.as_bytes(), &mut out, first);
        let out = String::from_utf8(out).expect("the relay writes text");
        assert_eq!(
            out.lines().next(),
            Some(&format!("  {COMPILING}") as &str),
            "{out}"
        );
        assert!(!out.contains("first time"), "{out}");
    }
}
