//! The gateway's end of the channel, facing its parent (ClusterShell's
//! `GatewayChannel`): bytes from the parent in, events and bytes out.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use cscomm_message::{
    Control, ControlAction, Event, Message, MessageDecoder, MessageKind, MessageWriter, NodeSet,
    Payload, PayloadCodec,
};

mod event;

pub use event::GatewayEvent;

use crate::reason;
use crate::{CloseCause, PROTOCOL_VERSION, SendError};

/// How a [`GatewayChannel`] presents itself.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GatewayConfig {
    /// This host's short name: the gateway name when the `CFG` names none.
    pub host: String,
    /// The version announced in our `<channel version=..>`.
    pub version: String,
    /// Payload encoding: its base64 line length is kept; its pickle
    /// protocol is replaced by the one the parent uses once known.
    pub codec: PayloadCodec,
}

impl GatewayConfig {
    /// Defaults for `host`: version [`PROTOCOL_VERSION`], protocol 4,
    /// base64 lines of 65536 characters.
    pub fn new(host: impl Into<String>) -> GatewayConfig {
        GatewayConfig {
            host: host.into(),
            version: PROTOCOL_VERSION.to_owned(),
            codec: PayloadCodec::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for `<channel>`.
    Idle,
    /// Waiting for the `CFG`.
    Opened,
    /// Taking `CTL`s.
    Setup,
    Closed,
}

/// The gateway end of a channel, sans-IO.
///
/// Feed it what the parent writes ([`feed`](Self::feed),
/// [`feed_eof`](Self::feed_eof)), act on its [`events`](Self::poll_event),
/// send results with the `send_*` methods and write out what
/// [`poll_transmit`](Self::poll_transmit) gives, in order.
///
/// ```
/// use cscomm_channel::{GatewayChannel, GatewayConfig, GatewayEvent};
///
/// let mut gw = GatewayChannel::new(GatewayConfig::new("gw1"));
/// gw.feed(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">");
/// assert_eq!(gw.poll_event(), Some(GatewayEvent::Opened { version: Some("1.10.1".into()) }));
/// let out = gw.poll_transmit().unwrap();
/// assert_eq!(&out[..], b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">");
/// gw.feed(b"</channel>");
/// assert!(matches!(gw.poll_event(), Some(GatewayEvent::Closed { .. })));
/// assert_eq!(&gw.poll_transmit().unwrap()[..], b"</channel>");
/// ```
#[derive(Debug)]
pub struct GatewayChannel {
    config: GatewayConfig,
    state: State,
    decoder: MessageDecoder,
    writer: MessageWriter,
    output: BytesMut,
    events: VecDeque<GatewayEvent>,
}

impl GatewayChannel {
    /// A gateway end; the XML declaration is ready to send at once, as
    /// ClusterShell's gateway writes it before reading anything.
    pub fn new(config: GatewayConfig) -> GatewayChannel {
        let mut output = BytesMut::new();
        cscomm_wire::write_declaration(&mut output);
        GatewayChannel {
            writer: MessageWriter::new(config.codec),
            config,
            state: State::Idle,
            decoder: MessageDecoder::new(),
            output,
            events: VecDeque::new(),
        }
    }

    /// Bytes the parent wrote, in any chunking. Ignored once closed.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.state != State::Closed {
            self.decoder.feed(bytes);
            self.process(false);
        }
    }

    /// The parent's stream ended: what is whole is handled, then the
    /// channel closes ([`CloseCause::EndOfInput`], nothing more written).
    pub fn feed_eof(&mut self) {
        if self.state != State::Closed {
            self.process(true);
        }
        if self.state != State::Closed {
            self.state = State::Closed;
            self.events.push_back(GatewayEvent::Closed {
                cause: CloseCause::EndOfInput,
            });
        }
    }

    /// The next event, in stream order.
    pub fn poll_event(&mut self) -> Option<GatewayEvent> {
        self.events.pop_front()
    }

    /// All bytes to write to the parent so far, or `None`.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        (!self.output.is_empty()).then(|| self.output.split().freeze())
    }

    /// Bytes waiting in [`poll_transmit`](Self::poll_transmit): a runtime
    /// stops reading its sources while this is large (back-pressure).
    pub fn pending_transmit(&self) -> usize {
        self.output.len()
    }

    /// Whether the `CFG` was accepted and the channel is not closed.
    pub fn is_setup(&self) -> bool {
        self.state == State::Setup
    }

    /// Whether the channel is closed (no more events, nothing sent).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// The codec answers are encoded with (the parent's pickle protocol
    /// once seen).
    pub fn codec(&self) -> &PayloadCodec {
        self.writer.codec()
    }

    /// Sends a routed message (OUT, SER, RET, TIM, RTR) upstream, for
    /// instance one relayed from a sub-gateway; returns its msgid.
    ///
    /// # Errors
    /// [`SendError::NotSetUp`] before the `CFG`, [`SendError::Closed`]
    /// once closed, [`SendError::NotRouted`] for another type,
    /// [`SendError::Encode`] for a payload that cannot be written.
    pub fn send(&mut self, kind: MessageKind) -> Result<u64, SendError> {
        match self.state {
            State::Setup => {}
            State::Closed => return Err(SendError::Closed),
            State::Idle | State::Opened => return Err(SendError::NotSetUp),
        }
        if kind.srcid().is_none() || matches!(kind, MessageKind::Control(_)) {
            return Err(SendError::NotRouted(kind.message_type()));
        }
        Ok(self.writer.write(kind, &mut self.output)?)
    }

    /// Sends `OUT`: standard output of `nodes` (lines joined with `\n`,
    /// no final newline).
    ///
    /// # Errors
    /// See [`send`](Self::send).
    pub fn send_stdout(
        &mut self,
        srcid: u64,
        nodes: &NodeSet,
        data: impl Into<Bytes>,
    ) -> Result<u64, SendError> {
        self.send(MessageKind::stdout(srcid, nodes.clone(), data))
    }

    /// Sends `SER`: standard error of `nodes`.
    ///
    /// # Errors
    /// See [`send`](Self::send).
    pub fn send_stderr(
        &mut self,
        srcid: u64,
        nodes: &NodeSet,
        data: impl Into<Bytes>,
    ) -> Result<u64, SendError> {
        self.send(MessageKind::stderr(srcid, nodes.clone(), data))
    }

    /// Sends `RET`: `nodes` exited with `retcode`.
    ///
    /// # Errors
    /// See [`send`](Self::send).
    pub fn send_retcode(
        &mut self,
        srcid: u64,
        nodes: &NodeSet,
        retcode: i64,
    ) -> Result<u64, SendError> {
        let nodes = nodes.clone();
        self.send(MessageKind::Retcode {
            srcid,
            retcode,
            nodes,
        })
    }

    /// Sends `TIM`: `nodes` timed out.
    ///
    /// # Errors
    /// See [`send`](Self::send).
    pub fn send_timeout(&mut self, srcid: u64, nodes: &NodeSet) -> Result<u64, SendError> {
        let nodes = nodes.clone();
        self.send(MessageKind::Timeout { srcid, nodes })
    }

    /// Sends `RTR`: a routing `event` (ClusterShell sends `reroute`) about
    /// `targets` and `gateway`.
    ///
    /// # Errors
    /// See [`send`](Self::send).
    pub fn send_routing(
        &mut self,
        srcid: u64,
        event: &str,
        gateway: &str,
        targets: &NodeSet,
    ) -> Result<u64, SendError> {
        self.send(MessageKind::Routing {
            srcid,
            event: event.to_owned(),
            gateway: gateway.to_owned(),
            targets: targets.clone(),
        })
    }

    /// Closes the channel from our side: `</channel>` if it was opened,
    /// then [`CloseCause::Local`]. Nothing happens once closed.
    pub fn close(&mut self) {
        self.close_with(CloseCause::Local);
    }

    /// Fails the channel from our side (for instance a request the runtime
    /// cannot honour): `ERR` with `reason`, `</channel>`, then
    /// [`CloseCause::Error`]. Nothing happens once closed.
    pub fn fail(&mut self, reason: impl Into<String>) {
        if self.state == State::Closed {
            return;
        }
        let reason = reason.into();
        let kind = MessageKind::Error {
            reason: reason.clone(),
        };
        // An ERR has no payload: writing it cannot fail.
        let _ = self.writer.write(kind, &mut self.output);
        self.close_with(CloseCause::Error(reason));
    }

    fn close_with(&mut self, cause: CloseCause) {
        if self.state == State::Closed {
            return;
        }
        if self.state != State::Idle {
            cscomm_wire::write_channel_end(&mut self.output);
        }
        self.state = State::Closed;
        self.events.push_back(GatewayEvent::Closed { cause });
    }

    fn process(&mut self, eof: bool) {
        while self.state != State::Closed {
            let next = if eof {
                self.decoder.finish()
            } else {
                self.decoder.next_event()
            };
            match next {
                Ok(Some(event)) => {
                    if let Err(reason) = self.handle(event) {
                        self.fail(reason);
                    }
                }
                Ok(None) => return,
                Err(error) => self.fail(reason::stream_error(&error)),
            }
        }
    }

    fn handle(&mut self, event: Event) -> Result<(), String> {
        match (self.state, event) {
            (_, Event::End) => self.close_with(CloseCause::End),
            (State::Idle, Event::Start { version }) => {
                cscomm_wire::write_channel_start(
                    &mut self.output,
                    &[("version", self.config.version.as_str())],
                );
                self.state = State::Opened;
                self.events.push_back(GatewayEvent::Opened { version });
            }
            (State::Opened, Event::Message(message)) => self.configure(message)?,
            (State::Setup, Event::Message(message)) => self.control(message)?,
            (_, other) => return Err(reason::unexpected(&other)),
        }
        Ok(())
    }

    fn configure(&mut self, message: Message) -> Result<(), String> {
        let topology = match message.kind.topology() {
            Some(Ok(topology)) => topology,
            Some(Err(error)) => return Err(error.to_string()),
            None => return Err(reason::unexpected(&Event::Message(message))),
        };
        let MessageKind::Config { gateway, payload } = message.kind else {
            return Err("a CFG without a gateway".to_owned());
        };
        self.answer_in_protocol_of(&payload);
        let gateway = if gateway.is_empty() {
            self.config.host.clone()
        } else {
            gateway
        };
        self.state = State::Setup;
        self.ack(message.msgid);
        self.events
            .push_back(GatewayEvent::Configured { gateway, topology });
        Ok(())
    }

    fn control(&mut self, message: Message) -> Result<(), String> {
        let MessageKind::Control(control) = &message.kind else {
            return Err(reason::unexpected(&Event::Message(message)));
        };
        self.answer_in_protocol_of(&control.payload);
        let event = control_event(control)?;
        self.ack(message.msgid);
        self.events.push_back(event);
        Ok(())
    }

    /// Answers a peer in the pickle protocol it writes (a Python 2 parent
    /// cannot read protocol 4).
    fn answer_in_protocol_of(&mut self, payload: &Payload) {
        if let Ok(Some(protocol)) = payload.protocol() {
            let line_length = self.config.codec.line_length();
            self.writer
                .set_codec(PayloadCodec::answering(protocol).with_line_length(line_length));
        }
    }

    fn ack(&mut self, msgid: u64) {
        // An ACK has no payload: writing it cannot fail.
        let _ = self
            .writer
            .write(MessageKind::Ack { ack: msgid }, &mut self.output);
    }
}

fn control_event(control: &Control) -> Result<GatewayEvent, String> {
    let srcid = control.srcid;
    Ok(match &control.action {
        ControlAction::Shell => GatewayEvent::Shell {
            srcid,
            targets: control
                .target_nodes()
                .ok_or_else(|| format!("invalid CTL target: {}", control.target))?,
            request: Box::new(control.shell_request().map_err(|e| e.to_string())?),
        },
        ControlAction::Write => GatewayEvent::Write {
            srcid,
            targets: control.target_nodes(),
            data: control.write_request().map_err(|e| e.to_string())?.buf,
        },
        ControlAction::Eof => GatewayEvent::Eof {
            srcid,
            targets: control.target_nodes(),
        },
        other => {
            return Err(format!("unexpected CTL action: {}", other.as_str()));
        }
    })
}
