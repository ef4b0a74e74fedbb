//! Properties of `cscomm_channel::InitiatorChannel` on an arbitrary stream
//! from its gateway.
//!
//! Used by the `initiator_channel` fuzz target and, through `#[path]`, by
//! `crates/channel/tests/initiator_fuzz_seeds.rs`, which replays the seed
//! corpora.
//!
//! The channel sends a `CFG`, then a `shell`, a `write` and an `eof` for
//! four targets, and is fed the input as the gateway's stream, then end of
//! input and the gateway's exit (its code taken from the input's first
//! byte). Whole or in pieces, the events and the bytes sent are the same;
//! the channel ends closed, with exactly one `Closed` event, nothing
//! pending and nothing more read or written; and no target is lost: each
//! one exited, timed out, is handed back to be routed again, or is aborted.

use bytes::Bytes;
use cscomm_channel::{InitiatorChannel, InitiatorConfig, InitiatorEvent};
use cscomm_message::{NodeSet, PickledTopology, ShellRequest};

/// The worker of the request.
const SRCID: u64 = 1;

fn node_set(text: &str) -> NodeSet {
    text.parse().expect("a valid node set")
}

/// What the gateway's exit code is for `data`.
fn exit_code(data: &[u8]) -> Option<i32> {
    [Some(0), Some(1), None, Some(255)][usize::from(data.first().copied().unwrap_or(0) % 4)]
}

/// A channel to `gw1` with the requests sent.
fn channel(targets: &NodeSet) -> InitiatorChannel {
    let mut topology = PickledTopology::new(node_set("admin"));
    let gateway = topology.add_group(0, node_set("gw1"));
    topology.add_group(gateway, targets.clone());
    let mut channel = InitiatorChannel::new(InitiatorConfig::new("gw1", topology));
    let request = ShellRequest::new("echo fuzz");
    channel
        .shell(SRCID, targets, &request)
        .expect("shell queued");
    let input = Bytes::from_static(b"input\n");
    channel.write(SRCID, targets, input).expect("write queued");
    channel.eof(SRCID, targets).expect("eof queued");
    channel
}

fn drain(channel: &mut InitiatorChannel, events: &mut Vec<InitiatorEvent>, sent: &mut Vec<u8>) {
    events.extend(std::iter::from_fn(|| channel.poll_event()));
    while let Some(bytes) = channel.poll_transmit() {
        sent.extend_from_slice(&bytes);
    }
}

/// Feeds `data` in pieces of `piece` bytes; returns the events and the
/// bytes sent.
pub fn run(data: &[u8], piece: usize) -> (Vec<InitiatorEvent>, Vec<u8>) {
    let targets = node_set("n[1-4]");
    let mut channel = channel(&targets);
    let (mut events, mut sent) = (Vec::new(), Vec::new());
    drain(&mut channel, &mut events, &mut sent);
    for chunk in data.chunks(piece.max(1)) {
        channel.feed(chunk);
        drain(&mut channel, &mut events, &mut sent);
    }
    channel.feed_eof();
    channel.process_exited(exit_code(data));
    drain(&mut channel, &mut events, &mut sent);
    assert!(channel.is_closed(), "not closed after the gateway exited");
    assert_eq!(channel.pending().count(), 0, "targets still pending");
    channel.feed(b"<message type=\"ACK\" msgid=\"1\" ack=\"1\"></message>\n");
    channel.process_exited(Some(1));
    assert!(channel.poll_event().is_none(), "an event after the end");
    assert!(
        channel.poll_transmit().is_none(),
        "bytes sent after the end"
    );
    (events, sent)
}

/// Every target of the request, as the events account for it.
fn accounted(events: &[InitiatorEvent]) -> NodeSet {
    let mut seen = NodeSet::new();
    for event in events {
        match event {
            InitiatorEvent::Exit { srcid, nodes, .. }
            | InitiatorEvent::Timeout { srcid, nodes }
                if *srcid == SRCID =>
            {
                seen.update(nodes);
            }
            InitiatorEvent::Unreachable {
                relaunch: by_worker,
                ..
            }
            | InitiatorEvent::Aborted { pending: by_worker } => {
                for (srcid, nodes) in by_worker {
                    if *srcid == SRCID {
                        seen.update(nodes);
                    }
                }
            }
            _ => {}
        }
    }
    seen
}

/// Runs every check on `data`; panics on a violation.
pub fn check(data: &[u8]) {
    let whole = run(data, data.len());
    let pieces = run(data, data.len() % 13 + 1);
    assert_eq!(whole, pieces, "chunking changed the outcome");
    let (events, _) = whole;
    let closed = events
        .iter()
        .filter(|e| matches!(e, InitiatorEvent::Closed { .. }))
        .count();
    assert_eq!(closed, 1, "exactly one Closed");
    let lost = node_set("n[1-4]").difference(&accounted(&events));
    assert!(lost.is_empty(), "targets lost: {lost}");
}
