//! The clush harness itself: any gateway executable plugs in with one
//! argument and is started exactly as ClusterShell starts its own; a hung
//! gateway fails the run at its deadline and its processes are killed;
//! the comparison of two gateways is a plain equality of normalised views.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cscomm_testkit::clush::{self, Clush, GatewayExe, Topology, run_scenario, scenario};
use cscomm_testkit::python::{Peer, Python};

/// A private directory holding gateway scripts, removed at the end.
struct ScriptDir(PathBuf);

impl ScriptDir {
    fn new(tag: &str) -> ScriptDir {
        let dir = std::env::temp_dir().join(format!("cscomm-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        ScriptDir(dir)
    }

    fn script(&self, name: &str, body: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScriptDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn an_executable_gateway_runs_as_clustershell_starts_it() {
    let dir = ScriptDir::new("gw-wrapper");
    let argv = dir.path().join("argv");
    let python = Python::clustershell();
    let wrapper = dir.script(
        "gateway",
        &format!(
            "echo \"$@\" >> '{}'\nexec '{}' \"$@\"",
            argv.display(),
            python.exe().display()
        ),
    );
    let s = scenario("two_level");
    let through_wrapper = run_scenario(&s, &GatewayExe::Executable(wrapper));
    let through_python = run_scenario(&s, &GatewayExe::python());
    assert_eq!(through_wrapper, through_python);
    // gw1 and gw2 both started the wrapper (gw2 through gw1's invoke_gateway).
    let calls = std::fs::read_to_string(&argv).unwrap();
    assert_eq!(
        calls,
        "-m ClusterShell.Gateway -Bu\n-m ClusterShell.Gateway -Bu\n"
    );
}

#[test]
fn a_hung_gateway_fails_at_the_deadline_and_is_killed() {
    let dir = ScriptDir::new("gw-hung");
    let hung = dir.script("gateway", "exec sleep 300");
    let out = Clush::new(clush::sshd())
        .topology(Topology::one_level("gw1", "node[1-2]"))
        .gateway(GatewayExe::Executable(hung))
        .nodes("node[1-2]")
        .command("echo never")
        .timeout(Duration::from_secs(4))
        .run();
    assert!(out.timed_out, "{}", out.diagnostics());
    assert!(out.elapsed < Duration::from_secs(15), "{:?}", out.elapsed);
    assert_eq!(out.normalised().exit_code, None);
    // The gateway survives clush's death (sshd does not signal it): the
    // harness finds it by its private log directory and kills it.
    assert!(
        out.leftovers.iter().any(|p| p.contains("sleep 300")),
        "{:?}",
        out.leftovers
    );
}

#[test]
fn the_python_1_9_gateway_serves_clush_1_10() {
    let s = scenario("stderr_separate");
    let old = run_scenario(&s, &GatewayExe::Python(Peer::V1_9));
    let new = run_scenario(&s, &GatewayExe::python());
    assert_eq!(old, new);
}

#[test]
fn sessions_have_a_private_home_and_no_wrappers() {
    let out = Clush::new(clush::sshd())
        .topology(Topology::one_level("gw1", "node1"))
        .nodes("node1")
        .args(["-b", "-f", "3"])
        .config("command_timeout", "0")
        .command(
            "echo \"$HOME\"; case $PATH in *cscomm-sshd*) echo wrappers;; *) echo plain;; esac",
        )
        .run();
    let view = out.normalised();
    assert_eq!(view.exit_code, Some(0), "{}", out.diagnostics());
    // No wrapper on the remote PATH: the gateway reaches nodes through the
    // ssh_options clush sends it in the CTL taskinfo.
    assert_eq!(view.stdout_of("node1"), [clush::SESSION_HOME, "plain"]);
    assert!(view.messages.is_empty(), "{view:?}");
    assert!(out.gateway_log.contains(".gw.log"), "{}", out.diagnostics());
}
