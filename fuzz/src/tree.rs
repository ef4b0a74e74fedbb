//! Properties of the initiator side of a tree run as a whole: two gateways,
//! one of them carrying two workers, each channel fed what the fuzzer
//! writes as that gateway (its stdout in any chunking, its stderr lines,
//! the end of its output, its exit, or our side closing it), in any
//! interleaving.
//!
//! Used by the `initiator_tree` fuzz target and, through `#[path]`, by
//! `crates/channel/tests/initiator_tree_fuzz_seeds.rs`.
//!
//! The input is a list of steps separated by NUL bytes (the channel's XML
//! never holds one). A step whose first byte is below 0x10 is an action on
//! gateway `byte & 1`, chosen by `byte >> 1` (see [`Action`]), with the
//! rest of the step as its data; any other step is stdout of the first
//! gateway, so a captured stream is a seed as it is.
//!
//! Checked on every event as it comes: a gateway speaks only for the
//! workers it was sent and for their targets still running (no output,
//! exit or timeout for a node it was not given or that already ended, no
//! node ended twice); a closed channel reports only its process's end. At the end
//! (every gateway's output ended and its process exited), every channel is
//! closed exactly once, nothing is pending, and every target of every
//! worker is accounted for exactly once.

use bytes::{Bytes, BytesMut};
use cscomm_channel::{InitiatorChannel, InitiatorConfig, InitiatorEvent};
use cscomm_message::{
    MessageKind, MessageWriter, NodeSet, PayloadCodec, PickledTopology, ShellRequest,
};

/// The gateways, and per gateway its workers and their targets.
pub const LAYOUT: [(&str, &[(u64, &str)]); 2] = [
    ("gw1", &[(1, "n[1-4]"), (7, "n[5-8]")]),
    ("gw2", &[(1, "m[1-3]")]),
];

fn node_set(text: &str) -> NodeSet {
    text.parse().expect("a valid node set")
}

/// What a step does to its gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Its stdout, in one piece.
    Stdout,
    /// One line of its stderr.
    StderrLine,
    /// The end of its stdout.
    StdoutEnd,
    /// Its process exited with this code (`None`: killed).
    Exited(Option<i32>),
    /// Our side closes the channel.
    Close,
    /// Its stdout, one byte at a time.
    StdoutBytes,
}

impl Action {
    fn from_code(code: u8) -> Action {
        match code {
            0 => Action::Stdout,
            1 => Action::StderrLine,
            2 => Action::StdoutEnd,
            3 => Action::Exited(Some(0)),
            4 => Action::Exited(Some(1)),
            5 => Action::Exited(None),
            6 => Action::Close,
            _ => Action::StdoutBytes,
        }
    }

    /// The step byte that selects this action on gateway `gateway`.
    pub fn step_byte(self, gateway: u8) -> u8 {
        let code = match self {
            Action::Stdout => 0,
            Action::StderrLine => 1,
            Action::StdoutEnd => 2,
            Action::Exited(Some(0)) => 3,
            Action::Exited(Some(_)) => 4,
            Action::Exited(None) => 5,
            Action::Close => 6,
            Action::StdoutBytes => 7,
        };
        code << 1 | (gateway & 1)
    }
}

/// The steps of `data`: gateway index, action, data.
fn steps(data: &[u8]) -> impl Iterator<Item = (usize, Action, &[u8])> {
    data.split(|&byte| byte == 0)
        .map(|step| match step.first() {
            Some(&byte) if byte < 0x10 => (
                usize::from(byte & 1),
                Action::from_code(byte >> 1),
                &step[1..],
            ),
            _ => (0, Action::Stdout, step),
        })
}

/// The topology every channel carries: `admin` above both gateways.
fn topology() -> PickledTopology {
    let mut topology = PickledTopology::new(node_set("admin"));
    for (gateway, workers) in LAYOUT {
        let group = topology.add_group(0, node_set(gateway));
        let mut targets = NodeSet::new();
        for (_, nodes) in workers {
            targets.update(&node_set(nodes));
        }
        topology.add_group(group, targets);
    }
    topology
}

/// One worker on one gateway, as the checks follow it.
struct Worker {
    srcid: u64,
    targets: NodeSet,
    /// Targets not ended yet.
    running: NodeSet,
}

/// One gateway: its channel and what it may still speak for.
struct Gateway {
    channel: InitiatorChannel,
    workers: Vec<Worker>,
    closed: usize,
    exited: bool,
    events: Vec<InitiatorEvent>,
}

impl Gateway {
    fn new(name: &str, workers: &[(u64, &str)], topology: &PickledTopology) -> Gateway {
        let mut channel = InitiatorChannel::new(InitiatorConfig::new(name, topology.clone()));
        let request = ShellRequest::new("echo fuzz");
        let workers: Vec<Worker> = workers
            .iter()
            .map(|&(srcid, nodes)| {
                let targets = node_set(nodes);
                channel.shell(srcid, &targets, &request).expect("queued");
                let input = Bytes::from_static(b"input\n");
                channel.write(srcid, &targets, input).expect("queued");
                channel.eof(srcid, &targets).expect("queued");
                Worker {
                    srcid,
                    running: targets.clone(),
                    targets,
                }
            })
            .collect();
        let mut gateway = Gateway {
            channel,
            workers,
            closed: 0,
            exited: false,
            events: Vec::new(),
        };
        gateway.drain();
        gateway
    }

    fn apply(&mut self, action: Action, data: &[u8]) {
        match action {
            Action::Stdout => self.channel.feed(data),
            Action::StdoutBytes => {
                for byte in data {
                    self.channel.feed(std::slice::from_ref(byte));
                    self.drain();
                }
            }
            Action::StderrLine => self.channel.feed_stderr_line(data),
            Action::StdoutEnd => self.channel.feed_eof(),
            Action::Exited(code) => {
                self.channel.feed_eof();
                self.channel.process_exited(code);
                self.exited = true;
            }
            Action::Close => self.channel.close(),
        }
        self.drain();
    }

    /// Takes what the channel produced, checking each event.
    fn drain(&mut self) {
        while self.channel.poll_transmit().is_some() {}
        while let Some(event) = self.channel.poll_event() {
            self.check(&event);
            self.events.push(event);
        }
    }

    fn worker(&mut self, srcid: u64, what: &str) -> &mut Worker {
        self.workers
            .iter_mut()
            .find(|worker| worker.srcid == srcid)
            .unwrap_or_else(|| panic!("{what} for worker {srcid}, never sent to this gateway"))
    }

    /// Ends `nodes` of worker `srcid`: they must be running.
    fn end(&mut self, srcid: u64, nodes: &NodeSet, what: &str) {
        let worker = self.worker(srcid, what);
        let strangers = nodes.difference(&worker.running);
        assert!(strangers.is_empty(), "{what} for {strangers}: not running");
        worker.running.difference_update(nodes);
    }

    fn check(&mut self, event: &InitiatorEvent) {
        // Once closed, only the process's end (and its stderr) is reported.
        let after_close = matches!(
            event,
            InitiatorEvent::Aborted { .. }
                | InitiatorEvent::Unreachable { .. }
                | InitiatorEvent::GatewayStderr { .. }
        );
        assert!(
            self.closed == 0 || after_close,
            "an event after Closed: {event:?}"
        );
        match event {
            InitiatorEvent::StdOut { srcid, nodes, .. }
            | InitiatorEvent::StdErr { srcid, nodes, .. } => {
                let worker = self.worker(*srcid, "output");
                let strangers = nodes.difference(&worker.running);
                assert!(strangers.is_empty(), "output for {strangers}: not running");
            }
            InitiatorEvent::Exit { srcid, nodes, .. } => self.end(*srcid, nodes, "exit"),
            InitiatorEvent::Timeout { srcid, nodes } => self.end(*srcid, nodes, "timeout"),
            InitiatorEvent::Written { srcid, nodes, .. } => {
                let worker = self.worker(*srcid, "write ack");
                assert!(nodes.is_subset(&worker.targets), "write ack for {nodes}");
            }
            InitiatorEvent::Routing { srcid, .. } => {
                self.worker(*srcid, "routing event");
            }
            InitiatorEvent::Unreachable {
                relaunch: by_worker,
                ..
            }
            | InitiatorEvent::Aborted { pending: by_worker } => {
                for (srcid, nodes) in by_worker {
                    self.end(*srcid, nodes, "relaunch or abort");
                }
            }
            InitiatorEvent::Closed { .. } => self.closed += 1,
            _ => {}
        }
    }

    /// The gateway's output ends and its process exits (if it had not):
    /// everything must be settled.
    fn settle(&mut self, name: &str) {
        if !self.exited {
            self.apply(Action::Exited(Some(0)), b"");
        }
        assert!(self.channel.is_closed(), "{name}: not closed after exit");
        assert_eq!(self.closed, 1, "{name}: not closed exactly once");
        assert_eq!(self.channel.pending().count(), 0, "{name}: still pending");
        for worker in &self.workers {
            assert!(
                worker.running.is_empty(),
                "{name}: worker {} lost {}",
                worker.srcid,
                worker.running
            );
        }
        self.channel
            .feed(b"<message type=\"RET\" msgid=\"9\" srcid=\"1\" retcode=\"0\" nodes=\"n1\"/>\n");
        self.channel.process_exited(Some(1));
        assert!(
            self.channel.poll_event().is_none(),
            "{name}: event after the end"
        );
        assert!(
            self.channel.poll_transmit().is_none(),
            "{name}: sent after the end"
        );
    }
}

/// Runs `data` through both gateways; returns each gateway's events.
pub fn run(data: &[u8]) -> Vec<Vec<InitiatorEvent>> {
    let topology = topology();
    let mut gateways: Vec<Gateway> = LAYOUT
        .iter()
        .map(|(name, workers)| Gateway::new(name, workers, &topology))
        .collect();
    for (index, action, step) in steps(data) {
        gateways[index].apply(action, step);
    }
    for (gateway, (name, _)) in gateways.iter_mut().zip(LAYOUT) {
        gateway.settle(name);
    }
    gateways.into_iter().map(|gateway| gateway.events).collect()
}

/// Runs every check on `data`; panics on a violation.
pub fn check(data: &[u8]) {
    run(data);
}

/// What a well-behaved gateway number `index` of [`LAYOUT`] writes: it
/// acknowledges the `CFG` and the requests, prints `hello from NODE` for
/// each target and has each exit with code 0 (a seed, and the reference
/// the seed test checks the harness against).
pub fn well_behaved_stream(index: usize) -> Vec<u8> {
    let (_, workers) = LAYOUT[index];
    let mut writer = MessageWriter::new(PayloadCodec::default());
    let mut out = BytesMut::new();
    writer.write_start(&mut out, "1.10.1");
    // The CFG, then a shell, a write and an eof per worker.
    for ack in 0..=3 * workers.len() as u64 {
        writer
            .write(MessageKind::Ack { ack }, &mut out)
            .expect("ACK");
    }
    for &(srcid, nodes) in workers {
        let nodes = node_set(nodes);
        for node in nodes.iter() {
            let line = format!("hello from {node}");
            let kind = MessageKind::stdout(srcid, node_set(&node), line.into_bytes());
            writer.write(kind, &mut out).expect("OUT");
        }
        let kind = MessageKind::Retcode {
            srcid,
            retcode: 0,
            nodes,
        };
        writer.write(kind, &mut out).expect("RET");
    }
    writer.write_end(&mut out);
    out.to_vec()
}

/// A seed: both gateways well behaved, interleaved, then both exit 0.
pub fn well_behaved_seed() -> Vec<u8> {
    let mut seed = well_behaved_stream(0);
    seed.push(0);
    seed.push(Action::Stdout.step_byte(1));
    seed.extend_from_slice(&well_behaved_stream(1));
    for gateway in 0..2 {
        seed.push(0);
        seed.push(Action::Exited(Some(0)).step_byte(gateway));
    }
    seed
}

/// Checks `event` as if gateway `index` of [`LAYOUT`] had just produced it
/// after setup (the harness's own tests).
pub fn check_event_for_test(index: usize, event: &InitiatorEvent) {
    let (name, workers) = LAYOUT[index];
    Gateway::new(name, workers, &topology()).check(event);
}
