//! The decoding loops the wire benchmarks time: feed a stream to a
//! [`FrameDecoder`] in pieces, taking every frame out after each piece, as a
//! reader of a pipe does.

use cscomm_wire::{Frame, FrameDecoder, WireError};

/// What a decoding loop saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// `<message>` frames.
    pub messages: u64,
    /// Payload bytes of those messages.
    pub payload_bytes: u64,
    /// All frames (channel start and end included).
    pub frames: u64,
}

/// Decodes `stream` fed in chunks of `chunk` bytes.
pub fn chunked(stream: &[u8], chunk: usize) -> Result<Tally, WireError> {
    pieces(stream.chunks(chunk.max(1)))
}

/// Decodes `stream` fed line by line, each line with its `\n`, as
/// ClusterShell's channel feeds its parser. (Benchmarks split the lines
/// beforehand with [`streams::lines`](crate::streams::lines) and time
/// [`pieces`] alone: a reader gets its lines already split.)
pub fn line_by_line(stream: &[u8]) -> Result<Tally, WireError> {
    pieces(crate::streams::lines(stream).into_iter())
}

/// Decodes the concatenation of `pieces`, fed one at a time.
pub fn pieces<'a>(pieces: impl Iterator<Item = &'a [u8]>) -> Result<Tally, WireError> {
    let mut decoder = FrameDecoder::new();
    let mut tally = Tally::default();
    for piece in pieces {
        decoder.feed(piece);
        while let Some(frame) = decoder.next_frame()? {
            tally.count(&frame);
        }
    }
    while let Some(frame) = decoder.finish()? {
        tally.count(&frame);
    }
    Ok(tally)
}

impl Tally {
    fn count(&mut self, frame: &Frame) {
        self.frames += 1;
        if let Frame::Message(message) = frame {
            self.messages += 1;
            self.payload_bytes += message.payload().len() as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams;

    #[test]
    fn every_feeding_sees_the_same_frames() {
        let stream = streams::out_lines(100, 80);
        let whole = chunked(&stream, usize::MAX).unwrap_or_default();
        assert_eq!(whole.messages, 100);
        assert_eq!(whole.frames, 102);
        assert_eq!(chunked(&stream, 7).ok(), Some(whole));
        assert_eq!(line_by_line(&stream).ok(), Some(whole));
    }
}
