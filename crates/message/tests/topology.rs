//! Topologies against ClusterShell 1.10.1: trees ClusterShell builds from
//! `topology.conf` and pickles decode to the same tree (same `str()`), and
//! the trees we pickle load in Python into working objects: same `str()`,
//! `PropagationTreeRouter` routes every node as with ClusterShell's own
//! tree, node sets iterate and fold, parent/child links are shared.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use bytes::Bytes;
use common::run_peer;
use cscomm_message::{
    Event, Message, MessageKind, Payload, PayloadCodec, PickledTopology, decode_stream,
};
use cscomm_testkit::python::Python;
use serde_json::{Value as Json, json};

const CONFIGS: [(&str, &str); 4] = [
    ("admin", "[routes]\nadmin: gw1\ngw1: node[1-3]\n"),
    ("admin", "[routes]\nadmin: gw[1-2]\ngw[1-2]: node[1-20]\n"),
    (
        "admin",
        "[routes]\nadmin: gw[1-2],gwb\ngw[1-2]: sub[1-4]\nsub[1-4]: n[001-100]\ngwb: r[1-2]n[01-16],login\n",
    ),
    (
        "mgmt1",
        "[routes]\nmgmt1: top[1-3]\ntop[1-3]: mid[1-6]\nmid[1-6]: low[01-40]\nlow[01-04]: rack[1-2]u[1-42]p[0-1]\n",
    ),
];

/// Checks what ClusterShell saw in a tree against our tree.
fn check_described(ours: &PickledTopology, seen: &Json) {
    assert_eq!(seen["text"], ours.to_string());
    for group in seen["groups"].as_array().unwrap() {
        let text = group["nodeset"].as_str().unwrap();
        let mine = ours
            .groups
            .iter()
            .find(|g| g.nodes.to_string() == text)
            .unwrap_or_else(|| panic!("group {text} in our tree"));
        assert_eq!(group["len"], mine.nodes.len());
        let nodes: Vec<String> = mine.nodes.iter().collect();
        assert_eq!(group["nodes"], json!(nodes));
    }
}

#[test]
fn topologies_both_ways_with_clustershell_routing() {
    let python = Python::clustershell();
    let configs: Vec<_> = CONFIGS
        .iter()
        .map(|(root, conf)| json!({"root": root, "conf": conf}))
        .collect();
    let theirs = run_peer(
        &python,
        "topology",
        json!({"configs": configs, "ours": []})
            .to_string()
            .as_bytes(),
    );
    let codec = PayloadCodec::default();
    let mut ours_spec = Vec::new();
    let mut trees = Vec::new();
    for ((root, _), their) in CONFIGS.iter().zip(theirs["configs"].as_array().unwrap()) {
        // ClusterShell's pickle reads into the tree ClusterShell prints.
        let payload = Payload::Encoded(Bytes::from(their["b64"].as_str().unwrap().to_owned()));
        let tree = PickledTopology::from_value(&payload.decode_value().unwrap()).unwrap();
        check_described(&tree, their);
        // Our pickle, through a CFG message and back.
        let message = Message::new(0, MessageKind::config("gw1", &tree));
        let stream = [b"<channel>".as_slice(), &message.to_bytes(&codec).unwrap()].concat();
        let events = decode_stream(&stream).unwrap();
        let Event::Message(back) = &events[1] else {
            panic!("a message")
        };
        assert_eq!(back.kind.topology().unwrap().unwrap(), tree);
        let MessageKind::Config { payload, .. } = &back.kind else {
            panic!("CFG")
        };
        let text = std::str::from_utf8(payload_text(payload))
            .unwrap()
            .to_owned();
        ours_spec.push(json!({"root": root, "b64": text}));
        trees.push(tree);
    }
    let loaded = run_peer(
        &python,
        "topology",
        json!({"configs": [], "ours": ours_spec})
            .to_string()
            .as_bytes(),
    );
    let loaded = loaded["ours"].as_array().unwrap();
    for ((tree, their), seen) in trees
        .iter()
        .zip(theirs["configs"].as_array().unwrap())
        .zip(loaded)
    {
        check_described(tree, seen);
        assert_eq!(
            seen["routes"], their["routes"],
            "PropagationTreeRouter on our tree"
        );
        assert!(!seen["routes"].as_array().unwrap().is_empty());
        for group in seen["groups"].as_array().unwrap() {
            let children = &group["children_ns"];
            assert_eq!(children.is_null(), group["children_len"] == 0);
        }
    }
}

fn payload_text(payload: &Payload) -> &[u8] {
    match payload {
        Payload::Encoded(text) => text,
        other => panic!("not encoded: {other:?}"),
    }
}

#[test]
fn invalid_topologies_are_errors() {
    let not_a_tree = MessageKind::Config {
        gateway: "gw".into(),
        payload: Payload::value(cscomm_message::Value::Int(3)),
    };
    let err = not_a_tree.topology().unwrap().unwrap_err();
    assert_eq!(
        err.to_string(),
        "Message CFG has an invalid payload (expected a TopologyTree object, found int)"
    );
}
