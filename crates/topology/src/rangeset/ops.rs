//! Set algebra on range sets: linear merges of sorted runs.

use super::{RangeSet, Run};

/// Position of a run boundary in ClusterShell's total order.
fn key(run: &Run, v: i128) -> (super::Class, i128) {
    (run.class, v)
}

impl RangeSet {
    /// Elements in `self` or `other`.
    pub fn union(&self, other: &RangeSet) -> RangeSet {
        let (a, b) = (&self.runs, &other.runs);
        let (mut i, mut j) = (0, 0);
        let mut merged = Vec::with_capacity(a.len() + b.len());
        while i < a.len() || j < b.len() {
            let take_a =
                j >= b.len() || (i < a.len() && key(&a[i], a[i].lo) <= key(&b[j], b[j].lo));
            if take_a {
                merged.push(a[i]);
                i += 1;
            } else {
                merged.push(b[j]);
                j += 1;
            }
        }
        RangeSet::from_sorted_runs(merged)
    }

    /// Elements in both `self` and `other`.
    pub fn intersection(&self, other: &RangeSet) -> RangeSet {
        let (a, b) = (&self.runs, &other.runs);
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < a.len() && j < b.len() {
            let (x, y) = (a[i], b[j]);
            if x.class == y.class {
                let lo = x.lo.max(y.lo);
                let hi = x.hi.min(y.hi);
                if lo <= hi {
                    out.push(Run {
                        class: x.class,
                        lo,
                        hi,
                    });
                }
            }
            if key(&x, x.hi) < key(&y, y.hi) {
                i += 1;
            } else {
                j += 1;
            }
        }
        RangeSet { runs: out }
    }

    /// Elements in `self` but not in `other`.
    pub fn difference(&self, other: &RangeSet) -> RangeSet {
        let b = &other.runs;
        let mut j = 0;
        let mut out = Vec::new();
        for &run in &self.runs {
            // Skip the runs of `other` wholly before this one.
            while j < b.len() && key(&b[j], b[j].hi) < key(&run, run.lo) {
                j += 1;
            }
            let mut lo = run.lo;
            let mut k = j;
            while k < b.len() && b[k].class == run.class && b[k].lo <= run.hi {
                if b[k].lo > lo {
                    out.push(Run {
                        class: run.class,
                        lo,
                        hi: b[k].lo - 1,
                    });
                }
                lo = lo.max(b[k].hi + 1);
                k += 1;
            }
            if lo <= run.hi {
                out.push(Run {
                    class: run.class,
                    lo,
                    hi: run.hi,
                });
            }
        }
        RangeSet { runs: out }
    }

    /// Elements in exactly one of `self` and `other`.
    pub fn symmetric_difference(&self, other: &RangeSet) -> RangeSet {
        self.difference(other).union(&other.difference(self))
    }

    /// Whether every element of `self` is in `other`.
    pub fn is_subset(&self, other: &RangeSet) -> bool {
        self.difference(other).is_empty()
    }

    /// Whether every element of `other` is in `self`.
    pub fn is_superset(&self, other: &RangeSet) -> bool {
        other.is_subset(self)
    }

    /// Whether `self` and `other` have no element in common.
    pub fn is_disjoint(&self, other: &RangeSet) -> bool {
        self.intersection(other).is_empty()
    }

    /// ClusterShell's `a > b`: a proper superset.
    pub(crate) fn is_proper_superset(&self, other: &RangeSet) -> bool {
        self.len_u128() > other.len_u128() && self.is_superset(other)
    }
}

#[cfg(test)]
mod tests {
    use crate::RangeSet;
    use std::collections::BTreeSet;

    /// The range set of `s`; the empty text is the empty set (ClusterShell
    /// itself refuses to parse "": "empty range").
    fn rs(s: &str) -> RangeSet {
        if s.is_empty() {
            return RangeSet::default();
        }
        s.parse().expect("valid range set")
    }

    fn set(r: &RangeSet) -> BTreeSet<String> {
        r.iter().collect()
    }

    #[test]
    fn algebra_matches_element_sets() {
        let samples = [
            "",
            "1-10",
            "5-15",
            "01-10",
            "1,3,5,7",
            "0-2,00-02",
            "-5-5",
            "8-12,098-101",
        ];
        for a in samples {
            for b in samples {
                let (x, y) = (rs(a), rs(b));
                let (sx, sy) = (set(&x), set(&y));
                assert_eq!(set(&x.union(&y)), &sx | &sy, "{a} | {b}");
                assert_eq!(set(&x.intersection(&y)), &sx & &sy, "{a} & {b}");
                assert_eq!(set(&x.difference(&y)), &sx - &sy, "{a} - {b}");
                assert_eq!(set(&x.symmetric_difference(&y)), &sx ^ &sy, "{a} ^ {b}");
                assert_eq!(x.is_subset(&y), sx.is_subset(&sy), "{a} <= {b}");
                assert_eq!(x.is_disjoint(&y), sx.is_disjoint(&sy), "{a} disjoint {b}");
            }
        }
    }
}
