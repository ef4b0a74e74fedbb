//! Runs the node set corpus through the `nodeset` crate and prints, as JSON,
//! the same fields as `tests/python/nodeset_oracle.py`, for `compare.py`.

use nodeset::NodeSet;
use serde_json::{json, Value};

const FULL_LIST_MAX: usize = 2000;
const EDGE: usize = 500;

fn describe(result: Result<NodeSet, String>, probes: &[String]) -> Value {
    match result {
        Ok(ns) => {
            let nodes: Vec<String> = ns.iter().collect();
            let len = nodes.len();
            let listed = if len <= FULL_LIST_MAX {
                nodes.clone()
            } else {
                [&nodes[..EDGE], &nodes[len - EDGE..]].concat()
            };
            // The crate has no membership test: intersect with the probe.
            let contains: Vec<bool> = probes
                .iter()
                .map(|p| match p.parse::<NodeSet>() {
                    Ok(probe) => probe.len() > 0 && ns.intersection(&probe).len() == probe.len(),
                    Err(_) => false,
                })
                .collect();
            json!({"ok": true, "fold": ns.to_string(), "len": ns.len(),
                   "nodes": listed, "contains": contains})
        }
        Err(e) => json!({"ok": false, "error": e}),
    }
}

fn main() {
    let req: Value = serde_json::from_reader(std::io::stdin()).expect("request");
    let probes: Vec<String> = serde_json::from_value(req["probes"].clone()).expect("probes");
    let parse = |s: &str| s.parse::<NodeSet>().map_err(|e| e.to_string());
    let mut out_parse = Vec::new();
    for text in req["parse"].as_array().expect("parse list") {
        let text = text.as_str().expect("string");
        // The crate may panic on some inputs: record it as a failure.
        let res = std::panic::catch_unwind(|| describe(parse(text), &probes))
            .unwrap_or_else(|_| json!({"ok": false, "error": "PANIC"}));
        out_parse.push(res);
    }
    let mut out_ops = Vec::new();
    for pair in req["ops"].as_array().expect("ops list") {
        let (a, b) = (pair[0].as_str().expect("a"), pair[1].as_str().expect("b"));
        let res = std::panic::catch_unwind(|| {
            let (x, y) = match (parse(a), parse(b)) {
                (Ok(x), Ok(y)) => (x, y),
                (Err(e), _) | (_, Err(e)) => return json!({"error": e}),
            };
            json!({
                "union": describe(Ok(x.union(&y)), &[]),
                "difference": describe(Ok(x.difference(&y)), &[]),
                "intersection": describe(Ok(x.intersection(&y)), &[]),
                "symmetric_difference": describe(Ok(x.symmetric_difference(&y)), &[]),
            })
        })
        .unwrap_or_else(|_| json!({"error": "PANIC"}));
        out_ops.push(res);
    }
    println!("{}", json!({"parse": out_parse, "ops": out_ops}));
}
