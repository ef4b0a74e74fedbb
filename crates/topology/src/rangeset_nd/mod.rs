//! Multi-dimensional range sets, ClusterShell's `RangeSetND`.
//!
//! A set is a list of vectors, each vector the cartesian product of one
//! [`RangeSet`] per dimension. Like ClusterShell, operations may leave the
//! list unfolded ("dirty": overlapping or mergeable vectors) and folding is
//! done later, by the same algorithms in the same places, because the
//! folded vectors (hence the node set's text) depend on the history.

mod merge;

use crate::RangeSet;

/// A vector: one range set per dimension.
pub(crate) type Vector = Vec<RangeSet>;

/// ClusterShell's `RangeSetND` state.
#[derive(Debug, Clone, Default)]
pub(crate) struct RangeSetNd {
    vectors: Vec<Vector>,
    dirty: bool,
    multivar_hint: bool,
}

/// Product of the vector's dimension sizes.
pub(crate) fn vector_len(vector: &Vector) -> u128 {
    vector
        .iter()
        .map(RangeSet::len_u128)
        .fold(1u128, u128::saturating_mul)
}

impl RangeSetNd {
    /// A set of one vector (ClusterShell builds these from parsed names).
    pub(crate) fn from_vector(vector: Vector) -> RangeSetNd {
        RangeSetNd {
            vectors: vec![vector],
            dirty: true,
            multivar_hint: false,
        }
    }

    /// A set from raw state (a pickled `RangeSetND`).
    pub(crate) fn from_state(vectors: Vec<Vector>, dirty: bool, multivar_hint: bool) -> RangeSetNd {
        RangeSetNd {
            vectors,
            dirty,
            multivar_hint,
        }
    }

    /// The vectors as they are (folded only if [`fold`](Self::fold) ran).
    pub(crate) fn vectors(&self) -> &[Vector] {
        &self.vectors
    }

    pub(crate) fn multivar_hint(&self) -> bool {
        self.multivar_hint
    }

    pub(crate) fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Number of dimensions (0 when empty).
    pub(crate) fn dim(&self) -> usize {
        self.vectors.first().map_or(0, Vec::len)
    }

    /// ClusterShell's truth value: whether any vector is held (unfolded).
    pub(crate) fn is_truthy(&self) -> bool {
        !self.vectors.is_empty()
    }

    /// Folds if needed (ClusterShell's `precond_fold`).
    pub(crate) fn fold(&mut self) {
        if !self.dirty {
            return;
        }
        if self.vectors.len() > 1 {
            if !self.fold_univariate() {
                merge::fold_multivariate(&mut self.vectors);
                self.dirty = false;
            }
        } else {
            self.dirty = false;
        }
    }

    /// Number of elements; folds first, as ClusterShell's `len()` does.
    pub(crate) fn len_folded(&mut self) -> u128 {
        self.fold();
        self.len_raw()
    }

    /// Sum of the vector sizes, exact once folded.
    pub(crate) fn len_raw(&self) -> u128 {
        self.vectors
            .iter()
            .map(vector_len)
            .fold(0u128, u128::saturating_add)
    }

    /// Folding when a single dimension varies among the vectors: the vectors
    /// merge into one. Returns whether it applied.
    fn fold_univariate(&mut self) -> bool {
        let dim = self.dim();
        let mut varying = 0;
        let mut vardim = 0;
        if dim > 1 {
            for i in 0..dim {
                let first = &self.vectors[0][i];
                if self.vectors.iter().any(|v| &v[i] != first) {
                    varying += 1;
                    if varying > 1 {
                        break;
                    }
                    vardim = i;
                }
            }
        }
        let univariate = dim == 1 || varying == 1;
        if univariate {
            let rest: Vec<Vector> = self.vectors.drain(1..).collect();
            let merged = rest.iter().fold(self.vectors[0][vardim].clone(), |acc, v| {
                acc.union(&v[vardim])
            });
            self.vectors[0][vardim] = merged;
            self.dirty = false;
        }
        self.multivar_hint = !univariate;
        univariate
    }

    /// A folded copy; like ClusterShell's `copy()` it folds `self` first and
    /// the copy does not inherit the multivariate hint.
    pub(crate) fn copy(&mut self) -> RangeSetNd {
        self.fold();
        RangeSetNd {
            vectors: self.vectors.clone(),
            dirty: self.dirty,
            multivar_hint: false,
        }
    }

    /// Adds the raw vectors of `other` (ClusterShell's `update`).
    pub(crate) fn update(&mut self, other: &RangeSetNd) {
        self.vectors.extend(other.vectors.iter().cloned());
        self.dirty = true;
        if !self.multivar_hint {
            self.fold_univariate();
        }
    }

    /// Removes the elements of `other`, working on raw vectors
    /// (ClusterShell's `difference_update`); leaves `self` dirty.
    pub(crate) fn difference_update(&mut self, other: &RangeSetNd) {
        let mut result = Vec::new();
        for vector in &self.vectors {
            let mut pending = vec![vector.clone()];
            for removed in &other.vectors {
                let mut next = Vec::new();
                for vec1 in pending.drain(..) {
                    next.extend(subtract_vector(vec1, removed));
                }
                if next.is_empty() {
                    break;
                }
                pending = next;
            }
            result.extend(pending);
        }
        self.vectors = result;
        self.dirty = true;
    }

    /// Keeps the elements also in `other` (ClusterShell's
    /// `intersection_update`, on raw vectors).
    pub(crate) fn intersection_update(&mut self, other: &RangeSetNd) {
        let mut tmp = RangeSetNd::default();
        for vector in &self.vectors {
            for other_vector in &other.vectors {
                let common: Vector = vector
                    .iter()
                    .zip(other_vector)
                    .map(|(a, b)| a.intersection(b))
                    .collect();
                if common.iter().all(|r| !r.is_empty()) {
                    tmp.update(&RangeSetNd {
                        vectors: vec![common],
                        dirty: true,
                        multivar_hint: false,
                    });
                }
            }
        }
        tmp.fold();
        self.vectors = tmp.vectors;
        self.dirty = true;
    }

    /// `self - other` as ClusterShell computes it (folds `self`).
    pub(crate) fn difference(&mut self, other: &RangeSetNd) -> RangeSetNd {
        let mut copy = self.copy();
        copy.difference_update(other);
        copy
    }

    /// `self & other` as ClusterShell computes it (folds `self`).
    pub(crate) fn intersection(&mut self, other: &RangeSetNd) -> RangeSetNd {
        let mut copy = self.copy();
        copy.intersection_update(other);
        copy
    }

    /// ClusterShell's `symmetric_difference_update`.
    pub(crate) fn symmetric_difference_update(&mut self, other: &mut RangeSetNd) {
        let only_other = other.difference(self);
        self.difference_update(other);
        self.update(&only_other);
    }

    /// Whether every element of `other` is in `self`, for a folded `self`
    /// (ClusterShell folds both, then checks that `other - self` is empty).
    pub(crate) fn is_superset_settled(&self, other: &RangeSetNd) -> bool {
        if other.vectors.is_empty() {
            return true;
        }
        let mut test = other.clone();
        test.fold();
        test.difference_update(self);
        test.vectors.is_empty()
    }

    /// Elements as tuples of `(class, value)`, in ClusterShell's order
    /// (vector by vector, last dimension varying fastest).
    pub(crate) fn for_each_elem(&self, mut f: impl FnMut(&[(crate::rangeset::Class, i128)])) {
        for vector in &self.vectors {
            let mut current = Vec::with_capacity(vector.len());
            product(vector, &mut current, &mut f);
        }
    }
}

fn product(
    vector: &[RangeSet],
    current: &mut Vec<(crate::rangeset::Class, i128)>,
    f: &mut impl FnMut(&[(crate::rangeset::Class, i128)]),
) {
    match vector.split_first() {
        None => f(current),
        Some((head, tail)) => {
            for elem in head.elems() {
                current.push(elem);
                product(tail, current, f);
                current.pop();
            }
        }
    }
}

/// `vec1 - removed`, as ClusterShell's `difference_update` refines one
/// vector: one result vector per partially covered dimension (they may
/// overlap; a later fold cleans up), or `vec1` itself when disjoint.
fn subtract_vector(vec1: Vector, removed: &Vector) -> Vec<Vector> {
    let mut out = Vec::new();
    for (pos, (rg1, rg2)) in vec1.iter().zip(removed).enumerate() {
        if rg1.is_subset(rg2) {
            continue;
        }
        if !rg1.is_disjoint(rg2) {
            let mut partial = vec1.clone();
            partial[pos] = rg1.difference(rg2);
            out.push(partial);
        } else {
            return vec![vec1];
        }
    }
    out
}
