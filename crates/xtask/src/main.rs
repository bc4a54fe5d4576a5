//! `cargo xtask`: the course's own tasks, as the xtask convention has them (a workspace
//! package run through the alias in `.cargo/config.toml`, so that nothing but the Rust
//! toolchain is needed).
//!
//! - `cargo xtask new-lesson NAME` scaffolds the next lesson ([`new_lesson`]);
//! - `cargo xtask listings` writes the test listings, a section per test with the sentences
//!   that cite it ([`listings`]);
//! - `cargo xtask check` runs what `just test` runs ([`check`]).

mod check;
mod edit;
mod listings;
mod new_lesson;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// 课程自己的任务 / the course's own tasks
#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// 搭好下一课的架子：crate、两种语言的页面、测试、练习、答案、注册表的一行
    /// / scaffold the next lesson: crate, pages in both languages, tests, exercise, solution,
    /// its row in the registry
    NewLesson(new_lesson::Args),
    /// 重写两本书的测试清单 lessons/*/listings/tests-*.md：每个测试一节，引用它的句子和它的代码
    /// / rewrite both books' test listings lessons/*/listings/tests-*.md: a section per test,
    /// with the sentences that cite it and its code
    Listings,
    /// 运行 just test 运行的一切 / run everything `just test` runs
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.task {
        Task::NewLesson(args) => new_lesson::run(args),
        Task::Listings => listings::run(),
        Task::Check => check::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("错误 error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The course's workspace: two levels above this package.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map_or(manifest.clone(), PathBuf::from)
}
