//! The initiator's end of a channel, facing one gateway (ClusterShell's
//! `PropagationChannel`): requests in, bytes for the gateway out; the
//! gateway's bytes in, events out.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use cscomm_message::{
    Control, Message, MessageDecoder, MessageIds, MessageKind, NodeSet, PayloadCodec,
    PickledTopology, ShellRequest,
};
use cscomm_wire::FrameDecoder;

mod event;
mod receive;
mod workers;

pub use event::InitiatorEvent;

use crate::{CloseCause, PROTOCOL_VERSION, SendError};
use workers::Workers;

/// The largest frame an initiator accepts by default: a gateway's
/// grooming tick of lines for a group of nodes, base64-encoded. A larger
/// frame (or an endless one) is a stream error, not memory without end.
pub const INITIATOR_MAX_FRAME_SIZE: usize = 64 << 20;

/// What an [`InitiatorChannel`] sends at start.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InitiatorConfig {
    /// The gateway's name in the tree (the `CFG`'s `gateway`).
    pub gateway: String,
    /// The propagation tree the gateway routes with.
    pub topology: PickledTopology,
    /// The version announced in our `<channel version=..>`.
    pub version: String,
    /// Payload encoding (ClusterShell 1.10.1 writes protocol 4).
    pub codec: PayloadCodec,
    /// Bytes of `CTL` messages that may wait for their turn; beyond,
    /// requests fail with [`SendError::Full`].
    pub max_queued: usize,
    /// The largest frame accepted from the gateway (see
    /// [`INITIATOR_MAX_FRAME_SIZE`]).
    pub max_frame_size: usize,
}

impl InitiatorConfig {
    /// Defaults: version [`PROTOCOL_VERSION`], protocol 4, base64 lines of
    /// 65536 characters, 64 MiB of queued requests, frames up to
    /// [`INITIATOR_MAX_FRAME_SIZE`].
    pub fn new(gateway: impl Into<String>, topology: PickledTopology) -> InitiatorConfig {
        InitiatorConfig {
            gateway: gateway.into(),
            topology,
            version: PROTOCOL_VERSION.to_owned(),
            codec: PayloadCodec::default(),
            max_queued: 64 << 20,
            max_frame_size: INITIATOR_MAX_FRAME_SIZE,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Opened,
    Setup,
    Closed,
}

/// A `write` waiting for its ACK.
#[derive(Debug)]
struct PendingWrite {
    msgid: u64,
    srcid: u64,
    nodes: NodeSet,
    len: usize,
}

/// The initiator end of a channel to one gateway, sans-IO.
///
/// ```
/// use cscomm_channel::{InitiatorChannel, InitiatorConfig, InitiatorEvent};
/// use cscomm_message::{PickledTopology, ShellRequest};
///
/// let topology = PickledTopology::new("admin".parse().unwrap());
/// let mut ch = InitiatorChannel::new(InitiatorConfig::new("gw1", topology));
/// let start = ch.poll_transmit().unwrap(); // header, <channel>, CFG
/// assert!(start.starts_with(b"<?xml"));
/// ch.shell(7, &"n[1-2]".parse().unwrap(), &ShellRequest::new("uname")).unwrap();
/// assert_eq!(ch.poll_transmit(), None); // queued until the CFG's ACK
/// ch.feed(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">");
/// ch.feed(b"<message type=\"ACK\" msgid=\"2\" ack=\"0\"></message>\n");
/// assert_eq!(ch.poll_event(), Some(InitiatorEvent::Opened { version: Some("1.10.1".into()) }));
/// assert_eq!(ch.poll_event(), Some(InitiatorEvent::Ready));
/// assert!(ch.poll_transmit().unwrap().starts_with(b"<message type=\"CTL\""));
/// ```
#[derive(Debug)]
pub struct InitiatorChannel {
    config: InitiatorConfig,
    state: State,
    decoder: MessageDecoder,
    ids: MessageIds,
    output: BytesMut,
    events: VecDeque<InitiatorEvent>,
    /// Encoded `CTL`s waiting for their turn, oldest first.
    queue: VecDeque<Bytes>,
    queued: usize,
    writes: VecDeque<PendingWrite>,
    /// Per worker, the targets the gateway may speak for.
    workers: Workers,
    peer_version: Option<String>,
    error: Option<String>,
    /// Whether the `CFG` was ever acknowledged.
    setup_seen: bool,
    /// The msgid of the last ACK after set-up.
    last_ack: Option<u64>,
    /// Whether the gateway process exit was reported (later reports are
    /// ignored).
    exited: bool,
}

impl InitiatorChannel {
    /// An initiator end: the XML declaration, `<channel>` and the `CFG`
    /// are ready to send at once.
    ///
    /// # Panics
    /// Never for a topology built with [`PickledTopology`] (its encoding
    /// cannot fail).
    pub fn new(config: InitiatorConfig) -> InitiatorChannel {
        let mut output = BytesMut::new();
        cscomm_wire::write_declaration(&mut output);
        cscomm_wire::write_channel_start(&mut output, &[("version", config.version.as_str())]);
        let mut ids = MessageIds::default();
        let cfg = MessageKind::config(config.gateway.clone(), &config.topology);
        let encoded = Message::new(ids.next_id(), cfg).write_to(&config.codec, &mut output);
        // A topology is plain data (sets, dicts, node sets): it encodes.
        assert!(encoded.is_ok(), "CFG encoding: {encoded:?}");
        let relays = relays(&config.gateway, &config.topology);
        let frames = FrameDecoder::with_max_frame_size(config.max_frame_size);
        let decoder = MessageDecoder::with_frame_decoder(frames);
        InitiatorChannel {
            config,
            state: State::Idle,
            decoder,
            ids,
            output,
            events: VecDeque::new(),
            queue: VecDeque::new(),
            queued: 0,
            writes: VecDeque::new(),
            workers: Workers::new(relays),
            peer_version: None,
            error: None,
            setup_seen: false,
            last_ack: None,
            exited: false,
        }
    }

    /// Requests `request` on `targets` for worker `srcid`; returns the
    /// `CTL`'s msgid.
    ///
    /// # Errors
    /// [`SendError::Closed`], [`SendError::Full`], [`SendError::Encode`].
    pub fn shell(
        &mut self,
        srcid: u64,
        targets: &NodeSet,
        request: &ShellRequest,
    ) -> Result<u64, SendError> {
        let msgid = self.request(Control::shell(srcid, targets, request))?;
        self.workers.request(srcid, targets);
        Ok(msgid)
    }

    /// Sends `data` to the standard input of worker `srcid` on `targets`;
    /// its ACK gives [`InitiatorEvent::Written`].
    ///
    /// # Errors
    /// See [`shell`](Self::shell).
    pub fn write(&mut self, srcid: u64, targets: &NodeSet, data: Bytes) -> Result<u64, SendError> {
        let len = data.len();
        let msgid = self.request(Control::write(srcid, targets, data))?;
        self.writes.push_back(PendingWrite {
            msgid,
            srcid,
            nodes: targets.clone(),
            len,
        });
        Ok(msgid)
    }

    /// Closes the standard input of worker `srcid` on `targets`.
    ///
    /// # Errors
    /// See [`shell`](Self::shell).
    pub fn eof(&mut self, srcid: u64, targets: &NodeSet) -> Result<u64, SendError> {
        self.request(Control::eof(srcid, targets))
    }

    /// Queues or sends a `CTL`, as ClusterShell does: at once when the
    /// channel is set up and nothing waits, else behind the others (each
    /// ACK then releases one).
    fn request(&mut self, control: Control) -> Result<u64, SendError> {
        if self.state == State::Closed {
            return Err(SendError::Closed);
        }
        let msgid = self.ids.peek();
        let message = Message::new(msgid, MessageKind::Control(control));
        let encoded = message.to_bytes(&self.config.codec)?.freeze();
        if self.state == State::Setup && self.queue.is_empty() {
            self.output.extend_from_slice(&encoded);
        } else {
            if self.queued + encoded.len() > self.config.max_queued {
                return Err(SendError::Full);
            }
            self.queued += encoded.len();
            self.queue.push_back(encoded);
        }
        Ok(self.ids.next_id())
    }

    fn release_one(&mut self) {
        if let Some(encoded) = self.queue.pop_front() {
            self.queued -= encoded.len();
            self.output.extend_from_slice(&encoded);
        }
    }

    /// Bytes the gateway wrote on its standard output, in any chunking.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.state != State::Closed {
            self.decoder.feed(bytes);
            self.process(false);
        }
    }

    /// The gateway's standard output ended.
    pub fn feed_eof(&mut self) {
        if self.state != State::Closed {
            self.process(true);
        }
        self.close_with(CloseCause::EndOfInput, false);
    }

    /// A line the gateway process wrote on its standard error.
    pub fn feed_stderr_line(&mut self, line: &[u8]) {
        self.events.push_back(InitiatorEvent::GatewayStderr {
            nodes: self.gateway_nodes(),
            data: Bytes::copy_from_slice(line),
        });
    }

    /// The gateway process exited (`code`: `None` when killed by a
    /// signal). Last call: gives [`InitiatorEvent::Unreachable`] for a
    /// failure, [`InitiatorEvent::Aborted`] for targets left, and closes;
    /// calling it again does nothing.
    pub fn process_exited(&mut self, code: Option<i32>) {
        if std::mem::replace(&mut self.exited, true) {
            return;
        }
        if code != Some(0) {
            let relaunch = if self.setup_seen {
                Vec::new()
            } else {
                self.take_pending()
            };
            self.events
                .push_back(InitiatorEvent::Unreachable { code, relaunch });
        }
        let pending = self.take_pending();
        if !pending.is_empty() {
            self.events.push_back(InitiatorEvent::Aborted { pending });
        }
        self.close_with(CloseCause::EndOfInput, false);
    }

    /// Closes the channel from our side (`</channel>` if the gateway
    /// opened its side); the runtime then ends the process and calls
    /// [`process_exited`](Self::process_exited).
    pub fn close(&mut self) {
        self.close_with(CloseCause::Local, true);
    }

    /// The next event, in stream order.
    pub fn poll_event(&mut self) -> Option<InitiatorEvent> {
        self.events.pop_front()
    }

    /// All bytes to write to the gateway so far, or `None`.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        (!self.output.is_empty()).then(|| self.output.split().freeze())
    }

    /// Bytes of requests waiting for an ACK to be sent.
    pub fn queued(&self) -> usize {
        self.queued
    }

    /// The msgid the gateway last acknowledged after set-up (it answers
    /// in stream order: every request up to it reached it), or `None`.
    pub fn last_ack(&self) -> Option<u64> {
        self.last_ack
    }

    /// Whether the `CFG` was acknowledged and the channel is open.
    pub fn is_setup(&self) -> bool {
        self.state == State::Setup
    }

    /// Whether the channel is closed.
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// The gateway's ClusterShell version, once its `<channel>` came.
    pub fn peer_version(&self) -> Option<&str> {
        self.peer_version.as_deref()
    }

    /// The last error the gateway reported (`ERR`) or its stream caused.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Targets of each worker with no return code or timeout yet.
    pub fn pending(&self) -> impl Iterator<Item = (u64, &NodeSet)> {
        self.workers.pending()
    }

    fn gateway_nodes(&self) -> NodeSet {
        NodeSet::from_names([self.config.gateway.as_str()])
    }

    fn take_pending(&mut self) -> Vec<(u64, NodeSet)> {
        self.workers.take_pending()
    }

    fn close_with(&mut self, cause: CloseCause, write_end: bool) {
        if self.state == State::Closed {
            return;
        }
        if write_end && self.state != State::Idle {
            cscomm_wire::write_channel_end(&mut self.output);
        }
        self.state = State::Closed;
        self.queue.clear();
        self.queued = 0;
        self.events.push_back(InitiatorEvent::Closed { cause });
    }
}

/// `gateway` and the gateways of the topology below it.
fn relays(gateway: &str, topology: &PickledTopology) -> NodeSet {
    let mut relays = NodeSet::from_names([gateway]);
    let groups = &topology.groups;
    let mut below: Vec<usize> = groups
        .iter()
        .filter(|group| group.nodes.contains(gateway))
        .flat_map(|group| group.children.iter().copied())
        .collect();
    let mut seen = vec![false; groups.len()];
    while let Some(index) = below.pop() {
        let Some(group) = groups.get(index) else {
            continue;
        };
        if std::mem::replace(&mut seen[index], true) || group.children.is_empty() {
            continue;
        }
        relays.update(&group.nodes);
        below.extend(group.children.iter().copied());
    }
    relays
}
