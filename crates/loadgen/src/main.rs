//! Load generator for lesson 4 (work in progress).

fn main() {}
