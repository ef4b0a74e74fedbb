//! Property tests: arbitrary frames written then decoded are equal, and any
//! chunking of any stream (valid or corrupted) gives the same frames and the
//! same error as decoding it whole.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use bytes::BytesMut;
use common::{decode, decode_cut};
use cscomm_wire::{Attributes, Frame, MessageFrame, write_declaration};
use proptest::prelude::*;

/// Characters XML allows, biased towards the ones that need escaping or
/// normalisation.
fn xml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(vec!['"', '\'', '<', '>', '&', ';', '#', ']', '\t', '\n', '\r', ' ']),
        3 => prop::char::range('a', 'z'),
        2 => any::<char>().prop_filter("XML character", |&c| {
            !(c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}')
        }),
    ]
}

fn xml_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(xml_char(), 0..max).prop_map(|chars| chars.into_iter().collect())
}

fn name() -> impl Strategy<Value = String> {
    let first = prop_oneof![
        prop::char::range('a', 'z'),
        prop::sample::select(vec!['A', 'Z', '_', ':', 'é', 'Ω', '中', '\u{10000}']),
    ];
    let rest = prop_oneof![
        prop::char::range('a', 'z'),
        prop::sample::select(vec!['-', '.', '0', '9', '\u{B7}', '\u{300}', 'é', '中']),
    ];
    (first, prop::collection::vec(rest, 0..6))
        .prop_map(|(f, r)| std::iter::once(f).chain(r).collect())
}

/// Attributes with distinct names.
fn attributes() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((name(), xml_text(12)), 0..8).prop_map(|mut pairs| {
        let mut seen = std::collections::HashSet::new();
        pairs.retain(|(k, _)| seen.insert(k.clone()));
        pairs
    })
}

fn attrs_of(pairs: &[(String, String)]) -> Attributes {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// A channel: start, messages (payload text without CR, which XML would
/// normalise), and maybe the end.
fn channel() -> impl Strategy<Value = Vec<Frame>> {
    let payload = xml_text(40).prop_map(|t| t.replace('\r', ""));
    let message = (attributes(), payload)
        .prop_map(|(a, p)| Frame::Message(MessageFrame::new(attrs_of(&a), p.into_bytes().into())));
    (
        attributes(),
        prop::collection::vec(message, 0..6),
        any::<bool>(),
    )
        .prop_map(|(start, messages, end)| {
            let mut frames = vec![Frame::ChannelStart(attrs_of(&start))];
            frames.extend(messages);
            if end {
                frames.push(Frame::ChannelEnd);
            }
            frames
        })
}

fn write(frames: &[Frame]) -> Vec<u8> {
    let mut out = BytesMut::new();
    write_declaration(&mut out);
    frames.iter().for_each(|f| f.write_to(&mut out));
    out.to_vec()
}

/// Sorted cut points within `len`.
fn cuts(len: usize, raw: Vec<prop::sample::Index>) -> Vec<usize> {
    let mut cuts: Vec<usize> = raw.iter().map(|i| i.index(len + 1)).collect();
    cuts.sort_unstable();
    cuts
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn written_frames_decode_to_themselves(frames in channel()) {
        let outcome = decode(&write(&frames));
        prop_assert_eq!(outcome.error, None);
        prop_assert_eq!(outcome.frames, frames);
    }

    #[test]
    fn any_chunking_gives_the_same_frames(
        frames in channel(),
        raw_cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..40),
    ) {
        let stream = write(&frames);
        let cut = decode_cut(&stream, &cuts(stream.len(), raw_cuts), usize::MAX);
        prop_assert_eq!(cut, decode(&stream));
    }

    #[test]
    fn any_chunking_of_a_corrupted_stream_gives_the_same_outcome(
        frames in channel(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        raw_cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..40),
        max in 16usize..400,
    ) {
        let mut stream = write(&frames);
        for (at, byte) in edits {
            let at = at.index(stream.len());
            stream[at] = byte;
        }
        let whole = decode_cut(&stream, &[], max);
        let cut = decode_cut(&stream, &cuts(stream.len(), raw_cuts), max);
        prop_assert_eq!(cut, whole);
    }
}
