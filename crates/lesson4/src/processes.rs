//! 多进程版本：每个客户端一个子进程 / The process-per-client variant.
//!
//! The notes weigh threads against processes ("threads save resources"). `--processes` lets the
//! two be measured side by side (`tests/lesson4.rs`, the page's table): the same
//! `handle_client_request`, but each client served by a child process instead of a thread.
//! The child is this same program, started with `--serve-stdin` and the accepted socket as its
//! standard input: Unix hands the descriptor to the child, with no `fork` and no unsafe code.
//! Python's `multiprocessing.Process` does the same job with `fork`. Left out: Windows, where a
//! socket cannot be a child's standard input.

use std::io;

use course::say;
use encoding_rs::Encoding;
use socket2::Socket;

/// The accept loop of `--processes`: a child process per client, until `stop_after` clients.
#[cfg(unix)]
pub fn accept_loop(
    tcp_server_socket: &Socket,
    encoding: &'static Encoding,
    stop_after: Option<usize>,
) -> io::Result<()> {
    use std::os::fd::OwnedFd;
    use std::process::{Child, Command, Stdio};

    let program = std::env::current_exe()?;
    let mut children: Vec<Child> = Vec::new();
    let mut accepted = 0;
    while stop_after != Some(accepted) {
        let (service_client_socket, ip_port) = tcp_server_socket.accept()?;
        accepted += 1;
        let ip_port = course::addr_text(&ip_port);
        say!("客户端连接成功 client connected: {ip_port}");
        // The child gets the socket as its stdin; this process's copy closes when `Stdio` drops.
        let child = Command::new(&program)
            .args(["--serve-stdin", "--encoding", encoding.name()])
            .stdin(Stdio::from(OwnedFd::from(service_client_socket)))
            .spawn();
        match child {
            Ok(child) => children.push(child),
            Err(error) => say!(
                "无法创建子进程，关闭这个连接 could not start a process, closing the connection: \
                 {:?}: {error}",
                error.kind()
            ),
        }
        // Collect the children that have ended, so that none lingers as a zombie.
        children.retain_mut(|child| matches!(child.try_wait(), Ok(None)));
    }
    let clients = course::count(accepted, "client", "clients");
    say!("停止接受，main 返回 stopped accepting, main returns after {clients}");
    Ok(())
}

/// Without Unix there is no way here to hand a socket to a child: say so.
#[cfg(not(unix))]
pub fn accept_loop(
    _tcp_server_socket: &Socket,
    _encoding: &'static Encoding,
    _stop_after: Option<usize>,
) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "--processes 只在 Unix 上可用 / --processes works on Unix only",
    ))
}

/// The child's side: serve the one connection inherited as standard input.
#[cfg(unix)]
pub fn serve_stdin(encoding: &'static Encoding) -> io::Result<()> {
    use std::os::fd::AsFd;

    let service_client_socket = Socket::from(io::stdin().as_fd().try_clone_to_owned()?);
    let ip_port = course::addr_text(&service_client_socket.peer_addr()?);
    crate::handle_client_request(service_client_socket, ip_port, encoding);
    Ok(())
}

/// Without Unix there is no inherited socket to serve.
#[cfg(not(unix))]
pub fn serve_stdin(_encoding: &'static Encoding) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "--serve-stdin 只在 Unix 上可用 / --serve-stdin works on Unix only",
    ))
}
