//! The frames of a channel stream.

use bytes::{Bytes, BytesMut};

use crate::attributes::Attributes;
use crate::writer;

/// One frame of the channel stream, as the decoder hands it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// `<channel ...>`: the start of the channel, with its attributes
    /// (ClusterShell sends `version`).
    ChannelStart(Attributes),
    /// `<message ...>payload</message>` (or `<message .../>`).
    Message(MessageFrame),
    /// `</channel>`: the peer closed the channel cleanly.
    ChannelEnd,
}

impl Frame {
    /// Appends this frame as [`writer`](crate::write_message) functions
    /// write it (a message gets its trailing `\n`).
    ///
    /// Payloads are written as character data: a decoded payload holding
    /// `\r` reads back as `\n` (XML line-end normalisation), as with Python.
    pub fn write_to(&self, out: &mut BytesMut) {
        match self {
            Frame::ChannelStart(attrs) => writer::write_start(out, "channel", attrs.iter()),
            Frame::Message(msg) => {
                writer::write_start(out, "message", msg.attributes().iter());
                writer::write_message_rest(out, msg.payload());
            }
            Frame::ChannelEnd => writer::write_channel_end(out),
        }
    }
}

/// A `<message>` element: its attributes and its character data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFrame {
    attributes: Attributes,
    payload: Bytes,
}

impl MessageFrame {
    /// A message frame (to write, or to compare with a decoded one).
    pub fn new(attributes: Attributes, payload: Bytes) -> Self {
        MessageFrame {
            attributes,
            payload,
        }
    }

    /// The attributes, in document order (`type`, `msgid`, ... for
    /// ClusterShell).
    pub fn attributes(&self) -> &Attributes {
        &self.attributes
    }

    /// The character data: references replaced and line ends normalised to
    /// `\n`. A zero-copy slice of the input when it held no `&` or `\r`.
    /// For ClusterShell this is base64 text, possibly wrapped with `\n`;
    /// empty when the message has no payload.
    pub fn payload(&self) -> &Bytes {
        &self.payload
    }

    /// The attributes and the payload.
    pub fn into_parts(self) -> (Attributes, Bytes) {
        (self.attributes, self.payload)
    }
}

/// A frame to write, borrowing its parts: what an encoder accepts.
///
/// ```
/// use bytes::BytesMut;
/// use cscomm_wire::OutFrame;
///
/// let mut out = BytesMut::new();
/// OutFrame::Message { attrs: &[("type", "ACK"), ("msgid", "2"), ("ack", "0")], payload: b"" }
///     .write_to(&mut out);
/// assert_eq!(&out[..], b"<message type=\"ACK\" msgid=\"2\" ack=\"0\"></message>\n");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFrame<'a> {
    /// `<?xml version="1.0" encoding="utf-8"?>` and a newline.
    Declaration,
    /// `<channel ...>` with these attributes, no newline.
    ChannelStart(&'a [(&'a str, &'a str)]),
    /// `<message ...>payload</message>` and a newline.
    Message {
        /// Attributes in the order to write them.
        attrs: &'a [(&'a str, &'a str)],
        /// Character data (escaped on writing); empty for none.
        payload: &'a [u8],
    },
    /// `</channel>`, no newline.
    ChannelEnd,
}

impl OutFrame<'_> {
    /// Appends this frame's bytes to `out`.
    pub fn write_to(&self, out: &mut BytesMut) {
        match *self {
            OutFrame::Declaration => writer::write_declaration(out),
            OutFrame::ChannelStart(attrs) => writer::write_channel_start(out, attrs),
            OutFrame::Message { attrs, payload } => writer::write_message(out, attrs, payload),
            OutFrame::ChannelEnd => writer::write_channel_end(out),
        }
    }
}
