//! Topology files, trees and routing against ClusterShell 1.10.1: the same
//! `topology.conf` texts go through ClusterShell's `TopologyParser`,
//! `str(TopologyTree)` and `PropagationTreeRouter` (one Python run) and
//! through ours, and must give the same trees, texts, errors and routes.

mod common;

use common::oracle;
use cscomm_testkit::python::workspace_root;
use cscomm_topology::{Error, NextHop, NodeSet, Router, TopologyGraph, TopologyTree};
use serde_json::{Value, json};

const TOPOLOGY_ORACLE: &str = include_str!("python/topology_oracle.py");

const DEEP: &str = "[routes]\nadmin: gw[1-4]\ngw[1-2]: sub[1-4]\ngw[3-4]: n[100-199]\n\
                    sub[1-2]: n[1-50]\nsub[3-4]: n[51-99]\n";

/// Valid files (with the root to build the tree from).
const TREES: &[(&str, &str)] = &[
    ("[routes]\nadmin: gw[1-2]\ngw[1-2]: node[1-4]\n", "admin"),
    (DEEP, "admin"),
    (DEEP, "gw1"),
    (DEEP, "sub3"),
    (DEEP, "n7"),
    ("[routes]\nadmin: gw[1-2]\ngw1: n[1-5]\n", "admin"),
    ("[routes]\na[1-2]: c\na1: d\n", "a1"),
    ("[routes]\na[1-2]: c\na1: d\n", "a2"),
    (
        "# comment\n; other\n[Main]\nadmin = gw1\ngw1 = n[1-3]\n",
        "admin",
    ),
    (
        "[routes]\nadmin: gw[1-2],\n  gw3\n\n    gw4\ngw[1-4]:\n n[1-9]\n",
        "admin",
    ),
    ("[DEFAULT]\nadmin: gw1\n[routes]\ngw1: n[1-2]\n", "admin"),
    ("[routes]\nadmin: gw1\ngw1:\ngw1x: n1\n", "admin"),
    (
        "[routes]\nadmin: r[1-2]gw[1-2]\nr[1-2]gw[1-2]: r[1-2]n[1-10]\n",
        "admin",
    ),
    (
        "[routes]\nadmin: gw[01-03]\ngw[01-03]: node[001-120]\n[other]\nx: y\n",
        "admin",
    ),
    (
        "[routes]\nadm.example.com: gw1.example.com\ngw1.example.com: n[1-2].example.com\n",
        "adm.example.com",
    ),
    ("[routes]\nadmin: gw1\nadmin2: gw2\ngw2: n1\n", "admin2"),
    ("[routes]\na: b\nx[1-2]: y\nb: x[1-3]\n", "a"),
];

/// Broken files, the root, and the error we give (ClusterShell's words for
/// the graph checks; it reports any syntax error as "Invalid configuration
/// file", we name the line).
const BROKEN: &[(&str, &str, &str)] = &[
    (
        "[routes]\na: b\nb: a\n",
        "a",
        "line 3: Loop detected! Cannot add route b -> a",
    ),
    (
        "[routes]\na: b\nb: c\nc: a\n",
        "a",
        "line 4: Loop detected! Cannot add route c -> a",
    ),
    (
        "[routes]\na: b[1-2]\nc: b2\n",
        "a",
        "line 3: Convergent path detected! Cannot add route c -> b2",
    ),
    (
        "[routes]\na: b\nb: c\nd: b\n",
        "a",
        "line 4: Convergent path detected! Cannot add route d -> b",
    ),
    (
        "[routes]\na: b\nb: c[1-3]\nc[1-5]: z\n",
        "a",
        "line 4: Convergent path detected! Cannot add route c[1-5] -> z",
    ),
    (
        "[routes]\na[1-2]: a2\n",
        "a1",
        "line 2: Source and destination nodesets overlap",
    ),
    ("[routes]\n", "a", "No route found in topology definition!"),
    (
        "[routes]\na: \n",
        "a",
        "No route found in topology definition!",
    ),
    (
        "[routes]\nadmin: gw1\n",
        "other",
        "\"other\" is not a valid root node!",
    ),
    (
        "[routes]\nadmin: gw[1-\n",
        "admin",
        "line 2: missing bracket: \"gw[1-\" (at byte 0)",
    ),
    (
        "admin: gw1\n",
        "admin",
        "line 1: invalid configuration file: no section header before this line",
    ),
    (
        "[routes]\nadmin gw1\n",
        "admin",
        "line 2: invalid configuration file: expected `nodes: nodes`",
    ),
    (
        "[routes]\nadmin: gw1\nadmin: gw2\n",
        "admin",
        "line 3: invalid configuration file: option \"admin\" in section [routes] already exists",
    ),
    (
        "[other]\nadmin: gw1\n",
        "admin",
        "invalid configuration file: no [routes] section",
    ),
    (
        "[routes]\nadmin: gw1\n[routes]\n",
        "admin",
        "line 3: invalid configuration file: section [routes] already exists",
    ),
];

/// Router scenarios: file, tree root, router root, steps.
type Steps = &'static [(&'static str, &'static str)];
const ROUTERS: &[(&str, &str, &str, Steps)] = &[
    (
        DEEP,
        "admin",
        "admin",
        &[
            ("dispatch", "n[1-120],gw[1-4],sub1,other[1-3]"),
            ("dispatch", "n[1-7]"),
            ("dispatch", "n[150-155],n5"),
            ("unreachable", "gw1"),
            ("dispatch", "n[1-9],n[100-104]"),
            ("unreachable", "gw2"),
            ("dispatch", "n[100-101]"),
            ("dispatch", "n[1-3]"),
            ("dispatch", "gw[1-2]"),
        ],
    ),
    (
        DEEP,
        "admin",
        "gw1",
        &[
            ("dispatch", "n[1-60],sub[1-4],gw2"),
            ("dispatch", "n[40-55]"),
        ],
    ),
    (DEEP, "admin", "sub2", &[("dispatch", "n[1-5]")]),
    (DEEP, "admin", "nowhere", &[]),
    (
        "[routes]\nadmin: gw[1-3]\ngw[1-3]: n[1-10]\n",
        "admin",
        "admin",
        &[
            ("unreachable", "n4"),
            ("dispatch", "n[1-10]"),
            ("dispatch", "n[1-3]"),
            ("unreachable", "gw[1-3]"),
            ("dispatch", "n1"),
        ],
    ),
    (
        "[routes]\nadmin: gw[1-2]\ngw1: n[1-5]\n",
        "admin",
        "admin",
        &[("dispatch", "n[1-5],gw[1-2]"), ("dispatch", "gw1")],
    ),
    (
        "[routes]\nadmin: r[1-2]gw[1-2]\nr[1-2]gw[1-2]: r[1-2]n[1-10]\n",
        "admin",
        "admin",
        &[("dispatch", "r[1-2]n[1-10]"), ("dispatch", "r1n[2-5]")],
    ),
];

fn tree_json(tree: &TopologyTree) -> Value {
    let groups: Vec<Value> = tree
        .all_groups()
        .iter()
        .map(|g| json!([g.nodes().to_string(), g.parent(), g.children()]))
        .collect();
    json!({
        "text": tree.to_string(),
        "groups": groups,
        "order": tree.groups(),
        "inner": tree.inner_node_count(),
        "leaf": tree.leaf_node_count(),
    })
}

fn build(conf: &str, root: &str) -> Result<TopologyTree, Error> {
    TopologyGraph::from_config_str(conf)?.to_tree(root)
}

fn ask_python() -> Value {
    let workdir = workspace_root().join("target/topology-tests");
    let sdist = workspace_root().join("target/clustershell-sdist/clustershell-1.10.1.tar.gz");
    let trees: Vec<Value> = TREES
        .iter()
        .map(|(c, r)| (*c, *r))
        .chain(BROKEN.iter().map(|(c, r, _)| (*c, *r)))
        .map(|(conf, root)| json!({"conf": conf, "root": root}))
        .collect();
    let routers: Vec<Value> = ROUTERS
        .iter()
        .map(|(conf, root, router_root, steps)| {
            json!({"conf": conf, "root": root, "router_root": router_root, "steps": steps})
        })
        .collect();
    oracle(
        TOPOLOGY_ORACLE,
        &json!({"workdir": workdir, "sdist": sdist, "trees": trees, "routers": routers}),
    )
}

/// Our answer to one router step, in the oracle's shape.
fn dispatch_json(router: &mut Router, targets: &str) -> Value {
    let targets: NodeSet = targets.parse().expect("valid targets");
    let result = router.dispatch(&targets);
    let mut loads = serde_json::Map::new();
    for (name, load) in router.loads() {
        loads.insert(name.into(), json!(load));
    }
    match result {
        Ok(routes) => {
            let routes: Vec<Value> = routes
                .iter()
                .map(|r| match &r.next_hop {
                    NextHop::Gateway(gw) => json!([gw, r.targets.to_string(), false]),
                    NextHop::Direct => json!([r.targets.to_string(), r.targets.to_string(), true]),
                })
                .collect();
            json!({"routes": routes, "loads": loads})
        }
        Err(e) => json!({"error": e.to_string(), "loads": loads}),
    }
}

#[test]
fn topologies_match_clustershell() {
    let answer = ask_python();
    let mut diffs = Vec::new();

    // ClusterShell's own example file, read from the file the oracle wrote.
    let path = answer["example_path"].as_str().expect("example path");
    let example = TopologyGraph::from_file(path.as_ref()).and_then(|g| g.to_tree("rio0"));
    match example {
        Ok(tree) if tree_json(&tree) == answer["example"] => {}
        other => diffs.push(format!("example file: {other:?} != {}", answer["example"])),
    }

    let cases = TREES.iter().map(|(c, r)| (*c, *r, None));
    let cases = cases.chain(BROKEN.iter().map(|(c, r, e)| (*c, *r, Some(*e))));
    for ((conf, root, expected_error), theirs) in
        cases.zip(answer["trees"].as_array().expect("trees"))
    {
        match (build(conf, root), expected_error) {
            (Ok(tree), None) if tree_json(&tree) == *theirs => {}
            (Err(e), Some(text)) if theirs.get("error").is_some() => {
                if e.to_string() != text {
                    diffs.push(format!(
                        "{conf:?}: error {:?}, expected {text:?}",
                        e.to_string()
                    ));
                }
                let python = theirs["error"].as_str().expect("error text");
                let config_error = python.starts_with("Invalid configuration file");
                if !config_error && theirs["kind"] == "TopologyError" && !text.ends_with(python) {
                    diffs.push(format!(
                        "{conf:?}: ClusterShell says {python:?}, we {text:?}"
                    ));
                }
            }
            (ours, _) => diffs.push(format!(
                "{conf:?} from {root}: ours {ours:?}\n  theirs {theirs}"
            )),
        }
    }

    for ((conf, root, router_root, steps), theirs) in ROUTERS
        .iter()
        .zip(answer["routers"].as_array().expect("routers"))
    {
        let tree = build(conf, root).expect("valid tree");
        let mut router = match Router::new(&tree, router_root) {
            Ok(router) => router,
            Err(e) => {
                if theirs[0]["error"] != json!(e.to_string()) {
                    diffs.push(format!("router {router_root}: {e} != {}", theirs[0]));
                }
                continue;
            }
        };
        for ((action, arg), their_step) in steps.iter().zip(theirs.as_array().expect("steps")) {
            let ours = match *action {
                "unreachable" => {
                    router.mark_unreachable(arg);
                    Value::Null
                }
                _ => dispatch_json(&mut router, arg),
            };
            if ours != *their_step {
                diffs.push(format!(
                    "router {router_root} {action} {arg}: ours {ours}\n  theirs {their_step}"
                ));
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}
