//! The fast decoding paths (stack base64, direct pickle reader, moved
//! shell requests) give what the general paths give: on the captured
//! ClusterShell exchange, on Python-written pickles of every protocol, and
//! on generated and corrupted payloads.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use bytes::Bytes;
use common::{cases, payload_value, run_peer, value_json};
use cscomm_message::{
    Number, Payload, PayloadCodec, PayloadError, Protocol, ShellRequest, Value, base64,
};
use cscomm_pickle::ReaderConfig;
use cscomm_testkit::python::{Python, workspace_root};
use proptest::prelude::*;
use serde_json::json;

/// The pickle of a payload text, by the general base64 decoder.
fn pickle_of(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    base64::decode(text, &mut out).unwrap();
    out
}

/// The value by the full reader only.
fn full_value(pickle: &[u8]) -> Result<Value, PayloadError> {
    Ok(cscomm_pickle::read_full_with(
        pickle,
        &ReaderConfig::default(),
    )?)
}

/// The shell request by the general path: full reader, then `from_value`.
fn general_shell(pickle: &[u8]) -> Result<ShellRequest, PayloadError> {
    ShellRequest::from_value(&full_value(pickle)?)
}

/// Every fast path agrees with the general one on the payload `text`.
fn check_text(text: &Bytes) {
    let payload = Payload::Encoded(text.clone());
    let pickle = pickle_of(text);
    let full = full_value(&pickle);
    assert_eq!(payload.decode_value(), full, "{text:?}");
    assert_eq!(payload.decode_shell(), general_shell(&pickle), "{text:?}");
    if let Ok(value) = &full {
        let moved = ShellRequest::try_from(value.clone());
        assert_eq!(moved, ShellRequest::from_value(value));
        if let Some(data) = value.as_bytes() {
            assert_eq!(&payload.decode_bytes().unwrap()[..], data);
        }
    }
}

#[test]
fn captured_shell_request_takes_the_direct_path() {
    let path = workspace_root().join("examples/capture/initiator.xml");
    let stream = std::fs::read(path).unwrap();
    let start = stream
        .windows(14)
        .position(|w| w == b"action=\"shell\"")
        .unwrap();
    let text_start = start + stream[start..].iter().position(|&b| b == b'>').unwrap() + 1;
    let len = stream[text_start..].iter().position(|&b| b == b'<').unwrap();
    let text = Bytes::copy_from_slice(&stream[text_start..text_start + len]);
    let pickle = pickle_of(&text);
    let entries = cscomm_pickle::read_str_dict(&pickle).expect("direct path answers");
    assert_eq!(entries.len(), 6);
    let request = Payload::Encoded(text.clone()).decode_shell().unwrap();
    assert_eq!(
        request.cmd,
        "cat; echo \"hello from %h\"; echo err >&2; exit 3"
    );
    assert_eq!(request.taskinfo.fanout(), Some(64));
    check_text(&text);
}
