//! The events of the gateway end.

use bytes::Bytes;
use cscomm_message::{NodeSet, PickledTopology, ShellRequest};

use crate::CloseCause;

/// What the parent asked for, in stream order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum GatewayEvent {
    /// `<channel>` arrived (and was answered).
    Opened {
        /// The parent's ClusterShell version (`version` attribute).
        version: Option<String>,
    },
    /// The `CFG` arrived (and was ACKed): the channel is set up.
    Configured {
        /// Our name in the tree: the `CFG`'s, or [`GatewayConfig::host`](crate::GatewayConfig::host).
        gateway: String,
        /// The propagation tree.
        topology: PickledTopology,
    },
    /// `CTL shell` (ACKed): run `request` on `targets` for worker `srcid`.
    Shell {
        /// The parent's worker id: tag every answer with it.
        srcid: u64,
        /// The targets.
        targets: NodeSet,
        /// Command and settings.
        request: Box<ShellRequest>,
    },
    /// `CTL write` (ACKed): bytes for the standard input of worker `srcid`.
    Write {
        /// The worker.
        srcid: u64,
        /// The targets named by the parent, when readable.
        targets: Option<NodeSet>,
        /// The bytes.
        data: Bytes,
    },
    /// `CTL eof` (ACKed): close the standard input of worker `srcid`.
    Eof {
        /// The worker.
        srcid: u64,
        /// The targets named by the parent, when readable (ClusterShell
        /// 1.10.1 writes a Python set here).
        targets: Option<NodeSet>,
    },
    /// The channel is closed: abort everything. Always the last event.
    Closed {
        /// Why.
        cause: CloseCause,
    },
}
