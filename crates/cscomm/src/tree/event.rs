//! What a tree run reports.

use std::sync::Arc;

use bytes::Bytes;

/// One thing that happened in a tree run, in order per node.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TreeEvent {
    /// A line of a node's standard output (or of both outputs, merged),
    /// without its `\n`.
    Stdout {
        /// The node.
        node: Arc<str>,
        /// The line's bytes, exact.
        line: Bytes,
    },
    /// A line of a node's standard error, when kept separate.
    Stderr {
        /// The node.
        node: Arc<str>,
        /// The line's bytes, exact.
        line: Bytes,
    },
    /// A node's command ended with this exit code (255: ssh failed to reach
    /// it; 76: the gateway carrying it failed after setup). A last event.
    Exit {
        /// The node.
        node: Arc<str>,
        /// The exit code.
        code: i32,
    },
    /// A node's command timed out and was killed. A last event.
    Timeout {
        /// The node.
        node: Arc<str>,
    },
    /// Targets were routed again (`event` is `reroute`): the gateway that
    /// carried them failed before setup.
    Routing {
        /// The routing event's name, as ClusterShell names it.
        event: String,
        /// The gateway that was given up.
        gateway: String,
        /// The targets routed again (folded node set text).
        targets: String,
    },
    /// A gateway failed after its channel was set up (a protocol error, a
    /// closed channel, its exit, or no answer in time): its targets still
    /// running end next (exit code 76, or timed out when it fell silent).
    GatewayFailed {
        /// The gateway.
        gateway: String,
        /// What went wrong.
        reason: String,
    },
    /// A line the gateway process wrote on its standard error (or sent as
    /// its own `SER`), or an error it reported before setup.
    GatewayStderr {
        /// The gateway.
        gateway: String,
        /// The line.
        line: Bytes,
    },
}

impl TreeEvent {
    /// The node this event is about, if it is about one node.
    pub fn node(&self) -> Option<&str> {
        match self {
            TreeEvent::Stdout { node, .. }
            | TreeEvent::Stderr { node, .. }
            | TreeEvent::Exit { node, .. }
            | TreeEvent::Timeout { node } => Some(node),
            TreeEvent::Routing { .. }
            | TreeEvent::GatewayStderr { .. }
            | TreeEvent::GatewayFailed { .. } => None,
        }
    }
}
