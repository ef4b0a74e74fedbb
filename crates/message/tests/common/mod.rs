//! Shared by the integration tests: test messages, the tagged JSON of
//! values (as `tests/peer/messages.py` maps Python objects), the peer.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)] // each test uses part of it; tests fail loudly

use bytes::Bytes;
use cscomm_message::{
    Control, ControlAction, Message, MessageKind, Number, Payload, ShellRequest, TaskInfo, Value,
};
use cscomm_pickle::SharedIndex;
use cscomm_testkit::python::Python;
use serde_json::{Value as Json, json};

pub const SCRIPT: &str = include_str!("../peer/messages.py");

/// Runs the peer script in `mode` and checks the peer's version.
pub fn run_peer(python: &Python, mode: &str, input: &[u8]) -> Json {
    let out = python.run_ok(SCRIPT, &[mode], input);
    let out: Json = serde_json::from_slice(&out).expect("JSON from the peer script");
    assert_eq!(out["version"], python.release().version());
    out
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The tagged JSON of a value (references resolved).
pub fn value_json(value: &Value) -> Json {
    let index = SharedIndex::new(value);
    to_json(&index, value)
}

fn to_json(index: &SharedIndex<'_>, value: &Value) -> Json {
    let value = index.resolve(value);
    let items = |items: &[Value]| items.iter().map(|v| to_json(index, v)).collect::<Vec<_>>();
    match value {
        Value::None => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!({"int": i.to_string()}),
        Value::BigInt(i) => json!({"int": i.to_string()}),
        Value::Float(f) => json!({"float": f}),
        Value::Str(s) => json!({"str": s}),
        Value::Bytes(b) | Value::ByteArray(b) => json!({"bytes": hex(b)}),
        Value::List(v) => json!({"list": items(v)}),
        Value::Tuple(v) => json!({"tuple": items(v)}),
        Value::Dict(pairs) => json!({"dict": pairs
            .iter()
            .map(|(k, v)| json!([to_json(index, k), to_json(index, v)]))
            .collect::<Vec<_>>()}),
        Value::Set(v) | Value::FrozenSet(v) => {
            let mut v = items(v);
            v.sort_by_key(|i| i.to_string());
            json!({ "set": v })
        }
        other => instance_json(other),
    }
}

fn instance_json(value: &Value) -> Json {
    if let Ok(nodes) = cscomm_message::nodeset_from_value(value) {
        return json!({ "nodeset": nodes.to_string() });
    }
    if let Ok(tree) = cscomm_message::PickledTopology::from_value(value) {
        return json!({ "topology": tree.to_string() });
    }
    panic!("no JSON mapping for {value:?}")
}

/// The payload's value, for comparisons (decoded if encoded).
pub fn payload_value(payload: &Payload) -> Option<Value> {
    match payload {
        Payload::None => None,
        Payload::Encoded(text) if text.is_empty() => None,
        other => Some(other.decode_value().unwrap()),
    }
}

/// The message with its payload decoded into a value.
pub fn decoded(message: &Message) -> Message {
    let mut message = message.clone();
    let slot = match &mut message.kind {
        MessageKind::Config { payload, .. } => payload,
        MessageKind::Control(ctl) => &mut ctl.payload,
        MessageKind::StdOut(out) | MessageKind::StdErr(out) => &mut out.payload,
        _ => return message,
    };
    *slot = payload_value(slot).map_or(Payload::None, Payload::value);
    message
}

pub fn nodes(text: &str) -> cscomm_message::NodeSet {
    text.parse().unwrap()
}

/// A task info as clush 1.10.1 sends it, with extra keys.
pub fn clush_taskinfo() -> TaskInfo {
    let mut info = TaskInfo::default();
    info.set("debug", Value::Bool(false));
    info.set("fanout", Value::Int(64));
    info.set("grooming_delay", Value::Float(0.25));
    info.set("connect_timeout", Value::Int(10));
    info.set("command_timeout", Value::Int(0));
    info.set(
        "ssh_options",
        Value::from("-oStrictHostKeyChecking=no -p 2222"),
    );
    info.set("ssh_user", Value::from("root"));
    info.set("tree_default:stderr", Value::Bool(true));
    info.set(
        "custom_key",
        Value::List(vec![Value::Int(1), Value::from("two")]),
    );
    info
}

/// Every message type with a spread of attribute values and payloads.
pub fn cases() -> Vec<Message> {
    let srcid = 140_470_179_345_936;
    let binary: Vec<u8> = (0..=255).collect();
    let mut shell = ShellRequest::new("echo héllo ☃ $HOSTNAME; exit 3");
    shell.invoke_gateway = "python3 -m ClusterShell.Gateway -Bu".into();
    shell.taskinfo = clush_taskinfo();
    shell.stderr = true;
    let mut local = ShellRequest::new("hostname %h");
    local.invoke_gateway = "gw-python -m ClusterShell.Gateway -Bu".into();
    local.timeout = Some(Number::Float(5.5));
    local.remote = false;
    let mut minus_one = ShellRequest::new("uptime");
    minus_one.invoke_gateway = "python -m ClusterShell.Gateway -Bu".into();
    minus_one.timeout = Some(Number::Int(-1));
    let kinds = vec![
        MessageKind::Config {
            gateway: "gw1".into(),
            payload: Payload::value(Value::str_dict([("any", Value::Int(1))])),
        },
        MessageKind::Config {
            gateway: String::new(),
            payload: Payload::value(Value::None),
        },
        MessageKind::Control(Control::shell(srcid, &nodes("node[1-3]"), &shell)),
        MessageKind::Control(Control::shell(1, &nodes("r[1-2]n[01-03]"), &local)),
        MessageKind::Control(Control::shell(2, &nodes("node[001-010,12]"), &minus_one)),
        MessageKind::Control(Control::write(
            srcid,
            &nodes("node[1-3]"),
            Bytes::from(binary.clone()),
        )),
        MessageKind::Control(Control::write(srcid, &nodes("node1"), Bytes::new())),
        MessageKind::Control(Control {
            srcid,
            action: ControlAction::Eof,
            target: "{'node3', 'node1', 'node2'}".into(),
            payload: Payload::None,
        }),
        MessageKind::Control(Control::eof(u64::MAX, &nodes("login,node[1-2]"))),
        MessageKind::Control(Control {
            srcid: 0,
            action: ControlAction::Other("frobnicate".into()),
            target: "x".into(),
            payload: Payload::None,
        }),
        MessageKind::Ack { ack: 0 },
        MessageKind::Ack { ack: u64::MAX },
        MessageKind::Error {
            reason: "bad \"x\" <y> & 'z'\n\ttab\r".into(),
        },
        MessageKind::Error {
            reason: "only \"dq\" é ☃".into(),
        },
        MessageKind::Error {
            reason: String::new(),
        },
        MessageKind::stdout(srcid, nodes("node[1-3]"), &b"hello from node3"[..]),
        MessageKind::stdout(srcid, nodes("node3"), Bytes::new()),
        MessageKind::stdout(
            srcid,
            nodes("node3"),
            "héllo ☃ \u{1F600}".as_bytes().to_vec(),
        ),
        MessageKind::stdout(srcid, nodes("r[1-2]n[01-03]"), binary.clone()),
        MessageKind::stdout(7, nodes("node[1-3]"), vec![b'x'; 300]),
        MessageKind::stdout(7, nodes("node[1-3]"), vec![b'y'; 70_000]),
        MessageKind::stderr(
            0,
            nodes("gw1"),
            &b"ssh: connect to host gw1 port 22: Connection refused"[..],
        ),
        MessageKind::stderr(srcid, nodes("node[01-10]"), &b"err"[..]),
        MessageKind::Retcode {
            srcid,
            retcode: 3,
            nodes: nodes("node[1-3]"),
        },
        MessageKind::Retcode {
            srcid: 1,
            retcode: -1,
            nodes: nodes("a[1-2]b[3-4]"),
        },
        MessageKind::Timeout {
            srcid,
            nodes: nodes("node[1-2,5]"),
        },
        MessageKind::Routing {
            srcid,
            event: "reroute".into(),
            gateway: "gw2".into(),
            targets: nodes("node[4-6]"),
        },
    ];
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Message::new(i as u64 * 3 + 1, kind))
        .collect()
}
