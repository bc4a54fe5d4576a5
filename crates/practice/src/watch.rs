//! Watch mode: check the current exercise, then again every time a file is saved; when it
//! passes, move on to the next one.
//!
//! Saves are seen through the `notify` crate (inotify, FSEvents, ReadDirectoryChangesW),
//! debounced so that an editor's several writes for one save make one re-check. Some file
//! systems deliver no events (a Windows drive under WSL2, some network mounts), so Enter
//! always re-checks too, and `--manual` (or a watcher that cannot start) uses Enter alone.

use std::io::{self, BufRead};
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer, notify};

use crate::catalog::Exercise;
use crate::{Places, check, hint, list, progress};

/// What the student did.
enum Signal {
    /// A file of the exercises was saved.
    Saved,
    /// Enter (or any line but a command).
    Recheck,
    Hint,
    List,
    Quit,
    /// Standard input closed.
    NoMoreInput,
}

/// How long after the last write of a save the checks start.
const SETTLE: Duration = Duration::from_millis(300);

pub fn run(places: &Places, start: Option<&'static Exercise>, manual: bool) -> ExitCode {
    let (signals, received) = mpsc::channel();
    read_keys(signals.clone());
    // Kept alive for as long as the loop runs: dropping it stops the watching.
    let watcher = if manual {
        println!("手动模式：按回车重新检查 / manual mode: press Enter to re-check");
        None
    } else {
        match watch_files(&places.dir, signals) {
            Ok(watcher) => Some(watcher),
            Err(error) => {
                println!(
                    "无法监视文件，改为按回车重新检查 / cannot watch the files, so press Enter to re-check: {error}"
                );
                None
            }
        }
    };
    let mut current = start.or_else(|| progress::first_not_done(places));
    loop {
        let Some(exercise) = current else {
            println!("全部完成了！/ every exercise is done!");
            return ExitCode::SUCCESS;
        };
        println!();
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
        println!(
            "{} 回车重新检查 · h 提示 · l 列表 · q 退出 / Enter re-checks · h hint · l list · q quit",
            if manual || watcher.is_none() {
                "改好后按回车。/ Press Enter when you have changed the code."
            } else {
                "保存文件时自动重新检查。/ Saving a file re-checks."
            }
        );
        // Wait for a save or a key; hints and the list do not re-run the checks.
        loop {
            match received.recv() {
                Ok(Signal::Saved | Signal::Recheck) => break,
                Ok(Signal::Hint) => hint(places, exercise),
                Ok(Signal::List) => list(places),
                Ok(Signal::Quit) => return ExitCode::SUCCESS,
                // Without keys, saves still re-check; with neither, there is nothing to wait for.
                Ok(Signal::NoMoreInput) if watcher.is_none() => return ExitCode::SUCCESS,
                Ok(Signal::NoMoreInput) => {}
                Err(_) => return ExitCode::SUCCESS,
            }
        }
        // Several saves while the checks ran make one more run, not several.
        while let Ok(Signal::Saved) = received.try_recv() {}
    }
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

/// Watches `dir` for saved source files and manifests.
fn watch_files(
    dir: &Path,
    signals: Sender<Signal>,
) -> Result<Debouncer<notify::RecommendedWatcher>, notify::Error> {
    let mut debouncer = new_debouncer(SETTLE, move |result: DebounceEventResult| {
        let saved = match result {
            Ok(events) => events.iter().any(|event| is_source(&event.path)),
            // An error from the watcher: re-check anyway; Enter still works if it persists.
            Err(_) => true,
        };
        if saved {
            let _ = signals.send(Signal::Saved);
        }
    })?;
    debouncer.watcher().watch(dir, RecursiveMode::Recursive)?;
    Ok(debouncer)
}

/// A Rust source file or a manifest, and not something cargo wrote in a build directory.
fn is_source(path: &Path) -> bool {
    let built = path.components().any(|part| part.as_os_str() == "target");
    let source = path.extension().is_some_and(|ext| ext == "rs")
        || path.file_name().is_some_and(|name| name == "Cargo.toml");
    source && !built
}
