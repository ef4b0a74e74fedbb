//! cscomm: ClusterShell's tree-mode communication layer in Rust.
//!
//! This facade re-exports the layers a program may need on their own and
//! hosts what drives them together:
//!
//! - [`tree`]: the initiator API: one command on a node set, through the
//!   gateways of a propagation tree (ClusterShell's Python gateways or
//!   `cscomm-gateway`), per-node events as they come;
//! - [`gateway`]: the gateway process (`cscomm-gateway`, `cscomm gateway`),
//!   a drop-in replacement for `python -m ClusterShell.Gateway`;
//! - [`command_line`]: the `cscomm` and `cscomm-gateway` programs' entry
//!   points and their `clap` definitions (man pages, shell completions);
//! - [`wire`], [`message`], [`pickle`], [`topology`], [`ssh`]: the layers
//!   below (XML frames, typed messages and payloads, the safe pickle codec,
//!   node sets with `topology.conf`, the topology tree and its router, the
//!   ssh and local transport).
//!
//! # Running a command through the tree
//!
//! ```
//! use cscomm::tree::{TreeEvent, TreeOptions, TreeRun};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // With `topology = Some(..)` and `root` set, targets behind gateways go
//! // through them (over ssh, with `invoke_gateway`); here every node is
//! // reached directly, and `remote = false` runs the command on this machine.
//! let mut options = TreeOptions::default();
//! options.remote = false;
//! let mut run = TreeRun::start("cat; echo done on %h", &"node[1-2]".parse()?, options)?;
//! run.write(&b"input line\n"[..]);
//! run.close_stdin();
//! let mut lines = Vec::new();
//! while let Some(event) = run.next_event().await {
//!     match event {
//!         TreeEvent::Stdout { node, line } => lines.push(format!("{node}: {}", String::from_utf8_lossy(&line))),
//!         TreeEvent::Exit { node, code } => assert_eq!(code, 0, "{node}"),
//!         _ => {}
//!     }
//! }
//! lines.sort();
//! assert_eq!(lines, ["node1: done on node1", "node1: input line", "node2: done on node2", "node2: input line"]);
//! # Ok(()) }
//! ```
//!
//! [`tree::run_blocking`] does the same from synchronous code and returns
//! every node's result at once.
//!
//! Payloads from gateways are decoded by [`pickle`]'s reader, which never
//! executes anything: a compromised gateway cannot run code on the admin
//! node (ClusterShell's Python initiator unpickles whatever it receives).

// The `cscomm` program's modules name this crate `cscomm::`, as a
// program using it would.
extern crate self as cscomm;

mod cli;
pub mod command_line;
mod error;
mod flow;
pub mod gateway;
pub mod tree;

pub use cscomm_message as message;
pub use cscomm_pickle as pickle;
pub use cscomm_ssh as ssh;
pub use cscomm_topology as topology;
pub use cscomm_wire as wire;
pub use error::Error;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
