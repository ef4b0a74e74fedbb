//! Properties of `cscomm_message::MessageDecoder` and of payload decoding
//! on arbitrary input.
//!
//! Used by the `message_decode` fuzz target and, through `#[path]`, by
//! `crates/message/tests/fuzz_seeds.rs`, which replays `fuzz/seeds/message/`.
//!
//! The input is a channel stream. Every event is decoded fed whole and fed
//! in pseudo-random pieces (the same events and errors either way); every
//! message is written back and decoded again (the same message); every
//! payload goes through each decoder a peer may apply to it (value, bytes,
//! shell and write requests, topology, output data, protocol sniffing),
//! which must return (never panic), agree with each other, and give values
//! that pickle back into a fixed point.

use cscomm_message::{
    ControlAction, Event, Message, MessageDecoder, MessageError, MessageKind, Payload,
    PayloadCodec, PickledTopology, Protocol, ShellRequest, Value, WriteRequest,
};

// Shared with the other checks (a file of its own so that the crates'
// tests that include this one through `#[path]` find it too).
#[path = "cuts.rs"]
mod cuts;
use cuts::pseudo_random_cuts;

/// At most this many events are taken from one input (conversion errors
/// let the stream go on).
const MAX_EVENTS: usize = 100_000;

/// What decoding a stream gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Events and message conversion errors, in stream order.
    pub events: Vec<Result<Event, MessageError>>,
    /// The wire error that ended the stream, if any.
    pub wire_error: Option<MessageError>,
    /// Payload decoding errors met by [`check`] (0 from [`decode`]).
    pub payload_errors: usize,
}

impl Outcome {
    /// Whether anything in the stream was refused.
    pub fn has_error(&self) -> bool {
        self.wire_error.is_some()
            || self.payload_errors > 0
            || self.events.iter().any(Result::is_err)
    }
}

/// Runs every check on `data`; panics when one fails. Returns the outcome
/// (with payload errors counted).
pub fn check(data: &[u8]) -> Outcome {
    let mut whole = decode(data, &[]);
    let cuts = pseudo_random_cuts(data);
    assert_eq!(
        decode(data, &cuts),
        whole,
        "chunking {cuts:?} changed the outcome"
    );
    for message in whole.events.iter().filter_map(|e| match e {
        Ok(Event::Message(message)) => Some(message),
        _ => None,
    }) {
        check_round_trip(message);
        whole.payload_errors += check_payload(&message.kind);
    }
    whole
}

/// Decodes `data` fed in pieces ending at `cuts` (ascending).
pub fn decode(data: &[u8], cuts: &[usize]) -> Outcome {
    let mut decoder = MessageDecoder::new();
    let mut outcome = Outcome {
        events: Vec::new(),
        wire_error: None,
        payload_errors: 0,
    };
    let mut start = 0;
    for end in cuts.iter().copied().chain([data.len()]) {
        let end = end.clamp(start, data.len());
        decoder.feed(&data[start..end]);
        start = end;
        if !drain(&mut decoder, &mut outcome, end == data.len()) {
            break;
        }
    }
    outcome
}

/// Takes every available event out of `decoder`; false once the stream
/// ended with a wire error (which must stick).
fn drain(decoder: &mut MessageDecoder, outcome: &mut Outcome, eof: bool) -> bool {
    while outcome.events.len() < MAX_EVENTS {
        let next = if eof {
            decoder.finish()
        } else {
            decoder.next_event()
        };
        match next {
            Ok(Some(event)) => outcome.events.push(Ok(event)),
            Ok(None) => return true,
            Err(error @ MessageError::Wire(_)) => {
                assert_eq!(
                    decoder.next_event(),
                    Err(error.clone()),
                    "wire error did not stick"
                );
                outcome.wire_error = Some(error);
                return false;
            }
            Err(error) => {
                assert!(!error.to_string().is_empty(), "empty error text");
                outcome.events.push(Err(error));
            }
        }
    }
    false
}

/// A decoded message, written back (its payload text untouched), decodes
/// to the same message.
fn check_round_trip(message: &Message) {
    let Ok(bytes) = message.to_bytes(&PayloadCodec::default()) else {
        panic!("a decoded message cannot be written: {message:?}");
    };
    let mut decoder = MessageDecoder::new();
    decoder.feed(b"<channel>");
    decoder.feed(&bytes);
    let mut events = Vec::new();
    while let Ok(Some(event)) = decoder.finish() {
        events.push(event);
    }
    let again = match events.get(1) {
        Some(Event::Message(again)) => again,
        other => panic!("written message {bytes:?} decodes to {other:?}"),
    };
    // Compared as printed: node sets by their fold. Set equality can
    // differ for odd syntax, in ClusterShell too (`NodeSet('node[%01-1-ib[0-1]')`
    // prints `node-1` but is not equal to `NodeSet('node-1')`).
    assert_eq!(
        format!("{:?}", normalised(again)),
        format!("{:?}", normalised(message)),
        "write-decode changed the message ({bytes:?})"
    );
}

/// `message` with `\r` in its payload text read as XML reads it back
/// (line ends normalised to `\n`).
fn normalised(message: &Message) -> Message {
    let mut message = message.clone();
    if let Some(Payload::Encoded(text)) = payload_mut(&mut message.kind) {
        if text.contains(&b'\r') {
            let fixed = String::from_utf8_lossy(text)
                .replace("\r\n", "\n")
                .replace('\r', "\n");
            *text = bytes::Bytes::from(fixed);
        }
    }
    message
}

fn payload_mut(kind: &mut MessageKind) -> Option<&mut Payload> {
    match kind {
        MessageKind::Config { payload, .. } => Some(payload),
        MessageKind::Control(control) => Some(&mut control.payload),
        MessageKind::StdOut(out) | MessageKind::StdErr(out) => Some(&mut out.payload),
        _ => None,
    }
}

/// Every payload decoder on the message's payload; returns how many of
/// those that apply to the message (the value, and the request, output or
/// topology its type and action call for) refused it.
fn check_payload(kind: &MessageKind) -> usize {
    let Some(payload) = kind.payload() else {
        return 0;
    };
    let value = payload.decode_value();
    if let Ok(value) = &value {
        let protocol = payload.protocol();
        assert!(
            matches!(protocol, Ok(Some(_))),
            "decoded, but protocol() gives {protocol:?}: {payload:?}"
        );
        check_value(value);
        check_typed(value);
    }
    let bytes = payload.decode_bytes();
    match (&value, &bytes) {
        (Ok(Value::Bytes(expected) | Value::ByteArray(expected)), Ok(bytes)) => {
            assert_eq!(&bytes[..], &expected[..], "decode_bytes disagrees")
        }
        (Ok(value), Ok(_)) => panic!("decode_bytes accepted a {}", value.type_name()),
        (Err(e), Ok(_)) => panic!("decode_bytes accepted what decode_value refused: {e}"),
        (Ok(_), Err(_)) | (Err(_), Err(_)) => {}
    }
    let typed = match kind {
        MessageKind::Control(control) => {
            let _ = control.target_nodes();
            let shell = control.shell_request();
            let write = control.write_request();
            match control.action {
                ControlAction::Shell => shell.is_ok(),
                ControlAction::Write => write.is_ok(),
                _ => true,
            }
        }
        MessageKind::StdOut(_) | MessageKind::StdErr(_) => match kind.output_data() {
            Some(Ok(data)) => {
                assert_eq!(Some(&data), bytes.as_ref().ok(), "output_data disagrees");
                true
            }
            _ => false,
        },
        MessageKind::Config { .. } => kind.topology().is_some_and(|t| t.is_ok()),
        _ => true,
    };
    usize::from(value.is_err() && !payload.is_empty()) + usize::from(!typed)
}

/// The typed views of a value convert back into values they read again.
fn check_typed(value: &Value) {
    if let Ok(request) = ShellRequest::from_value(value) {
        assert_eq!(
            ShellRequest::from_value(&request.to_value()).as_ref().ok(),
            Some(&request),
            "shell request round trip"
        );
    }
    if let Ok(request) = WriteRequest::from_value(value) {
        assert_eq!(
            WriteRequest::from_value(&request.to_value()).ok(),
            Some(request),
            "write request round trip"
        );
    }
    if let Ok(topology) = PickledTopology::from_value(value) {
        let again = PickledTopology::from_value(&topology.to_value());
        assert_eq!(again.ok(), Some(topology.clone()), "topology round trip");
        let _ = topology.to_string();
    }
}

/// A decoded value pickles (when it can be pickled at all) into a fixed
/// point: pickled, read and pickled again, the same bytes.
fn check_value(value: &Value) {
    for protocol in [Protocol::V2, Protocol::V4] {
        let codec = PayloadCodec::default().with_protocol(protocol);
        let Ok(text) = codec.encode_value(value) else {
            continue;
        };
        let again = Payload::Encoded(text.clone()).decode_value();
        let Ok(again) = again else {
            panic!("reading back a written value failed: {again:?} ({text:?})");
        };
        assert_eq!(
            codec.encode_value(&again).ok(),
            Some(text),
            "pickling is not a fixed point (protocol {protocol:?})"
        );
    }
}
