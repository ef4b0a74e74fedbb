//! `GatewayChannel` and `GroomingBuffer` driven by ClusterShell's own
//! tree-mode initiator (Task, TreeWorker, PropagationChannel): every
//! scenario runs once with ClusterShell's Python gateway and once with a
//! thin driver around our machines (this very test binary, started by the
//! initiator through a stand-in for ssh), and the initiator must receive
//! the same thing, node by node.
//!
//! `harness = false`: started with ClusterShell's gateway arguments
//! (`-m ClusterShell.Gateway -Bu`), this binary is the gateway instead.

mod support;

use std::thread;

use cscomm_testkit::python::{Peer, Python};
use serde_json::{Value, json};

const INITIATOR: &str = cscomm_testkit::python::TREE_INITIATOR;

fn main() {
    if std::env::args().any(|a| a == "ClusterShell.Gateway") {
        support::gateway_driver::serve();
        return;
    }
    let tests: [(&str, fn()); 5] = [
        (
            "outputs_exit_codes_and_timeouts_with_grooming",
            with_grooming,
        ),
        ("one_message_per_line_without_grooming", without_grooming),
        ("standard_input_reaches_every_target", standard_input),
        ("binary_long_lines_and_merged_stderr", binary_and_merged),
        ("clustershell_1_9_initiator", initiator_1_9),
    ];
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    for (name, test) in tests {
        if filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str())) {
            eprintln!("test {name} ...");
            test();
            eprintln!("test {name} ... ok");
        }
    }
}

/// What ClusterShell's initiator (of `peer`) received through `gateway`
/// (an executable standing for the gateway's Python interpreter).
fn received(peer: Peer, gateway: &str, scenario: &Value) -> Value {
    let python = Python::peer(peer);
    let out = python.run_ok(INITIATOR, &[gateway, &scenario.to_string()], b"");
    serde_json::from_slice(&out).expect("initiator JSON")
}

/// Runs `scenario` through both gateways (at the same time) and checks that
/// the initiator saw the same per-node results; returns them.
fn same_through_both(peer: Peer, scenario: Value) -> Value {
    let python_exe = Python::peer(peer)
        .exe()
        .to_str()
        .expect("UTF-8 path")
        .to_owned();
    let theirs = {
        let scenario = scenario.clone();
        thread::spawn(move || received(peer, &python_exe, &scenario))
    };
    let me = std::env::current_exe().expect("test binary path");
    let ours = received(peer, me.to_str().expect("UTF-8 path"), &scenario);
    let theirs = theirs.join().expect("python gateway run");
    assert_eq!(ours, theirs, "scenario {scenario}");
    ours
}

/// The lines of `stream` ("stdout" or "stderr") of a node's result.
fn lines(node: &Value, stream: &str) -> Vec<Vec<u8>> {
    let decode = |line: &Value| {
        let mut out = Vec::new();
        let text = line.as_str().expect("base64 line");
        cscomm_message::base64::decode(text.as_bytes(), &mut out).expect("base64");
        out
    };
    node[stream]
        .as_array()
        .expect("lines")
        .iter()
        .map(decode)
        .collect()
}

fn with_grooming() {
    let result = same_through_both(
        Peer::V1_10,
        json!({
            "nodes": "node[1-5]",
            "command": "echo out %h; echo err %h >&2; echo same; case %h in node2) exit 2;; node4) sleep 5;; esac",
            "timeout": 2,
            "grooming_delay": 0.25,
        }),
    );
    assert_eq!(result.as_object().map(|o| o.len()), Some(5));
    assert_eq!(result["node2"]["rc"], 2);
    assert_eq!(result["node1"]["rc"], 0);
    assert_eq!(result["node4"]["timeout"], true);
    assert_eq!(result["node4"]["rc"], Value::Null);
    assert_eq!(
        lines(&result["node3"], "stdout"),
        [b"out node3".to_vec(), b"same".to_vec()]
    );
    assert_eq!(lines(&result["node3"], "stderr"), [b"err node3".to_vec()]);
}

fn without_grooming() {
    let result = same_through_both(
        Peer::V1_10,
        json!({
            "nodes": "n[1-20]",
            "command": "for i in 1 2 3; do echo %h line $i; done; exit 7",
            "grooming_delay": 0,
        }),
    );
    assert_eq!(result.as_object().map(|o| o.len()), Some(20));
    let expected: Vec<Vec<u8>> = (1..=3)
        .map(|i| format!("n7 line {i}").into_bytes())
        .collect();
    assert_eq!(lines(&result["n7"], "stdout"), expected);
    assert_eq!(result["n20"]["rc"], 7);
}

fn standard_input() {
    let result = same_through_both(
        Peer::V1_10,
        json!({
            "nodes": "node[1-3]",
            "command": "cat; echo done",
            "stdin": "first\nsecond\n",
        }),
    );
    let expected = [b"first".to_vec(), b"second".to_vec(), b"done".to_vec()];
    for node in ["node1", "node2", "node3"] {
        assert_eq!(lines(&result[node], "stdout"), expected, "{node}");
    }
}

fn binary_and_merged() {
    let result = same_through_both(
        Peer::V1_10,
        json!({
            "nodes": "b[1-2]",
            "command": "printf '\\377\\376 bin\\n'; echo to-stderr >&2; head -c 300000 /dev/zero | tr '\\0' x; echo; printf 'no newline'",
            "stderr": false,
        }),
    );
    let got = lines(&result["b1"], "stdout");
    assert_eq!(got[0], b"\xff\xfe bin");
    assert!(got.contains(&b"to-stderr".to_vec()), "merged stderr");
    assert!(got.contains(&vec![b'x'; 300_000]));
    assert_eq!(got.last().map(Vec::as_slice), Some(&b"no newline"[..]));
}

fn initiator_1_9() {
    let result = same_through_both(
        Peer::V1_9,
        json!({
            "nodes": "node[1-4]",
            "command": "echo %h; cat; exit 3",
            "stdin": "in\n",
            "grooming_delay": 0.25,
        }),
    );
    assert_eq!(result["node4"]["rc"], 3);
    assert_eq!(
        lines(&result["node4"], "stdout"),
        [b"node4".to_vec(), b"in".to_vec()]
    );
}
