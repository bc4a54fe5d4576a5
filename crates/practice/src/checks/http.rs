//! Exercise 11, HTTP and a static web server: 待写 / to write (what its checks prove, in one sentence).

use super::{Check, Checker, listening_address};
use crate::verdict::Failure;

pub const CHECKS: &[Check] = &[Check {
    title: "待写 / to write：第一项检查 / the first check",
    run: listens,
}];

/// Starts the program on a port the OS picks and waits for its "listening on" line, so that
/// a starter's todo!() is named as the step to write; then fails until the checks are written.
fn listens(checker: &mut Checker) -> Result<(), Failure> {
    let mut program = checker.start(&["--port", "0"])?;
    listening_address(&mut program, "3")?;
    Err(Failure::new(
        "待写 / to write：这个练习的检查 / the exercise's checks",
        "还没有写 not written yet",
    ))
}
