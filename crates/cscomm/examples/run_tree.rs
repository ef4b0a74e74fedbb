//! Runs a command through a real propagation tree from Rust, on this
//! machine: the gateways of a `topology.conf` are `cscomm-gateway`
//! processes started locally (where a cluster would start them over ssh),
//! and each node's command runs locally with `%h` as the node name.
//!
//! `run_tree TOPOLOGY NODES COMMAND [GATEWAY]`, for instance
//! `run_tree examples/topology.conf 'node[1-8],leaf[1-2]' 'echo hello from %h'`.
//! GATEWAY is the `cscomm-gateway` program; by default the one built next
//! to this example (`cargo build -p cscomm --bin cscomm-gateway`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cscomm::gateway::request_local_workers;
use cscomm::tree::{NodeSet, TreeOptions, load_topology, run_blocking};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [topology, nodes, command, rest @ ..] = args.as_slice() else {
        return Err("usage: run_tree TOPOLOGY NODES COMMAND [GATEWAY]".into());
    };
    let gateway = match rest.first() {
        Some(path) => PathBuf::from(path),
        None => default_gateway()?,
    };
    let root = "admin";
    let mut options = TreeOptions::default();
    options.remote = false;
    options.local_workers = true;
    options.invoke_gateway = format!("{} -m ClusterShell.Gateway -Bu", gateway.display());
    options.topology = Some(Arc::new(load_topology(Path::new(topology), root)?));
    options.root = root.to_owned();
    // Gateways too reach their targets by local execution.
    request_local_workers(&mut options.taskinfo);
    let targets: NodeSet = nodes.parse()?;
    let result = run_blocking(command, &targets, options, b"")?;
    for (node, outcome) in &result.nodes {
        for line in &outcome.stdout {
            println!("{node}: {}", String::from_utf8_lossy(line));
        }
        println!("{node}: exit code {:?}", outcome.exit_code);
    }
    for (gateway, why) in &result.gateway_failures {
        eprintln!("gateway {gateway} failed: {why}");
    }
    Ok(())
}

/// `cscomm-gateway` in the target directory this example was built in.
fn default_gateway() -> Result<PathBuf, Box<dyn std::error::Error>> {
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("cannot locate the target directory")?;
    let gateway = profile_dir.join("cscomm-gateway");
    if gateway.is_file() {
        Ok(gateway)
    } else {
        Err(format!(
            "{} not found: build it, or name a gateway",
            gateway.display()
        )
        .into())
    }
}
