//! Whole streams: bytes to events (channel start, messages, end).

use cscomm_wire::FrameDecoder;

use crate::{Message, MessageError};

/// What a channel stream carries: its start, its messages, its end
/// (ClusterShell's `StartMessage`, messages and `EndMessage`).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `<channel>`: the peer opened the channel.
    Start {
        /// The peer's ClusterShell version (`version` attribute).
        version: Option<String>,
    },
    /// A message.
    Message(Message),
    /// `</channel>`: the peer closed the channel cleanly.
    End,
}

/// Incremental decoder of a channel stream into [`Event`]s: the wire
/// decoder ([`FrameDecoder`]) followed by the frame to message conversion.
///
/// ```
/// use cscomm_message::{Event, MessageDecoder, MessageKind};
///
/// let mut decoder = MessageDecoder::new();
/// decoder.feed(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">");
/// decoder.feed(b"<message type=\"ACK\" msgid=\"2\" ack=\"0\"></message>\n");
/// assert_eq!(decoder.next_event()?, Some(Event::Start { version: Some("1.10.1".into()) }));
/// let Some(Event::Message(ack)) = decoder.next_event()? else { panic!() };
/// assert_eq!(ack.kind, MessageKind::Ack { ack: 0 });
/// assert_eq!(decoder.finish()?, None);
/// # Ok::<(), cscomm_message::MessageError>(())
/// ```
#[derive(Debug, Default)]
pub struct MessageDecoder {
    frames: FrameDecoder,
}

impl MessageDecoder {
    /// A decoder with the wire's default limits.
    pub fn new() -> MessageDecoder {
        MessageDecoder::default()
    }

    /// A decoder over a configured frame decoder (limits).
    pub fn with_frame_decoder(frames: FrameDecoder) -> MessageDecoder {
        MessageDecoder { frames }
    }

    /// Appends a chunk of the stream.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.frames.feed(chunk);
    }

    /// The next event, or `Ok(None)` when more input is needed.
    ///
    /// # Errors
    /// A wire error (with its stream offset; it repeats on later calls) or a
    /// message conversion error (the stream can go on after it, as the
    /// frame was whole, but ClusterShell closes the channel).
    pub fn next_event(&mut self) -> Result<Option<Event>, MessageError> {
        self.frames.next_frame()?.map(Event::try_from).transpose()
    }

    /// Like [`MessageDecoder::next_event`] at the end of the stream: call
    /// it until it returns `Ok(None)`.
    ///
    /// # Errors
    /// See [`MessageDecoder::next_event`]; a truncated frame is a wire error.
    pub fn finish(&mut self) -> Result<Option<Event>, MessageError> {
        self.frames.finish()?.map(Event::try_from).transpose()
    }

    /// Absolute stream offset of the next frame to decode (where the last
    /// error's frame ended, for conversion errors).
    pub fn offset(&self) -> u64 {
        self.frames.offset()
    }
}

/// Decodes a whole stream into its events; stops at the first error.
///
/// # Errors
/// See [`MessageDecoder::next_event`].
pub fn decode_stream(stream: &[u8]) -> Result<Vec<Event>, MessageError> {
    let mut decoder = MessageDecoder::new();
    decoder.feed(stream);
    let mut events = Vec::new();
    while let Some(event) = decoder.finish()? {
        events.push(event);
    }
    Ok(events)
}
