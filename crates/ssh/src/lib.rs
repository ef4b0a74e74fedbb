//! Running commands on many nodes at once, through the OpenSSH client or
//! locally, and streaming their output: the transport of cscomm's gateway
//! and initiator (tokio).
//!
//! - [`Executor::run`] starts a [`Request`] (one command, many nodes) under a
//!   fanout and returns a [`Run`]: per-target [`Event`]s (started, output
//!   lines or chunks, exit or timeout), standard input written to every
//!   target, abort.
//! - [`Session::spawn`] starts one long-lived process (a gateway channel)
//!   with raw standard output chunks and ordered, back-pressured input.
//!
//! ClusterShell's semantics are kept: the ssh argument vector of its
//! `Worker/Ssh.py` ([`SshOptions::argv`]), local commands through
//! `/bin/sh -c` with its `%h`/`%hosts`/`%n`/`%rank` keywords
//! ([`substitute`]), exit code 255 for ssh failures, `128 + signal` for a
//! killed process, a per-target command timeout counted from that target's
//! start that reports the target as timed out (no exit code).
//!
//! Memory stays bounded: events wait in a queue bounded in bytes
//! ([`ExecOptions::buffer_bytes`]); when the consumer lags, the readers stop,
//! the pipes fill and the processes block. A pipe has a read buffer only
//! while it is being read, and only about one reader per 8 KiB of that
//! budget fills one at a time, so thousands of silent or waiting pipes
//! cost no buffer memory. Lines longer than
//! [`ExecOptions::max_line_len`] come in pieces. Every byte arrives, in order
//! per stream.
//!
//! Every process leads its own process group; aborting, timing out or
//! dropping kills the whole group (SIGKILL) and reaps the child. On the
//! remote side, once the ssh client is gone, sshd closes the session: the
//! remote command gets end of input and dies of SIGPIPE on its next write,
//! but a remote process that neither reads nor writes lives on (OpenSSH does
//! not signal sessions without a terminal; ClusterShell behaves the same).
//!
//! Two deliberate differences with ClusterShell: a remote command naming
//! `%hosts` still runs once per node (ClusterShell would pass the node set
//! text to ssh as a host name), and lines keep a `\r` before their `\n`
//! unless [`ExecOptions::strip_cr`] is set (ClusterShell strips it, and loses
//! the text before a lone `\r`).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use cscomm_ssh::{EventKind, Executor, Request, SshOptions, Transport};
//! // Over ssh it would be: Transport::Ssh(SshOptions::default()).
//! let request = Request::new("echo %h; exit 3", ["n1", "n2", "n3"], Transport::Local);
//! let mut run = Executor::new(2).run(request).unwrap();
//! run.close_stdin();
//! let mut codes = Vec::new();
//! while let Some(event) = run.next_event().await {
//!     if let EventKind::Exited(exit) = event.kind {
//!         codes.push((event.key.to_string(), exit.code));
//!     }
//! }
//! codes.sort();
//! assert_eq!(codes, [("n1".into(), 3), ("n2".into(), 3), ("n3".into(), 3)]);
//! # }
//! ```

mod budget;
mod error;
mod event;
mod failure;
mod lines;
mod node;
mod options;
mod output;
mod pattern;
mod process;
mod run;
mod session;
mod shlex;
mod stdin;
mod transport;

pub use error::Error;
pub use event::{Event, EventKind, Exit};
pub use failure::{Failure, SshFailure};
pub use lines::{Line, LineEnd, LineSplitter, MIN_LINE_LENGTH};
pub use options::{
    DEFAULT_BUFFER_BYTES, DEFAULT_FANOUT, DEFAULT_MAX_LINE_LENGTH, ExecOptions, OutputMode,
    StderrMode, StdinMode,
};
pub use pattern::{runs_once_for_all, substitute};
pub use run::{Executor, Request, Run, Target};
pub use session::{Session, SessionStdin};
pub use shlex::{expand_user, split_and_expand, split_words};
pub use stdin::RunStdin;
pub use transport::{DEFAULT_CONNECT_TIMEOUT, LOCAL_SHELL, SshOptions, Transport};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
