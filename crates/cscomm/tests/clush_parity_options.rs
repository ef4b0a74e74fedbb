//! The options of issue 13 against the real clush 1.10.1: `-r`, `-G`,
//! `--axis`, `-P`, `-R`, `--remote` and the `clush.conf` keys
//! `command_prefix`, `history_size`, `password_prompt`, `fd_max`, and in
//! flat mode `-R ssh` and `--remote` through a stand-in ssh. Both
//! programs get the very same arguments (`clush ARGS` and `cscomm run
//! ARGS`, each with `-R exec`: commands run here once per node) on the
//! same configuration directory (`groups.conf` with a source that lists
//! its groups and one that reverses nodes). Stdout must be the same
//! (exactly where clush's order is deterministic, sorted where nodes
//! race), stderr the same once sorted (clush's name made ours, its progress
//! updates dropped except where `-P` is the subject) and the exit status
//! the same. The matrix is in `docs/CLUSH-PARITY.md`.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod parity_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use cscomm_testkit::python::{Python, workspace_root};
use parity_support::{Order, assert_same_as_clush, in_config, ours, sorted};

const GROUPS_CONF: &str = "\
[Main]
default: local

[local]
map: sed -n 's/^$GROUP:\\(.*\\)/\\1/p' $CFGDIR/local.cfg
all: sed -n 's/^all:\\(.*\\)/\\1/p' $CFGDIR/local.cfg
list: sed -n 's/^\\([0-9A-Za-z_-]*\\):.*/\\1/p' $CFGDIR/local.cfg

[rev]
map: sed -n 's/^$GROUP:\\(.*\\)/\\1/p' $CFGDIR/local.cfg
list: sed -n 's/^\\([0-9A-Za-z_-]*\\):.*/\\1/p' $CFGDIR/local.cfg
reverse: case $NODE in n[1-4]) echo rack1 compute;; n*) echo rack2 compute;; login*) echo login;; esac
";

const LOCAL_CFG: &str = "\
compute: n[1-8]
login: login[1-2]
rack1: n[1-4]
rack2: n[5-8]
pair: n[1-2]
one: n7
all: n[1-8],login[1-2]
";

/// A stand-in ssh (`ssh_path`): says it was used, then runs the command
/// here.
const FAKE_SSH: &str = "#!/bin/sh
while [ $# -gt 2 ]; do shift; done
echo \"ssh to $1\"
exec /bin/sh -c \"$2\"
";

/// n3 prints one more line, n5 exits 2: three gathered blocks.
const MIXED: &str = "echo hi; [ %h = n3 ] && echo other; [ %h = n5 ] && exit 2; true";

/// Nodes of the regrouping cases: groups of both sources, and x1 in none.
const GROUPED: &str = "n[1-8],login[1-2],x1";

/// 2D nodes for --axis, and 1D ones beside them.
const ND: &str = "n[1-2]p[1-3],a[1-3],b";

/// n1p2 exits 3: two blocks.
const ND_CMD: &str = "echo hi; [ %h = n1p2 ] && exit 3; true";

/// The configuration directory, written once per test run.
fn cfgdir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = workspace_root().join(format!(
            "target/clush-parity-options/{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("groups.conf"), GROUPS_CONF).unwrap();
        std::fs::write(dir.join("local.cfg"), LOCAL_CFG).unwrap();
        let fake = dir.join("fakessh");
        std::fs::write(&fake, FAKE_SSH).unwrap();
        std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let conf = format!("[Main]\nssh_path: {}\n", fake.display());
        std::fs::write(dir.join("clush.conf"), conf).unwrap();
        dir
    })
}

fn run(mut command: Command) -> Output {
    let cfg = cfgdir();
    in_config(&mut command, cfg)
        .current_dir(cfg)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn clush(args: &[&str]) -> Output {
    let mut command = Command::new(Python::clustershell().bin_dir().join("clush"));
    command.args(args);
    run(command)
}

fn cscomm(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cscomm"));
    command.arg("run").args(args);
    run(command)
}

/// Both programs on `args` (after `-R exec`); stdout compared exactly
/// when `ordered`.
fn same_as_clush(args: &[&str], ordered: bool) {
    let args: Vec<&str> = ["-R", "exec"].iter().chain(args).copied().collect();
    let order = if ordered { Order::Exact } else { Order::Sorted };
    assert_same_as_clush(&clush(&args), &cscomm(&args), order, &format!("{args:?}"));
}

/// `options` then the targets and the command, compared in order.
fn case(options: &[&str], nodes: &str, command: &str) {
    let mut args = options.to_vec();
    args.extend(["-w", nodes, command]);
    same_as_clush(&args, true);
}

#[test]
fn regroup_writes_gathered_headers_with_node_groups() {
    for options in [
        &["-r", "-b"][..],
        &["-r", "-B"],
        &["-r", "-b", "-S"],
        &["-r", "-b", "-q"],
        &["-r", "-b", "-N"],
        &["-r", "-s", "local", "-b"],
        &["-r", "-s", "local", "-G", "-b"],
        &["--regroup", "--groupbase", "-s", "local", "--dshbak"],
        &["-r", "-s", "rev", "-b"],
        &["-r", "-s", "rev", "-G", "-b"],
        &["-G", "-b"],
        &["-G", "-s", "local", "-b"],
        &["-r", "-L"],
        &["-r", "-b", "-L"],
        &["-r", "-s", "rev", "-b", "-L"],
        &["-r", "--diff"],
        &["-r", "-b", "--color=always"],
    ] {
        case(options, GROUPED, MIXED);
    }
    // A set folding into no group is written as it is.
    case(&["-r", "-b"], "x[1-3]", "echo hi");
    let out = cscomm(&[
        "-R", "exec", "-r", "-s", "local", "-b", "-w", GROUPED, MIXED,
    ]);
    assert!(ours(&out.stdout).contains("@local:login,@local:one,@local:pair,n[4,6,8],x1 (9)"));
}

#[test]
fn axis_folds_nd_node_sets_along_the_named_axes() {
    for options in [
        &["--axis", "1", "-b"][..],
        &["--axis", "2", "-b"],
        &["--axis", "-1", "-b"],
        &["--axis", "0", "-b"],
        &["--axis", "1-2", "-b"],
        &["--axis", "3", "-b"],
        &["--axis", "2", "-b", "-S"],
        &["--axis", "1", "-L"],
        &["--axis", "2", "-b", "-L"],
        &["--axis", "2", "--diff"],
        &["--axis", "2", "-b", "-r"],
        &["--axis", "1", "--axis", "2", "-b"],
    ] {
        case(options, ND, ND_CMD);
    }
    // Exit-code messages follow --axis without -b too.
    let args = ["--axis", "2", "-w", ND, "echo hi; [ %h = n1p2 ] || exit 4"];
    same_as_clush(&args, false);
}

#[test]
fn bad_axis_values_are_clushs_parse_errors() {
    for value in ["foo", "1-x", "-x", "1,,2", "2-1", ""] {
        case(&["--axis", value, "-b"], ND, "echo hi");
    }
}

/// Stderr with its erasing runs of spaces (as wide as the progress line,
/// whose program name differs) written `<erase>`.
fn erased(bytes: &[u8]) -> String {
    ours(bytes)
        .split('\r')
        .map(|part| {
            if !part.is_empty() && part.trim().is_empty() {
                "<erase>"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("\r")
}

#[test]
fn progress_is_shown_and_finalized_as_clushs_without_a_terminal() {
    // n2 is slow enough (> 1.33 s) for the progress line to show.
    let command = "echo hi; [ %h = n2 ] && sleep 2; true";
    for options in [&["-P"][..], &["-P", "-b"], &["-P", "-L"], &["-P", "-q"]] {
        let mut args = vec!["-R", "exec"];
        args.extend(options);
        args.extend(["-w", "n[1-3]", command]);
        let (theirs, ours_) = (clush(&args), cscomm(&args));
        assert_eq!(
            erased(&ours_.stderr),
            erased(&theirs.stderr),
            "stderr of {args:?}"
        );
        assert_eq!(
            sorted(&ours_.stdout),
            sorted(&theirs.stdout),
            "stdout of {args:?}"
        );
        assert_eq!(ours_.status.code(), theirs.status.code());
    }
}

#[test]
fn workers_and_remote_as_clush() {
    for options in [
        &["-b"][..],
        &["-R", "EXEC", "-b"],
        &["--worker", "exec", "-b"],
        &["-R", "ssh", "-R", "exec", "-b"],
        &["--remote=no", "-b"],
        &["--remote", "yes", "-b"],
        &["--remote=no", "--remote=yes", "-b"],
        &["-R", "foo", "-b"],
        &["-R", "os", "-b"],
        &["--remote=maybe", "-b"],
        &["--remote", "", "-b"],
    ] {
        case(options, "n[1-4]", "echo %h %n; echo %{host}");
    }
}

#[test]
fn clush_conf_keys_as_clush() {
    for options in [
        &["-O", "command_prefix=echo \"a  b\" 'c'", "-b"][..],
        &["-O", "command_prefix=echo", "-v", "-b"],
        &["-O", "command_prefix=echo \"it's\" a\\\\b", "-v", "-b"],
        &["-O", "command_prefix=echo 'x", "-b"],
        &["-O", "history_size=lots", "-b"],
        &["-O", "history_size=7", "-b"],
        &["-O", "fd_max=lots", "-b"],
        &["-O", "fd_max=1024", "-b"],
        &["-O", "password_prompt=maybe", "-b"],
        &["-O", "scp_path=/bin/false", "-O", "rsh_path=x", "-b"],
    ] {
        let mut args = options.to_vec();
        args.extend(["-w", "n[1-3]", "hi %h"]);
        // -v also prints each line as it comes, in the order nodes race.
        same_as_clush(&args, !options.contains(&"-v"));
    }
}

/// `fd_max` sets the open files soft limit (the nodes' commands, run
/// here, inherit it), down or up to the hard limit, with clush's -v and -d
/// lines.
#[test]
fn fd_max_sets_the_open_files_soft_limit_as_clush() {
    let hard = String::from_utf8(
        Command::new("sh")
            .args(["-c", "ulimit -Hn"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let above = hard
        .trim()
        .parse::<u64>()
        .map_or("99999999".to_owned(), |h| (h + 1).to_string());
    let fd_max = format!("fd_max={above}");
    for options in [
        &["-b"][..],
        &["-O", "fd_max=100", "-b"],
        &["-O", &fd_max, "-v", "-b"],
    ] {
        let mut args = options.to_vec();
        args.extend(["-w", "n[1-2]", "ulimit -Sn"]);
        // -v also prints each line as it comes.
        same_as_clush(&args, !options.contains(&"-v"));
    }
    // -d: clush prints much more (its library's traces), but this line too.
    let args = ["-R", "exec", "-O", "fd_max=200", "-d", "-w", "n1", "true"];
    let (theirs, ours_) = (clush(&args), cscomm(&args));
    let (theirs, ours_) = (ours(&theirs.stdout), ours(&ours_.stdout));
    let line = theirs
        .lines()
        .find(|l| l.starts_with("Changing max open files soft limit from "))
        .unwrap();
    assert!(line.ends_with(" to 200"), "{line}");
    assert!(ours_.lines().any(|l| l == line), "{ours_}");
}

#[test]
fn ssh_worker_and_remote_no_in_flat_mode_as_clush() {
    for options in [
        &["-R", "ssh", "-b"][..],
        &["-R", "ssh", "--remote=no", "-b"],
        &[
            "-R",
            "ssh",
            "-R",
            "ssh",
            "--remote=no",
            "--remote=yes",
            "-b",
        ],
        &["-R", "ssh", "-L"],
    ] {
        case(options, "n[1-3]", "echo on %h");
    }
    // Without -R (clush's default worker), --remote=no runs each node's
    // command here with %h substituted: no ssh; with it, ssh.
    for args in [
        &["--remote=no", "-b", "-w", "n[1-3]", "echo on %h"][..],
        &["-b", "-w", "n[1-3]", "echo on %h"],
    ] {
        let (theirs, ours_) = (clush(args), cscomm(args));
        assert_eq!(
            ours(&ours_.stdout),
            ours(&theirs.stdout),
            "stdout of {args:?}"
        );
        assert_eq!(ours_.status.code(), theirs.status.code());
        let ssh = args[0] != "--remote=no";
        assert_eq!(ours(&ours_.stdout).contains("ssh to"), ssh, "{args:?}");
    }
}
