//! What each command does: build, list, check, hint; and how the results are printed.

use std::path::Path;
use std::process::ExitCode;

use crate::build::{self, Failed};
use crate::catalog::{self, EXERCISES, Exercise};
use crate::checks::Checker;
use crate::places::Places;
use crate::progress;
use crate::verdict::{Outcome, fit, fit_hanging};

/// `practice build`: compiles every exercise, showing progress, and says whether it could.
pub(crate) fn build_all(places: &Places) -> ExitCode {
    match build::build_all(&places.dir, &places.target) {
        Ok(()) => {
            println!("构建完成 / built: {}", places.shown);
            ExitCode::SUCCESS
        }
        Err(Failed::CompileError(error)) => {
            // Unfinished exercises compile (a todo!() is code); one that does not is named here.
            println!("有练习还不能编译\nan exercise does not compile yet");
            print_fitted(&error, 4);
            ExitCode::FAILURE
        }
        Err(Failed::CargoFailed(error)) => {
            println!("cargo 构建失败\ncargo could not build the exercises");
            print_fitted(&error, 4);
            ExitCode::FAILURE
        }
    }
}

/// Prints each line of `text` indented by `indent`, cut to fit the terminal.
pub(crate) fn print_fitted(text: &str, indent: usize) {
    for line in text.lines() {
        for line in fit(line, indent) {
            println!("{line}");
        }
    }
}

/// [`print_fitted`] for one line, whose continuation lines are indented by `rest`.
pub(crate) fn print_fitted_hanging(line: &str, first: usize, rest: usize) {
    for line in fit_hanging(line, first, rest) {
        println!("{line}");
    }
}

/// The exercise named, or the first one not done; `None` (after saying why) if there is none.
pub(crate) fn chosen(name: Option<&str>, places: &Places) -> Option<&'static Exercise> {
    match name {
        Some(name) => {
            let found = catalog::find(name);
            if found.is_none() {
                unknown(name);
            }
            found
        }
        None => {
            let next = progress::first_not_done(places);
            if next.is_none() {
                println!("全部完成了！/ every exercise is done!");
            }
            next
        }
    }
}

/// The error for a name that is no exercise: Chinese on one line, English on the next, each
/// pointing to the list rather than holding it (all ten names would not fit a terminal).
pub(crate) fn unknown(name: &str) -> ExitCode {
    let last = EXERCISES.len();
    eprintln!(
        "错误：没有名为“{name}”的练习；请写编号（1 到 {last}）或列表里的名字（just exercises）"
    );
    eprintln!(
        "error: there is no exercise '{name}'; give a number (1 to {last}) or a name from the list (just exercises)"
    );
    ExitCode::from(2)
}

/// Prints every exercise with its state, and under it its lesson and title.
pub fn list(places: &Places) {
    println!("练习 exercises（{}）:", places.shown);
    let rows: Vec<[String; 3]> = EXERCISES
        .iter()
        .map(|exercise| {
            [
                format!("{:>2}.", exercise.number),
                exercise.dir.to_owned(),
                progress::state(places, exercise).to_string(),
            ]
        })
        .collect();
    // The title goes on a line of its own, under the exercise's directory: beside the state it
    // would not fit a terminal.
    let under = 2
        + rows
            .iter()
            .map(|row| columns::width(&row[0]))
            .max()
            .unwrap_or(0)
        + 1;
    for (line, exercise) in columns(&rows).iter().zip(EXERCISES) {
        for line in fit_hanging(line, 2, under) {
            println!("{line}");
        }
        let title = format!(
            "第 {l} 课 lesson {l} · {}",
            exercise.title,
            l = exercise.lesson()
        );
        print_fitted(&title, under);
    }
    match progress::first_not_done(places) {
        Some(next) => {
            let n = next.number;
            let task = format!("{}/{}/README.md", places.shown, next.dir);
            print_fitted(
                &format!(
                    "下一个：just check {n}（或 cargo run -p practice -- check {n}），任务见 {task}"
                ),
                0,
            );
            print_fitted(
                &format!(
                    "next: just check {n} (or cargo run -p practice -- check {n}); the task: {task}"
                ),
                0,
            );
        }
        None => println!("全部完成了！/ every exercise is done!"),
    }
}

/// Rows of cells as lines whose columns line up on the screen: each cell but the last is
/// padded to its column's widest cell, counted in terminal columns (a CJK character and most
/// symbols such as ✓ take two), not in characters.
pub fn columns<const N: usize>(rows: &[[String; N]]) -> Vec<String> {
    let mut widths = [0; N];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(columns::width(cell));
        }
    }
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (index, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if index + 1 < N {
                    line.push_str(&" ".repeat(widths[index] - columns::width(cell) + 1));
                }
            }
            line
        })
        .collect()
}

/// Builds the exercise and runs its checks, printing each result; `true` if all pass.
pub fn check(places: &Places, exercise: &Exercise) -> bool {
    print_header(places, exercise);
    let package_dir = places.package_dir(exercise);
    let Some(package) = progress::package_name(&package_dir) else {
        println!(
            "  ✗ 找不到这个练习的 Cargo.toml / this exercise has no Cargo.toml: {}/{}",
            places.shown, exercise.dir
        );
        return false;
    };
    let binary = match build::build(&places.dir, &package, &places.target) {
        Ok(binary) => binary,
        Err(Failed::CompileError(error)) => {
            println!(
                "  ✗ 编译错误：代码还不能编译\n    compile error: the code does not compile yet"
            );
            print_fitted(&error, 6);
            progress::forget(places, exercise);
            return false;
        }
        Err(Failed::CargoFailed(error)) => {
            println!("  ✗ cargo 构建失败\n    cargo could not build it");
            print_fitted(&error, 6);
            return false;
        }
    };
    print_warnings(&binary.warnings);
    let all = run_checks(places, exercise, binary.path());
    if all {
        progress::remember(places, exercise);
    } else {
        progress::forget(places, exercise);
    }
    all
}

/// `check --binary`: runs the exercise's checks on a binary built elsewhere (a mutant of a
/// solution, built by cargo-mutants), recording no progress; `true` if all pass.
pub fn check_binary(places: &Places, exercise: &Exercise, binary: &Path) -> bool {
    print_header(places, exercise);
    run_checks(places, exercise, binary)
}

pub(crate) fn print_header(places: &Places, exercise: &Exercise) {
    print_title(exercise);
    println!("   代码 code: {}", places.main_rs(exercise));
}

/// `== 练习 N exercise N:` and the exercise's title, its English on a line of its own.
pub(crate) fn print_title(exercise: &Exercise) {
    let n = exercise.number;
    let (zh, en) = exercise
        .title
        .split_once(" / ")
        .unwrap_or((exercise.title, ""));
    print_fitted_hanging(&format!("== 练习 {n} exercise {n}: {zh}"), 0, 3);
    if !en.is_empty() {
        print_fitted(en, 3);
    }
}

/// The compiler's warnings, before the checks: they often name the bug before a check can.
pub(crate) fn print_warnings(warnings: &[String]) {
    if warnings.is_empty() {
        return;
    }
    let n = warnings.len();
    println!("  ! 编译器有 {n} 条警告，常常它就指出了错误：");
    if n == 1 {
        println!("    the compiler warned once, and a warning often names the bug:");
    } else {
        println!("    the compiler warned {n} times, and a warning often names the bug:");
    }
    for warning in warnings {
        print_fitted(warning, 4);
    }
}

/// Runs each check of `exercise` on `binary`, printing each result and the tally.
pub(crate) fn run_checks(places: &Places, exercise: &Exercise, binary: &Path) -> bool {
    let mut checker = Checker::new(binary);
    let total = exercise.checks.len();
    let mut passed = 0;
    for (index, check) in exercise.checks.iter().enumerate() {
        let mut outcome = checker.run(check);
        if let Outcome::NotWritten(todo) = &mut outcome {
            todo.location = format!("{}/{}", places.shown, todo.location);
        }
        // The title runs on under itself, past the mark and the count.
        let counted = format!("{} {}/{total} ", outcome.mark(), index + 1);
        let under = 2 + columns::width(&counted);
        print_fitted_hanging(&format!("{counted}{}", check.title), 2, under);
        for line in outcome.explain() {
            print_fitted(&line, 6);
        }
        passed += usize::from(outcome.passed());
    }
    let n = exercise.number;
    if passed == total {
        println!("通过 passed {passed}/{total} ✓ 练习 {n} 完成 / exercise {n} is done");
    } else {
        println!(
            "通过 passed {passed}/{total} · 卡住了？试试 just hint {n}（或 cargo run -p practice -- hint {n}）"
        );
        println!("stuck? try just hint {n} (or cargo run -p practice -- hint {n})");
    }
    passed == total
}

/// Prints an exercise's hints, and where the lesson that teaches it is.
pub fn hint(places: &Places, exercise: &Exercise) {
    print_title(exercise);
    println!("任务 task: {}/{}/README.md", places.shown, exercise.dir);
    for (index, hint) in exercise.hints.iter().enumerate() {
        // A hint is written "中文 / English": each language on its own lines.
        let (zh, en) = hint.split_once(" / ").unwrap_or((hint, ""));
        print_fitted_hanging(&format!("{}. {}", index + 1, zh.trim()), 2, 5);
        if !en.trim().is_empty() {
            print_fitted(en.trim(), 5);
        }
    }
    let l = exercise.lesson();
    println!("还是卡住？对照第 {l} 课：lessons/zh/lesson{l}.md、crates/lesson{l}/src/main.rs");
    println!(
        "still stuck? compare with lesson {l}: lessons/en/lesson{l}.md, crates/lesson{l}/src/main.rs"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `list`'s columns line up on the screen, where ✓ and each CJK character take two
    /// columns: counting characters instead leaves the next column ragged.
    #[test]
    fn columns_line_up_by_display_width() {
        let row = |state: &str| {
            [
                "1.".to_owned(),
                "01_client".to_owned(),
                state.to_owned(),
                "第 1 课 lesson 1".to_owned(),
            ]
        };
        let rows = [
            row("✓ 完成 done"),
            row("· 待检查 to check"),
            row("✗ 还要写第 1, 2 步 / steps left"),
            row("plain ascii"),
        ];
        let lines = columns(&rows);
        let starts: Vec<usize> = lines
            .iter()
            .map(|line| {
                let at = line
                    .find("第 1 课")
                    .expect("every row has the lesson column");
                columns::width(&line[..at])
            })
            .collect();
        assert!(
            starts.iter().all(|start| *start == starts[0]),
            "the lesson column starts at one screen column in every row: {starts:?}\n{}",
            lines.join("\n")
        );
    }
}
