//! Frames to messages, checked as ClusterShell's `XMLReader` checks them.

use cscomm_topology::NodeSet;
use cscomm_wire::{Attributes, Frame, MessageFrame};

use crate::message::{Control, ControlAction, Message, MessageKind, Output};
use crate::payload::Payload;
use crate::pyint::{parse_i64, parse_u64};
use crate::{Event, MessageError, MessageType};

impl TryFrom<MessageFrame> for Message {
    type Error = MessageError;

    /// Checks in ClusterShell's order: the type, then each attribute in the
    /// order the type declares them (the first missing or invalid one is
    /// reported), then the payload (only CFG, CTL, OUT, SER may have one).
    /// The payload is not decoded here (ClusterShell decodes it when the
    /// message is handled): see [`Payload`].
    fn try_from(frame: MessageFrame) -> Result<Message, MessageError> {
        let (attrs, payload) = frame.into_parts();
        let ty = match attrs.get("type") {
            None | Some("") => return Err(MessageError::MissingType),
            Some(name) => MessageType::from_ident(name)
                .ok_or_else(|| MessageError::UnknownType(name.to_owned()))?,
        };
        let reader = Reader { attrs: &attrs };
        let msgid = reader.u64("msgid")?;
        let kind = reader.kind(ty)?;
        let mut message = Message::new(msgid, kind);
        if !payload.is_empty() {
            match payload_slot(&mut message.kind) {
                Some(slot) => *slot = Payload::Encoded(payload),
                None => return Err(MessageError::UnexpectedPayload(ty)),
            }
        }
        Ok(message)
    }
}

fn payload_slot(kind: &mut MessageKind) -> Option<&mut Payload> {
    match kind {
        MessageKind::Config { payload, .. } => Some(payload),
        MessageKind::Control(ctl) => Some(&mut ctl.payload),
        MessageKind::StdOut(out) | MessageKind::StdErr(out) => Some(&mut out.payload),
        _ => None,
    }
}

/// Typed access to the attributes of one frame.
struct Reader<'a> {
    attrs: &'a Attributes,
}

impl Reader<'_> {
    fn text(&self, key: &'static str) -> Result<&str, MessageError> {
        self.attrs
            .get(key)
            .ok_or(MessageError::MissingAttribute(key))
    }

    fn string(&self, key: &'static str) -> Result<String, MessageError> {
        self.text(key).map(str::to_owned)
    }

    fn u64(&self, key: &'static str) -> Result<u64, MessageError> {
        parse_u64(self.text(key)?).map_err(|reason| MessageError::InvalidAttribute { key, reason })
    }

    fn i64(&self, key: &'static str) -> Result<i64, MessageError> {
        parse_i64(self.text(key)?).map_err(|reason| MessageError::InvalidAttribute { key, reason })
    }

    fn nodes(&self, key: &'static str) -> Result<NodeSet, MessageError> {
        let text = self.text(key)?;
        NodeSet::parse_literal(text).map_err(|err| MessageError::InvalidAttribute {
            key,
            reason: format!("invalid node set: {err}"),
        })
    }

    fn kind(&self, ty: MessageType) -> Result<MessageKind, MessageError> {
        Ok(match ty {
            MessageType::Cfg => MessageKind::Config {
                gateway: self.string("gateway")?,
                payload: Payload::None,
            },
            MessageType::Ctl => MessageKind::Control(Control {
                srcid: self.u64("srcid")?,
                action: ControlAction::parse(self.text("action")?),
                target: self.string("target")?,
                payload: Payload::None,
            }),
            MessageType::Ack => MessageKind::Ack {
                ack: self.u64("ack")?,
            },
            MessageType::Err => MessageKind::Error {
                reason: self.string("reason")?,
            },
            MessageType::Out | MessageType::Ser => {
                let output = Output {
                    srcid: self.u64("srcid")?,
                    nodes: self.nodes("nodes")?,
                    payload: Payload::None,
                };
                match ty {
                    MessageType::Out => MessageKind::StdOut(output),
                    _ => MessageKind::StdErr(output),
                }
            }
            MessageType::Ret => MessageKind::Retcode {
                srcid: self.u64("srcid")?,
                retcode: self.i64("retcode")?,
                nodes: self.nodes("nodes")?,
            },
            MessageType::Tim => MessageKind::Timeout {
                srcid: self.u64("srcid")?,
                nodes: self.nodes("nodes")?,
            },
            MessageType::Rtr => MessageKind::Routing {
                srcid: self.u64("srcid")?,
                event: self.string("event")?,
                gateway: self.string("gateway")?,
                targets: self.nodes("targets")?,
            },
        })
    }
}

impl TryFrom<Frame> for Event {
    type Error = MessageError;

    /// `<channel>` gives [`Event::Start`] (with its `version`), `</channel>`
    /// [`Event::End`], a `<message>` is converted as [`Message`]'s
    /// `TryFrom<MessageFrame>` does.
    fn try_from(frame: Frame) -> Result<Event, MessageError> {
        Ok(match frame {
            Frame::ChannelStart(attrs) => Event::Start {
                version: attrs.get("version").map(str::to_owned),
            },
            Frame::Message(msg) => Event::Message(Message::try_from(msg)?),
            Frame::ChannelEnd => Event::End,
        })
    }
}
