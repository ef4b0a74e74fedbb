//! The gateway scenario matrix, run with the real `clush` 1.10.1 in tree
//! mode through the Python gateway over the throwaway sshd. Each node's
//! output is checked against what the same command prints when run on that
//! node directly with `ssh` (no clush, no gateway); failures are checked
//! against what ClusterShell reports for them.
//!
//! The gateway is [`GatewayExe::under_test`]: the Python gateway, or the
//! executable named by `CSCOMM_TEST_GATEWAY` (`python-1.9`, or an absolute
//! path such as `cscomm-gateway`'s), so the whole matrix checks another
//! gateway against the same direct-ssh references without any change.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

use cscomm_testkit::clush::{
    self, ClushOutput, GatewayExe, Normalised, Scenario, expand_nodeset, scenario,
};

/// What one node prints when the command runs on it over plain `ssh`.
#[derive(Debug, Default)]
struct Direct {
    stdout: Vec<String>,
    stderr: Vec<String>,
    code: i32,
}

/// Lines as ClusterShell reads them: ended by `\n` or `\r\n`, the last one
/// possibly unterminated; the test server's port written `<port>`.
fn lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let port = format!("port {}", clush::sshd().port());
    let text = text.replace(&port, "port <port>");
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let unterminated = lines.pop().filter(|last| !last.is_empty());
    for line in &mut lines {
        if line.ends_with('\r') {
            line.pop();
        }
    }
    lines.extend(unterminated);
    lines
}

fn ssh_direct(node: &str, command: &str, stdin: Option<&[u8]>) -> Direct {
    let sshd = clush::sshd();
    let mut child = Command::new("ssh")
        .args(sshd.ssh_args())
        .args([node, command])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let data = stdin.unwrap_or_default().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Direct {
        stdout: lines(&out.stdout),
        stderr: lines(&out.stderr),
        code: out.status.code().unwrap(),
    }
}

/// The nodes a scenario targets: `-w` minus every `-x`.
fn targets(s: &Scenario) -> Vec<String> {
    let excluded: BTreeSet<String> = s
        .args
        .windows(2)
        .filter(|w| w[0] == "-x")
        .flat_map(|w| expand_nodeset(w[1]).unwrap())
        .collect();
    let all = expand_nodeset(s.nodes).unwrap();
    all.into_iter().filter(|n| !excluded.contains(n)).collect()
}

/// Runs the scenario's command on each of `nodes` over ssh, in parallel.
fn reference(s: &Scenario, nodes: &[String]) -> BTreeMap<String, Direct> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = nodes
            .iter()
            .map(|n| scope.spawn(move || (n.clone(), ssh_direct(n, s.command, s.stdin.as_deref()))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Runs the scenario through the gateway under test, checking that it left
/// nothing behind and that a gateway did run (its log file exists) when
/// `gateway_runs`.
fn run_gateway(s: &Scenario, gateway_runs: bool) -> (Normalised, ClushOutput) {
    let out = s.run(&GatewayExe::under_test());
    let logged = out.gateway_log.contains(".gw.log");
    assert!(
        !out.timed_out && out.leftovers.is_empty() && logged == gateway_runs,
        "{}: {}",
        s.name,
        out.diagnostics()
    );
    (out.normalised(), out)
}

/// Every node printed exactly what it prints over ssh, clush reported the
/// non-zero exit codes, and nothing else appeared.
fn assert_matches(s: &Scenario, got: &Normalised, want: &BTreeMap<String, Direct>) {
    for (node, direct) in want {
        assert_eq!(
            got.stdout_of(node),
            direct.stdout,
            "{}: stdout of {node}",
            s.name
        );
        assert_eq!(
            got.stderr_of(node),
            direct.stderr,
            "{}: stderr of {node}",
            s.name
        );
    }
    let printed: BTreeSet<&str> = got.nodes().into_iter().collect();
    let expected: BTreeSet<&str> = want
        .iter()
        .filter(|(_, d)| !d.stdout.is_empty() || !d.stderr.is_empty())
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(printed, expected, "{}: nodes with output", s.name);
    assert!(got.stdout_unlabelled.is_empty(), "{}: {got:?}", s.name);
    let codes: BTreeMap<String, i32> = want
        .iter()
        .filter(|(_, d)| d.code != 0)
        .map(|(n, d)| (n.clone(), d.code))
        .collect();
    assert_eq!(got.exit_codes(), codes, "{}: exit codes", s.name);
}

/// clush's own exit code: the largest command code with `-S`, else 0.
fn expected_exit(s: &Scenario, want: &BTreeMap<String, Direct>) -> i32 {
    let maxrc = want.values().map(|d| d.code).max().unwrap_or(0);
    if s.args.contains(&"-S") { maxrc } else { 0 }
}

/// The common case: the tree run equals the direct run, node by node.
fn check_same_as_direct(name: &str) -> Normalised {
    check_same_as_direct_raw(name).0
}

/// [`check_same_as_direct`], also returning clush's raw output.
fn check_same_as_direct_raw(name: &str) -> (Normalised, ClushOutput) {
    let s = scenario(name);
    let (got, raw) = run_gateway(&s, true);
    let want = reference(&s, &targets(&s));
    assert_matches(&s, &got, &want);
    assert_eq!(
        got.exit_code,
        Some(expected_exit(&s, &want)),
        "{name}: {got:?}"
    );
    let only_exit_messages = got
        .messages
        .iter()
        .all(|m| m.contains(": exited with exit code "));
    assert!(only_exit_messages, "{name}: {:?}", got.messages);
    (got, raw)
}

#[test]
fn echo_on_many_nodes() {
    let got = check_same_as_direct("echo_many");
    assert_eq!(got.stdout.len(), 32);
    assert_eq!(
        got.stdout_of("node9"),
        ["hello from 127.0.0.1", "second line"]
    );
}

#[test]
fn gathering_with_b_groups_identical_outputs() {
    let (got, raw) = check_same_as_direct_raw("gather");
    assert_eq!(got.stdout.len(), 14, "-x node[3,5] removed two");
    let raw = String::from_utf8_lossy(&raw.stdout).into_owned();
    // node1 and node9 share 127.0.0.1; node3 is excluded, so node11 is alone.
    assert!(raw.contains("\nnode[1,9] (2)\n"), "{raw}");
    assert!(
        raw.contains("\nnode11\n---------------\nsame\n3\n"),
        "{raw}"
    );
}

#[test]
fn stderr_stays_separate() {
    let got = check_same_as_direct("stderr_separate");
    assert_eq!(got.stdout_of("node4"), ["out", "out2"]);
    assert_eq!(got.stderr_of("node4"), ["err", "err2"]);
}

#[test]
fn non_zero_exit_codes_are_reported() {
    let got = check_same_as_direct("exit_codes");
    assert_eq!(got.exit_code, Some(8), "-S: the largest code");
    assert_eq!(got.exit_codes().get("node3"), Some(&3));
}

#[test]
fn command_timeout_reports_the_slow_nodes() {
    let s = scenario("command_timeout");
    let (got, _) = run_gateway(&s, true);
    let sshd = clush::sshd();
    let (slow, fast): (Vec<String>, Vec<String>) = targets(&s).into_iter().partition(|n| {
        let addr = sshd.address_of(n).unwrap().to_string();
        addr == "127.0.0.1" || addr == "127.0.0.3"
    });
    assert_eq!(got.timed_out(), slow);
    assert_matches(&s, &got, &reference(&s, &fast));
    for node in &slow {
        assert!(got.stdout_of(node).is_empty(), "{node}: {got:?}");
    }
    assert_eq!(got.messages, ["clush: node[1,3]: command timeout"]);
    assert_eq!(got.exit_code, Some(0));
}

#[test]
fn stdin_is_forwarded_to_every_node() {
    let got = check_same_as_direct("stdin");
    let want = [
        "line one",
        "line two",
        "",
        "last line without newline",
        "after eof",
    ];
    assert_eq!(got.stdout_of("node2"), want);
}

#[test]
fn large_stdin_arrives_whole() {
    let got = check_same_as_direct("stdin_large");
    assert_eq!(got.stdout_of("node1")[0], "262144");
}

#[test]
fn binary_output_is_kept() {
    let got = check_same_as_direct("binary");
    // clush shows undecodable bytes as U+FFFD; everything else is as sent.
    // ClusterShell ends lines at `\n` and drops the `\r` of a `\r\n`.
    let want = ["\0\u{1}\u{fffd} bin\tx", "\u{20ac}", "no eol"];
    assert_eq!(got.stdout_of("node1"), want);
}

#[test]
fn large_output_is_complete() {
    let got = check_same_as_direct("large_output");
    for node in ["node1", "node4"] {
        let out = got.stdout_of(node);
        assert_eq!(out.len(), 20000);
        assert_eq!(out[19999], "large output line 20000");
    }
}

#[test]
fn two_level_tree_reaches_every_node() {
    check_same_as_direct("two_level");
}

#[test]
fn several_gateways_share_the_nodes() {
    let got = check_same_as_direct("several_gateways");
    assert_eq!(got.stdout.len(), 24);
}

#[test]
fn down_gateway_is_rerouted() {
    let s = scenario("gateway_down_rerouted");
    let (got, _) = run_gateway(&s, true);
    let nodes = targets(&s);
    let want = reference(&s, &nodes);
    for (node, direct) in &want {
        assert_eq!(got.stdout_of(node), direct.stdout, "{node}");
    }
    assert_eq!(got.exit_code, Some(0));
    let refused = ssh_direct("down1", "true", None);
    assert_eq!(got.stderr_of("down1"), refused.stderr);
    let [message] = got.messages.as_slice() else {
        panic!("one reroute message expected: {:?}", got.messages)
    };
    let rerouted = message
        .strip_prefix("clush: rerouting commands for ")
        .and_then(|m| m.strip_suffix(" due to the failure of gateway down1"))
        .and_then(expand_nodeset)
        .unwrap_or_else(|| panic!("{message}"));
    assert!(!rerouted.is_empty() && rerouted.iter().all(|n| nodes.contains(n)));
}

#[test]
fn only_gateway_down_fails_the_run() {
    let s = scenario("gateway_down_only");
    let (got, _) = run_gateway(&s, false);
    assert_eq!(got.exit_code, Some(1));
    assert!(got.stdout.is_empty(), "{got:?}");
    let refused = ssh_direct("down1", "true", None);
    assert_eq!(got.stderr_of("down1"), refused.stderr);
    assert_eq!(
        got.messages,
        [
            "clush: TREE MODE: No route available to node1",
            "clush: rerouting commands for node[1-4] due to the failure of gateway down1",
        ]
    );
}

#[test]
fn down_node_is_reported_by_ssh_exit_code() {
    let got = check_same_as_direct("node_down");
    assert_eq!(got.exit_codes().get("down2"), Some(&255));
    assert_eq!(got.exit_code, Some(255));
    let refused = &got.stderr_of("down1")[0];
    assert!(refused.ends_with("Connection refused"), "{refused}");
}
