//! # 第 6 课：TCP 没有消息边界 / Lesson 6: TCP has no message boundaries
//!
//! The notes take one `recv(1024)` for one message. On loopback, with short
//! messages, that usually holds; everywhere else it breaks. This lesson first
//! shows it break, in five experiments that print what the operating system
//! returned (`cargo run -p lesson6`, or one of them by name, `--list` to name
//! them):
//!
//! 1. 粘包 glued: two sends, one recv takes both;
//! 2. 拆包 split: one 64 KiB send takes several recvs;
//! 3. send is not sendall: one send takes only part;
//! 4. Nagle and delayed ACK: a write-write-read round trip waits about 40 ms;
//! 5. a dead peer: without a timeout, recv waits forever.
//!
//! Then the fix, framing (`framing.rs`): a length prefix, or a newline.
//! `cargo run -p lesson6 -- server` is lesson 4's server reading whole frames;
//! `cargo run -p lesson6 -- client 你好 再见` sends several messages in one
//! write and prints one reply per message.

mod client;
mod experiments;
mod framing;
mod server;

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use course::options::{ClientOptions, ExperimentName, ServerOptions};
use course::report::{Kind, Report};

use framing::Framing;

/// 第 6 课：TCP 没有消息边界——粘包、拆包、send 与
/// sendall、Nagle、悄无声息消失的对方，以及分帧。
/// 不带参数运行全部五个实验；`server`、`client` 是分帧的服务端和客户端。
/// Lesson 6: TCP has no message boundaries: glued and split messages, send vs
/// sendall, Nagle, a dead peer, and framing. Without arguments it runs the five
/// experiments; `server` and `client` are the framed server and client.
#[derive(Parser)]
#[command(name = "lesson6", args_conflicts_with_subcommands = true)]
struct Args {
    /// 只运行这一个实验；不写则全部运行，最后打印总结 /
    /// run only this experiment; without it, run all and print a summary
    #[arg(value_parser = ExperimentName::<Experiment>::default())]
    experiment: Option<Experiment>,

    /// 列出所有实验 / list the experiments
    #[arg(long, conflicts_with = "experiment")]
    list: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// 分帧的服务端：一个客户端一个线程，整条消息打印，每条消息回复一帧 /
    /// the framed server: a thread per client, whole messages, one reply frame
    /// each
    Server {
        /// 分帧方式 / how messages are framed
        #[arg(long, value_enum, default_value_t = Framing::Length)]
        framing: Framing,

        /// 一帧停在中间最多等多少毫秒，超时就关闭这个连接 /
        /// how many milliseconds a frame may stay unfinished before the
        /// connection is closed
        #[arg(long, default_value_t = 5000, value_name = "MS")]
        frame_timeout_ms: u64,

        #[command(flatten)]
        options: ServerOptions<9191>,
    },
    /// 分帧的客户端：所有消息一次写出，每条消息收一帧回复 /
    /// the framed client: every message in one write, one reply frame each
    Client {
        /// 分帧方式 / how messages are framed
        #[arg(long, value_enum, default_value_t = Framing::Length)]
        framing: Framing,

        #[command(flatten)]
        options: ClientOptions<9191>,

        /// 要发送的消息，至少一条 / the messages to send, at least one
        #[arg(required = true, value_name = "MSG")]
        messages: Vec<String>,
    },
}

/// The experiments, in the order the page tells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Experiment {
    /// 粘包 / glued
    Glued,
    /// 拆包 / split
    Split,
    /// send 不是 sendall / send is not sendall
    PartialSend,
    /// Nagle 与延迟确认 / Nagle and delayed ACK
    Nagle,
    /// 悄无声息消失的对方 / a dead peer
    DeadPeer,
}

impl Experiment {
    fn number(self) -> u8 {
        Self::value_variants()
            .iter()
            .position(|e| *e == self)
            .map_or(0, |i| i as u8 + 1)
    }

    fn name(self) -> &'static str {
        match self {
            Self::Glued => "glued",
            Self::Split => "split",
            Self::PartialSend => "partial-send",
            Self::Nagle => "nagle",
            Self::DeadPeer => "dead-peer",
        }
    }

    /// What the experiment shows, Chinese first.
    fn shows(self) -> &'static str {
        match self {
            Self::Glued => {
                "粘包：两次 send，对方一次 recv 全部收到 / \
                 glued: two sends, and one recv takes both"
            }
            Self::Split => {
                "拆包：一次 64 KiB 的 send，要好几次 recv 才收完 / \
                 split: one 64 KiB send takes several recvs"
            }
            Self::PartialSend => {
                "send 不是 sendall：一次 send 可能只发出一部分 / \
                 send is not sendall: one send may take only part"
            }
            Self::Nagle => {
                "Nagle 遇上延迟确认：写、写、读要等约 40 ms / \
                 Nagle meets delayed ACK: write-write-read waits about 40 ms"
            }
            Self::DeadPeer => {
                "对方悄无声息地消失：没有超时，recv 永远等下去 / \
                 a peer gone without a FIN: without a timeout, \
                 recv waits forever"
            }
        }
    }
}

/// What lesson 6 calls its experiments.
const EXPERIMENT: Kind = Kind {
    zh: "实验",
    en: "experiment",
};

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Some(Command::Server {
            framing,
            frame_timeout_ms,
            options,
        }) => {
            let address = options.address();
            let settings = server::Settings {
                framing,
                encoding: options.encoding,
                frame_timeout: Duration::from_millis(frame_timeout_ms.max(1)),
            };
            course::finish(
                server::run(address, settings),
                course::Role::ReusingServer { address },
            )
        }
        Some(Command::Client {
            framing,
            options,
            messages,
        }) => {
            let server = options.server();
            course::finish(
                client::run(server, framing, options.encoding, &messages),
                course::Role::Client { server },
            )
        }
        None => {
            let address =
                std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
            course::finish(
                run_experiments(&args),
                course::Role::Server { address },
            )
        }
    }
}

// ANCHOR: run
fn run_experiments(args: &Args) -> io::Result<()> {
    if args.list {
        let list: Vec<_> = Experiment::value_variants()
            .iter()
            .map(|e| (e.number(), e.name(), e.shows()))
            .collect();
        course::report::list(&list);
        return Ok(());
    }
    let chosen = match args.experiment {
        Some(one) => vec![one],
        None => Experiment::value_variants().to_vec(),
    };
    let mut rows = Vec::new();
    for experiment in chosen {
        let mut report = Report::begin(
            EXPERIMENT,
            experiment.number(),
            experiment.name(),
            experiment.shows(),
        );
        match experiment {
            Experiment::Glued => experiments::glued(&mut report)?,
            Experiment::Split => experiments::split(&mut report)?,
            Experiment::PartialSend => experiments::partial_send(&mut report)?,
            Experiment::Nagle => experiments::nagle(&mut report)?,
            Experiment::DeadPeer => experiments::dead_peer(&mut report)?,
        }
        rows.push(report.finish());
    }
    course::report::summary(EXPERIMENT, &rows);
    Ok(())
}
// ANCHOR_END: run
