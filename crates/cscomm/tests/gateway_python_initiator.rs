//! `cscomm-gateway` driven by ClusterShell 1.10.1's own tree-mode initiator
//! (Task, TreeWorker, PropagationChannel): every scenario runs once with
//! ClusterShell's Python gateway and once with ours, and the initiator must
//! receive the same thing, node by node.

use std::thread;

use cscomm_testkit::python::Python;
use serde_json::{Value, json};

const INITIATOR: &str = cscomm_testkit::python::TREE_INITIATOR;

/// What ClusterShell's initiator received through `gateway` (an executable
/// standing for the Python interpreter of the gateway command).
fn received(gateway: &str, scenario: &Value) -> Value {
    let python = Python::clustershell();
    let out = python.run_ok(INITIATOR, &[gateway, &scenario.to_string()], b"");
    serde_json::from_slice(&out).expect("initiator JSON")
}

/// Runs `scenario` through both gateways (at the same time) and checks that
/// the initiator saw the same per-node results; returns them.
fn same_through_both(scenario: Value) -> Value {
    let python_exe = Python::clustershell()
        .exe()
        .to_str()
        .expect("UTF-8 path")
        .to_owned();
    let theirs = {
        let scenario = scenario.clone();
        thread::spawn(move || received(&python_exe, &scenario))
    };
    let ours = received(env!("CARGO_BIN_EXE_cscomm-gateway"), &scenario);
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

#[test]
fn outputs_exit_codes_and_timeouts_with_grooming() {
    let result = same_through_both(json!({
        "nodes": "node[1-5]",
        "command": "echo out %h; echo err %h >&2; case %h in node2) exit 2;; node4) sleep 5;; esac",
        "timeout": 2,
        "grooming_delay": 0.25,
    }));
    assert_eq!(result["node2"]["rc"], 2);
    assert_eq!(result["node1"]["rc"], 0);
    assert_eq!(result["node4"]["timeout"], true);
    assert_eq!(lines(&result["node3"], "stdout"), [b"out node3".to_vec()]);
    assert_eq!(lines(&result["node3"], "stderr"), [b"err node3".to_vec()]);
}

#[test]
fn one_message_per_line_without_grooming() {
    let result = same_through_both(json!({
        "nodes": "n[1-20]",
        "command": "for i in 1 2 3; do echo %h line $i; done; exit 7",
        "grooming_delay": 0,
    }));
    assert_eq!(result.as_object().map(|o| o.len()), Some(20));
    let expected: Vec<Vec<u8>> = (1..=3)
        .map(|i| format!("n7 line {i}").into_bytes())
        .collect();
    assert_eq!(lines(&result["n7"], "stdout"), expected);
    assert_eq!(result["n20"]["rc"], 7);
}

#[test]
fn a_last_tick_larger_than_a_write_batch_arrives_whole() {
    // The run ends long before the first tick: its whole output (8 nodes x
    // 3000 lines, about 400 KiB encoded) goes in the last tick, which our
    // gateway encodes and writes a batch at a time after the run is over.
    let result = same_through_both(json!({
        "nodes": "n[1-8]",
        "command": "seq -f '%h line %%g' 3000",
        "grooming_delay": 30,
        "deadline": 20,
    }));
    for n in 1..=8 {
        let node = &result[format!("n{n}")];
        let expected: Vec<Vec<u8>> = (1..=3000)
            .map(|i| format!("n{n} line {i}").into_bytes())
            .collect();
        assert_eq!(lines(node, "stdout"), expected, "n{n}");
        assert_eq!(node["rc"], 0);
    }
}

#[test]
fn a_command_that_cannot_start_fails_every_target_with_its_reason() {
    // ClusterShell's gateway answers ERR here and its initiator raises
    // TopologyError (a deliberate difference, docs/PROTOCOL-NOTES.md): ours
    // reports the reason per target, so only our gateway is run.
    let scenario = json!({"nodes": "n[1-3]", "command": "echo %h %g", "deadline": 20});
    let result = received(env!("CARGO_BIN_EXE_cscomm-gateway"), &scenario);
    for n in 1..=3 {
        let node = &result[format!("n{n}")];
        assert_eq!(node["rc"], 255, "n{n}");
        assert!(lines(node, "stdout").is_empty());
        let stderr = lines(node, "stderr").concat();
        let stderr = String::from_utf8_lossy(&stderr);
        assert!(stderr.contains("invalid pattern \"%g\""), "n{n}: {stderr}");
    }
}

#[test]
fn standard_input_reaches_every_target() {
    let result = same_through_both(json!({
        "nodes": "node[1-3]",
        "command": "cat; echo done",
        "stdin": "first\nsecond\n",
    }));
    let expected = [b"first".to_vec(), b"second".to_vec(), b"done".to_vec()];
    assert_eq!(lines(&result["node2"], "stdout"), expected);
}

#[test]
fn binary_and_long_lines_and_merged_stderr() {
    let result = same_through_both(json!({
        "nodes": "b[1-2]",
        "command": "printf '\\377\\376 bin\\n'; echo to-stderr >&2; head -c 300000 /dev/zero | tr '\\0' x; echo; printf 'no newline'",
        "stderr": false,
    }));
    let got = lines(&result["b1"], "stdout");
    assert_eq!(got[0], b"\xff\xfe bin");
    assert!(got.contains(&b"to-stderr".to_vec()), "merged stderr");
    assert!(got.contains(&vec![b'x'; 300_000]));
    assert_eq!(got.last().map(Vec::as_slice), Some(&b"no newline"[..]));
}

#[test]
fn two_levels_with_a_gateway_down_are_routed_again() {
    let result = same_through_both(json!({
        "nodes": "node[1-6]",
        "routes": ["gw1: gw[2-3]", "gw[2-3]: node[1-6]"],
        "down": ["gw2"],
        "command": "echo %h; exit 4",
    }));
    for node in 1..=6 {
        let name = format!("node{node}");
        assert_eq!(result[&name]["rc"], 4, "{name}");
        assert_eq!(lines(&result[&name], "stdout"), [name.into_bytes()]);
    }
    let refused = lines(&result["gw2"], "stderr");
    assert!(String::from_utf8_lossy(&refused[0]).contains("Connection refused"));
}

/// Mixed trees: ClusterShell gateways and ours at different levels give
/// what an all-ClusterShell tree gives.
#[test]
fn mixed_trees_behave_as_clustershell_trees() {
    let scenario = |python_gateways: &[&str]| {
        json!({
            "nodes": "node[1-4],n[1-2]",
            "routes": ["gw1: gw[2-3],n[1-2]", "gw[2-3]: node[1-4]"],
            "python_gateways": python_gateways,
            "command": "echo %h; echo e >&2; exit 1",
            "grooming_delay": 0,
        })
    };
    let python_exe = Python::clustershell()
        .exe()
        .to_str()
        .expect("UTF-8 path")
        .to_owned();
    let ours = env!("CARGO_BIN_EXE_cscomm-gateway");
    let reference = received(&python_exe, &scenario(&[]));
    assert_eq!(reference.as_object().map(|o| o.len()), Some(6));
    // Our gateway on top, ClusterShell's below it; and the reverse.
    assert_eq!(received(ours, &scenario(&["gw3"])), reference);
    assert_eq!(received(ours, &scenario(&["gw1"])), reference);
}

/// The initiator routes the targets of a dead gateway to a live one that
/// already runs the same worker: a second `CTL shell` with the same srcid.
#[test]
fn a_second_request_of_the_same_worker_runs_too() {
    let result = same_through_both(json!({
        "nodes": "node[1-6]",
        "routes": ["gw[1-2]: node[1-6]"],
        "down": ["gw1"],
        "command": "echo %h",
    }));
    for node in 1..=6 {
        assert_eq!(result[&format!("node{node}")]["rc"], 0);
    }
}
