//! Unions of many operands in one go.
//!
//! ClusterShell adds operands one at a time; doing the same here would cost
//! a merge per operand (quadratic for `n1,n3,n5,...` or for building a set
//! from 100,000 names). The builder collects the operands of consecutive
//! unions per pattern and merges them once, into the same state the one by
//! one additions reach: the same elements, the same multivariate hint, and
//! (once folded) the same vectors, since folding depends only on the
//! elements.

use super::{Entry, NodeSet, Pattern, Ranges};
use crate::RangeSet;
use crate::rangeset::Run;
use crate::rangeset_nd::{RangeSetNd, Vector};
use std::collections::BTreeMap;

/// What one pattern has collected.
enum Collected {
    None,
    One(Vec<Run>),
    Nd(Vec<Vector>),
}

/// Operands waiting to be added, by pattern.
#[derive(Default)]
pub(crate) struct Builder {
    pending: BTreeMap<String, (Pattern, Collected)>,
}

impl Builder {
    /// Collects the operand `key` (ClusterShell's pattern spelling) with its
    /// range sets; `false` when `key` is not a valid pattern.
    pub(crate) fn add(&mut self, key: String, mut rsets: Vec<RangeSet>) -> bool {
        let slot = match self.pending.get_mut(&key) {
            Some(slot) => slot,
            None => {
                let Some(pattern) = Pattern::parse(&key) else {
                    return false;
                };
                let collected = match rsets.len() {
                    0 => Collected::None,
                    1 => Collected::One(Vec::new()),
                    _ => Collected::Nd(Vec::new()),
                };
                self.pending.entry(key).or_insert((pattern, collected))
            }
        };
        match &mut slot.1 {
            Collected::None => {}
            Collected::One(runs) => {
                if let Some(r) = rsets.pop() {
                    runs.extend(r.into_runs());
                }
            }
            Collected::Nd(vectors) => vectors.push(rsets),
        }
        true
    }

    /// Adds everything collected to `acc` (ClusterShell's `update` of each
    /// operand in turn), leaving the builder empty.
    pub(crate) fn flush_into(&mut self, acc: &mut NodeSet) {
        for (key, (pattern, collected)) in std::mem::take(&mut self.pending) {
            let ranges = match collected {
                Collected::None => Ranges::None,
                Collected::One(runs) => Ranges::One(RangeSet::from_runs(runs)),
                Collected::Nd(vectors) => Ranges::Nd(nd_of(vectors)),
            };
            match acc.patterns.get_mut(&key) {
                Some(existing) => match (&mut existing.ranges, &ranges) {
                    (Ranges::One(a), Ranges::One(b)) => *a = a.union(b),
                    (Ranges::Nd(a), Ranges::Nd(b)) => a.update(b),
                    _ => {}
                },
                None => {
                    acc.patterns.insert(key, Entry { pattern, ranges });
                }
            }
        }
    }
}

/// The state of a new pattern after adding each vector in turn: the first
/// one as a (folded) copy, then the others by `update`.
fn nd_of(mut vectors: Vec<Vector>) -> RangeSetNd {
    let rest = vectors.split_off(1.min(vectors.len()));
    let mut set = RangeSetNd::from_state(vectors, false, false);
    if !rest.is_empty() {
        set.update(&RangeSetNd::from_state(rest, true, false));
    }
    set
}
