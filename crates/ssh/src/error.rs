//! The crate's error type.

/// What can go wrong before or while starting a run.
///
/// Failures of one node (ssh cannot connect, the program is missing, ...) are
/// not errors of the run: they arrive as that node's exit event with a
/// [`Failure`](crate::Failure).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `%` keyword of a local command is unknown or malformed (ClusterShell
    /// refuses such a command the same way).
    #[error("invalid pattern {pattern:?} at byte {offset} of the command, use '%%' to escape '%'")]
    Pattern {
        /// The offending text, starting at its `%`.
        pattern: String,
        /// Byte offset of the `%` in the command.
        offset: usize,
    },
    /// `ssh_path` or `ssh_options` cannot be split into words.
    #[error("cannot split {text:?} into words: {reason}")]
    Split {
        /// The text that was split.
        text: String,
        /// Python's reason (`No closing quotation`, `No escaped character`).
        reason: &'static str,
    },
    /// `ssh_path` is empty.
    #[error("the ssh path is empty")]
    EmptySshPath,
    /// A run has no target node.
    #[error("no target node to run the command on")]
    NoTarget,
    /// A session was asked for no host or for several.
    #[error("a session runs on exactly one host, got {0}")]
    SessionHosts(usize),
    /// Standard input was written after it was closed, or to a finished run.
    #[error("standard input is closed")]
    StdinClosed,
    /// Making the pipes of a process failed (out of file descriptors...).
    #[error("cannot create the pipes of a process: {0}")]
    Pipe(#[source] std::io::Error),
}
