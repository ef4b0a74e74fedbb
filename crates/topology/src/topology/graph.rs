//! Routes between node sets and their checks, ClusterShell's
//! `TopologyGraph` and `TopologyRoutingTable`, and `topology.conf` reading
//! (`TopologyParser`).

use super::conf::route_entries;
use super::tree::{GroupId, TopologyNodeGroup, TopologyTree};
use crate::{Error, NodeSet};
use std::path::Path;

/// One route: the gateways `src` reach the nodes `dst`.
#[derive(Debug, Clone)]
struct Route {
    src: NodeSet,
    dst: NodeSet,
}

impl Route {
    fn text(&self) -> String {
        format!("{} -> {}", self.src, self.dst)
    }
}

/// Every "can reach" relation of a topology, checked as ClusterShell checks
/// them, and the tree seen from a root node.
///
/// ```
/// use cscomm_topology::TopologyGraph;
///
/// let graph = TopologyGraph::from_config_str("[routes]\nadmin: gw[1-2]\ngw[1-2]: node[1-8]\n")?;
/// let tree = graph.to_tree("admin")?;
/// assert_eq!(tree.to_string(), "admin\n`- gw[1-2]\n   `- node[1-8]\n");
///
/// let bad = TopologyGraph::from_config_str("[routes]\na: b\nb: a\n").unwrap_err();
/// assert_eq!(bad.to_string(), "line 3: Loop detected! Cannot add route b -> a");
/// # Ok::<(), cscomm_topology::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct TopologyGraph {
    routes: Vec<Route>,
    aggregated_src: NodeSet,
}

impl TopologyGraph {
    /// A graph without routes.
    pub fn new() -> TopologyGraph {
        TopologyGraph::default()
    }

    /// Reads the `[routes]` section (or the older `[Main]`) of a
    /// `topology.conf` text. Each `src: dst` line is a route; a line whose
    /// destination is empty is skipped, as ClusterShell does. Node groups
    /// (`@group`) need a group resolver and are refused.
    pub fn from_config_str(text: &str) -> Result<TopologyGraph, Error> {
        let mut graph = TopologyGraph::new();
        for entry in route_entries(text)? {
            let parse = |text: &str| {
                text.parse::<NodeSet>().map_err(|e| Error::RouteNodeSet {
                    line: entry.line,
                    source: Box::new(e),
                })
            };
            let src = parse(&entry.key)?;
            let dst = parse(&entry.value)?;
            if !src.is_empty() && !dst.is_empty() {
                graph.push(src, dst, entry.line)?;
            }
        }
        Ok(graph)
    }

    /// Reads a `topology.conf` file (see [`from_config_str`](Self::from_config_str));
    /// errors name the file.
    pub fn from_file(path: &Path) -> Result<TopologyGraph, Error> {
        let wrap = |source: Error| Error::File {
            path: path.to_owned(),
            source: Box::new(source),
        };
        let text = std::fs::read_to_string(path).map_err(|e| wrap(Error::Io(e)))?;
        TopologyGraph::from_config_str(&text).map_err(wrap)
    }

    /// Adds a route: the nodes of `src` reach those of `dst`. Fails as
    /// ClusterShell does on overlapping ends, loops and convergent paths.
    pub fn add_route(&mut self, src: NodeSet, dst: NodeSet) -> Result<(), Error> {
        self.push(src, dst, 0)
    }

    /// The routes, in the order they were added.
    pub fn routes(&self) -> impl Iterator<Item = (&NodeSet, &NodeSet)> {
        self.routes.iter().map(|r| (&r.src, &r.dst))
    }

    fn push(&mut self, src: NodeSet, dst: NodeSet, line: usize) -> Result<(), Error> {
        if !src.intersection(&dst).is_empty() {
            return Err(Error::RouteOverlap { line });
        }
        let route = Route { src, dst };
        if self.closes_loop(&route) {
            return Err(Error::Loop {
                line,
                route: route.text(),
            });
        }
        if self.converges(&route) {
            return Err(Error::ConvergentPath {
                line,
                route: route.text(),
            });
        }
        self.aggregated_src.update(&route.src);
        self.routes.push(route);
        Ok(())
    }

    /// The destinations of every route whose sources hold all of `nodes`
    /// (ClusterShell's `connected`).
    fn connected(&self, nodes: &NodeSet) -> NodeSet {
        let mut out = NodeSet::new();
        for route in self.routes.iter().filter(|r| r.src.is_superset(nodes)) {
            out.update(&route.dst);
        }
        out
    }

    fn closes_loop(&self, route: &Route) -> bool {
        let mut current = route.dst.clone();
        // Each step follows at least one route: more steps than routes loop
        // without meeting `route.src`, which ClusterShell would never leave.
        for _ in 0..=self.routes.len() {
            let next = self.connected(&current);
            if next.is_empty() {
                return false;
            }
            if !next.intersection(&route.src).is_empty() {
                return true;
            }
            current = next;
        }
        true
    }

    fn converges(&self, route: &Route) -> bool {
        self.routes.iter().any(|known| {
            let proper_superset = |a: &NodeSet, b: &NodeSet| a.len() > b.len() && a.is_superset(b);
            proper_superset(&route.src, &known.dst)
                || proper_superset(&known.src, &route.dst)
                || (!route.dst.intersection(&known.dst).is_empty() && route.src != known.src)
        })
    }

    /// The tree seen from `root` (a node name; ClusterShell uses the short
    /// host name): groups of gateways and their destinations, built as
    /// ClusterShell's `TopologyGraph.to_tree` builds them.
    ///
    /// Fails without any route, or when no group holds `root`.
    pub fn to_tree(&self, root: &str) -> Result<TopologyTree, Error> {
        let groups = self.node_groups();
        if groups.is_empty() {
            return Err(Error::NoRoute);
        }
        let wanted = NodeSet::parse_literal(root).ok();
        let root_index = wanted
            .and_then(|w| groups.iter().position(|g| g.nodes().is_superset(&w)))
            .ok_or_else(|| Error::InvalidRoot {
                root: root.to_owned(),
            })?;
        let tree = TopologyTree::from_groups(groups, root_index)?;
        Ok(renumber(&tree))
    }

    /// ClusterShell's `_routes_to_tng`: a group per distinct route source
    /// and per route's leaf destinations, linked by `connected`.
    fn node_groups(&self) -> Vec<TopologyNodeGroup> {
        let mut keyed: Vec<(String, NodeSet)> = Vec::new();
        let mut set = |nodes: NodeSet| {
            let key = nodes.to_string();
            match keyed.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = nodes,
                None => keyed.push((key, nodes)),
            }
        };
        for route in &self.routes {
            set(route.src.clone());
            let leaf = route.dst.difference(&self.aggregated_src);
            if !leaf.is_empty() {
                set(leaf);
            }
        }
        let mut parents: Vec<Option<GroupId>> = vec![None; keyed.len()];
        let mut children: Vec<Vec<GroupId>> = vec![Vec::new(); keyed.len()];
        for (id, (_, nodes)) in keyed.iter().enumerate() {
            let reached = self.connected(nodes);
            if reached.is_empty() {
                continue;
            }
            for (child, (_, child_nodes)) in keyed.iter().enumerate() {
                if reached.is_superset(child_nodes) && !children[id].contains(&child) {
                    children[id].push(child);
                    parents[child] = Some(id);
                }
            }
        }
        keyed
            .into_iter()
            .zip(parents.into_iter().zip(children))
            .map(|((_, nodes), (parent, children))| TopologyNodeGroup::new(nodes, parent, children))
            .collect()
    }
}

/// Keeps the groups linked to the root (directly or not) and numbers them
/// in ClusterShell's `groups` order, the root first; then the others
/// linked to them (the root's ancestors and their other descendants).
fn renumber(tree: &TopologyTree) -> TopologyTree {
    let all = tree.all_groups();
    let mut order = tree.groups();
    let mut seen = vec![false; all.len()];
    order.retain(|&id| !std::mem::replace(&mut seen[id], true));
    let mut i = 0;
    while i < order.len() {
        let g = &all[order[i]];
        for next in g.parent().into_iter().chain(g.children().iter().copied()) {
            if !std::mem::replace(&mut seen[next], true) {
                order.push(next);
            }
        }
        i += 1;
    }
    let mut new_id = vec![usize::MAX; all.len()];
    for (new, &old) in order.iter().enumerate() {
        new_id[old] = new;
    }
    let groups = order
        .iter()
        .map(|&old| {
            let g = &all[old];
            let children = g.children().iter().map(|&c| new_id[c]).collect();
            TopologyNodeGroup::new(g.nodes().clone(), g.parent().map(|p| new_id[p]), children)
        })
        .collect();
    // The links were valid before renumbering, so they still are.
    TopologyTree::from_groups(groups, 0).unwrap_or_else(|_| tree.clone())
}
