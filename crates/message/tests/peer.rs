//! Against ClusterShell 1.10.1's own message classes, every message type:
//! - the bytes we write are the bytes `Message.xml()` writes for the same
//!   message (payload pickles included), with the default and a short
//!   base64 line length;
//! - what ClusterShell writes decodes to the messages we built;
//! - ClusterShell's `XMLReader` reads what we write into the same
//!   attributes and payload objects;
//! - malformed messages fail with ClusterShell's words;
//! - the same holds with ClusterShell 1.9.3 (bytes and reading).
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::num::NonZeroUsize;

use bytes::BytesMut;
use common::{cases, decoded, hex, payload_value, run_peer, unhex, value_json};
use cscomm_message::{
    Event, Message, MessageDecoder, MessageType, MessageWriter, PayloadCodec, decode_stream,
};
use cscomm_testkit::python::{Peer, Python};
use cscomm_wire::{Frame, FrameDecoder};
use serde_json::{Value as Json, json};

/// The attributes of the frame we write for `message`, as strings.
fn written_attrs(message: &Message, codec: &PayloadCodec) -> Vec<(String, String)> {
    let mut frames = FrameDecoder::new();
    frames.feed(b"<channel>");
    frames.feed(&message.to_bytes(codec).unwrap());
    let _start = frames.next_frame().unwrap();
    let Some(Frame::Message(frame)) = frames.next_frame().unwrap() else {
        panic!("one message frame")
    };
    frame.attributes().to_vec()
}

/// The spec the peer script builds a message from.
fn spec(message: &Message, codec: &PayloadCodec) -> Json {
    let attrs: Vec<_> = written_attrs(message, codec)
        .into_iter()
        .filter(|(k, _)| k != "type")
        .map(|(k, v)| json!([k, v]))
        .collect();
    let payload = message
        .kind
        .payload()
        .and_then(payload_value)
        .map(|v| json!({"value": value_json(&v)}));
    json!({"type": message.message_type().ident(), "attrs": attrs, "payload": payload})
}

fn python_writes(
    python: &Python,
    messages: &[Message],
    codec: &PayloadCodec,
    line_length: Option<usize>,
) -> Vec<Vec<u8>> {
    let specs: Vec<_> = messages.iter().map(|m| spec(m, codec)).collect();
    let input = json!({"line_length": line_length, "messages": specs});
    let out = run_peer(python, "write", input.to_string().as_bytes());
    out["xml"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| unhex(h.as_str().unwrap()))
        .collect()
}

fn check_same_bytes_both_ways(
    python: &Python,
    messages: &[Message],
    codec: &PayloadCodec,
    line_length: Option<usize>,
) {
    let theirs = python_writes(python, messages, codec, line_length);
    for (message, their_bytes) in messages.iter().zip(&theirs) {
        let ours = message.to_bytes(codec).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(their_bytes),
            "bytes of {message:?}"
        );
        // What ClusterShell wrote decodes to the message we built, and
        // writes back (payload kept encoded) to the same bytes.
        let mut decoder = MessageDecoder::new();
        decoder.feed(b"<channel>");
        decoder.feed(their_bytes);
        assert!(matches!(
            decoder.next_event().unwrap(),
            Some(Event::Start { .. })
        ));
        let Some(Event::Message(back)) = decoder.next_event().unwrap() else {
            panic!("a message")
        };
        assert_eq!(decoded(&back), decoded(message));
        assert_eq!(&back.to_bytes(codec).unwrap()[..], &their_bytes[..]);
    }
}

#[test]
fn same_bytes_as_clustershell_both_directions() {
    let python = Python::clustershell();
    let messages = cases();
    check_same_bytes_both_ways(&python, &messages, &PayloadCodec::default(), None);
}

#[test]
fn same_bytes_with_a_short_line_length() {
    let python = Python::clustershell();
    let long: Vec<_> = cases()
        .into_iter()
        .filter(|m| m.kind.payload().is_some())
        .collect();
    let codec = PayloadCodec::default().with_line_length(NonZeroUsize::new(77).unwrap());
    check_same_bytes_both_ways(&python, &long, &codec, Some(77));
}

#[test]
fn clustershell_1_9_writes_and_reads_the_same() {
    // 1.9.3 has no RTR message.
    let python = Python::peer(Peer::V1_9);
    let messages: Vec<_> = cases()
        .into_iter()
        .filter(|m| m.message_type() != MessageType::Rtr)
        .collect();
    check_same_bytes_both_ways(&python, &messages, &PayloadCodec::default(), None);
    check_reads_what_we_write(&python, &messages);
}

#[test]
fn clustershell_reads_what_we_write() {
    check_reads_what_we_write(&Python::clustershell(), &cases());
}

fn check_reads_what_we_write(python: &Python, messages: &[Message]) {
    let writer = MessageWriter::new(PayloadCodec::default());
    let mut stream = BytesMut::new();
    writer.write_start(&mut stream, "1.10.1");
    for message in messages {
        message.write_to(writer.codec(), &mut stream).unwrap();
    }
    writer.write_end(&mut stream);
    let out = run_peer(python, "read", &stream);
    assert_eq!(out["channel_version"], "1.10.1", "the version we announced");
    let events = out["events"].as_array().unwrap();
    assert_eq!(events.len(), messages.len() + 2, "start, messages, end");
    assert_eq!(events[0]["type"], "CHA");
    assert_eq!(events[events.len() - 1]["type"], "END");
    for (message, event) in messages.iter().zip(&events[1..]) {
        let attrs: Vec<_> = written_attrs(message, writer.codec())
            .into_iter()
            .map(|(k, v)| json!([k, v]))
            .collect();
        assert_eq!(event["attrs"], Json::Array(attrs), "{message:?}");
        let payload = message
            .kind
            .payload()
            .and_then(payload_value)
            .map(|v| value_json(&v));
        assert_eq!(event.get("payload").cloned(), payload, "{message:?}");
    }
    // And our own reader agrees with what we wrote.
    let ours = decode_stream(&stream).unwrap();
    assert_eq!(ours.len(), messages.len() + 2);
    for (message, event) in messages.iter().zip(&ours[1..]) {
        let Event::Message(back) = event else {
            panic!("a message")
        };
        assert_eq!(decoded(back), decoded(message));
    }
}

/// Malformed message lines: each fails in ClusterShell's reader (or in
/// its payload decoding) and in ours, with the same words.
#[test]
fn errors_use_clustershell_words() {
    let python = Python::clustershell();
    let lines: Vec<&[u8]> = vec![
        b"<message type=\"XYZ\" msgid=\"1\"></message>\n",
        b"<message msgid=\"1\"></message>\n",
        b"<message type=\"\" msgid=\"1\"></message>\n",
        b"<message type=\"ACK\" ack=\"1\"></message>\n",
        b"<message type=\"ACK\" msgid=\"1\"></message>\n",
        b"<message type=\"CFG\" msgid=\"1\"></message>\n",
        b"<message type=\"CTL\" msgid=\"1\" srcid=\"2\" action=\"shell\"></message>\n",
        b"<message type=\"CTL\" msgid=\"1\" action=\"shell\" target=\"n1\"></message>\n",
        b"<message type=\"OUT\" msgid=\"1\" srcid=\"2\"></message>\n",
        b"<message type=\"RET\" msgid=\"1\" srcid=\"2\" nodes=\"n1\"></message>\n",
        b"<message type=\"RTR\" msgid=\"1\" srcid=\"2\" event=\"x\" targets=\"n1\"></message>\n",
        b"<message type=\"ERR\" msgid=\"1\"></message>\n",
        b"<message type=\"TIM\" msgid=\"1\" srcid=\"2\"></message>\n",
        b"<message type=\"ACK\" msgid=\"1\" ack=\"0\">x</message>\n",
        b"<message type=\"ERR\" msgid=\"1\" reason=\"r\"> </message>\n",
        b"<message type=\"RET\" msgid=\"1\" srcid=\"2\" retcode=\"0\" nodes=\"n1\">gASV</message>\n",
        b"<message type=\"ACK\" msgid=\"x1\" ack=\"0\"></message>\n",
        b"<message type=\"ACK\" msgid=\"1\" ack=\"1.5\"></message>\n",
        b"<message type=\"RET\" msgid=\"1\" srcid=\"2\" retcode=\"\" nodes=\"n1\"></message>\n",
        b"<message type=\"OUT\" msgid=\"1\" srcid=\"2\" nodes=\"n1\">gAS!</message>\n",
        b"<message type=\"OUT\" msgid=\"1\" srcid=\"2\" nodes=\"n1\">gASVBwAAAAAAAABDA2Vyc</message>\n",
        b"<message type=\"CFG\" msgid=\"1\" gateway=\"g\">/w==</message>\n",
    ];
    let input = json!(lines.iter().map(|l| hex(l)).collect::<Vec<_>>());
    let out = run_peer(&python, "errors", input.to_string().as_bytes());
    let theirs = out["errors"].as_array().unwrap();
    for (line, their) in lines.iter().zip(theirs) {
        let their = their
            .as_str()
            .unwrap_or_else(|| panic!("ClusterShell accepted {line:?}"));
        let ours = our_error(line);
        let shown = String::from_utf8_lossy(line);
        match their.split_once(": ").unwrap() {
            ("MessageProcessingError", text) if text.contains("has an invalid payload (") => {
                let prefix = &text[..text.find('(').unwrap() + 1];
                assert!(
                    ours.starts_with(prefix),
                    "{shown}: ours {ours:?}, theirs {text:?}"
                );
            }
            ("MessageProcessingError", text) => assert_eq!(ours, text, "{shown}"),
            ("ValueError", text) => {
                // ClusterShell crashes there (int() is not guarded): ours
                // is a protocol error carrying Python's own words.
                assert!(
                    ours.starts_with("Invalid \"message\" attributes: key \""),
                    "{shown}: {ours}"
                );
                assert!(
                    ours.ends_with(text),
                    "{shown}: ours {ours:?}, theirs {text:?}"
                );
            }
            other => panic!("unexpected peer error {other:?}"),
        }
    }
}

/// Our error for one message line: conversion, or decoding its payload.
fn our_error(line: &[u8]) -> String {
    let mut decoder = MessageDecoder::new();
    decoder.feed(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">\n");
    decoder.feed(line);
    assert!(matches!(
        decoder.next_event(),
        Ok(Some(Event::Start { .. }))
    ));
    let message = match decoder.next_event() {
        Err(err) => return err.to_string(),
        Ok(Some(Event::Message(message))) => message,
        other => panic!("{other:?}"),
    };
    let ty = message.message_type();
    let payload = message.kind.payload().expect("a payload type");
    let cause = payload.decode_value().expect_err("an invalid payload");
    cscomm_message::MessageError::InvalidPayload { ty, cause }.to_string()
}
