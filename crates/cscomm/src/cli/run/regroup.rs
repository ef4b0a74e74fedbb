//! `-r`: node sets written with the node groups that fold them, as
//! ClusterShell's `NodeSet.regroup` writes them (`-s` picks the source,
//! `-G` drops its `@source:` prefix).

use std::collections::BTreeMap;

use cscomm::tree::NodeSet;
use cscomm_groups::GroupResolver;

use super::display::labels::{Axis, Regrouper};

/// The resolver and the options of `-r`.
pub(super) struct Regroup {
    resolver: GroupResolver,
    /// `-s`: the source named in `@source:group` (unless `noprefix`).
    source: Option<String>,
    /// `-G`.
    noprefix: bool,
}

impl Regroup {
    /// `-r` with `resolver` (already set to `-s`'s default source).
    pub(super) fn new(resolver: GroupResolver, source: Option<String>, noprefix: bool) -> Regroup {
        Regroup {
            resolver,
            source,
            noprefix,
        }
    }

    /// The groups holding nodes of `set`: for each, how many of `set`'s
    /// nodes it holds and all its nodes (`None` when none can be known).
    fn groups(&mut self, set: &NodeSet) -> Option<BTreeMap<String, (usize, NodeSet)>> {
        let source = self.source.clone();
        let source = source.as_deref();
        let list = self.resolver.group_names(source).ok();
        let reverse = self.resolver.has_node_groups(source)
            && list.as_ref().is_none_or(|l| l.len() >= set.len());
        let mut all = BTreeMap::new();
        if !reverse {
            for group in list.filter(|l| !l.is_empty())? {
                let nodes = self.group_set(&group)?;
                all.insert(group, nodes);
            }
        }
        let mut found: BTreeMap<String, (usize, NodeSet)> = BTreeMap::new();
        for node in set.iter() {
            let names: Vec<String> = if reverse {
                self.resolver.node_groups(&node, source).ok()?
            } else {
                all.iter()
                    .filter(|(_, nodes)| nodes.contains(&node))
                    .map(|(name, _)| name.clone())
                    .collect()
            };
            for name in names {
                if let Some(entry) = found.get_mut(&name) {
                    entry.0 += 1;
                } else {
                    let nodes = match all.get(&name) {
                        Some(nodes) => nodes.clone(),
                        None => self.group_set(&name)?,
                    };
                    found.insert(name, (1, nodes));
                }
            }
        }
        Some(found)
    }

    /// The nodes of `group` in the source.
    fn group_set(&mut self, group: &str) -> Option<NodeSet> {
        let text = match &self.source {
            Some(source) => format!("@{source}:{group}"),
            None => format!("@{group}"),
        };
        self.resolver.parse(&text).ok()
    }

    /// How a group is written.
    fn name(&self, group: &str) -> String {
        match (&self.source, self.noprefix) {
            (Some(source), false) => format!("@{source}:{group}"),
            _ => format!("@{group}"),
        }
    }
}

impl Regrouper for Regroup {
    fn regroup(&mut self, set: &NodeSet, axis: &Axis) -> String {
        let Some(groups) = self.groups(set).filter(|g| !g.is_empty()) else {
            return axis.text(set);
        };
        // Full groups only, largest first, then by name.
        let mut fulls: Vec<(usize, &String, &NodeSet)> = groups
            .iter()
            .filter(|(_, (count, nodes))| *count == nodes.len())
            .map(|(name, (count, nodes))| (*count, name, nodes))
            .collect();
        fulls.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let mut rest = set.clone();
        let mut names = Vec::new();
        for (_, name, nodes) in fulls {
            if !rest.is_superset(nodes) {
                continue;
            }
            names.push(self.name(name));
            rest.difference_update(nodes);
            if rest.is_empty() {
                break;
            }
        }
        let regrouped = NodeSet::from_names(names);
        match (regrouped.is_empty(), rest.is_empty()) {
            (true, _) => axis.text(&rest),
            (false, true) => axis.text(&regrouped),
            (false, false) => format!("{},{}", axis.text(&regrouped), axis.text(&rest)),
        }
    }
}
