//! The propagation tree, ClusterShell's `TopologyTree` of
//! `TopologyNodeGroup`s.

use crate::{Error, NodeSet};
use std::fmt;

/// Index of a group in its [`TopologyTree`] (`0` is the root of trees made
/// with [`TopologyTree::new`] or [`TopologyGraph::to_tree`](crate::TopologyGraph::to_tree)).
pub type GroupId = usize;

/// Most root-to-group paths a tree may have: a tree from a hostile pickle
/// could share groups so that printing or routing it would take forever.
const MAX_PATHS: u64 = 1 << 22;

/// One node group of a tree (ClusterShell's `TopologyNodeGroup`): a node set,
/// its parent group and its child groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopologyNodeGroup {
    nodes: NodeSet,
    parent: Option<GroupId>,
    children: Vec<GroupId>,
}

impl TopologyNodeGroup {
    /// A group of `nodes` with the given links (for [`TopologyTree::from_groups`]).
    pub fn new(
        nodes: NodeSet,
        parent: Option<GroupId>,
        children: Vec<GroupId>,
    ) -> TopologyNodeGroup {
        TopologyNodeGroup {
            nodes,
            parent,
            children,
        }
    }

    /// The nodes of the group (ClusterShell's `nodeset`).
    pub fn nodes(&self) -> &NodeSet {
        &self.nodes
    }

    /// The parent group (`None` for a top group).
    pub fn parent(&self) -> Option<GroupId> {
        self.parent
    }

    /// The child groups, in ClusterShell's order (`_children`).
    pub fn children(&self) -> &[GroupId] {
        &self.children
    }
}

/// The propagation tree: which group of nodes reaches which.
///
/// Groups live in an arena and link to each other by [`GroupId`], like the
/// objects ClusterShell pickles. [`Display`](fmt::Display) prints the tree
/// exactly as ClusterShell's `str(TopologyTree)` does.
///
/// ```
/// use cscomm_topology::TopologyTree;
///
/// let mut tree = TopologyTree::new("admin".parse()?);
/// let gws = tree.add_group(tree.root(), "gw[1-2]".parse()?);
/// tree.add_group(gws, "node[1-4]".parse()?);
/// tree.add_group(tree.root(), "gw3".parse()?);
/// assert_eq!(tree.to_string(), "admin\n|- gw[1-2]\n|  `- node[1-4]\n`- gw3\n");
/// assert_eq!(tree.find_nodegroup("node2"), Some(2));
/// assert_eq!(tree.children_nodes(tree.root()).to_string(), "gw[1-3]");
/// # Ok::<(), cscomm_topology::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopologyTree {
    groups: Vec<TopologyNodeGroup>,
    root: GroupId,
}

impl TopologyTree {
    /// A tree of one root group holding `root` (usually the admin node).
    pub fn new(root: NodeSet) -> TopologyTree {
        TopologyTree {
            groups: vec![TopologyNodeGroup::new(root, None, Vec::new())],
            root: 0,
        }
    }

    /// Adds a group of `nodes` as the last child of `parent`; returns its id.
    ///
    /// # Panics
    /// When `parent` is not a group of this tree.
    pub fn add_group(&mut self, parent: GroupId, nodes: NodeSet) -> GroupId {
        assert!(parent < self.groups.len(), "no group {parent} in this tree");
        let id = self.groups.len();
        self.groups
            .push(TopologyNodeGroup::new(nodes, Some(parent), Vec::new()));
        self.groups[parent].children.push(id);
        id
    }

    /// A tree from its groups (e.g. decoded from a pickle) and its root.
    ///
    /// Fails unless the links are consistent: ids in range, every child has
    /// a parent, no group is its own descendant, no empty child group, and a
    /// bounded number of paths from the root (groups may be shared by
    /// several parents, as ClusterShell allows, but not explosively).
    pub fn from_groups(
        groups: Vec<TopologyNodeGroup>,
        root: GroupId,
    ) -> Result<TopologyTree, Error> {
        let bad = |reason: String| Err(Error::InvalidTree { reason });
        if root >= groups.len() {
            return bad(format!("root {root} is not a group"));
        }
        for (id, group) in groups.iter().enumerate() {
            if group.parent.is_some_and(|p| p >= groups.len()) {
                return bad(format!("group {id}: parent out of range"));
            }
            for &child in &group.children {
                let Some(c) = groups.get(child) else {
                    return bad(format!("group {id}: child {child} out of range"));
                };
                if c.parent.is_none() {
                    return bad(format!("group {child}: child of {id} without a parent"));
                }
                if c.nodes.is_empty() {
                    return bad(format!("group {child}: empty child group"));
                }
            }
        }
        let tree = TopologyTree { groups, root };
        tree.check_paths()?;
        Ok(tree)
    }

    /// Refuses cycles (through children or parent links) and trees with too
    /// many root-to-group paths.
    fn check_paths(&self) -> Result<(), Error> {
        let n = self.groups.len();
        for start in 0..n {
            let mut seen = 0;
            let mut cur = self.groups[start].parent;
            while let Some(p) = cur {
                seen += 1;
                if p == start || seen > n {
                    return Err(Error::InvalidTree {
                        reason: format!("group {start}: parent loop"),
                    });
                }
                cur = self.groups[p].parent;
            }
        }
        // Paths count by depth-first post-order; a grey group met again is a cycle.
        let mut paths: Vec<Option<u64>> = vec![None; n];
        let mut grey = vec![false; n];
        let mut stack = vec![(self.root, 0usize)];
        grey[self.root] = true;
        while let Some(&mut (id, ref mut next)) = stack.last_mut() {
            if let Some(&child) = self.groups[id].children.get(*next) {
                *next += 1;
                if grey[child] {
                    return Err(Error::InvalidTree {
                        reason: format!("group {child}: child loop"),
                    });
                }
                if paths[child].is_none() {
                    grey[child] = true;
                    stack.push((child, 0));
                }
                continue;
            }
            let total = self.groups[id]
                .children
                .iter()
                .map(|&c| paths[c].unwrap_or(0))
                .fold(1u64, u64::saturating_add);
            if total > MAX_PATHS {
                return Err(Error::InvalidTree {
                    reason: "too many paths".into(),
                });
            }
            paths[id] = Some(total);
            grey[id] = false;
            stack.pop();
        }
        Ok(())
    }

    /// The root group.
    pub fn root(&self) -> GroupId {
        self.root
    }

    /// A group by id.
    ///
    /// # Panics
    /// When `id` is not a group of this tree.
    pub fn group(&self, id: GroupId) -> &TopologyNodeGroup {
        &self.groups[id]
    }

    /// Every group of the arena, by id (including, for a tree whose root is
    /// not a top group, the root's ancestors that ClusterShell pickles too).
    pub fn all_groups(&self) -> &[TopologyNodeGroup] {
        &self.groups
    }

    /// The child groups of `id`, in order.
    pub fn children(&self, id: GroupId) -> &[GroupId] {
        &self.groups[id].children
    }

    /// The parent group of `id`.
    pub fn parent(&self, id: GroupId) -> Option<GroupId> {
        self.groups[id].parent
    }

    /// The nodes of the child groups of `id` (ClusterShell's `children_ns`).
    pub fn children_nodes(&self, id: GroupId) -> NodeSet {
        let mut out = NodeSet::new();
        for &child in &self.groups[id].children {
            out.update(&self.groups[child].nodes);
        }
        out
    }

    /// The groups of the tree in ClusterShell's `TopologyTree.groups`
    /// order (depth first from the root, last child first).
    pub fn groups(&self) -> Vec<GroupId> {
        let mut out = Vec::new();
        let mut stack = vec![self.root];
        while let Some(id) = stack.pop() {
            out.push(id);
            stack.extend_from_slice(&self.groups[id].children);
        }
        out
    }

    /// The first group (in [`groups`](Self::groups) order) holding every
    /// node of `nodes` (a node set, usually one name); ClusterShell's
    /// `find_nodegroup`.
    pub fn find_nodegroup(&self, nodes: &str) -> Option<GroupId> {
        let wanted = NodeSet::parse_literal(nodes).ok()?;
        self.groups()
            .into_iter()
            .find(|&id| self.groups[id].nodes.is_superset(&wanted))
    }

    /// Number of nodes in groups with children (root and gateways).
    pub fn inner_node_count(&self) -> usize {
        self.count_nodes(true)
    }

    /// Number of nodes in groups without children.
    pub fn leaf_node_count(&self) -> usize {
        self.count_nodes(false)
    }

    fn count_nodes(&self, inner: bool) -> usize {
        self.groups()
            .into_iter()
            .map(|id| &self.groups[id])
            .filter(|g| g.children.is_empty() != inner)
            .map(|g| g.nodes.len())
            .sum()
    }

    /// Whether `id` is the last child of its parent.
    fn is_last(&self, id: GroupId) -> bool {
        self.groups[id]
            .parent
            .is_some_and(|p| self.groups[p].children.last() == Some(&id))
    }

    /// The line prefix of group `id` and the prefix its children inherit,
    /// from the prefix `inherited` (ClusterShell's `printable_subtree`).
    fn line_prefix(&self, id: GroupId, inherited: &str) -> (String, String) {
        let Some(parent) = self.groups[id].parent else {
            return (String::new(), inherited.to_owned());
        };
        let branch = if self.is_last(id) { "`- " } else { "|- " };
        if self.groups[parent].parent.is_none() {
            return (branch.to_owned(), inherited.to_owned());
        }
        let mut prefix = inherited.to_owned();
        prefix.push_str(if self.is_last(parent) { "   " } else { "|  " });
        (format!("{prefix}{branch}"), prefix)
    }
}

impl fmt::Display for TopologyTree {
    /// ClusterShell's `str(TopologyTree)`: one line per group, indented.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut stack = vec![(self.root, String::new())];
        while let Some((id, inherited)) = stack.pop() {
            let (line, prefix) = self.line_prefix(id, &inherited);
            writeln!(f, "{line}{}", self.groups[id].nodes)?;
            for &child in self.groups[id].children.iter().rev() {
                stack.push((child, prefix.clone()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(s: &str) -> NodeSet {
        s.parse().expect("valid node set")
    }

    #[test]
    fn prints_nested_prefixes() {
        let mut tree = TopologyTree::new(ns("admin"));
        let a = tree.add_group(0, ns("gw[1-2]"));
        let b = tree.add_group(a, ns("sub1"));
        tree.add_group(b, ns("n[1-2]"));
        tree.add_group(a, ns("sub2"));
        tree.add_group(0, ns("gw3"));
        let text = "admin\n|- gw[1-2]\n|  |- sub1\n|  |  `- n[1-2]\n|  `- sub2\n`- gw3\n";
        assert_eq!(tree.to_string(), text);
        assert_eq!(tree.groups(), [0, 5, 1, 4, 2, 3]);
        assert_eq!(tree.inner_node_count(), 4);
        assert_eq!(tree.leaf_node_count(), 4);
    }

    #[test]
    fn rejects_inconsistent_groups() {
        let g = |nodes: &str, parent, children| TopologyNodeGroup::new(ns(nodes), parent, children);
        assert!(
            TopologyTree::from_groups(vec![g("a", None, vec![1]), g("b", Some(0), vec![])], 0)
                .is_ok()
        );
        let looped = vec![g("a", None, vec![1]), g("b", Some(0), vec![1])];
        assert!(TopologyTree::from_groups(looped, 0).is_err());
        let orphan = vec![g("a", None, vec![1]), g("b", None, vec![])];
        assert!(TopologyTree::from_groups(orphan, 0).is_err());
        assert!(TopologyTree::from_groups(vec![g("a", None, vec![7])], 0).is_err());
        let parents = vec![g("a", Some(1), vec![]), g("b", Some(0), vec![])];
        assert!(TopologyTree::from_groups(parents, 0).is_err());
        // Shared groups: 2^40 paths.
        let mut wide: Vec<TopologyNodeGroup> = (0..40)
            .map(|i| g(&format!("n{i}"), (i > 0).then(|| i - 1), vec![i + 1, i + 1]))
            .collect();
        wide.push(g("last", Some(39), vec![]));
        assert!(TopologyTree::from_groups(wide, 0).is_err());
    }
}
