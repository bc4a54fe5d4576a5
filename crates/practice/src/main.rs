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

use clap::{Parser, Subcommand};

use build::Built;
use catalog::{EXERCISES, Exercise};
use checks::Checker;
use verdict::Outcome;

/// 网络编程练习的运行器：列出练习、检查你的代码、每次保存时自动重新检查。
/// 你的代码在 exercises/ 里（自成一个 Cargo 工作区），检查在本机回环地址上用真实的套接字运行它。
///
/// The exercises' runner: lists the exercises, checks your code, re-checks it on every save.
/// Your code is in exercises/ (a Cargo workspace of its own); the checks run it against real
/// sockets on loopback.
#[derive(Parser)]
#[command(name = "practice")]
struct Cli {
    /// 检查 solutions/ 里的参考答案，而不是你的练习 / check the reference solutions in solutions/ instead of your exercises
    #[arg(long, global = true, conflicts_with = "dir")]
    solutions: bool,

    /// 练习所在的工作区目录（默认是仓库里的 exercises/）/ the exercises' workspace directory (default: the repository's exercises/)
    #[arg(long, global = true, value_name = "DIR")]
    dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// 列出所有练习，以及哪些已经完成（不写命令时也是这个）/ list the exercises and which are done (also what no command does)
    List,
    /// 检查一个练习：构建你的代码，运行它的每一项检查 / check one exercise: build your code, run each of its checks
    Check {
        /// 练习的编号或名字（1、client、01_client）；不写就是第一个没完成的 / the exercise's number or name (1, client, 01_client); without it, the first one not done
        exercise: Option<String>,
    },
    /// 给一个练习的提示：几个把你引向答案的问题 / hints for an exercise: questions that point the way
    Hint {
        /// 练习的编号或名字 / the exercise's number or name
        exercise: String,
    },
    /// 每次保存文件时重新检查当前的练习；通过后自动换到下一个 / re-check the current exercise on every save, moving on when it passes
    Watch {
        /// 从这个练习开始（默认：第一个没完成的）/ start with this exercise (default: the first one not done)
        exercise: Option<String>,

        /// 不监视文件，只在按回车时重新检查（文件监视不工作时用，例如 WSL2 里 /mnt/c 下的目录）/ do not watch files, re-check only on Enter (for where watching fails, such as /mnt/c under WSL2)
        #[arg(long)]
        manual: bool,
    },
}

/// Where things are: the exercises' workspace, the build directory, the repository.
pub struct Places {
    /// The workspace holding one package per exercise.
    pub dir: PathBuf,
    /// How to show `dir` to the student (relative to the repository when inside it).
    pub shown: String,
    /// The build directory shared by exercises and solutions.
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
        Self {
            dir,
            shown,
            target: root.join("target").join("exercises"),
        }
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

/// The repository this runner was built in: `crates/practice/../..`.
fn repository() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let places = Places::new(&cli);
    if !places.dir.join("Cargo.toml").is_file() {
        eprintln!(
            "错误 / error: {} 里没有练习的工作区（Cargo.toml）/ there is no exercises' workspace (Cargo.toml) in {}",
            places.shown, places.shown
        );
        return ExitCode::from(2);
    }
    match cli.command.unwrap_or(Command::List) {
        Command::List => {
            list(&places);
            ExitCode::SUCCESS
        }
        Command::Check { exercise } => {
            let Some(exercise) = chosen(exercise.as_deref(), &places) else {
                return ExitCode::from(2);
            };
            if check(&places, exercise) {
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

fn unknown(name: &str) -> ExitCode {
    let names: Vec<String> = EXERCISES
        .iter()
        .map(|exercise| format!("{} {}", exercise.number, exercise.name))
        .collect();
    let names = names.join(", ");
    eprintln!(
        "错误 / error: 没有名为 '{name}' 的练习，可选的有：{names} / there is no exercise '{name}'; the exercises are: {names}"
    );
    ExitCode::from(2)
}

/// Prints every exercise with its state.
pub fn list(places: &Places) {
    println!("练习 exercises（{}）:", places.shown);
    for exercise in EXERCISES {
        let state = progress::state(places, exercise);
        println!(
            "  {:>2}. {:<13} {:<40} 第 {} 课 lesson {} · {}",
            exercise.number,
            exercise.dir,
            state.to_string(),
            exercise.lesson,
            exercise.lesson,
            exercise.title
        );
    }
    match progress::first_not_done(places) {
        Some(next) => println!(
            "下一个 next: just check {n}（或 or cargo run -p practice -- check {n}），任务见 task in {}/{}/README.md",
            places.shown,
            next.dir,
            n = next.number
        ),
        None => println!("全部完成了！/ every exercise is done!"),
    }
}

/// Builds the exercise and runs its checks, printing each result; `true` if all pass.
pub fn check(places: &Places, exercise: &Exercise) -> bool {
    println!(
        "== 练习 {n} exercise {n}: {} — {}",
        exercise.title,
        places.main_rs(exercise),
        n = exercise.number
    );
    let package_dir = places.package_dir(exercise);
    let Some(package) = progress::package_name(&package_dir) else {
        println!(
            "  ✗ 找不到这个练习的 Cargo.toml / this exercise has no Cargo.toml: {}/{}",
            places.shown, exercise.dir
        );
        return false;
    };
    let binary = match build::build(&places.dir, &package, &places.target) {
        Built::Binary(binary) => binary,
        Built::CompileError(error) => {
            println!("  ✗ 编译错误：代码还不能编译 / compile error: the code does not compile yet");
            for line in error.lines() {
                println!("      {line}");
            }
            progress::forget(places, exercise);
            return false;
        }
        Built::CargoFailed(error) => {
            println!("  ✗ cargo 构建失败 / cargo could not build it:\n{error}");
            return false;
        }
    };
    let mut checker = Checker::new(&binary);
    let total = exercise.checks.len();
    let mut passed = 0;
    for (index, check) in exercise.checks.iter().enumerate() {
        let mut outcome = checker.run(check);
        if let Outcome::NotWritten(todo) = &mut outcome {
            todo.location = format!("{}/{}", places.shown, todo.location);
        }
        let mark = if outcome.passed() { "✓" } else { "✗" };
        println!("  {mark} {}/{total} {}", index + 1, check.title);
        for line in outcome.explain() {
            println!("      {line}");
        }
        passed += usize::from(outcome.passed());
    }
    let all = passed == total;
    if all {
        println!(
            "通过 passed {passed}/{total} ✓ 练习 {n} 完成 / exercise {n} is done",
            n = exercise.number
        );
        progress::remember(places, exercise);
    } else {
        println!(
            "通过 passed {passed}/{total} · 卡住了？stuck? just hint {n}（cargo run -p practice -- hint {n}）",
            n = exercise.number
        );
        progress::forget(places, exercise);
    }
    all
}

/// Prints an exercise's hints, and where the lesson that teaches it is.
pub fn hint(places: &Places, exercise: &Exercise) {
    println!(
        "== 练习 {n} exercise {n}: {}",
        exercise.title,
        n = exercise.number
    );
    println!("任务 task: {}/{}/README.md", places.shown, exercise.dir);
    for (index, hint) in exercise.hints.iter().enumerate() {
        println!("  {}. {hint}", index + 1);
    }
    println!(
        "还是卡住？对照第 {l} 课 still stuck? compare with lesson {l}: lessons/zh/lesson{l}.md, crates/lesson{l}/src/main.rs",
        l = exercise.lesson
    );
}
