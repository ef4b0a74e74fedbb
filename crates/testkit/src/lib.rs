//! Test support shared by every cscomm crate: access to the real peers.
//!
//! Tests talk to real ClusterShell (installed from PyPI by
//! `tools/install-peers`) and to a real OpenSSH server started on loopback.
//! A missing peer is a test failure with a message saying how to install it,
//! never a silent skip.

pub mod clush;
pub mod fuzz;
pub mod python;
pub mod sshd;
