//! The parent's end of the channel: standard input and output.
//!
//! Under sshd (and ClusterShell's local workers) both are pipes: they are
//! then read and written directly by the event loop. Anything else (a file,
//! a socket) goes through tokio's standard streams, which use a helper
//! thread and copy every write.

use std::os::fd::AsFd;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::unix::pipe;

/// What the gateway reads its parent's stream from.
pub(crate) type ParentInput = Box<dyn AsyncRead + Unpin>;
/// What the gateway writes its stream to.
pub(crate) type ParentOutput = Box<dyn AsyncWrite + Unpin>;

/// Standard input, as a pipe when it is one. Call within the runtime.
pub(crate) fn parent_input() -> ParentInput {
    let fd = std::io::stdin().as_fd().try_clone_to_owned();
    match fd.and_then(pipe::Receiver::from_owned_fd) {
        Ok(pipe) => Box::new(pipe),
        Err(_) => Box::new(tokio::io::stdin()),
    }
}

/// Standard output, as a pipe when it is one. Call within the runtime.
pub(crate) fn parent_output() -> ParentOutput {
    let fd = std::io::stdout().as_fd().try_clone_to_owned();
    match fd.and_then(pipe::Sender::from_owned_fd) {
        Ok(pipe) => Box::new(pipe),
        Err(_) => Box::new(tokio::io::stdout()),
    }
}
