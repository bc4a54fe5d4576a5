//! # `course`: what every lesson shares and none of them teaches
//!
//! Command-line options, encoding look-up by label, turning an `io::Error` into one friendly
//! line with a hint, the "listening on ADDR" line, and the kernel's view of TCP states.
//!
//! What it deliberately leaves out: every socket call. A lesson's `main.rs` makes its own
//! `socket()`, `setsockopt()`, `bind()`, `listen()`, `accept()`, `connect()`, `send()`,
//! `recv()` and `close()`, in the order the notes number them, so that a student can read
//! the notes and the code side by side. Nothing in this crate opens, configures or uses a
//! socket.

pub mod encoding;
pub mod failure;
pub mod kernel;
pub mod lessons;
pub mod limits;
pub mod options;
pub mod process;
pub mod report;
pub mod resolve;

mod buffer;
mod print;

pub use buffer::as_uninit;
/// How wide a line is in a terminal, and how to cut it to fit: the one measure the lessons,
/// the tools and the tests share.
pub use columns::{MAX_COLUMNS, fit, width};
pub use failure::{Role, finish};
pub use print::{
    addr_text, announce_listening, bytes_text, count, print_both, print_fit, print_received,
};
