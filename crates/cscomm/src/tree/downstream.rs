//! The initiator's end of a channel to a gateway, sans-IO: what the admin
//! node (or a gateway reaching a sub-gateway) runs.
//!
//! As ClusterShell's `PropagationChannel`: the XML declaration, our
//! `<channel>` and the `CFG` go out at once; `CTL`s wait until the `CFG` is
//! acknowledged, then each `ACK` releases the next one (one outstanding at
//! a time). Answers arrive as [`DownstreamEvent`]s.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use cscomm_message::{
    Control, Event, Message, MessageDecoder, MessageError, MessageKind, MessageWriter, NodeSet,
    PayloadCodec, PickledTopology, ShellRequest,
};

use crate::gateway::PROTOCOL_VERSION;

/// What the gateway sent back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DownstreamEvent {
    /// The `CFG` was acknowledged: the channel is set up.
    Ready,
    /// Lines of output of `nodes` (joined with `\n`), standard error when
    /// `stderr`; `srcid` 0 is the gateway's own.
    Output {
        srcid: u64,
        stderr: bool,
        nodes: NodeSet,
        data: Bytes,
    },
    /// `nodes` ended with `retcode`.
    Retcode {
        srcid: u64,
        nodes: NodeSet,
        retcode: i64,
    },
    /// `nodes` timed out.
    Timeout { srcid: u64, nodes: NodeSet },
    /// A routing event further down the tree.
    Routing {
        srcid: u64,
        event: String,
        gateway: String,
        targets: NodeSet,
    },
    /// The gateway reported an error (`ERR`), or its stream could not be
    /// understood. `setup` tells whether the channel was set up.
    Error { reason: String, setup: bool },
    /// The gateway closed the channel (`</channel>`).
    Closed,
}

/// The initiator's end of one channel.
#[derive(Debug)]
pub(crate) struct Downstream {
    decoder: MessageDecoder,
    writer: MessageWriter,
    output: BytesMut,
    queue: VecDeque<Control>,
    setup: bool,
    /// The msgid of the CTL (or CFG) waiting for its ACK, if any.
    outstanding: Option<u64>,
    failed: bool,
    peer_version: Option<String>,
    events: VecDeque<DownstreamEvent>,
}

impl Downstream {
    /// A channel configuring `gateway` with `topology`; the start of the
    /// stream is ready to send at once.
    pub(crate) fn new(gateway: &str, topology: &PickledTopology, codec: PayloadCodec) -> Self {
        let mut writer = MessageWriter::new(codec);
        let mut output = BytesMut::new();
        writer.write_start(&mut output, PROTOCOL_VERSION);
        let config = MessageKind::config(gateway, topology);
        // A topology always pickles: its values are plain data.
        let outstanding = writer.write(config, &mut output).ok();
        Downstream {
            decoder: MessageDecoder::new(),
            writer,
            output,
            queue: VecDeque::new(),
            setup: false,
            outstanding,
            failed: false,
            peer_version: None,
            events: VecDeque::new(),
        }
    }

    /// Queues a `CTL shell`.
    pub(crate) fn shell(&mut self, srcid: u64, targets: &NodeSet, request: &ShellRequest) {
        self.enqueue(Control::shell(srcid, targets, request));
    }

    /// Queues a `CTL write`.
    pub(crate) fn write(&mut self, srcid: u64, targets: &NodeSet, data: Bytes) {
        self.enqueue(Control::write(srcid, targets, data));
    }

    /// Queues a `CTL eof`.
    pub(crate) fn eof(&mut self, srcid: u64, targets: &NodeSet) {
        self.enqueue(Control::eof(srcid, targets));
    }

    /// Bytes received from the gateway.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        if self.failed {
            return;
        }
        self.decoder.feed(bytes);
        self.process();
    }

    /// The next event.
    pub(crate) fn poll_event(&mut self) -> Option<DownstreamEvent> {
        self.events.pop_front()
    }

    /// Bytes to send to the gateway.
    pub(crate) fn take_output(&mut self) -> BytesMut {
        self.output.split()
    }

    /// Whether the `CFG` was acknowledged.
    pub(crate) fn is_setup(&self) -> bool {
        self.setup
    }

    /// The gateway's ClusterShell version, once its `<channel>` came.
    pub(crate) fn peer_version(&self) -> Option<&str> {
        self.peer_version.as_deref()
    }

    fn enqueue(&mut self, control: Control) {
        self.queue.push_back(control);
        self.send_next();
    }

    fn send_next(&mut self) {
        if !self.setup || self.outstanding.is_some() || self.failed {
            return;
        }
        let Some(control) = self.queue.pop_front() else {
            return;
        };
        match self
            .writer
            .write(MessageKind::Control(control), &mut self.output)
        {
            Ok(msgid) => self.outstanding = Some(msgid),
            Err(error) => self.fail(error.to_string()),
        }
    }

    fn process(&mut self) {
        while !self.failed {
            match self.decoder.next_event() {
                Ok(Some(event)) => self.handle(event),
                Ok(None) => return,
                Err(error) => self.fail(self.unreadable(&error)),
            }
        }
    }

    /// A stream we cannot read: say which peer sent it.
    fn unreadable(&self, error: &MessageError) -> String {
        let version = self.peer_version.as_deref().unwrap_or("unknown");
        format!("cannot understand the gateway (ClusterShell version {version}): {error}")
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Start { version } => self.peer_version = version,
            Event::End => self.events.push_back(DownstreamEvent::Closed),
            Event::Message(message) => self.message(message),
        }
    }

    fn message(&mut self, message: Message) {
        let event = match message.kind {
            MessageKind::Ack { ack } => {
                if self.outstanding == Some(ack) {
                    self.outstanding = None;
                    if !self.setup {
                        self.setup = true;
                        self.events.push_back(DownstreamEvent::Ready);
                    }
                    self.send_next();
                }
                return;
            }
            MessageKind::StdOut(out) => output_event(out, false),
            MessageKind::StdErr(out) => output_event(out, true),
            MessageKind::Retcode {
                srcid,
                retcode,
                nodes,
            } => Ok(DownstreamEvent::Retcode {
                srcid,
                nodes,
                retcode,
            }),
            MessageKind::Timeout { srcid, nodes } => Ok(DownstreamEvent::Timeout { srcid, nodes }),
            MessageKind::Routing {
                srcid,
                event,
                gateway,
                targets,
            } => Ok(DownstreamEvent::Routing {
                srcid,
                event,
                gateway,
                targets,
            }),
            MessageKind::Error { reason } => Ok(DownstreamEvent::Error {
                reason,
                setup: self.setup,
            }),
            other => {
                tracing::debug!("ignoring {:?} from a gateway", other.message_type());
                return;
            }
        };
        match event {
            Ok(event) => self.events.push_back(event),
            Err(error) => self.fail(self.unreadable(&error)),
        }
    }

    fn fail(&mut self, reason: String) {
        self.failed = true;
        self.events.push_back(DownstreamEvent::Error {
            reason,
            setup: self.setup,
        });
    }
}

fn output_event(
    out: cscomm_message::Output,
    stderr: bool,
) -> Result<DownstreamEvent, MessageError> {
    let data = out.data().map_err(|cause| MessageError::InvalidPayload {
        ty: if stderr {
            cscomm_message::MessageType::Ser
        } else {
            cscomm_message::MessageType::Out
        },
        cause,
    })?;
    Ok(DownstreamEvent::Output {
        srcid: out.srcid,
        stderr,
        nodes: out.nodes,
        data,
    })
}
