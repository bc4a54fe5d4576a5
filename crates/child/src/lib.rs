//! # `child`: the course's programs, run as children
//!
//! The tour (a program students run) and the tests' harness both start lesson programs. Both
//! find a lesson's binary the same way, here: built first, by cargo, in the profile the caller
//! was built in, so that neither ever runs a stale binary, and the build's time is spent before
//! any clock that bounds a behaviour starts.
//!
//! A build that fails comes back as an error to show (the tour prints it and goes on with the
//! next lesson; the harness fails the test with it), never as a panic to catch.
//!
//! Left out on purpose: the lesson programs and the exercises, which depend only on `course`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

/// The path of `package`'s binary of the same name, built first (once per process) in the
/// caller's profile; or cargo's message if the build failed.
pub fn workspace_binary(package: &str) -> Result<PathBuf, String> {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT
        .get_or_init(Mutex::default)
        .lock()
        // A build that panicked elsewhere left nothing half-written in the map.
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(path) = built.get(package) {
        return Ok(path.clone());
    }
    let path = build(package)?;
    built.insert(package.to_owned(), path.clone());
    Ok(path)
}

fn build(package: &str) -> Result<PathBuf, String> {
    let run = escargot::CargoBuild::new()
        .manifest_path(workspace_manifest())
        .package(package)
        .bin(package)
        .current_release()
        .run()
        .map_err(|error| format!("cargo build -p {package} failed:\n{error}"))?;
    Ok(run.path().to_path_buf())
}

/// The workspace's `Cargo.toml`: this crate lives in `crates/child`.
fn workspace_manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A package that does not exist is cargo's error, returned, not a panic.
    #[test]
    fn a_failed_build_is_an_error_to_show() {
        let error = workspace_binary("no-such-lesson").expect_err("there is no such package");
        assert!(
            error.contains("cargo build -p no-such-lesson failed"),
            "{error}"
        );
    }
}
