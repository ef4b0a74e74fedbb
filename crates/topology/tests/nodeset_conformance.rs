//! Node sets against ClusterShell 1.10.1: parsing, folding, order, length,
//! membership, the pickling view and set operations, on a corpus of inputs
//! (`tests/data/nodeset-*.json`), all answered by one Python run.

mod common;

use common::{NODESET_ORACLE, compare, data, oracle, strings};
use cscomm_topology::{Error, NodeSet};
use serde_json::{Value, json};

/// Error kinds of ClusterShell that are node set parse errors (others are
/// stray Python exceptions, where only failing matters).
const PARSE_ERRORS: [&str; 2] = ["NodeSetParseError", "NodeSetParseRangeError"];

fn check_parse(text: &str, theirs: &Value, probes: &[String], diffs: &mut Vec<String>) {
    let ours = NodeSet::parse_literal(text);
    match (ours, theirs["ok"].as_bool().expect("ok")) {
        (Ok(ns), true) => {
            diffs.extend(compare(&format!("{text:?}"), &ns, theirs));
            let contains: Vec<Value> = probes
                .iter()
                .map(|p| match NodeSet::parse_literal(p) {
                    Ok(_) => json!(ns.contains(p)),
                    Err(_) => Value::Null,
                })
                .collect();
            if Value::Array(contains) != theirs["contains"] {
                diffs.push(format!("{text:?}: membership differs"));
            }
        }
        (Ok(ns), false) => diffs.push(format!(
            "{text:?}: we accept ({ns}), ClusterShell: {}",
            theirs["error"]
        )),
        (Err(e), true) => diffs.push(format!(
            "{text:?}: we reject ({e}), ClusterShell: {}",
            theirs["fold"]
        )),
        (Err(Error::NodeSet { reason, .. }), false) => {
            let kind = theirs["kind"].as_str().expect("kind");
            if PARSE_ERRORS.contains(&kind) && theirs["error"] != json!(reason) {
                diffs.push(format!("{text:?}: error {reason:?} != {}", theirs["error"]));
            }
        }
        (Err(e), false) => diffs.push(format!("{text:?}: unexpected error kind {e:?}")),
    }
}

#[test]
fn corpus_matches_clustershell() {
    let corpus = strings(&data("nodeset-corpus.json"));
    let ops = data("nodeset-ops.json");
    let probes = strings(&data("nodeset-probes.json"));
    let answer = oracle(
        NODESET_ORACLE,
        &json!({"parse": corpus, "ops": ops, "probes": probes}),
    );

    let mut diffs = Vec::new();
    for (text, theirs) in corpus
        .iter()
        .zip(answer["parse"].as_array().expect("parse answers"))
    {
        check_parse(text, theirs, &probes, &mut diffs);
    }
    for (pair, theirs) in ops
        .as_array()
        .expect("pairs")
        .iter()
        .zip(answer["ops"].as_array().expect("answers"))
    {
        let (a, b) = (pair[0].as_str().expect("a"), pair[1].as_str().expect("b"));
        let x = NodeSet::parse_literal(a).expect("valid left operand");
        let y = NodeSet::parse_literal(b).expect("valid right operand");
        let results = [
            ("union", x.union(&y)),
            ("difference", x.difference(&y)),
            ("intersection", x.intersection(&y)),
            ("symmetric_difference", x.symmetric_difference(&y)),
        ];
        for (name, ours) in &results {
            diffs.extend(compare(
                &format!("{a:?} {name} {b:?}"),
                ours,
                &theirs[*name],
            ));
        }
        if json!(x.is_superset(&y)) != theirs["superset"] {
            diffs.push(format!("{a:?} superset {b:?} differs"));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences with ClusterShell:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn groups_and_wildcards_need_a_resolver() {
    for text in ["@grp", "a,@grp[1-2]", "node*", "n?", "n[1-2]&@x"] {
        let err = text.parse::<NodeSet>().expect_err(text);
        assert!(err.to_string().contains("not supported"), "{text}: {err}");
        assert!(NodeSet::parse_literal(text).is_ok(), "{text}");
    }
}
