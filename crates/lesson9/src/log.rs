//! What the server prints: a line per request, and a line for each way a connection ends.
//! Both designs, threads and tokio, print the same lines, so the tests read either alike.

use std::io;
use std::time::Duration;

use course::say;

use crate::head::NoHead;
use crate::response::Status;

/// What one request and its response were, once sent.
pub struct Exchange {
    pub request: String,
    pub status: Status,
    pub body_bytes: u64,
    pub closes: bool,
}

impl Exchange {
    /// One line per request: who, what, the status, and how much of a body was sent.
    pub fn log(&self, ip_port: &str) {
        let (reason, _) = self.status.reason();
        line(&format!(
            "{ip_port} {} → {} {reason}，正文 body {} 字节 bytes",
            self.request, self.status.0, self.body_bytes
        ));
    }
}

/// Prints a log line, cut to fit a terminal: a long path or an OS's message runs on below.
pub fn line(text: &str) {
    course::print_fit(text, "", "    ");
}

/// Says why a connection ended without a head, and which refusal to send if someone waits.
pub fn without_head(
    no_head: &NoHead,
    ip_port: &str,
    timeout: Duration,
) -> Option<Status> {
    let seconds = timeout.as_secs_f64();
    match no_head {
        NoHead::Closed => {
            say!("客户端关闭了连接 client closed the connection: {ip_port}");
            None
        }
        NoHead::ClosedMidway(received) => {
            say!(
                "请求头没发完客户端就关闭了 client closed in the middle of a head: {ip_port}, {received} 字节 bytes"
            );
            None
        }
        NoHead::TimedOut { received: 0 } => {
            say!(
                "空闲 {seconds} 秒，关闭 idle for {seconds} s, closing: {ip_port}"
            );
            None
        }
        NoHead::TimedOut { received } => {
            say!(
                "请求头 {seconds} 秒内没有到齐 head not whole within {seconds} s: {ip_port}, {received} 字节 bytes"
            );
            Some(Status::REQUEST_TIMEOUT)
        }
        NoHead::TooLong(status) => Some(*status),
        NoHead::Failed(error) => {
            line(&format!(
                "接收失败 receive failed, closing {ip_port}: {:?}: {error}",
                error.kind()
            ));
            None
        }
    }
}

/// A response that could not be sent whole (the client reset, or stopped reading): the
/// connection ends.
pub fn not_sent(ip_port: &str, error: &io::Error) {
    line(&format!(
        "响应没能发完，结束这个连接 response not sent whole, closing {ip_port}: {:?}: {error}",
        error.kind()
    ));
}

/// `accept` failed (out of file descriptors, say): the server waits a little and goes on.
pub fn accept_failed(error: &io::Error) {
    line(&format!(
        "accept 失败，稍后重试 accept failed, retrying: {:?}: {error}",
        error.kind()
    ));
}

/// Step 11's wait for the client's own close ran out.
pub fn let_go(ip_port: &str, linger: Duration) {
    let seconds = linger.as_secs();
    say!(
        "{ip_port} {seconds} 秒内没有关闭它那一端，不再等 did not close its end within {seconds} s"
    );
}

/// Step 12: an idle connection closed at Ctrl-C.
pub fn idle_closed(ip_port: &str) {
    say!("Ctrl-C：关闭空闲的连接 closing an idle connection: {ip_port}");
}

/// Step 12: Ctrl-C has come, and `live` connections are still open.
pub fn stopping(live: usize) {
    say!(
        "收到 Ctrl-C：不再接受新连接，等 {live} 个连接结束 / Ctrl-C: no new connections; waiting for {}",
        course::count(live, "connection", "connections")
    );
}

/// Step 12's end: whether every connection ended within the grace.
pub fn stopped(all_ended: bool) {
    if !all_ended {
        say!(
            "有的连接没有及时结束，直接退出 some connections did not end in time; exiting anyway"
        );
    }
    say!("服务端已退出 server stopped");
}
