//! Which next hop carries which targets: ClusterShell's
//! `PropagationTreeRouter`, over the topology a `CFG` carries.
//!
//! For a root (the admin node, or a gateway's own name), each child group
//! of the root's group leads to every node below it. A target below a
//! child group goes to the least-loaded gateway of that group (load: the
//! number of targets routed through it so far, ties to the first in node
//! set order); the others are reached directly. A gateway marked
//! unreachable is skipped; when a group has none left, its targets are
//! reached directly.

use std::collections::HashMap;

use cscomm_message::{NodeSet, PickledTopology};

/// Where a group of targets goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NextHop {
    /// Run on the targets directly.
    Direct,
    /// Through this gateway.
    Gateway(String),
}

/// The router of one node of the tree.
#[derive(Debug, Clone, Default)]
pub struct Router {
    /// (nodes below a child group, the gateways of that group).
    table: Vec<(NodeSet, NodeSet)>,
    fanin: HashMap<String, usize>,
    unreachable: NodeSet,
}

/// The root is in no group of the topology.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid root or gateway node: {0}")]
pub struct UnknownRoot(pub String);

impl Router {
    /// The router of `root` in `topology`.
    pub fn new(topology: &PickledTopology, root: &str) -> Result<Router, UnknownRoot> {
        let group = topology
            .groups
            .iter()
            .position(|g| g.nodes.contains(root))
            .ok_or_else(|| UnknownRoot(root.to_owned()))?;
        let table = topology.groups[group]
            .children
            .iter()
            .map(|&child| {
                (
                    nodes_below(topology, child),
                    topology.groups[child].nodes.clone(),
                )
            })
            .collect();
        Ok(Router {
            table,
            ..Router::default()
        })
    }

    /// A router that reaches every target directly (no topology).
    pub fn direct() -> Router {
        Router::default()
    }

    /// Splits `targets` by next hop, in ClusterShell's order (gateways in
    /// the order first chosen, direct targets last).
    pub fn dispatch(&mut self, targets: &NodeSet) -> Vec<(NextHop, NodeSet)> {
        let mut remaining = targets.clone();
        let mut routes: Vec<(NextHop, Vec<String>)> = Vec::new();
        let mut direct: Vec<String> = Vec::new();
        for (network, gateways) in &self.table {
            let behind = network.intersection(&remaining);
            if behind.is_empty() {
                continue;
            }
            remaining.difference_update(&behind);
            for host in behind.iter() {
                match best_gateway(gateways, &self.unreachable, &self.fanin) {
                    Some(gateway) => {
                        *self.fanin.entry(gateway.clone()).or_default() += 1;
                        let hop = NextHop::Gateway(gateway);
                        match routes.iter_mut().find(|(h, _)| *h == hop) {
                            Some((_, hosts)) => hosts.push(host),
                            None => routes.push((hop, vec![host])),
                        }
                    }
                    None => direct.push(host),
                }
            }
        }
        direct.extend(remaining.iter());
        let mut out: Vec<(NextHop, NodeSet)> = routes
            .into_iter()
            .map(|(hop, hosts)| (hop, NodeSet::from_names(hosts)))
            .collect();
        if !direct.is_empty() {
            out.push((NextHop::Direct, NodeSet::from_names(direct)));
        }
        out
    }

    /// Routes nothing more through `gateway`.
    pub fn mark_unreachable(&mut self, gateway: &str) {
        self.unreachable.update(&NodeSet::from_names([gateway]));
    }
}

/// Every node below group `index` (its descendants' nodes, not its own).
fn nodes_below(topology: &PickledTopology, index: usize) -> NodeSet {
    let mut nodes = NodeSet::new();
    let mut stack = vec![index];
    while let Some(group) = stack.pop() {
        for &child in &topology.groups[group].children {
            nodes.update(&topology.groups[child].nodes);
            stack.push(child);
        }
    }
    nodes
}

fn best_gateway(
    gateways: &NodeSet,
    unreachable: &NodeSet,
    fanin: &HashMap<String, usize>,
) -> Option<String> {
    let mut best: Option<(String, usize)> = None;
    for gateway in gateways.difference(unreachable).iter() {
        let load = fanin.get(&gateway).copied().unwrap_or(0);
        if best.as_ref().is_none_or(|(_, least)| load < *least) {
            best = Some((gateway, load));
        }
    }
    best.map(|(gateway, _)| gateway)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topology() -> PickledTopology {
        let mut tree = PickledTopology::new("admin".parse().unwrap());
        let gws = tree.add_group(0, "gw[1-2]".parse().unwrap());
        let leaves = tree.add_group(gws, "node[1-4]".parse().unwrap());
        tree.add_group(leaves, "deep[1-2]".parse().unwrap());
        tree
    }

    fn hop(name: &str) -> NextHop {
        NextHop::Gateway(name.to_owned())
    }

    #[test]
    fn balances_targets_over_the_gateways_of_a_group() {
        let mut router = Router::new(&topology(), "admin").unwrap();
        let routes = router.dispatch(&"node[1-4],deep1,other".parse().unwrap());
        let expected = vec![
            (hop("gw1"), "deep1,node[2,4]".parse().unwrap()),
            (hop("gw2"), "node[1,3]".parse().unwrap()),
            (NextHop::Direct, "other".parse().unwrap()),
        ];
        assert_eq!(routes, expected);
    }

    #[test]
    fn skips_unreachable_gateways_then_goes_direct() {
        let mut router = Router::new(&topology(), "admin").unwrap();
        router.mark_unreachable("gw1");
        let routes = router.dispatch(&"node[1-2]".parse().unwrap());
        assert_eq!(routes, vec![(hop("gw2"), "node[1-2]".parse().unwrap())]);
        router.mark_unreachable("gw2");
        let routes = router.dispatch(&"node1".parse().unwrap());
        assert_eq!(routes, vec![(NextHop::Direct, "node1".parse().unwrap())]);
    }

    #[test]
    fn a_gateway_routes_from_its_own_group() {
        let mut router = Router::new(&topology(), "gw2").unwrap();
        let routes = router.dispatch(&"deep[1-2],node1".parse().unwrap());
        let expected = vec![
            (hop("node1"), "deep1".parse().unwrap()),
            (hop("node2"), "deep2".parse().unwrap()),
            (NextHop::Direct, "node1".parse().unwrap()),
        ];
        assert_eq!(routes, expected);
        assert!(Router::new(&topology(), "stranger").is_err());
    }
}
