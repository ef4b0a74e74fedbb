//! The `cscomm` command-line tool.

fn main() {}
