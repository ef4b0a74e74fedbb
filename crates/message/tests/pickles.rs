//! Payloads pickled by Python with every protocol (0 to 5) decode to the
//! values we sent, through the full reader and, for output, the bytes fast
//! path; the protocol is sniffed from the first characters, and answered
//! in kind.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use bytes::Bytes;
use common::{cases, payload_value, run_peer, value_json};
use cscomm_message::{Payload, PayloadCodec, Protocol, Value};
use cscomm_testkit::python::Python;
use serde_json::json;

#[test]
fn every_protocol_python_writes_decodes() {
    let python = Python::clustershell();
    let values: Vec<Value> = cases()
        .iter()
        .filter_map(|m| m.kind.payload().and_then(payload_value))
        .collect();
    let input = json!(values.iter().map(value_json).collect::<Vec<_>>());
    let out = run_peer(&python, "pickles", input.to_string().as_bytes());
    let pickles = out["pickles"].as_array().unwrap();
    assert_eq!(pickles.len(), values.len());
    for (value, by_protocol) in values.iter().zip(pickles) {
        for (n, text) in by_protocol.as_array().unwrap().iter().enumerate() {
            let payload = Payload::Encoded(Bytes::from(text.as_str().unwrap().to_owned()));
            let expected = Protocol::from_u8(n as u8).unwrap();
            // Protocols 0 and 1 have no PROTO opcode: both read as 0.
            let sniffed = payload.protocol().unwrap().unwrap();
            assert_eq!(sniffed, if n < 2 { Protocol::V0 } else { expected });
            let back = payload.decode_value().unwrap();
            assert_eq!(
                value_json(&back),
                value_json(value),
                "protocol {n}: {value:?}"
            );
            if let Some(data) = value.as_bytes() {
                assert_eq!(&payload.decode_bytes().unwrap()[..], data, "protocol {n}");
            }
            let answer = PayloadCodec::answering(sniffed).protocol();
            assert!(
                answer >= Protocol::V2 && answer <= Protocol::V4 && (n < 2 || answer <= expected)
            );
        }
    }
}
