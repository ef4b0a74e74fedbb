//! The gateway's end of the channel to its parent, sans-IO: bytes in,
//! events and bytes out (no clock, no process, no runtime).
//!
//! States, as ClusterShell's gateway has them: the XML declaration is
//! written at once; `<channel>` from the parent is answered with our own
//! `<channel>`; then a `CFG` (ACKed) sets the channel up; then `CTL`
//! `shell`/`write`/`eof` are ACKed and handed out as events. `</channel>`
//! or the end of input closes. A stream or protocol error sends `ERR` with
//! ClusterShell's words, closes the channel, and ends everything.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use cscomm_message::{
    Control, ControlAction, Event, Message, MessageDecoder, MessageError, MessageKind,
    MessageWriter, NodeSet, PayloadCodec, PickledTopology, ShellRequest,
};

/// The version this gateway announces in its `<channel>` start: the
/// ClusterShell protocol it speaks (peers only log it).
pub const PROTOCOL_VERSION: &str = "1.10.1";

/// What the parent asked for, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum UpstreamEvent {
    /// The parent opened the channel; its ClusterShell version.
    Opened {
        /// The `version` attribute of its `<channel>`.
        version: Option<String>,
    },
    /// The `CFG`: this gateway's name in the tree and the topology.
    Configured {
        /// The name to route with (the `CFG`'s, or the host's short name).
        gateway: String,
        /// The propagation tree.
        topology: PickledTopology,
    },
    /// A `CTL shell`: run a command on targets for worker `srcid`.
    Shell {
        /// The parent's worker id, to tag every answer with.
        srcid: u64,
        /// The targets.
        targets: NodeSet,
        /// The command and its settings.
        request: Box<ShellRequest>,
    },
    /// A `CTL write`: bytes for the standard input of worker `srcid`.
    Write {
        /// The worker.
        srcid: u64,
        /// The bytes.
        data: Bytes,
    },
    /// A `CTL eof`: close the standard input of worker `srcid`.
    Eof {
        /// The worker.
        srcid: u64,
    },
    /// The channel is closed (`</channel>`, end of input, or an error):
    /// abort everything. A last event.
    Closed {
        /// Why, when it was an error (also sent upstream in an `ERR`).
        error: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Opened,
    Setup,
    Closed,
}

/// The gateway's end of the channel to its parent.
#[derive(Debug)]
pub struct Upstream {
    host: String,
    state: State,
    decoder: MessageDecoder,
    writer: MessageWriter,
    line_length_codec: PayloadCodec,
    output: BytesMut,
    events: VecDeque<UpstreamEvent>,
}

impl Upstream {
    /// A channel end for a gateway on `host` (its short name, used when the
    /// `CFG` names no gateway), answering with `codec`'s base64 line length.
    /// The XML declaration is ready to send at once.
    pub fn new(host: impl Into<String>, codec: PayloadCodec) -> Self {
        let mut output = BytesMut::new();
        cscomm_wire::write_declaration(&mut output);
        Upstream {
            host: host.into(),
            state: State::Idle,
            decoder: MessageDecoder::new(),
            writer: MessageWriter::new(codec),
            line_length_codec: codec,
            output,
            events: VecDeque::new(),
        }
    }

    /// Bytes received from the parent.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.state == State::Closed {
            return;
        }
        self.decoder.feed(bytes);
        self.process(false);
    }

    /// The parent's stream ended.
    pub fn feed_eof(&mut self) {
        if self.state != State::Closed {
            self.process(true);
        }
        if self.state != State::Closed {
            // The parent is gone: nobody reads a `</channel>` any more.
            self.state = State::Closed;
            self.events.push_back(UpstreamEvent::Closed { error: None });
        }
    }

    /// The next event, in order.
    pub fn poll_event(&mut self) -> Option<UpstreamEvent> {
        self.events.pop_front()
    }

    /// Bytes to write to the parent (empty when there are none).
    pub fn take_output(&mut self) -> BytesMut {
        self.output.split()
    }

    /// Bytes waiting in [`Upstream::take_output`].
    pub fn pending_output(&self) -> usize {
        self.output.len()
    }

    /// Whether the channel is closed (nothing more will be read).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Sends `kind` (OUT, SER, RET, TIM, RTR) to the parent. Ignored once
    /// closed. A payload that cannot be encoded is reported as an `ERR`.
    pub fn send(&mut self, kind: MessageKind) {
        if self.state == State::Closed {
            return;
        }
        if let Err(error) = self.writer.write(kind, &mut self.output) {
            let reason = error.to_string();
            self.send_error(&reason);
        }
    }

    /// Closes the channel from our side (`</channel>` if it was opened).
    pub fn close(&mut self, error: Option<String>) {
        if self.state == State::Closed {
            return;
        }
        if self.state != State::Idle {
            cscomm_wire::write_channel_end(&mut self.output);
        }
        self.state = State::Closed;
        self.events.push_back(UpstreamEvent::Closed { error });
    }

    fn process(&mut self, eof: bool) {
        loop {
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
                Err(error) => {
                    self.fail(error_reason(&error));
                }
            }
            if self.state == State::Closed {
                return;
            }
        }
    }

    fn handle(&mut self, event: Event) -> Result<(), String> {
        match (self.state, event) {
            (_, Event::End) => self.close(None),
            (State::Idle, Event::Start { version }) => {
                cscomm_wire::write_channel_start(
                    &mut self.output,
                    &[("version", PROTOCOL_VERSION)],
                );
                self.state = State::Opened;
                self.events.push_back(UpstreamEvent::Opened { version });
            }
            (State::Opened, Event::Message(message)) => self.configure(message)?,
            (State::Setup, Event::Message(message)) => self.control(message)?,
            (_, other) => return Err(format!("unexpected message: {}", describe(&other))),
        }
        Ok(())
    }

    fn configure(&mut self, message: Message) -> Result<(), String> {
        let MessageKind::Config { gateway, payload } = &message.kind else {
            return Err(format!(
                "unexpected message: {}",
                describe_message(&message)
            ));
        };
        if let Ok(Some(protocol)) = payload.protocol() {
            let codec = PayloadCodec::answering(protocol)
                .with_line_length(self.line_length_codec.line_length());
            self.writer.set_codec(codec);
        }
        let topology = match message.kind.topology() {
            Some(Ok(topology)) => topology,
            Some(Err(error)) => return Err(error.to_string()),
            None => unreachable!("a CFG has a topology"),
        };
        let gateway = if gateway.is_empty() {
            self.host.clone()
        } else {
            gateway.clone()
        };
        self.state = State::Setup;
        self.ack(message.msgid);
        self.events
            .push_back(UpstreamEvent::Configured { gateway, topology });
        Ok(())
    }

    fn control(&mut self, message: Message) -> Result<(), String> {
        let MessageKind::Control(control) = &message.kind else {
            // ClusterShell's gateway logs and ignores other messages after setup.
            tracing::warn!(
                "ignoring unexpected message: {}",
                describe_message(&message)
            );
            return Ok(());
        };
        let event = match &control.action {
            ControlAction::Shell => shell_event(control)?,
            ControlAction::Write => UpstreamEvent::Write {
                srcid: control.srcid,
                data: control.write_request().map_err(|e| e.to_string())?.buf,
            },
            ControlAction::Eof => UpstreamEvent::Eof {
                srcid: control.srcid,
            },
            ControlAction::Other(action) => {
                // As ClusterShell's gateway: logged, not acknowledged.
                tracing::error!("unexpected CTL action: {action}");
                return Ok(());
            }
        };
        self.ack(message.msgid);
        self.events.push_back(event);
        Ok(())
    }

    fn ack(&mut self, msgid: u64) {
        self.send(MessageKind::Ack { ack: msgid });
    }

    fn send_error(&mut self, reason: &str) {
        let kind = MessageKind::Error {
            reason: reason.to_owned(),
        };
        // An ERR has no payload: writing it cannot fail.
        let _ = self.writer.write(kind, &mut self.output);
    }

    fn fail(&mut self, reason: String) {
        tracing::error!("channel error: {reason}");
        self.send_error(&reason);
        self.close(Some(reason));
    }
}

fn shell_event(control: &Control) -> Result<UpstreamEvent, String> {
    let request = control.shell_request().map_err(|e| e.to_string())?;
    let targets = control
        .target_nodes()
        .ok_or_else(|| format!("invalid CTL target: {:?}", control.target))?;
    Ok(UpstreamEvent::Shell {
        srcid: control.srcid,
        targets,
        request: Box::new(request),
    })
}

/// The `ERR` reason for a stream error: ClusterShell says `Parse error: ...`
/// for what its XML parser rejects and gives the message error's own words
/// otherwise.
fn error_reason(error: &MessageError) -> String {
    match error {
        MessageError::Wire(wire) => format!("Parse error: {wire}"),
        other => other.to_string(),
    }
}

fn describe(event: &Event) -> String {
    match event {
        Event::Start { .. } => "channel start".to_owned(),
        Event::End => "channel end".to_owned(),
        Event::Message(message) => describe_message(message),
    }
}

fn describe_message(message: &Message) -> String {
    format!(
        "{} (msgid {})",
        message.kind.message_type().ident(),
        message.msgid
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &[u8] =
        b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">";

    fn fed(parts: &[&[u8]]) -> (Upstream, String) {
        let mut upstream = Upstream::new("host", PayloadCodec::default());
        for part in parts {
            upstream.feed(part);
        }
        let output = String::from_utf8(upstream.take_output().to_vec()).unwrap();
        (upstream, output)
    }

    fn events(upstream: &mut Upstream) -> Vec<UpstreamEvent> {
        std::iter::from_fn(|| upstream.poll_event()).collect()
    }

    #[test]
    fn answers_the_channel_start_and_closes_on_end() {
        let (mut upstream, output) = fed(&[START, b"</channel>"]);
        assert_eq!(
            output,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\"></channel>"
        );
        let events = events(&mut upstream);
        assert_eq!(events.last(), Some(&UpstreamEvent::Closed { error: None }));
        assert!(upstream.is_closed());
    }

    #[test]
    fn a_message_before_the_configuration_is_an_error() {
        let (mut upstream, output) = fed(&[
            START,
            b"<message type=\"ACK\" msgid=\"3\" ack=\"1\"></message>\n",
        ]);
        assert!(output.contains(
            "<message type=\"ERR\" msgid=\"0\" reason=\"unexpected message: ACK (msgid 3)\">"
        ));
        assert!(output.ends_with("</channel>"));
        let closed = events(&mut upstream).pop();
        assert!(matches!(
            closed,
            Some(UpstreamEvent::Closed { error: Some(_) })
        ));
    }

    #[test]
    fn stream_errors_are_parse_errors_with_their_offset() {
        let (_, output) = fed(&[START, b"<bogus/>"]);
        let expected = format!(
            "reason=\"Parse error: Invalid starting tag bogus at byte {}\"",
            START.len()
        );
        assert!(output.contains(&expected), "{output}");
    }

    #[test]
    fn unknown_types_use_clustershell_words() {
        let (_, output) = fed(&[START, b"<message type=\"XYZ\" msgid=\"1\"></message>\n"]);
        assert!(
            output.contains("reason=\"Unknown message type XYZ\""),
            "{output}"
        );
    }

    #[test]
    fn end_of_input_closes_without_writing_more() {
        let mut upstream = Upstream::new("host", PayloadCodec::default());
        upstream.feed(START);
        let _ = upstream.take_output();
        upstream.feed_eof();
        assert!(upstream.take_output().is_empty());
        assert_eq!(
            events(&mut upstream).last(),
            Some(&UpstreamEvent::Closed { error: None })
        );
    }
}
