//! Watch mode: check the current exercise, then again every time its contents change; when it
//! passes, move on to the next one.
//!
//! Changes are seen through the `notify` crate (inotify, FSEvents, ReadDirectoryChangesW), but
//! an event is only a reason to look, never a reason to re-check: the watcher also reports files
//! being opened and read (by the editor, by cargo, by this runner's own checks) and writes that
//! change nothing. So only writes, creations, removals and renames of `*.rs` and `Cargo.toml`
//! files outside a build directory are taken, the runner waits until they have been quiet for a
//! moment (an editor's several writes for one save), and then re-checks only if the exercise's
//! files differ from the ones it checked last. Some file systems deliver no events (a Windows
//! drive under WSL2, some network mounts), so Enter always re-checks too, and `--manual` (or a
//! watcher that cannot start) uses Enter alone.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use notify_debouncer_mini::notify::event::{AccessKind, AccessMode, ModifyKind};
use notify_debouncer_mini::notify::{
    self, Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher,
};

use crate::catalog::Exercise;
use crate::commands::{check, hint, list};
use crate::places::Places;
use crate::progress;

/// What the student did.
enum Signal {
    /// A file of the exercises may have changed.
    Changed,
    /// Enter (or any line but a command).
    Recheck,
    Hint,
    List,
    Quit,
    /// Standard input closed.
    NoMoreInput,
}

/// How long the files must be quiet after a change before the runner looks at them: one save
/// is often several writes (truncate, write, rename).
const SETTLE: Duration = Duration::from_millis(300);

pub fn run(places: &Places, start: Option<&'static Exercise>, manual: bool) -> ExitCode {
    let (signals, received) = mpsc::channel();
    read_keys(signals.clone());
    // Kept alive for as long as the loop runs: dropping it stops the watching.
    let watcher = if manual {
        println!("手动模式：按回车重新检查\nmanual mode: press Enter to re-check");
        None
    } else {
        match watch_files(&places.dir, signals) {
            Ok(watcher) => Some(watcher),
            Err(error) => {
                println!(
                    "无法监视文件，改为按回车重新检查\ncannot watch the files, so press Enter to re-check: {error}"
                );
                None
            }
        }
    };
    let by_enter = manual || watcher.is_none();
    let mut current = start.or_else(|| progress::first_not_done(places));
    loop {
        let Some(exercise) = current else {
            println!("全部完成了！/ every exercise is done!");
            return ExitCode::SUCCESS;
        };
        println!();
        // What is checked now: a later event with the files still like this is no change.
        let checked = contents(places, exercise);
        if check(places, exercise) {
            // Passed: on to the next exercise not done, checked at once so its first step shows.
            let next = progress::first_not_done(places);
            if next.is_some_and(|next| next.number != exercise.number) {
                current = next;
                continue;
            }
            current = next;
            if current.is_none() {
                continue;
            }
        }
        for line in prompt(by_enter) {
            println!("{line}");
        }
        match wait(places, exercise, &checked, &received, by_enter) {
            // The new check replaces the old one on the screen, as rustlings does. (Moving on
            // after a pass keeps the screen, so the pass stays in sight.)
            Next::Check => clear_screen(&mut io::stdout(), io::stdout().is_terminal()),
            Next::Quit => return ExitCode::SUCCESS,
        }
    }
}

/// What the student is told after each check: the keys are read a line at a time, so each
/// letter needs Enter after it.
fn prompt(by_enter: bool) -> [&'static str; 2] {
    if by_enter {
        [
            "改好后按回车重新检查 · 输入 h 看提示、l 看列表、q 退出，再按回车",
            "press Enter when you have changed the code · type h (hint), l (list) or q (quit), then Enter",
        ]
    } else {
        [
            "保存文件时自动重新检查，按回车也会 · 输入 h 看提示、l 看列表、q 退出，再按回车",
            "saving a file re-checks, so does Enter · type h (hint), l (list) or q (quit), then Enter",
        ]
    }
}

/// Moves to the top of the screen and clears it and its scroll-back (what rustlings sends),
/// on a terminal only: through a pipe (a test, a log) the codes would be noise.
const CLEAR: &str = "\x1b[H\x1b[2J\x1b[3J";

/// Clears the screen before a re-check, if `out` is a `terminal`.
fn clear_screen(out: &mut impl Write, terminal: bool) {
    if terminal {
        let _ = out.write_all(CLEAR.as_bytes());
        let _ = out.flush();
    }
}

enum Next {
    Check,
    Quit,
}

/// Waits for a reason to re-check: Enter, or files that differ from `checked`. Hints and the
/// list do not re-run the checks.
fn wait(
    places: &Places,
    exercise: &Exercise,
    checked: &str,
    received: &Receiver<Signal>,
    by_enter: bool,
) -> Next {
    let mut pending = None;
    loop {
        let signal = match pending.take() {
            Some(signal) => signal,
            None => match received.recv() {
                Ok(signal) => signal,
                Err(_) => return Next::Quit,
            },
        };
        match signal {
            Signal::Changed => {
                pending = settle(received);
                if contents(places, exercise) != checked {
                    return Next::Check;
                }
            }
            Signal::Recheck => return Next::Check,
            Signal::Hint => hint(places, exercise),
            Signal::List => list(places),
            Signal::Quit => return Next::Quit,
            // Without keys, saves still re-check; with neither, there is nothing to wait for.
            Signal::NoMoreInput if by_enter => return Next::Quit,
            Signal::NoMoreInput => {}
        }
    }
}

/// Lets the events of one save go by: returns once no change has come for [`SETTLE`], or with
/// the first signal that is not a change (a key), for the caller to handle next.
fn settle(received: &Receiver<Signal>) -> Option<Signal> {
    loop {
        match received.recv_timeout(SETTLE) {
            Ok(Signal::Changed) => {}
            Ok(other) => return Some(other),
            Err(RecvTimeoutError::Timeout) => return None,
            Err(RecvTimeoutError::Disconnected) => return Some(Signal::Quit),
        }
    }
}

/// The exercise's contents as a fingerprint: its package and the workspace's manifest.
fn contents(places: &Places, exercise: &Exercise) -> String {
    let workspace = std::fs::read(places.dir.join("Cargo.toml")).unwrap_or_default();
    format!(
        "{}-{}",
        progress::fingerprint(&places.package_dir(exercise)),
        progress::hash(&workspace)
    )
}

/// Reads lines from stdin: a command letter, or Enter to re-check.
fn read_keys(signals: Sender<Signal>) {
    thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            let signal = match line.trim() {
                "q" | "quit" | "exit" => Signal::Quit,
                "h" | "hint" => Signal::Hint,
                "l" | "list" => Signal::List,
                _ => Signal::Recheck,
            };
            if signals.send(signal).is_err() {
                return;
            }
        }
        let _ = signals.send(Signal::NoMoreInput);
    });
}

/// Watches `dir` for changed source files and manifests.
fn watch_files(dir: &Path, signals: Sender<Signal>) -> notify::Result<RecommendedWatcher> {
    let root = dir.to_owned();
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<Event>| {
        let changed = match result {
            Ok(event) => {
                // Judged inside the workspace: the workspace itself may lie in a `target/`.
                let inside = |path: &PathBuf| path.strip_prefix(&root).unwrap_or(path).to_owned();
                writes(&event.kind) && event.paths.iter().any(|path| is_source(&inside(path)))
            }
            // An error from the watcher: look at the files; Enter still works if it persists.
            Err(_) => true,
        };
        if changed {
            let _ = signals.send(Signal::Changed);
        }
    })?;
    watcher.watch(dir, RecursiveMode::Recursive)?;
    Ok(watcher)
}

/// An event that can change a file's contents: not an open, a read, or a change of metadata.
fn writes(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(modify) => !matches!(modify, ModifyKind::Metadata(_)),
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Other => false,
        // A platform that cannot say what happened: look at the files.
        EventKind::Any => true,
    }
}

/// A Rust source file or a manifest (`path` within the workspace), and not something cargo
/// wrote in a build directory.
fn is_source(path: &Path) -> bool {
    let built = path.components().any(|part| part.as_os_str() == "target");
    let source = path.extension().is_some_and(|ext| ext == "rs")
        || path.file_name().is_some_and(|name| name == "Cargo.toml");
    source && !built
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify_debouncer_mini::notify::event::{CreateKind, DataChange, MetadataKind};

    /// Opens, reads and metadata changes (what cargo and the runner do to the files) are not
    /// changes; writes, creations and removals are.
    #[test]
    fn only_writes_count() {
        assert!(!writes(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!writes(&EventKind::Access(AccessKind::Read)));
        assert!(!writes(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!writes(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
        assert!(writes(&EventKind::Modify(ModifyKind::Data(
            DataChange::Any
        ))));
        assert!(writes(&EventKind::Create(CreateKind::File)));
    }

    /// The prompt says, in both languages, that a key letter needs Enter after it.
    #[test]
    fn the_prompt_says_keys_need_enter() {
        for by_enter in [true, false] {
            let [zh, en] = prompt(by_enter);
            assert!(zh.contains("输入 h") && zh.ends_with("再按回车"), "{zh}");
            assert!(en.contains("type h") && en.ends_with("then Enter"), "{en}");
            for line in [zh, en] {
                assert!(columns::width(line) <= columns::MAX_COLUMNS, "{line}");
            }
        }
    }

    /// A re-check clears a terminal's screen, and writes nothing through a pipe.
    #[test]
    fn the_screen_is_cleared_on_a_terminal_only() {
        let mut piped = Vec::new();
        clear_screen(&mut piped, false);
        assert!(piped.is_empty(), "{piped:?}");
        let mut terminal = Vec::new();
        clear_screen(&mut terminal, true);
        assert_eq!(terminal, CLEAR.as_bytes());
    }

    /// Sources and manifests count; cargo's lock file and anything under a build directory
    /// do not.
    #[test]
    fn only_sources_count() {
        assert!(is_source(Path::new("/e/01_client/src/main.rs")));
        assert!(is_source(Path::new("/e/01_client/Cargo.toml")));
        assert!(!is_source(Path::new("/e/Cargo.lock")));
        assert!(!is_source(Path::new("target/debug/build/x/out/lib.rs")));
    }
}
