//! The tokio-util codec: `FramedRead` over a pipe that delivers the stream in
//! small pieces gives the frames of the push decoder; errors and EOF map as
//! documented; the encoders write what the writer functions write.
#![cfg(feature = "tokio-codec")]
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use bytes::BytesMut;
use common::{channel, decode, message};
use cscomm_wire::{
    CodecError, Frame, FrameCodec, FrameDecoder, FrameEncoder, OutFrame, WireErrorKind,
};
use tokio::io::AsyncWriteExt;
use tokio_util::codec::{Decoder, Encoder, FramedRead};

async fn next<S: futures_core::Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| std::pin::Pin::new(&mut *stream).poll_next(cx)).await
}

/// Everything `FramedRead` yields for `stream` sent through a 7-byte pipe.
fn framed_read(stream: Vec<u8>) -> Vec<Result<Frame, CodecError>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let (reader, mut writer) = tokio::io::duplex(7);
        let feeder = tokio::spawn(async move {
            let _ = writer.write_all(&stream).await;
        });
        let mut frames = FramedRead::new(reader, FrameDecoder::new());
        let mut items = Vec::new();
        while let Some(item) = next(&mut frames).await {
            let failed = item.is_err();
            items.push(item);
            if failed {
                break;
            }
        }
        feeder.await.unwrap();
        items
    })
}

fn stream() -> Vec<u8> {
    let mut out = BytesMut::new();
    FrameEncoder
        .encode(OutFrame::Declaration, &mut out)
        .unwrap();
    FrameEncoder
        .encode(OutFrame::ChannelStart(&[("version", "1.10.1")]), &mut out)
        .unwrap();
    for i in 0..50 {
        let id = i.to_string();
        let payload = format!("payload {i} with <&> and\nlines");
        let attrs = [("type", "OUT"), ("msgid", id.as_str()), ("nodes", "n[1-2]")];
        let frame = OutFrame::Message {
            attrs: &attrs,
            payload: payload.as_bytes(),
        };
        FrameEncoder.encode(frame, &mut out).unwrap();
    }
    out.to_vec()
}

#[test]
fn framed_read_matches_the_push_decoder() {
    let mut complete = stream();
    FrameEncoder
        .encode(OutFrame::ChannelEnd, &mut BytesMut::new())
        .unwrap();
    complete.extend_from_slice(b"</channel>\n");
    let expected = decode(&complete);
    assert_eq!(expected.error, None);
    assert_eq!(expected.frames.len(), 52);
    let frames: Vec<Frame> = framed_read(complete)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(frames, expected.frames);
}

#[test]
fn framed_read_reports_eof_and_errors() {
    // No </channel>: the stream simply ends.
    let aborted = stream();
    let frames = framed_read(aborted.clone());
    assert_eq!(frames.len(), 51);
    assert!(frames.iter().all(Result::is_ok));
    // Truncated inside a message.
    let truncated = aborted[..aborted.len() - 5].to_vec();
    let items = framed_read(truncated);
    let Some(Err(CodecError::Wire(error))) = items.last() else {
        panic!("no error: {items:?}")
    };
    assert_eq!(error.kind(), &WireErrorKind::Truncated);
    // A bad element.
    let items = framed_read(b"<channel><foo/>".to_vec());
    let Some(Err(CodecError::Wire(error))) = items.last() else {
        panic!("no error: {items:?}")
    };
    assert_eq!(error.to_string(), "Invalid starting tag foo at byte 9");
}

#[test]
fn codec_decodes_in_place_and_encodes_frames() {
    let frames = [
        channel(&[("version", "1.10.1")]),
        message(
            &[("type", "ERR"), ("msgid", "1"), ("reason", "a'b\"c\n")],
            b"",
        ),
        message(&[("type", "OUT"), ("msgid", "2")], b"x&y"),
        Frame::ChannelEnd,
    ];
    let mut codec = FrameCodec::default();
    let mut buf = BytesMut::new();
    for frame in &frames {
        codec.encode(frame, &mut buf).unwrap();
    }
    let mut by_value = BytesMut::new();
    frames
        .iter()
        .cloned()
        .for_each(|f| FrameEncoder.encode(f, &mut by_value).unwrap());
    assert_eq!(by_value, buf);
    let mut decoded = Vec::new();
    while let Some(frame) = codec.decode(&mut buf).unwrap() {
        decoded.push(frame);
    }
    assert_eq!(decoded, frames);
    assert!(buf.is_empty());
    assert_eq!(codec.decode_eof(&mut buf).unwrap(), None);
    assert_eq!(codec.decoder().channel_version(), Some("1.10.1"));
    assert_eq!(
        FrameCodec::with_max_frame_size(10)
            .decoder()
            .max_frame_size(),
        10
    );
}
