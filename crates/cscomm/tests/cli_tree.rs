//! `cscomm run` in tree mode, through ClusterShell's Python gateways over
//! a real sshd, against the real `clush` 1.10.1 through the same gateways
//! with the same topology: same output, messages and exit code.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::process::Command;

use cscomm_testkit::clush::{GatewayExe, admin_short_name, scenarios, sshd};
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

/// The gateway issue's scenario matrix, through `cscomm run` and through
/// clush, both with ClusterShell's Python gateways.
#[test]
fn the_gateway_scenario_matrix_as_clush() {
    let sshd = sshd();
    let mut failures = Vec::new();
    for scenario in scenarios() {
        let theirs = scenario.clush(sshd, &GatewayExe::python()).run();
        let dir = workspace_root().join("target/cli-tree-test");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("matrix-{}.conf", scenario.name));
        std::fs::write(&file, scenario.topology.render(admin_short_name())).unwrap();
        let python = Python::clustershell();
        let mut command = Command::new(env!("CARGO_BIN_EXE_cscomm"));
        command
            .env("CLUSTERSHELL_CFGDIR", &dir)
            .env("CLUSTERSHELL_GW_PYTHON_EXECUTABLE", python.exe())
            .arg("run")
            .args([
                "--topology",
                file.to_str().unwrap(),
                "--root",
                admin_short_name(),
            ])
            .args(["-o", &sshd.ssh_options(), "-w", scenario.nodes])
            .args(&scenario.args)
            .arg(scenario.command)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        let stdin = scenario.stdin.clone().unwrap_or_default();
        let mut input = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            let _ = std::io::Write::write_all(&mut input, &stdin);
        });
        let ours = child.wait_with_output().unwrap();
        writer.join().unwrap();
        if scenario.name == "gateway_down_only" {
            // Deliberate difference (docs/PROTOCOL-NOTES.md): with no gateway
            // left, clush gives up ("No route available"); we reach the
            // targets directly, after the same reroute message.
            let stderr = sorted_lines(&theirs.stderr);
            assert!(
                stderr.iter().any(|l| l.contains("No route available")),
                "{stderr:?}"
            );
            assert!(
                sorted_lines(&ours.stderr)
                    .iter()
                    .any(|l| l.contains("rerouting commands"))
            );
            assert_eq!(
                sorted_lines(&ours.stdout).len(),
                8,
                "every node reached directly"
            );
            continue;
        }
        let same = sorted_lines(&ours.stdout) == sorted_lines(&theirs.stdout)
            && sorted_lines(&ours.stderr) == sorted_lines(&theirs.stderr)
            && ours.status.code() == theirs.exit_code;
        if !same {
            failures.push(format!(
                "{}:\n ours stdout {:?}\n clush stdout {:?}\n ours stderr {:?}\n clush stderr {:?}\n codes {:?} {:?}",
                scenario.name,
                sorted_lines(&ours.stdout).iter().take(6).collect::<Vec<_>>(),
                sorted_lines(&theirs.stdout).iter().take(6).collect::<Vec<_>>(),
                sorted_lines(&ours.stderr),
                sorted_lines(&theirs.stderr),
                ours.status.code(),
                theirs.exit_code
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
