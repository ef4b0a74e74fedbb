//! Messages to bytes, as ClusterShell's `Message.xml()` writes them.

use bytes::{BufMut, BytesMut};
use cscomm_wire::quote_attr;

use crate::message::{Control, Message, MessageKind, Output};
use crate::{MessageError, MessageIds, PayloadCodec};

impl Message {
    /// Appends this message as one line of the channel stream:
    /// `<message type=".." msgid=".." ...>payload</message>` and `\n`,
    /// attributes in ClusterShell's order and quoting. Payloads not yet
    /// encoded are encoded with `codec`, straight into `out`; encoded ones
    /// are written as they are.
    ///
    /// # Errors
    /// [`MessageError::Encode`] when a payload value cannot be pickled;
    /// `out` is then left as it was.
    pub fn write_to(&self, codec: &PayloadCodec, out: &mut BytesMut) -> Result<(), MessageError> {
        let start = out.len();
        out.extend_from_slice(b"<message type=\"");
        out.extend_from_slice(self.message_type().ident().as_bytes());
        out.put_u8(b'"');
        number(out, "msgid", self.msgid);
        attributes(&self.kind, out);
        out.put_u8(b'>');
        if let Some(payload) = self.kind.payload() {
            if let Err(cause) = payload.write_to(codec, out) {
                out.truncate(start);
                return Err(MessageError::Encode {
                    ty: self.message_type(),
                    cause,
                });
            }
        }
        out.extend_from_slice(b"</message>\n");
        Ok(())
    }

    /// This message's bytes (see [`Message::write_to`]).
    ///
    /// # Errors
    /// See [`Message::write_to`].
    pub fn to_bytes(&self, codec: &PayloadCodec) -> Result<BytesMut, MessageError> {
        let mut out = BytesMut::new();
        self.write_to(codec, &mut out)?;
        Ok(out)
    }
}

/// The attributes after `type` and `msgid`.
fn attributes(kind: &MessageKind, out: &mut BytesMut) {
    match kind {
        MessageKind::Config { gateway, .. } => text(out, "gateway", gateway),
        MessageKind::Control(Control {
            srcid,
            action,
            target,
            ..
        }) => {
            number(out, "srcid", *srcid);
            text(out, "action", action.as_str());
            text(out, "target", target);
        }
        MessageKind::Ack { ack } => number(out, "ack", *ack),
        MessageKind::Error { reason } => text(out, "reason", reason),
        MessageKind::StdOut(Output { srcid, nodes, .. })
        | MessageKind::StdErr(Output { srcid, nodes, .. })
        | MessageKind::Timeout { srcid, nodes } => {
            number(out, "srcid", *srcid);
            text(out, "nodes", &nodes.to_string());
        }
        MessageKind::Retcode {
            srcid,
            retcode,
            nodes,
        } => {
            number(out, "srcid", *srcid);
            number(out, "retcode", *retcode);
            text(out, "nodes", &nodes.to_string());
        }
        MessageKind::Routing {
            srcid,
            event,
            gateway,
            targets,
        } => {
            number(out, "srcid", *srcid);
            text(out, "event", event);
            text(out, "gateway", gateway);
            text(out, "targets", &targets.to_string());
        }
    }
}

fn text(out: &mut BytesMut, name: &str, value: &str) {
    out.put_u8(b' ');
    out.extend_from_slice(name.as_bytes());
    out.put_u8(b'=');
    quote_attr(out, value);
}

/// A number needs no escaping: written in double quotes as `quoteattr` does.
fn number(out: &mut BytesMut, name: &str, value: impl std::fmt::Display) {
    use std::fmt::Write;
    out.put_u8(b' ');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"=\"");
    // Writing into a BytesMut cannot fail.
    let _ = write!(out, "{value}");
    out.put_u8(b'"');
}

/// Writes the messages of one side of a channel: allocates their ids and
/// encodes payloads with the codec chosen for the peer.
///
/// ```
/// use cscomm_message::{MessageKind, MessageWriter, PayloadCodec};
///
/// let mut writer = MessageWriter::new(PayloadCodec::default());
/// let mut out = bytes::BytesMut::new();
/// writer.write_start(&mut out, "1.10.1");
/// let id = writer.write(MessageKind::Ack { ack: 0 }, &mut out)?;
/// assert_eq!(id, 0);
/// assert_eq!(
///     &out[..],
///     &b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">\
///        <message type=\"ACK\" msgid=\"0\" ack=\"0\"></message>\n"[..]
/// );
/// # Ok::<(), cscomm_message::MessageError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MessageWriter {
    ids: MessageIds,
    codec: PayloadCodec,
}

impl MessageWriter {
    /// A writer with ids from 0 and this codec.
    pub fn new(codec: PayloadCodec) -> MessageWriter {
        MessageWriter {
            ids: MessageIds::default(),
            codec,
        }
    }

    /// The codec in use.
    pub fn codec(&self) -> &PayloadCodec {
        &self.codec
    }

    /// Changes the codec (once the peer's protocol is known).
    pub fn set_codec(&mut self, codec: PayloadCodec) {
        self.codec = codec;
    }

    /// The id allocator.
    pub fn ids(&mut self) -> &mut MessageIds {
        &mut self.ids
    }

    /// Appends the stream start: the XML declaration and
    /// `<channel version="...">`.
    pub fn write_start(&self, out: &mut BytesMut, version: &str) {
        cscomm_wire::write_declaration(out);
        cscomm_wire::write_channel_start(out, &[("version", version)]);
    }

    /// Appends `</channel>`.
    pub fn write_end(&self, out: &mut BytesMut) {
        cscomm_wire::write_channel_end(out);
    }

    /// Appends `kind` as a message with the next id, and returns that id.
    /// On error no id is used and `out` is unchanged.
    ///
    /// # Errors
    /// See [`Message::write_to`].
    pub fn write(&mut self, kind: MessageKind, out: &mut BytesMut) -> Result<u64, MessageError> {
        let message = Message::new(self.ids.peek(), kind);
        message.write_to(&self.codec, out)?;
        Ok(self.ids.next_id())
    }
}
