//! Where things are: the exercises' workspace, where it is built, the repository.

use std::path::{Path, PathBuf};

use crate::catalog::Exercise;
use crate::cli::Cli;
use crate::progress;

/// Where things are: the exercises' workspace, the build directory, the repository.
pub struct Places {
    /// The workspace holding one package per exercise.
    pub dir: PathBuf,
    /// How to show `dir` to the student (relative to the repository when inside it).
    pub shown: String,
    /// The build directory: this workspace's own (see [`build_dir`]).
    pub target: PathBuf,
}

impl Places {
    pub(crate) fn new(cli: &Cli) -> Self {
        let root = repository();
        let dir = match (&cli.dir, cli.solutions) {
            (Some(dir), _) => dir.clone(),
            (None, true) => root.join("solutions"),
            (None, false) => root.join("exercises"),
        };
        let dir = dir.canonicalize().unwrap_or(dir);
        let shown = dir.strip_prefix(&root).map_or_else(
            |_| dir.display().to_string(),
            |relative| relative.display().to_string(),
        );
        let target = cli
            .target_dir
            .clone()
            .unwrap_or_else(|| build_dir(&root, &dir));
        Self { dir, shown, target }
    }

    /// An exercise's package directory.
    pub fn package_dir(&self, exercise: &Exercise) -> PathBuf {
        self.dir.join(exercise.dir)
    }

    /// An exercise's `main.rs`, as the student should open it.
    pub fn main_rs(&self, exercise: &Exercise) -> String {
        format!("{}/{}/src/main.rs", self.shown, exercise.dir)
    }
}

/// Where the workspace at `dir` is built: the student's `exercises/` in `target/exercises`, the
/// solutions in `target/solutions`, any other workspace (the committed starters the proofs
/// unpack, a copy, a clone's exercises) in a directory of its own named after its path.
///
/// Never two workspaces in one: the committed starters and the student's own exercises have
/// packages of the same names, and cargo keeps one binary per name in a build directory, so
/// each would stand in for the other (a finished exercise reported "not written", a starter
/// passing the proofs).
pub fn build_dir(root: &Path, dir: &Path) -> PathBuf {
    let target = root.join("target");
    if dir == root.join("exercises") {
        target.join("exercises")
    } else if dir == root.join("solutions") {
        target.join("solutions")
    } else {
        let name = dir
            .file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
        let key = progress::hash(dir.as_os_str().as_encoded_bytes());
        target.join("workspaces").join(format!("{name}-{key}"))
    }
}

/// The repository this runner was built in: `crates/practice/../..`.
fn repository() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every workspace has a build directory of its own: the student's exercises, the
    /// solutions, and each other copy (the committed starters) by its path.
    #[test]
    fn no_two_workspaces_share_a_build_directory() {
        let root = Path::new("/course");
        let dirs = [
            root.join("exercises"),
            root.join("solutions"),
            root.join("target/pristine/exercises"),
            Path::new("/elsewhere/exercises").to_path_buf(),
        ];
        let builds: Vec<PathBuf> = dirs.iter().map(|dir| build_dir(root, dir)).collect();
        assert_eq!(builds[0], root.join("target/exercises"));
        assert_eq!(builds[1], root.join("target/solutions"));
        for (index, build) in builds.iter().enumerate() {
            assert!(build.starts_with(root.join("target")), "{build:?}");
            assert!(
                !builds[..index].contains(build),
                "{:?} shares {build:?}",
                dirs[index]
            );
        }
    }
}
