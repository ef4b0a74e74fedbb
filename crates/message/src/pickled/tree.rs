//! [`PickledTopology`] (what a `CFG` carries) to and from
//! [`TopologyTree`] (what `cscomm-topology` reads from `topology.conf` and
//! routes with).
//!
//! Both describe groups of nodes linked by index. A [`PickledTopology`]
//! always has its root at index 0 with no parent, and holds only what is
//! below the root, as our pickle reader walks it; a [`TopologyTree`] may
//! put its root anywhere in its arena and keep the root's ancestors (a
//! tree seen from a gateway).

use cscomm_topology::{Error, GroupId, TopologyNodeGroup, TopologyTree};

use super::{PickledTopology, TopologyGroup};

impl PickledTopology {
    /// The part of `tree` a `CFG` carries: its root (index 0, without a
    /// parent) and every group below it, the others in the order of their
    /// ids in `tree`. The root's ancestors, if any, are left out.
    ///
    /// A tree whose root is group 0 and whose groups are all below it (made
    /// with [`TopologyTree::new`] and `add_group`, or by
    /// [`TopologyGraph::to_tree`](cscomm_topology::TopologyGraph::to_tree)
    /// from a top node) comes back equal from [`to_tree`](Self::to_tree).
    ///
    /// ```
    /// use cscomm_message::PickledTopology;
    /// use cscomm_topology::TopologyGraph;
    ///
    /// let conf = "[routes]\nadmin: gw[1-2]\ngw[1-2]: node[1-4]\n";
    /// let tree = TopologyGraph::from_config_str(conf)?.to_tree("admin")?;
    /// let pickled = PickledTopology::from_tree(&tree);
    /// assert_eq!(pickled.to_string(), "admin\n`- gw[1-2]\n   `- node[1-4]\n");
    /// assert_eq!(pickled.groups[1].nodes.to_string(), "gw[1-2]");
    /// assert_eq!(pickled.to_tree()?, tree);
    /// # Ok::<(), cscomm_topology::Error>(())
    /// ```
    pub fn from_tree(tree: &TopologyTree) -> PickledTopology {
        let order = subtree_order(tree);
        let mut index: Vec<Option<usize>> = vec![None; tree.all_groups().len()];
        for (at, &id) in order.iter().enumerate() {
            index[id] = Some(at);
        }
        let groups = order
            .iter()
            .map(|&id| {
                let group = tree.group(id);
                let parent = match id == tree.root() {
                    true => None,
                    false => group.parent().and_then(|p| index[p]),
                };
                TopologyGroup {
                    nodes: group.nodes().clone(),
                    parent,
                    children: group.children().iter().filter_map(|&c| index[c]).collect(),
                }
            })
            .collect();
        PickledTopology { groups }
    }

    /// The tree these groups form, rooted at index 0, with the same
    /// indexes as group ids: what [`cscomm_topology::Router`] routes with.
    ///
    /// # Errors
    /// [`Error::InvalidTree`] when there is no group, or the groups do not
    /// form a tree ([`TopologyTree::from_groups`]'s checks: indexes in
    /// range, no loop, no empty child group).
    pub fn to_tree(&self) -> Result<TopologyTree, Error> {
        if self.groups.is_empty() {
            return Err(Error::InvalidTree {
                reason: "no root group".to_owned(),
            });
        }
        let groups = self
            .groups
            .iter()
            .map(|g| TopologyNodeGroup::new(g.nodes.clone(), g.parent, g.children.clone()))
            .collect();
        TopologyTree::from_groups(groups, 0)
    }
}

/// The root of `tree`, then every group below it once, by id.
fn subtree_order(tree: &TopologyTree) -> Vec<GroupId> {
    let mut seen = vec![false; tree.all_groups().len()];
    let mut below = Vec::new();
    let mut stack = vec![tree.root()];
    seen[tree.root()] = true;
    while let Some(id) = stack.pop() {
        for &child in tree.children(id) {
            // A group shared by several parents is listed once.
            if !std::mem::replace(&mut seen[child], true) {
                below.push(child);
                stack.push(child);
            }
        }
    }
    below.sort_unstable();
    let mut order = vec![tree.root()];
    order.extend(below);
    order
}

impl From<&TopologyTree> for PickledTopology {
    /// See [`PickledTopology::from_tree`].
    fn from(tree: &TopologyTree) -> PickledTopology {
        PickledTopology::from_tree(tree)
    }
}

impl TryFrom<&PickledTopology> for TopologyTree {
    type Error = Error;

    /// See [`PickledTopology::to_tree`].
    fn try_from(topology: &PickledTopology) -> Result<TopologyTree, Error> {
        topology.to_tree()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cscomm_topology::{NodeSet, TopologyGraph};

    fn ns(text: &str) -> NodeSet {
        text.parse().expect("valid node set")
    }

    fn built() -> PickledTopology {
        let mut tree = PickledTopology::new(ns("admin"));
        let gws = tree.add_group(0, ns("gw[1-2]"));
        tree.add_group(gws, ns("node[1-4]"));
        let gw3 = tree.add_group(0, ns("gw3"));
        tree.add_group(gw3, ns("leaf[1-9]"));
        tree
    }

    #[test]
    fn pickled_round_trips_through_a_tree() {
        let pickled = built();
        let tree = pickled.to_tree().expect("a tree");
        assert_eq!(tree.to_string(), pickled.to_string());
        assert_eq!(PickledTopology::from_tree(&tree), pickled);
        assert_eq!(TopologyTree::try_from(&pickled).ok(), Some(tree));
    }

    #[test]
    fn trees_from_topology_conf_round_trip() {
        let conf = "[routes]\nadmin: gw[1-2],gwb\ngw[1-2]: sub[1-4]\nsub[1-4]: n[001-100]\n\
                    gwb: r[1-2]n[01-16],login\n";
        let tree = TopologyGraph::from_config_str(conf)
            .and_then(|g| g.to_tree("admin"))
            .expect("a valid topology");
        let pickled = PickledTopology::from(&tree);
        assert_eq!(pickled.to_string(), tree.to_string());
        // ClusterShell's `TopologyTree.groups` order, the root first.
        let order: Vec<String> = pickled.groups.iter().map(|g| g.nodes.to_string()).collect();
        assert_eq!(
            order,
            [
                "admin",
                "gwb",
                "login,r[1-2]n[01-16]",
                "gw[1-2]",
                "sub[1-4]",
                "n[001-100]"
            ]
        );
        assert_eq!(pickled.to_tree().expect("a tree"), tree);
    }

    #[test]
    fn a_gateway_view_keeps_what_is_below_the_gateway() {
        let conf = "[routes]\nadmin: gw[1-2]\ngw[1-2]: node[1-4]\n";
        let tree = TopologyGraph::from_config_str(conf)
            .and_then(|g| g.to_tree("gw1"))
            .expect("a valid topology");
        let pickled = PickledTopology::from_tree(&tree);
        let expected = PickledTopology {
            groups: vec![
                TopologyGroup {
                    nodes: ns("gw[1-2]"),
                    parent: None,
                    children: vec![1],
                },
                TopologyGroup {
                    nodes: ns("node[1-4]"),
                    parent: Some(0),
                    children: vec![],
                },
            ],
        };
        assert_eq!(pickled, expected);
    }

    #[test]
    fn a_shared_group_is_listed_once() {
        let g = |nodes: &str, parent, children| TopologyNodeGroup::new(ns(nodes), parent, children);
        let groups = vec![
            g("admin", None, vec![1, 2]),
            g("a", Some(0), vec![3]),
            g("b", Some(0), vec![3]),
            g("leaf", Some(1), vec![]),
        ];
        let tree = TopologyTree::from_groups(groups, 0).expect("a tree");
        let pickled = PickledTopology::from_tree(&tree);
        assert_eq!(pickled.groups.len(), 4);
        assert_eq!(pickled.groups[2].children, [3]);
        assert_eq!(pickled.to_tree().expect("a tree"), tree);
    }

    proptest::proptest! {
        /// Any tree built group by group survives both conversions.
        #[test]
        fn built_trees_round_trip(parents in proptest::collection::vec(0usize..64, 0..40)) {
            let mut pickled = PickledTopology::new(ns("admin"));
            for (i, parent) in parents.iter().enumerate() {
                let parent = parent % pickled.groups.len();
                pickled.add_group(parent, ns(&format!("g{i}n[1-3]")));
            }
            let tree = pickled.to_tree().expect("a tree");
            proptest::prop_assert_eq!(tree.to_string(), pickled.to_string());
            proptest::prop_assert_eq!(PickledTopology::from_tree(&tree), pickled);
        }
    }

    #[test]
    fn broken_groups_are_refused() {
        assert!(PickledTopology::default().to_tree().is_err());
        let mut looped = built();
        looped.groups[1].children.push(0);
        assert!(looped.to_tree().is_err());
        let mut dangling = built();
        dangling.groups[2].children.push(42);
        assert!(dangling.to_tree().is_err());
    }
}
