//! The fast decoding paths (stack base64, direct pickle reader, moved
//! shell requests) give what the general paths give: on the captured
//! ClusterShell exchange, on Python-written pickles of every protocol, and
//! on generated and corrupted payloads.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::num::NonZeroUsize;

use bytes::{Bytes, BytesMut};
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
    let len = stream[text_start..]
        .iter()
        .position(|&b| b == b'<')
        .unwrap();
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

#[test]
fn python_written_payloads_of_every_protocol_agree() {
    let python = Python::clustershell();
    let values: Vec<Value> = cases()
        .iter()
        .filter_map(|m| m.kind.payload().and_then(payload_value))
        .collect();
    let input = json!(values.iter().map(value_json).collect::<Vec<_>>());
    let out = run_peer(&python, "pickles", input.to_string().as_bytes());
    let mut checked = 0;
    for by_protocol in out["pickles"].as_array().unwrap() {
        for text in by_protocol.as_array().unwrap() {
            check_text(&Bytes::from(text.as_str().unwrap().to_owned()));
            checked += 1;
        }
    }
    assert!(checked >= 6 * values.len() && checked > 0);
}

/// A shell request with unusual parts: extra keys, nested taskinfo
/// values, floats, bytes.
fn shell_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::None),
        any::<bool>().prop_map(Value::Bool),
        (-70000i64..70000).prop_map(Value::Int),
        any::<i64>().prop_map(Value::Int),
        prop::num::f64::NORMAL.prop_map(Value::Float),
        ".{0,8}".prop_map(Value::Str),
        prop::collection::vec(any::<u8>(), 0..6).prop_map(Value::Bytes),
    ];
    let nested = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Tuple),
            prop::collection::vec((".{0,4}".prop_map(Value::Str), inner), 0..4)
                .prop_map(Value::Dict),
        ]
    });
    (
        ".{0,16}",
        prop::option::of(-1i64..100),
        prop::collection::vec(("[a-z_:]{1,12}", nested.clone()), 0..5),
        prop::collection::vec(("[a-z_]{1,8}", nested), 0..2),
    )
        .prop_map(|(cmd, timeout, info, extra)| {
            let mut request = ShellRequest::new(cmd);
            request.timeout = timeout.map(Number::Int);
            for (key, value) in info {
                request.taskinfo.set(&key, value);
            }
            request.extra = extra
                .into_iter()
                .map(|(k, v)| (Value::from(k), v))
                .collect();
            request.to_value()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_and_corrupted_requests_agree(
        value in shell_value(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
        cut in any::<prop::sample::Index>(),
    ) {
        for n in 2..=5u8 {
            let codec = PayloadCodec::default().with_protocol(Protocol::from_u8(n).unwrap());
            let text = codec.encode_value(&value).unwrap();
            check_text(&text);
            let mut pickle = pickle_of(&text);
            for (at, byte) in &flips {
                let i = at.index(pickle.len());
                pickle[i] = *byte;
            }
            let short = &pickle[..cut.index(pickle.len() + 1)];
            for bad in [&pickle[..], short] {
                prop_assert_eq!(
                    cscomm_pickle::read(bad),
                    cscomm_pickle::read_full_with(bad, &ReaderConfig::default())
                );
                if let Some(entries) = cscomm_pickle::read_str_dict(bad) {
                    let dict: Vec<(Value, Value)> =
                        entries.into_iter().map(|(k, v)| (Value::from(k), v)).collect();
                    prop_assert_eq!(Ok(Value::Dict(dict)), full_value(bad));
                }
                let mut seen = Vec::new();
                if cscomm_pickle::for_each_str_entry(bad, |k, v| seen.push((k, v))).is_some() {
                    prop_assert_eq!(Some(seen), cscomm_pickle::read_str_dict(bad));
                }
                // One canonical line: the stack base64 and the direct reader
                // (an empty text is a missing payload, not an empty pickle).
                let mut text = BytesMut::new();
                base64::encode_wrapped(bad, NonZeroUsize::MAX, &mut text);
                if !bad.is_empty() {
                    let payload = Payload::Encoded(text.freeze());
                    prop_assert_eq!(payload.decode_shell(), general_shell(bad));
                }
            }
        }
    }

    #[test]
    fn canonical_base64_agrees_with_the_general_decoder(
        text in "[A-Za-z0-9+/=\n !]{0,40}",
        data in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut buf = [std::mem::MaybeUninit::uninit(); 256];
        let mut out = Vec::new();
        let general = base64::decode(text.as_bytes(), &mut out).map(|()| out);
        if let Some(fast) = base64::decode_canonical(text.as_bytes(), &mut buf) {
            prop_assert_eq!(Ok(fast.to_vec()), general);
        }
        let encoded = PayloadCodec::default().encode_bytes(&data);
        check_text(&encoded);
        let payload = Payload::Encoded(encoded);
        prop_assert_eq!(&payload.decode_bytes().unwrap()[..], &data[..]);
    }
}
