//! `cscomm run --local` without a topology: every node is a local
//! `/bin/sh -c` run (`%h` is the node's name), so the output, messages and
//! exit codes of the CLI are checked without ssh. The formats are clush's
//! (checked against the real clush in `cli_run.rs`).
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use cscomm_testkit::python::workspace_root;

/// `cscomm run --local ARGS`, with `stdin` written to it (`None`: nothing
/// written, input closed) and no ClusterShell configuration found.
fn local(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let empty = workspace_root().join("target/cli-local-test/empty-cfg");
    std::fs::create_dir_all(&empty).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cscomm"))
        .args(["run", "--local"])
        .args(args)
        .env("CLUSTERSHELL_CFGDIR", &empty)
        .env("XDG_CONFIG_HOME", &empty)
        .env("HOME", &empty)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The lines of `bytes`, sorted (nodes end in any order).
fn sorted(bytes: &[u8]) -> Vec<String> {
    let mut lines: Vec<String> = text(bytes).lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

/// Exits with the node's number (`node3` exits 3).
const EXIT_N: &str = "n=%h; echo $n; exit ${n#node}";

#[test]
fn line_mode_labels_stdout_and_stderr_lines() {
    let out = local(&["-w", "node[1-3]", "echo out %h; echo err %h >&2"], None);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let want = |s: &str| {
        (1..=3)
            .map(|i| format!("node{i}: {s} node{i}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(sorted(&out.stdout), want("out"));
    assert_eq!(sorted(&out.stderr), want("err"));
}

#[test]
fn exit_codes_with_and_without_maxrc() {
    let messages: Vec<String> = (1..=3)
        .map(|i| format!("cscomm: node{i}: exited with exit code {i}"))
        .collect();
    // clush's rule: 0 without -S, the messages in any case.
    let plain = local(&["-w", "node[0-3]", EXIT_N], None);
    assert_eq!(code(&plain), 0);
    assert_eq!(sorted(&plain.stderr), messages);
    assert_eq!(sorted(&plain.stdout).len(), 4);
    let quiet = local(&["-q", "-w", "node[0-3]", EXIT_N], None);
    assert_eq!(code(&quiet), 0);
    assert_eq!(sorted(&quiet.stderr), messages);
    // -S: the largest return code; -S -q: no message.
    let maxrc = local(&["-S", "-w", "node[0-3]", EXIT_N], None);
    assert_eq!(code(&maxrc), 3);
    assert_eq!(sorted(&maxrc.stderr), messages);
    let silent = local(&["-S", "-q", "-w", "node[0-3]", EXIT_N], None);
    assert_eq!(code(&silent), 3);
    assert_eq!(text(&silent.stderr), "");
}

#[test]
fn gathered_blocks_by_return_code_then_size() {
    let command = "n=%h; n=${n#node}; echo same; [ $n -gt 2 ] && echo big; \
                   [ $n -gt 4 ] && exit 1; echo err >&2; exit 0";
    let out = local(&["-b", "-w", "node[1-6]", command], None);
    assert_eq!(code(&out), 0);
    let sep = "---------------";
    let want = format!(
        "{sep}\nnode[1-2] (2)\n{sep}\nsame\n\
         {sep}\nnode[3-4] (2)\n{sep}\nsame\nbig\n\
         {sep}\nnode[5-6] (2)\n{sep}\nsame\nbig\n"
    );
    assert_eq!(text(&out.stdout), want);
    // Standard error lines are shown as they come, then the exit codes.
    let mut errors: Vec<String> = (1..=4).map(|i| format!("node{i}: err")).collect();
    errors.insert(
        0,
        "cscomm: node[5-6] (2): exited with exit code 1".to_owned(),
    );
    assert_eq!(sorted(&out.stderr), errors);
    // -q: no node counts.
    let quiet = local(&["-b", "-q", "-w", "node[1-2]", "echo same"], None);
    assert_eq!(
        text(&quiet.stdout),
        format!("{sep}\nnode[1-2]\n{sep}\nsame\n")
    );
}

#[test]
fn gathered_groups_of_one_size_sort_by_first_node_name_as_text() {
    let out = local(&["-b", "-w", "node[2,10]", "echo %h"], None);
    let sep = "---------------";
    assert_eq!(
        text(&out.stdout),
        format!("{sep}\nnode10\n{sep}\nnode10\n{sep}\nnode2\n{sep}\nnode2\n")
    );
}

#[test]
fn command_timeout_messages_and_exit_code() {
    let started = Instant::now();
    let out = local(&["-u", "1", "-w", "node[1-2]", "sleep 10"], None);
    assert!(started.elapsed() < Duration::from_secs(8));
    assert_eq!(code(&out), 0);
    assert_eq!(text(&out.stderr), "cscomm: node[1-2]: command timeout\n");
    let maxrc = local(
        &["-S", "-b", "-u", "1", "-w", "node[1-2]", "sleep 10"],
        None,
    );
    assert_eq!(code(&maxrc), 255);
    assert_eq!(text(&maxrc.stderr), "cscomm: node[1-2]: command timeout\n");
}

#[test]
fn stdin_is_forwarded_to_every_node_unless_disabled() {
    let out = local(&["-w", "node[1-2]", "cat"], Some(b"one\ntwo\n"));
    assert_eq!(
        sorted(&out.stdout),
        ["node1: one", "node1: two", "node2: one", "node2: two"]
    );
    let none = local(&["-n", "-w", "node[1-2]", "cat; echo done"], Some(b"one\n"));
    assert_eq!(sorted(&none.stdout), ["node1: done", "node2: done"]);
}

#[test]
fn bytes_are_written_exactly_and_a_last_line_gets_its_newline() {
    let command = r"printf '\377\376 raw\nlast'";
    let out = local(&["-w", "node1", command], None);
    assert_eq!(out.stdout, b"node1: \xff\xfe raw\nnode1: last\n");
    let gathered = local(&["-b", "-w", "node1", command], None);
    let sep = b"---------------";
    let mut want = Vec::new();
    for part in [&sep[..], b"\nnode1\n", sep, b"\n\xff\xfe raw\nlast\n"] {
        want.extend_from_slice(part);
    }
    assert_eq!(gathered.stdout, want);
}

#[test]
fn excluded_nodes_do_not_run() {
    let out = local(
        &[
            "-w",
            "node[1-5]",
            "-x",
            "node[2-3]",
            "-w",
            "other",
            "echo %h",
        ],
        None,
    );
    assert_eq!(
        sorted(&out.stdout),
        [
            "node1: node1",
            "node4: node4",
            "node5: node5",
            "other: other"
        ]
    );
}

#[test]
fn bad_node_sets_and_groups_without_sources_are_refused() {
    // clush's words; without any groups.conf there is no default source.
    let cases = [
        (
            "node[1-",
            "cscomm: Parse error: missing bracket: \"node[1-\"\n",
        ),
        ("@compute", "cscomm: Unknown group source: \"<default>\"\n"),
    ];
    for (nodes, message) in cases {
        let out = local(&["-w", nodes, "true"], None);
        assert_eq!(code(&out), 1, "{nodes}");
        assert_eq!(text(&out.stderr), message);
        assert_eq!(out.stdout, b"");
    }
}
