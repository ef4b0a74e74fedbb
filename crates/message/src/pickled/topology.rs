//! `ClusterShell.Topology.TopologyTree` objects as pickled values.
//!
//! ClusterShell pickles the tree as `TopologyTree` with the state `{root,
//! groups}`, and each `TopologyNodeGroup` with `{nodeset, parent,
//! _children, _children_len, _children_ns}`. A group is one object
//! referenced from its parent's `_children`, its children's `parent` and
//! the tree's `groups`: the pickle shares it through the memo, and so do
//! our values ([`Value::Shared`] at its first place, [`Value::Ref`] after).

use std::collections::HashSet;
use std::fmt;

use cscomm_pickle::{Global, Instance, SharedId, SharedIndex, Value};
use cscomm_topology::NodeSet;

use super::nodeset::{nodeset_from, nodeset_to_value};
use super::unexpected;
use crate::PayloadError;

const MODULE: &str = "ClusterShell.Topology";

/// One node group of a topology: its nodes and its place in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopologyGroup {
    /// The nodes of the group.
    pub nodes: NodeSet,
    /// Index of the parent group (`None` for the root).
    pub parent: Option<usize>,
    /// Indexes of the child groups, in ClusterShell's order.
    pub children: Vec<usize>,
}

/// The propagation tree a `CFG` message carries, as ClusterShell's pickled
/// `TopologyTree` describes it: groups of nodes, the root first (index 0).
///
/// `Display` prints it as ClusterShell's `str(TopologyTree)` does:
///
/// ```
/// use cscomm_message::PickledTopology;
/// let mut tree = PickledTopology::new("admin".parse()?);
/// let gws = tree.add_group(0, "gw[1-2]".parse()?);
/// tree.add_group(gws, "node[1-4]".parse()?);
/// tree.add_group(0, "gw3".parse()?);
/// assert_eq!(tree.to_string(), "admin\n|- gw[1-2]\n|  `- node[1-4]\n`- gw3\n");
/// let back = PickledTopology::from_value(&tree.to_value())?;
/// assert_eq!(back, tree);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PickledTopology {
    /// The groups; index 0 is the root when there is any.
    pub groups: Vec<TopologyGroup>,
}

impl PickledTopology {
    /// A tree of one root group.
    pub fn new(root: NodeSet) -> PickledTopology {
        PickledTopology {
            groups: vec![TopologyGroup {
                nodes: root,
                parent: None,
                children: Vec::new(),
            }],
        }
    }

    /// Adds a group under `parent` (an index); returns its index.
    ///
    /// # Panics
    /// When `parent` is not an index of this tree.
    pub fn add_group(&mut self, parent: usize, nodes: NodeSet) -> usize {
        let index = self.groups.len();
        self.groups[parent].children.push(index);
        self.groups.push(TopologyGroup {
            nodes,
            parent: Some(parent),
            children: Vec::new(),
        });
        index
    }

    /// The pickled form: a `TopologyTree` instance with shared groups.
    pub fn to_value(&self) -> Value {
        let tree = Instance::new(Global::new(MODULE, "TopologyTree"));
        if self.groups.is_empty() {
            let state =
                Value::str_dict([("root", Value::None), ("groups", Value::List(Vec::new()))]);
            return tree.with_state(state).into();
        }
        let groups = self
            .load_order()
            .into_iter()
            .map(|i| Value::Ref(shared_id(i)))
            .collect();
        let state = Value::str_dict([
            ("root", self.group_value(0)),
            ("groups", Value::List(groups)),
        ]);
        tree.with_state(state).into()
    }

    /// The order of ClusterShell's `TopologyTree.groups` (`load()` pops a
    /// stack to which it pushes each group's children).
    fn load_order(&self) -> Vec<usize> {
        let mut order = Vec::with_capacity(self.groups.len());
        let mut stack = vec![0];
        while let Some(i) = stack.pop() {
            order.push(i);
            stack.extend(&self.groups[i].children);
        }
        order
    }

    fn group_value(&self, i: usize) -> Value {
        let group = &self.groups[i];
        let children_ns = match group.children.is_empty() {
            true => Value::None,
            false => {
                let mut all = NodeSet::new();
                for &c in &group.children {
                    all.update(&self.groups[c].nodes);
                }
                nodeset_to_value(&all)
            }
        };
        let state = Value::str_dict([
            ("nodeset", nodeset_to_value(&group.nodes)),
            (
                "parent",
                group
                    .parent
                    .map_or(Value::None, |p| Value::Ref(shared_id(p))),
            ),
            (
                "_children",
                Value::List(
                    group
                        .children
                        .iter()
                        .map(|&c| self.group_value(c))
                        .collect(),
                ),
            ),
            ("_children_len", Value::Int(0)),
            ("_children_ns", children_ns),
        ]);
        let instance = Instance::new(Global::new(MODULE, "TopologyNodeGroup")).with_state(state);
        Value::Shared(shared_id(i), Box::new(instance.into()))
    }

    /// The tree of a pickled `TopologyTree`, walked from its `root` through
    /// the groups' `_children` (`groups` and `parent` are derived data).
    ///
    /// # Errors
    /// [`PayloadError::Shape`] when the value is not a `TopologyTree` of
    /// this form, a group is reached twice, or a node set is invalid.
    pub fn from_value(value: &Value) -> Result<PickledTopology, PayloadError> {
        let index = SharedIndex::new(value);
        let tree = index.resolve(value);
        let inst = tree
            .as_instance()
            .filter(|i| i.is(MODULE, "TopologyTree"))
            .ok_or_else(|| unexpected("a TopologyTree object", tree))?;
        let root = match inst.attr("root") {
            Some(root) if !index.resolve(root).is_none() => root,
            _ => return Ok(PickledTopology::default()),
        };
        let mut out = PickledTopology::default();
        let mut seen = HashSet::new();
        // (group value, index of its parent)
        let mut pending: Vec<(&Value, Option<usize>)> = vec![(root, None)];
        while let Some((group, parent)) = pending.pop() {
            let at = out.groups.len();
            if let Some(p) = parent {
                out.groups[p].children.push(at);
            }
            let (nodes, children) = read_group(&index, group, &mut seen)?;
            out.groups.push(TopologyGroup {
                nodes,
                parent,
                children: Vec::new(),
            });
            pending.extend(children.iter().rev().map(|c| (c, Some(at))));
        }
        Ok(out)
    }
}

/// Shared ids of groups: their index.
fn shared_id(index: usize) -> SharedId {
    SharedId(u32::try_from(index).unwrap_or(u32::MAX))
}

/// The node set and children of one group value.
fn read_group<'a>(
    index: &SharedIndex<'a>,
    group: &'a Value,
    seen: &mut HashSet<*const Value>,
) -> Result<(NodeSet, &'a [Value]), PayloadError> {
    let resolved = index.resolve(group);
    // Identity of the group object, to refuse a group reached twice (a
    // cycle, or a group under two parents).
    if !seen.insert(std::ptr::from_ref(resolved)) {
        return Err(PayloadError::shape("topology group reached twice"));
    }
    let inst = resolved
        .as_instance()
        .filter(|i| i.is(MODULE, "TopologyNodeGroup"))
        .ok_or_else(|| unexpected("a TopologyNodeGroup object", resolved))?;
    let nodeset = inst
        .attr("nodeset")
        .ok_or_else(|| PayloadError::shape("TopologyNodeGroup has no nodeset"))?;
    let nodes = nodeset_from(index, nodeset)?;
    let children = match inst.attr("_children").map(|c| index.resolve(c)) {
        None => &[][..],
        Some(list) => list
            .as_sequence()
            .ok_or_else(|| unexpected("a _children list", list))?,
    };
    Ok((nodes, children))
}

impl fmt::Display for PickledTopology {
    /// ClusterShell's `str(TopologyTree)`: the root's node set, then each
    /// group under it, drawn with `|- ` and `` `- `` branches.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.groups.is_empty() {
            return f.write_str("<TopologyTree instance (empty)>");
        }
        writeln!(f, "{}", self.groups[0].nodes)?;
        // (group, prefix of its line)
        let mut pending: Vec<(usize, String)> = self.groups[0]
            .children
            .iter()
            .rev()
            .map(|&c| (c, String::new()))
            .collect();
        while let Some((i, prefix)) = pending.pop() {
            let branch = if self.is_last(i) { "`- " } else { "|- " };
            writeln!(f, "{prefix}{branch}{}", self.groups[i].nodes)?;
            let below = match self.is_last(i) {
                true => format!("{prefix}   "),
                false => format!("{prefix}|  "),
            };
            pending.extend(
                self.groups[i]
                    .children
                    .iter()
                    .rev()
                    .map(|&c| (c, below.clone())),
            );
        }
        Ok(())
    }
}

impl PickledTopology {
    fn is_last(&self, i: usize) -> bool {
        self.groups[i]
            .parent
            .and_then(|p| self.groups[p].children.last())
            .is_some_and(|&last| last == i)
    }
}
