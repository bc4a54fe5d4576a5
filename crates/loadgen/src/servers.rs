//! The servers `loadgen bench`, `designs` and `bench-http` start, and the baseline server itself.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::REPLY;

/// A server under test, killed when dropped.
pub(crate) struct Server {
    pub(crate) name: &'static str,
    pub(crate) child: Child,
    pub(crate) address: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `program args --port P` with its stdout going to `stdout`, and waits until it
/// accepts connections. P is a port that was free a moment ago.
pub(crate) fn start_server(
    name: &'static str,
    program: &Path,
    args: &[&str],
    stdout: Stdio,
) -> io::Result<Server> {
    let port = free_port()?;
    let child = Command::new(program)
        .args(args)
        .args(["--port", &port.to_string()])
        .stdout(stdout)
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|error| {
            io::Error::new(
                error.kind(),
                format!(
                    "{}: {error} (build it with --release first)",
                    program.display()
                ),
            )
        })?;
    wait_listening(name, child, port)
}

/// A loopback port that was free a moment ago, for a server that cannot report the one it
/// bound (Python's http.server, nginx).
pub(crate) fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until `child`, a server told to listen on 127.0.0.1:`port`, accepts connections;
/// from then on it is a [`Server`], killed when dropped (and at once if it never listens).
pub(crate) fn wait_listening(name: &'static str, child: Child, port: u16) -> io::Result<Server> {
    let address = SocketAddr::new(IpAddr::from([127, 0, 0, 1]), port);
    let mut server = Server {
        name,
        child,
        address,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(address).is_err() {
        if Instant::now() > deadline || server.child.try_wait()?.is_some() {
            return Err(io::Error::other(format!("{name} did not start listening")));
        }
        thread::sleep(Duration::from_millis(20));
    }
    Ok(server)
}

/// The baseline: lesson 4 without the lesson. A thread per client, each receiving up to 1024
/// bytes and sending the same reply, until the client leaves; no printing, no decoding.
pub(crate) fn serve_baseline(port: u16) -> io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    println!("正在监听 listening on {}", listener.local_addr()?);
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else {
            // Out of descriptors, or a connection aborted before accept: try the next one.
            thread::sleep(Duration::from_millis(100));
            continue;
        };
        let _ = thread::Builder::new().spawn(move || {
            let mut buffer = [0u8; 1024];
            while let Ok(read) = stream.read(&mut buffer) {
                if read == 0 || stream.write_all(REPLY).is_err() {
                    break;
                }
            }
        });
    }
    Ok(())
}
