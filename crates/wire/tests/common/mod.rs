//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use cscomm_wire::{Frame, FrameDecoder, WireError};

/// Everything a decoder makes of a stream: the frames, then the error that
/// stopped it (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub frames: Vec<Frame>,
    pub error: Option<WireError>,
}

/// Decodes `stream` fed in chunks ending at the given cut points (sorted,
/// within the stream), taking frames after each feed, then finishing.
pub fn decode_cut(stream: &[u8], cuts: &[usize], max: usize) -> Outcome {
    let mut decoder = FrameDecoder::with_max_frame_size(max);
    let mut frames = Vec::new();
    let mut start = 0;
    let ends = cuts.iter().copied().chain(std::iter::once(stream.len()));
    for end in ends {
        let end = end.clamp(start, stream.len());
        decoder.feed(&stream[start..end]);
        start = end;
        loop {
            match decoder.next_frame() {
                Ok(Some(frame)) => frames.push(frame),
                Ok(None) => break,
                Err(error) => {
                    return Outcome {
                        frames,
                        error: Some(error),
                    };
                }
            }
        }
    }
    loop {
        match decoder.finish() {
            Ok(Some(frame)) => frames.push(frame),
            Ok(None) => {
                return Outcome {
                    frames,
                    error: None,
                };
            }
            Err(error) => {
                return Outcome {
                    frames,
                    error: Some(error),
                };
            }
        }
    }
}

/// Decodes `stream` in one piece.
pub fn decode(stream: &[u8]) -> Outcome {
    decode_cut(stream, &[], cscomm_wire::DEFAULT_MAX_FRAME_SIZE)
}

/// Decodes `stream` one byte at a time.
pub fn decode_bytewise(stream: &[u8], max: usize) -> Outcome {
    let cuts: Vec<usize> = (1..stream.len()).collect();
    decode_cut(stream, &cuts, max)
}

/// Decodes `stream` line by line, as ClusterShell feeds its parser.
pub fn decode_lines(stream: &[u8]) -> Outcome {
    let cuts: Vec<usize> = stream
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    decode_cut(stream, &cuts, cscomm_wire::DEFAULT_MAX_FRAME_SIZE)
}

/// A message frame with these attributes and payload.
pub fn message(attrs: &[(&str, &str)], payload: &[u8]) -> Frame {
    Frame::Message(cscomm_wire::MessageFrame::new(
        cscomm_wire::Attributes::from_pairs(attrs),
        bytes::Bytes::copy_from_slice(payload),
    ))
}

/// A channel start frame with these attributes.
pub fn channel(attrs: &[(&str, &str)]) -> Frame {
    Frame::ChannelStart(cscomm_wire::Attributes::from_pairs(attrs))
}
