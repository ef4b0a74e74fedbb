//! ClusterShell's multivariate folding of n-dimensional range sets.
//!
//! The vectors are expanded into single elements, sorted, and merged two by
//! two when they differ in one dimension only: first with cheap passes that
//! compare each vector with its next neighbours, then with full quadratic
//! passes. The result depends on the exact order of these steps, so they are
//! replayed as ClusterShell does them. Hostile sizes are bounded: beyond
//! [`MAX_EXPANDED`] elements or [`MAX_WORK`] vector comparisons, a simpler
//! axis-by-axis merge is used (correct, but its text may differ from
//! ClusterShell's, which would take minutes or hours on such sets).

use super::{Vector, vector_len};
use crate::RangeSet;
use crate::rangeset::Class;
use std::collections::{BTreeMap, BTreeSet};

/// Most elements the exact algorithm expands.
pub(crate) const MAX_EXPANDED: usize = 1 << 20;

/// Most vector comparisons the exact algorithm may make.
pub(crate) const MAX_WORK: u64 = 1 << 27;

type Elem = Vec<(Class, i128)>;

/// ClusterShell's sort key of a vector: larger vectors first, then per
/// dimension larger sets first, then by first and last element (as strings).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    neg_size: std::cmp::Reverse<u128>,
    dims: Vec<(std::cmp::Reverse<u128>, String, String)>,
}

fn sort_key(vector: &Vector) -> SortKey {
    SortKey {
        neg_size: std::cmp::Reverse(vector_len(vector)),
        dims: vector
            .iter()
            .map(|r| {
                (
                    std::cmp::Reverse(r.len_u128()),
                    r.first_text(),
                    r.last_text(),
                )
            })
            .collect(),
    }
}

/// Folds `vectors` in place.
pub(crate) fn fold_multivariate(vectors: &mut Vec<Vector>) {
    let total: u128 = vectors.iter().map(vector_len).sum();
    let elems = if total <= MAX_EXPANDED as u128 {
        expand(vectors)
    } else {
        None
    };
    let Some(elems) = elems else {
        *vectors = fold_by_axis(vectors);
        return;
    };
    let singles: Vec<Vector> = elems
        .iter()
        .map(|e| e.iter().map(|&(c, v)| RangeSet::single(c, v)).collect())
        .collect();
    match merge(singles) {
        Some(merged) => *vectors = merged,
        None => *vectors = fold_by_axis(vectors),
    }
}

/// The distinct elements of `vectors` (ClusterShell expands them through a
/// set, whose order the following sort makes irrelevant).
fn expand(vectors: &[Vector]) -> Option<BTreeSet<Elem>> {
    let mut out = BTreeSet::new();
    let tmp = super::RangeSetNd::from_state(vectors.to_vec(), false, false);
    tmp.for_each_elem(|e| {
        out.insert(e.to_vec());
    });
    (out.len() <= MAX_EXPANDED).then_some(out)
}

/// How two vectors compare dimension by dimension, as the merge sees it.
fn merged_pair(item1: &Vector, item2: &Vector) -> Option<Vector> {
    let mut new_item = Vec::with_capacity(item1.len());
    let mut differences = 0;
    for (rg1, rg2) in item1.iter().zip(item2) {
        if rg1 == rg2 {
            new_item.push(rg1.clone());
            continue;
        }
        if rg1.is_disjoint(rg2) {
            new_item.push(rg1.union(rg2));
        } else if rg2.is_proper_superset(rg1) {
            new_item.push(rg2.clone());
        } else if rg1.is_proper_superset(rg2) {
            new_item.push(rg1.clone());
        } else {
            return None;
        }
        differences += 1;
        if differences > 1 {
            return None;
        }
    }
    Some(new_item)
}

/// ClusterShell's merge phase; `None` when the work budget runs out.
fn merge(mut list: Vec<Vector>) -> Option<Vec<Vector>> {
    let mut work: u64 = 0;
    let mut full = false;
    let mut changed = true;
    while changed {
        changed = false;
        list.sort_by_cached_key(sort_key);
        let mut index1 = 0;
        while index1 + 1 < list.len() {
            let mut index2 = index1 + 1;
            index1 += 1;
            while index2 < list.len() {
                work += 1;
                if work > MAX_WORK {
                    return None;
                }
                let merged = merged_pair(&list[index1 - 1], &list[index2]);
                index2 += 1;
                if let Some(new_item) = merged {
                    changed = true;
                    list[index1 - 1] = new_item;
                    index2 -= 1;
                    list.remove(index2);
                } else if !full {
                    break;
                }
            }
        }
        if !changed && !full {
            changed = true;
            full = true;
        }
    }
    Some(list)
}

/// A simple fold for sets too large for the exact algorithm: merge vectors
/// that differ in one axis only, axis by axis from the last one.
fn fold_by_axis(vectors: &[Vector]) -> Vec<Vector> {
    let mut current: Vec<Vector> = disjoint_vectors(vectors);
    let dim = current.first().map_or(0, Vec::len);
    for axis in (0..dim).rev() {
        let mut groups: BTreeMap<Vec<String>, Vector> = BTreeMap::new();
        for vector in current {
            let rest: Vec<String> = vector
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != axis)
                .map(|(_, r)| r.to_string())
                .collect();
            match groups.get_mut(&rest) {
                Some(existing) => existing[axis] = existing[axis].union(&vector[axis]),
                None => {
                    groups.insert(rest, vector);
                }
            }
        }
        current = groups.into_values().collect();
    }
    current.sort_by_cached_key(sort_key);
    current
}

/// Makes the vectors pairwise disjoint (each one minus all previous ones).
fn disjoint_vectors(vectors: &[Vector]) -> Vec<Vector> {
    let mut out: Vec<Vector> = Vec::new();
    for vector in vectors {
        let mut pieces = vec![vector.clone()];
        for done in &out {
            pieces = pieces
                .into_iter()
                .flat_map(|p| exact_subtract(&p, done))
                .collect();
        }
        out.extend(pieces);
    }
    out
}

/// `a - b` as disjoint vectors.
fn exact_subtract(a: &Vector, b: &Vector) -> Vec<Vector> {
    if a.iter().zip(b).any(|(x, y)| x.is_disjoint(y)) {
        return vec![a.clone()];
    }
    let mut out = Vec::new();
    let mut prefix: Vector = Vec::new();
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let outside = x.difference(y);
        if !outside.is_empty() {
            let mut piece = prefix.clone();
            piece.push(outside);
            piece.extend(a[i + 1..].iter().cloned());
            out.push(piece);
        }
        prefix.push(x.intersection(y));
    }
    out
}
