//! Reference models of both ends' states, checked against the machines
//! over random message sequences fed in random chunks.

use bytes::{Bytes, BytesMut};
use cscomm_channel::{
    CloseCause, GatewayChannel, GatewayConfig, GatewayEvent, InitiatorChannel, InitiatorConfig,
    InitiatorEvent,
};
use cscomm_message::{
    Control, Event, Message, MessageKind, NodeSet, PayloadCodec, PickledTopology, ShellRequest,
    decode_stream,
};
use proptest::prelude::*;

/// What a parent may write, valid or not for the gateway's state.
#[derive(Debug, Clone, Copy)]
enum Item {
    Start,
    End,
    Cfg,
    Shell,
    Write,
    Eof,
    OtherAction,
    Ack,
    Out,
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        2 => Just(Item::Start),
        1 => Just(Item::End),
        3 => Just(Item::Cfg),
        4 => Just(Item::Shell),
        3 => Just(Item::Write),
        3 => Just(Item::Eof),
        1 => Just(Item::OtherAction),
        1 => Just(Item::Ack),
        1 => Just(Item::Out),
    ]
}

fn nodes() -> NodeSet {
    "n[1-3]".parse().expect("node set")
}

fn topology() -> PickledTopology {
    let mut topology = PickledTopology::new("admin".parse().expect("node set"));
    topology.add_group(0, "gw".parse().expect("node set"));
    topology
}

fn encode(items: &[Item]) -> Vec<u8> {
    let mut out = BytesMut::new();
    cscomm_wire::write_declaration(&mut out);
    let codec = PayloadCodec::default();
    for (msgid, item) in (10u64..).zip(items) {
        let kind = match item {
            Item::Start => {
                cscomm_wire::write_channel_start(&mut out, &[("version", "1.10.1")]);
                continue;
            }
            Item::End => {
                cscomm_wire::write_channel_end(&mut out);
                continue;
            }
            Item::Cfg => MessageKind::config("gw", &topology()),
            Item::Shell => {
                MessageKind::Control(Control::shell(5, &nodes(), &ShellRequest::new("id")))
            }
            Item::Write => {
                MessageKind::Control(Control::write(5, &nodes(), Bytes::from_static(b"in")))
            }
            Item::Eof => MessageKind::Control(Control::eof(5, &nodes())),
            Item::OtherAction => {
                let mut control = Control::eof(5, &nodes());
                control.action = cscomm_message::ControlAction::Other("dance".into());
                MessageKind::Control(control)
            }
            Item::Ack => MessageKind::Ack { ack: 1 },
            Item::Out => MessageKind::stdout(5, nodes(), &b"x"[..]),
        };
        Message::new(msgid, kind)
            .write_to(&codec, &mut out)
            .expect("encode");
    }
    out.to_vec()
}

/// The model: names of the events, the msgids ACKed, and how it closed.
fn model(items: &[Item]) -> (Vec<&'static str>, Vec<u64>, &'static str) {
    #[derive(PartialEq)]
    enum S {
        Idle,
        Opened,
        Setup,
    }
    let mut state = S::Idle;
    let mut events = vec![];
    let mut acks = vec![];
    for (msgid, item) in (10u64..).zip(items) {
        match (&state, item) {
            (S::Idle, Item::Start) => {
                state = S::Opened;
                events.push("Opened");
            }
            (S::Idle, _) => return (events, acks, "error"),
            (_, Item::End) => return (events, acks, "end"),
            (S::Opened, Item::Cfg) => {
                state = S::Setup;
                events.push("Configured");
                acks.push(msgid);
            }
            (S::Setup, Item::Shell | Item::Write | Item::Eof) => {
                events.push(match item {
                    Item::Shell => "Shell",
                    Item::Write => "Write",
                    _ => "Eof",
                });
                acks.push(msgid);
            }
            _ => return (events, acks, "error"),
        }
    }
    (events, acks, "eof")
}

fn gateway(input: &[u8], cuts: &[usize]) -> (Vec<&'static str>, Vec<u64>, &'static str) {
    let mut gw = GatewayChannel::new(GatewayConfig::new("host"));
    let mut start = 0;
    for &cut in cuts.iter().chain([&input.len()]) {
        let cut = cut.clamp(start, input.len());
        gw.feed(&input[start..cut]);
        start = cut;
    }
    gw.feed_eof();
    let mut names = vec![];
    let mut how = "none";
    while let Some(event) = gw.poll_event() {
        match event {
            GatewayEvent::Opened { .. } => names.push("Opened"),
            GatewayEvent::Configured { .. } => names.push("Configured"),
            GatewayEvent::Shell { .. } => names.push("Shell"),
            GatewayEvent::Write { .. } => names.push("Write"),
            GatewayEvent::Eof { .. } => names.push("Eof"),
            GatewayEvent::Closed { cause } => {
                how = match cause {
                    CloseCause::End => "end",
                    CloseCause::EndOfInput => "eof",
                    CloseCause::Error(_) => "error",
                    _ => "other",
                };
                assert!(gw.poll_event().is_none(), "Closed is the last event");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let mut out = Vec::new();
    while let Some(bytes) = gw.poll_transmit() {
        out.extend_from_slice(&bytes);
    }
    let acks = messages(&out)
        .into_iter()
        .filter_map(|m| match m.kind {
            MessageKind::Ack { ack } => Some(ack),
            _ => None,
        })
        .collect();
    (names, acks, how)
}

fn messages(stream: &[u8]) -> Vec<Message> {
    let mut decoder = cscomm_message::MessageDecoder::new();
    decoder.feed(stream);
    let mut out = vec![];
    while let Ok(Some(event)) = decoder.finish() {
        if let Event::Message(m) = event {
            out.push(m);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn gateway_agrees_with_its_model(
        items in proptest::collection::vec(item(), 0..14),
        mut cuts in proptest::collection::vec(0usize..4000, 0..12),
    ) {
        // Most interesting sequences open and configure first.
        let input = encode(&items);
        cuts.sort_unstable();
        prop_assert_eq!(gateway(&input, &cuts), model(&items));
    }

    #[test]
    fn gateway_after_a_proper_start_agrees_with_its_model(
        items in proptest::collection::vec(item(), 0..14),
        mut cuts in proptest::collection::vec(0usize..4000, 0..12),
    ) {
        let mut all = vec![Item::Start, Item::Cfg];
        all.extend(items);
        let input = encode(&all);
        cuts.sort_unstable();
        prop_assert_eq!(gateway(&input, &cuts), model(&all));
    }
}

/// What the initiator is asked to do, and what its gateway answers.
#[derive(Debug, Clone, Copy)]
enum Op {
    Shell,
    Write,
    Eof,
    /// An ACK of the n-th CTL sent so far (modulo), or of a msgid never sent.
    Ack(u8),
    Out,
    Ret,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Shell),
        3 => Just(Op::Write),
        1 => Just(Op::Eof),
        5 => (0u8..8).prop_map(Op::Ack),
        2 => Just(Op::Out),
        1 => Just(Op::Ret),
    ]
}

fn gateway_says(kind: MessageKind, msgid: u64) -> Vec<u8> {
    let mut out = BytesMut::new();
    Message::new(msgid, kind)
        .write_to(&PayloadCodec::default(), &mut out)
        .expect("encode");
    out.to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// ClusterShell's queue: one CTL released per ACK (the CFG's too),
    /// sent at once when set up and nothing waits; an ACK of the oldest
    /// write means it was written; output is routed by srcid.
    #[test]
    fn initiator_agrees_with_its_model(ops in proptest::collection::vec(op(), 0..30)) {
        let mut ch = InitiatorChannel::new(InitiatorConfig::new("gw", topology()));
        let mut sent_ctl: Vec<u64> = vec![]; // msgids on the wire, in order
        let mut out = Vec::new();
        let mut drain = |ch: &mut InitiatorChannel, sent: &mut Vec<u64>| {
            while let Some(bytes) = ch.poll_transmit() {
                out.extend_from_slice(&bytes);
            }
            let all = decode_stream(&out).expect("our own stream");
            *sent = all.into_iter().filter_map(|e| match e {
                Event::Message(m) if m.message_type().ident() == "CTL" => Some(m.msgid),
                _ => None,
            }).collect();
        };
        // Model state.
        let (mut setup, mut queued, mut sent, mut next_id) = (false, 0usize, 0usize, 1u64);
        let mut writes: std::collections::VecDeque<u64> = Default::default();
        let mut expect_events: Vec<InitiatorEvent> = vec![];
        let mut got_events: Vec<InitiatorEvent> = vec![];
        ch.feed(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.9.3\">");
        expect_events.push(InitiatorEvent::Opened { version: Some("1.9.3".into()) });
        got_events.extend(std::iter::from_fn(|| ch.poll_event()));
        let mut gw_msgid = 100;
        // Whether the targets have a shell without a return code (after
        // setup, a gateway may speak for them only then).
        let mut running = false;
        for op in ops {
            if setup && !running && matches!(op, Op::Out | Op::Ret) {
                continue; // a protocol error: tests/initiator_trust.rs
            }
            gw_msgid += 1;
            match op {
                Op::Shell | Op::Write | Op::Eof => {
                    let id = match op {
                        Op::Shell => ch.shell(5, &nodes(), &ShellRequest::new("id")),
                        Op::Write => ch.write(5, &nodes(), Bytes::from_static(b"abc")),
                        _ => ch.eof(5, &nodes()),
                    }.expect("request");
                    prop_assert_eq!(id, next_id);
                    if matches!(op, Op::Write) {
                        writes.push_back(id);
                    }
                    next_id += 1;
                    if setup && queued == 0 { sent += 1 } else { queued += 1 }
                    running |= matches!(op, Op::Shell);
                }
                Op::Ack(n) => {
                    let ack = if n == 7 { 999 } else if sent == 0 { 0 } else { sent_ctl[n as usize % sent_ctl.len()] };
                    ch.feed(&gateway_says(MessageKind::Ack { ack }, gw_msgid));
                    if !setup {
                        setup = true;
                        expect_events.push(InitiatorEvent::Ready);
                    } else if writes.front() == Some(&ack) {
                        writes.pop_front();
                        expect_events.push(InitiatorEvent::Written { srcid: 5, nodes: nodes(), len: 3 });
                    }
                    if queued > 0 { queued -= 1; sent += 1; }
                }
                Op::Out => {
                    ch.feed(&gateway_says(MessageKind::stdout(5, nodes(), &b"o"[..]), gw_msgid));
                    if setup {
                        expect_events.push(InitiatorEvent::StdOut { srcid: 5, nodes: nodes(), data: Bytes::from_static(b"o") });
                    }
                }
                Op::Ret => {
                    ch.feed(&gateway_says(MessageKind::Retcode { srcid: 5, retcode: 1, nodes: nodes() }, gw_msgid));
                    if setup {
                        expect_events.push(InitiatorEvent::Exit { srcid: 5, nodes: nodes(), code: 1 });
                        running = false;
                    }
                }
            }
            drain(&mut ch, &mut sent_ctl);
            got_events.extend(std::iter::from_fn(|| ch.poll_event()));
            prop_assert_eq!(sent_ctl.len(), sent);
            prop_assert_eq!(ch.queued() > 0, queued > 0);
        }
        prop_assert_eq!(got_events, expect_events);
    }
}
