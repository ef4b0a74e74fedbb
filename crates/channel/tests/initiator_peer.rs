//! `InitiatorChannel` driving ClusterShell's own gateway
//! (`python -m ClusterShell.Gateway -Bu`, 1.10.1 and 1.9.3) over pipes,
//! with `remote` false so that the gateway runs each command locally once
//! per target. What our initiator receives, node by node, must equal what
//! ClusterShell's own initiator receives from the same gateway for the
//! same scenario.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;

use bytes::Bytes;
use cscomm_channel::{InitiatorChannel, InitiatorConfig, InitiatorEvent, lines};
use cscomm_message::{NodeSet, Number, PickledTopology, ShellRequest, Value as Py};
use cscomm_testkit::python::{Peer, Python};
use serde_json::{Value, json};

const INITIATOR: &str = cscomm_testkit::python::TREE_INITIATOR;
const SRCID: u64 = 140_000_000_000_001;

enum Input {
    Out(Vec<u8>),
    OutEof,
    Err(Vec<u8>),
}

#[derive(Default)]
struct NodeResult {
    stdout: Vec<String>,
    stderr: Vec<String>,
    rc: Option<i64>,
    timeout: bool,
}

fn b64(line: &[u8]) -> String {
    let mut out = bytes::BytesMut::new();
    let unwrapped = std::num::NonZeroUsize::MAX;
    cscomm_message::base64::encode_wrapped(line, unwrapped, &mut out);
    String::from_utf8(out.to_vec()).expect("base64 is ASCII")
}

fn request(scenario: &Value) -> ShellRequest {
    let mut request = ShellRequest::new(scenario["command"].as_str().expect("command"));
    request.remote = false;
    request.stderr = scenario
        .get("stderr")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    request.timeout = scenario["timeout"].as_f64().map(Number::Float);
    let delay = scenario
        .get("grooming_delay")
        .and_then(Value::as_f64)
        .unwrap_or(0.25);
    request.taskinfo.set("grooming_delay", Py::Float(delay));
    request.taskinfo.set("fanout", Py::Int(64));
    request
}

/// What our initiator received from ClusterShell's gateway of `peer`.
fn ours(peer: Peer, scenario: &Value) -> Value {
    let nodes: NodeSet = scenario["nodes"]
        .as_str()
        .expect("nodes")
        .parse()
        .expect("node set");
    let mut topology = PickledTopology::new("admin".parse().expect("node set"));
    let gw = topology.add_group(0, "gw1".parse().expect("node set"));
    topology.add_group(gw, nodes.clone());
    let mut ch = InitiatorChannel::new(InitiatorConfig::new("gw1", topology));
    ch.shell(SRCID, &nodes, &request(scenario)).expect("shell");
    if let Some(stdin) = scenario["stdin"].as_str() {
        ch.write(SRCID, &nodes, Bytes::from(stdin.as_bytes().to_vec()))
            .expect("write");
    }
    ch.eof(SRCID, &nodes).expect("eof");

    let mut child = Python::peer(peer)
        .command()
        .args(["-m", "ClusterShell.Gateway", "-Bu"])
        .env("CLUSTERSHELL_GW_LOG_DIR", env!("CARGO_TARGET_TMPDIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ClusterShell's gateway");
    let (tx, rx) = mpsc::channel();
    let mut out = child.stdout.take().expect("stdout");
    let out_tx = tx.clone();
    thread::spawn(move || {
        let mut buf = vec![0; 4096];
        while let Ok(n @ 1..) = out.read(&mut buf) {
            let _ = out_tx.send(Input::Out(buf[..n].to_vec()));
        }
        let _ = out_tx.send(Input::OutEof);
    });
    let err = BufReader::new(child.stderr.take().expect("stderr"));
    thread::spawn(move || {
        for line in err.split(b'\n').map_while(Result::ok) {
            let _ = tx.send(Input::Err(line));
        }
    });
    let mut stdin = Some(child.stdin.take().expect("stdin"));

    let mut results: BTreeMap<String, NodeResult> = BTreeMap::new();
    let mut events = Vec::new();
    loop {
        if let (Some(bytes), Some(pipe)) = (ch.poll_transmit(), stdin.as_mut()) {
            pipe.write_all(&bytes).expect("write to the gateway");
        }
        while let Some(event) = ch.poll_event() {
            record(&mut results, &event);
            events.push(event);
        }
        if ch.pending().next().is_none() && ch.is_setup() {
            // Every target is done: close as ClusterShell does.
            ch.close();
            if let (Some(bytes), Some(pipe)) = (ch.poll_transmit(), stdin.as_mut()) {
                let _ = pipe.write_all(&bytes);
            }
            stdin = None;
        }
        match rx.recv().expect("gateway pipes") {
            Input::Out(bytes) => ch.feed(&bytes),
            Input::OutEof => break,
            Input::Err(line) => ch.feed_stderr_line(&line),
        }
    }
    ch.feed_eof();
    drop(stdin);
    let status = child.wait().expect("gateway exit");
    ch.process_exited(status.code());
    events.extend(std::iter::from_fn(|| ch.poll_event()));
    assert!(
        !events.iter().any(|e| matches!(
            e,
            InitiatorEvent::Aborted { .. }
                | InitiatorEvent::Unreachable { .. }
                | InitiatorEvent::GatewayError { .. }
        )),
        "{events:?}"
    );
    if scenario["stdin"].is_string() {
        let written = events
            .iter()
            .filter(|e| matches!(e, InitiatorEvent::Written { .. }));
        assert_eq!(written.count(), 1, "one Written for the write");
    }
    let map = results
        .into_iter()
        .map(|(node, r)| {
            let v =
                json!({"stdout": r.stdout, "stderr": r.stderr, "rc": r.rc, "timeout": r.timeout});
            (node, v)
        })
        .collect();
    Value::Object(map)
}

fn record(results: &mut BTreeMap<String, NodeResult>, event: &InitiatorEvent) {
    match event {
        InitiatorEvent::StdOut { nodes, data, .. } | InitiatorEvent::StdErr { nodes, data, .. } => {
            let stderr = matches!(event, InitiatorEvent::StdErr { .. });
            for line in lines(data) {
                for node in nodes.iter() {
                    let r = results.entry(node.to_string()).or_default();
                    let stream = if stderr { &mut r.stderr } else { &mut r.stdout };
                    stream.push(b64(line));
                }
            }
        }
        InitiatorEvent::Exit { nodes, code, .. } => {
            for node in nodes.iter() {
                results.entry(node.to_string()).or_default().rc = Some(*code);
            }
        }
        InitiatorEvent::Timeout { nodes, .. } => {
            for node in nodes.iter() {
                results.entry(node.to_string()).or_default().timeout = true;
            }
        }
        _ => {}
    }
}

/// What ClusterShell's own initiator received from its gateway.
fn theirs(peer: Peer, scenario: &Value) -> Value {
    let python = Python::peer(peer);
    let exe = python.exe().to_str().expect("UTF-8 path").to_owned();
    let out = python.run_ok(INITIATOR, &[&exe, &scenario.to_string()], b"");
    serde_json::from_slice(&out).expect("initiator JSON")
}

fn same_as_clustershell(peer: Peer, scenario: Value) -> Value {
    let reference = {
        let scenario = scenario.clone();
        thread::spawn(move || theirs(peer, &scenario))
    };
    let got = ours(peer, &scenario);
    assert_eq!(got, reference.join().expect("reference run"), "{scenario}");
    got
}

#[test]
fn outputs_exit_codes_and_timeouts_with_grooming() {
    let result = same_as_clustershell(
        Peer::V1_10,
        json!({
            "nodes": "node[1-5]",
            "command": "echo out %h; echo err %h >&2; echo same; case %h in node2) exit 2;; node4) sleep 5;; esac",
            "timeout": 2,
            "grooming_delay": 0.25,
        }),
    );
    assert_eq!(result["node4"]["timeout"], true);
    assert_eq!(result["node2"]["rc"], 2);
    assert_eq!(
        result["node5"]["stdout"],
        json!([b64(b"out node5"), b64(b"same")])
    );
}

#[test]
fn one_message_per_line_without_grooming_and_stdin() {
    let result = same_as_clustershell(
        Peer::V1_10,
        json!({
            "nodes": "n[1-12]",
            "command": "cat; for i in 1 2 3; do echo %h line $i; done; printf 'cr\\rlf\\n\\n'; exit 7",
            "stdin": "first\nsecond\n",
            "grooming_delay": 0,
        }),
    );
    assert_eq!(result.as_object().map(|o| o.len()), Some(12));
    assert_eq!(result["n12"]["rc"], 7);
    assert_eq!(result["n3"]["stdout"][0], json!(b64(b"first")));
}

#[test]
fn clustershell_1_9_gateway() {
    let result = same_as_clustershell(
        Peer::V1_9,
        json!({
            "nodes": "node[1-4]",
            "command": "echo %h; echo e >&2; cat; exit 3",
            "stdin": "in\n",
            "grooming_delay": 0.25,
        }),
    );
    assert_eq!(result["node4"]["rc"], 3);
}

/// A gateway whose ssh fails before setup (a stand-in process that says
/// what ssh says and exits 255) is reported unreachable, its stderr shown,
/// and its targets handed back for another route.
#[test]
fn a_gateway_that_dies_before_setup_is_unreachable() {
    let nodes: NodeSet = "n[1-3]".parse().expect("node set");
    let topology = PickledTopology::new("admin".parse().expect("node set"));
    let mut ch = InitiatorChannel::new(InitiatorConfig::new("gw1", topology));
    ch.shell(1, &nodes, &ShellRequest::new("true"))
        .expect("shell");
    let output = Command::new("sh")
        .args([
            "-c",
            "echo 'ssh: connect to host gw1 port 22: Connection refused' >&2; exit 255",
        ])
        .output()
        .expect("run");
    for line in output
        .stderr
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
    {
        ch.feed_stderr_line(line);
    }
    ch.feed_eof();
    ch.process_exited(output.status.code());
    let events: Vec<_> = std::iter::from_fn(|| ch.poll_event()).collect();
    assert!(
        matches!(&events[0], InitiatorEvent::GatewayStderr { data, .. } if data.starts_with(b"ssh: connect"))
    );
    assert!(events.contains(&InitiatorEvent::Unreachable {
        code: Some(255),
        relaunch: vec![(1, nodes)],
    }));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, InitiatorEvent::Aborted { .. }))
    );
}
