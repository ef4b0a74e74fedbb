//! How node sets are written in what the display prints, as clush writes
//! them: `--axis` folds nD node sets along some axes only (every node set
//! clush prints), `-r` writes gathered headers with node groups.

use std::fmt;
use std::sync::{Arc, Mutex};

use cscomm::topology::{RangeSet, RangesView};
use cscomm::tree::NodeSet;

/// Writes a node set with node groups (`-r`); see `regroup.rs`.
pub(in crate::cli::run) trait Regrouper: Send {
    /// `set` with the groups that fold it, written with `axis`.
    fn regroup(&mut self, set: &NodeSet, axis: &Axis) -> String;
}

/// `--axis`: the 0-indexed axes nD node sets are folded along (negative:
/// from the last one); `None` folds along all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(in crate::cli::run) struct Axis(Option<Vec<i64>>);

impl Axis {
    /// clush's `--axis` value: a range set of 1-indexed axes (0 ignored;
    /// none left folds along all), or one negative index. The error is the
    /// range set's.
    pub(in crate::cli::run) fn parse(text: &str) -> Result<Axis, cscomm_groups::Error> {
        if text.is_empty() {
            // clush ignores an empty --axis.
            return Ok(Axis::default());
        }
        if text.starts_with('-') {
            let axis = text.parse::<i64>().map_err(|_| {
                cscomm_groups::Error::Other(format!(
                    "invalid literal for int() with base 10: '{text}'"
                ))
            })?;
            return Ok(Axis(Some(vec![axis])));
        }
        let set: RangeSet = text.parse()?;
        let axes: Vec<i64> = set
            .iter()
            .filter_map(|x| x.parse::<i64>().ok())
            .filter(|x| *x > 0)
            .map(|x| x - 1)
            .collect();
        // clush keeps an empty tuple, which means "fold all".
        Ok(Axis((!axes.is_empty()).then_some(axes)))
    }

    /// `set` as clush writes it with this folding.
    pub(in crate::cli::run) fn text(&self, set: &NodeSet) -> String {
        let Some(axes) = &self.0 else {
            return set.to_string();
        };
        let mut parts = Vec::new();
        for pattern in set.to_view() {
            match &pattern.ranges {
                RangesView::None => parts.push(fill(&pattern.pattern, &[])),
                RangesView::One(r) => {
                    let fold = axes.iter().any(|x| (-1..1).contains(x));
                    let Ok(r) = RangeSet::from_view(r) else {
                        return set.to_string();
                    };
                    parts.extend(expand(&[r], &[fold], &pattern.pattern));
                }
                RangesView::Nd(nd) => {
                    for vector in &nd.vectors {
                        let Ok(ranges) = vector.iter().map(RangeSet::from_view).collect() else {
                            return set.to_string();
                        };
                        let ranges: Vec<RangeSet> = ranges;
                        let folds = folded_axes(axes, ranges.len());
                        parts.extend(expand(&ranges, &folds, &pattern.pattern));
                    }
                }
            }
        }
        parts.join(",")
    }
}

/// Which of `dim` axes fold: those named, negative ones from the end.
fn folded_axes(axes: &[i64], dim: usize) -> Vec<bool> {
    let dim_i = i64::try_from(dim).unwrap_or(i64::MAX);
    let named: Vec<i64> = axes
        .iter()
        .filter(|x| (-dim_i..dim_i).contains(*x))
        .map(|x| x.rem_euclid(dim_i))
        .collect();
    (0..dim_i).map(|axis| named.contains(&axis)).collect()
}

/// The names of one vector: each axis `[ranges]` when it folds, else one
/// name per element (the last axis varying slowest, as clush).
fn expand(ranges: &[RangeSet], folds: &[bool], pattern: &str) -> Vec<String> {
    let mut combos: Vec<Vec<String>> = vec![Vec::new()];
    for (r, fold) in ranges.iter().zip(folds) {
        let texts: Vec<String> = if r.len() <= 1 {
            vec![r.to_string()]
        } else if *fold {
            vec![format!("[{r}]")]
        } else {
            r.iter().collect()
        };
        combos = texts
            .iter()
            .flat_map(|t| {
                combos.iter().map(move |prefix| {
                    let mut next = prefix.clone();
                    next.push(t.clone());
                    next
                })
            })
            .collect();
    }
    combos.iter().map(|args| fill(pattern, args)).collect()
}

/// ClusterShell's pattern (`node%s`, `%%` a literal `%`) with its slots
/// filled by `args`.
fn fill(pattern: &str, args: &[String]) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut args = args.iter();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push_str(args.next().map_or("", String::as_str)),
            Some(other) => out.push(other),
            None => out.push('%'),
        }
    }
    out
}

/// The writing of node sets for one display: `--axis` everywhere, `-r`
/// in gathered headers and labels.
#[derive(Clone, Default)]
pub(in crate::cli::run) struct Labels {
    /// `--axis`.
    pub(in crate::cli::run) axis: Axis,
    /// `-r` (with `-s` and `-G` inside).
    pub(in crate::cli::run) regroup: Option<Arc<Mutex<dyn Regrouper>>>,
}

impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Labels")
            .field("axis", &self.axis)
            .field("regroup", &self.regroup.is_some())
            .finish()
    }
}

impl Labels {
    /// A node set in messages (exit codes, timeouts): `--axis` only.
    pub(in crate::cli::run) fn plain(&self, set: &NodeSet) -> String {
        self.axis.text(set)
    }

    /// A node set heading gathered output (headers, diff labels, -L and
    /// -bL labels): regrouped with `-r`.
    pub(super) fn header(&self, set: &NodeSet) -> String {
        match &self.regroup {
            Some(regroup) => match regroup.lock() {
                Ok(mut regroup) => regroup.regroup(set, &self.axis),
                Err(_) => self.axis.text(set),
            },
            None => self.axis.text(set),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(axis: &str, set: &str) -> String {
        let set: NodeSet = set.parse().unwrap_or_default();
        Axis::parse(axis).map(|a| a.text(&set)).unwrap_or_default()
    }

    #[test]
    fn folds_along_the_named_axes_only() {
        assert_eq!(text("1", "n[1-2]p[1-2]"), "n[1-2]p1,n[1-2]p2");
        assert_eq!(text("2", "n[1-2]p[1-2]"), "n1p[1-2],n2p[1-2]");
        assert_eq!(text("-1", "n[1-2]p[1-2]"), "n1p[1-2],n2p[1-2]");
        assert_eq!(text("0", "n[1-2]p[1-2]"), "n[1-2]p[1-2]");
        assert_eq!(text("2", "a[1-3],b"), "a1,a2,a3,b");
        assert_eq!(text("1", "a[1-3],b"), "a[1-3],b");
        assert!(Axis::parse("foo").is_err());
    }
}
