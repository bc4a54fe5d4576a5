//! Telling a server that waits on a full send buffer from one that only waits for the CPU.
//!
//! Exercises 8 and 10 prove `write_all` by making the server's `write` meet a full buffer. The
//! kernel's socket table shows when its queues stop moving, but on a busy machine a server the
//! scheduler has not run for a while looks just as still. So a stall also needs every thread
//! of the program asleep (Linux: the state in `/proc/PID/task/*/stat`), not runnable.

use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, Instant};

use course::kernel::Connection;

use crate::program::WAIT;

/// How long the server's queues must stay as they are, with its threads asleep, to count as
/// stalled: a server that still reads changes them within microseconds of being run.
const STILL: Duration = Duration::from_millis(50);

/// What [`await_stall`] saw.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    /// The server's queues stayed still for [`STILL`] with every thread asleep.
    Stalled,
    /// `done` said there is nothing more to wait for, or [`WAIT`] passed.
    NoStall,
    /// No kernel table here (not Linux).
    NoTable,
}

/// Waits until the server `pid`'s end of the connection from `me` stalls: `waiting` holds for
/// its row in the kernel's table, neither of its queues moves for [`STILL`], and none of its
/// threads is runnable meanwhile. Gives up when `done` says so or after [`WAIT`].
pub fn await_stall(
    pid: u32,
    me: SocketAddr,
    server: SocketAddr,
    waiting: impl Fn(&Connection) -> bool,
    done: impl Fn(&Connection) -> bool,
) -> Seen {
    let deadline = Instant::now() + WAIT;
    let mut last = None;
    let mut still_since = Instant::now();
    while Instant::now() < deadline {
        let Ok(Some(row)) = course::kernel::connection(server, me) else {
            return Seen::NoTable;
        };
        if done(&row) {
            return Seen::NoStall;
        }
        let queues = (row.unread, row.unacknowledged);
        if !waiting(&row) || last != Some(queues) || runnable(pid) {
            still_since = Instant::now();
        } else if still_since.elapsed() >= STILL {
            return Seen::Stalled;
        }
        last = Some(queues);
        // Between two reads of the table, not instead of one: the deadline bounds the wait.
        thread::sleep(Duration::from_millis(2));
    }
    Seen::NoStall
}

/// Whether any thread of process `pid` is runnable; false where the kernel cannot say: then
/// the queues alone decide.
fn runnable(pid: u32) -> bool {
    course::process::runnable(pid).unwrap_or(false)
}
