//! cscomm: ClusterShell's tree-mode communication layer in Rust.
//!
//! This facade re-exports the layers a program may need on their own and
//! hosts what drives them together (the gateway runtime and the initiator,
//! in later versions):
//!
//! - [`wire`]: the XML frames of the channel stream.
//!
//! The `cscomm` binary is the command-line tool built on this crate.

pub use cscomm_wire as wire;
