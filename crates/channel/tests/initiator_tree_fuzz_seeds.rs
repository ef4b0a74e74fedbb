//! Replays seed corpora through the checks of the `initiator_tree` fuzz
//! target (`fuzz/src/tree.rs`), and checks the harness itself on a
//! well-behaved pair of gateways: if its checks passed on everything, they
//! would prove nothing.

use std::path::PathBuf;

use cscomm_channel::InitiatorEvent;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/src/tree.rs"]
mod tree_check;

#[test]
fn seed_corpora_pass_the_tree_checks() {
    let seeds: Vec<PathBuf> = ["initiator_tree", "message", "gateway_channel"]
        .iter()
        .flat_map(|corpus| cscomm_testkit::fuzz::seed_files(corpus))
        .collect();
    assert!(seeds.len() >= 40, "seed corpora missing: {}", seeds.len());
    for path in seeds {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = std::panic::catch_unwind(|| tree_check::check(&data));
        assert!(outcome.is_ok(), "{} fails the checks", path.display());
    }
}

/// A `(srcid, node, line)` of standard output.
type Line = (u64, String, String);
/// A `(srcid, node, exit code)`.
type Exit = (u64, String, i64);

/// Every line of standard output, and every exit.
fn outcome(events: &[InitiatorEvent]) -> (Vec<Line>, Vec<Exit>) {
    let (mut lines, mut exits) = (Vec::new(), Vec::new());
    for event in events {
        match event {
            InitiatorEvent::StdOut { srcid, nodes, data } => {
                let line = String::from_utf8_lossy(data).into_owned();
                lines.extend(nodes.iter().map(|node| (*srcid, node, line.clone())));
            }
            InitiatorEvent::Exit { srcid, nodes, code } => {
                exits.extend(nodes.iter().map(|node| (*srcid, node, *code)));
            }
            _ => {}
        }
    }
    (lines, exits)
}

#[test]
fn well_behaved_gateways_get_every_line_and_exit_through() {
    let per_gateway = tree_check::run(&tree_check::well_behaved_seed());
    for (events, (_, workers)) in per_gateway.iter().zip(tree_check::LAYOUT) {
        let (lines, exits) = outcome(events);
        let mut expected_lines = Vec::new();
        let mut expected_exits = Vec::new();
        for &(srcid, nodes) in workers {
            let nodes: cscomm_message::NodeSet = nodes.parse().unwrap();
            for node in nodes.iter() {
                expected_lines.push((srcid, node.clone(), format!("hello from {node}")));
                expected_exits.push((srcid, node, 0));
            }
        }
        assert_eq!(lines, expected_lines);
        assert_eq!(exits, expected_exits);
    }
}

#[test]
fn the_committed_seed_is_the_well_behaved_one() {
    let path =
        cscomm_testkit::python::workspace_root().join("fuzz/seeds/initiator_tree/well-behaved.bin");
    let expected = tree_check::well_behaved_seed();
    if std::env::var_os("CSCOMM_WRITE_SEEDS").is_some() {
        std::fs::write(&path, &expected).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let seed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        seed == expected,
        "{} is stale: rerun with CSCOMM_WRITE_SEEDS=1",
        path.display()
    );
}

#[test]
#[should_panic(expected = "not running")]
fn an_exit_for_a_node_of_another_gateway_fails_the_check() {
    // `m1` is behind gw2: gw1's worker 1 may not end it.
    let event = InitiatorEvent::Exit {
        srcid: 1,
        nodes: "m1".parse().unwrap(),
        code: 0,
    };
    tree_check::check_event_for_test(0, &event);
}

#[test]
#[should_panic(expected = "never sent to this gateway")]
fn output_for_a_worker_never_sent_fails_the_check() {
    let event = InitiatorEvent::StdOut {
        srcid: 7,
        nodes: "m1".parse().unwrap(),
        data: bytes::Bytes::from_static(b"forged"),
    };
    tree_check::check_event_for_test(1, &event);
}
