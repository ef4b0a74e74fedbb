//! `tokio_util::codec` implementations (feature `tokio-codec`, on by default).

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::decoder::FrameDecoder;
use crate::error::WireError;
use crate::frame::{Frame, OutFrame};

/// Error of the tokio codec: I/O on the underlying stream, or a decoding
/// error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// Reading the stream failed.
    #[error("reading the channel stream: {0}")]
    Io(#[from] std::io::Error),
    /// The stream is not a valid channel stream.
    #[error(transparent)]
    Wire(#[from] WireError),
}

/// Decodes frames straight out of the codec's read buffer (no copy into the
/// decoder's own buffer: do not mix with [`FrameDecoder::feed`]).
///
/// ```
/// use cscomm_wire::{Frame, FrameDecoder};
/// use tokio_util::codec::FramedRead;
/// # async fn next<S: futures_core::Stream + Unpin>(s: &mut S) -> Option<S::Item> {
/// #     std::future::poll_fn(|cx| std::pin::Pin::new(&mut *s).poll_next(cx)).await
/// # }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let stdin: &[u8] = b"<channel version=\"1.10.1\"><message type=\"ACK\" msgid=\"2\" ack=\"0\"></message>\n";
/// let mut frames = FramedRead::new(stdin, FrameDecoder::new());
/// // `next` is `StreamExt::next` from futures or tokio-stream.
/// assert!(matches!(next(&mut frames).await, Some(Ok(Frame::ChannelStart(_)))));
/// assert!(matches!(next(&mut frames).await, Some(Ok(Frame::Message(_)))));
/// assert!(next(&mut frames).await.is_none()); // EOF without </channel>
/// # });
/// ```
impl Decoder for FrameDecoder {
    type Item = Frame;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        Ok(self.decode_from(src, false)?)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        Ok(self.decode_from(src, true)?)
    }
}

/// Writes frames as ClusterShell does (see the [`writer`](crate::write_message)
/// functions).
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameEncoder;

impl Encoder<OutFrame<'_>> for FrameEncoder {
    type Error = std::io::Error;

    fn encode(&mut self, frame: OutFrame<'_>, dst: &mut BytesMut) -> Result<(), Self::Error> {
        frame.write_to(dst);
        Ok(())
    }
}

impl Encoder<&Frame> for FrameEncoder {
    type Error = std::io::Error;

    fn encode(&mut self, frame: &Frame, dst: &mut BytesMut) -> Result<(), Self::Error> {
        frame.write_to(dst);
        Ok(())
    }
}

impl Encoder<Frame> for FrameEncoder {
    type Error = std::io::Error;

    fn encode(&mut self, frame: Frame, dst: &mut BytesMut) -> Result<(), Self::Error> {
        frame.write_to(dst);
        Ok(())
    }
}

/// Decoder and encoder in one, for `tokio_util::codec::Framed` over a
/// bidirectional stream.
#[derive(Debug, Default)]
pub struct FrameCodec {
    decoder: FrameDecoder,
}

impl FrameCodec {
    /// A codec whose decoder has the given maximum frame size.
    pub fn with_max_frame_size(max: usize) -> Self {
        FrameCodec {
            decoder: FrameDecoder::with_max_frame_size(max),
        }
    }

    /// The decoder (for its offset or channel version).
    pub fn decoder(&self) -> &FrameDecoder {
        &self.decoder
    }
}

impl Decoder for FrameCodec {
    type Item = Frame;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        self.decoder.decode(src)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        self.decoder.decode_eof(src)
    }
}

impl<T> Encoder<T> for FrameCodec
where
    FrameEncoder: Encoder<T, Error = std::io::Error>,
{
    type Error = std::io::Error;

    fn encode(&mut self, item: T, dst: &mut BytesMut) -> Result<(), Self::Error> {
        FrameEncoder.encode(item, dst)
    }
}
