//! clush's `-v` lines about the run's set-up: the mode and the tree.

use cscomm::tree::TreeOptions;

use super::RunArgs;
use super::display::{PROG, Verbosity};

/// With -v (or more), clush's `[MODE] run mode activated` (stdout) when
/// `-m` names a mode, and `enabling tree topology (N gateways)` (stderr)
/// when a topology is in use.
pub(super) fn setup_lines(args: &RunArgs, options: &TreeOptions, verbosity: Verbosity) {
    if verbosity < Verbosity::Verbose {
        return;
    }
    // An empty mode is none, as in clush.
    if let Some(mode) = args.mode.as_ref().filter(|m| !m.is_empty()) {
        println!("[{mode}] run mode activated");
    }
    if let Some(topology) = &options.topology {
        eprintln!(
            "{PROG}: enabling tree topology ({} gateways)",
            gateway_count(topology)
        );
    }
}

/// ClusterShell's count: the nodes of groups with children, the root's
/// aside.
fn gateway_count(topology: &cscomm_message::PickledTopology) -> usize {
    let inner: usize = topology
        .groups
        .iter()
        .filter(|group| !group.children.is_empty())
        .map(|group| group.nodes.len())
        .sum();
    let roots = topology.groups.first().map_or(0, |root| root.nodes.len());
    inner.saturating_sub(roots)
}
