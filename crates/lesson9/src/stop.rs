//! Step 12: Ctrl-C, a graceful stop for a server of threads. Lesson 8 does it with tokio's
//! `select!`; here each connection's thread blocks in its own `recv`, so the stop has to reach
//! into the sockets. No new connection is taken; every idle connection (a kept-alive one
//! between requests, or a browser's preconnect that has sent nothing: the Rust Book's server
//! hangs on it) is closed at once; every request in flight is answered, with
//! `Connection: close`; then the process exits with 0.

use std::collections::HashMap;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use socket2::Socket;

/// What the accept loop, the connections' threads and the Ctrl-C handler share.
pub struct Stop {
    stopping: AtomicBool,
    /// The connections waiting for a request's first byte, by number: closable at once.
    idle: Mutex<HashMap<u64, Socket>>,
    /// How many connections have a thread.
    live: Mutex<usize>,
    ended: Condvar,
    /// Where a connection of the server's own wakes `accept` (a loopback address on its port).
    wake: SocketAddr,
}

/// One connection's place in the count; dropped when its thread ends.
pub struct Live(Arc<Stop>);

impl Drop for Live {
    fn drop(&mut self) {
        *lock(&self.0.live) -= 1;
        self.0.ended.notify_all();
    }
}

impl Stop {
    /// For a server listening on `bound`.
    pub fn new(bound: SocketAddr) -> Arc<Self> {
        let mut wake = bound;
        if wake.ip().is_unspecified() {
            wake.set_ip(match bound {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        Arc::new(Stop {
            stopping: AtomicBool::new(false),
            idle: Mutex::new(HashMap::new()),
            live: Mutex::new(0),
            ended: Condvar::new(),
            wake,
        })
    }

    /// Whether Ctrl-C has come.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    // ANCHOR: begin
    /// What Ctrl-C does, on the handler's thread: the flag, then every idle connection shut
    /// down (its `recv` returns 0, the client gets a FIN), then `accept` woken to see the flag.
    pub fn begin(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        for socket in lock(&self.idle).values() {
            let _ = socket.shutdown(Shutdown::Both);
        }
        // accept() waits in the kernel; only a connection ends the wait, so make one.
        let _ = TcpStream::connect_timeout(&self.wake, Duration::from_secs(1));
    }
    // ANCHOR_END: begin

    /// Counts a connection in, before its thread starts.
    pub fn enter(self: &Arc<Self>) -> Live {
        *lock(&self.live) += 1;
        Live(Arc::clone(self))
    }

    // ANCHOR: idle
    /// Connection `id` waits for a request's first byte on `socket`, closable at once by a
    /// stop; `false` when the stop has begun already, and the connection should close.
    pub fn idle(&self, id: u64, socket: &Socket) -> bool {
        let mut idle = lock(&self.idle);
        // Under the lock: begin() sets the flag first, then takes the lock to shut the idle
        // ones, so a connection either sees the flag here or is in the map when it looks.
        if self.stopping() {
            return false;
        }
        if let Ok(copy) = socket.try_clone() {
            idle.insert(id, copy);
        }
        true
    }

    /// Connection `id` has bytes of a request: in flight, to be answered even after Ctrl-C.
    pub fn busy(&self, id: u64) {
        lock(&self.idle).remove(&id);
    }
    // ANCHOR_END: idle

    /// How many connections still have a thread.
    pub fn live(&self) -> usize {
        *lock(&self.live)
    }

    /// Waits, at most `within`, until every connection's thread has ended; says if they did.
    pub fn wait_for_connections(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let mut live = lock(&self.live);
        while *live > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            live = self
                .ended
                .wait_timeout(live, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }
}

/// A lock that a panicked thread left poisoned still guards plain data: take it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
