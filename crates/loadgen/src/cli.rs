//! The command line: what each mode of `loadgen` takes, and the loopback-only address.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// 第 4 课的压力测试工具：C 个并发客户端，每个做 R 次请求/回复往返，报告每秒往返数和延迟分位数。
/// Load generator for lesson 4: C concurrent clients × R round trips; prints round trips/s and latency percentiles.
#[derive(Parser)]
#[command(name = "loadgen")]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) mode: Mode,
}

#[derive(Subcommand)]
pub(crate) enum Mode {
    /// 对一个正在运行的服务端测一次 / measure once against a running server
    Run {
        #[command(flatten)]
        target: Address,
        /// 并发客户端数（每个一个连接、一个线程）/ concurrent clients (one connection and one thread each)
        #[arg(short, long, default_value_t = 10)]
        clients: usize,
        /// 每个客户端的往返次数 / round trips per client
        #[arg(short, long, default_value_t = 1000)]
        round_trips: usize,
    },
    /// 对一个正在运行的服务端，依次用 1、10、100、1000 个客户端测 / measure with 1, 10, 100 and 1000 clients
    Sweep {
        #[command(flatten)]
        target: Address,
        #[command(flatten)]
        sweep: Sweep,
    },
    /// 自己启动第 4 课和基准服务端，逐个测量并打印对比表 / start lesson 4 and the baseline server, sweep each, print a table
    Bench {
        #[command(flatten)]
        sweep: Sweep,
        /// 第 4 课可执行文件的路径（默认由 cargo 按 loadgen 的配置先编译）/ path of the lesson-4 binary (default: built first by cargo, in loadgen's profile)
        #[arg(long)]
        lesson4: Option<PathBuf>,
        /// 把结果画成两张 SVG 图（每秒往返数、p99 延迟，各有宽版和窄版），写到这个目录 / also draw the results as two SVG charts (rate, p99 latency; each wide and narrow) in this directory
        #[arg(long)]
        charts: Option<PathBuf>,
    },
    /// 从页面上的结果表重画两张图（中文、英文各一套，宽版给桌面、窄版给手机）/ redraw the two charts, in Chinese and in English, wide for a desktop and narrow for a phone, from the results table on a page
    Charts {
        /// 含有 `loadgen bench` 结果表的 Markdown 文件 / a Markdown file holding the table `loadgen bench` printed
        #[arg(long)]
        table: PathBuf,
        /// 写 SVG 的目录 / the directory to write the SVG files to
        #[arg(long)]
        out: PathBuf,
    },
    /// 比较几种设计：第 4 课（线程）、第 7 课（mio）、第 8 课（tokio）和固定线程池，1 到 10000 个客户端 / compare the designs: lesson 4 (threads), 7 (mio), 8 (tokio) and a fixed thread pool, 1 to 10,000 clients
    Designs {
        #[command(flatten)]
        sweep: DesignSweep,
        /// 线程池的线程数 / the thread pool's number of workers
        #[arg(long, default_value_t = 8)]
        pool_workers: usize,
        /// 给服务端的核数，其余的给 loadgen / cores for the servers, the rest for loadgen
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
        server_cores: u16,
        /// 服务端与 loadgen 共用所有的核 / let the servers and loadgen share every core
        #[arg(long)]
        shared: bool,
    },
    /// 对一个正在运行的 HTTP 服务端测一次：C 个客户端，每个依次发 R 个 GET / measure an HTTP server once: C clients, R GET requests each
    Http {
        #[command(flatten)]
        target: HttpAddress,
        /// 请求的路径 / the path to request
        #[arg(long, default_value = "/", value_parser = parse_path)]
        path: String,
        /// 并发客户端数（每个一个 tokio 任务）/ concurrent clients (a tokio task each)
        #[arg(short, long, default_value_t = 10)]
        clients: usize,
        /// 每个客户端的请求数 / requests per client
        #[arg(short, long, default_value_t = 1000)]
        requests: usize,
        /// 每个请求一个新连接（发 Connection: close），而不是保持连接 / a new connection per request (sending Connection: close) instead of keep-alive
        #[arg(long)]
        close: bool,
    },
    /// HTTP 压测：第 9 课（线程、tokio）、python 的 http.server 和 nginx，1 KiB 页面和 1 MiB 文件 / HTTP benchmark: lesson 9 (threads, tokio), python's http.server and nginx, a 1 KiB page and a 1 MiB file
    BenchHttp {
        #[command(flatten)]
        sweep: HttpSweep,
        /// 给服务端的核数，其余的给 loadgen / cores for the servers, the rest for loadgen
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
        server_cores: u16,
        /// 服务端与 loadgen 共用所有的核 / let the servers and loadgen share every core
        #[arg(long)]
        shared: bool,
    },
    /// 固定线程池服务端（Rust 之书最后一章的设计），回复和第 4 课相同，不打印 / a fixed thread pool server (the Rust Book's final chapter), lesson 4's reply, no printing
    ServePool {
        /// 监听的端口，0 表示让系统挑 / the port to listen on; 0 lets the system pick
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// 工作线程数 / the number of worker threads
        #[arg(long, default_value_t = 8)]
        workers: usize,
    },
    /// 基准服务端：一个客户端一个线程，回复和第 4 课相同，但什么都不打印 / the baseline: a thread per client, the same reply as lesson 4, no printing
    ServeBaseline {
        /// 监听的端口，0 表示让系统挑 / the port to listen on; 0 lets the system pick
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
}

#[derive(Args)]
pub(crate) struct Address {
    /// 服务端地址，只能是本机（127.0.0.1 或 ::1）/ the server's address, on this machine only (127.0.0.1 or ::1)
    #[arg(short, long, default_value = "127.0.0.1:9090", value_parser = parse_loopback)]
    pub(crate) address: SocketAddr,
}

/// `http`'s server: lesson 9's port by default.
#[derive(Args)]
pub(crate) struct HttpAddress {
    /// 服务端地址，只能是本机（127.0.0.1 或 ::1）/ the server's address, on this machine only (127.0.0.1 or ::1)
    #[arg(short, long, default_value = "127.0.0.1:9494", value_parser = parse_loopback)]
    pub(crate) address: SocketAddr,
}

#[derive(Args)]
pub(crate) struct Sweep {
    /// 要测的并发客户端数 / the numbers of concurrent clients to measure
    #[arg(long, value_delimiter = ',', default_value = "1,10,100,1000")]
    pub(crate) clients: Vec<usize>,
    /// 每一档总共的往返次数，平均分给各个客户端（每个至少 10 次）/ round trips per measurement, shared among the clients (at least 10 each)
    #[arg(long, default_value_t = 200_000)]
    pub(crate) total: usize,
    /// 每一档测几次，取每秒往返数的中位数那一次 / runs per measurement; the run with the median rate is reported
    #[arg(long, default_value_t = 5)]
    pub(crate) repeat: usize,
}

/// `designs`' sweep: the same knobs as `Sweep`, up to ten thousand clients.
#[derive(Args)]
pub(crate) struct DesignSweep {
    /// 要测的并发客户端数 / the numbers of concurrent clients to measure
    #[arg(long, value_delimiter = ',', default_value = "1,10,100,1000,10000")]
    pub(crate) clients: Vec<usize>,
    /// 每一档总共的往返次数，平均分给各个客户端（每个至少 10 次）/ round trips per measurement, shared among the clients (at least 10 each)
    #[arg(long, default_value_t = 200_000)]
    pub(crate) total: usize,
    /// 每一档测几次，取每秒往返数的中位数那一次 / runs per measurement; the run with the median rate is reported
    #[arg(long, default_value_t = 5)]
    pub(crate) repeat: usize,
}

/// `bench-http`'s sweep: the clients, and how many requests each measurement makes.
#[derive(Args)]
pub(crate) struct HttpSweep {
    /// 要测的并发客户端数 / the numbers of concurrent clients to measure
    #[arg(long, value_delimiter = ',', default_value = "1,100,1000")]
    pub(crate) clients: Vec<usize>,
    /// 1 KiB 页面每一档的请求总数，分给各个客户端；1 MiB 文件十分之一，python 再十分之一 / requests per measurement of the 1 KiB page, shared among the clients; a tenth for the 1 MiB file, a tenth again for python
    #[arg(long, default_value_t = 10_000)]
    pub(crate) total: usize,
    /// 每一档测几次，取每秒请求数的中位数那一次（python 只测一次）/ runs per measurement; the run with the median rate is reported (python: one run)
    #[arg(long, default_value_t = 3)]
    pub(crate) repeat: usize,
    /// 每次测量最多几秒，之后客户端不再发新请求 / seconds per measurement at most: then the clients start no new request
    #[arg(long, default_value_t = 2.0, value_parser = parse_seconds)]
    pub(crate) seconds: f64,
}

pub(crate) fn parse_loopback(text: &str) -> Result<SocketAddr, String> {
    let address: SocketAddr = text
        .parse()
        .map_err(|_| format!("'{text}' 不是 IP:端口 / '{text}' is not an IP:port address"))?;
    if address.ip().is_loopback() {
        Ok(address)
    } else {
        Err(format!(
            "只测本机：请用 127.0.0.1 或 [::1] / loopback only: use 127.0.0.1 or [::1], not {}",
            address.ip()
        ))
    }
}

/// `--seconds`: more than 0, at most an hour.
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 3600.0 => Ok(seconds),
        _ => Err(format!(
            "'{text}' 不是 0 到 3600 之间的秒数 / is not a number of seconds in (0, 3600]"
        )),
    }
}

/// `--path`: what goes between `GET ` and ` HTTP/1.1`, so a `/` first and no space or
/// control character that would end the request line early.
pub(crate) fn parse_path(text: &str) -> Result<String, String> {
    if text.starts_with('/') && !text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "路径要以 / 开头，不含空白 / a path starts with / and has no spaces: '{text}'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_accepted() {
        assert!(parse_loopback("127.0.0.1:9090").is_ok());
        assert!(parse_loopback("[::1]:9090").is_ok());
        assert!(parse_loopback("192.168.1.1:9090").is_err());
    }

    #[test]
    fn a_path_is_one_word_starting_with_a_slash() {
        assert!(parse_path("/index.html").is_ok());
        assert!(parse_path("index.html").is_err());
        assert!(parse_path("/a b").is_err());
        assert!(parse_path("/a\r\nHost: x").is_err());
    }
}
