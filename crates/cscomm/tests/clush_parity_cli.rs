//! The flat-mode command-line sweep against the real clush 1.10.1: option
//! parsing (unknown and shortened options, missing and badly typed
//! values, `safestring` values, choices, values read as Python reads
//! them, options after the command), and a few runs through a stand-in
//! ssh (`ssh_path`). Same stdout (sorted), stderr (sorted, clush's name
//! made ours) and exit status. The matrix is in `docs/CLUSH-PARITY.md`
//! ("Command-line sweep (flat)").
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod parity_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use cscomm_testkit::python::{Python, workspace_root};
use parity_support::{Order, differences, in_config};

/// A stand-in ssh: runs the command here.
const FAKE_SSH: &str = "#!/bin/sh
while [ $# -gt 2 ]; do shift; done
exec /bin/sh -c \"$2\"
";

/// The command lines, each run by both programs.
const CASES: &[&[&str]] = &[
    // Unknown options, before or among the options (not the command's).
    &["-w", "n1", "--foo", "echo"],
    &["-w", "n1", "-Z", "echo"],
    &["-w", "n1", "-bZ", "echo"],
    &["-w", "n1", "--foo=1", "echo"],
    // Missing values, flags given one.
    &["-w"],
    &["-w", "n1", "-f"],
    &["-w", "n1", "--fanout"],
    &["-w", "n1", "--dshbak=1", "echo"],
    // Typed values.
    &["-w", "n1", "-u", "abc", "echo"],
    &["-w", "n1", "-t", "abc", "echo"],
    &["-w", "n1", "-f", "abc", "echo"],
    &["-w", "n1", "-f", "08", "echo"],
    &["-w", "n1", "--pick", "x", "echo"],
    &["-w", "n1", "--grooming", "x", "echo"],
    &["-w", "n1", "--color=foo", "echo"],
    &["-w", "n1", "-E", "none", "echo"],
    // safestring values: empty or an option.
    &["-w", "", "echo"],
    &["-w", "-b", "echo"],
    &["-w", "n1", "-l", "", "echo"],
    &["-w", "n1", "-s", "", "echo"],
    &["-w", "n1", "-g", "-b", "echo"],
    // Shortened long names, ambiguous ones.
    &["-w", "n1", "--dsh", "echo", "hi"],
    &["-w", "n1", "--nost", "-b", "echo", "hi"],
    &["-w", "n1", "--co", "echo", "hi"],
    &["-w", "n1", "--machine", "nofile", "echo", "hi"],
    // Values as Python reads them; accepted and ignored options.
    &["-w", "n1", "-f", "0x10", "-b", "echo", "hi"],
    &["-w", "n1", "-f010", "-b", "echo", "hi"],
    &["-w", "n1", "-u", "1_0", "-b", "echo", "hi"],
    &["-w", "n1", "--pick", "0x1", "-b", "echo", "hi"],
    &["-w", "n1", "-E", "epoll", "-b", "echo", "hi"],
    &[
        "-w",
        "n1",
        "--engine=auto",
        "--grooming",
        "0.5",
        "-b",
        "echo",
        "hi",
    ],
    &["-w", "n1", "--color=", "-b", "echo", "hi"],
    &["-wn1", "-bS", "exit 3"],
    // The last of a repeated option wins.
    &["-w", "n1", "-f", "2", "-f", "3", "-b", "-b", "echo", "hi"],
    &[
        "-w",
        "n1",
        "--color=always",
        "--color=never",
        "-b",
        "echo",
        "hi",
    ],
    // Options end at the command, or at `--`.
    &["-w", "n1", "-b", "echo", "-b", "--foo"],
    &["-w", "n1", "--", "echo", "-b"],
    &["-w", "n[01-03]", "-b", "echo", "hi"],
    // Bad `%` keywords of local commands: Python's Template errors.
    &["-R", "exec", "-w", "n1", "-b", "echo %z"],
    &["-R", "exec", "-w", "n1", "echo %{zz}"],
    &["-R", "exec", "-w", "n1", "echo %"],
    &["-R", "exec", "-w", "n1", "echo %{h"],
    &["-R", "exec", "-w", "n1", "echo \u{e9}\n%9"],
    &["--remote=no", "-w", "n1", "echo %hostname"],
    // -L and --diff: clush's display refuses them.
    &["-w", "n1", "-L", "--diff", "echo", "hi"],
    // An empty mode is no mode.
    &["-w", "n1", "-m", "", "-b", "echo", "hi"],
    // Empty file names: not given, but for --hostfile (open('') fails).
    &[
        "-w",
        "n1",
        "--conf=",
        "--groupsconf",
        "",
        "-b",
        "echo",
        "hi",
    ],
    &[
        "-w",
        "n1",
        "--topology=",
        "--outdir=",
        "--errdir",
        "",
        "echo",
        "hi",
    ],
    &["-w", "n1", "--hostfile=", "echo", "hi"],
    // An empty worker is the default one; `-R=` names a worker `=`.
    &["-R", "exec", "-w", "n1", "--worker=", "-b", "echo", "hi"],
    &["-w", "n1", "-R=", "echo", "hi"],
    // --copy and --rcopy together: a copy of every file named.
    &["-w", "n1", "-c", "nofile1", "--rcopy", "nofile2"],
    &["-w", "n1", "--rcopy", "nofile2", "-c", "nofile1"],
    &[
        "-w",
        "n1",
        "-m",
        "",
        "-v",
        "-O",
        "command_prefix=env",
        "true",
    ],
    // A topology file that cannot be read.
    &["--topology", "/nonexistent", "-w", "n1", "-b", "echo", "hi"],
    &["--topology", "empty.conf", "-w", "n1", "-b", "echo", "hi"],
    &["--topology", "noroutes.conf", "-w", "n1", "-b", "true"],
    // `%hosts` runs once: its output and exit code are every node's.
    &["-R", "exec", "-w", "n[1-2]", HOSTS],
    &["-R", "exec", "-w", "n[1-2]", "-b", HOSTS],
    &["-R", "exec", "-w", "n[1-2]", "-bS", HOSTS],
    &["-R", "exec", "-w", "n[1-2]", "-B", HOSTS],
    &["-R", "exec", "-w", "n[1-2]", "-L", HOSTS],
    &["-R", "exec", "-w", "n[1-2]", "--diff", HOSTS],
    &["-R", "exec", "-w", "n[1-2]", "-S", HOSTS],
    &["-R", "exec", "-w", "n[1-2]", "-qS", HOSTS],
    &["-R", "exec", "-w", "n[1-2]", "-N", HOSTS],
    &[
        "-R",
        "exec",
        "-w",
        "n[1-3]",
        "-x",
        "n2",
        "-S",
        "echo %hosts %h %n",
    ],
    &["-R", "exec", "-w", "n1", HOSTS],
    &["-R", "exec", "-w", "n1", "-b", HOSTS],
    &["--remote=no", "-w", "n[1-2]", "-S", HOSTS],
];

/// A command run once for all nodes, with output on both streams.
const HOSTS: &str = "echo %hosts; echo err >&2; exit 3";

/// The configuration directory, written once per test run.
fn cfgdir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = workspace_root().join(format!("target/clush-parity-cli/{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fake = dir.join("fakessh");
        std::fs::write(&fake, FAKE_SSH).unwrap();
        std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let conf = format!("[Main]\nssh_path: {}\n", fake.display());
        std::fs::write(dir.join("clush.conf"), conf).unwrap();
        std::fs::write(dir.join("empty.conf"), "").unwrap();
        std::fs::write(dir.join("noroutes.conf"), "[other]\na: b\n").unwrap();
        dir
    })
}

fn run(mut command: Command, args: &[&str]) -> Output {
    let cfg = cfgdir();
    in_config(command.args(args), cfg)
        .current_dir(cfg)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn clush(args: &[&str]) -> Output {
    run(
        Command::new(Python::clustershell().bin_dir().join("clush")),
        args,
    )
}

fn cscomm(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cscomm"));
    command.arg("run");
    run(command, args)
}

#[test]
fn command_lines_are_read_as_clush_reads_them() {
    let mut failures = Vec::new();
    let mut refused = 0;
    for args in CASES {
        let theirs = clush(args);
        refused += usize::from(theirs.status.code() == Some(2));
        if let Some(diff) = differences(&theirs, &cscomm(args), Order::Sorted) {
            failures.push(format!("{args:?}:\n{diff}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // A guard: the usage errors are there (a broken set-up would not
    // refuse alike).
    assert!(refused >= 20, "only {refused} usage errors");
}

/// `--version` (any unique prefix) prints our version where clush prints
/// its own, and exits 0 as clush.
#[test]
fn version_is_ours_and_exits_zero() {
    for args in [&["--version"][..], &["-b", "--vers"]] {
        let (theirs, ours) = (clush(args), cscomm(args));
        assert_eq!(String::from_utf8_lossy(&theirs.stdout), "clush 1.10.1\n");
        let expected = format!("cscomm {}\n", env!("CARGO_PKG_VERSION"));
        assert_eq!(String::from_utf8_lossy(&ours.stdout), expected);
        assert_eq!(
            (theirs.status.code(), ours.status.code()),
            (Some(0), Some(0))
        );
    }
}

/// `--outdir`/`--errdir` get one file per node for a `%hosts` command,
/// each with the one process's output, as clush writes them.
#[test]
fn hosts_outputs_are_every_node_files() {
    let files = |program: &str, run: fn(&[&str]) -> Output| {
        let out = cfgdir().join(format!("hosts-{program}"));
        let err = out.join("err");
        let (outdir, errdir) = (out.display().to_string(), err.display().to_string());
        let args = ["-R", "exec", "-w", "n[1-2]", "--outdir", &outdir];
        let output = run(&[&args[..], &["--errdir", &errdir, HOSTS]].concat());
        let read = |path: PathBuf| std::fs::read_to_string(path).unwrap();
        let mut found = Vec::new();
        for node in ["n1", "n2"] {
            found.push((node, read(out.join(node)), read(err.join(node))));
        }
        (output.status.code(), found)
    };
    let theirs = files("clush", clush);
    assert_eq!(theirs.1[0], ("n1", "n[1-2]\n".into(), "err\n".into()));
    assert_eq!(theirs, files("cscomm", cscomm));
}
