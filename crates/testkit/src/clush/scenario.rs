//! The tree-mode scenario matrix of the gateway issue, as data: the same
//! table runs against any gateway program, and two runs compare through
//! their [`Normalised`] views.

use std::time::Duration;

use super::{Clush, ClushOutput, GatewayExe, Normalised, Topology};
use crate::sshd::Sshd;

/// One `clush` invocation of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// A short identifier (`echo_many`, `two_level`...).
    pub name: &'static str,
    /// The tree (admin written [`super::ADMIN`]).
    pub topology: Topology,
    /// The target nodes (`-w`).
    pub nodes: &'static str,
    /// clush flags before the command.
    pub args: Vec<&'static str>,
    /// The shell command run on every node.
    pub command: &'static str,
    /// What clush reads on stdin and forwards (`None`: `/dev/null`).
    pub stdin: Option<Vec<u8>>,
    /// Deadline of the run.
    pub timeout: Duration,
}

impl Scenario {
    fn new(name: &'static str, topology: Topology, nodes: &'static str) -> Scenario {
        Scenario {
            name,
            topology,
            nodes,
            args: Vec::new(),
            command: ECHO,
            stdin: None,
            timeout: Duration::from_secs(60),
        }
    }

    fn args(mut self, args: &[&'static str]) -> Scenario {
        self.args = args.to_vec();
        self
    }

    fn command(mut self, command: &'static str) -> Scenario {
        self.command = command;
        self
    }

    fn stdin(mut self, bytes: Vec<u8>) -> Scenario {
        self.stdin = Some(bytes);
        self
    }

    /// The run this scenario describes, against `sshd`, through `gateway`.
    pub fn clush<'a>(&self, sshd: &'a Sshd, gateway: &GatewayExe) -> Clush<'a> {
        let mut clush = Clush::new(sshd)
            .topology(self.topology.clone())
            .gateway(gateway.clone())
            .nodes(self.nodes)
            .args(&self.args)
            .command(self.command)
            .timeout(self.timeout);
        if let Some(stdin) = &self.stdin {
            clush = clush.stdin(stdin.clone());
        }
        clush
    }

    /// Runs the scenario on the shared [`super::sshd`] and returns the raw
    /// output.
    pub fn run(&self, gateway: &GatewayExe) -> ClushOutput {
        self.clush(super::sshd(), gateway).run()
    }
}

/// Prints a line that differs per node address, and a constant one.
const ECHO: &str = "set -- $SSH_CONNECTION; echo \"hello from $3\"; echo second line";

/// Every scenario of the matrix, in a stable order.
pub fn scenarios() -> Vec<Scenario> {
    let one = Topology::one_level;
    vec![
        Scenario::new("echo_many", one("gw1", "node[1-32]"), "node[1-32]"),
        Scenario::new("gather", one("gw1", "node[1-16]"), "node[1-16]")
            .args(&["-b", "-x", "node[3,5]"])
            .command("set -- $SSH_CONNECTION; echo same; echo ${3##*.}"),
        Scenario::new("stderr_separate", one("gw1", "node[1-8]"), "node[1-8]")
            .command("echo out; echo err >&2; echo out2; echo err2 >&2"),
        Scenario::new("exit_codes", one("gw1", "node[1-8]"), "node[1-8]")
            .args(&["-S"])
            .command("set -- $SSH_CONNECTION; echo before exit; exit ${3##*.}"),
        Scenario::new("command_timeout", one("gw1", "node[1-4]"), "node[1-4]")
            .args(&["-b", "-u", "3"])
            .command(
                "set -- $SSH_CONNECTION; case $3 in 127.0.0.[13]) sleep 8;; esac; echo finished",
            ),
        Scenario::new("stdin", one("gw1", "node[1-4]"), "node[1-4]")
            .args(&["-q"])
            .command("cat; echo after eof")
            .stdin(b"line one\nline two\n\nlast line without newline\n".to_vec()),
        Scenario::new("stdin_large", one("gw1", "node[1-2]"), "node[1-2]")
            .command("wc -c; cksum")
            .stdin(large_stdin()),
        Scenario::new("binary", one("gw1", "node[1-4]"), "node[1-4]")
            .command("printf '\\000\\001\\377 bin\\tx\\r\\n\\342\\202\\254\\nno eol'"),
        Scenario::new("large_output", one("gw1", "node[1-4]"), "node[1-4]")
            .args(&["-b"])
            .command("seq -f 'large output line %g' 1 20000"),
        Scenario::new("two_level", two_level(), "node[1-8]"),
        Scenario::new(
            "several_gateways",
            one("gw[1-3]", "node[1-24]"),
            "node[1-24]",
        )
        .args(&["-b"]),
        Scenario::new(
            "gateway_down_rerouted",
            one("down1,gw1", "node[1-8]"),
            "node[1-8]",
        ),
        Scenario::new("gateway_down_only", one("down1", "node[1-4]"), "node[1-4]"),
        Scenario::new(
            "node_down",
            one("gw1", "node[1-4],down[1-2]"),
            "node[1-4],down[1-2]",
        )
        .args(&["-S", "-t", "5"]),
    ]
}

/// The scenario called `name`.
///
/// # Panics
/// When there is none.
pub fn scenario(name: &str) -> Scenario {
    scenarios()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario named {name}"))
}

/// Runs `scenario` through `gateway` on the shared [`super::sshd`] and returns its
/// comparable view, so that a conformance test is
/// `assert_eq!(run_scenario(&s, &python), run_scenario(&s, &ours))`.
///
/// # Panics
/// When the run hits its deadline or leaves processes behind: both are
/// gateway failures (the message carries outputs and the gateway log).
pub fn run_scenario(scenario: &Scenario, gateway: &GatewayExe) -> Normalised {
    let out = scenario.run(gateway);
    assert!(
        !out.timed_out && out.leftovers.is_empty(),
        "scenario {} through {gateway:?} failed:\n{}",
        scenario.name,
        out.diagnostics()
    );
    out.normalised()
}

fn two_level() -> Topology {
    Topology::new()
        .route(super::ADMIN, "gw1")
        .route("gw1", "gw2")
        .route("gw2", "node[1-8]")
}

/// 256 KiB of numbered lines: several CTL `write` messages' worth.
fn large_stdin() -> Vec<u8> {
    let mut out = Vec::with_capacity(256 * 1024);
    let mut i = 0u32;
    while out.len() < 256 * 1024 {
        out.extend_from_slice(format!("stdin line {i:07} {}\n", "x".repeat(40)).as_bytes());
        i += 1;
    }
    out.truncate(256 * 1024);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        let all = scenarios();
        let mut names: Vec<&str> = all.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
        assert_eq!(scenario("two_level").nodes, "node[1-8]");
        assert_eq!(large_stdin().len(), 256 * 1024);
    }
}
