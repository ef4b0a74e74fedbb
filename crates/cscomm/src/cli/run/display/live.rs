//! `-bL`: gathered line by line, live (clush's `LiveGatherOutputHandler`):
//! line k of every node is printed, nodes with the same line k gathered,
//! once every node still expected has sent its line k.

use std::collections::{BTreeSet, HashMap, VecDeque};

use cscomm::tree::NodeSet;

/// The lines waiting for the slower nodes.
#[derive(Debug, Default)]
pub(super) struct LiveGather {
    /// The nodes whose line k is awaited before line k is printed.
    expected: BTreeSet<String>,
    /// Lines received per node.
    counts: HashMap<String, usize>,
    /// Line k (from the front) of each node that sent it.
    queue: VecDeque<Vec<(String, Vec<u8>)>>,
    /// Lines already printed.
    printed: usize,
}

/// A line and the nodes that sent it, ready to print.
pub(super) type LiveLine = (NodeSet, Vec<u8>);

impl LiveGather {
    /// Gathering for these target nodes.
    pub(super) fn new<'a>(targets: impl IntoIterator<Item = &'a str>) -> LiveGather {
        LiveGather {
            expected: targets.into_iter().map(str::to_owned).collect(),
            ..LiveGather::default()
        }
    }

    /// A line of `node`; returns the lines now complete.
    pub(super) fn line(&mut self, node: &str, line: &[u8]) -> Vec<Vec<LiveLine>> {
        let count = self.counts.entry(node.to_owned()).or_default();
        *count += 1;
        let index = *count - self.printed - 1;
        while self.queue.len() <= index {
            self.queue.push_back(Vec::new());
        }
        self.queue[index].push((node.to_owned(), line.to_vec()));
        self.ready()
    }

    /// `node` ended. As clush, it stops being waited for only when some
    /// line is pending and it has not sent it.
    pub(super) fn ended(&mut self, node: &str) -> Vec<Vec<LiveLine>> {
        let pending_without = self
            .queue
            .front()
            .is_some_and(|front| front.iter().all(|(n, _)| n != node));
        if pending_without {
            self.expected.remove(node);
        }
        self.ready()
    }

    /// Whatever is left at the end of the run.
    pub(super) fn rest(&mut self) -> Vec<Vec<LiveLine>> {
        self.queue.drain(..).map(groups).collect()
    }

    fn ready(&mut self) -> Vec<Vec<LiveLine>> {
        let mut out = Vec::new();
        while self
            .queue
            .front()
            .is_some_and(|front| front.len() == self.expected.len())
        {
            if let Some(front) = self.queue.pop_front() {
                self.printed += 1;
                out.push(groups(front));
            }
        }
        out
    }
}

/// Identical lines gathered, in clush's order: larger groups first, then by
/// first node name.
fn groups(lines: Vec<(String, Vec<u8>)>) -> Vec<LiveLine> {
    let mut groups: Vec<(Vec<String>, Vec<u8>)> = Vec::new();
    for (node, line) in lines {
        match groups.iter_mut().find(|(_, l)| *l == line) {
            Some((nodes, _)) => nodes.push(node),
            None => groups.push((vec![node], line)),
        }
    }
    let mut groups: Vec<(usize, String, LiveLine)> = groups
        .into_iter()
        .map(|(nodes, line)| {
            let set = NodeSet::from_names(nodes);
            let first = set.iter().next().unwrap_or_default();
            (set.len(), first, (set, line))
        })
        .collect();
    groups.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    groups.into_iter().map(|(_, _, group)| group).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_waits_for_every_node() {
        let mut live = LiveGather::new(["n1", "n2"]);
        assert!(live.line("n1", b"a").is_empty());
        assert!(live.line("n1", b"b").is_empty());
        let ready = live.line("n2", b"a");
        assert_eq!(
            ready,
            vec![vec![(NodeSet::from_names(["n1", "n2"]), b"a".to_vec())]]
        );
        // n2 ends without a second line: n1's "b" comes out.
        let ready = live.ended("n2");
        assert_eq!(
            ready,
            vec![vec![(NodeSet::from_names(["n1"]), b"b".to_vec())]]
        );
        assert!(live.rest().is_empty());
    }
}
