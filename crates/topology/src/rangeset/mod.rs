//! One-dimensional range sets, ClusterShell's `RangeSet`.

mod class;
mod fold;
mod ops;
mod parse;

pub(crate) use class::Class;
pub(crate) use fold::token_texts;
pub(crate) use parse::{RangeError, parse_rangeset};

use std::fmt::{self, Write};

/// A set of node indexes with ClusterShell's semantics: elements are kept as
/// they are written, so `5`, `05` and `005` are three different elements
/// (mixed zero-padding, as in ClusterShell 1.9+), and negative indexes exist.
///
/// Iteration follows ClusterShell's order (shorter strings first, then by
/// value; negative indexes first) and [`Display`](fmt::Display) is
/// ClusterShell's folded form (`"1-3,5,08-12"`). Steps in the input
/// (`"1-9/2"`) are expanded: like ClusterShell by default, folding never
/// writes steps back.
///
/// ```
/// use cscomm_topology::RangeSet;
///
/// let rs: RangeSet = "1-3,5,08-12,9".parse()?;
/// assert_eq!(rs.to_string(), "1-3,5,9,08-12");
/// assert_eq!(rs.len(), 10);
/// assert!(rs.contains("08") && !rs.contains("8"));
/// # Ok::<(), cscomm_topology::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct RangeSet {
    /// Sorted by `(class, lo)`; runs of one class never overlap nor touch.
    runs: Vec<Run>,
}

/// Consecutive values `lo..=hi` of one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Run {
    pub(crate) class: Class,
    pub(crate) lo: i128,
    pub(crate) hi: i128,
}

impl Run {
    fn count(&self) -> u128 {
        (self.hi - self.lo) as u128 + 1
    }
}

impl RangeSet {
    /// An empty range set.
    pub fn new() -> RangeSet {
        RangeSet::default()
    }

    /// Number of elements (saturating at `usize::MAX`).
    pub fn len(&self) -> usize {
        usize::try_from(self.len_u128()).unwrap_or(usize::MAX)
    }

    pub(crate) fn len_u128(&self) -> u128 {
        self.runs.iter().map(Run::count).sum()
    }

    /// Whether the set has no element.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Whether `element` (as written, e.g. `"05"`) is in the set.
    pub fn contains(&self, element: &str) -> bool {
        let parsed = match element.strip_prefix('-') {
            Some(rest) => Class::of_digits(rest)
                .filter(|&(_, v)| v != 0 && !rest.starts_with('0'))
                .map(|(_, v)| (Class::of(-v, 0), -v)),
            None => Class::of_digits(element),
        };
        parsed.is_some_and(|(class, v)| self.contains_elem(class, v))
    }

    pub(crate) fn contains_elem(&self, class: Class, v: i128) -> bool {
        let idx = self.runs.partition_point(|r| (r.class, r.hi) < (class, v));
        self.runs
            .get(idx)
            .is_some_and(|r| r.class == class && r.lo <= v && v <= r.hi)
    }

    /// The elements, in ClusterShell's order, as strings.
    pub fn iter(&self) -> impl Iterator<Item = String> + '_ {
        self.elems().map(|(class, v)| {
            let mut s = String::new();
            // Writing to a String cannot fail.
            let _ = class.write(&mut s, v);
            s
        })
    }

    /// The elements as `(class, value)`, in ClusterShell's order.
    pub(crate) fn elems(&self) -> impl Iterator<Item = (Class, i128)> + '_ {
        self.runs
            .iter()
            .flat_map(|r| (r.lo..=r.hi).map(move |v| (r.class, v)))
    }

    pub(crate) fn into_runs(self) -> Vec<Run> {
        self.runs
    }

    pub(crate) fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// The largest zero-padded length among the elements, if any is padded
    /// (ClusterShell's `RangeSet.padding`).
    pub fn padding(&self) -> Option<u32> {
        self.runs
            .iter()
            .filter(|r| r.class.padded())
            .map(|r| r.class.len())
            .max()
    }

    /// First element (in ClusterShell's order) as a string.
    pub(crate) fn first_text(&self) -> String {
        self.runs
            .first()
            .map_or_else(String::new, |r| elem_text(r.class, r.lo))
    }

    /// Last element (in ClusterShell's order) as a string.
    pub(crate) fn last_text(&self) -> String {
        self.runs
            .last()
            .map_or_else(String::new, |r| elem_text(r.class, r.hi))
    }

    /// A set of one element.
    pub(crate) fn single(class: Class, v: i128) -> RangeSet {
        RangeSet {
            runs: vec![Run {
                class,
                lo: v,
                hi: v,
            }],
        }
    }

    /// Builds from runs that are sorted by `(class, lo)` but may touch or
    /// overlap inside a class.
    pub(crate) fn from_sorted_runs(runs: impl IntoIterator<Item = Run>) -> RangeSet {
        let mut out: Vec<Run> = Vec::new();
        for run in runs {
            match out.last_mut() {
                Some(last) if last.class == run.class && run.lo <= last.hi.saturating_add(1) => {
                    last.hi = last.hi.max(run.hi);
                }
                _ => out.push(run),
            }
        }
        RangeSet { runs: out }
    }

    /// Builds from runs in any order, possibly overlapping.
    pub(crate) fn from_runs(mut runs: Vec<Run>) -> RangeSet {
        runs.sort_unstable_by_key(|r| (r.class, r.lo));
        RangeSet::from_sorted_runs(runs)
    }

    /// Appends to `runs` the elements `start..stop` by `step` printed with
    /// padding `pad`, as ClusterShell's `add_range` (callers check the
    /// bounds).
    pub(crate) fn push_range(runs: &mut Vec<Run>, start: i128, stop: i128, step: i128, pad: u32) {
        let mut cur = start;
        while cur < stop {
            let class = Class::of(cur, pad);
            if step == 1 {
                let hi = class.values().1.min(stop - 1);
                runs.push(Run { class, lo: cur, hi });
                cur = hi + 1;
            } else {
                runs.push(Run {
                    class,
                    lo: cur,
                    hi: cur,
                });
                cur += step;
            }
        }
    }
}

fn elem_text(class: Class, v: i128) -> String {
    let mut s = String::new();
    let _ = class.write(&mut s, v);
    s
}

impl fmt::Display for RangeSet {
    /// ClusterShell's folded form, `str(RangeSet)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        fold::fold(self, |token| {
            if !first {
                f.write_char(',')?;
            }
            first = false;
            token.write(f)
        })
    }
}

impl fmt::Debug for RangeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RangeSet(\"{self}\")")
    }
}

impl std::str::FromStr for RangeSet {
    type Err = crate::Error;

    /// Parses ClusterShell's range set syntax (`"1-3,5,08-12,1-9/2"`).
    fn from_str(s: &str) -> Result<RangeSet, crate::Error> {
        parse_rangeset(s).map_err(|e| crate::Error::RangeSet {
            reason: e.message(),
        })
    }
}
