//! Which exercises are done. An exercise is done when all its checks passed on the code as it
//! is now: the runner remembers a fingerprint of the package's files when they pass, in the
//! build directory (never in the student's files), and `list` compares it with the files now.
//! Without a record, `list` reads the code: a `todo!()` left names the steps still to write.

use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::catalog::{EXERCISES, Exercise};
use crate::places::Places;
use crate::verdict::step_number;

/// An exercise's state, as `list` shows it.
pub enum State {
    Done,
    /// `todo!()`s are left; the steps they name.
    StepsLeft(Vec<String>),
    /// Written but not (or not since the last change) checked to pass.
    ToCheck,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Done => f.pad("✓ 完成 done"),
            Self::StepsLeft(steps) if steps.is_empty() => f.pad("✗ 未完成 not done"),
            Self::StepsLeft(steps) => {
                f.pad(&format!("✗ 还要写第 {} 步 / steps left", steps.join("、")))
            }
            Self::ToCheck => f.pad("· 待检查 to check"),
        }
    }
}

pub fn state(places: &Places, exercise: &Exercise) -> State {
    let package = places.package_dir(exercise);
    if recorded(places).contains(&record(places, exercise, &fingerprint(&package))) {
        return State::Done;
    }
    let source = fs::read_to_string(package.join("src/main.rs")).unwrap_or_default();
    unwritten(&source)
}

/// What the `todo!()`s left in `source` say: the steps still to write, or none left.
fn unwritten(source: &str) -> State {
    // The code without its comments, as one text: rustfmt may put a todo!'s message on the
    // line after `todo!(`.
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ");
    let mut steps = Vec::new();
    let mut todos = 0;
    for (_, after) in code
        .match_indices("todo!(")
        .map(|(at, _)| code.split_at(at))
    {
        todos += 1;
        let message = after.split(')').next().unwrap_or_default();
        if let Some(step) = step_number(message)
            && !steps.contains(&step)
        {
            steps.push(step);
        }
    }
    if todos > 0 {
        // In the steps' order, not the order the todo!()s stand in the code (exercise 10's
        // tasks come before the main that spawns them).
        steps.sort_by_key(|step| step_order(step));
        State::StepsLeft(steps)
    } else {
        State::ToCheck
    }
}

/// A step's number as numbers, so that `10` comes after `9` and `3.2` after `3.1`.
fn step_order(step: &str) -> Vec<u32> {
    step.split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

/// The first exercise that is not done.
pub fn first_not_done(places: &Places) -> Option<&'static Exercise> {
    EXERCISES
        .iter()
        .find(|exercise| !matches!(state(places, exercise), State::Done))
}

/// Notes that `exercise`'s checks all passed on its files as they are now.
pub fn remember(places: &Places, exercise: &Exercise) {
    let line = record(
        places,
        exercise,
        &fingerprint(&places.package_dir(exercise)),
    );
    let mut lines = others(places, exercise);
    lines.push(line);
    save(places, &lines);
}

/// Forgets that `exercise` passed (its checks fail now).
pub fn forget(places: &Places, exercise: &Exercise) {
    let lines = others(places, exercise);
    save(places, &lines);
}

/// The package name in an exercise's `Cargo.toml` (`[package] name = "ex01_client"`), read
/// with a TOML parser: a student may add a dependency, a comment or another table, which a
/// search for a `name = ` line would mistake for it. `None` when it is missing or not TOML.
pub fn package_name(package_dir: &Path) -> Option<String> {
    let manifest = fs::read_to_string(package_dir.join("Cargo.toml")).ok()?;
    let manifest = toml_edit::Document::parse(manifest).ok()?;
    manifest
        .get("package")?
        .get("name")?
        .as_str()
        .map(str::to_owned)
}

fn file(places: &Places) -> PathBuf {
    places.target.join("practice-done.txt")
}

fn recorded(places: &Places) -> Vec<String> {
    fs::read_to_string(file(places))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn others(places: &Places, exercise: &Exercise) -> Vec<String> {
    let prefix = record(places, exercise, "");
    recorded(places)
        .into_iter()
        .filter(|line| !line.starts_with(&prefix))
        .collect()
}

fn save(places: &Places, lines: &[String]) {
    // Losing the record only makes `list` say "to check"; it is not worth an error.
    let _ = fs::create_dir_all(&places.target);
    let _ = fs::write(file(places), lines.join("\n") + "\n");
}

fn record(places: &Places, exercise: &Exercise, fingerprint: &str) -> String {
    format!("{}\t{}\t{fingerprint}", places.dir.display(), exercise.dir)
}

/// A fingerprint of the package's `Cargo.toml` and every file under `src/`.
pub fn fingerprint(package: &Path) -> String {
    let mut files = vec![package.join("Cargo.toml")];
    collect(&package.join("src"), &mut files);
    files.sort();
    let mut hasher = DefaultHasher::new();
    for path in files {
        path.hash(&mut hasher);
        fs::read(&path).unwrap_or_default().hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

/// A fingerprint of some bytes.
pub fn hash(bytes: &[u8]) -> String {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The steps left are listed in the steps' order, the way Chinese lists them (第 8、9、10
    /// 步), whatever order their todo!()s stand in.
    #[test]
    fn steps_left_are_listed_in_order() {
        let source: String = ["12", "11", "9", "10", "8", "3.2", "3.1", "8"]
            .iter()
            .map(|step| format!("    todo!(\"第 {step} 步 step {step}: write it\");\n"))
            .collect();
        assert_eq!(
            unwritten(&source).to_string(),
            "✗ 还要写第 3.1、3.2、8、9、10、11、12 步 / steps left"
        );
    }
}
