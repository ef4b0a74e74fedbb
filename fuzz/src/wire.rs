//! Properties of `cscomm_wire::FrameDecoder` on arbitrary input.
//!
//! Used by the `wire_decoder` fuzz target and, through `#[path]`, by
//! `crates/wire/tests/fuzz_seeds.rs`, which replays `fuzz/seeds/wire/`.
//! The comparison with the `tokio_util` codec runs with the feature
//! `tokio-codec` (on by default, both here and in `cscomm-wire`).

use bytes::{Bytes, BytesMut};
#[cfg(feature = "tokio-codec")]
use cscomm_wire::CodecError;
use cscomm_wire::{Frame, FrameDecoder, MessageFrame, WireError, WireErrorKind};
#[cfg(feature = "tokio-codec")]
use tokio_util::codec::Decoder;

// Shared with the other checks (a file of its own so that the crates'
// tests that include this one through `#[path]` find it too).
#[path = "cuts.rs"]
mod cuts;
use cuts::pseudo_random_cuts;

/// Inputs up to this size are also decoded one byte at a time.
const BYTEWISE_MAX: usize = 4096;

/// Small frame limit for the bounded-memory check.
const SMALL_MAX: usize = 200;

/// What decoding a whole stream gave: every frame, then the error if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Frames in stream order.
    pub frames: Vec<Frame>,
    /// The error that stopped decoding.
    pub error: Option<WireError>,
}

/// Runs every check on `data`; panics when one fails.
pub fn check(data: &[u8]) {
    let whole = decode(data, &[], cscomm_wire::DEFAULT_MAX_FRAME_SIZE);
    if let Some(err) = &whole.error {
        assert!(
            err.offset() <= data.len() as u64,
            "offset past the input: {err}"
        );
    }
    let cuts = pseudo_random_cuts(data);
    let chunked = decode(data, &cuts, cscomm_wire::DEFAULT_MAX_FRAME_SIZE);
    assert_eq!(chunked, whole, "chunking {cuts:?} changed the outcome");
    if data.len() <= BYTEWISE_MAX {
        let every: Vec<usize> = (1..data.len()).collect();
        let bytewise = decode(data, &every, cscomm_wire::DEFAULT_MAX_FRAME_SIZE);
        assert_eq!(bytewise, whole, "byte-by-byte feeding changed the outcome");
    }
    #[cfg(feature = "tokio-codec")]
    assert_eq!(
        decode_codec(data, &cuts),
        whole,
        "the tokio Decoder disagrees with feed/next_frame"
    );
    check_bounded(data, &whole);
    check_round_trip(&whole.frames);
}

/// Decodes `data` fed in pieces ending at `cuts` (ascending), taking frames
/// out after each piece, then finishing. Also checks that an error sticks.
pub fn decode(data: &[u8], cuts: &[usize], max: usize) -> Outcome {
    let mut decoder = FrameDecoder::with_max_frame_size(max);
    let mut frames = Vec::new();
    let mut start = 0;
    for end in cuts.iter().copied().chain([data.len()]) {
        let end = end.clamp(start, data.len());
        decoder.feed(&data[start..end]);
        start = end;
        if let Err(error) = drain(&mut decoder, &mut frames, false) {
            return failed(decoder, frames, error);
        }
    }
    match drain(&mut decoder, &mut frames, true) {
        Ok(()) => Outcome {
            frames,
            error: None,
        },
        Err(error) => failed(decoder, frames, error),
    }
}

/// Decodes `data` through the `tokio_util::codec::Decoder` impl (the
/// decoder works in the caller's buffer there), appending the pieces ending
/// at `cuts` to that buffer as a `FramedRead` does.
#[cfg(feature = "tokio-codec")]
pub fn decode_codec(data: &[u8], cuts: &[usize]) -> Outcome {
    let mut decoder = FrameDecoder::new();
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    let mut start = 0;
    for end in cuts.iter().copied().chain([data.len()]) {
        let end = end.clamp(start, data.len());
        buf.extend_from_slice(&data[start..end]);
        start = end;
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(frame)) => frames.push(frame),
                Ok(None) => break,
                Err(e) => return codec_failed(frames, e),
            }
        }
    }
    loop {
        match decoder.decode_eof(&mut buf) {
            Ok(Some(frame)) => frames.push(frame),
            Ok(None) => {
                return Outcome {
                    frames,
                    error: None,
                };
            }
            Err(e) => return codec_failed(frames, e),
        }
    }
}

#[cfg(feature = "tokio-codec")]
fn codec_failed(frames: Vec<Frame>, error: CodecError) -> Outcome {
    match error {
        CodecError::Wire(error) => Outcome {
            frames,
            error: Some(error),
        },
        other => panic!("decoding from memory gave {other}"),
    }
}

/// Takes every available frame out of `decoder`.
fn drain(decoder: &mut FrameDecoder, frames: &mut Vec<Frame>, eof: bool) -> Result<(), WireError> {
    loop {
        let next = if eof {
            decoder.finish()
        } else {
            decoder.next_frame()
        };
        match next? {
            Some(frame) => frames.push(frame),
            None => return Ok(()),
        }
    }
}

/// The outcome of a decoder that failed with `error`, after checking that it
/// keeps failing with the same error whatever comes next.
fn failed(mut decoder: FrameDecoder, frames: Vec<Frame>, error: WireError) -> Outcome {
    assert_eq!(
        decoder.next_frame(),
        Err(error.clone()),
        "error did not stick"
    );
    decoder.feed(b"<message type=\"ACK\" msgid=\"1\" ack=\"0\"></message>\n");
    assert_eq!(
        decoder.next_frame(),
        Err(error.clone()),
        "error did not stick"
    );
    assert_eq!(decoder.finish(), Err(error.clone()), "error did not stick");
    Outcome {
        frames,
        error: Some(error),
    }
}

/// With a small frame limit, fed in small pieces: the decoder never holds a
/// frame's worth past the limit, the frames it gives are those of the
/// unlimited decoder, and it fails only where that one fails or with
/// `FrameTooLarge`.
fn check_bounded(data: &[u8], whole: &Outcome) {
    let mut decoder = FrameDecoder::with_max_frame_size(SMALL_MAX);
    let mut frames = Vec::new();
    let mut error = None;
    for piece in data.chunks(17) {
        decoder.feed(piece);
        match drain(&mut decoder, &mut frames, false) {
            Ok(()) => assert!(
                decoder.buffered() < SMALL_MAX,
                "{} bytes buffered with a limit of {SMALL_MAX}",
                decoder.buffered()
            ),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    if error.is_none() {
        error = drain(&mut decoder, &mut frames, true).err();
    }
    assert!(
        frames.len() <= whole.frames.len(),
        "more frames with a limit"
    );
    assert_eq!(
        frames[..],
        whole.frames[..frames.len()],
        "frames differ with a limit"
    );
    match error {
        None => assert_eq!(frames.len(), whole.frames.len(), "frames lost with a limit"),
        Some(e) if matches!(e.kind(), WireErrorKind::FrameTooLarge { .. }) => {}
        Some(e) => assert_eq!(Some(&e), whole.error.as_ref(), "other error with a limit"),
    }
}

/// Frames written back (as ClusterShell would write them) decode to the same
/// frames, up to XML line-end normalisation of payloads; those frames are a
/// fixed point: written and decoded again, they stay the same, and so do
/// their bytes.
fn check_round_trip(frames: &[Frame]) {
    let first = write(frames);
    let again = decode(&first, &[], cscomm_wire::DEFAULT_MAX_FRAME_SIZE);
    assert_eq!(again.error, None, "written frames do not decode");
    let expected: Vec<Frame> = frames.iter().map(normalised).collect();
    assert_eq!(again.frames, expected, "decode-write-decode changed frames");
    let second = write(&again.frames);
    let third = decode(&second, &[], cscomm_wire::DEFAULT_MAX_FRAME_SIZE);
    assert_eq!(third.error, None, "rewritten frames do not decode");
    assert_eq!(third.frames, again.frames, "frames are not a fixed point");
    assert!(write(&third.frames) == second, "writing is not stable");
}

/// The declaration and `frames`, written.
fn write(frames: &[Frame]) -> Vec<u8> {
    let mut out = BytesMut::new();
    cscomm_wire::write_declaration(&mut out);
    for frame in frames {
        frame.write_to(&mut out);
    }
    out.to_vec()
}

/// `frame` as it reads back after writing: payload line ends (`\r\n`, `\r`)
/// become `\n`, as XML normalises literal line ends in text.
fn normalised(frame: &Frame) -> Frame {
    let Frame::Message(message) = frame else {
        return frame.clone();
    };
    let payload = message.payload();
    if memchr_cr(payload).is_none() {
        return frame.clone();
    }
    let mut out = Vec::with_capacity(payload.len());
    let mut i = 0;
    while i < payload.len() {
        if payload[i] == b'\r' {
            out.push(b'\n');
            i += if payload.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
        } else {
            out.push(payload[i]);
            i += 1;
        }
    }
    let attrs = message.attributes().clone();
    Frame::Message(MessageFrame::new(attrs, Bytes::from(out)))
}

fn memchr_cr(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\r')
}
