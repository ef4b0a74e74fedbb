//! `cscomm run` in tree mode, through ClusterShell's Python gateways over
//! a real sshd, against the real `clush` 1.10.1 through the same gateways
//! with the same topology: same output, messages and exit code.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::process::Command;

use cscomm_testkit::clush::{Clush, GatewayExe, Topology, admin_short_name, sshd};
use cscomm_testkit::python::{Python, workspace_root};

fn sorted_lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes).replace("clush: ", "cscomm: ");
    let mut lines: Vec<String> = text
        .lines()
        .map(|line| line.rsplit('\r').next().unwrap_or(line).to_owned())
        .filter(|line| !line.trim().is_empty())
        .collect();
    lines.sort();
    lines
}

/// Runs `args` (clush's options and the command) with both, through the
/// tree `topology`, and compares.
fn same_as_clush(topology: Topology, nodes: &str, args: &[&str]) {
    let sshd = sshd();
    let (command, flags) = args.split_last().unwrap();
    let theirs = Clush::new(sshd)
        .topology(topology.clone())
        .gateway(GatewayExe::python())
        .nodes(nodes)
        .args(flags.iter().copied())
        .command(command)
        .run();

    let dir = workspace_root().join("target/cli-tree-test");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("topology-{}.conf", std::process::id()));
    std::fs::write(&file, topology.render(admin_short_name())).unwrap();
    let python = Python::clustershell();
    let ours = Command::new(env!("CARGO_BIN_EXE_cscomm"))
        .env("CLUSTERSHELL_CFGDIR", &dir)
        .env("CLUSTERSHELL_GW_PYTHON_EXECUTABLE", python.exe())
        .arg("run")
        .args([
            "--topology",
            file.to_str().unwrap(),
            "--root",
            admin_short_name(),
        ])
        .args(["-o", &sshd.ssh_options(), "-w", nodes])
        .args(args)
        .output()
        .unwrap();
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
        theirs.exit_code,
        "exit code of {args:?}"
    );
}

const WHO: &str = "set -- $SSH_CONNECTION; echo $3; echo err >&2; exit 3";

#[test]
fn through_python_gateways_as_clush() {
    same_as_clush(
        Topology::one_level("gw1", "node[1-8]"),
        "node[1-8]",
        &["-S", WHO],
    );
    same_as_clush(
        Topology::one_level("gw[1-2]", "node[1-8]"),
        "node[1-8]",
        &["-b", "echo same"],
    );
    let two_levels = Topology::one_level("gw1", "gw2").route("gw2", "node[9-12]");
    same_as_clush(two_levels, "node[9-12]", &["-S", "-b", WHO]);
}

#[test]
fn a_gateway_down_and_a_node_down_as_clush() {
    same_as_clush(
        Topology::one_level("down1,gw3", "node[1-4]"),
        "node[1-4]",
        &["-S", "echo up"],
    );
    same_as_clush(
        Topology::one_level("gw1", "node[1-2],down2"),
        "node[1-2],down2",
        &["-S", "echo up"],
    );
}
