//! `cscomm run --copy` and `--rcopy` to and from 20 nodes, directly and
//! through one and two levels of gateways (ClusterShell's Python gateways
//! and `cscomm-gateway`), over a real sshd whose every node has files of
//! its own; every node's copy compared byte for byte (and with -p, modes
//! and times).
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod copy_support;

use copy_support::{Gateways, contents, cscomm, hosts, show, sources, tempdir, tree};

const NODES: &str = "node[1-20]";

fn nodes() -> Vec<String> {
    (1..=20).map(|i| format!("node{i}")).collect()
}

/// Copies the test sources to every node's `dest/` and checks each copy.
fn copy_everything(levels: usize, gateways: Gateways, extra: &[&str], preserve: bool) {
    let hosts = hosts();
    let (_dir, sources) = sources();
    let dest = hosts.remote(&format!("copy-{}", rand_tag()));
    for node in nodes() {
        std::fs::create_dir_all(hosts.on(&node, &dest)).unwrap();
    }
    let dest_arg = format!("{dest}/");
    let mut args: Vec<&str> = extra.to_vec();
    if preserve {
        args.push("-p");
    }
    args.push("--copy");
    let paths: Vec<String> = sources.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    args.extend(["--dest", &dest_arg]);
    let out = cscomm(levels, gateways, NODES, &args);
    assert!(out.status.success(), "{}", show(&out));
    assert!(out.stderr.is_empty(), "{}", show(&out));
    for node in nodes() {
        for source in &sources {
            let name = source.file_name().unwrap().to_str().unwrap();
            let copy = hosts.on(&node, &format!("{dest}/{name}"));
            assert!(
                copy.exists(),
                "{node}: no {}\n{}",
                copy.display(),
                show(&out)
            );
            let (want, got) = (tree(source), tree(&copy));
            if preserve {
                assert_eq!(got, want, "{node}: {name}");
            } else {
                assert_eq!(contents(&got), contents(&want), "{node}: {name}");
            }
        }
        // Nothing else was left there (no temporary directory).
        let left = std::fs::read_dir(hosts.on(&node, &dest)).unwrap().count();
        assert_eq!(left, sources.len(), "{node}");
    }
}

fn rand_tag() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed) * 1000 + std::process::id() as usize % 1000
}

#[test]
fn copy_to_20_nodes_through_one_level_of_python_gateways() {
    copy_everything(1, Gateways::Python, &[], true);
}

#[test]
fn copy_to_20_nodes_through_two_levels_of_python_gateways() {
    copy_everything(2, Gateways::Python, &[], false);
}

#[test]
fn copy_to_20_nodes_through_one_level_of_cscomm_gateways() {
    copy_everything(1, Gateways::Cscomm, &[], false);
}

#[test]
fn copy_to_20_nodes_through_two_levels_of_cscomm_gateways() {
    copy_everything(2, Gateways::Cscomm, &[], true);
}

#[test]
fn copy_to_20_nodes_directly_in_waves_of_the_fanout() {
    copy_everything(0, Gateways::Python, &["-f", "7"], true);
}

/// Gives every node its own files under `src/`, rcopies them back and
/// checks each node's `NAME.NODE`.
fn rcopy_everything(levels: usize, gateways: Gateways, preserve: bool) {
    let hosts = hosts();
    let src = hosts.remote(&format!("rsrc-{}", rand_tag()));
    for node in nodes() {
        let dir = hosts.on(&node, &src);
        std::fs::create_dir_all(dir.join("logs/old")).unwrap();
        std::fs::write(dir.join("logs/messages"), format!("{node}: booted\n")).unwrap();
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 256) as u8).collect();
        std::fs::write(dir.join("logs/old/dump.bin"), bytes).unwrap();
        std::fs::write(dir.join("logs/old/empty"), b"").unwrap();
        copy_support::set_mode_time(&dir.join("logs/messages"), 0o640, 1_234_567_890);
        std::fs::write(dir.join("id"), node.as_bytes()).unwrap();
    }
    let local = tempdir("rcopy");
    let dest = local.display().to_string();
    let logs = format!("{src}/logs");
    let id = format!("{src}/id");
    let mut args = vec!["--rcopy", &logs, &id, "--dest", &dest];
    if preserve {
        args.push("-p");
    }
    let out = cscomm(levels, gateways, NODES, &args);
    assert!(out.status.success(), "{}", show(&out));
    assert!(out.stderr.is_empty(), "{}", show(&out));
    for node in nodes() {
        let theirs = hosts.on(&node, &src);
        let (want, got) = (
            tree(&theirs.join("logs")),
            tree(&local.join(format!("logs.{node}"))),
        );
        if preserve {
            assert_eq!(got, want, "{node}");
        } else {
            assert_eq!(contents(&got), contents(&want), "{node}");
        }
        let id = std::fs::read(local.join(format!("id.{node}"))).unwrap();
        assert_eq!(id, node.as_bytes());
    }
    // Exactly the results: no work file left behind.
    assert_eq!(std::fs::read_dir(&local).unwrap().count(), 40);
}

#[test]
fn rcopy_from_20_nodes_through_one_level_of_python_gateways() {
    rcopy_everything(1, Gateways::Python, true);
}

#[test]
fn rcopy_from_20_nodes_through_two_levels_of_python_gateways() {
    rcopy_everything(2, Gateways::Python, false);
}

#[test]
fn rcopy_from_20_nodes_through_one_level_of_cscomm_gateways() {
    rcopy_everything(1, Gateways::Cscomm, false);
}

#[test]
fn rcopy_from_20_nodes_through_two_levels_of_cscomm_gateways() {
    rcopy_everything(2, Gateways::Cscomm, true);
}

#[test]
fn rcopy_from_20_nodes_directly() {
    rcopy_everything(0, Gateways::Python, true);
}
