//! Targets routed again after their gateway failed before setup get their
//! whole input: the group's first gateway (`down1`) refuses connections,
//! its targets go through `gw1`, the other gateway of the group, and
//! every node ends up with the whole copy (larger than the copy window)
//! or the whole standard input, checked byte for byte or by digest.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod copy_support;

use copy_support::{Gateways, cscomm_routed, hosts, md5, noise, show, tempdir};
use cscomm_testkit::clush::admin_short_name;

const NODES: &str = "node[1-6]";

fn nodes() -> Vec<String> {
    (1..=6).map(|i| format!("node{i}")).collect()
}

/// `down1` first in the group: about half the targets are given to it
/// and must be routed again through `gw1`.
fn topology() -> String {
    let admin = admin_short_name();
    format!("[routes]\n{admin}: down1,gw1\ndown1,gw1: {NODES}\n")
}

/// Asserts that the run went through the reroute (clush's words).
fn assert_rerouted(out: &std::process::Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rerouting commands"), "{}", show(out));
}

/// Copies 6 MiB (three times the copy window) to every node.
fn copy_through_a_dead_first_gateway(gateways: Gateways) {
    let hosts = hosts();
    let source = tempdir("reroute-src").join("blob.bin");
    let data = noise(6 << 20, 0x5eed);
    std::fs::write(&source, &data).unwrap();
    let dest = hosts.remote(&format!("reroute-{gateways:?}"));
    for node in nodes() {
        std::fs::create_dir_all(hosts.on(&node, &dest)).unwrap();
    }
    let source_arg = source.display().to_string();
    let dest_arg = format!("{dest}/");
    let args = ["--copy", &source_arg, "--dest", &dest_arg];
    let out = cscomm_routed(&topology(), gateways, NODES, &args, Vec::new());
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_rerouted(&out);
    for node in nodes() {
        let copy = hosts.on(&node, &format!("{dest}/blob.bin"));
        let got = std::fs::read(&copy).unwrap_or_default();
        assert!(
            got == data,
            "{node}: {} of {} bytes, or not the same\n{}",
            got.len(),
            data.len(),
            show(&out)
        );
    }
}

#[test]
fn a_copy_rerouted_through_cscomm_gateways_arrives_whole_on_every_node() {
    copy_through_a_dead_first_gateway(Gateways::Cscomm);
}

#[test]
fn a_copy_rerouted_through_python_gateways_arrives_whole_on_every_node() {
    copy_through_a_dead_first_gateway(Gateways::Python);
}

/// Sends 4 MiB on standard input: every node's digest is the input's.
fn stdin_through_a_dead_first_gateway(gateways: Gateways) {
    let data = noise(4 << 20, 0xfeed);
    let want = md5(&data);
    let out = cscomm_routed(&topology(), gateways, NODES, &["md5sum"], data);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_rerouted(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable();
    let mut expected: Vec<String> = nodes()
        .iter()
        .map(|node| format!("{node}: {want}"))
        .collect();
    expected.sort_unstable();
    assert_eq!(lines, expected, "{}", show(&out));
}

#[test]
fn stdin_rerouted_through_cscomm_gateways_arrives_whole_on_every_node() {
    stdin_through_a_dead_first_gateway(Gateways::Cscomm);
}

#[test]
fn stdin_rerouted_through_python_gateways_arrives_whole_on_every_node() {
    stdin_through_a_dead_first_gateway(Gateways::Python);
}
