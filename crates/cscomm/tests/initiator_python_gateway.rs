//! The initiator side over real ssh: tree runs go through ClusterShell
//! 1.10.1's Python gateway (and through ours), started over a real sshd on
//! loopback, to nodes reached over ssh from the gateway.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::BTreeMap;
use std::sync::Arc;

use cscomm::ssh::SshOptions;
use cscomm::tree::{NodeSet, TreeEvent, TreeOptions, TreeRun};
use cscomm_message::{PickledTopology, TaskInfo};
use cscomm_pickle::Value;
use cscomm_testkit::python::Python;
use cscomm_testkit::sshd::Sshd;

mod common;

#[derive(Debug, Default, PartialEq)]
struct NodeLog {
    stdout: Vec<String>,
    stderr: Vec<String>,
    end: Option<String>,
}

#[derive(Debug, Default)]
struct RunLog {
    nodes: BTreeMap<String, NodeLog>,
    routing: Vec<String>,
    gateway_stderr: Vec<String>,
}

async fn collect(mut run: TreeRun) -> RunLog {
    let mut log = RunLog::default();
    while let Some(event) = run.next_event().await {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match event {
            TreeEvent::Stdout { node, line } => log
                .nodes
                .entry(node.to_string())
                .or_default()
                .stdout
                .push(text(&line)),
            TreeEvent::Stderr { node, line } => log
                .nodes
                .entry(node.to_string())
                .or_default()
                .stderr
                .push(text(&line)),
            TreeEvent::Exit { node, code } => {
                log.nodes.entry(node.to_string()).or_default().end = Some(format!("exit {code}"))
            }
            TreeEvent::Timeout { node } => {
                log.nodes.entry(node.to_string()).or_default().end = Some("timeout".into())
            }
            TreeEvent::Routing {
                event,
                gateway,
                targets,
            } => log.routing.push(format!("{event} {gateway} {targets}")),
            TreeEvent::GatewayStderr { gateway, line } => log
                .gateway_stderr
                .push(format!("{gateway}: {}", text(&line))),
            other => panic!("unexpected {other:?}"),
        }
    }
    log
}

/// `admin -> <gateways> -> <nodes>`, over the test sshd, with the gateway
/// program `gateway_exe` (`-m ClusterShell.Gateway -Bu` appended).
fn options(sshd: &Sshd, gateways: &str, nodes: &str, gateway_exe: &str) -> TreeOptions {
    let mut topology = PickledTopology::new("admin".parse().unwrap());
    let group = topology.add_group(0, gateways.parse().unwrap());
    topology.add_group(group, nodes.parse().unwrap());
    let mut taskinfo = TaskInfo::default();
    taskinfo.set("ssh_options", Value::from(sshd.ssh_options()));
    taskinfo.set("fanout", Value::Int(64));
    taskinfo.set("grooming_delay", Value::Float(0.25));
    let mut options = TreeOptions::default();
    options.ssh = SshOptions::default().with_options(sshd.ssh_options());
    options.invoke_gateway = format!("{gateway_exe} -m ClusterShell.Gateway -Bu");
    options.taskinfo = taskinfo;
    options.topology = Some(Arc::new(topology));
    options.root = "admin".to_owned();
    options
}

fn python_gateway() -> String {
    Python::clustershell().exe().to_str().unwrap().to_owned()
}

const WHO: &str = "set -- $SSH_CONNECTION; echo $3; echo err >&2; exit 3";

async fn run_on(options: TreeOptions, nodes: &str) -> RunLog {
    let targets: NodeSet = nodes.parse().unwrap();
    let run = TreeRun::start(WHO, &targets, options).unwrap();
    run.close_stdin();
    collect(run).await
}

fn check_nodes(sshd: &Sshd, log: &RunLog, nodes: &[&str]) {
    for node in nodes {
        let entry = &log.nodes[*node];
        let address = sshd.address_of(node).unwrap().to_string();
        assert_eq!(entry.stdout, [address], "{node}: {log:?}");
        assert_eq!(entry.stderr, ["err"], "{node}");
        assert_eq!(entry.end.as_deref(), Some("exit 3"), "{node}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_python_gateway_and_ours() {
    let sshd = common::sshd();
    let nodes = ["node1", "node2", "node3", "node4", "node5"];
    for gateway in [
        python_gateway(),
        env!("CARGO_BIN_EXE_cscomm-gateway").to_owned(),
    ] {
        let log = run_on(options(sshd, "gw1", "node[1-5]", &gateway), "node[1-5]").await;
        check_nodes(sshd, &log, &nodes);
        assert!(log.routing.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_down_behind_a_python_gateway() {
    let sshd = common::sshd();
    let log = run_on(
        options(sshd, "gw2", "node[1-2],down1", &python_gateway()),
        "node[1-2],down1",
    )
    .await;
    check_nodes(sshd, &log, &["node1", "node2"]);
    let down = &log.nodes["down1"];
    assert_eq!(down.end.as_deref(), Some("exit 255"));
    assert!(
        down.stderr.iter().any(|l| l.contains("Connection refused")),
        "{down:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_down_is_routed_around() {
    let sshd = common::sshd();
    // down1 refuses connections: its targets go through gw3, the other
    // gateway of the group, with a routing event.
    let log = run_on(
        options(sshd, "down1,gw3", "node[6-9]", &python_gateway()),
        "node[6-9]",
    )
    .await;
    check_nodes(sshd, &log, &["node6", "node7", "node8", "node9"]);
    assert_eq!(log.routing.len(), 1, "{:?}", log.routing);
    assert!(
        log.routing[0].starts_with("reroute down1 node"),
        "{:?}",
        log.routing
    );
    assert!(
        log.gateway_stderr
            .iter()
            .any(|l| l.contains("Connection refused"))
    );
}

/// A gateway program choosing by host: ClusterShell's Python gateway on
/// `python_host` (a loopback address), ours anywhere else.
fn mixed_gateway(python_host: &str) -> String {
    let dir = cscomm_testkit::python::workspace_root().join("target/mixed-gateway");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("gateway-{python_host}"));
    let script = format!(
        "#!/bin/sh\nset -- $SSH_CONNECTION\nif [ \"$3\" = {python_host} ]; then exec {} -m ClusterShell.Gateway -Bu; fi\nexec {} -m ClusterShell.Gateway -Bu\n",
        python_gateway(),
        env!("CARGO_BIN_EXE_cscomm-gateway"),
    );
    std::fs::write(&path, script).unwrap();
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&path, permissions).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Mixed trees driven by our initiator: admin -> gw1 -> gw2 -> nodes, with
/// the Python gateway at one level and ours at the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_two_level_trees() {
    let sshd = common::sshd();
    let nodes = ["node3", "node4", "node5"];
    for python_level in ["gw1", "gw2"] {
        let python_host = sshd.address_of(python_level).unwrap().to_string();
        let gateway = mixed_gateway(&python_host);
        let mut options = options(sshd, "gw1", "gw2", &gateway);
        // As ClusterShell does: the variable travels in the command, so that
        // a Python gateway starts its sub-gateways with the same program.
        options.invoke_gateway = format!(
            "CLUSTERSHELL_GW_PYTHON_EXECUTABLE={gateway} {}",
            options.invoke_gateway
        );
        let mut topology = PickledTopology::new("admin".parse().unwrap());
        let first = topology.add_group(0, "gw1".parse().unwrap());
        let second = topology.add_group(first, "gw2".parse().unwrap());
        topology.add_group(second, "node[3-5]".parse().unwrap());
        options.topology = Some(Arc::new(topology));
        let log = run_on(options, "node[3-5]").await;
        check_nodes(sshd, &log, &nodes);
        assert!(log.routing.is_empty(), "{python_level}: {:?}", log.routing);
    }
}
