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
mod program;
mod progress;
mod verdict;
mod watch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgAction, Parser, Subcommand};

use build::Failed;
use catalog::{EXERCISES, Exercise};
use checks::Checker;
use verdict::{Outcome, fit, fit_hanging};

/// `--help`'s layout, with its headings in both languages (clap's own are English only).
const HELP: &str = "\
{about-with-newline}
用法 Usage: {usage}

命令 Commands:
{subcommands}

选项 Options:
{options}
";

/// The same for a subcommand: no commands of its own, perhaps positional arguments.
const SUBCOMMAND_HELP: &str = "\
{about-with-newline}
用法 Usage: {usage}

参数 Arguments:
{positionals}

选项 Options:
{options}
";

/// The same for a subcommand without positional arguments.
const PLAIN_HELP: &str = "\
{about-with-newline}
用法 Usage: {usage}

选项 Options:
{options}
";

/// 网络编程练习的运行器：列出练习、检查你的代码、每次保存时自动重新检查。你的代码在 exercises/ 里（自成一个 Cargo 工作区），检查在本机回环地址上用真实的套接字运行它。
///
/// The exercises' runner: lists the exercises, checks your code, re-checks it on every save.
/// Your code is in exercises/ (a Cargo workspace of its own); the checks run it against real
/// sockets on loopback.
#[derive(Parser)]
#[command(
    name = "practice",
    help_template = HELP,
    disable_help_flag = true,
    disable_help_subcommand = true
)]
struct Cli {
    /// 显示帮助 / print help
    #[arg(short, long, global = true, action = ArgAction::Help)]
    help: Option<bool>,

    /// 检查 solutions/ 里的参考答案，而不是你的练习 / check the reference solutions in solutions/ instead of your exercises
    #[arg(long, global = true, conflicts_with = "dir")]
    solutions: bool,

    /// 练习所在的工作区目录（默认是仓库里的 exercises/）/ the exercises' workspace directory (default: the repository's exercises/)
    #[arg(long, global = true, value_name = "DIR")]
    dir: Option<PathBuf>,

    /// The build directory, instead of the workspace's own (for the course's proofs, which
    /// build renamed copies of the solutions beside the solutions, sharing their compiled
    /// dependencies). Hidden: a student never needs it.
    #[arg(long, global = true, value_name = "DIR", hide = true)]
    target_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// 列出所有练习，以及哪些已经完成（不写命令时也是这个）/ list the exercises and which are done (also what no command does)
    #[command(help_template = PLAIN_HELP)]
    List,
    /// 检查一个练习：构建你的代码，运行它的每一项检查 / check one exercise: build your code, run each of its checks
    #[command(help_template = SUBCOMMAND_HELP)]
    Check {
        /// 练习的编号或名字（1、client、01_client）；不写就是第一个没完成的 / the exercise's number or name (1, client, 01_client); without it, the first one not done
        exercise: Option<String>,

        /// Checks this binary, already built, instead of building the exercise (for mutation
        /// testing of the solutions: `solutions/check.rs`). Hidden: a student never needs it.
        #[arg(long, value_name = "PATH", hide = true)]
        binary: Option<PathBuf>,
    },
    /// 给一个练习的提示：几个把你引向答案的问题 / hints for an exercise: questions that point the way
    #[command(help_template = SUBCOMMAND_HELP)]
    Hint {
        /// 练习的编号或名字 / the exercise's number or name
        exercise: String,
    },
    /// 每次保存文件时重新检查当前的练习；通过后自动换到下一个 / re-check the current exercise on every save, moving on when it passes
    #[command(help_template = SUBCOMMAND_HELP)]
    Watch {
        /// 从这个练习开始（默认：第一个没完成的）/ start with this exercise (default: the first one not done)
        exercise: Option<String>,

        /// 不监视文件，只在按回车时重新检查（文件监视不工作时用，例如 WSL2 里 /mnt/c 下的目录）/ do not watch files, re-check only on Enter (for where watching fails, such as /mnt/c under WSL2)
        #[arg(long)]
        manual: bool,
    },
    /// 只构建所有练习，不运行检查（之后的检查就不用再编译了）/ build every exercise without checking it (so the checks that follow compile nothing)
    #[command(help_template = PLAIN_HELP)]
    Build,
}

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
    fn new(cli: &Cli) -> Self {
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

/// `practice build`: compiles every exercise, showing progress, and says whether it could.
fn build_all(places: &Places) -> ExitCode {
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
fn print_fitted(text: &str, indent: usize) {
    for line in text.lines() {
        for line in fit(line, indent) {
            println!("{line}");
        }
    }
}

/// [`print_fitted`] for one line, whose continuation lines are indented by `rest`.
fn print_fitted_hanging(line: &str, first: usize, rest: usize) {
    for line in fit_hanging(line, first, rest) {
        println!("{line}");
    }
}

/// The exercise named, or the first one not done; `None` (after saying why) if there is none.
fn chosen(name: Option<&str>, places: &Places) -> Option<&'static Exercise> {
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
fn unknown(name: &str) -> ExitCode {
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

fn print_header(places: &Places, exercise: &Exercise) {
    print_title(exercise);
    println!("   代码 code: {}", places.main_rs(exercise));
}

/// `== 练习 N exercise N:` and the exercise's title, its English on a line of its own.
fn print_title(exercise: &Exercise) {
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
fn print_warnings(warnings: &[String]) {
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
fn run_checks(places: &Places, exercise: &Exercise, binary: &Path) -> bool {
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
