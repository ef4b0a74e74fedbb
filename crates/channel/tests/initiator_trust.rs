//! A gateway speaks only for the targets routed through it, each until it
//! ended: anything else is a protocol error that closes the channel with
//! an `ERR`, and nothing of it becomes an output event.

use bytes::BytesMut;
use cscomm_channel::{CloseCause, InitiatorChannel, InitiatorConfig, InitiatorEvent};
use cscomm_message::{
    Event, Message, MessageKind, NodeSet, PayloadCodec, PickledTopology, ShellRequest,
    decode_stream,
};

const START: &[u8] = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">";

fn nodes(text: &str) -> NodeSet {
    text.parse().expect("node set")
}

/// admin -> gw1 -> gw2 -> n[1-4]; a shell for n[1-4] through gw1, set up.
fn channel() -> InitiatorChannel {
    let mut topology = PickledTopology::new(nodes("admin"));
    let gw1 = topology.add_group(0, nodes("gw1"));
    let gw2 = topology.add_group(gw1, nodes("gw2"));
    topology.add_group(gw2, nodes("n[1-4]"));
    let mut ch = InitiatorChannel::new(InitiatorConfig::new("gw1", topology));
    ch.shell(7, &nodes("n[1-4]"), &ShellRequest::new("true"))
        .expect("shell");
    ch.feed(START);
    ch.feed(&says(MessageKind::Ack { ack: 0 }));
    let _ = ch.poll_transmit();
    let _ = events(&mut ch);
    ch
}

fn says(kind: MessageKind) -> Vec<u8> {
    let mut out = BytesMut::new();
    Message::new(50, kind)
        .write_to(&PayloadCodec::default(), &mut out)
        .expect("encode");
    out.to_vec()
}

fn events(ch: &mut InitiatorChannel) -> Vec<InitiatorEvent> {
    std::iter::from_fn(|| ch.poll_event()).collect()
}

/// Feeds `kind`; asserts it was refused with `why` (the ERR sent, then
/// `</channel>`) and that no other event came.
fn assert_refused(ch: &mut InitiatorChannel, kind: MessageKind, why: &str) {
    ch.feed(&says(kind));
    let reason = format!("protocol error from gateway gw1: {why}");
    assert_eq!(
        events(ch),
        [InitiatorEvent::Closed {
            cause: CloseCause::Error(reason.clone())
        }]
    );
    assert_eq!(ch.error(), Some(reason.as_str()));
    let sent = ch.poll_transmit().expect("ERR and </channel>");
    let mut stream = START.to_vec();
    stream.extend_from_slice(&sent);
    let decoded = decode_stream(&stream).expect("our stream");
    let Event::Message(err) = &decoded[1] else {
        panic!("{decoded:?}")
    };
    assert_eq!(
        err.kind,
        MessageKind::Error {
            reason: why.to_owned()
        }
    );
    assert_eq!(decoded.last(), Some(&Event::End));
}

fn retcode(srcid: u64, targets: &str) -> MessageKind {
    MessageKind::Retcode {
        srcid,
        retcode: 0,
        nodes: nodes(targets),
    }
}

#[test]
fn output_for_a_node_never_routed_there_is_refused() {
    let mut ch = channel();
    let kind = MessageKind::stdout(7, nodes("n4,root"), &b"pwned"[..]);
    let why = "OUT message for nodes not routed through this gateway: root";
    assert_refused(&mut ch, kind, why);
    // Its targets are then given up by the runtime, as aborted.
    ch.process_exited(Some(0));
    assert_eq!(
        events(&mut ch),
        [InitiatorEvent::Aborted {
            pending: vec![(7, nodes("n[1-4]"))]
        }]
    );
}

#[test]
fn a_second_return_code_is_refused() {
    let mut ch = channel();
    ch.feed(&says(retcode(7, "n[1-2]")));
    assert!(matches!(
        &events(&mut ch)[..],
        [InitiatorEvent::Exit { .. }]
    ));
    let why = "RET message for nodes already finished: n2";
    assert_refused(&mut ch, retcode(7, "n2"), why);
}

#[test]
fn output_after_a_return_code_is_refused() {
    let mut ch = channel();
    ch.feed(&says(retcode(7, "n1")));
    let _ = events(&mut ch);
    let kind = MessageKind::stderr(7, nodes("n1"), &b"late"[..]);
    assert_refused(&mut ch, kind, "SER message for nodes already finished: n1");
}

#[test]
fn messages_for_an_unknown_worker_are_refused() {
    let mut ch = channel();
    assert_refused(
        &mut ch,
        retcode(8, "n1"),
        "RET message for unknown worker 8",
    );
    let mut ch = channel();
    let kind = MessageKind::Timeout {
        srcid: 9,
        nodes: nodes("n1"),
    };
    assert_refused(&mut ch, kind, "TIM message for unknown worker 9");
}

#[test]
fn a_routing_event_about_foreign_targets_is_refused() {
    let mut ch = channel();
    let kind = MessageKind::Routing {
        srcid: 7,
        event: "reroute".into(),
        gateway: "gw2".into(),
        targets: nodes("n[1-5]"),
    };
    let why = "RTR message for nodes not routed through this gateway: n5";
    assert_refused(&mut ch, kind, why);
}

#[test]
fn a_request_from_the_gateway_is_refused() {
    let mut ch = channel();
    let kind = MessageKind::Control(cscomm_message::Control::eof(7, &nodes("n1")));
    ch.feed(&says(kind));
    let got = events(&mut ch);
    let [InitiatorEvent::Closed { cause }] = &got[..] else {
        panic!("{got:?}")
    };
    let reason = cause.error().expect("an error");
    assert!(
        reason.contains("unexpected message: Message CTL"),
        "{reason}"
    );
}

#[test]
fn what_a_gateway_may_say_is_delivered() {
    let mut ch = channel();
    // Output after a timeout: ClusterShell's gateway sends TIM before its
    // last grooming tick. Stderr of a relay: a sub-gateway's own errors.
    let timeout = MessageKind::Timeout {
        srcid: 7,
        nodes: nodes("n1"),
    };
    ch.feed(&says(timeout));
    ch.feed(&says(MessageKind::stdout(7, nodes("n1"), &b"last"[..])));
    ch.feed(&says(MessageKind::stderr(
        7,
        nodes("gw2"),
        &b"ssh: oops"[..],
    )));
    ch.feed(&says(retcode(7, "n[2-4]")));
    let got = events(&mut ch);
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(matches!(got[1], InitiatorEvent::StdOut { .. }));
    assert!(matches!(got[2], InitiatorEvent::StdErr { .. }));
    assert!(!ch.is_closed());
    assert_eq!(ch.pending().count(), 0);
}
