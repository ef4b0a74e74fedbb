//! The captured ClusterShell 1.10.1 exchange (`examples/capture/`) decodes
//! to the messages ClusterShell's own reader reads from the same files, and
//! writes back byte for byte.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use bytes::BytesMut;
use common::{run_peer, value_json};
use cscomm_message::{Event, MessageKind, MessageWriter, PayloadCodec, decode_stream};
use cscomm_testkit::python::{Python, workspace_root};
use serde_json::{Value as Json, json};

fn check_capture(python: &Python, name: &str) {
    let path = workspace_root().join("examples/capture").join(name);
    let stream = std::fs::read(&path).unwrap();
    let ours = decode_stream(&stream).unwrap();
    let theirs = run_peer(python, "read", &stream);
    let their_events = theirs["events"].as_array().unwrap();
    assert_eq!(ours.len(), their_events.len(), "{name}: event count");
    let codec = PayloadCodec::default();
    let mut rewritten = BytesMut::new();
    for (event, their) in ours.iter().zip(their_events) {
        match event {
            Event::Start { version } => {
                assert_eq!(their["type"], "CHA");
                assert_eq!(version.as_deref(), theirs["channel_version"].as_str());
                MessageWriter::new(codec).write_start(&mut rewritten, version.as_deref().unwrap());
            }
            Event::End => {
                assert_eq!(their["type"], "END");
                MessageWriter::new(codec).write_end(&mut rewritten);
            }
            Event::Message(message) => {
                let start = rewritten.len();
                message.write_to(&codec, &mut rewritten).unwrap();
                let attrs = common_attrs(&rewritten[start..]);
                assert_eq!(their["attrs"], attrs, "{name}: {message:?}");
                check_payload(&message.kind, their);
            }
        }
    }
    assert_eq!(
        String::from_utf8_lossy(&rewritten),
        String::from_utf8_lossy(&stream),
        "{name}"
    );
}

/// The attributes of one written message line, as `[[k, v], ...]`.
fn common_attrs(line: &[u8]) -> Json {
    let mut frames = cscomm_wire::FrameDecoder::new();
    frames.feed(b"<channel>");
    frames.feed(line);
    let _ = frames.next_frame().unwrap();
    let Some(cscomm_wire::Frame::Message(frame)) = frames.next_frame().unwrap() else {
        panic!("a message")
    };
    json!(
        frame
            .attributes()
            .iter()
            .map(|(k, v)| json!([k, v]))
            .collect::<Vec<_>>()
    )
}

fn check_payload(kind: &MessageKind, their: &Json) {
    match kind {
        MessageKind::Config { payload, .. } => {
            // The topology itself is checked by the topology tests.
            let value = payload.decode_value().unwrap();
            assert!(
                value
                    .as_instance()
                    .unwrap()
                    .is("ClusterShell.Topology", "TopologyTree")
            );
            assert!(their["payload"]["topology"].is_string());
        }
        MessageKind::Control(ctl) if ctl.payload.is_empty() => {
            assert!(their.get("payload").is_none())
        }
        other => {
            let payload = other
                .payload()
                .map(|p| value_json(&p.decode_value().unwrap()));
            assert_eq!(their.get("payload").cloned(), payload);
            if let Some(data) = other.output_data() {
                assert_eq!(
                    json!({"bytes": common::hex(&data.unwrap())}),
                    payload.unwrap()
                );
            }
        }
    }
}

#[test]
fn captured_exchange_matches_clustershell() {
    let python = Python::clustershell();
    check_capture(&python, "initiator.xml");
    check_capture(&python, "gateway.xml");
}
