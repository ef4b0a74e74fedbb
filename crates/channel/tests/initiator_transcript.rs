//! `InitiatorChannel` replaying captured exchanges (ClusterShell 1.10.1 on
//! both ends): it makes the requests ClusterShell's initiator made, is fed
//! what ClusterShell's gateway answered (in any chunking), and must send
//! the same messages, one CTL per ACK, and see the same results.

use std::collections::BTreeMap;

use cscomm_channel::{InitiatorChannel, InitiatorConfig, InitiatorEvent, lines};
use cscomm_message::{ControlAction, Event, Message, MessageKind, decode_stream};
use cscomm_testkit::python::workspace_root;
use proptest::prelude::*;

fn capture(name: &str) -> Vec<u8> {
    std::fs::read(workspace_root().join("examples/capture").join(name)).expect("capture")
}

fn messages(stream: &[u8]) -> Vec<Message> {
    decode_stream(stream)
        .expect("a well-formed stream")
        .into_iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}

/// Replays ClusterShell's requests from `initiator`, feeds `gateway` cut at
/// `cuts`; returns what we sent and the events.
fn replay(initiator: &[u8], gateway: &[u8], cuts: &[usize]) -> (Vec<u8>, Vec<InitiatorEvent>) {
    let theirs = messages(initiator);
    let MessageKind::Config { gateway: name, .. } = &theirs[0].kind else {
        panic!("a CFG first")
    };
    let topology = theirs[0].kind.topology().expect("CFG").expect("topology");
    let mut ch = InitiatorChannel::new(InitiatorConfig::new(name.clone(), topology));
    for message in &theirs[1..] {
        let MessageKind::Control(control) = &message.kind else {
            panic!("CTLs after the CFG")
        };
        let targets = control.target_nodes().expect("targets");
        let srcid = control.srcid;
        match control.action {
            ControlAction::Shell => {
                ch.shell(srcid, &targets, &control.shell_request().expect("shell"))
            }
            ControlAction::Write => {
                ch.write(srcid, &targets, control.write_request().expect("write").buf)
            }
            ControlAction::Eof => ch.eof(srcid, &targets),
            _ => panic!("unknown action"),
        }
        .expect("request");
    }
    let mut sent = Vec::new();
    let mut events = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain([&gateway.len()]) {
        let cut = cut.clamp(start, gateway.len());
        ch.feed(&gateway[start..cut]);
        start = cut;
        events.extend(std::iter::from_fn(|| ch.poll_event()));
        while let Some(bytes) = ch.poll_transmit() {
            sent.extend_from_slice(&bytes);
        }
    }
    ch.feed_eof();
    events.extend(std::iter::from_fn(|| ch.poll_event()));
    (sent, events)
}

fn check(initiator: &[u8], gateway: &[u8]) {
    let (sent, events) = replay(initiator, gateway, &[]);
    // Same messages as ClusterShell's initiator: types, msgids, srcids,
    // actions, payload contents.
    let ours = messages(&sent);
    let theirs = messages(initiator);
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!((a.msgid, a.message_type()), (b.msgid, b.message_type()));
        if let (MessageKind::Control(a), MessageKind::Control(b)) = (&a.kind, &b.kind) {
            assert_eq!((a.srcid, &a.action), (b.srcid, &b.action));
            assert_eq!(a.target_nodes(), b.target_nodes());
            if a.action == ControlAction::Shell {
                assert_eq!(a.shell_request().ok(), b.shell_request().ok());
            }
        }
    }
    // Per node results equal what the gateway's messages say.
    let mut out: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    let mut codes = BTreeMap::new();
    let mut written = 0;
    for event in &events {
        match event {
            InitiatorEvent::StdOut { nodes, data, .. } => {
                for node in nodes.iter() {
                    out.entry(node.to_string())
                        .or_default()
                        .extend(lines(data).map(<[u8]>::to_vec));
                }
            }
            InitiatorEvent::Exit { nodes, code, .. } => {
                for node in nodes.iter() {
                    codes.insert(node.to_string(), *code);
                }
            }
            InitiatorEvent::Written { len, nodes, .. } => {
                written += 1;
                assert_eq!((*len, nodes.len()), (11, 3));
            }
            _ => {}
        }
    }
    assert_eq!(written, 1);
    for node in ["node1", "node2", "node3"] {
        let expected = [
            b"stdin line".to_vec(),
            format!("hello from {node}").into_bytes(),
        ];
        assert_eq!(out[node], expected, "{node}");
        assert_eq!(codes[node], 3);
    }
}

#[test]
fn the_committed_capture_replays() {
    check(&capture("initiator.xml"), &capture("gateway.xml"));
}

/// ClusterShell's initiator sends one CTL per ACK it receives, and so do
/// we: feeding the gateway's stream message by message releases them one
/// at a time.
#[test]
fn one_request_per_ack() {
    let gateway = capture("gateway.xml");
    let ends: Vec<usize> = gateway
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    let (sent, events) = replay(&capture("initiator.xml"), &gateway, &ends);
    assert!(events.contains(&InitiatorEvent::Ready));
    assert_eq!(messages(&sent).len(), 4, "CFG and three CTLs");
    // With only the first ACK (the CFG's) fed, one CTL went.
    let first_ack = ends[1];
    let (sent, _) = replay(&capture("initiator.xml"), &gateway[..first_ack], &[]);
    assert_eq!(messages(&sent).len(), 2, "CFG and one CTL");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn chunking_changes_nothing(mut cuts in proptest::collection::vec(0usize..1500, 0..30)) {
        let (initiator, gateway) = (capture("initiator.xml"), capture("gateway.xml"));
        cuts.sort_unstable();
        prop_assert_eq!(replay(&initiator, &gateway, &cuts), replay(&initiator, &gateway, &[]));
    }
}
