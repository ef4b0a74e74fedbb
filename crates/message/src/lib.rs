//! Typed messages of ClusterShell's tree-mode channel, and their payloads.
//!
//! Above the wire codec ([`cscomm_wire`], XML frames), this crate gives each
//! `<message>` its meaning: [`Message`] (an id and a [`MessageKind`]: CFG,
//! CTL, ACK, ERR, OUT, SER, RET, TIM, RTR with typed attributes) and the
//! channel [`Event`]s (start with the peer's version, message, end).
//!
//! - Frames become messages with [`Message::try_from`] (or a whole stream
//!   with [`MessageDecoder`]), checked as ClusterShell checks them and
//!   failing with its words ([`MessageError`]).
//! - Messages become bytes with [`Message::write_to`] or a
//!   [`MessageWriter`] (which allocates ids), byte for byte as ClusterShell
//!   1.10.1 writes the same message.
//! - Payloads ([`Payload`]) are base64 text of a pickle, kept encoded when
//!   received and decoded on demand: output bytes without a value tree
//!   ([`Payload::decode_bytes`]), requests ([`ShellRequest`],
//!   [`WriteRequest`]), any value ([`Payload::decode_value`]). They are
//!   encoded with a [`PayloadCodec`] (pickle protocol and base64 line
//!   length per peer).
//! - The propagation tree a `CFG` carries ([`PickledTopology`]) converts
//!   to and from `cscomm_topology`'s [`TopologyTree`](cscomm_topology::TopologyTree)
//!   ([`PickledTopology::from_tree`], [`PickledTopology::to_tree`]), which
//!   reads `topology.conf` and routes.
//!
//! ```
//! use cscomm_message::{Event, MessageKind, PayloadCodec, decode_stream};
//!
//! let stream = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">\
//!     <message type=\"OUT\" msgid=\"8\" srcid=\"1404\" nodes=\"node3\">gASVFAAAAAAAAABDEGhlbGxvIGZyb20gbm9kZTOULg==</message>\n";
//! let events = decode_stream(stream)?;
//! let Event::Message(out) = &events[1] else { panic!() };
//! let MessageKind::StdOut(output) = &out.kind else { panic!() };
//! assert_eq!(output.nodes.to_string(), "node3");
//! assert_eq!(&output.data()?[..], b"hello from node3");
//!
//! // Written back, byte for byte.
//! let mut bytes = bytes::BytesMut::new();
//! out.write_to(&PayloadCodec::default(), &mut bytes)?;
//! assert!(stream.ends_with(&bytes));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod base64;
mod convert;
mod error;
mod ids;
mod kind;
mod message;
mod payload;
mod pickled;
mod pyint;
mod stream;
mod target;
mod write;

pub use error::{MessageError, PayloadError};
pub use ids::MessageIds;
pub use kind::MessageType;
pub use message::{Control, ControlAction, Message, MessageKind, Output};
pub use payload::{
    LINE_LENGTH_ENV, LineLengthError, Number, Payload, PayloadCodec, ShellRequest,
    TREE_DEFAULT_PREFIX, TaskInfo, WriteRequest,
};
pub use pickled::{PickledTopology, TopologyGroup, nodeset_from_value, nodeset_to_value};
pub use stream::{Event, MessageDecoder, decode_stream};
pub use write::MessageWriter;

/// Re-exported: the pickle data model and protocol versions used in
/// payloads.
pub use cscomm_pickle::{Protocol, Value};
/// Re-exported: node sets, used in message attributes.
pub use cscomm_topology::NodeSet;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
