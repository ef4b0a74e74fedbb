//! Flow control of standard input and copies: the admin process keeps
//! only a window of data in flight to started targets (a slow reader
//! makes the reader of standard input wait), while targets still queued
//! by the fanout get the whole input from its start (no deadlock of
//! `cat` on more nodes than the fanout). Checked by digest, and by the
//! admin process's peak resident memory (`VmHWM`).
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod copy_support;

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use copy_support::{hosts, md5, noise, show, tempdir};
use cscomm_testkit::clush::admin_short_name;

/// Longest a run of these tests may take: beyond, it is stalled.
const STALL: Duration = Duration::from_secs(90);

/// `cscomm run` on `nodes` (`topology`: `topology.conf` text, or none)
/// with `args`, spawned with piped input and output.
fn spawn(topology: Option<&str>, nodes: &str, args: &[&str]) -> Child {
    let hosts = hosts();
    let dir = tempdir("cfg");
    let mut command = Command::new(env!("CARGO_BIN_EXE_cscomm"));
    command
        .env("CLUSTERSHELL_CFGDIR", &dir)
        .env(
            "CLUSTERSHELL_GW_PYTHON_EXECUTABLE",
            env!("CARGO_BIN_EXE_cscomm-gateway"),
        )
        .arg("run")
        .args(["--root", admin_short_name()])
        .args(["-o", &hosts.sshd.ssh_options()])
        .args(["-w", nodes]);
    if let Some(topology) = topology {
        let file = dir.join("topology.conf");
        std::fs::write(&file, topology).unwrap();
        command.args(["--topology", file.to_str().unwrap()]);
    }
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The peak resident memory (KiB) of process `pid`, while it lives.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Writes `input` to `child`, waits for its end (killing it past
/// [`STALL`]); returns its output and its highest `VmHWM` seen (KiB).
fn finish(mut child: Child, input: Vec<u8>) -> (Output, u64) {
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let started = Instant::now();
    let mut peak = 0;
    let mut stalled = false;
    while child.try_wait().unwrap().is_none() {
        peak = peak.max(vm_hwm_kib(pid).unwrap_or(0));
        if started.elapsed() > STALL {
            stalled = true;
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(!stalled, "stalled for {STALL:?}\n{}", show(&out));
    (out, peak)
}

/// Asserts that every node of `nodes` printed `digest` (`node: digest`).
fn assert_digests(out: &Output, nodes: &[String], digest: &str) {
    assert_eq!(out.status.code(), Some(0), "{}", show(out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable();
    let mut want: Vec<String> = nodes.iter().map(|n| format!("{n}: {digest}")).collect();
    want.sort_unstable();
    assert_eq!(lines, want, "{}", show(out));
}

fn names(first: usize, last: usize) -> Vec<String> {
    (first..=last).map(|i| format!("node{i}")).collect()
}

/// 128 MiB piped to nodes that read nothing for 3 seconds: without flow
/// control the admin process would hold it all; with it, a window.
#[test]
fn stdin_through_slow_readers_keeps_the_admin_memory_bounded() {
    let data = noise(128 << 20, 0x51d);
    let digest = md5(&data);
    let child = spawn(None, "node[1-2]", &["sleep 3; md5sum"]);
    let (out, peak_kib) = finish(child, data);
    assert_digests(&out, &names(1, 2), &digest);
    eprintln!("cscomm run VmHWM: {} MiB", peak_kib >> 10);
    assert!(peak_kib < 48 << 10, "VmHWM {peak_kib} KiB\n{}", show(&out));
}

/// `md5sum` on five nodes with a fanout of two: the last three start
/// only once the first end, which is at the end of the input.
#[test]
fn stdin_reaches_every_node_beyond_the_fanout() {
    let data = noise(24 << 20, 0xca7);
    let digest = md5(&data);
    let child = spawn(None, "node[1-5]", &["-f", "2", "md5sum"]);
    let (out, _) = finish(child, data);
    assert_digests(&out, &names(1, 5), &digest);
}

/// The same through a gateway (`node[1-3]`) and directly (`node[4-7]`),
/// the fanout two at the admin node and at the gateway.
#[test]
fn stdin_reaches_every_node_beyond_the_fanout_in_a_tree() {
    let data = noise(24 << 20, 0x7ee);
    let digest = md5(&data);
    let admin = admin_short_name();
    let topology = format!("[routes]\n{admin}: gw1\ngw1: node[1-3]\n");
    let child = spawn(Some(&topology), "node[1-7]", &["-f", "2", "md5sum"]);
    let (out, _) = finish(child, data);
    assert_digests(&out, &names(1, 7), &digest);
}

/// A copy whose only gateway is down before setup: its targets, more
/// than the fanout, are reached directly and each gets the whole file
/// (larger than the copy window).
#[test]
fn a_copy_rerouted_directly_beyond_the_fanout_arrives_whole() {
    let hosts = hosts();
    let source = tempdir("flow-src").join("blob.bin");
    let data = noise(6 << 20, 0xc0b);
    std::fs::write(&source, &data).unwrap();
    let dest = hosts.remote("flow-reroute");
    let nodes = names(1, 5);
    for node in &nodes {
        std::fs::create_dir_all(hosts.on(node, &dest)).unwrap();
    }
    let admin = admin_short_name();
    let topology = format!("[routes]\n{admin}: down1\ndown1: node[1-5]\n");
    let source_arg = source.display().to_string();
    let dest_arg = format!("{dest}/");
    let args = ["-f", "2", "--copy", &source_arg, "--dest", &dest_arg];
    let child = spawn(Some(&topology), "node[1-5]", &args);
    let (out, _) = finish(child, Vec::new());
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    for node in &nodes {
        let got = std::fs::read(hosts.on(node, &format!("{dest}/blob.bin"))).unwrap_or_default();
        assert!(got == data, "{node}: {} bytes\n{}", got.len(), show(&out));
    }
}

/// The same through a gateway: the admin process waits for its
/// acknowledgements, which wait for the nodes.
#[test]
fn stdin_through_a_gateway_to_slow_readers_keeps_the_admin_memory_bounded() {
    let data = noise(128 << 20, 0x9a7e);
    let digest = md5(&data);
    let admin = admin_short_name();
    let topology = format!("[routes]\n{admin}: gw1\ngw1: node[1-2]\n");
    let child = spawn(Some(&topology), "node[1-2]", &["sleep 3; md5sum"]);
    let (out, peak_kib) = finish(child, data);
    assert_digests(&out, &names(1, 2), &digest);
    eprintln!("cscomm run VmHWM through a gateway: {} MiB", peak_kib >> 10);
    assert!(peak_kib < 48 << 10, "VmHWM {peak_kib} KiB\n{}", show(&out));
}
