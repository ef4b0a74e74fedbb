//! What runs report, per target.

use std::sync::Arc;

use bytes::Bytes;

use crate::{Failure, Line};

/// How a target's process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Exit {
    /// The exit code: the process's own, `128 + signal` when a signal killed
    /// it (as ClusterShell reports it), 255 when ssh failed or the program
    /// could not be started.
    pub code: i32,
    /// The signal that killed the process, if one did.
    pub signal: Option<i32>,
    /// Why the target did not run the command, when that is known.
    pub failure: Option<Failure>,
}

/// One thing that happened to one target, in order for that target.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// The process was started (fanout let it in). Always the first event.
    Started,
    /// A line of standard output (or of both outputs when merged).
    Stdout(Line),
    /// A line of standard error (when kept separate).
    Stderr(Line),
    /// Raw standard output bytes, in [`OutputMode::Chunks`](crate::OutputMode).
    StdoutChunk(Bytes),
    /// Raw standard error bytes, in [`OutputMode::Chunks`](crate::OutputMode).
    StderrChunk(Bytes),
    /// Standard output reached its end, in
    /// [`OutputMode::Chunks`](crate::OutputMode) only (the process may
    /// still run: a channel peer that closed its side).
    StdoutEnd,
    /// The process ended with this status. A last event.
    Exited(Exit),
    /// The command timeout expired: the target's process group was killed,
    /// the output read until then was delivered, and there is no exit code.
    /// A last event.
    TimedOut,
}

impl EventKind {
    /// Whether no event follows this one for the same target.
    pub fn is_last(&self) -> bool {
        matches!(self, EventKind::Exited(_) | EventKind::TimedOut)
    }

    /// Bytes of output the event carries (0 for the others).
    pub fn output_len(&self) -> usize {
        match self {
            EventKind::Stdout(line) | EventKind::Stderr(line) => line.bytes.len(),
            EventKind::StdoutChunk(b) | EventKind::StderrChunk(b) => b.len(),
            _ => 0,
        }
    }
}

/// An event of one target of a [`Run`](crate::Run).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Event {
    /// The target's index in [`Run::targets`](crate::Run::targets).
    pub target: usize,
    /// The target's key: its node name (or the node set text when the
    /// command runs once for all nodes).
    pub key: Arc<str>,
    /// What happened.
    pub kind: EventKind,
}
