//! The output options of `cscomm run` against the real clush 1.10.1:
//! `clush -R exec` (its local worker) and `cscomm run --local` run the
//! same commands on the same nodes, with each of `-b`, `-B`, `-L`, `-bL`,
//! `-N`, `--diff`, `--color`, `-v`, `-q`, `-S` and their combinations, and
//! must print the same (stdout exactly where clush's order is
//! deterministic, sorted where nodes race), the same sorted stderr (clush's
//! `clush:` made ours, its progress updates dropped) and exit with the same
//! code; `--outdir`/`--errdir` must write the same files.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod parity_support;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use cscomm_testkit::python::{Python, workspace_root};
use parity_support::{Order, assert_same_as_clush, in_config, output_files, sorted};

/// A command whose output differs per node: n2 prints one line less, n3
/// exits 1 before its last line; every node writes a line on stderr.
const MIXED: &str =
    "echo a; [ %h = n2 ] || echo %h; echo err %h >&2; [ %h = n3 ] && exit 1; echo b";

/// An empty configuration directory (neither side reads the user's).
fn empty_config(name: &str) -> PathBuf {
    let dir = workspace_root()
        .join("target/clush-parity-output")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(mut command: Command, name: &str) -> Output {
    let cfg = empty_config(name);
    in_config(&mut command, &cfg)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn clush(args: &[&str]) -> Output {
    let mut command = Command::new(Python::clustershell().bin_dir().join("clush"));
    command.args(["-R", "exec"]).args(args);
    run(command, "clush")
}

fn cscomm(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cscomm"));
    command.args(["run", "--local"]).args(args);
    run(command, "cscomm")
}

/// Both programs on `args`; stdout compared exactly when `ordered`.
fn same_as_clush(args: &[&str], ordered: bool) {
    let order = if ordered { Order::Exact } else { Order::Sorted };
    assert_same_as_clush(&clush(args), &cscomm(args), order, &format!("{args:?}"));
}

#[test]
fn gathered_modes_print_as_clush() {
    for options in [
        &["-b"][..],
        &["-B"],
        &["-b", "-N"],
        &["-b", "-q"],
        &["-b", "-S"],
        &["-b", "-S", "-q"],
        &["-b", "-v"],
        &["-b", "--color=always"],
        &["-b", "--color=never"],
    ] {
        let mut args = options.to_vec();
        args.extend(["-w", "n[1-12]", MIXED]);
        // -v also prints each line as it comes, in the order nodes race.
        same_as_clush(&args, !options.contains(&"-v"));
    }
}

#[test]
fn line_ordered_and_live_gathered_modes_print_as_clush() {
    for options in [
        &["-L"][..],
        &["-L", "-N"],
        &["-L", "-S"],
        &["-L", "--color=always"],
        &["-b", "-L"],
        &["-b", "-L", "--color=always"],
    ] {
        let mut args = options.to_vec();
        args.extend(["-w", "n[1-12]", MIXED]);
        same_as_clush(&args, true);
    }
}

#[test]
fn diffs_between_gathered_outputs_are_clushs() {
    for options in [
        &["--diff"][..],
        &["--diff", "--color=always"],
        &["--diff", "-q"],
    ] {
        let mut args = options.to_vec();
        args.extend(["-w", "n[1-12]", MIXED]);
        same_as_clush(&args, true);
    }
    // Nodes without any output are diffed as empty.
    same_as_clush(&["--diff", "-w", "n[1-5]", "[ %h = n4 ] || echo %h"], true);
}

#[test]
fn line_mode_labels_colours_and_quiet_as_clush() {
    for options in [
        &[][..],
        &["-N"],
        &["-q"],
        &["-S"],
        &["-S", "-q"],
        &["--color=always"],
    ] {
        let mut args = options.to_vec();
        args.extend(["-w", "n[1-12]", MIXED]);
        same_as_clush(&args, false);
    }
}

#[test]
fn output_directories_hold_the_same_files_as_clushs() {
    let root = workspace_root().join("target/clush-parity-output/dirs");
    let _ = std::fs::remove_dir_all(&root);
    let dirs = |who: &str| -> [String; 4] {
        let dir = root.join(who);
        [
            "--outdir".into(),
            dir.join("out").display().to_string(),
            "--errdir".into(),
            dir.join("err").display().to_string(),
        ]
    };
    // n2 prints nothing at all: its files exist, empty.
    let command = "[ %h = n2 ] && exit 0; echo out %h; echo err %h >&2; printf 'no newline'";
    let (theirs_dirs, ours_dirs) = (dirs("clush"), dirs("cscomm"));
    let with = |d: &[String; 4]| -> Vec<String> {
        let mut args: Vec<String> = d.to_vec();
        args.extend(["-w".into(), "n[1-4]".into(), command.into()]);
        args
    };
    let theirs_args = with(&theirs_dirs);
    let ours_args = with(&ours_dirs);
    let theirs = clush(&theirs_args.iter().map(String::as_str).collect::<Vec<_>>());
    let ours = cscomm(&ours_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(ours.status.code(), theirs.status.code());
    assert_eq!(sorted(&ours.stdout), sorted(&theirs.stdout));
    let ours_files = output_files(&root.join("cscomm"));
    assert_eq!(ours_files, output_files(&root.join("clush")));
    assert_eq!(ours_files.len(), 8);
    assert!(ours_files.contains(&("out/n2".into(), Vec::new())));
    assert!(ours_files.contains(&("out/n1".into(), b"out n1\nno newline\n".to_vec())));
}

/// The program run in a pseudo-terminal (`peer/pty_session.py`, nothing
/// typed) with an empty configuration; its terminal text, `\r` dropped.
fn in_terminal(name: &str, program: Command) -> String {
    let cfg = empty_config(name);
    let lines = cfg.join("no-lines");
    std::fs::write(&lines, "").unwrap();
    let driver = workspace_root().join("crates/cscomm/tests/peer/pty_session.py");
    let mut command = Python::clustershell().command();
    command
        .arg(driver)
        .arg("no prompt")
        .arg(&lines)
        .arg(program.get_program())
        .args(program.get_args());
    let out = run(command, name);
    String::from_utf8_lossy(&out.stdout).replace('\r', "")
}

/// With no `--color` and no `color` key, output to a terminal is coloured
/// as clush colours it with its packaged `clush.conf` (`color: auto`, the
/// one of the peer's environment); into a pipe it is not (the other tests).
#[test]
fn a_terminal_gets_colours_by_default_as_with_clushs_packaged_conf() {
    for options in [&["-b"][..], &["-L"], &["-b", "-S"]] {
        let mut theirs = Command::new(Python::clustershell().bin_dir().join("clush"));
        theirs.args(["-R", "exec"]).args(options);
        let mut ours = Command::new(env!("CARGO_BIN_EXE_cscomm"));
        ours.args(["run", "--local"]).args(options);
        for command in [&mut theirs, &mut ours] {
            command.args(["-w", "n[1-3]", "echo hi; [ %h = n2 ] && exit 3; true"]);
        }
        let (theirs, ours) = (
            in_terminal("tty-clush", theirs),
            in_terminal("tty-cscomm", ours),
        );
        assert!(theirs.contains("\x1b["), "clush did not colour: {theirs:?}");
        assert_eq!(ours.replace("cscomm", "clush"), theirs, "{options:?}");
    }
}
