//! cscomm: ClusterShell's tree-mode communication layer in Rust.
//!
//! This facade re-exports the layers a program may need on their own and
//! hosts what drives them together:
//!
//! - [`wire`]: the XML frames of the channel stream;
//! - [`ssh`]: running commands on many nodes over ssh or locally;
//! - [`tree`]: one command on a node set through the propagation tree;
//! - [`gateway`]: the gateway process (`cscomm-gateway`).
//!
//! The `cscomm` binary is the command-line tool built on this crate.

mod error;
pub mod gateway;
pub mod tree;

pub use cscomm_ssh as ssh;
pub use cscomm_wire as wire;
pub use error::Error;
