//! Lesson 9, HTTP and a static web server: 待写 / to write (what these tests prove, in one sentence).

use harness::server;

/// The scaffold's server binds the port the kernel picks, prints its address and exits 0.
/// 待写 / to write: the lesson's own behaviour, proved with the test's own sockets on loopback.
#[test]
fn listens_on_the_port_the_kernel_picks() {
    let (mut lesson, address) = server("lesson9", &[]);
    assert_ne!(address.port(), 0, "the kernel picked a port");
    assert!(lesson.wait_exit().success(), "{}", lesson.stdout());
}

/// Every bad argument gets one clear line and a non-zero exit, never a panic.
#[test]
fn bad_arguments_get_a_clear_line() {
    harness::cli::assert_bad_arguments_refused("lesson9");
}
