//! The root package of the TCP course holds no code of its own: its integration tests in
//! `tests/` run every lesson's binary against real sockets on loopback, as a student would.
//! See `README.md` for the lesson map.
