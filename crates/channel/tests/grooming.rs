//! `GroomingBuffer`: every line of every node comes out, in order per
//! node, whatever the sequence; and groups come out in the order
//! ClusterShell's own `MsgTree` gives (compared in one Python run).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use cscomm_channel::{GroomingBuffer, GroomingConfig, lines};
use cscomm_message::{MessageKind, NodeSet};
use cscomm_testkit::python::Python;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
enum Step {
    Line { node: u8, stderr: bool, line: u8 },
    Exit { node: u8, code: u8 },
    Tick,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0u8..6, any::<bool>(), 0u8..4).prop_map(|(node, stderr, line)| Step::Line { node, stderr, line }),
        1 => (0u8..6, 0u8..3).prop_map(|(node, code)| Step::Exit { node, code }),
        2 => Just(Step::Tick),
    ]
}

fn node(n: u8) -> String {
    format!("n{n}")
}

/// Lines are few and short so that outputs collide and gather.
fn line(l: u8) -> Vec<u8> {
    if l == 0 {
        Vec::new()
    } else {
        format!("line {l}").into_bytes()
    }
}

type Streams = BTreeMap<(String, bool), Vec<Vec<u8>>>;

/// Runs `steps` through a buffer; returns what came out per node and
/// stream, the exit codes, and the messages.
fn run(
    steps: &[Step],
    config: GroomingConfig,
) -> (Streams, BTreeMap<String, i64>, Vec<MessageKind>) {
    let start = Instant::now();
    let mut buffer = GroomingBuffer::new(9, config, start);
    let mut exited = BTreeMap::new();
    let mut now = start;
    let mut messages = Vec::new();
    for step in steps {
        match step {
            Step::Line {
                node: n,
                stderr,
                line: l,
            } => {
                if !exited.contains_key(&node(*n)) {
                    if *stderr {
                        buffer.stderr(&node(*n), &line(*l));
                    } else {
                        buffer.stdout(&node(*n), &line(*l));
                    }
                }
            }
            Step::Exit { node: n, code } => {
                if exited.insert(node(*n), ()).is_none() {
                    buffer.retcode(&node(*n), i64::from(*code));
                }
            }
            Step::Tick => {
                now = buffer
                    .poll_timeout()
                    .unwrap_or(now + Duration::from_secs(1));
                buffer.handle_timeout(now);
            }
        }
        messages.extend(std::iter::from_fn(|| buffer.poll_message()));
    }
    buffer.finish(&NodeSet::new());
    messages.extend(std::iter::from_fn(|| buffer.poll_message()));
    let mut streams = Streams::new();
    let mut codes = BTreeMap::new();
    for message in &messages {
        match message {
            MessageKind::StdOut(out) | MessageKind::StdErr(out) => {
                let stderr = matches!(message, MessageKind::StdErr(_));
                let data = out.data().expect("payload");
                for name in out.nodes.iter() {
                    let lines_of = streams.entry((name.to_string(), stderr)).or_default();
                    lines_of.extend(lines(&data).map(<[u8]>::to_vec));
                }
            }
            MessageKind::Retcode { nodes, retcode, .. } => {
                for name in nodes.iter() {
                    assert!(
                        codes.insert(name.to_string(), *retcode).is_none(),
                        "two RET"
                    );
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    (streams, codes, messages)
}

/// What went in, per node and stream, and the exit codes.
fn expected(steps: &[Step]) -> (Streams, BTreeMap<String, i64>) {
    let mut streams = Streams::new();
    let mut codes = BTreeMap::new();
    for step in steps {
        match step {
            Step::Line {
                node: n,
                stderr,
                line: l,
            } if !codes.contains_key(&node(*n)) => {
                streams
                    .entry((node(*n), *stderr))
                    .or_default()
                    .push(line(*l));
            }
            Step::Exit { node: n, code } => {
                codes.entry(node(*n)).or_insert(i64::from(*code));
            }
            _ => {}
        }
    }
    (streams, codes)
}

fn grooming() -> GroomingConfig {
    GroomingConfig::from_delay_secs(Some(0.25))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every line of every node, in order, once; every exit code once.
    #[test]
    fn nothing_lost_duplicated_or_reordered(steps in proptest::collection::vec(step(), 0..80)) {
        for config in [grooming(), GroomingConfig::from_delay_secs(None)] {
            let (streams, codes, _) = run(&steps, config);
            prop_assert_eq!((streams, codes), expected(&steps));
        }
    }

    /// Small limits only make ticks come earlier and orders restart.
    #[test]
    fn memory_limits_lose_nothing(steps in proptest::collection::vec(step(), 0..80)) {
        let mut config = grooming();
        config.max_buffered = 16;
        config.max_retained = 8;
        let (streams, codes, _) = run(&steps, config);
        prop_assert_eq!((streams, codes), expected(&steps));
    }
}

/// A tick emits SER groups, then OUT groups, then RET: check the shape.
#[test]
fn a_tick_emits_stderr_then_stdout_then_retcodes() {
    let steps = [
        Step::Line {
            node: 1,
            stderr: false,
            line: 1,
        },
        Step::Line {
            node: 2,
            stderr: true,
            line: 1,
        },
        Step::Exit { node: 1, code: 0 },
        Step::Line {
            node: 3,
            stderr: false,
            line: 1,
        },
        Step::Exit { node: 3, code: 0 },
        Step::Exit { node: 2, code: 2 },
        Step::Tick,
    ];
    let (_, _, messages) = run(&steps, grooming());
    let kinds: Vec<&str> = messages.iter().map(|m| m.message_type().ident()).collect();
    assert_eq!(kinds, ["SER", "OUT", "RET", "RET"]);
    let MessageKind::StdOut(out) = &messages[1] else {
        unreachable!()
    };
    assert_eq!(out.nodes.to_string(), "n[1,3]");
}

const MSGTREE: &str = r#"
import json, sys
from ClusterShell.MsgTree import MsgTree
out = []
for scenario in json.loads(sys.stdin.read()):
    tree = MsgTree()
    ticks = []
    for tick in scenario:
        for node, line in tick:
            tree.add(node, line.encode())
        ticks.append([[sorted(keys), elem.message().decode()] for elem, keys in tree.walk()])
        tree.remove(lambda k: True)
    out.append(ticks)
print(json.dumps(out))
"#;

/// The order of OUT groups in each tick equals ClusterShell's `MsgTree`
/// walk, ticks after ticks (its line tree persists between them).
#[test]
fn groups_come_out_in_clustershell_msgtree_order() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let tick = proptest::collection::vec((0u8..6, 0u8..4), 0..14);
    let scenario = proptest::collection::vec(tick, 1..5);
    let scenarios: Vec<Vec<Vec<(u8, u8)>>> = (0..60)
        .map(|_| scenario.new_tree(&mut runner).expect("scenario").current())
        .collect();
    let input: Value = scenarios
        .iter()
        .map(|ticks| {
            ticks
                .iter()
                .map(|tick| {
                    let pairs = tick.iter().map(|(n, l)| {
                        json!([node(*n), String::from_utf8(line(*l)).expect("ASCII")])
                    });
                    Value::Array(pairs.collect())
                })
                .collect::<Vec<Value>>()
        })
        .collect();
    let out = Python::clustershell().run_ok(MSGTREE, &[], input.to_string().as_bytes());
    let theirs: Value = serde_json::from_slice(&out).expect("JSON");
    for (ticks, their_ticks) in scenarios.iter().zip(theirs.as_array().expect("list")) {
        let start = Instant::now();
        let mut buffer = GroomingBuffer::new(1, grooming(), start);
        let mut ours = Vec::new();
        for tick in ticks {
            for (n, l) in tick {
                buffer.stdout(&node(*n), &line(*l));
            }
            buffer.flush();
            let groups: Vec<Value> = std::iter::from_fn(|| buffer.poll_message())
                .map(|m| {
                    let MessageKind::StdOut(out) = m else {
                        unreachable!()
                    };
                    let mut names: Vec<String> = out.nodes.iter().map(|n| n.to_string()).collect();
                    names.sort();
                    let data = out.data().expect("payload");
                    json!([names, String::from_utf8(data.to_vec()).expect("ASCII")])
                })
                .collect();
            ours.push(Value::Array(groups));
        }
        assert_eq!(&Value::Array(ours), their_ticks, "{ticks:?}");
    }
}
