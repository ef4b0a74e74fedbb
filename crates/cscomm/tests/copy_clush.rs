//! Stock `clush` 1.10.1 copying through `cscomm-gateway`: `--copy` of a
//! file and a directory to 20 nodes arrives intact on each, `--rcopy`
//! works as far as clush's tree mode allows (it names results after the
//! node's `hostname -s`), the same as through ClusterShell's own gateway.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod copy_support;

use copy_support::{Gateways, contents, hosts, sources, tempdir, tree};
use cscomm_testkit::clush::{Clush, Topology};

#[test]
fn stock_clush_copies_to_20_nodes_through_cscomm_gateway() {
    let hosts = hosts();
    let (_dir, sources) = sources();
    let dest = hosts.remote("clush-copy");
    for i in 1..=20 {
        std::fs::create_dir_all(hosts.on(&format!("node{i}"), &dest)).unwrap();
    }
    let dest_arg = format!("{dest}/");
    for source in &sources {
        let out = Clush::new(&hosts.sshd)
            .topology(Topology::one_level("gw1", "node[1-20]"))
            .gateway(Gateways::Cscomm.exe())
            .nodes("node[1-20]")
            .args(["--copy", source.to_str().unwrap(), "--dest", &dest_arg])
            .run();
        assert_eq!(out.exit_code, Some(0), "{}", out.diagnostics());
        assert!(out.leftovers.is_empty(), "{:?}", out.leftovers);
    }
    for i in 1..=20 {
        for source in &sources {
            let name = source.file_name().unwrap().to_str().unwrap();
            let copy = hosts.on(&format!("node{i}"), &format!("{dest}/{name}"));
            assert_eq!(
                contents(&tree(&copy)),
                contents(&tree(source)),
                "node{i}: {name}"
            );
        }
    }
}

/// clush's tree rcopy of one node's file, through `gateways`: what lands
/// in the destination.
fn clush_rcopy(gateways: Gateways) -> Vec<(String, Vec<u8>)> {
    let hosts = hosts();
    let src = hosts.remote("clush-rcopy/report");
    let path = hosts.on("node2", &src);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"node2 report\n").unwrap();
    let local = tempdir("clush-rcopy");
    let out = Clush::new(&hosts.sshd)
        .topology(Topology::one_level("gw1", "node[1-2]"))
        .gateway(gateways.exe())
        .nodes("node2")
        .args(["--rcopy", &src, "--dest", local.to_str().unwrap()])
        .run();
    assert_eq!(out.exit_code, Some(0), "{}", out.diagnostics());
    let mut found: Vec<(String, Vec<u8>)> = Vec::new();
    for entry in std::fs::read_dir(&local).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        // clush's tar names the result `report.<host>/` (its transform adds
        // a slash): a directory holding the file, or the file itself.
        let bytes = if path.is_dir() {
            let inner: Vec<_> = std::fs::read_dir(&path).unwrap().flatten().collect();
            inner
                .first()
                .map(|e| std::fs::read(e.path()).unwrap())
                .unwrap_or_default()
        } else {
            std::fs::read(&path).unwrap()
        };
        found.push((name, bytes));
    }
    found
}

#[test]
fn stock_clush_rcopy_through_cscomm_gateway_matches_the_python_gateway() {
    let ours = clush_rcopy(Gateways::Cscomm);
    let theirs = clush_rcopy(Gateways::Python);
    assert_eq!(ours, theirs);
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert!(ours[0].0.starts_with("report."), "{ours:?}");
}
