//! `cscomm run` with no command against the real clush 1.10.1 with none.
//!
//! On a terminal (a pseudo-terminal driven by `peer/pty_session.py`, which
//! types each line at the prompt), `clush -R exec` and `cscomm run --local`
//! get the same scripts of commands and special commands (`=`, `+nodes`,
//! `-nodes`, `@nodes`, `?`, `!cmd`, `quit`, Ctrl-D, Ctrl-C, bad node sets,
//! empty lines) and must show the same terminal text (terminal controls
//! aside, `clush` read as `cscomm`, each command's lines sorted where nodes
//! race) and exit with the same status. With standard input a pipe, clush
//! has no interactive mode: it runs the empty command with its input
//! forwarded and ssh's `-T`; a stand-in ssh shows both do the same.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use cscomm_testkit::python::{Python, workspace_root};

/// A configuration directory of its own (neither side reads the user's),
/// with `clush.conf` holding `conf`; also the sessions' `$HOME`.
fn config_dir(name: &str, conf: &str) -> PathBuf {
    let dir = workspace_root()
        .join("target/clush-parity-interactive")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("clush.conf"), format!("[Main]\n{conf}")).unwrap();
    dir
}

fn isolated(command: &mut Command, dir: &Path) {
    command
        .env("CLUSTERSHELL_CFGDIR", dir)
        .env("XDG_CONFIG_HOME", dir)
        .env("HOME", dir)
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
}

fn clush_program() -> Vec<String> {
    let clush = Python::clustershell().bin_dir().join("clush");
    vec![clush.display().to_string(), "-R".into(), "exec".into()]
}

fn cscomm_program() -> Vec<String> {
    let cscomm = env!("CARGO_BIN_EXE_cscomm");
    vec![cscomm.into(), "run".into(), "--local".into()]
}

/// The program run in a pseudo-terminal, `lines` typed at `prompt`; the
/// terminal's text and the exit status.
fn in_terminal(name: &str, program: &[String], prompt: &str, lines: &[&str]) -> (String, i32) {
    // Tests run in parallel: each session has a directory of its own.
    static SESSIONS: AtomicUsize = AtomicUsize::new(0);
    let n = SESSIONS.fetch_add(1, Ordering::Relaxed);
    in_terminal_at(
        &config_dir(&format!("{name}-{n}"), ""),
        program,
        prompt,
        lines,
    )
}

/// [`in_terminal`] with `dir` as configuration directory and `$HOME`.
fn in_terminal_at(dir: &Path, program: &[String], prompt: &str, lines: &[&str]) -> (String, i32) {
    let script = dir.join("lines");
    std::fs::write(&script, lines.join("\n") + "\n").unwrap();
    let driver = workspace_root().join("crates/cscomm/tests/peer/pty_session.py");
    let mut command = Python::clustershell().command();
    command.arg(driver).arg(prompt).arg(&script).args(program);
    isolated(&mut command, dir);
    if prompt == "clush> " {
        // clush can lose the signal that shows its prompt (pty_session.py).
        command.env("PTY_SESSION_NUDGE", "1");
    }
    let output = command.stdin(Stdio::null()).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (text, status) = text.rsplit_once("\nexit: ").unwrap();
    (text.to_owned(), status.trim().parse().unwrap())
}

/// The text without terminal controls and carriage returns, `clush` read
/// as `cscomm`; the lines between two prompts sorted (nodes race).
fn normalized(text: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            // Parameters, then one final letter.
            for p in chars.by_ref() {
                if p.is_ascii_alphabetic() {
                    break;
                }
            }
        } else if c != '\r' {
            plain.push(c);
        }
    }
    let plain = plain.replace("clush", "cscomm");
    let mut blocks: Vec<Vec<String>> = vec![Vec::new()];
    for line in plain.lines() {
        if line.starts_with("cscomm> ") {
            blocks.push(Vec::new());
        }
        blocks.last_mut().unwrap().push(line.to_owned());
    }
    blocks
        .into_iter()
        .flat_map(|mut block| {
            block[1..].sort();
            block
        })
        .collect()
}

/// Both programs in a terminal with `args` and the typed `lines`.
fn same_session(args: &[&str], lines: &[&str]) {
    let with = |mut program: Vec<String>| {
        program.extend(args.iter().map(|a| (*a).to_owned()));
        program
    };
    let (theirs, their_status) = in_terminal("clush", &with(clush_program()), "clush> ", lines);
    let (ours, our_status) = in_terminal("cscomm", &with(cscomm_program()), "cscomm> ", lines);
    assert_eq!(
        normalized(&ours),
        normalized(&theirs),
        "terminal of {args:?} {lines:?}"
    );
    assert_eq!(
        our_status, their_status,
        "exit status of {args:?} {lines:?}"
    );
}

/// The special commands of the matrix, in one session.
const SPECIALS: &[&str] = &[
    "echo hi %h",
    "=",
    "echo same",
    "+n5",
    "?",
    "-n1",
    "echo %h",
    "@N[7-8]",
    "@",
    "+[bad",
    "",
    "!echo here %h",
    "+n[1-2]",
    "=",
    "echo %h >&2",
    "QUIT",
];

#[test]
fn special_commands_as_clush() {
    same_session(&["-w", "n[1-2]", "--color=never"], SPECIALS);
}

#[test]
fn output_options_stay_in_the_session() {
    let script = &[
        "echo a; echo %h",
        "=",
        "echo a; echo %h",
        "!echo local; exit 2",
        "quit",
    ];
    for options in [
        &["-b"][..],
        &["-B"],
        &["-L"],
        &["-b", "-L"],
        &["-N"],
        &["-q"],
        &["-v"],
        &["-b", "-q"],
        &["-S"],
    ] {
        let mut args = vec!["-w", "n[1-3]", "--color=never"];
        args.extend_from_slice(options);
        same_session(&args, script);
    }
}

#[test]
fn the_status_is_the_last_commands_with_maxrc() {
    for options in [&["-S"][..], &[]] {
        let mut args = vec!["-w", "n[1-2]", "--color=never"];
        args.extend_from_slice(options);
        same_session(&args, &["exit 3", "[ %h = n2 ] && exit 5", "quit"]);
        same_session(&args, &["exit 3", "<EOF>"]);
        same_session(&args, &["exit 4", "!exit 6", "quit"]);
    }
}

#[test]
fn a_quit_in_the_middle_ends_the_session() {
    same_session(
        &["-w", "n1", "--color=never"],
        &["echo one", "quit", "echo never"],
    );
    same_session(
        &["-w", "n1", "--color=never"],
        &["echo one", "<EOF>", "echo never"],
    );
}

/// Ctrl-C at the prompt: clush's message and status (130), read from its
/// source (its own session in a pseudo-terminal does not end reliably).
#[test]
fn ctrl_c_at_the_prompt_ends_the_session() {
    let program = cscomm_program_with(&["-w", "n1"]);
    let (text, status) = in_terminal("ctrl-c", &program, "cscomm> ", &["echo one", "\x03"]);
    assert_eq!(status, 130);
    assert_eq!(normalized(&text).last().unwrap(), "Keyboard interrupt.");
}

#[test]
fn nostdin_and_a_pipe_for_output_are_errors_on_a_terminal() {
    same_session(&["-w", "n1", "-n"], &[]);
    // Standard output a pipe: clush refuses the interactive mode.
    let through_cat = |program: Vec<String>| {
        let words: Vec<String> = program.iter().map(|w| format!("'{w}'")).collect();
        vec![
            "sh".to_owned(),
            "-c".to_owned(),
            format!("{} -w n1 | cat", words.join(" ")),
        ]
    };
    let (theirs, their_status) = in_terminal("clush", &through_cat(clush_program()), "> ", &[]);
    let (ours, our_status) = in_terminal("cscomm", &through_cat(cscomm_program()), "> ", &[]);
    assert_eq!(normalized(&ours), normalized(&theirs));
    assert_eq!(
        normalized(&ours),
        ["ERROR: interactive mode requires a tty"]
    );
    // `sh` exits with `cat`'s status; both must have printed the error.
    assert_eq!(our_status, their_status);
}

#[test]
fn lines_are_kept_in_the_history_file() {
    let lines = ["echo first", "=", "echo second", "quit"];
    let dir = config_dir("history", "history_size: 2\n");
    let program = cscomm_program_with(&["-w", "n1"]);
    let (_, status) = in_terminal_at(&dir, &program, "cscomm> ", &lines);
    assert_eq!(status, 0);
    let history = std::fs::read_to_string(dir.join(".cscomm_history")).unwrap();
    let kept: Vec<&str> = history.lines().filter(|l| !l.starts_with('#')).collect();
    // Saved before each remote command, as clush saves it: `quit` is not.
    // clush.conf's history_size (2 here) bounds it.
    assert_eq!(kept, ["=", "echo second"]);
}

fn cscomm_program_with(args: &[&str]) -> Vec<String> {
    let mut program = cscomm_program();
    program.extend(args.iter().map(|a| (*a).to_owned()));
    program
}

#[test]
fn tree_mode_sessions_show_what_flat_ones_show() {
    let topology = workspace_root().join("examples/topology.conf");
    let lines = ["echo %h", "=", "echo same", "-node2", "echo %h", "quit"];
    let flat = cscomm_program_with(&["-w", "node[1-3]"]);
    let mut tree = cscomm_program_with(&["--topology", topology.to_str().unwrap()]);
    tree.extend(["--root", "admin", "-w", "node[1-3]"].map(str::to_owned));
    let (flat_text, flat_status) = in_terminal("flat", &flat, "cscomm> ", &lines);
    let (tree_text, tree_status) = in_terminal("tree", &tree, "cscomm> ", &lines);
    assert_eq!(normalized(&tree_text), normalized(&flat_text));
    assert!(normalized(&tree_text).contains(&"node3: node3".to_owned()));
    assert_eq!((tree_status, flat_status), (0, 0));
}

/// A stand-in for ssh: its options on stderr, then a shell reading its
/// standard input, as a remote login shell does with no command.
const FAKE_SSH: &str = "#!/bin/sh\necho \"argv: $*\" >&2\nexec sh\n";

/// A program with no command and `stdin` piped in, through `ssh`.
fn piped(name: &str, mut program: Vec<String>, args: &[&str], stdin: &str) -> Output {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, Ordering::Relaxed);
    let dir = config_dir(&format!("{name}-{n}"), "");
    let ssh = dir.join("fake-ssh");
    std::fs::write(&ssh, FAKE_SSH).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
    std::fs::set_permissions(&ssh, mode).unwrap();
    let conf = format!("ssh_path: {}\n", ssh.display());
    std::fs::write(dir.join("clush.conf"), format!("[Main]\n{conf}")).unwrap();
    program.extend(args.iter().map(|a| (*a).to_owned()));
    let mut command = Command::new(&program[0]);
    command.args(&program[1..]);
    isolated(&mut command, &dir);
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut input, stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn sorted(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes).replace("clush", "cscomm");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

#[test]
fn a_piped_script_is_read_by_the_remote_shells() {
    let clush = vec![
        Python::clustershell()
            .bin_dir()
            .join("clush")
            .display()
            .to_string(),
    ];
    let cscomm = vec![env!("CARGO_BIN_EXE_cscomm").to_owned(), "run".to_owned()];
    let scripts = [
        "echo hi\n=\n+n5\n-n1\n@\n!echo hi\nquit\necho after\n",
        "\n\necho %h; exit 3\n",
        "",
    ];
    for script in scripts {
        for options in [&[][..], &["-b"], &["-S"], &["-L", "-S"]] {
            let mut args = vec!["-w", "n[1-3]", "-t", "10"];
            args.extend_from_slice(options);
            let theirs = piped("clush-pipe", clush.clone(), &args, script);
            let ours = piped("cscomm-pipe", cscomm.clone(), &args, script);
            let what = format!("{options:?} {script:?}");
            assert_eq!(
                sorted(&ours.stdout),
                sorted(&theirs.stdout),
                "stdout {what}"
            );
            assert_eq!(
                sorted(&ours.stderr),
                sorted(&theirs.stderr),
                "stderr {what}"
            );
            assert_eq!(ours.status.code(), theirs.status.code(), "status {what}");
        }
    }
    // The remote shells did read the script, with ssh's -T.
    let ours = piped("cscomm-pipe", cscomm, &["-w", "n1"], "echo hi\n");
    assert!(
        sorted(&ours.stderr)
            .iter()
            .any(|l| l.contains("-T ") && l.contains(" n1 "))
    );
    assert!(sorted(&ours.stdout).contains(&"n1: hi".to_owned()));
}

#[test]
fn a_copy_needs_sources() {
    for option in ["-c", "--rcopy"] {
        let args = ["-w", "n1", option];
        let theirs = piped("clush-copy", clush_program(), &args, "");
        let ours = piped("cscomm-copy", cscomm_program(), &args, "");
        assert_eq!(sorted(&ours.stderr), sorted(&theirs.stderr), "{option}");
        assert_eq!(ours.status.code(), Some(2), "{option}");
        assert_eq!(ours.status.code(), theirs.status.code(), "{option}");
    }
}

/// `password_prompt = yes`: the password is asked on the terminal without
/// echo (`Password: `) and sent as a first line to every node's input,
/// which then ends (a terminal's input is not forwarded), as clush does.
#[test]
fn password_prompt_sends_the_typed_password_to_every_node() {
    for extra in [&["-b"][..], &["-v", "-b"], &["-L"]] {
        let with = |mut program: Vec<String>| {
            program.extend(["-O", "password_prompt=yes", "-w", "n[1-2]"].map(String::from));
            program.extend(extra.iter().map(|a| (*a).to_owned()));
            program.push("read p; echo got $p; cat; echo end".into());
            program
        };
        let (theirs, their_status) =
            in_terminal("clush", &with(clush_program()), "Password: ", &["s3cret"]);
        let (ours, our_status) =
            in_terminal("cscomm", &with(cscomm_program()), "Password: ", &["s3cret"]);
        assert!(theirs.contains("got s3cret"), "{theirs}");
        assert_eq!(normalized(&ours), normalized(&theirs), "{extra:?}");
        assert_eq!(our_status, their_status, "{extra:?}");
    }
}
