//! Node sets, ClusterShell's `NodeSet`.

mod build;
mod iter;
mod ops;
mod parse;
mod pattern;
mod view;

pub use iter::Iter;
pub use parse::Operand;
pub use view::{AUTOSTEP_DISABLED, PatternView, RangeSetNdView, RangeSetView, RangesView};

pub(crate) use pattern::Pattern;

use crate::RangeSet;
use crate::rangeset_nd::RangeSetNd;
use std::collections::BTreeMap;
use std::fmt::{self, Write};
use std::hash::{Hash, Hasher};

/// What fills a pattern's slots: nothing (a plain name), one range set, or
/// an n-dimensional range set.
#[derive(Debug, Clone)]
pub(crate) enum Ranges {
    None,
    One(RangeSet),
    Nd(RangeSetNd),
}

impl Ranges {
    /// ClusterShell's truth value of the pattern's range set object.
    fn is_truthy(&self) -> bool {
        match self {
            Ranges::None => false,
            Ranges::One(r) => !r.is_empty(),
            Ranges::Nd(r) => r.is_truthy(),
        }
    }

    /// Number of nodes; folds n-dimensional sets first, as `len()` does.
    fn len_folded(&mut self) -> u128 {
        match self {
            Ranges::None => 1,
            Ranges::One(r) => r.len_u128(),
            Ranges::Nd(r) => r.len_folded(),
        }
    }

    /// Number of nodes of a settled (folded) set.
    fn len(&self) -> u128 {
        match self {
            Ranges::None => 1,
            Ranges::One(r) => r.len_u128(),
            Ranges::Nd(r) => r.len_raw(),
        }
    }

    /// ClusterShell's `copy()` of the range set object (folds it first).
    fn copy(&mut self) -> Ranges {
        match self {
            Ranges::None => Ranges::None,
            Ranges::One(r) => Ranges::One(r.clone()),
            Ranges::Nd(r) => Ranges::Nd(r.copy()),
        }
    }
}

/// One pattern of a node set with its ranges.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) pattern: Pattern,
    pub(crate) ranges: Ranges,
}

/// A set of node names with ClusterShell's semantics and text forms.
///
/// Parsing accepts ClusterShell's syntax (`node[1-3,5]`, steps `[1-9/2]`,
/// zero-padding, several bracketed dimensions such as
/// `r[1-2]sw[1-2]-port[1-2]`, and the operators `,` `!` `&` `^` read left
/// to right); [`Display`](fmt::Display) gives ClusterShell's folded string
/// and [`iter`](NodeSet::iter) its node order. Node groups (`@group`) and
/// wildcards need a group resolver, which this crate does not have:
/// [`FromStr`](std::str::FromStr) rejects them, while
/// [`parse_literal`](NodeSet::parse_literal) reads them as plain names, like
/// ClusterShell without a resolver.
///
/// ```
/// use cscomm_topology::NodeSet;
///
/// let nodes: NodeSet = "node[1-3,5],node4,r[1-2]sw[1-2]".parse()?;
/// assert_eq!(nodes.to_string(), "node[1-5],r[1-2]sw[1-2]");
/// assert_eq!(nodes.len(), 9);
/// assert!(nodes.contains("r2sw1"));
/// let down: NodeSet = "node[2-3]".parse()?;
/// assert_eq!(nodes.difference(&down).to_string(), "node[1,4-5],r[1-2]sw[1-2]");
/// # Ok::<(), cscomm_topology::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct NodeSet {
    /// Keyed by ClusterShell's spelling of the pattern, which orders them.
    patterns: BTreeMap<String, Entry>,
}

impl NodeSet {
    /// An empty node set.
    pub fn new() -> NodeSet {
        NodeSet::default()
    }

    /// Parses ClusterShell's node set syntax without group resolution:
    /// `@name`, `*` and `?` are plain characters of node names, as in
    /// ClusterShell with `resolver=RESOLVER_NOGROUP` (and in its gateways).
    pub fn parse_literal(text: &str) -> Result<NodeSet, crate::Error> {
        parse::parse(text, parse::Groups::Literal)
    }

    /// Parses ClusterShell's node set syntax, handing each node group and
    /// wildcard operand to `resolve` (a group resolver, such as the
    /// `cscomm-groups` crate's) and applying its operator to the nodes it
    /// returns, in order, as ClusterShell's `ParsingEngine` does.
    ///
    /// ```
    /// use cscomm_topology::{Error, NodeSet, Operand};
    ///
    /// let nodes = NodeSet::parse_resolving("@rack[1-2]!n2", &mut |operand| {
    ///     match operand {
    ///         Operand::Groups(names) => {
    ///             assert_eq!(names.to_string(), "@rack[1-2]");
    ///             "n[1-4]".parse::<NodeSet>()
    ///         }
    ///         _ => Ok(NodeSet::new()),
    ///     }
    /// })?;
    /// assert_eq!(nodes.to_string(), "n[1,3-4]");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn parse_resolving<E: From<crate::Error>>(
        text: &str,
        resolve: &mut dyn FnMut(Operand<'_>) -> Result<NodeSet, E>,
    ) -> Result<NodeSet, E> {
        parse::parse_resolving(text, resolve)
    }

    /// A node set of the given node names, each taken as one name (not
    /// parsed as a node set), like ClusterShell's `NodeSet._fromlist1`.
    /// Surrounding whitespace is trimmed and empty names are skipped.
    pub fn from_names<I, S>(names: I) -> NodeSet
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut builder = build::Builder::default();
        for name in names {
            let name = crate::pystr::strip(name.as_ref());
            if !name.is_empty() {
                let (key, rsets) = parse::scan_single(name);
                // Keys from scan_single are always valid patterns.
                builder.add(key, rsets);
            }
        }
        let mut out = NodeSet::new();
        builder.flush_into(&mut out);
        out.settle();
        out
    }

    /// Number of nodes (saturating at `usize::MAX`).
    pub fn len(&self) -> usize {
        usize::try_from(self.len_u128()).unwrap_or(usize::MAX)
    }

    fn len_u128(&self) -> u128 {
        self.patterns
            .values()
            .map(|e| e.ranges.len())
            .fold(0, u128::saturating_add)
    }

    /// Whether the set has no node.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The nodes, in ClusterShell's order (patterns sorted, then indexes).
    pub fn iter(&self) -> Iter<'_> {
        Iter::new(self)
    }

    /// Whether every node of `nodes` (a node set in ClusterShell's syntax,
    /// usually one node name) is in this set; `false` when `nodes` does not
    /// parse. Like ClusterShell's `nodes in nodeset`.
    pub fn contains(&self, nodes: &str) -> bool {
        NodeSet::parse_literal(nodes).is_ok_and(|other| self.is_superset(&other))
    }

    /// Whether every node of `other` is in `self`.
    pub fn is_superset(&self, other: &NodeSet) -> bool {
        ops::is_superset(self, other)
    }

    /// Whether every node of `self` is in `other`.
    pub fn is_subset(&self, other: &NodeSet) -> bool {
        other.is_superset(self)
    }

    /// Nodes in `self` or `other` (ClusterShell's `self | other`).
    pub fn union(&self, other: &NodeSet) -> NodeSet {
        let mut out = self.copy();
        out.update(other);
        out
    }

    /// Adds the nodes of `other` (ClusterShell's `self.update(other)`).
    pub fn update(&mut self, other: &NodeSet) {
        self.update_raw(&mut other.clone());
        self.settle();
    }

    /// Nodes in `self` but not in `other` (ClusterShell's `self - other`).
    pub fn difference(&self, other: &NodeSet) -> NodeSet {
        let mut out = self.copy();
        out.difference_update(other);
        out
    }

    /// Removes the nodes of `other`.
    pub fn difference_update(&mut self, other: &NodeSet) {
        self.difference_update_raw(other);
        self.settle();
    }

    /// Nodes in both `self` and `other` (ClusterShell's `self & other`).
    pub fn intersection(&self, other: &NodeSet) -> NodeSet {
        let mut out = self.copy();
        out.intersection_update(other);
        out
    }

    /// Keeps only the nodes also in `other`.
    pub fn intersection_update(&mut self, other: &NodeSet) {
        self.intersection_update_raw(&mut other.clone());
        self.settle();
    }

    /// Nodes in exactly one of `self` and `other` (ClusterShell's
    /// `self ^ other`).
    pub fn symmetric_difference(&self, other: &NodeSet) -> NodeSet {
        let mut out = self.copy();
        out.symmetric_difference_update(other);
        out
    }

    /// Keeps the nodes in exactly one of `self` and `other`.
    pub fn symmetric_difference_update(&mut self, other: &NodeSet) {
        self.symmetric_difference_update_raw(&mut other.clone());
        self.settle();
    }

    /// ClusterShell's `copy()`: folds, and drops the n-dimensional
    /// multivariate hints.
    fn copy(&self) -> NodeSet {
        let mut source = self.clone();
        let patterns = source
            .patterns
            .iter_mut()
            .map(|(k, e)| {
                (
                    k.clone(),
                    Entry {
                        pattern: e.pattern.clone(),
                        ranges: e.ranges.copy(),
                    },
                )
            })
            .collect();
        NodeSet { patterns }
    }

    /// Folds every n-dimensional set: what ClusterShell does when it next
    /// looks at the set (`str()`, `len()`, iteration).
    pub(crate) fn settle(&mut self) {
        for entry in self.patterns.values_mut() {
            if let Ranges::Nd(r) = &mut entry.ranges {
                r.fold();
            }
        }
    }

    fn write_entry(entry: &Entry, f: &mut impl Write, first: &mut bool) -> fmt::Result {
        let mut sep = |f: &mut dyn Write| -> fmt::Result {
            if !*first {
                f.write_char(',')?;
            }
            *first = false;
            Ok(())
        };
        match &entry.ranges {
            Ranges::None => {
                sep(f)?;
                entry.pattern.write_with(f, |_, _| Ok(()))
            }
            Ranges::One(r) => {
                sep(f)?;
                entry
                    .pattern
                    .write_with(f, |_, out| write_bracketed(out, r))
            }
            Ranges::Nd(nd) => {
                for vector in nd.vectors() {
                    sep(f)?;
                    entry.pattern.write_with(f, |i, out| match vector.get(i) {
                        Some(r) => write_bracketed(out, r),
                        None => Ok(()),
                    })?;
                }
                Ok(())
            }
        }
    }
}

/// `[rs]` when it holds several elements, `rs` otherwise.
fn write_bracketed(out: &mut impl Write, r: &RangeSet) -> fmt::Result {
    if r.len_u128() > 1 {
        write!(out, "[{r}]")
    } else {
        write!(out, "{r}")
    }
}

impl fmt::Display for NodeSet {
    /// ClusterShell's folded form, `str(NodeSet)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for entry in self.patterns.values() {
            NodeSet::write_entry(entry, f, &mut first)?;
        }
        Ok(())
    }
}

impl fmt::Debug for NodeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeSet(\"{self}\")")
    }
}

impl std::str::FromStr for NodeSet {
    type Err = crate::Error;

    /// Parses ClusterShell's node set syntax; node groups and wildcards are
    /// errors (see [`NodeSet::parse_literal`]).
    fn from_str(s: &str) -> Result<NodeSet, crate::Error> {
        parse::parse(s, parse::Groups::Reject)
    }
}

impl PartialEq for NodeSet {
    /// Same nodes (ClusterShell's `==`).
    fn eq(&self, other: &NodeSet) -> bool {
        self.len_u128() == other.len_u128() && self.is_superset(other)
    }
}

impl Eq for NodeSet {}

impl Hash for NodeSet {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Equal sets have the same patterns and sizes (the vectors of an
        // n-dimensional set may differ), so hash only those.
        for (key, entry) in &self.patterns {
            key.hash(state);
            match &entry.ranges {
                Ranges::One(r) => r.hash(state),
                other => other.len().hash(state),
            }
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for NodeSet {
    /// Collects node names, each taken as one name (see
    /// [`NodeSet::from_names`]).
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> NodeSet {
        NodeSet::from_names(iter)
    }
}

impl<'a> IntoIterator for &'a NodeSet {
    type Item = String;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}
