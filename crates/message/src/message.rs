//! The typed messages.

use bytes::Bytes;
use cscomm_topology::NodeSet;

use crate::payload::{Payload, ShellRequest, WriteRequest};
use crate::{MessageError, MessageType, PayloadError, PickledTopology};

/// One `<message>` of the channel: its id and what it says.
///
/// ```
/// use cscomm_message::{Message, MessageKind};
///
/// let frame = b"<message type=\"RET\" msgid=\"11\" srcid=\"140470179345936\" retcode=\"3\" nodes=\"node[1-3]\"></message>\n";
/// let mut out = bytes::BytesMut::new();
/// let message = Message::new(11, MessageKind::Retcode {
///     srcid: 140470179345936,
///     retcode: 3,
///     nodes: "node[1-3]".parse()?,
/// });
/// message.write_to(&Default::default(), &mut out)?;
/// assert_eq!(&out[..], &frame[..]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The `msgid` attribute: the sender's message counter.
    pub msgid: u64,
    /// The type, its attributes and payload.
    pub kind: MessageKind,
}

impl Message {
    /// A message with this id.
    pub fn new(msgid: u64, kind: MessageKind) -> Message {
        Message { msgid, kind }
    }

    /// The message type.
    pub fn message_type(&self) -> MessageType {
        self.kind.message_type()
    }
}

/// A message's type with its typed attributes and payload.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MessageKind {
    /// `CFG`: the topology for a gateway.
    Config {
        /// The gateway's own node name as the initiator knows it (may be
        /// empty: the gateway then uses its host name).
        gateway: String,
        /// A pickled `ClusterShell.Topology.TopologyTree`.
        payload: Payload,
    },
    /// `CTL`: an action for a gateway.
    Control(Control),
    /// `ACK`: the message with id `ack` was processed.
    Ack {
        /// The acknowledged `msgid`.
        ack: u64,
    },
    /// `ERR`: a fatal error; the sender closes the channel.
    Error {
        /// Why, in words for the user.
        reason: String,
    },
    /// `OUT`: standard output of `nodes`.
    StdOut(Output),
    /// `SER`: standard error of `nodes` (`srcid` 0: the gateway's own
    /// standard error).
    StdErr(Output),
    /// `RET`: `nodes` exited with `retcode`.
    Retcode {
        /// The worker the command belongs to.
        srcid: u64,
        /// The exit code.
        retcode: i64,
        /// The nodes.
        nodes: NodeSet,
    },
    /// `TIM`: `nodes` timed out.
    Timeout {
        /// The worker the command belongs to.
        srcid: u64,
        /// The nodes.
        nodes: NodeSet,
    },
    /// `RTR`: a routing event (`reroute`: `targets` go through another
    /// gateway than `gateway`).
    Routing {
        /// The worker the command belongs to.
        srcid: u64,
        /// The event name.
        event: String,
        /// The gateway concerned.
        gateway: String,
        /// The nodes concerned.
        targets: NodeSet,
    },
}

impl MessageKind {
    /// The message type.
    pub fn message_type(&self) -> MessageType {
        match self {
            MessageKind::Config { .. } => MessageType::Cfg,
            MessageKind::Control(_) => MessageType::Ctl,
            MessageKind::Ack { .. } => MessageType::Ack,
            MessageKind::Error { .. } => MessageType::Err,
            MessageKind::StdOut(_) => MessageType::Out,
            MessageKind::StdErr(_) => MessageType::Ser,
            MessageKind::Retcode { .. } => MessageType::Ret,
            MessageKind::Timeout { .. } => MessageType::Tim,
            MessageKind::Routing { .. } => MessageType::Rtr,
        }
    }

    /// The payload, for the types that have one.
    pub fn payload(&self) -> Option<&Payload> {
        match self {
            MessageKind::Config { payload, .. } => Some(payload),
            MessageKind::Control(ctl) => Some(&ctl.payload),
            MessageKind::StdOut(out) | MessageKind::StdErr(out) => Some(&out.payload),
            _ => None,
        }
    }

    /// The `srcid` (worker id), for the routed types.
    pub fn srcid(&self) -> Option<u64> {
        match self {
            MessageKind::Control(Control { srcid, .. })
            | MessageKind::StdOut(Output { srcid, .. })
            | MessageKind::StdErr(Output { srcid, .. })
            | MessageKind::Retcode { srcid, .. }
            | MessageKind::Timeout { srcid, .. }
            | MessageKind::Routing { srcid, .. } => Some(*srcid),
            _ => None,
        }
    }

    /// The output bytes of an `OUT` or `SER` (`None` for other types).
    ///
    /// # Errors
    /// [`MessageError::InvalidPayload`] (`Message OUT has an invalid
    /// payload (...)`) when the payload is not a pickled `bytes`.
    pub fn output_data(&self) -> Option<Result<Bytes, MessageError>> {
        match self {
            MessageKind::StdOut(out) | MessageKind::StdErr(out) => {
                Some(out.data().map_err(|cause| MessageError::InvalidPayload {
                    ty: self.message_type(),
                    cause,
                }))
            }
            _ => None,
        }
    }

    /// A `CFG` carrying `topology` for `gateway`.
    pub fn config(gateway: impl Into<String>, topology: &PickledTopology) -> MessageKind {
        MessageKind::Config {
            gateway: gateway.into(),
            payload: Payload::value(topology.to_value()),
        }
    }

    /// The topology of a `CFG` (`None` for other types).
    ///
    /// # Errors
    /// [`MessageError::InvalidPayload`] (`Message CFG has an invalid payload
    /// (...)`) when the payload is not a pickled `TopologyTree`.
    pub fn topology(&self) -> Option<Result<PickledTopology, MessageError>> {
        let MessageKind::Config { payload, .. } = self else {
            return None;
        };
        let invalid = |cause| MessageError::InvalidPayload {
            ty: MessageType::Cfg,
            cause,
        };
        Some(
            payload
                .decode_value()
                .and_then(|value| PickledTopology::from_value(&value))
                .map_err(invalid),
        )
    }

    /// An `OUT` of `data` (a line or lines without the final newline).
    pub fn stdout(srcid: u64, nodes: NodeSet, data: impl Into<Bytes>) -> MessageKind {
        MessageKind::StdOut(Output::new(srcid, nodes, data))
    }

    /// A `SER` of `data`.
    pub fn stderr(srcid: u64, nodes: NodeSet, data: impl Into<Bytes>) -> MessageKind {
        MessageKind::StdErr(Output::new(srcid, nodes, data))
    }
}

/// The action of a `CTL` message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ControlAction {
    /// `shell`: run a command (payload: [`ShellRequest`]).
    Shell,
    /// `write`: write to the standard input (payload: [`WriteRequest`]).
    Write,
    /// `eof`: close the standard input (no payload).
    Eof,
    /// Any other action, kept as written (a Python gateway logs and ignores
    /// it).
    Other(String),
}

impl ControlAction {
    /// The action as written in the `action` attribute.
    pub fn as_str(&self) -> &str {
        match self {
            ControlAction::Shell => "shell",
            ControlAction::Write => "write",
            ControlAction::Eof => "eof",
            ControlAction::Other(action) => action,
        }
    }

    /// The action named `text`.
    pub fn parse(text: &str) -> ControlAction {
        match text {
            "shell" => ControlAction::Shell,
            "write" => ControlAction::Write,
            "eof" => ControlAction::Eof,
            other => ControlAction::Other(other.to_owned()),
        }
    }
}

/// A `CTL` message: an action of worker `srcid` on `target` nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    /// The worker (Python's `id(worker)` on the initiator).
    pub srcid: u64,
    /// The action.
    pub action: ControlAction,
    /// The `target` attribute as written: a node set, or (CTL `eof` from
    /// ClusterShell 1.10.1) the repr of a Python set such as `{'n3',
    /// 'n1'}`. See [`Control::target_nodes`].
    pub target: String,
    /// The payload (none for `eof`).
    pub payload: Payload,
}

impl Control {
    /// A `shell` control.
    pub fn shell(srcid: u64, target: &NodeSet, request: &ShellRequest) -> Control {
        Control {
            srcid,
            action: ControlAction::Shell,
            target: target.to_string(),
            payload: Payload::value(request.to_value()),
        }
    }

    /// A `write` control.
    pub fn write(srcid: u64, target: &NodeSet, buf: Bytes) -> Control {
        Control {
            srcid,
            action: ControlAction::Write,
            target: target.to_string(),
            payload: Payload::value(WriteRequest { buf }.to_value()),
        }
    }

    /// An `eof` control (`target` written as a node set).
    pub fn eof(srcid: u64, target: &NodeSet) -> Control {
        Control {
            srcid,
            action: ControlAction::Eof,
            target: target.to_string(),
            payload: Payload::None,
        }
    }

    /// The target as a node set, read leniently: a node set, or the repr of
    /// a Python set or list of names (`{'node3', 'node1'}`, `set()`), whose
    /// names are joined. `None` when neither reading works.
    pub fn target_nodes(&self) -> Option<NodeSet> {
        crate::target::parse_target(&self.target)
    }

    /// The decoded `shell` request.
    ///
    /// # Errors
    /// [`MessageError::InvalidPayload`] (ClusterShell's words) when the
    /// payload does not decode into a shell request.
    pub fn shell_request(&self) -> Result<ShellRequest, MessageError> {
        self.payload.decode_shell().map_err(invalid_ctl)
    }

    /// The decoded `write` request.
    ///
    /// # Errors
    /// As [`Control::shell_request`].
    pub fn write_request(&self) -> Result<WriteRequest, MessageError> {
        let value = self.payload.decode_value().map_err(invalid_ctl)?;
        WriteRequest::try_from(value).map_err(invalid_ctl)
    }
}

fn invalid_ctl(cause: PayloadError) -> MessageError {
    MessageError::InvalidPayload {
        ty: MessageType::Ctl,
        cause,
    }
}

/// The body of `OUT` and `SER` messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The worker the command belongs to (0: the gateway itself).
    pub srcid: u64,
    /// The nodes that produced this output.
    pub nodes: NodeSet,
    /// A pickled `bytes` object.
    pub payload: Payload,
}

impl Output {
    /// Output `data` of `nodes`, encoded when written.
    pub fn new(srcid: u64, nodes: NodeSet, data: impl Into<Bytes>) -> Output {
        Output {
            srcid,
            nodes,
            payload: Payload::Bytes(data.into()),
        }
    }

    /// The output bytes (decoded without a value tree; zero-copy when the
    /// payload is already decoded). See [`MessageKind::output_data`] for
    /// the error in ClusterShell's words.
    ///
    /// # Errors
    /// When the payload is not a pickled `bytes`.
    pub fn data(&self) -> Result<Bytes, PayloadError> {
        self.payload.decode_bytes()
    }
}
