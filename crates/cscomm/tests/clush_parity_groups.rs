//! Node groups, target selection and `clush.conf` against the real clush
//! 1.10.1: the same command lines, on the same configuration directory
//! (`groups.conf` with upcall sources, a `groups.conf.d` part, a YAML
//! `autodir` file, `clush.conf` with a run mode), in flat mode through a
//! stand-in ssh (`ssh_path`) that runs the command here and shows the ssh
//! arguments it was given. Sorted stdout, sorted stderr (`clush` read as
//! `cscomm`) and the exit status must be the same. The matrix is in
//! `docs/CLUSH-PARITY.md`.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use cscomm_testkit::python::{Python, workspace_root};

const GROUPS_CONF: &str = "\
[Main]
default: local
confdir: $CFGDIR/groups.conf.d
autodir: $CFGDIR/groups.d

[local]
map: sed -n 's/^$GROUP:\\(.*\\)/\\1/p' $CFGDIR/local.cfg
all: sed -n 's/^all:\\(.*\\)/\\1/p' $CFGDIR/local.cfg
list: sed -n 's/^\\([0-9A-Za-z_-]*\\):.*/\\1/p' $CFGDIR/local.cfg
reverse: echo rev-$NODE
cache_time: 60

[fail,broken]
map: echo upcall failed >&2; exit 3

[bysrc]
map: echo $SOURCE-$GROUP
list: echo a b
";

const LOCAL_CFG: &str = "\
compute: node[1-8]
login: login[1-2]
io: io[1-2] node8
rack1: node[1-4]
rack2: node[5-8]
nested: @login,io1
all: node[1-8],login[1-2],io[1-2]
";

const SITE_YAML: &str = "\
site:
  web: w[1-3]
  db: [db1, db2]
  empty:
  all: w[1-3],db[1-2]
other:
  x: x1
  y: '@other:x,y1'
";

const EXTRA_CONF: &str = "[extra]\nmap: echo e1 e2\n";

const CLUSH_CONF: &str = "\
[Main]
fanout: 8
connect_timeout: 7
command_timeout: 0
color: never
ssh_path: $FAKESSH
ssh_user: alice
ssh_options: -oLogLevel=ERROR
[mode:slow]
fanout: 2
ssh_options: -oSlow=yes
[mode:badint]
fanout: lots
[mode:badcolor]
color: pink
";

/// Runs the command here; the node is the word before it, the other
/// arguments are shown in `$FAKE_ARGS`.
const FAKE_SSH: &str = "#!/bin/sh
args=\"\"
while [ $# -gt 2 ]; do args=\"$args $1\"; shift; done
FAKE_HOST=$1 FAKE_ARGS=${args# } exec /bin/sh -c \"$2\"
";

/// The configuration directory, written once per test run.
fn cfgdir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root =
            workspace_root().join(format!("target/clush-parity-groups/{}", std::process::id()));
        let cfg = root.join("cfg");
        for sub in ["groups.conf.d", "groups.d", "alt", "empty", "cwd"] {
            std::fs::create_dir_all(cfg.join(sub)).unwrap();
        }
        let fake = cfg.join("fakessh");
        write(&fake, FAKE_SSH);
        std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        write(&cfg.join("groups.conf"), GROUPS_CONF);
        write(&cfg.join("local.cfg"), LOCAL_CFG);
        write(&cfg.join("groups.d/site.yaml"), SITE_YAML);
        write(&cfg.join("groups.conf.d/extra.conf"), EXTRA_CONF);
        let clush_conf = CLUSH_CONF.replace("$FAKESSH", &fake.display().to_string());
        write(&cfg.join("clush.conf"), &clush_conf);
        write(
            &cfg.join("alt/clush.conf"),
            &clush_conf.replace("alice", "bob"),
        );
        write(&cfg.join("alt/groups.conf"), "[o]\nmap: echo o-$GROUP\n");
        write(&cfg.join("alt/nosection.conf"), "map: echo\n");
        write(&cfg.join("alt/nomap.conf"), "[a]\nlist: echo x\n");
        write(
            &cfg.join("alt/nodefault.conf"),
            "[Main]\ndefault: zz\n[a]\nmap: echo\n",
        );
        write(
            &cfg.join("alt/badcache.conf"),
            "[a]\nmap: echo\ncache_time: soon\n",
        );
        write(
            &cfg.join("alt/badfanout.conf"),
            &clush_conf.replace("fanout: 8", "fanout: many"),
        );
        // A local path named like a node: clush warns about -w node1.
        write(&cfg.join("cwd/node1"), "");
        write(
            &cfg.join("alt/badcolor.conf"),
            &clush_conf.replace("color: never", "color: red"),
        );
        write(&cfg.join("hosts1"), "node1 node2\n@login\n");
        write(&cfg.join("hosts2"), "io[1-2]\n\n");
        cfg
    })
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// `program args`, in the configuration's environment.
fn run(mut command: Command, args: &[&str]) -> Output {
    let cfg = cfgdir();
    command
        .args(args)
        .current_dir(cfg.join("cwd"))
        .env("CLUSTERSHELL_CFGDIR", cfg)
        .env("HOME", cfg.join("empty"))
        .env("XDG_CONFIG_HOME", cfg.join("empty"))
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

/// What is compared: sorted stdout, sorted stderr, exit status.
#[derive(Debug, PartialEq)]
struct Seen {
    stdout: Vec<String>,
    stderr: Vec<String>,
    status: Option<i32>,
}

fn seen(output: &Output, from_clush: bool) -> Seen {
    let lines = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let text = if from_clush {
            text.replace("clush:", "cscomm:")
                .replace("Usage: clush ", "Usage: cscomm ")
        } else {
            text
        };
        let mut lines: Vec<String> = text
            .lines()
            .map(|l| l.replace(cfgdir().to_str().unwrap(), "CFG"))
            .collect();
        lines.sort();
        lines
    };
    Seen {
        stdout: lines(&output.stdout),
        stderr: lines(&output.stderr),
        status: output.status.code(),
    }
}

/// Prints the ssh arguments, so `ssh_*` settings are compared too.
const SHOW: &str = "echo $FAKE_HOST $FAKE_ARGS";

/// The scenarios: selection options, then errors, then `clush.conf`.
fn scenarios() -> Vec<Vec<String>> {
    let cfg = cfgdir().display().to_string();
    let alt = |file: &str| format!("{cfg}/alt/{file}");
    let hosts = |file: &str| format!("{cfg}/{file}");
    let table: Vec<Vec<String>> = vec![
        vec!["-w", "@compute", SHOW],
        vec!["-w", "@local:login", "-b", "echo same"],
        vec!["-w", "@rack[1-2]!node3", "-b", "echo same"],
        vec!["-w", "@nested", SHOW],
        vec!["-w", "@*", "-b", "echo same"],
        vec!["-w", "@site:*", SHOW],
        vec!["-w", "@site:db,@site:empty,@site:nope", SHOW],
        vec!["-w", "@compute&@io", SHOW],
        vec!["-w", "@compute^@io", "-b", "echo same"],
        vec!["-w", "node*!node[2-7]", SHOW],
        vec!["-w", "@extra:g", SHOW],
        vec!["-w", "@bysrc:g1", "-w", "@other:y", SHOW],
        vec!["-w", "@@bysrc", SHOW],
        vec!["-w", "@compute", "-x", "@rack1", "-x", "node8", SHOW],
        vec!["-g", "login", "-g", "io", SHOW],
        vec!["-g", "rack[1-2]", "-X", "rack1", SHOW],
        vec!["-a", "-X", "compute", SHOW],
        vec!["-s", "site", "-a", SHOW],
        vec!["-s", "site", "-g", "web", "-x", "w2", SHOW],
        vec![
            "--hostfile",
            &hosts("hosts1"),
            "--machinefile",
            &hosts("hosts2"),
            SHOW,
        ],
        vec!["--pick", "0", "-w", "@login", SHOW],
        vec!["--pick", "9", "-w", "@login", SHOW],
        vec!["--groupsconf", &alt("groups.conf"), "-w", "@o:x", SHOW],
        // Errors.
        vec!["-w", "@nope", SHOW],
        vec!["-w", "node1", "-x", "node1", SHOW],
        vec!["-q", "-w", "node1", "-x", "node[1-2]", SHOW],
        vec!["-w", "login1", "-x", "@login", SHOW],
        vec!["-s", "site", "-g", "web", "-X", "web", SHOW],
        vec!["-w", "@fail:x", SHOW],
        vec!["-w", "node1,@broken:y", SHOW],
        vec!["-w", "@zz:x", SHOW],
        vec!["-s", "zz", "-g", "x", SHOW],
        vec!["-s", "fail", "-a", SHOW],
        vec!["-w", "@fail:*", SHOW],
        vec!["-w", "node[1-", SHOW],
        vec!["--hostfile", &hosts("nonexistent"), SHOW],
        vec!["--pick", "-1", "-w", "@login", SHOW],
        vec!["--groupsconf", &alt("nosection.conf"), "-w", "@a:x", SHOW],
        vec!["--groupsconf", &alt("nomap.conf"), "-w", "@a:x", SHOW],
        vec!["--groupsconf", &alt("nodefault.conf"), "-w", "@a:x", SHOW],
        vec!["--groupsconf", &alt("badcache.conf"), "-w", "@a:x", SHOW],
        vec!["--groupsconf", &alt("nosection.conf"), "-w", "node1", SHOW],
        // clush.conf, the command line over it, modes.
        vec!["-w", "login1", SHOW],
        vec!["-m", "slow", "-w", "login1", SHOW],
        vec![
            "-m", "slow", "-l", "carol", "-o", "-oX=1", "-t", "3", "-w", "login1", SHOW,
        ],
        vec![
            "-O",
            "ssh_user=dave",
            "-O",
            "connect_timeout=2",
            "-w",
            "login1",
            SHOW,
        ],
        vec!["--conf", &alt("clush.conf"), "-w", "login1", SHOW],
        vec![
            "-O",
            "command_timeout=1",
            "-S",
            "-w",
            "login1",
            "sleep 3; echo late",
        ],
        vec![
            "-O",
            "maxrc=yes",
            "-O",
            "verbosity=0",
            "-w",
            "@login",
            "exit 3",
        ],
        vec!["-q", "-S", "-w", "@login", "exit 3"],
        vec!["-O", "verbosity=0", "-b", "-w", "@login,io1", "echo same"],
        vec!["-m", "nomode", "-w", "login1", SHOW],
        vec!["-m", "badint", "-w", "login1", SHOW],
        vec!["-m", "badcolor", "-w", "login1", SHOW],
        vec!["--conf", &alt("badcolor.conf"), "-w", "login1", SHOW],
        vec!["-O", "novalue", "-w", "login1", SHOW],
        vec!["--conf", &alt("badfanout.conf"), "-w", "login1", SHOW],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(|a| a.to_owned()).collect())
    .collect();
    table
}

#[test]
fn selection_groups_and_clush_conf_match_clush() {
    let mut mismatches = Vec::new();
    let all = scenarios();
    let (mut ran, mut refused) = (0, 0);
    for args in &all {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let theirs = seen(&clush(&args), true);
        let ours = seen(&cscomm(&args), false);
        if std::env::var_os("PARITY_SHOW").is_some() {
            eprintln!("{args:?}\n  {theirs:?}");
        }
        match theirs.status {
            Some(0) if !theirs.stdout.is_empty() => ran += 1,
            Some(1 | 2) if !theirs.stderr.is_empty() => refused += 1,
            _ => {}
        }
        if theirs != ours {
            mismatches.push(format!(
                "{args:?}\n  clush:  {theirs:?}\n  cscomm: {ours:?}"
            ));
        }
    }
    // Guard against a set-up where both sides fail alike.
    assert_eq!(
        (ran, refused),
        (31, 23),
        "scenarios that ran and were refused"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} scenarios differ:\n{}",
        mismatches.len(),
        all.len(),
        mismatches.join("\n")
    );
}

#[test]
fn pick_runs_on_that_many_of_the_targets() {
    for output in [
        clush(&["--pick", "3", "-w", "@compute", SHOW]),
        cscomm(&["--pick", "3", "-w", "@compute", SHOW]),
    ] {
        let lines = seen(&output, false).stdout;
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines.iter().all(|l| l.starts_with("node")), "{lines:?}");
        assert_eq!(output.status.code(), Some(0));
    }
}

#[test]
fn malformed_yaml_is_a_group_resolver_error_naming_the_file() {
    // PyYAML and yaml-rust2 word their syntax errors differently: the
    // status and the start of the message are compared.
    let cfg = cfgdir();
    let dir = cfg.join("badyaml");
    std::fs::create_dir_all(dir.join("d")).unwrap();
    write(&dir.join("d/bad.yaml"), "site: [\n");
    let conf = dir.join("groups.conf");
    write(&conf, &format!("[Main]\nautodir: {}/d\n", dir.display()));
    let args = [
        "--groupsconf",
        conf.to_str().unwrap(),
        "-w",
        "@site:x",
        "true",
    ];
    let prefix = format!(
        "cscomm: Group resolver error: {}/d/bad.yaml: ",
        dir.display()
    );
    for (output, from_clush) in [(clush(&args), true), (cscomm(&args), false)] {
        let seen = seen(&output, from_clush);
        assert_eq!(seen.status, Some(1), "{seen:?}");
        let text = String::from_utf8_lossy(&output.stderr).replace("clush:", "cscomm:");
        assert!(text.starts_with(&prefix), "{text}");
        assert!(seen.stdout.is_empty());
    }
}

#[test]
fn groups_select_the_targets_of_a_tree_run() {
    // Tree mode (the demo tree, gateways are cscomm-gateway processes):
    // the groups of the same configuration choose nodes behind gateways.
    let topology = workspace_root().join("examples/topology.conf");
    let groups = cfgdir().join("tree-groups.conf");
    write(
        &groups,
        "[t]\nmap: echo 'node[1-3] leaf[7-9]'\nall: echo node[1-64] leaf[1-8]\n",
    );
    let args = [
        "--local",
        "--topology",
        topology.to_str().unwrap(),
        "--groupsconf",
        groups.to_str().unwrap(),
        "-w",
        "@x!leaf9",
        "-x",
        "node2",
        "-b",
        "echo %h",
    ];
    let out = cscomm(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for node in ["node1", "node3", "leaf7", "leaf8"] {
        assert!(text.lines().any(|l| l == node), "{node} missing:\n{text}");
    }
    assert_eq!(text.matches("---------------\n").count(), 8, "{text}");
    let all = cscomm(&[&args[..5], &["-a", "-X", "x", "-q", "true"]].concat());
    assert_eq!(
        all.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&all.stderr)
    );
}
