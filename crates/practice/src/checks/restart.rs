//! Exercise 3, the restartable server: served a client, exited, and restarted at once on the
//! same port, beside the TIME_WAIT its last connection left in the kernel.

use course::kernel::{self, TcpState};

use super::server::{exchange, exits_cleanly, serves_one_client};
use super::{Check, Checker, a_second_server_is_refused, listening_address};
use crate::program::WAIT;
use crate::verdict::Failure;

pub const CHECKS: &[Check] = &[
    Check {
        title: "照样服务一个客户端 / still serves one client",
        run: serves_one_client,
    },
    Check {
        title: "服务完一个客户端、退出后，马上在同一个端口重启 / after serving a client and exiting, restarts at once on the same port",
        run: restarts_at_once,
    },
    Check {
        title: "你的服务端正在监听时，第二个在同一个端口上启动：一行友好的错误，退出码 1 / while your server listens, a second one on its port: one friendly error line, exit 1",
        run: a_second_server,
    },
];

/// SO_REUSEADDR lets a server bind beside a TIME_WAIT, never beside a listener: the option
/// that lets it restart must not let two servers share the port.
fn a_second_server(checker: &mut Checker) -> Result<(), Failure> {
    a_second_server_is_refused(checker, "3", "2", "1.1")
}

fn restarts_at_once(checker: &mut Checker) -> Result<(), Failure> {
    let mut first = checker.start(&["--port", "0"])?;
    let address = listening_address(&mut first, "3")?;
    let client = exchange(&mut first, address)?;
    exits_cleanly(&mut first)?;
    // The server closed first, so its side of the connection is in TIME_WAIT. Where the kernel's
    // table can be read, wait until it says so (it does at once on loopback); elsewhere go on.
    let _ = kernel::await_state(address, client, Some(TcpState::TimeWait), WAIT);

    let port = address.port().to_string();
    let mut again = checker.start(&["--port", &port])?;
    let expected = format!(
        "马上在同一个端口 {port} 上重启（上一个连接的 TIME_WAIT 还在）/ restart at once on port {port}, beside the last connection's TIME_WAIT"
    );
    again
        .expect_line("listening on", &expected)
        .map_err(|failure| failure.step("1.1"))?;
    exchange(&mut again, address)?;
    exits_cleanly(&mut again)
}
