//! Node set algebra, step by step as ClusterShell's `NodeSetBase` does it
//! (including where it folds n-dimensional sets), so that folded strings
//! come out the same.

use super::{Entry, NodeSet, Ranges};
use std::collections::BTreeMap;

impl NodeSet {
    /// ClusterShell's `_add`: merge into an existing pattern, or insert a
    /// copy (which folds `ranges`).
    pub(crate) fn add_entry(&mut self, key: &str, entry: &mut Entry) {
        match self.patterns.get_mut(key) {
            Some(existing) => match (&mut existing.ranges, &entry.ranges) {
                (Ranges::One(a), Ranges::One(b)) => *a = a.union(b),
                (Ranges::Nd(a), Ranges::Nd(b)) => a.update(b),
                // Same pattern, same kind: a plain name is already there.
                _ => {}
            },
            None => {
                let copy = Entry {
                    pattern: entry.pattern.clone(),
                    ranges: entry.ranges.copy(),
                };
                self.patterns.insert(key.to_owned(), copy);
            }
        }
    }

    /// ClusterShell's `update`, without folding at the end.
    pub(crate) fn update_raw(&mut self, other: &mut NodeSet) {
        for (key, entry) in other.patterns.iter_mut() {
            self.add_entry(key, entry);
        }
    }

    /// ClusterShell's `difference_update`.
    pub(crate) fn difference_update_raw(&mut self, other: &NodeSet) {
        let mut purge = Vec::new();
        for (key, removed) in &other.patterns {
            let Some(entry) = self.patterns.get_mut(key) else {
                continue;
            };
            if !entry.ranges.is_truthy() {
                purge.push(key.clone());
                continue;
            }
            match (&mut entry.ranges, &removed.ranges) {
                (Ranges::One(a), Ranges::One(b)) => *a = a.difference(b),
                (Ranges::Nd(a), Ranges::Nd(b)) => a.difference_update(b),
                _ => {}
            }
            if entry.ranges.len_folded() == 0 {
                purge.push(key.clone());
            }
        }
        for key in purge {
            self.patterns.remove(&key);
        }
    }

    /// ClusterShell's `intersection_update`.
    pub(crate) fn intersection_update_raw(&mut self, other: &mut NodeSet) {
        let mut kept = BTreeMap::new();
        for (key, theirs) in other.patterns.iter_mut() {
            let Some(entry) = self.patterns.get_mut(key) else {
                continue;
            };
            let common = match (&mut entry.ranges, &mut theirs.ranges) {
                (Ranges::One(a), Ranges::One(b)) => Some(Ranges::One(a.intersection(b))),
                (Ranges::Nd(a), Ranges::Nd(b)) => Some(Ranges::Nd(a.intersection(b))),
                (Ranges::None, Ranges::None) => {
                    kept.insert(
                        key.clone(),
                        Entry {
                            pattern: entry.pattern.clone(),
                            ranges: Ranges::None,
                        },
                    );
                    None
                }
                _ => None,
            };
            if let Some(mut ranges) = common {
                if ranges.len_folded() > 0 {
                    kept.insert(
                        key.clone(),
                        Entry {
                            pattern: entry.pattern.clone(),
                            ranges,
                        },
                    );
                }
            }
        }
        self.patterns = kept;
    }

    /// ClusterShell's `symmetric_difference_update`.
    pub(crate) fn symmetric_difference_update_raw(&mut self, other: &mut NodeSet) {
        let mut purge = Vec::new();
        for (key, entry) in self.patterns.iter_mut() {
            let Some(theirs) = other.patterns.get_mut(key) else {
                continue;
            };
            if !theirs.ranges.is_truthy() {
                purge.push(key.clone());
                continue;
            }
            match (&mut entry.ranges, &mut theirs.ranges) {
                (Ranges::One(a), Ranges::One(b)) => *a = a.symmetric_difference(b),
                (Ranges::Nd(a), Ranges::Nd(b)) => a.symmetric_difference_update(b),
                _ => {}
            }
        }
        for (key, theirs) in other.patterns.iter_mut() {
            if !self.patterns.contains_key(key) {
                self.add_entry(key, theirs);
            }
        }
        for (key, entry) in self.patterns.iter_mut() {
            if !matches!(entry.ranges, Ranges::None) && entry.ranges.len_folded() == 0 {
                purge.push(key.clone());
            }
        }
        for key in purge {
            self.patterns.remove(&key);
        }
    }
}

/// ClusterShell's `issuperset`, on settled sets.
pub(super) fn is_superset(this: &NodeSet, other: &NodeSet) -> bool {
    other
        .patterns
        .iter()
        .all(|(key, theirs)| match this.patterns.get(key) {
            None => false,
            Some(entry) => match (&entry.ranges, &theirs.ranges) {
                (Ranges::One(a), Ranges::One(b)) => a.is_superset(b),
                (Ranges::Nd(a), Ranges::Nd(b)) => a.is_superset_settled(b),
                (Ranges::None, _) => true,
                _ => false,
            },
        })
}
