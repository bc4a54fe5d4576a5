//! What a new lesson still needs by hand: `cargo xtask new-lesson` leaves [`MARK`] wherever it
//! could not write the content (a page's prose, a test's claim, a check), and
//! `pages::nothing_is_left_to_write` lists every place that still carries it.

use std::fs;
use std::path::{Path, PathBuf};

/// The mark of a place left to write. Spelled in two pieces so that this file, which the scan
/// reads too, does not carry it.
pub const MARK: &str = concat!("待写", " / to write");

/// Where the scan looks, from the workspace's root: every directory a lesson's files go in,
/// and the README's lesson map. `crates/xtask` is not looked in: its templates hold the mark.
const PLACES: [&str; 6] = [
    "lessons",
    "crates",
    "tests",
    "exercises",
    "solutions",
    "README.md",
];

/// One line that still carries [`MARK`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Left {
    /// The file, relative to the root, with `/` between its parts.
    pub path: String,
    /// Its line, from 1.
    pub line: usize,
    pub text: String,
}

impl std::fmt::Display for Left {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.text.trim())
    }
}

/// Every line under `root` that still carries [`MARK`], file by file in path order.
pub fn scan(root: &Path) -> Vec<Left> {
    let mut files = Vec::new();
    for place in PLACES {
        collect(&root.join(place), &mut files);
    }
    files.sort();
    files
        .iter()
        .flat_map(|file| {
            let path = relative(root, file);
            // A file that is not text (an image) cannot carry the mark.
            let text = fs::read_to_string(file).unwrap_or_default();
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.contains(MARK))
                .map(|(index, line)| Left {
                    path: path.clone(),
                    line: index + 1,
                    text: line.to_owned(),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_file() {
        files.push(path.to_owned());
        return;
    }
    let Ok(entries) = fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() && (name == "target" || name == "xtask") {
            continue;
        }
        collect(&path, files);
    }
}

fn relative(root: &Path, file: &Path) -> String {
    let inside = file.strip_prefix(root).unwrap_or(file);
    inside
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan finds the mark in every place a lesson's files go, with its line, and not in
    /// `target/` or `crates/xtask` (the templates).
    #[test]
    fn finds_the_mark_where_lessons_live() {
        let root = tempfile::tempdir().expect("a scratch directory");
        let write = |path: &str, text: &str| {
            let path = root.path().join(path);
            fs::create_dir_all(path.parent().expect("a file in a directory")).expect("mkdir");
            fs::write(path, text).expect("a scratch file");
        };
        write(
            "lessons/zh/lesson9.md",
            &format!("# 第 9 课\n\n{MARK}：正文\n"),
        );
        write("crates/lesson9/src/main.rs", &format!("// {MARK}\n"));
        write("README.md", &format!("| 9 | {MARK} |\n"));
        write("crates/xtask/templates/page.in", &format!("{MARK}\n"));
        write("crates/lesson9/target/debug/x.d", &format!("{MARK}\n"));
        write("notes.md", &format!("{MARK}\n"));
        let found: Vec<String> = scan(root.path())
            .iter()
            .map(|left| format!("{}:{}", left.path, left.line))
            .collect();
        assert_eq!(
            found,
            [
                "README.md:1",
                "crates/lesson9/src/main.rs:1",
                "lessons/zh/lesson9.md:3"
            ]
        );
    }
}
