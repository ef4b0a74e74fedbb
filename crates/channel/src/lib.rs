//! The two ends of ClusterShell's tree-mode channel as sans-IO state
//! machines: bytes in, events and bytes out; no sockets, no processes, no
//! clock reads, no async runtime.
//!
//! - [`GatewayChannel`]: what a gateway runs, facing its parent
//!   (ClusterShell's `GatewayChannel`).
//! - [`InitiatorChannel`]: what an admin node (or a gateway reaching a
//!   sub-gateway) runs, facing one gateway (ClusterShell's
//!   `PropagationChannel`).
//! - [`GroomingBuffer`]: how a gateway gathers its targets' output before
//!   sending it upstream (ClusterShell's `TreeWorkerResponder` with its
//!   `MsgTree`), with time passed in.
//!
//! The states of both ends and every deliberate difference from
//! ClusterShell are in `docs/CHANNEL.md`.

mod gateway;
mod grooming;
mod initiator;
mod lines;
mod msgtree;
mod reason;

use cscomm_message::{MessageError, MessageType};

pub use gateway::{GatewayChannel, GatewayConfig, GatewayEvent};
pub use grooming::{GroomingBuffer, GroomingConfig};
pub use initiator::{INITIATOR_MAX_FRAME_SIZE, InitiatorChannel, InitiatorConfig, InitiatorEvent};
pub use lines::{Lines, lines};

/// The ClusterShell version our channel ends announce by default.
pub const PROTOCOL_VERSION: &str = "1.10.1";

/// Why a channel closed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseCause {
    /// The peer closed it cleanly (`</channel>`).
    End,
    /// The peer's stream ended without `</channel>`.
    EndOfInput,
    /// We closed it ([`GatewayChannel::close`], [`InitiatorChannel::close`]).
    Local,
    /// A stream or protocol error; its reason (sent in an `ERR` by a
    /// gateway end).
    Error(String),
}

impl CloseCause {
    /// The error's reason, when the channel closed on one.
    pub fn error(&self) -> Option<&str> {
        match self {
            CloseCause::Error(reason) => Some(reason),
            _ => None,
        }
    }
}

/// Why a message could not be sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The channel is closed.
    #[error("the channel is closed")]
    Closed,
    /// The channel is not set up yet (no `CFG` accepted).
    #[error("the channel is not set up")]
    NotSetUp,
    /// Too many requests wait for their turn
    /// ([`InitiatorConfig::max_queued`]).
    #[error("too many requests are queued")]
    Full,
    /// Only routed messages (OUT, SER, RET, TIM, RTR) are sent this way.
    #[error("{} is not a routed message", .0.ident())]
    NotRouted(MessageType),
    /// The payload could not be encoded.
    #[error(transparent)]
    Encode(#[from] MessageError),
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
