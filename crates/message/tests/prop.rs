//! Property tests: base64 and message conversions round-trip; hostile
//! payload text gives errors, never panics.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::num::NonZeroUsize;

use bytes::{Bytes, BytesMut};
use cscomm_message::base64;
use cscomm_message::{
    Control, ControlAction, Event, Message, MessageKind, NodeSet, Number, Payload, PayloadCodec,
    Protocol, ShellRequest, decode_stream,
};
use proptest::prelude::*;

/// Text XML can carry (no C0 controls but TAB/LF/CR, no U+FFFE/U+FFFF).
fn xml_text() -> impl Strategy<Value = String> {
    "[^\u{0}-\u{8}\u{b}\u{c}\u{e}-\u{1f}\u{fffe}\u{ffff}]{0,24}"
}

fn node_set() -> impl Strategy<Value = NodeSet> {
    prop::collection::vec(("[a-z]{1,4}", 0u32..50, 0u32..5, prop::bool::ANY), 0..4).prop_map(
        |parts| {
            let text: Vec<String> = parts
                .into_iter()
                .map(|(prefix, start, len, padded)| match padded {
                    true => format!("{prefix}[{start:03}-{:03}]", start + len),
                    false => format!("{prefix}[{start}-{}]", start + len),
                })
                .collect();
            text.join(",").parse().unwrap()
        },
    )
}

fn protocol() -> impl Strategy<Value = Protocol> {
    (0u8..=5).prop_map(|n| Protocol::from_u8(n).unwrap())
}

fn shell_request() -> impl Strategy<Value = ShellRequest> {
    (
        xml_text(),
        prop::bool::ANY,
        prop::option::of(-1i64..100),
        1i64..500,
    )
        .prop_map(|(cmd, stderr, timeout, fanout)| {
            let mut request = ShellRequest::new(cmd);
            request.stderr = stderr;
            request.timeout = timeout.map(Number::Int);
            request.taskinfo.set("fanout", fanout.into());
            request
        })
}

fn kind() -> impl Strategy<Value = MessageKind> {
    let data = prop::collection::vec(any::<u8>(), 0..300).prop_map(Bytes::from);
    prop_oneof![
        (xml_text(), shell_request()).prop_map(|(gateway, r)| MessageKind::Config {
            gateway,
            payload: Payload::value(r.to_value()),
        }),
        (any::<u64>(), node_set(), shell_request())
            .prop_map(|(id, n, r)| MessageKind::Control(Control::shell(id, &n, &r))),
        (any::<u64>(), node_set(), data.clone())
            .prop_map(|(id, n, d)| MessageKind::Control(Control::write(id, &n, d))),
        (any::<u64>(), xml_text(), xml_text()).prop_map(|(srcid, action, target)| {
            MessageKind::Control(Control {
                srcid,
                action: ControlAction::parse(&action),
                target,
                payload: Payload::None,
            })
        }),
        any::<u64>().prop_map(|ack| MessageKind::Ack { ack }),
        xml_text().prop_map(|reason| MessageKind::Error { reason }),
        (any::<u64>(), node_set(), data.clone())
            .prop_map(|(id, n, d)| MessageKind::stdout(id, n, d)),
        (any::<u64>(), node_set(), data).prop_map(|(id, n, d)| MessageKind::stderr(id, n, d)),
        (any::<u64>(), any::<i64>(), node_set()).prop_map(|(srcid, retcode, nodes)| {
            MessageKind::Retcode {
                srcid,
                retcode,
                nodes,
            }
        }),
        (any::<u64>(), node_set()).prop_map(|(srcid, nodes)| MessageKind::Timeout { srcid, nodes }),
        (any::<u64>(), xml_text(), xml_text(), node_set()).prop_map(
            |(srcid, event, gateway, targets)| {
                MessageKind::Routing {
                    srcid,
                    event,
                    gateway,
                    targets,
                }
            }
        ),
    ]
}

/// The message with payloads decoded, to compare sent and received.
fn decoded(message: &Message) -> Message {
    let mut message = message.clone();
    let slot = match &mut message.kind {
        MessageKind::Config { payload, .. } => payload,
        MessageKind::Control(ctl) => &mut ctl.payload,
        MessageKind::StdOut(out) | MessageKind::StdErr(out) => &mut out.payload,
        _ => return message,
    };
    if !slot.is_empty() {
        *slot = Payload::value(slot.decode_value().unwrap());
    }
    message
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn base64_round_trips(data in prop::collection::vec(any::<u8>(), 0..400), line in 1usize..100) {
        let mut text = BytesMut::new();
        base64::encode_wrapped(&data, NonZeroUsize::new(line).unwrap(), &mut text);
        let mut back = Vec::new();
        base64::decode(&text, &mut back).unwrap();
        prop_assert_eq!(back, data);
    }

    #[test]
    fn base64_never_panics(text in prop::collection::vec(any::<u8>(), 0..64)) {
        let mut out = Vec::new();
        let _ = base64::decode(&text, &mut out);
        let payload = Payload::Encoded(Bytes::from(text));
        let _ = payload.decode_value();
        let _ = payload.decode_bytes();
        let _ = payload.protocol();
    }

    #[test]
    fn messages_round_trip(kinds in prop::collection::vec(kind(), 1..6), proto in protocol(), line in 1usize..200) {
        let codec = PayloadCodec::new(proto, NonZeroUsize::new(line).unwrap());
        let mut stream = BytesMut::new();
        stream.extend_from_slice(b"<channel version=\"x\">");
        let messages: Vec<Message> = kinds.into_iter().enumerate().map(|(i, k)| Message::new(i as u64, k)).collect();
        for message in &messages {
            message.write_to(&codec, &mut stream).unwrap();
        }
        let events = decode_stream(&stream).unwrap();
        prop_assert_eq!(events.len(), messages.len() + 1);
        for (message, event) in messages.iter().zip(&events[1..]) {
            let Event::Message(back) = event else { panic!("a message") };
            prop_assert_eq!(decoded(back), decoded(message));
            if let Some(protocol) = back.kind.payload().and_then(|p| p.protocol().unwrap()) {
                prop_assert_eq!(protocol, if proto < Protocol::V2 { Protocol::V0 } else { proto });
            }
            // Re-emitting a received message gives the same bytes.
            prop_assert_eq!(back.to_bytes(&codec).unwrap(), message.to_bytes(&codec).unwrap());
        }
    }
}
