//! The push decoder: feed bytes, take frames.

use bytes::BytesMut;

use crate::core::Core;
use crate::error::WireError;
use crate::frame::Frame;

/// Default maximum frame size: 256 MiB, enough for ClusterShell's copy mode.
pub const DEFAULT_MAX_FRAME_SIZE: usize = 256 << 20;

/// Largest accepted maximum frame size, 2 GiB - 1 (attribute offsets are
/// stored in 31 bits).
pub const MAX_FRAME_SIZE_LIMIT: usize = (1 << 31) - 1;

/// Incremental decoder of a channel stream.
///
/// Feed it chunks of any size, split anywhere, and take complete frames out;
/// the frames are the same whatever the chunking. Memory is bounded: the
/// decoder holds at most the maximum frame size plus the chunk fed last
/// (the frame in progress is checked against the limit as soon as it is
/// crossed).
///
/// ```
/// use cscomm_wire::{Frame, FrameDecoder};
///
/// let mut decoder = FrameDecoder::new();
/// decoder.feed(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">");
/// decoder.feed(b"<message type=\"ACK\" msgid=\"2\" ack=\"0\"></mess");
/// assert!(matches!(decoder.next_frame(), Ok(Some(Frame::ChannelStart(_)))));
/// assert_eq!(decoder.next_frame(), Ok(None)); // need more input
/// decoder.feed(b"age>\n");
/// let Ok(Some(Frame::Message(msg))) = decoder.next_frame() else { panic!() };
/// assert_eq!(msg.attributes().get("type"), Some("ACK"));
/// assert!(msg.payload().is_empty());
/// assert_eq!(decoder.finish(), Ok(None)); // EOF without </channel>: an abort, not an error
/// assert_eq!(decoder.channel_version(), Some("1.10.1"));
/// ```
#[derive(Debug)]
pub struct FrameDecoder {
    core: Core,
    buf: BytesMut,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        FrameDecoder::new()
    }
}

impl FrameDecoder {
    /// A decoder with the default maximum frame size
    /// ([`DEFAULT_MAX_FRAME_SIZE`]).
    pub fn new() -> Self {
        FrameDecoder::with_max_frame_size(DEFAULT_MAX_FRAME_SIZE)
    }

    /// A decoder rejecting frames (from a tag's `<` to the end of
    /// `</message>`) and runs of text longer than `max` bytes. `max` is
    /// clamped to `1..=`[`MAX_FRAME_SIZE_LIMIT`].
    pub fn with_max_frame_size(max: usize) -> Self {
        FrameDecoder {
            core: Core::new(max.clamp(1, MAX_FRAME_SIZE_LIMIT)),
            buf: BytesMut::new(),
        }
    }

    /// The maximum frame size in force.
    pub fn max_frame_size(&self) -> usize {
        self.core.max()
    }

    /// Appends a chunk of the stream (any size, split anywhere). Ignored
    /// once the decoder has failed.
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.core.error().is_none() {
            self.buf.extend_from_slice(chunk);
        }
    }

    /// The next complete frame, or `Ok(None)` when more input is needed
    /// (never an error). After an error, every call returns that error.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, WireError> {
        self.core.next(&mut self.buf, false)
    }

    /// Like [`next_frame`](Self::next_frame), at the end of the stream: call
    /// it until it returns `Ok(None)`. Trailing white space (or text after
    /// the last message) is fine, and so is a stream that stops without
    /// `</channel>` (that is how a peer aborts); a partial frame is a
    /// [`Truncated`](crate::WireErrorKind::Truncated) error at the offset
    /// where that frame began.
    pub fn finish(&mut self) -> Result<Option<Frame>, WireError> {
        self.core.next(&mut self.buf, true)
    }

    /// Absolute stream offset of the next byte to decode: the start of the
    /// frame in progress, or the end of everything decoded so far.
    pub fn offset(&self) -> u64 {
        self.core.offset()
    }

    /// Bytes fed but not yet handed out in frames.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The `version` attribute of `<channel>`, once it was decoded.
    pub fn channel_version(&self) -> Option<&str> {
        self.core.version()
    }

    /// Decoding with a caller-owned buffer (the tokio codec's).
    #[cfg(feature = "tokio-codec")]
    pub(crate) fn decode_from(
        &mut self,
        buf: &mut BytesMut,
        eof: bool,
    ) -> Result<Option<Frame>, WireError> {
        self.core.next(buf, eof)
    }
}
