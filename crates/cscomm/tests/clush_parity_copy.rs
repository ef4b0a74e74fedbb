//! `--copy` and `--rcopy` side by side with the real clush 1.10.1 on 4
//! nodes of the copy tests' sshd (every node with files of its own):
//! flat mode, and one level of `cscomm-gateway` for the copies. Compared:
//! every file left on the nodes and in the local destination (bytes and
//! modes), the `exited with exit code N` lines, which nodes say why they
//! failed, and the exit status. The nodes' own words differ on purpose
//! (clush runs `scp`, we run `tar`), and so does the status of a failed
//! copy without `-S`: clush's is 0, ours 1 (see docs/CLUSH-PARITY.md,
//! "Copies").
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod copy_support;
mod parity_support;

use std::path::Path;

use copy_support::{Gateways, hosts, tempdir, tree};
use cscomm_testkit::clush::{Clush, Topology};

const NODES: &str = "node[1-4]";

/// Fresh files on every node below `dest`: `present` everywhere, `some`
/// on all but node3, a directory `sub/deep/f`, a plain file `afile`.
fn reset_nodes(dest: &str) {
    let hosts = hosts();
    for i in 1..=4 {
        let dir = hosts.on(&format!("node{i}"), dest);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub/deep")).unwrap();
        std::fs::write(dir.join("present"), format!("node{i} present\n")).unwrap();
        if i != 3 {
            std::fs::write(dir.join("some"), format!("node{i} some\n")).unwrap();
        }
        std::fs::write(dir.join("sub/deep/f"), b"deep").unwrap();
        std::fs::write(dir.join("afile"), b"x").unwrap();
    }
}

/// Every file on the nodes below `dest` and in `local`: path, mode, bytes.
fn files(dest: &str, local: &Path) -> Vec<String> {
    let hosts = hosts();
    let mut out = Vec::new();
    let mut list = |who: &str, dir: &Path| {
        for (path, (bytes, mode, _)) in tree(dir) {
            let text = String::from_utf8_lossy(&bytes);
            out.push(format!("{who}:{path} {:o} {text:?}", mode & 0o7777));
        }
    };
    for i in 1..=4 {
        let node = format!("node{i}");
        list(&node, &hosts.on(&node, dest));
    }
    list("local", local);
    out
}

/// What a run left to compare.
#[derive(Debug, PartialEq)]
struct Seen {
    status: Option<i32>,
    /// `PROG: NODE: exited with exit code N` lines, sorted.
    exits: Vec<String>,
    /// The nodes that said something on stderr (`NODE: ...`), sorted.
    told: Vec<String>,
    /// Top-level errors (`ERROR: ...`, usage).
    errors: Vec<String>,
    stdout: String,
    files: Vec<String>,
}

fn seen(status: Option<i32>, stderr: &[u8], stdout: &[u8], files: Vec<String>) -> Seen {
    let mut exits = Vec::new();
    let mut told = Vec::new();
    let mut errors = Vec::new();
    // clush's name made ours, its progress lines (shown past 1.33 s) dropped.
    for line in &parity_support::stderr_lines(stderr) {
        if line.contains(": exited with exit code ") {
            exits.push(line.to_owned());
        } else if let Some((node, _)) = line.split_once(": ").filter(|(n, _)| n.starts_with("node"))
        {
            told.push(node.to_owned());
        } else {
            errors.push(line.to_owned());
        }
    }
    for list in [&mut exits, &mut told, &mut errors] {
        list.sort();
        list.dedup();
    }
    Seen {
        status,
        exits,
        told,
        errors,
        stdout: String::from_utf8_lossy(stdout).into_owned(),
        files,
    }
}

/// Runs `args` (`LOCAL` replaced by a fresh local directory) with clush and
/// with `cscomm run`, from the same files on the nodes.
fn both(levels: usize, dest: &str, args: &[String]) -> (Seen, Seen) {
    let hosts = hosts();
    let mut results = Vec::new();
    for clush in [true, false] {
        reset_nodes(dest);
        let local = tempdir("parity-local");
        let local_text = local.to_str().unwrap();
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("LOCAL", local_text))
            .collect();
        let result = if clush {
            let mut run = Clush::new(&hosts.sshd).nodes(NODES).args(&args);
            if levels == 1 {
                run = run
                    .topology(Topology::one_level("gw1", NODES))
                    .gateway(Gateways::Cscomm.exe());
            }
            let out = run.run();
            let files = files(dest, &local);
            seen(out.exit_code, &out.stderr, &out.stdout, files)
        } else {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = copy_support::cscomm(levels, Gateways::Cscomm, NODES, &args);
            let files = files(dest, &local);
            seen(out.status.code(), &out.stderr, &out.stdout, files)
        };
        let scrub = |s: String| s.replace(local_text, "LOCAL");
        results.push(Seen {
            errors: result.errors.into_iter().map(scrub).collect(),
            files: result.files.into_iter().map(scrub).collect(),
            ..result
        });
    }
    let ours = results.pop().unwrap();
    (results.pop().unwrap(), ours)
}

/// Test sources on the admin side: `file`, `empty`, `dir/a/b`.
fn sources() -> std::path::PathBuf {
    let src = tempdir("parity-src");
    std::fs::write(src.join("file"), b"hello\n").unwrap();
    std::fs::write(src.join("empty"), b"").unwrap();
    std::fs::create_dir_all(src.join("dir/a")).unwrap();
    std::fs::write(src.join("dir/a/b"), b"bee").unwrap();
    src
}

/// One command line: `{S}` is the source directory, `{D}` the nodes'.
fn line(template: &str, src: &Path, dest: &str) -> Vec<String> {
    template
        .split_whitespace()
        .map(|a| a.replace("{S}", src.to_str().unwrap()).replace("{D}", dest))
        .collect()
}

#[test]
fn flat_copies_and_rcopies_as_clush() {
    let dest = hosts().remote("parity-flat");
    let src = sources();
    // Command lines where clush and cscomm agree in everything compared.
    let same = [
        "--copy {S}/file --dest {D}/",
        "--copy {S}/file --dest {D}/newname",
        "--copy {S}/dir --dest {D}/",
        "--copy {S}/file {S}/empty --dest {D}/",
        "--copy {S}/file -p --dest {D}/",
        "--copy {S}/missing --dest {D}/",
        "--copy {S}/file -S --dest {D}/no/such/",
        "--copy {S}/file -S --dest {D}/afile/x",
        "--rcopy {D}/present --dest LOCAL",
        "--rcopy {D}/sub --dest LOCAL",
        "--rcopy {D}/present",
        "--rcopy {D}/present --dest LOCAL/nope",
        "--rcopy {D}/nothere -S --dest LOCAL",
        "--rcopy {D}/some -S --dest LOCAL",
        "--copy",
    ];
    let mut failures = Vec::new();
    for template in same {
        let args = line(template, &src, &dest);
        let (clush, ours) = both(0, &dest, &args);
        if clush != ours {
            failures.push(format!(
                "{template}\n--- clush\n{clush:#?}\n--- cscomm\n{ours:#?}"
            ));
        }
    }
    // A copy some nodes fail: the same except the status (clush 0, ours 1).
    for template in [
        "--copy {S}/file --dest {D}/no/such/dir/",
        "--copy {S}/file -b --dest {D}/no/such/",
        "--rcopy {D}/some --dest LOCAL",
        "--rcopy {D}/present {D}/some --dest LOCAL",
    ] {
        let args = line(template, &src, &dest);
        let (clush, ours) = both(0, &dest, &args);
        assert!(
            !ours.exits.is_empty(),
            "{template}: no node failed: {ours:#?}"
        );
        let differs_only_by_status = clush.status == Some(0)
            && ours.status == Some(1)
            && clush.exits == ours.exits
            && clush.told == ours.told
            && clush.errors == ours.errors
            && clush.stdout == ours.stdout
            && clush.files == ours.files;
        if !differs_only_by_status {
            failures.push(format!(
                "{template}\n--- clush\n{clush:#?}\n--- cscomm\n{ours:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn tree_copies_as_clush_through_cscomm_gateway() {
    let dest = hosts().remote("parity-tree");
    let src = sources();
    let mut failures = Vec::new();
    for template in [
        "--copy {S}/file --dest {D}/",
        "--copy {S}/dir -p --dest {D}/",
        "--copy {S}/file {S}/empty --dest {D}/",
        "--copy {S}/missing --dest {D}/",
        "--rcopy {D}/present --dest LOCAL/nope",
    ] {
        let args = line(template, &src, &dest);
        let (clush, ours) = both(1, &dest, &args);
        if clush != ours {
            failures.push(format!(
                "{template}\n--- clush\n{clush:#?}\n--- cscomm\n{ours:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
