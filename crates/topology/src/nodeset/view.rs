//! ClusterShell's internal form of node sets, for pickling.
//!
//! ClusterShell pickles a `NodeSet` as its attribute dictionary, whose
//! `_patterns` maps each pattern to `None`, a `RangeSet` (pickled through
//! `RangeSet(folded_string)`) or a `RangeSetND` (its `_veclist`, a list of
//! vectors of `RangeSet`s, plus `_dirty` and `_multivar_hint`). These types
//! mirror that form so that the message crate can convert both ways.

use super::{Entry, NodeSet, Pattern, Ranges};
use crate::rangeset_nd::RangeSetNd;
use crate::{Error, RangeSet};

/// ClusterShell's "autostep disabled" value (`AUTOSTEP_DISABLED`), which
/// the `_autostep` attribute of pickled `RangeSet` and `RangeSetND` objects
/// holds by default (a float).
pub const AUTOSTEP_DISABLED: f64 = 1e100;

/// A `RangeSet` as ClusterShell pickles it: `RangeSet(folded)` rebuilt
/// with the state `{"padding": padding, "_autostep": 1e100, "_version": 4}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeSetView {
    /// The folded string (`str(rangeset)`, e.g. `"1-3,08-12"`).
    pub folded: String,
    /// Largest zero-padding length, `None` when no element is padded.
    /// ClusterShell ignores it when unpickling; so does [`NodeSet::from_view`].
    pub padding: Option<u32>,
}

/// A `RangeSetND` as ClusterShell pickles it (its attribute dictionary,
/// with `_autostep` = [`AUTOSTEP_DISABLED`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeSetNdView {
    /// `_veclist`: vectors, each one range set per dimension.
    pub vectors: Vec<Vec<RangeSetView>>,
    /// `_dirty`: the vectors may still need folding.
    pub dirty: bool,
    /// `_multivar_hint`: several dimensions vary, skip quick folding.
    pub multivar_hint: bool,
}

/// What fills a pattern's `%s` slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangesView {
    /// A plain node name (`None` in ClusterShell), no slot.
    None,
    /// One slot: a `RangeSet`.
    One(RangeSetView),
    /// Two slots or more: a `RangeSetND`.
    Nd(RangeSetNdView),
}

/// One entry of ClusterShell's `NodeSet._patterns`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternView {
    /// The pattern in ClusterShell's spelling: `"node%s"`, `"r%ssw%s"`,
    /// `"login"`, with a literal `%` written `%%`.
    pub pattern: String,
    /// Its ranges.
    pub ranges: RangesView,
}

impl RangeSet {
    /// This set as ClusterShell pickles it.
    pub fn to_view(&self) -> RangeSetView {
        RangeSetView {
            folded: self.to_string(),
            padding: self.padding(),
        }
    }

    /// The set a pickled `RangeSet` holds (parses `view.folded`).
    pub fn from_view(view: &RangeSetView) -> Result<RangeSet, Error> {
        view.folded.parse().map_err(|e: Error| Error::InvalidView {
            reason: format!("range set {:?}: {e}", view.folded),
        })
    }
}

fn invalid(pattern: &str, reason: &str) -> Error {
    Error::InvalidView {
        reason: format!("pattern {pattern:?}: {reason}"),
    }
}

fn nonempty_rangeset(pattern: &str, view: &RangeSetView) -> Result<RangeSet, Error> {
    let set = RangeSet::from_view(view)?;
    if set.is_empty() {
        return Err(invalid(pattern, "empty range set"));
    }
    Ok(set)
}

impl NodeSet {
    /// ClusterShell's internal form of this set (`_patterns`, sorted by
    /// pattern as ClusterShell iterates them).
    ///
    /// ```
    /// use cscomm_topology::{NodeSet, RangesView};
    ///
    /// let nodes: NodeSet = "node[1-3],login".parse()?;
    /// let view = nodes.to_view();
    /// assert_eq!(view[0].pattern, "login");
    /// assert_eq!(view[0].ranges, RangesView::None);
    /// assert_eq!(view[1].pattern, "node%s");
    /// assert_eq!(NodeSet::from_view(&view)?, nodes);
    /// # Ok::<(), cscomm_topology::Error>(())
    /// ```
    pub fn to_view(&self) -> Vec<PatternView> {
        self.patterns
            .iter()
            .map(|(key, entry)| PatternView {
                pattern: key.clone(),
                ranges: match &entry.ranges {
                    Ranges::None => RangesView::None,
                    Ranges::One(r) => RangesView::One(r.to_view()),
                    Ranges::Nd(nd) => RangesView::Nd(RangeSetNdView {
                        vectors: nd
                            .vectors()
                            .iter()
                            .map(|v| v.iter().map(RangeSet::to_view).collect())
                            .collect(),
                        dirty: nd.is_dirty(),
                        multivar_hint: nd.multivar_hint(),
                    }),
                },
            })
            .collect()
    }

    /// The node set ClusterShell's internal form describes (what unpickling
    /// a `NodeSet` gives), folded as ClusterShell would fold it on first use.
    ///
    /// Fails on what ClusterShell could not print: a pattern other than text
    /// with `%s` slots, slots that do not match the ranges, empty range sets,
    /// a pattern given twice.
    pub fn from_view(view: &[PatternView]) -> Result<NodeSet, Error> {
        let mut out = NodeSet::new();
        for item in view {
            let key = item.pattern.as_str();
            let pattern =
                Pattern::parse(key).ok_or_else(|| invalid(key, "not a node name pattern"))?;
            let ranges = match &item.ranges {
                RangesView::None if pattern.slots() == 0 => Ranges::None,
                RangesView::One(r) if pattern.slots() == 1 => {
                    Ranges::One(nonempty_rangeset(key, r)?)
                }
                RangesView::Nd(nd) if pattern.slots() >= 2 => {
                    Ranges::Nd(nd_from_view(key, pattern.slots(), nd)?)
                }
                _ => return Err(invalid(key, "ranges do not match the pattern's slots")),
            };
            if out
                .patterns
                .insert(key.to_owned(), Entry { pattern, ranges })
                .is_some()
            {
                return Err(invalid(key, "pattern given twice"));
            }
        }
        out.settle();
        Ok(out)
    }
}

fn nd_from_view(key: &str, slots: usize, view: &RangeSetNdView) -> Result<RangeSetNd, Error> {
    if view.vectors.is_empty() {
        return Err(invalid(key, "empty n-dimensional range set"));
    }
    let mut vectors = Vec::with_capacity(view.vectors.len());
    for vector in &view.vectors {
        if vector.len() != slots {
            return Err(invalid(
                key,
                "vector length does not match the pattern's slots",
            ));
        }
        vectors.push(
            vector
                .iter()
                .map(|r| nonempty_rangeset(key, r))
                .collect::<Result<Vec<_>, _>>()?,
        );
    }
    // A set claimed folded must at least have disjoint vectors, or its size
    // and iteration would count nodes twice: fold it then.
    let dirty = view.dirty || !pairwise_disjoint(&vectors);
    Ok(RangeSetNd::from_state(vectors, dirty, view.multivar_hint))
}

/// Vectors beyond which [`pairwise_disjoint`] gives up (and the set is
/// folded again).
const MAX_CHECKED_VECTORS: usize = 4096;

fn pairwise_disjoint(vectors: &[Vec<RangeSet>]) -> bool {
    if vectors.len() > MAX_CHECKED_VECTORS {
        return false;
    }
    vectors.iter().enumerate().all(|(i, a)| {
        vectors[i + 1..]
            .iter()
            .all(|b| a.iter().zip(b).any(|(x, y)| x.is_disjoint(y)))
    })
}
