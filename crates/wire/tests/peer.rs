//! Against the real peer (ClusterShell 1.10.1 and 1.9.3): streams written by
//! ClusterShell decode exactly as ClusterShell's own reader reads them and
//! re-encode to the same bytes; streams written by us read back in
//! ClusterShell's reader (expat, fed line by line as `Channel` does) as the
//! frames we meant, and Python's `XMLGenerator` writes the very same bytes
//! for them. All cases of a direction run in one interpreter start.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use bytes::BytesMut;
use common::{decode, decode_bytewise, decode_lines};
use cscomm_testkit::python::{Peer, Python};
use cscomm_wire::{Attributes, Frame, MessageFrame, write_declaration};
use serde_json::{Value, json};

const SCRIPT: &str = include_str!("peer/peer.py");

/// Bytes as the script exchanges them: latin-1 text, one char per byte.
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("latin-1 text"))
        .collect()
}

fn to_latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// A frame in the script's JSON shape.
fn frame_json(frame: &Frame) -> Value {
    let attrs = |a: &Attributes| a.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>();
    match frame {
        Frame::ChannelStart(a) => json!({"frame": "channel", "attrs": attrs(a)}),
        Frame::Message(m) => json!({
            "frame": "message",
            "attrs": attrs(m.attributes()),
            "payload": std::str::from_utf8(m.payload()).expect("UTF-8 payload"),
        }),
        Frame::ChannelEnd => json!({"frame": "end"}),
    }
}

fn frames_json(frames: &[Frame]) -> Value {
    Value::Array(frames.iter().map(frame_json).collect())
}

/// Checks the messages ClusterShell's XMLReader built against our frames.
fn check_reader_messages(frames: &[Frame], messages: &[Value]) {
    assert_eq!(
        frames.len(),
        messages.len(),
        "one XMLReader message per frame"
    );
    for (frame, msg) in frames.iter().zip(messages) {
        match frame {
            Frame::ChannelStart(_) => assert_eq!(msg["type"], "CHA"),
            Frame::ChannelEnd => assert_eq!(msg["type"], "END"),
            Frame::Message(m) => {
                let attrs = m.attributes();
                assert_eq!(msg["type"].as_str(), attrs.get("type"));
                for (key, value) in msg["attrs"].as_object().expect("attrs") {
                    assert_eq!(value.as_str(), attrs.get(key), "attribute {key}");
                }
                let payload = std::str::from_utf8(m.payload()).expect("UTF-8");
                let data = msg["data"].as_str().unwrap_or("");
                assert_eq!(data, payload, "XMLReader's data");
            }
        }
    }
}

fn run_script(python: &Python, mode: &str, input: &[u8]) -> Value {
    let out = python.run_ok(SCRIPT, &[mode], input);
    let out: Value = serde_json::from_slice(&out).expect("JSON from the peer script");
    assert_eq!(out["version"], python.release().version());
    out
}

fn decode_python_streams(peer: Peer) {
    let python = Python::peer(peer);
    let out = run_script(&python, "write", b"");
    let results = out["results"].as_array().expect("results");
    assert!(results.len() >= 5);
    for result in results {
        let name = &result["name"];
        assert_eq!(
            result["error"],
            Value::Null,
            "{name}: ClusterShell's reader failed"
        );
        let stream = latin1(result["stream"].as_str().expect("stream"));
        let outcome = decode(&stream);
        assert_eq!(outcome.error, None, "{name}");
        assert_eq!(decode_lines(&stream), outcome, "{name} line by line");
        assert_eq!(
            decode_bytewise(&stream, 1 << 20),
            outcome,
            "{name} byte by byte"
        );
        assert_eq!(
            frames_json(&outcome.frames),
            result["frames"],
            "{name}: frames"
        );
        check_reader_messages(
            &outcome.frames,
            result["messages"].as_array().expect("messages"),
        );
        // Our writer, given what we decoded, writes Python's bytes exactly,
        // but for the raw CRs Python leaves in text, which every XML reader
        // turns into LFs (attribute values never hold a raw CR).
        let mut rewritten = BytesMut::new();
        write_declaration(&mut rewritten);
        outcome
            .frames
            .iter()
            .for_each(|f| f.write_to(&mut rewritten));
        let expected = normalise_text(&to_latin1(&stream));
        assert_eq!(to_latin1(&rewritten), expected, "{name}: rewritten");
    }
}

#[test]
fn clustershell_1_10_streams_decode_exactly() {
    decode_python_streams(Peer::V1_10);
}

#[test]
fn clustershell_1_9_streams_decode_exactly() {
    decode_python_streams(Peer::V1_9);
}

/// A small deterministic generator (xorshift) for varied test values.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    /// Text of characters XML allows, biased towards the ones to escape.
    fn text(&mut self, max_len: u64) -> String {
        const CHARS: &[char] = &[
            'a',
            'Z',
            '0',
            ' ',
            '"',
            '\'',
            '<',
            '>',
            '&',
            ';',
            '#',
            '\t',
            '\n',
            '\r',
            ']',
            '=',
            '/',
            '\u{7F}',
            '\u{85}',
            'é',
            '✓',
            '\u{FFFD}',
            '😀',
            '\u{10FFFF}',
            '\u{E000}',
        ];
        let len = self.next() % (max_len + 1);
        (0..len).map(|_| *self.pick(CHARS)).collect()
    }

    /// An XML name of characters both XML editions allow.
    fn name(&mut self) -> String {
        const FIRST: &[char] = &['a', 'Z', '_', ':', 'é'];
        const REST: &[char] = &['a', 'Z', '_', ':', 'é', '-', '.', '0', '9'];
        let len = self.next() % 8;
        std::iter::once(*self.pick(FIRST))
            .chain((0..len).map(|_| *self.pick(REST)))
            .collect()
    }
}

/// Normalises line ends as an XML reader does in text.
fn normalise_text(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Message shapes ClusterShell's XMLReader accepts: type, typed attributes
/// (the ones given a `None` get a varied text value), payload or not.
const SHAPES: &[(&str, &[&str], bool)] = &[
    ("CFG", &["gateway"], true),
    ("CTL", &["srcid", "action", "target"], true),
    ("ACK", &["ack"], false),
    ("ERR", &["reason"], false),
    ("OUT", &["srcid", "nodes"], true),
    ("SER", &["srcid", "nodes"], true),
    ("RET", &["srcid", "retcode", "nodes"], false),
    ("TIM", &["srcid", "nodes"], false),
    ("RTR", &["srcid", "event", "gateway", "targets"], false),
];

/// Frames of one channel: every message type, varied values, extra
/// attributes with varied names (XMLReader ignores those).
fn rust_frames(rng: &mut Rng, peer: Peer, count: usize) -> Vec<Frame> {
    let mut frames = vec![Frame::ChannelStart(Attributes::from_pairs(&[
        ("version", "1.10.1"),
        ("extra", &rng.text(20)),
    ]))];
    let shapes: Vec<_> = SHAPES
        .iter()
        .filter(|s| peer == Peer::V1_10 || s.0 != "RTR")
        .collect();
    for msgid in 0..count {
        let (kind, keys, payload) = **rng.pick(&shapes);
        let mut attrs = vec![
            ("type".to_owned(), kind.to_owned()),
            ("msgid".to_owned(), msgid.to_string()),
        ];
        for &key in keys {
            let value = match key {
                "srcid" => rng.next().to_string(),
                "ack" | "retcode" => (rng.next() % 256).to_string(),
                _ => rng.text(30),
            };
            attrs.push((key.to_owned(), value));
        }
        if rng.next() % 3 == 0 {
            let name = format!("x{}", rng.name());
            attrs.push((name, rng.text(10)));
        }
        let text = if payload {
            normalise_text(&rng.text(60))
        } else {
            String::new()
        };
        let pairs: Vec<(&str, &str)> = attrs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let msg = MessageFrame::new(Attributes::from_pairs(&pairs), text.into_bytes().into());
        frames.push(Frame::Message(msg));
    }
    frames.push(Frame::ChannelEnd);
    frames
}

fn python_reads_our_streams(peer: Peer) {
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let mut cases = Vec::new();
    let mut streams = Vec::new();
    for count in [0, 1, 30, 300] {
        let frames = rust_frames(&mut rng, peer, count);
        let mut stream = BytesMut::new();
        write_declaration(&mut stream);
        frames.iter().for_each(|f| f.write_to(&mut stream));
        cases.push(json!({"stream": to_latin1(&stream), "frames": frames_json(&frames)}));
        streams.push((stream, frames));
    }
    let input = serde_json::to_vec(&cases).expect("JSON");
    let out = run_script(&Python::peer(peer), "read", &input);
    let results = out["results"].as_array().expect("results");
    assert_eq!(results.len(), streams.len());
    for ((stream, frames), result) in streams.iter().zip(results) {
        assert_eq!(result["error"], Value::Null, "ClusterShell's reader failed");
        assert_eq!(
            result["frames"],
            frames_json(frames),
            "what ClusterShell read"
        );
        check_reader_messages(frames, result["messages"].as_array().expect("messages"));
        let regenerated = result["regenerated"].as_str().expect("regenerated");
        assert_eq!(regenerated, to_latin1(stream), "XMLGenerator's bytes");
        assert_eq!(decode(stream).frames, *frames, "our own reader");
    }
}

#[test]
fn clustershell_1_10_reads_our_streams() {
    python_reads_our_streams(Peer::V1_10);
}

#[test]
fn clustershell_1_9_reads_our_streams() {
    python_reads_our_streams(Peer::V1_9);
}
