//! # `practice`: the exercises' runner
//!
//! The student writes the lessons' programs in `exercises/` (a Cargo workspace of its own, so
//! unfinished code never touches the course's build); this runner builds the student's code
//! fresh with cargo and runs each exercise's checks against it, on real sockets on loopback.
//! `list` shows what is done, `check` runs one exercise's checks, `hint` asks a question that
//! points the way, and `watch` re-runs the checks whenever a file is saved (or Enter is
//! pressed, where file watching does not work). `--solutions` runs the same checks on the
//! reference solutions, which is how `tests/exercises.rs` proves every check can pass.
//!
//! Left out on purpose: any socket call. The checks' sockets live in `checks/`, each check a
//! function that says what it expected and what it got.

mod build;
mod catalog;
mod checks;
mod cli;
mod commands;
mod places;
mod program;
mod progress;
mod verdict;
mod watch;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use commands::{build_all, check, check_binary, chosen, hint, list, unknown};
use places::Places;

fn main() -> ExitCode {
    end_quietly_when_stdout_closes();
    let cli = Cli::parse();
    let places = Places::new(&cli);
    if !places.dir.join("Cargo.toml").is_file() {
        eprintln!(
            "错误：{shown} 里没有练习的工作区（Cargo.toml）\nerror: there is no exercises' workspace (Cargo.toml) in {shown}",
            shown = places.shown
        );
        return ExitCode::from(2);
    }
    match cli.command.unwrap_or(Command::List) {
        Command::List => {
            list(&places);
            ExitCode::SUCCESS
        }
        Command::Check { exercise, binary } => {
            let Some(exercise) = chosen(exercise.as_deref(), &places) else {
                return ExitCode::from(2);
            };
            let passed = match binary {
                Some(binary) => check_binary(&places, exercise, &binary),
                None => check(&places, exercise),
            };
            if passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Hint { exercise } => match catalog::find(&exercise) {
            Some(exercise) => {
                hint(&places, exercise);
                ExitCode::SUCCESS
            }
            None => unknown(&exercise),
        },
        Command::Watch { exercise, manual } => {
            let start = match exercise.as_deref().map(catalog::find) {
                Some(None) => return unknown(exercise.as_deref().unwrap_or_default()),
                Some(Some(exercise)) => Some(exercise),
                None => None,
            };
            watch::run(&places, start, manual)
        }
        Command::Build => build_all(&places),
    }
}

/// What a shell reports for a program that `SIGPIPE` ended (128 + 13), as `cat` gives under
/// `head`: a script with `set -o pipefail` sees practice end the way any other program does.
const STDOUT_CLOSED: i32 = 141;

/// A reader who closes the pipe early (`practice hint 1 | head -1`) has read what they wanted.
/// `println!` then panics ("failed printing to stdout"), because Rust ignores `SIGPIPE` — which
/// the checks need ignored: a student's server that closes early must not end the runner. So a
/// panic of that kind ends the run at once and quietly; every other panic is shown as usual.
fn end_quietly_when_stdout_closes() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") {
            std::process::exit(STDOUT_CLOSED);
        }
        report(info);
    }));
}
