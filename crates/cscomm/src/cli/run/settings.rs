//! From command-line options to what a tree run needs.

use std::path::Path;
use std::sync::Arc;

use cscomm::gateway::{request_local_workers, short_hostname};
use cscomm::pickle::Value;
use cscomm::ssh::SshOptions;
use cscomm::topology::{TopologyGraph, find_topology_file};
use cscomm::tree::{TreeOptions, load_topology};
use cscomm_groups::ClushSettings;
use cscomm_message::TaskInfo;

use super::RunArgs;
use super::worker::{Execution, Worker};

/// ClusterShell's default grooming delay (seconds), sent to gateways.
const GROOMING_DELAY: f64 = 0.25;

/// The tree-run settings of the command line.
pub(super) fn tree_options(
    args: &RunArgs,
    conf: &ClushSettings,
    execution: Execution,
) -> Result<TreeOptions, Box<dyn std::error::Error>> {
    let local = execution.local(args);
    let mut ssh = SshOptions::default();
    ssh.path = conf.ssh_path.clone();
    ssh.user = conf.ssh_user.clone();
    ssh.options = conf.ssh_options.clone();
    ssh.connect_timeout = conf.connect_timeout;
    // clush uses its tree with its default worker only.
    let file = execution
        .tree()
        .then(|| args.topology.clone().or_else(find_topology_file))
        .flatten();
    let (topology, root) = match &file {
        Some(path) => {
            let root = root_name(args, local, path).map_err(|e| invalid_file(path, e))?;
            let topology = load_topology(path, &root).map_err(|e| invalid_file(path, e.into()))?;
            (Some(Arc::new(topology)), root)
        }
        None => (None, short_hostname()),
    };
    let invoke_gateway = match (local, args.gateway_command.as_deref()) {
        (true, Some(command)) => command.to_owned(),
        (true, None) => local_gateway_command()?,
        (false, command) => remote_gateway_command(command),
    };
    Ok(TreeOptions {
        fanout: conf.fanout.max(1),
        // -B gathers standard error with standard output.
        stderr: !args.gather_all,
        remote: execution.remote && !local,
        timeout: Some(conf.command_timeout).filter(|t| *t > 0.0),
        taskinfo: taskinfo(local, conf, &ssh),
        ssh,
        local_workers: local,
        // `-R ssh --remote=no`: clush's local worker is ssh.
        local_worker_ssh: execution.worker == Some(Worker::Ssh),
        invoke_gateway,
        topology,
        root,
    })
}

/// clush's words for a topology file it cannot read or whose syntax or
/// sections are wrong (`TREE MODE: Invalid configuration file: PATH`);
/// other errors (a bad route) as they are.
fn invalid_file(path: &Path, error: Box<dyn std::error::Error>) -> Box<dyn std::error::Error> {
    use cscomm_topology::Error as E;
    let mut topology = error
        .downcast_ref::<E>()
        .or_else(|| match error.downcast_ref() {
            Some(cscomm::Error::Topology(inner)) => Some(inner),
            _ => None,
        });
    while let Some(E::File { source, .. }) = topology {
        topology = Some(source.as_ref());
    }
    let syntax = matches!(topology, Some(E::ConfigSyntax { .. } | E::NoRoutesSection));
    if syntax || std::fs::File::open(path).is_err() {
        format!("TREE MODE: Invalid configuration file: {}", path.display()).into()
    } else {
        error
    }
}

/// The root: --root, else the short host name; with --local, when the host
/// is not in the topology, the first source of its routes (the demo's
/// admin node).
fn root_name(
    args: &RunArgs,
    local: bool,
    path: &Path,
) -> Result<String, Box<dyn std::error::Error>> {
    if let Some(root) = &args.root {
        return Ok(root.clone());
    }
    let host = short_hostname();
    if !local || load_topology(path, &host).is_ok() {
        return Ok(host);
    }
    let graph = TopologyGraph::from_file(path)?;
    graph
        .routes()
        .next()
        .and_then(|(sources, _)| sources.iter().next())
        .ok_or_else(|| "the topology has no route".into())
}

/// The variables ClusterShell passes to its gateways when they are set.
const GATEWAY_ENV: [&str; 5] = [
    "PYTHONPATH",
    "CLUSTERSHELL_GW_PYTHON_EXECUTABLE",
    "CLUSTERSHELL_GW_LOG_DIR",
    "CLUSTERSHELL_GW_LOG_LEVEL",
    "CLUSTERSHELL_GW_B64_LINE_LENGTH",
];

/// The gateway command as ClusterShell builds it: `NAME=value` for each of
/// [`GATEWAY_ENV`] set here, then `command` or the default interpreter.
fn remote_gateway_command(command: Option<&str>) -> String {
    let mut words: Vec<String> = GATEWAY_ENV
        .iter()
        .filter_map(|name| {
            let value = std::env::var(name).ok().filter(|v| !v.is_empty())?;
            Some(format!("{name}={value}"))
        })
        .collect();
    match command {
        Some(command) => words.push(command.to_owned()),
        None => {
            let exe = std::env::var("CLUSTERSHELL_GW_PYTHON_EXECUTABLE")
                .unwrap_or_else(|_| "python3".to_owned());
            words.push(format!("{exe} -m ClusterShell.Gateway -Bu"));
        }
    }
    words.join(" ")
}

/// This program as a gateway (`cscomm gateway`), quoted for `/bin/sh`.
fn local_gateway_command() -> Result<String, Box<dyn std::error::Error>> {
    let exe = std::env::current_exe()?;
    let exe = exe
        .to_str()
        .ok_or("the path of this program is not UTF-8")?;
    let quoted = format!("'{}'", exe.replace('\'', "'\\''"));
    Ok(format!("{quoted} gateway -m ClusterShell.Gateway -Bu"))
}

/// The task settings gateways get, with ClusterShell's names.
fn taskinfo(local: bool, conf: &ClushSettings, ssh: &SshOptions) -> TaskInfo {
    let mut info = TaskInfo::default();
    info.set("debug", Value::Bool(false));
    info.set(
        "fanout",
        Value::Int(i64::try_from(conf.fanout).unwrap_or(i64::MAX)),
    );
    info.set("grooming_delay", Value::Float(GROOMING_DELAY));
    info.set("connect_timeout", Value::Float(ssh.connect_timeout));
    info.set("command_timeout", Value::Float(conf.command_timeout));
    if let Some(user) = &ssh.user {
        info.set("ssh_user", Value::from(user.as_str()));
    }
    if let Some(options) = &ssh.options {
        info.set("ssh_options", Value::from(options.as_str()));
    }
    if let Some(path) = &ssh.path {
        info.set("ssh_path", Value::from(path.as_str()));
    }
    // As clush: the other workers' keys go to the gateways too.
    let others = [
        ("scp_path", &conf.scp_path),
        ("scp_options", &conf.scp_options),
        ("rsh_path", &conf.rsh_path),
        ("rcp_path", &conf.rcp_path),
        ("rsh_options", &conf.rsh_options),
    ];
    for (key, value) in others {
        if let Some(value) = value {
            info.set(key, Value::from(value.as_str()));
        }
    }
    if local {
        request_local_workers(&mut info);
    }
    info
}

/// Turns grooming off on the gateways (clush does for `--rcopy`).
pub(super) fn without_grooming(options: &mut TreeOptions) {
    options.taskinfo.set("grooming_delay", Value::Float(0.0));
}
