//! Shared helpers of the conformance tests: the real ClusterShell peer as
//! an oracle, and JSON plumbing.

#![allow(dead_code, unreachable_pub)]

use cscomm_testkit::python::Python;
use cscomm_topology::{NodeSet, PatternView, RangesView};
use serde_json::{Value, json};

/// The node set oracle script (ClusterShell computes, we compare).
pub const NODESET_ORACLE: &str = include_str!("../python/nodeset_oracle.py");

/// Runs a Python `script` with `request` as JSON on stdin, returns its JSON.
pub fn oracle(script: &str, request: &Value) -> Value {
    let python = Python::clustershell();
    let out = python.run_ok(script, &[], request.to_string().as_bytes());
    serde_json::from_slice(&out).expect("the oracle prints JSON")
}

/// Reads one of the JSON data files of `tests/data`.
pub fn data(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The strings of a JSON array.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_owned())
        .collect()
}

const FULL_LIST_MAX: usize = 2000;
const EDGE: usize = 500;

/// The node list as the oracle reports it (whole, or both ends if long).
pub fn node_list(ns: &NodeSet) -> Vec<String> {
    let nodes: Vec<String> = ns.iter().collect();
    if nodes.len() <= FULL_LIST_MAX {
        return nodes;
    }
    [&nodes[..EDGE], &nodes[nodes.len() - EDGE..]].concat()
}

/// Our structured view in the oracle's JSON shape.
pub fn view_json(ns: &NodeSet) -> Value {
    let rs = |r: &cscomm_topology::RangeSetView| json!([r.folded, r.padding]);
    Value::Array(
        ns.to_view()
            .iter()
            .map(|PatternView { pattern, ranges }| match ranges {
                RangesView::None => json!([pattern, null]),
                RangesView::One(r) => json!([pattern, {"one": rs(r)}]),
                RangesView::Nd(nd) => {
                    let vecs: Vec<Value> = nd
                        .vectors
                        .iter()
                        .map(|v| Value::Array(v.iter().map(rs).collect()))
                        .collect();
                    json!([pattern, {"nd": vecs, "hint": nd.multivar_hint}])
                }
            })
            .collect(),
    )
}

/// Compares our node set with the oracle's description of the same one;
/// returns the differences.
pub fn compare(what: &str, ours: &NodeSet, theirs: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    if theirs["ok"] != json!(true) {
        return vec![format!(
            "{what}: ClusterShell failed ({}) but we did not",
            theirs["error"]
        )];
    }
    if ours.to_string() != theirs["fold"].as_str().expect("fold") {
        diffs.push(format!(
            "{what}: fold {:?} != {:?}",
            ours.to_string(),
            theirs["fold"]
        ));
    }
    if json!(ours.len()) != theirs["len"] {
        diffs.push(format!("{what}: len {} != {}", ours.len(), theirs["len"]));
    }
    if json!(node_list(ours)) != theirs["nodes"] {
        diffs.push(format!("{what}: node list differs"));
    }
    if without_hints(&view_json(ours)) != without_hints(&theirs["view"]) {
        diffs.push(format!(
            "{what}: view {} != {}",
            view_json(ours),
            theirs["view"]
        ));
    }
    diffs
}

/// `value` without the `hint` entries of n-D range sets: ClusterShell's
/// `_multivar_hint` only says whether to try a quick fold next time, and
/// depends on the order of internal operations, not on the set; either
/// value pickles into a valid, equal node set.
fn without_hints(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "hint")
                .map(|(k, v)| (k.clone(), without_hints(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_hints).collect()),
        other => other.clone(),
    }
}
