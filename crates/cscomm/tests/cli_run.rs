//! `cscomm run` against the real `clush` 1.10.1: the same command on the
//! same nodes over the same sshd gives the same output, messages and exit
//! code (clush's `clush:` prefix is ours `cscomm:`); and the `--local` demo.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::io::Write;
use std::process::{Command, Output, Stdio};

use cscomm_testkit::python::{Python, workspace_root};
use cscomm_testkit::sshd::Sshd;

mod common;

fn run(program: &mut Command, stdin: &[u8]) -> Output {
    let mut child = program
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// clush in direct mode with a configuration of its own (none of the
/// user's or the system's).
fn clush(sshd: &Sshd, args: &[&str], stdin: &[u8]) -> Output {
    let cfg = tempfile_dir("clush-cfg");
    let python = Python::clustershell();
    let mut command = Command::new(python.bin_dir().join("clush"));
    command
        .env("CLUSTERSHELL_CFGDIR", &cfg)
        .env("XDG_CONFIG_HOME", &cfg)
        .args(["-o", &sshd.ssh_options()])
        .args(args);
    run(&mut command, stdin)
}

/// cscomm run, without the user's or the system's topology either.
fn cscomm(sshd: &Sshd, args: &[&str], stdin: &[u8]) -> Output {
    let cfg = tempfile_dir("cscomm-cfg");
    let mut command = Command::new(env!("CARGO_BIN_EXE_cscomm"));
    command
        .env("CLUSTERSHELL_CFGDIR", &cfg)
        .env("XDG_CONFIG_HOME", &cfg)
        .arg("run")
        .args(["-o", &sshd.ssh_options()])
        .args(args);
    run(&mut command, stdin)
}

fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = workspace_root().join("target/cli-run-test").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The lines with clush's prefix made ours and progress updates
/// (`clush:  5/12\r`, which clush prints even without a terminal) removed.
fn lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes).replace("clush: ", "cscomm: ");
    text.lines()
        .map(|line| line.rsplit('\r').next().unwrap_or(line).to_owned())
        .filter(|line| !line.trim().is_empty())
        .collect()
}

/// [`lines`], sorted.
fn sorted_lines(bytes: &[u8]) -> Vec<String> {
    let mut lines = lines(bytes);
    lines.sort();
    lines
}

/// Same sorted stdout and stderr lines and the same exit code.
fn same_as_clush(args: &[&str], stdin: &[u8]) -> Output {
    let sshd = common::sshd();
    let theirs = clush(sshd, args, stdin);
    let ours = cscomm(sshd, args, stdin);
    assert_eq!(
        sorted_lines(&ours.stdout),
        sorted_lines(&theirs.stdout),
        "stdout of {args:?}"
    );
    assert_eq!(
        sorted_lines(&ours.stderr),
        sorted_lines(&theirs.stderr),
        "stderr of {args:?}"
    );
    assert_eq!(
        ours.status.code(),
        theirs.status.code(),
        "exit code of {args:?}"
    );
    ours
}

const WHO: &str = "set -- $SSH_CONNECTION; echo $3; echo err >&2; exit 3";

#[test]
fn line_mode_with_stderr_and_exit_codes() {
    let ours = same_as_clush(&["-w", "node[1-6]", WHO], b"");
    assert_eq!(String::from_utf8_lossy(&ours.stdout).lines().count(), 6);
    same_as_clush(&["-S", "-w", "node[1-3]", WHO], b"");
}

#[test]
fn gathered_output_is_identical() {
    let sshd = common::sshd();
    let args = [
        "-b",
        "-w",
        "node[1-8]",
        "echo same; echo $(( ${SSH_CONNECTION##* } * 0 ))",
    ];
    let theirs = clush(sshd, &args, b"");
    let ours = cscomm(sshd, &args, b"");
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        String::from_utf8_lossy(&theirs.stdout)
    );
    assert!(String::from_utf8_lossy(&ours.stdout).contains("node[1-8] (8)"));
}

#[test]
fn gathered_groups_are_ordered_as_clush_orders_them() {
    let sshd = common::sshd();
    // Output from the node's address (node3 and node11 share one), exit
    // code too in the first run: groups of sizes 1 to 2, several per code
    // in the second, whose first nodes sort as text (node10 < node3).
    for (nodes, exit) in [("node[1-12]", "exit ${3##*.}"), ("node[3,5,10-11]", "true")] {
        let command = format!("set -- $SSH_CONNECTION; echo $3; {exit}");
        let args = ["-b", "-S", "-w", nodes, &command];
        let theirs = clush(sshd, &args, b"");
        let ours = cscomm(sshd, &args, b"");
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout)
        );
        assert_eq!(sorted_lines(&ours.stderr), sorted_lines(&theirs.stderr));
        assert_eq!(ours.status.code(), theirs.status.code());
    }
}

#[test]
fn gathered_exit_messages_in_the_order_codes_were_first_seen() {
    // node1 ends last with 1, node2 and node10 first with 5.
    let command = "set -- $SSH_CONNECTION; [ ${3##*.} = 1 ] && { sleep 1; exit 1; }; exit 5";
    let args = ["-b", "-w", "node[1-2,10]", command];
    let sshd = common::sshd();
    let theirs = clush(sshd, &args, b"");
    let ours = cscomm(sshd, &args, b"");
    assert_eq!(ours.stdout, theirs.stdout);
    assert_eq!(lines(&ours.stderr), lines(&theirs.stderr));
    assert_eq!(
        lines(&ours.stderr),
        [
            "cscomm: node[2,10] (2): exited with exit code 5",
            "cscomm: node1: exited with exit code 1"
        ]
    );
}

#[test]
fn quiet_modes_gathered_stderr_and_a_last_line_without_newline() {
    let command = "echo x; echo e >&2; printf 'no newline'; exit 2";
    same_as_clush(&["-b", "-q", "-w", "node[1-4]", command], b"");
    same_as_clush(&["-b", "-S", "-w", "node[1-4]", command], b"");
    same_as_clush(&["-S", "-q", "-w", "node[1-2]", command], b"");
    same_as_clush(&["-q", "-w", "node[1-2]", command], b"");
}

#[test]
fn nodes_down_time_out_and_stdin() {
    same_as_clush(&["-S", "-w", "node1,down1", "echo up"], b"");
    same_as_clush(
        &[
            "-S",
            "-u",
            "1",
            "-w",
            "node[1-2]",
            "case ${SSH_CONNECTION##* } in *) sleep 5;; esac",
        ],
        b"",
    );
    same_as_clush(&["-w", "node[1-3]", "cat"], b"forwarded\nlines\n");
    same_as_clush(&["-x", "node2", "-w", "node[1-3]", "echo kept"], b"");
}

#[test]
fn the_local_demo_runs_the_whole_tree_on_this_machine() {
    let topology = workspace_root().join("examples/topology.conf");
    let mut command = Command::new(env!("CARGO_BIN_EXE_cscomm"));
    command
        .args(["run", "--local", "--topology"])
        .arg(&topology)
        .args([
            "-w",
            "node[1-64],leaf[1-8]",
            "-b",
            "echo from %h; printf '\\377 no newline'",
        ]);
    let output = run(&mut command, b"");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = output.stdout;
    for node in ["node1", "node64", "leaf8"] {
        let mut block =
            format!("---------------\n{node}\n---------------\nfrom {node}\n").into_bytes();
        block.extend_from_slice(b"\xff no newline\n");
        let found = stdout.windows(block.len()).any(|w| w == block.as_slice());
        assert!(
            found,
            "{node} block in {}",
            String::from_utf8_lossy(&stdout)
        );
    }
}
