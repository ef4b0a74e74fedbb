//! cscomm: ClusterShell tree-mode communication in Rust.
