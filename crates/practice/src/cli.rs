//! The command line: `practice list | check | hint | watch | build`, with its help in both
//! languages.

use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand};

/// `--help`'s layout, with its headings in both languages (clap's own are English only).
pub(crate) const HELP: &str = "\
{about-with-newline}
用法 Usage: {usage}

命令 Commands:
{subcommands}

选项 Options:
{options}
";

/// The same for a subcommand: no commands of its own, perhaps positional arguments.
pub(crate) const SUBCOMMAND_HELP: &str = "\
{about-with-newline}
用法 Usage: {usage}

参数 Arguments:
{positionals}

选项 Options:
{options}
";

/// The same for a subcommand without positional arguments.
pub(crate) const PLAIN_HELP: &str = "\
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
pub(crate) struct Cli {
    /// 显示帮助 / print help
    #[arg(short, long, global = true, action = ArgAction::Help)]
    help: Option<bool>,

    /// 检查 solutions/ 里的参考答案，而不是你的练习 / check the reference solutions in solutions/ instead of your exercises
    #[arg(long, global = true, conflicts_with = "dir")]
    pub(crate) solutions: bool,

    /// 练习所在的工作区目录（默认是仓库里的 exercises/）/ the exercises' workspace directory (default: the repository's exercises/)
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,

    /// The build directory, instead of the workspace's own (for the course's proofs, which
    /// build renamed copies of the solutions beside the solutions, sharing their compiled
    /// dependencies). Hidden: a student never needs it.
    #[arg(long, global = true, value_name = "DIR", hide = true)]
    pub(crate) target_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
