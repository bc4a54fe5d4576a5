//! # 第 5 课：TCP 程序的注意点——关闭的语义 / Lesson 5: what close means
//!
//! Notes, section 4: seven rules of TCP programs, each turned into an experiment that runs real
//! sockets on loopback and prints what the operating system returned; then five more that
//! every student meets next (a reset, a half-close, writing to a peer that has gone, UDP's
//! contrast, and the TIME_WAIT a client keeps for each short connection it closes first).
//! `cargo run -p lesson5` runs them all in the notes' order and ends with a summary table;
//! `cargo run -p lesson5 -- NAME` runs one; `--list` names them.
//!
//! Each experiment is one function in `rules.rs` (the notes' seven) or `beyond.rs` (the five
//! more), making its own server and client in this one process: a blocking `connect` returns
//! once the kernel has completed the handshake, before the server calls `accept`, so one thread
//! can play both sides. Printing and the summary table live in `course::report`, shared with
//! lesson 6.

mod beyond;
mod rules;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use course::options::ExperimentName;
use course::report::{Kind, Report};

/// 第 5 课：TCP 程序的注意点——讲义第 4 节的 7 条规则，外加连接重置、半关闭、向已离开的对端写数据、对照 UDP、客户端的 TIME_WAIT，
/// 每条都是一个在本机回环上真实运行的实验，打印操作系统实际返回的结果和内核看到的 TCP 状态。
/// Lesson 5: the notes' section-4 rules, plus reset, half-close, writing to a gone peer, UDP and client-side TIME_WAIT, each
/// an experiment on loopback that prints what the OS returned and the TCP states the kernel saw.
#[derive(Parser)]
#[command(name = "lesson5")]
struct Args {
    /// 只运行这一个实验；不写则按讲义顺序全部运行，最后打印总结表 / run only this experiment; without it, run all in the notes' order and print a summary table
    #[arg(value_parser = ExperimentName::<Experiment>::default())]
    experiment: Option<Experiment>,

    /// 列出所有实验的名字和规则 / list the experiments' names and rules
    #[arg(long, conflicts_with = "experiment")]
    list: bool,

    /// server-binds 实验绑定的固定端口（讲义里服务端绑定固定端口）/ the fixed port the server-binds experiment binds, as the notes' servers do
    #[arg(long, default_value_t = 8999, value_parser = course::options::parse_port)]
    port: u16,
}

/// The experiments, in the notes' order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Experiment {
    /// 规则 1 / rule 1
    ConnectFirst,
    /// 规则 2 / rule 2
    ClientNoBind,
    /// 规则 3 / rule 3
    ServerBinds,
    /// 规则 4 / rule 4
    ListenerPassive,
    /// 规则 5 / rule 5
    CloseAccepted,
    /// 规则 6 / rule 6
    CloseListener,
    /// 规则 7 / rule 7
    CloseBothWays,
    /// 规则 8（讲义之外）/ rule 8 (beyond the notes)
    ResetUnread,
    /// 规则 9（讲义之外）/ rule 9 (beyond the notes)
    HalfClose,
    /// 规则 10（讲义之外）/ rule 10 (beyond the notes)
    WriteGonePeer,
    /// 规则 11（讲义之外）/ rule 11 (beyond the notes)
    UdpContrast,
    /// 规则 12（讲义之外）/ rule 12 (beyond the notes)
    ClientTimeWait,
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
            Self::ConnectFirst => "connect-first",
            Self::ClientNoBind => "client-no-bind",
            Self::ServerBinds => "server-binds",
            Self::ListenerPassive => "listener-passive",
            Self::CloseAccepted => "close-accepted",
            Self::CloseListener => "close-listener",
            Self::CloseBothWays => "close-both-ways",
            Self::ResetUnread => "reset-unread",
            Self::HalfClose => "half-close",
            Self::WriteGonePeer => "write-gone-peer",
            Self::UdpContrast => "udp-contrast",
            Self::ClientTimeWait => "client-time-wait",
        }
    }

    /// The rule, as the notes (or, for 8 to 12, this lesson) state it.
    fn rule(self) -> &'static str {
        match self {
            Self::ConnectFirst => {
                "客户端要和服务端通信，必须先建立连接 / a client must connect before it can talk"
            }
            Self::ClientNoBind => {
                "客户端一般不绑定端口，connect 时内核替它选一个 / a client need not bind: connect gets a port the kernel picks"
            }
            Self::ServerBinds => {
                "服务端必须绑定端口，否则客户端找不到它 / a server must bind a known port, or clients cannot find it"
            }
            Self::ListenerPassive => {
                "listen 后的套接字是被动的，只接受连接、不能收发；收发用 accept 返回的新套接字 / the listening socket only accepts; the socket accept returns talks"
            }
            Self::CloseAccepted => {
                "关闭 accept 返回的套接字，就结束了和这个客户端的通信 / closing the accepted socket ends that conversation"
            }
            Self::CloseListener => {
                "关闭监听套接字，新客户端连不上，已连接的客户端照常通信 / closing the listener refuses new clients; connected ones keep talking"
            }
            Self::CloseBothWays => {
                "客户端 close 后服务端 recv 返回 0 字节，反之亦然 / when the client closes the server's recv returns 0 bytes, and vice versa"
            }
            Self::ResetUnread => {
                "带着未读数据关闭会发送 RST：对端看到连接被重置，而不是 0 字节 / closing with unread data sends a reset: the peer sees ConnectionReset, not 0 bytes"
            }
            Self::HalfClose => {
                "shutdown(Write) 只关闭发送方向：对端读到 0，本端还能接收 / shutdown(Write) closes one direction: the peer reads 0, this side still receives"
            }
            Self::WriteGonePeer => {
                "对端已离开时，第一次写可能成功，之后的写失败，在 Rust 里是 io::Error 而不是 SIGPIPE 杀死进程 / writing to a gone peer: the first write may succeed, a later one fails as an io::Error, not a SIGPIPE death"
            }
            Self::UdpContrast => {
                "UDP 没有连接：数据报各自保持边界，关闭时什么也不发，没有“0 字节表示关闭” / UDP has no connection: each datagram keeps its boundaries, and a close sends nothing, so there is no 0-byte close"
            }
            Self::ClientTimeWait => {
                "先关闭的一端留下 TIME_WAIT：短连接各占客户端一个端口，会用完；SO_REUSEADDR 无用，复用连接才行 / the end closing first keeps TIME_WAIT: short connections use up client ports; reuse one"
            }
        }
    }
}

/// What lesson 5 calls its experiments: each tests one of the notes' rules.
const RULE: Kind = Kind {
    zh: "规则",
    en: "rule",
};

fn main() -> ExitCode {
    let args = Args::parse();
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    course::finish(run(&args), course::Role::Server { address })
}

// ANCHOR: run
fn run(args: &Args) -> io::Result<()> {
    if args.list {
        let list: Vec<_> = Experiment::value_variants()
            .iter()
            .map(|e| (e.number(), e.name(), e.rule()))
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
        let name = experiment.name();
        let mut report = Report::begin(RULE, experiment.number(), name, experiment.rule());
        match experiment {
            Experiment::ConnectFirst => rules::connect_first(&mut report)?,
            Experiment::ClientNoBind => rules::client_no_bind(&mut report)?,
            Experiment::ServerBinds => rules::server_binds(&mut report, args.port)?,
            Experiment::ListenerPassive => rules::listener_passive(&mut report)?,
            Experiment::CloseAccepted => rules::close_accepted(&mut report)?,
            Experiment::CloseListener => rules::close_listener(&mut report)?,
            Experiment::CloseBothWays => rules::close_both_ways(&mut report)?,
            Experiment::ResetUnread => beyond::reset_unread(&mut report)?,
            Experiment::HalfClose => beyond::half_close(&mut report)?,
            Experiment::WriteGonePeer => beyond::write_gone_peer(&mut report)?,
            Experiment::UdpContrast => beyond::udp_contrast(&mut report)?,
            Experiment::ClientTimeWait => beyond::client_time_wait(&mut report)?,
        }
        rows.push(report.finish());
    }
    course::report::summary(RULE, &rows);
    Ok(())
}
// ANCHOR_END: run
