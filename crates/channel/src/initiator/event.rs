//! The events of the initiator end.

use bytes::Bytes;
use cscomm_message::NodeSet;

use crate::CloseCause;

/// What the gateway said, in stream order. Output events carry a node set
/// and the payload; [`crate::lines`] cuts it into lines, and
/// [`NodeSet::iter`] gives the per-node view.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum InitiatorEvent {
    /// The gateway opened its side of the channel.
    Opened {
        /// Its ClusterShell version.
        version: Option<String>,
    },
    /// The `CFG` was acknowledged: requests flow.
    Ready,
    /// Standard output of `nodes` for worker `srcid` (one or more lines).
    StdOut {
        /// The worker.
        srcid: u64,
        /// The nodes that printed it.
        nodes: NodeSet,
        /// The lines, joined with `\n`.
        data: Bytes,
    },
    /// Standard error of `nodes` for worker `srcid`.
    StdErr {
        /// The worker.
        srcid: u64,
        /// The nodes.
        nodes: NodeSet,
        /// The lines, joined with `\n`.
        data: Bytes,
    },
    /// `nodes` of worker `srcid` exited with `code`.
    Exit {
        /// The worker.
        srcid: u64,
        /// The nodes.
        nodes: NodeSet,
        /// Their return code.
        code: i64,
    },
    /// `nodes` of worker `srcid` timed out.
    Timeout {
        /// The worker.
        srcid: u64,
        /// The nodes.
        nodes: NodeSet,
    },
    /// A routing event of worker `srcid` (ClusterShell sends `reroute`).
    Routing {
        /// The worker.
        srcid: u64,
        /// The event name.
        event: String,
        /// The gateway concerned.
        gateway: String,
        /// The targets concerned.
        targets: NodeSet,
    },
    /// The gateway acknowledged a `write`: `len` bytes reached `nodes`.
    Written {
        /// The worker.
        srcid: u64,
        /// The targets of the write.
        nodes: NodeSet,
        /// Bytes written.
        len: usize,
    },
    /// The gateway's own standard error (its process's stderr, `SER` with
    /// srcid 0, an `ERR` before setup, a stream it could not read), to
    /// show as stderr of `nodes` for every worker on this gateway.
    GatewayStderr {
        /// The gateway (or the nodes a `SER` names).
        nodes: NodeSet,
        /// The lines.
        data: Bytes,
    },
    /// The gateway reported an error after setup (`ERR`): fatal for it.
    GatewayError {
        /// Its reason.
        reason: String,
    },
    /// The gateway process exited with a failure: mark it unreachable.
    /// Before setup its targets are handed back to be routed elsewhere.
    Unreachable {
        /// Its exit code (`None`: killed by a signal).
        code: Option<i32>,
        /// Targets to relaunch through another route, per worker.
        relaunch: Vec<(u64, NodeSet)>,
    },
    /// The gateway is gone while these targets had not finished: they end
    /// with exit code 76 (`EX_PROTOCOL`), as ClusterShell ends them.
    Aborted {
        /// Unfinished targets, per worker.
        pending: Vec<(u64, NodeSet)>,
    },
    /// The channel is closed (nothing more is read or written).
    Closed {
        /// Why.
        cause: CloseCause,
    },
}
