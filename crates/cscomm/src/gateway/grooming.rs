//! Output grooming, as ClusterShell's gateway does it when the initiator
//! asks for a `grooming_delay`: output is buffered per node and sent on each
//! tick as one `SER` then one `OUT` per group of nodes with identical
//! output, then one `RET` per return code, node sets folded.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use cscomm_message::{MessageKind, NodeSet};

/// Buffered bytes beyond which a tick should come at once (memory bound).
pub(super) const FLUSH_BYTES: usize = 1 << 20;

/// Per-node output and return codes waiting for the next tick.
#[derive(Debug, Default)]
pub(super) struct Grooming {
    stdout: NodeBuffers,
    stderr: NodeBuffers,
    retcodes: Vec<(i32, Vec<Arc<str>>)>,
}

impl Grooming {
    /// Buffers a line of standard output of `node`.
    pub(super) fn stdout(&mut self, node: &Arc<str>, line: &[u8]) {
        self.stdout.push(node, line);
    }

    /// Buffers a line of standard error of `node`.
    pub(super) fn stderr(&mut self, node: &Arc<str>, line: &[u8]) {
        self.stderr.push(node, line);
    }

    /// Records the return code of `node`.
    pub(super) fn retcode(&mut self, node: &Arc<str>, code: i32) {
        match self.retcodes.iter_mut().find(|(rc, _)| *rc == code) {
            Some((_, nodes)) => nodes.push(node.clone()),
            None => self.retcodes.push((code, vec![node.clone()])),
        }
    }

    /// Bytes of output buffered.
    pub(super) fn buffered(&self) -> usize {
        self.stdout.bytes + self.stderr.bytes
    }

    /// Whether nothing waits.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.stdout.order.is_empty() && self.stderr.order.is_empty() && self.retcodes.is_empty()
    }

    /// The messages of a tick for worker `srcid`, emptying the buffers.
    pub(super) fn drain(&mut self, srcid: u64) -> Vec<MessageKind> {
        let mut messages = Vec::new();
        for (nodes, data) in self.stderr.take_groups() {
            messages.push(MessageKind::stderr(srcid, nodes, data));
        }
        for (nodes, data) in self.stdout.take_groups() {
            messages.push(MessageKind::stdout(srcid, nodes, data));
        }
        for (retcode, nodes) in self.retcodes.drain(..) {
            messages.push(MessageKind::Retcode {
                srcid,
                retcode: i64::from(retcode),
                nodes: NodeSet::from_names(nodes.iter().map(|n| &**n)),
            });
        }
        messages
    }
}

/// Lines per node, joined with `\n`, nodes in order of first output.
#[derive(Debug, Default)]
struct NodeBuffers {
    order: Vec<Arc<str>>,
    /// Per node: the lines joined with `\n`, and whether any line came
    /// (an empty first line leaves the bytes empty).
    buffers: HashMap<Arc<str>, (Vec<u8>, bool)>,
    bytes: usize,
}

impl NodeBuffers {
    fn push(&mut self, node: &Arc<str>, line: &[u8]) {
        let (buffer, started) = self.buffers.entry(node.clone()).or_insert_with(|| {
            self.order.push(node.clone());
            (Vec::new(), false)
        });
        if *started {
            buffer.push(b'\n');
        }
        *started = true;
        buffer.extend_from_slice(line);
        self.bytes += line.len() + 1;
    }

    /// Groups of nodes with identical output, in order of first output.
    fn take_groups(&mut self) -> Vec<(NodeSet, Bytes)> {
        let mut buffers = std::mem::take(&mut self.buffers);
        let mut entries: Vec<(Arc<str>, Vec<u8>)> = Vec::with_capacity(self.order.len());
        for node in self.order.drain(..) {
            if let Some((data, _)) = buffers.remove(&node) {
                entries.push((node, data));
            }
        }
        self.bytes = 0;
        // (nodes, index of the entry holding the group's output)
        let mut groups: Vec<(Vec<Arc<str>>, usize)> = Vec::new();
        let mut index: HashMap<&[u8], usize> = HashMap::new();
        for (i, (node, data)) in entries.iter().enumerate() {
            match index.get(data.as_slice()) {
                Some(&group) => groups[group].0.push(node.clone()),
                None => {
                    index.insert(data, groups.len());
                    groups.push((vec![node.clone()], i));
                }
            }
        }
        drop(index);
        groups
            .into_iter()
            .map(|(nodes, i)| {
                let data = std::mem::take(&mut entries[i].1);
                (
                    NodeSet::from_names(nodes.iter().map(|n| &**n)),
                    Bytes::from(data),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str) -> Arc<str> {
        Arc::from(name)
    }

    #[test]
    fn groups_identical_outputs_and_retcodes_in_clustershell_order() {
        let mut g = Grooming::default();
        for name in ["n1", "n2", "n3"] {
            g.stdout(&node(name), b"same");
            g.stdout(&node(name), b"");
        }
        g.stdout(&node("n2"), b"more");
        g.stderr(&node("n3"), b"err");
        g.retcode(&node("n1"), 0);
        g.retcode(&node("n3"), 0);
        g.retcode(&node("n2"), 2);
        let messages = g.drain(7);
        let expected = vec![
            MessageKind::stderr(7, "n3".parse().unwrap(), &b"err"[..]),
            MessageKind::stdout(7, "n[1,3]".parse().unwrap(), &b"same\n"[..]),
            MessageKind::stdout(7, "n2".parse().unwrap(), &b"same\n\nmore"[..]),
            MessageKind::Retcode {
                srcid: 7,
                retcode: 0,
                nodes: "n[1,3]".parse().unwrap(),
            },
            MessageKind::Retcode {
                srcid: 7,
                retcode: 2,
                nodes: "n2".parse().unwrap(),
            },
        ];
        assert_eq!(messages, expected);
        assert!(g.is_empty() && g.buffered() == 0);
    }

    #[test]
    fn an_empty_first_line_is_kept() {
        let mut g = Grooming::default();
        g.stdout(&node("n1"), b"");
        g.stdout(&node("n1"), b"x");
        let messages = g.drain(1);
        assert_eq!(
            messages,
            [MessageKind::stdout(1, "n1".parse().unwrap(), &b"\nx"[..])]
        );
    }
}
