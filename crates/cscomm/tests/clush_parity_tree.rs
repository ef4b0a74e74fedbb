//! Tree mode against the real clush 1.10.1: on the same configuration
//! directory (`clush.conf`, `groups.conf`, `topology.conf`: this machine,
//! then gateway `gw1`, then the nodes), the real clush with ClusterShell's
//! Python gateways and `cscomm run` with (a) `cscomm-gateway` and (b) the
//! Python gateway get the very same arguments; every gateway is started
//! over the test sshd as clush starts it (`ssh gw1
//! $CLUSTERSHELL_GW_PYTHON_EXECUTABLE -m ClusterShell.Gateway -Bu`), and
//! reaches its nodes with the `ssh_options` it is sent. Stdout must be the
//! same (exactly where clush's order is deterministic, sorted where nodes
//! race), stderr the same once sorted, and the exit status the same,
//! scenario by scenario; the few deliberate differences are asserted as
//! such. The matrix is in `docs/CLUSH-PARITY.md`.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod parity_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use cscomm_testkit::clush::{GatewayExe, admin_short_name, run_with_deadline, sshd};
use cscomm_testkit::python::{Python, workspace_root};
use parity_support::{Order, differences, in_config, output_files, stderr_lines};

const GROUPS_CONF: &str = "\
[Main]
default: site

[site]
map: sed -n 's/^$GROUP:\\(.*\\)/\\1/p' $CFGDIR/site.cfg
all: sed -n 's/^all:\\(.*\\)/\\1/p' $CFGDIR/site.cfg
list: sed -n 's/^\\([0-9A-Za-z_-]*\\):.*/\\1/p' $CFGDIR/site.cfg
";

const SITE_CFG: &str = "\
compute: node[1-6]
odd: node[1,3,5]
even: node[2,4,6]
all: node[1-6]
";

/// The nodes behind `gw1`: six that answer, `down2` (connection refused)
/// and `denied1` (a key the server refuses).
const ROUTED: &str = "node[1-6],down2,denied1";

/// A command whose output differs per node: node2 prints one line less,
/// node3 exits 1 before its last line, every node writes a line on stderr.
const MIXED: &str = "h=$CSCOMM_TEST_HOST; echo a; [ $h = node2 ] || echo $h; \
                     echo err $h >&2; [ $h = node3 ] && exit 1; echo b";

/// Which tree the configuration describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tree {
    /// `admin: gw1`, `gw1: ROUTED`.
    Gateway,
    /// `admin: down1`, `down1: node[1-4]`: the only gateway is unreachable.
    Unreachable,
}

/// The configuration directory of `tree`, written once per test process.
fn cfgdir(tree: Tree) -> &'static Path {
    static GATEWAY: OnceLock<PathBuf> = OnceLock::new();
    static UNREACHABLE: OnceLock<PathBuf> = OnceLock::new();
    let (cell, name, route) = match tree {
        Tree::Gateway => (&GATEWAY, "gw", format!("gw1\ngw1: {ROUTED}")),
        Tree::Unreachable => (&UNREACHABLE, "down", "down1\ndown1: node[1-4]".into()),
    };
    cell.get_or_init(|| {
        let dir = workspace_root()
            .join("target/clush-parity-tree")
            .join(format!("{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let clush_conf = format!(
            "[Main]\nconfdir:\nfanout: 64\nconnect_timeout: 10\ncolor: never\n\
             ssh_options: {}\n\n[mode:tree]\nssh_options: {} -oConnectTimeout=9\n",
            sshd().ssh_options(),
            sshd().ssh_options()
        );
        let topology = format!("[routes]\n{}: {route}\n", admin_short_name());
        for (file, text) in [
            ("clush.conf", clush_conf.as_str()),
            ("groups.conf", GROUPS_CONF),
            ("site.cfg", SITE_CFG),
            ("topology.conf", topology.as_str()),
        ] {
            std::fs::write(dir.join(file), text).unwrap();
        }
        dir
    })
}

/// Who runs the command line, through which gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runner {
    /// The real clush with ClusterShell's Python gateway.
    Clush,
    /// `cscomm run` with `cscomm-gateway`.
    CscommOwnGateway,
    /// `cscomm run` with ClusterShell's Python gateway.
    CscommPythonGateway,
}

impl Runner {
    fn command(self) -> Command {
        match self {
            Runner::Clush => Command::new(Python::clustershell().bin_dir().join("clush")),
            _ => {
                let mut command = Command::new(env!("CARGO_BIN_EXE_cscomm"));
                command.arg("run");
                command
            }
        }
    }

    fn gateway(self) -> GatewayExe {
        match self {
            Runner::CscommOwnGateway => {
                GatewayExe::Executable(PathBuf::from(env!("CARGO_BIN_EXE_cscomm-gateway")))
            }
            _ => GatewayExe::python(),
        }
    }
}

/// How long one run may take before its process group is killed.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs `args` with `runner` on the configuration of `tree`, `stdin` fed
/// (`None`: `/dev/null`), under [`DEADLINE`].
fn run(runner: Runner, tree: Tree, args: &[String], stdin: Option<&[u8]>) -> Output {
    let dir = cfgdir(tree);
    let mut command = runner.command();
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CLUSTERSHELL_") || key == "PYTHONPATH" {
            command.env_remove(&*key);
        }
    }
    in_config(&mut command, dir)
        .args(args)
        .env(
            "CLUSTERSHELL_GW_PYTHON_EXECUTABLE",
            runner.gateway().program(),
        )
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(dir);
    let done = run_with_deadline(command, stdin.map(<[u8]>::to_vec), DEADLINE);
    Output {
        status: done.status,
        stdout: done.stdout,
        stderr: done.stderr,
    }
}

/// One command line of the matrix.
#[derive(Debug, Clone)]
struct Case {
    args: Vec<String>,
    order: Order,
    stdin: Option<&'static [u8]>,
    tree: Tree,
}

impl Case {
    /// `options`, then `-w nodes` and `command`, on the gateway tree.
    fn new(options: &[&str], nodes: &str, command: &str, order: Order) -> Case {
        let mut args: Vec<String> = options.iter().map(|s| (*s).to_owned()).collect();
        args.extend(["-w".to_owned(), nodes.to_owned(), command.to_owned()]);
        Case {
            args,
            order,
            stdin: None,
            tree: Tree::Gateway,
        }
    }

    fn stdin(mut self, bytes: &'static [u8]) -> Case {
        self.stdin = Some(bytes);
        self
    }

    fn tree(mut self, tree: Tree) -> Case {
        self.tree = tree;
        self
    }

    /// The three runs at once: clush, cscomm with its gateway, cscomm with
    /// the Python gateway.
    fn run_all(&self) -> [Output; 3] {
        let runners = [
            Runner::Clush,
            Runner::CscommOwnGateway,
            Runner::CscommPythonGateway,
        ];
        let handles = runners.map(|runner| {
            let case = self.clone();
            std::thread::spawn(move || run(runner, case.tree, &case.args, case.stdin))
        });
        handles.map(|h| h.join().unwrap())
    }

    /// What differs from clush, for each of cscomm's two gateways.
    fn check(&self) -> Vec<String> {
        let [theirs, own, python] = self.run_all();
        let mut failures = Vec::new();
        for (gateway, ours) in [("cscomm-gateway", &own), ("Python gateway", &python)] {
            if let Some(diff) = differences(&theirs, ours, self.order) {
                failures.push(format!("{:?} with {gateway}:\n{diff}", self.args));
            }
        }
        failures
    }
}

/// Every case of `cases` checked; one failure message for all.
fn all_same(cases: &[Case]) {
    let failures: Vec<String> = cases.iter().flat_map(Case::check).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn output_modes_through_gateways_as_clush() {
    let nodes = "node[1-6]";
    all_same(&[
        Case::new(&[], nodes, MIXED, Order::Sorted),
        Case::new(&["-b"], nodes, MIXED, Order::Exact),
        // Each node's stdout and stderr reach -B's block over two ssh
        // channels: their order races.
        Case::new(&["-B", "-S"], nodes, MIXED, Order::Sorted),
        Case::new(&["-L"], nodes, MIXED, Order::Exact),
        Case::new(&["-b", "-L", "-N"], nodes, MIXED, Order::Exact),
        Case::new(&["-N", "-q", "-S"], nodes, MIXED, Order::Sorted),
        Case::new(&["--diff"], nodes, MIXED, Order::Exact),
    ]);
}

#[test]
fn selection_and_exit_codes_through_gateways_as_clush() {
    let exit = "h=$CSCOMM_TEST_HOST; echo $h; exit ${h#node}";
    all_same(&[
        Case::new(&["-S", "-b"], "node[1-6]", exit, Order::Exact),
        Case::new(&["-S"], "node[1-6]", exit, Order::Sorted),
        Case::new(&["-b", "-x", "node[2-3]"], "node[1-6]", MIXED, Order::Exact),
        Case::new(
            &["-b", "-g", "odd", "-x", "@even"],
            "node6",
            MIXED,
            Order::Exact,
        ),
        Case::new(&["-r", "-b"], "node[1-6]", MIXED, Order::Exact),
        Case::new(
            &["-b", "--remote=no"],
            "node[1-4]",
            "echo on %h",
            Order::Exact,
        ),
        // Run once on the gateway; every node gets its output and code.
        Case::new(
            &["-S", "--remote=no"],
            "node[1-4]",
            "echo %hosts; exit 3",
            Order::Sorted,
        ),
    ]);
}

#[test]
fn timeouts_stdin_and_failing_nodes_through_gateways_as_clush() {
    let slow = "h=$CSCOMM_TEST_HOST; case $h in node[13]) sleep 6;; esac; echo done $h";
    all_same(&[
        Case::new(&["-b", "-u", "2"], "node[1-4]", slow, Order::Exact),
        Case::new(
            &["-S", "-t", "5", "-u", "2"],
            "node[1-4]",
            slow,
            Order::Sorted,
        ),
        Case::new(&["-b"], "node[1-3]", "cat; echo eof", Order::Exact)
            .stdin(b"line one\n\nlast without newline"),
        Case::new(&["-S"], ROUTED, "echo up", Order::Sorted),
        Case::new(&["-b"], ROUTED, "echo up", Order::Exact),
        Case::new(&["-L", "-S", "-q"], ROUTED, "echo up", Order::Exact),
    ]);
}

#[test]
fn verbose_mode_lines_through_gateways_as_clush() {
    all_same(&[
        Case::new(&["-v", "-b"], "node[1-3]", "echo hi", Order::Sorted),
        Case::new(
            &["-m", "tree", "-v", "-b"],
            "node[1-3]",
            "echo hi",
            Order::Sorted,
        ),
    ]);
}

#[test]
fn output_directories_through_gateways_hold_clushs_files() {
    let root = cfgdir(Tree::Gateway).join("dirs");
    let runners = [
        Runner::Clush,
        Runner::CscommOwnGateway,
        Runner::CscommPythonGateway,
    ];
    let handles = runners.map(|runner| {
        let dir = root.join(format!("{runner:?}"));
        let args: Vec<String> = [
            "--outdir",
            &dir.join("out").display().to_string(),
            "--errdir",
            &dir.join("err").display().to_string(),
            "-w",
            "node[1-4]",
            MIXED,
        ]
        .map(str::to_owned)
        .to_vec();
        std::thread::spawn(move || (run(runner, Tree::Gateway, &args, None), dir))
    });
    let [(theirs, their_dir), ours @ ..] = handles.map(|h| h.join().unwrap());
    let want = output_files(&their_dir);
    assert_eq!(want.len(), 8, "{want:?}");
    for (out, dir) in ours {
        assert_eq!(differences(&theirs, &out, Order::Sorted), None, "{dir:?}");
        assert_eq!(output_files(&dir), want, "{dir:?}");
    }
}

/// With its only gateway unreachable, clush gives up on the nodes (`No
/// route available`, status 1); `cscomm run` reaches them directly after
/// the same rerouting message (a deliberate difference,
/// docs/PROTOCOL-NOTES.md). Everything else is the same.
#[test]
fn an_unreachable_gateway_is_reported_and_differs_on_purpose() {
    let case =
        Case::new(&["-b", "-S"], "node[1-4]", "echo up", Order::Exact).tree(Tree::Unreachable);
    let [theirs, own, python] = case.run_all();
    let no_route = "cscomm: TREE MODE: No route available to node1";
    let mut theirs_err = stderr_lines(&theirs.stderr);
    assert!(theirs_err.iter().any(|l| l == no_route), "{theirs_err:?}");
    theirs_err.retain(|l| l != no_route);
    assert!(
        theirs_err
            .iter()
            .any(|l| l
                .contains("rerouting commands for node[1-4] due to the failure of gateway down1")),
        "{theirs_err:?}"
    );
    assert_eq!(theirs.status.code(), Some(1));
    assert!(theirs.stdout.is_empty());
    for ours in [own, python] {
        assert_eq!(stderr_lines(&ours.stderr), theirs_err);
        assert_eq!(ours.status.code(), Some(0));
        let stdout = String::from_utf8_lossy(&ours.stdout);
        assert_eq!(
            stdout,
            "---------------\nnode[1-4] (4)\n---------------\nup\n"
        );
    }
}
