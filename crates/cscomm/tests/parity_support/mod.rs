//! Comparing a `cscomm run` with the real clush 1.10.1's run of the same
//! command line: stdout (exactly, or sorted where nodes race), stderr
//! sorted (clush's name made ours, its progress updates dropped) and the
//! exit status. Shared by the `clush_parity_*` tests.
#![allow(dead_code)] // each test file uses a part

use std::path::Path;
use std::process::{Command, Output};

/// How stdout is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// Byte for byte (clush's order is deterministic: `-b`, `-L`, `--diff`).
    Exact,
    /// Line by line once sorted (nodes race).
    Sorted,
}

/// clush's name made ours, in messages and usage lines.
pub(crate) fn ours(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace("clush", "cscomm")
}

/// Whether `line` is a progress update (`cscomm:  2/12`, in tree mode
/// `cscomm:  2/12 gw 1`, either followed by ` write: 68 B/s` while
/// standard input is written).
fn is_progress(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("cscomm:") else {
        return false;
    };
    let rest = match rest.split_once(" write: ") {
        Some((before, rate)) if rate.trim_end().ends_with("/s") => before,
        _ => rest,
    };
    let rest = rest.trim();
    let rest = match rest.split_once(" gw ") {
        Some((count, gateways)) if gateways.trim().parse::<u64>().is_ok() => count,
        _ => rest,
    };
    rest.contains('/') && rest.replace('/', "").trim().parse::<u64>().is_ok()
}

/// Lines of stderr with clush's name made ours, progress updates (and the
/// spaces that erase them) dropped; sorted.
pub(crate) fn stderr_lines(bytes: &[u8]) -> Vec<String> {
    let mut lines: Vec<String> = ours(bytes)
        .split(['\n', '\r'])
        .filter(|l| !l.trim().is_empty() && !is_progress(l))
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

/// The lines of `bytes`, clush's name made ours, sorted.
pub(crate) fn sorted(bytes: &[u8]) -> Vec<String> {
    let mut lines: Vec<String> = ours(bytes).lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

/// What differs between clush's run (`theirs`) and ours, one paragraph per
/// stream; `None` when they are the same.
pub(crate) fn differences(theirs: &Output, ours_: &Output, order: Order) -> Option<String> {
    let mut found = Vec::new();
    let stdout_same = match order {
        Order::Exact => ours(&ours_.stdout) == ours(&theirs.stdout),
        Order::Sorted => sorted(&ours_.stdout) == sorted(&theirs.stdout),
    };
    if !stdout_same {
        found.push(format!(
            "stdout:\n--- clush\n{}--- cscomm\n{}",
            ours(&theirs.stdout),
            ours(&ours_.stdout)
        ));
    }
    let (their_err, our_err) = (stderr_lines(&theirs.stderr), stderr_lines(&ours_.stderr));
    if their_err != our_err {
        found.push(format!(
            "stderr (sorted):\n--- clush\n{their_err:#?}\n--- cscomm\n{our_err:#?}"
        ));
    }
    if ours_.status.code() != theirs.status.code() {
        found.push(format!(
            "exit status: clush {:?}, cscomm {:?}",
            theirs.status.code(),
            ours_.status.code()
        ));
    }
    (!found.is_empty()).then(|| found.join("\n"))
}

/// Fails when `ours_` differs from `theirs` (see [`differences`]); `what`
/// names the case in the message.
pub(crate) fn assert_same_as_clush(theirs: &Output, ours_: &Output, order: Order, what: &str) {
    if let Some(diff) = differences(theirs, ours_, order) {
        panic!("{what}: cscomm differs from clush\n{diff}");
    }
}

/// Points `command` at the configuration directory `cfg` alone, as both
/// programs find it: `CLUSTERSHELL_CFGDIR`, and `XDG_CONFIG_HOME` and
/// `HOME` there too (no user file is read); `NO_COLOR` removed.
pub(crate) fn in_config<'c>(command: &'c mut Command, cfg: &Path) -> &'c mut Command {
    command
        .env("CLUSTERSHELL_CFGDIR", cfg)
        .env("XDG_CONFIG_HOME", cfg)
        .env("HOME", cfg)
        .env_remove("NO_COLOR")
}

/// Every file of `dir`'s `out` and `err` (`--outdir`/`--errdir`), by
/// relative path, with its bytes, sorted.
pub(crate) fn output_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for sub in ["out", "err"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let name = format!("{sub}/{}", path.file_name().unwrap().to_string_lossy());
            found.push((name, std::fs::read(&path).unwrap()));
        }
    }
    found.sort();
    found
}
