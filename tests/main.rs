//! The course's proofs: one test binary, `cargo test --test proofs`, with a module per lesson
//! and per tool (ripgrep and cargo keep theirs the same way). A test is named by its module,
//! as the pages cite it: `cargo test --test proofs lesson4::a_reset` runs the tests of lesson 4
//! whose names start so, `cargo test --test proofs lesson6::` all of lesson 6's.
//!
//! Each module says what it proves; the helpers they share live in `crates/harness`.

#[macro_use]
mod servers;

mod browser;
mod exercises;
mod lesson1;
mod lesson2;
mod lesson3;
mod lesson4;
mod lesson5;
mod lesson6;
mod lesson7;
mod lesson8;
mod lesson9;
mod loadgen_http;
mod mistakes;
mod pages;
mod python_peers;
mod tour;
