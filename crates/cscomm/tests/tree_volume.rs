//! Volume through `cscomm run --local` trees (cscomm-gateway processes as
//! gateways, nodes as local commands): lines longer than
//! [`MAX_LINE_LENGTH`] arrive in pieces, nothing lost; and, as `#[ignore]`d
//! stress tests (`cargo test --release -p cscomm --test tree_volume --
//! --ignored --test-threads 1`), 1 GiB from one node in bounded memory and
//! 1,000 nodes x 1 MiB of random bytes through two levels of gateways, each
//! node's bytes compared with what it wrote. Figures: docs/PERFORMANCE.md.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cscomm::tree::MAX_LINE_LENGTH;
use cscomm_testkit::python::workspace_root;

/// A scratch directory of this test binary, emptied.
fn scratch(name: &str) -> PathBuf {
    let dir = workspace_root().join("target/tree-volume-test").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a topology file into `dir`.
fn topology(dir: &Path, routes: &str) -> PathBuf {
    let path = dir.join("topology.conf");
    std::fs::write(&path, format!("[routes]\n{routes}\n")).unwrap();
    path
}

/// `cscomm run --local --topology TOPOLOGY -w NODES COMMAND`, stdout piped,
/// no ClusterShell configuration found.
fn spawn(dir: &Path, topology: &Path, nodes: &str, command: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cscomm"))
        .args(["run", "--local", "--topology"])
        .arg(topology)
        .args(["-w", nodes, command])
        .env("CLUSTERSHELL_CFGDIR", dir)
        .env("XDG_CONFIG_HOME", dir)
        .env("CLUSTERSHELL_GW_LOG_DIR", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Peak resident size (VmHWM, KiB) of a running process; 0 once it ended.
fn peak_rss_kib(pid: u32) -> u64 {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return 0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Samples the peak RSS of `pid` every 20 ms until it ends.
fn sample_peak_rss(pid: u32) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut peak = 0;
        loop {
            let now = peak_rss_kib(pid);
            if now == 0 {
                return peak;
            }
            peak = peak.max(now);
            std::thread::sleep(Duration::from_millis(20));
        }
    })
}

/// The lines of a `node: line` stream, as (node, line) without the newline.
fn each_line(out: impl Read, mut f: impl FnMut(&[u8], &[u8])) {
    let mut reader = BufReader::with_capacity(1 << 20, out);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).unwrap() == 0 {
            return;
        }
        assert_eq!(line.pop(), Some(b'\n'), "every printed line ends");
        let colon = line.windows(2).position(|w| w == b": ").unwrap();
        f(&line[..colon], &line[colon + 2..]);
    }
}

/// What a run printed and how it ended.
struct Finished {
    code: i32,
    stderr: String,
    peak_rss_kib: u64,
    elapsed: Duration,
}

/// Runs to the end, handing each printed line to `f`.
fn run(
    dir: &Path,
    topology: &Path,
    nodes: &str,
    command: &str,
    f: impl FnMut(&[u8], &[u8]),
) -> Finished {
    let started = Instant::now();
    let mut child = spawn(dir, topology, nodes, command);
    let sampler = sample_peak_rss(child.id());
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).unwrap();
        text
    });
    each_line(child.stdout.take().unwrap(), f);
    let code = child.wait().unwrap().code().unwrap();
    Finished {
        code,
        stderr: errors.join().unwrap(),
        peak_rss_kib: sampler.join().unwrap(),
        elapsed: started.elapsed(),
    }
}

/// One node behind one gateway.
const ONE_GATEWAY: &str = "admin: gw1\ngw1: node1";

#[test]
fn a_line_longer_than_the_limit_arrives_in_pieces_through_a_gateway() {
    let dir = scratch("long-line");
    let topology = topology(&dir, ONE_GATEWAY);
    let size = 2 * MAX_LINE_LENGTH + 12_345;
    let command = format!("head -c {size} /dev/zero | tr '\\0' x; echo; printf end");
    let mut pieces = Vec::new();
    let done = run(&dir, &topology, "node1", &command, |node, line| {
        assert_eq!(node, b"node1");
        pieces.push(line.to_vec());
    });
    assert_eq!(done.code, 0, "{}", done.stderr);
    let lengths: Vec<usize> = pieces.iter().map(Vec::len).collect();
    assert_eq!(lengths, [MAX_LINE_LENGTH, MAX_LINE_LENGTH, 12_345, 3]);
    assert!(pieces[..3].iter().flatten().all(|&b| b == b'x'));
    assert_eq!(pieces[3], b"end");
}

/// 1 GiB of `x` printed by one node through a gateway: every byte counted
/// (`lines` printed lines of at most `max_line` bytes), and the peak RSS of
/// `cscomm run` under 64 MiB.
fn one_gib_through_a_gateway(command: &str, max_line: usize, lines: usize) {
    let dir = scratch("one-gib");
    let topology = topology(&dir, ONE_GATEWAY);
    let (mut got_bytes, mut got_lines) = (0usize, 0usize);
    let done = run(&dir, &topology, "node1", command, |node, line| {
        assert_eq!(node, b"node1");
        assert!(line.len() <= max_line && line.iter().all(|&b| b == b'x'));
        got_bytes += line.len();
        got_lines += 1;
    });
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert_eq!((got_bytes, got_lines), (1 << 30, lines));
    eprintln!(
        "1 GiB as {lines} lines in {:?}; cscomm run peak RSS {} MiB",
        done.elapsed,
        done.peak_rss_kib / 1024
    );
    assert!(
        done.peak_rss_kib < 64 << 10,
        "peak RSS {} KiB",
        done.peak_rss_kib
    );
}

#[test]
#[ignore = "stress: 1 GiB through a gateway"]
fn one_gib_without_newlines_through_a_gateway_in_bounded_memory() {
    let pieces = (1usize << 30).div_ceil(MAX_LINE_LENGTH);
    let command = "head -c 1073741824 /dev/zero | tr '\\0' x";
    one_gib_through_a_gateway(command, MAX_LINE_LENGTH, pieces);
}

#[test]
#[ignore = "stress: 1 GiB through a gateway"]
fn one_gib_of_lines_through_a_gateway_in_bounded_memory() {
    // 2^30 = 1,049,601 lines of 1023 and a last one of 1.
    let command = "head -c 1073741824 /dev/zero | tr '\\0' x | fold -w 1023";
    one_gib_through_a_gateway(command, 1023, 1_049_602);
}

#[test]
#[ignore = "stress: 1,000 nodes x 1 MiB through two levels of gateways"]
fn a_thousand_nodes_of_random_bytes_arrive_whole_through_two_levels() {
    let dir = scratch("thousand");
    let topology = topology(&dir, "admin: gw[1-2]\ngw[1-2]: gw[3-6]\ngw[3-6]: n[1-1000]");
    let files = dir.join("written");
    std::fs::create_dir_all(&files).unwrap();
    let command = format!(
        "head -c 1048576 /dev/urandom | tee {}/%h.bin",
        files.display()
    );
    let mut received: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
    let done = run(&dir, &topology, "n[1-1000]", &command, |node, line| {
        let bytes = received.entry(node.to_vec()).or_default();
        bytes.extend_from_slice(line);
        bytes.push(b'\n');
    });
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert_eq!(received.len(), 1000);
    for (node, mut got) in received {
        let name = String::from_utf8(node).unwrap();
        let written = std::fs::read(files.join(format!("{name}.bin"))).unwrap();
        // The protocol carries lines: a last line without a newline comes
        // back with one.
        if written.last() != Some(&b'\n') {
            assert_eq!(got.pop(), Some(b'\n'));
        }
        assert!(
            got == written,
            "{name}: {} bytes, wrote {}",
            got.len(),
            written.len()
        );
    }
    eprintln!(
        "1,000 x 1 MiB in {:?}; cscomm run peak RSS {} MiB",
        done.elapsed,
        done.peak_rss_kib / 1024
    );
}
