//! ClusterShell's `PropagationTreeRouter`: which next hop carries which
//! targets, as `TreeWorker._distribute` groups them.

use crate::{Error, NodeSet, TopologyTree};
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;

/// Where a group of targets goes next.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NextHop {
    /// Through this gateway node.
    Gateway(String),
    /// Reached directly from the router's root (outside the tree, or a
    /// gateway of the root's own child groups).
    Direct,
}

/// Targets sent to one next hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The next hop.
    pub next_hop: NextHop,
    /// The targets it carries.
    pub targets: NodeSet,
}

/// One child group of the root: the nodes behind it and its gateways.
#[derive(Debug, Clone)]
struct Branch {
    network: NodeSet,
    gateways: NodeSet,
    /// The gateways' names, in node set order.
    names: Vec<String>,
}

/// ClusterShell's router for one root: targets behind a child group of the
/// root go to the least loaded gateway of that group (load = number of
/// targets routed through it so far, never decreasing, ties to the first
/// gateway in node set order), other targets are reached directly.
///
/// ```
/// use cscomm_topology::{NextHop, Router, TopologyGraph};
///
/// let tree = TopologyGraph::from_config_str("[routes]\nadmin: gw[1-2]\ngw[1-2]: n[1-4]\n")?
///     .to_tree("admin")?;
/// let mut router = Router::new(&tree, "admin")?;
/// let routes = router.dispatch(&"n[1-4],other".parse()?)?;
/// assert_eq!(routes[0].next_hop, NextHop::Gateway("gw1".into()));
/// assert_eq!(routes[0].targets.to_string(), "n[1,3]");
/// assert_eq!(routes[2].next_hop, NextHop::Direct);
/// router.mark_unreachable("gw1");
/// let routes = router.dispatch(&"n[1-2]".parse()?)?;
/// assert_eq!(routes[0].next_hop, NextHop::Gateway("gw2".into()));
/// # Ok::<(), cscomm_topology::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Router {
    root: String,
    table: Vec<Branch>,
    fanin: HashMap<String, u64>,
    unreachable: NodeSet,
}

impl Router {
    /// The router of `root` (the admin node, or a gateway's own name) in
    /// `tree`: routes through the child groups of the first group holding
    /// `root`.
    pub fn new(tree: &TopologyTree, root: &str) -> Result<Router, Error> {
        let group = tree
            .find_nodegroup(root)
            .ok_or_else(|| Error::InvalidRouterRoot {
                root: root.to_owned(),
            })?;
        let table = tree
            .children(group)
            .iter()
            .map(|&child| {
                let mut network = NodeSet::new();
                let mut stack = vec![child];
                while let Some(id) = stack.pop() {
                    network.update(&tree.children_nodes(id));
                    stack.extend_from_slice(tree.children(id));
                }
                let gateways = tree.group(child).nodes().clone();
                let names = gateways.iter().collect();
                Branch {
                    network,
                    gateways,
                    names,
                }
            })
            .collect();
        Ok(Router {
            root: root.to_owned(),
            table,
            fanin: HashMap::new(),
            unreachable: NodeSet::new(),
        })
    }

    /// The root this router routes from.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// Number of targets routed through `gateway` so far.
    pub fn load(&self, gateway: &str) -> u64 {
        self.fanin.get(gateway).copied().unwrap_or(0)
    }

    /// The gateways that carried targets so far, with their loads.
    pub fn loads(&self) -> impl Iterator<Item = (&str, u64)> {
        self.fanin.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// The nodes marked unreachable.
    pub fn unreachable(&self) -> &NodeSet {
        &self.unreachable
    }

    /// Stops routing through `gateway` (a node name, or node set text).
    pub fn mark_unreachable(&mut self, gateway: &str) {
        let nodes =
            NodeSet::parse_literal(gateway).unwrap_or_else(|_| NodeSet::from_names([gateway]));
        self.unreachable.update(&nodes);
    }

    /// Splits `targets` into next hops, in ClusterShell's order (gateways
    /// in order of first use, then the direct targets), each target
    /// charged to its gateway's load.
    ///
    /// Fails, as ClusterShell does, on a target behind a group whose
    /// gateways are all unreachable, or on a target that was itself marked
    /// unreachable; the loads of the targets routed before stay counted.
    pub fn dispatch(&mut self, targets: &NodeSet) -> Result<Vec<Route>, Error> {
        let (hops, left) = self.distribute(targets, |_, error| Err(error))?;
        Ok(hops.into_routes(left))
    }

    /// [`dispatch`](Self::dispatch), except that a target it would fail on
    /// is reached directly (it joins the direct targets) and routing goes
    /// on: the run keeps going when every gateway towards some targets is
    /// down, where ClusterShell stops with `RouteResolvingError`.
    ///
    /// ```
    /// use cscomm_topology::{NextHop, Router, TopologyGraph};
    ///
    /// let tree = TopologyGraph::from_config_str("[routes]\nadmin: gw1\ngw1: n[1-2]\n")?
    ///     .to_tree("admin")?;
    /// let mut router = Router::new(&tree, "admin")?;
    /// router.mark_unreachable("gw1");
    /// assert!(router.dispatch(&"n1".parse()?).is_err());
    /// let routes = router.dispatch_or_direct(&"n[1-2],other".parse()?);
    /// assert_eq!(routes.len(), 1);
    /// assert_eq!(routes[0].next_hop, NextHop::Direct);
    /// assert_eq!(routes[0].targets.to_string(), "n[1-2],other");
    /// # Ok::<(), cscomm_topology::Error>(())
    /// ```
    pub fn dispatch_or_direct(&mut self, targets: &NodeSet) -> Vec<Route> {
        let mut direct = NodeSet::new();
        let routed = self.distribute(targets, |host, _| {
            direct.update(&NodeSet::from_names([host]));
            Ok::<(), Infallible>(())
        });
        let Ok((hops, mut left)) = routed;
        left.update(&direct);
        hops.into_routes(left)
    }

    /// The routing of [`dispatch`](Self::dispatch): the gateway hops and
    /// the targets left to reach directly. A target that cannot be routed
    /// goes to `unroutable` with the reason, which stops the routing with
    /// an error or lets it go on.
    fn distribute<E>(
        &mut self,
        targets: &NodeSet,
        mut unroutable: impl FnMut(String, Error) -> Result<(), E>,
    ) -> Result<(Hops, NodeSet), E> {
        let mut left = targets.clone();
        let mut hops = Hops::default();
        for k in 0..self.table.len() {
            let behind = self.table[k].network.intersection(&left);
            if behind.is_empty() {
                continue;
            }
            left.difference_update(&behind);
            // ClusterShell checks earlier groups' gateways before this
            // group's network: a target that is one of them is its own hop.
            let mut own_hop = NodeSet::new();
            for earlier in &self.table[..k] {
                own_hop.update(&behind.intersection(&earlier.gateways));
            }
            let own_hop: HashSet<String> = own_hop.iter().collect();
            let blocked: HashSet<String> = behind.intersection(&self.unreachable).iter().collect();
            let candidates: Vec<String> = self.table[k]
                .names
                .iter()
                .filter(|name| !self.unreachable.contains(name))
                .cloned()
                .collect();
            for host in behind.iter() {
                if blocked.contains(&host) {
                    let error = Error::UnreachableTarget {
                        target: host.clone(),
                    };
                    unroutable(host, error)?;
                    continue;
                }
                if own_hop.contains(&host) {
                    hops.push(host.clone(), host);
                    continue;
                }
                match self.least_loaded(&candidates, &host) {
                    Ok(gateway) => hops.push(gateway, host),
                    Err(error) => unroutable(host, error)?,
                }
            }
        }
        Ok((hops, left))
    }

    /// ClusterShell's `_best_next_hop` (first of the least loaded), charged
    /// with one more target.
    fn least_loaded(&mut self, candidates: &[String], host: &str) -> Result<String, Error> {
        let mut best: Option<(&String, u64)> = None;
        for name in candidates {
            let load = self.load(name);
            if best.is_none_or(|(_, b)| load < b) {
                best = Some((name, load));
            }
        }
        let Some((name, _)) = best else {
            return Err(Error::NoRouteAvailable {
                target: host.to_owned(),
            });
        };
        *self.fanin.entry(name.clone()).or_insert(0) += 1;
        Ok(name.clone())
    }
}

/// `TreeWorker._distribute`'s dictionary: targets by next hop text, in
/// order of first use.
#[derive(Default)]
struct Hops {
    keys: Vec<(String, Vec<String>, NodeSet)>,
    index: HashMap<String, usize>,
}

impl Hops {
    fn slot(&mut self, key: String) -> &mut (String, Vec<String>, NodeSet) {
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.index.insert(key.clone(), self.keys.len());
                self.keys.push((key, Vec::new(), NodeSet::new()));
                self.keys.len() - 1
            }
        };
        &mut self.keys[i]
    }

    fn push(&mut self, key: String, host: String) {
        self.slot(key).1.push(host);
    }

    fn push_set(&mut self, key: String, nodes: NodeSet) {
        self.slot(key).2.update(&nodes);
    }

    /// The routes, after those of `direct` (the targets outside the tree)
    /// under their own text. A hop whose text equals its targets is
    /// direct, as ClusterShell's `_launch` decides (`gw == targets`).
    fn into_routes(mut self, direct: NodeSet) -> Vec<Route> {
        if !direct.is_empty() {
            self.push_set(direct.to_string(), direct);
        }
        self.keys
            .into_iter()
            .map(|(key, hosts, extra)| {
                let mut targets = NodeSet::from_names(hosts);
                targets.update(&extra);
                let direct = NodeSet::parse_literal(&key).is_ok_and(|k| k == targets);
                let next_hop = if direct {
                    NextHop::Direct
                } else {
                    NextHop::Gateway(key)
                };
                Route { next_hop, targets }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(text: &str) -> NodeSet {
        text.parse().expect("valid node set")
    }

    fn tree() -> TopologyTree {
        let mut tree = TopologyTree::new(ns("admin"));
        let gws = tree.add_group(tree.root(), ns("gw[1-2]"));
        let leaves = tree.add_group(gws, ns("node[1-4]"));
        tree.add_group(leaves, ns("deep[1-2]"));
        tree
    }

    fn route(hop: &str, targets: &str) -> Route {
        let next_hop = match hop {
            "" => NextHop::Direct,
            gateway => NextHop::Gateway(gateway.to_owned()),
        };
        Route {
            next_hop,
            targets: ns(targets),
        }
    }

    #[test]
    fn without_failures_both_dispatches_agree() {
        let targets = ns("node[1-4],deep1,other");
        let expected = vec![
            route("gw1", "deep1,node[2,4]"),
            route("gw2", "node[1,3]"),
            route("", "other"),
        ];
        let mut router = Router::new(&tree(), "admin").expect("admin is in the tree");
        assert_eq!(router.dispatch(&targets).ok(), Some(expected.clone()));
        let mut router = Router::new(&tree(), "admin").expect("admin is in the tree");
        assert_eq!(router.dispatch_or_direct(&targets), expected);
        assert_eq!(router.load("gw1"), 3);
    }

    #[test]
    fn with_every_gateway_down_targets_join_the_direct_ones() {
        let mut router = Router::new(&tree(), "admin").expect("admin is in the tree");
        router.mark_unreachable("gw1");
        let routes = router.dispatch_or_direct(&ns("node[1-2]"));
        assert_eq!(routes, vec![route("gw2", "node[1-2]")]);
        router.mark_unreachable("gw2");
        assert!(router.dispatch(&ns("node1")).is_err());
        let routes = router.dispatch_or_direct(&ns("node1,deep2,zz"));
        assert_eq!(routes, vec![route("", "deep2,node1,zz")]);
    }

    #[test]
    fn a_gateway_routes_from_its_own_group() {
        let mut router = Router::new(&tree(), "gw2").expect("gw2 is in the tree");
        let routes = router.dispatch_or_direct(&ns("deep[1-2],node3"));
        let expected = vec![
            route("node1", "deep1"),
            route("node2", "deep2"),
            route("", "node3"),
        ];
        assert_eq!(routes, expected);
        // As in ClusterShell, a direct target named like a gateway hop
        // shares that hop: the gateway runs the command on itself too.
        let mut router = Router::new(&tree(), "gw2").expect("gw2 is in the tree");
        let routes = router.dispatch_or_direct(&ns("deep1,node1"));
        assert_eq!(routes, vec![route("node1", "deep1,node1")]);
        assert!(Router::new(&tree(), "stranger").is_err());
    }
}
