//! A tree of output lines shared by nodes, gathering nodes with identical
//! output: the structure ClusterShell's gateway groups output with
//! (`MsgTree`), so that groups come out in the same order.
//!
//! Each node's output is a path from the root, one element per line.
//! Elements stay when their nodes are taken out (as ClusterShell keeps
//! them), because their order decides the order of later groups; past
//! `max_retained` bytes of lines the tree is emptied instead (bounded
//! memory; see `docs/CHANNEL.md`).

use std::collections::HashMap;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};

const ROOT: usize = 0;

#[derive(Debug)]
struct Elem {
    line: Bytes,
    parent: usize,
    /// In order of creation.
    children: Vec<usize>,
    /// Nodes whose output ends here.
    nodes: Vec<Arc<str>>,
}

/// Lines of many nodes, gathered.
#[derive(Debug)]
pub(crate) struct MsgTree {
    elems: Vec<Elem>,
    index: HashMap<(usize, Bytes), usize>,
    /// Where each node's output ends, with its position in that element's
    /// node list kept implicit (removal searches it).
    nodes: HashMap<Arc<str>, usize>,
    retained: usize,
    max_retained: usize,
}

impl MsgTree {
    pub(crate) fn new(max_retained: usize) -> MsgTree {
        MsgTree {
            elems: vec![root()],
            index: HashMap::new(),
            nodes: HashMap::new(),
            retained: 0,
            max_retained,
        }
    }

    /// Whether no node has output.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Appends `line` to the output of `node`.
    pub(crate) fn add(&mut self, node: &str, line: &[u8]) {
        let (key, from) = match self.nodes.get_key_value(node) {
            Some((key, &at)) => (key.clone(), at),
            None => (Arc::from(node), ROOT),
        };
        let to = self.child(from, line);
        if from != ROOT {
            let nodes = &mut self.elems[from].nodes;
            if let Some(i) = nodes.iter().position(|n| *n == key) {
                nodes.swap_remove(i);
            }
        }
        self.elems[to].nodes.push(key.clone());
        self.nodes.insert(key, to);
    }

    fn child(&mut self, parent: usize, line: &[u8]) -> usize {
        let line = Bytes::copy_from_slice(line);
        if let Some(&found) = self.index.get(&(parent, line.clone())) {
            return found;
        }
        let id = self.elems.len();
        self.retained += line.len() + 1;
        self.elems.push(Elem {
            line: line.clone(),
            parent,
            children: Vec::new(),
            nodes: Vec::new(),
        });
        self.elems[parent].children.push(id);
        self.index.insert((parent, line), id);
        id
    }

    /// Takes every node's output out, as groups of nodes with identical
    /// output (lines joined with `\n`), in ClusterShell's walk order:
    /// depth first, the element created last explored first.
    pub(crate) fn take_groups(&mut self) -> Vec<(Vec<Arc<str>>, Bytes)> {
        let mut groups = Vec::new();
        let mut stack = vec![ROOT];
        while let Some(id) = stack.pop() {
            stack.extend_from_slice(&self.elems[id].children);
            let nodes = std::mem::take(&mut self.elems[id].nodes);
            if !nodes.is_empty() {
                groups.push((nodes, self.message(id)));
            }
        }
        self.nodes.clear();
        if self.retained > self.max_retained {
            self.elems = vec![root()];
            self.index.clear();
            self.retained = 0;
        }
        groups
    }

    fn message(&self, mut id: usize) -> Bytes {
        let mut lines = Vec::new();
        while id != ROOT {
            lines.push(&self.elems[id].line);
            id = self.elems[id].parent;
        }
        let len = lines.iter().map(|l| l.len() + 1).sum::<usize>();
        let mut out = BytesMut::with_capacity(len);
        for (i, line) in lines.iter().rev().enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\n");
            }
            out.extend_from_slice(line);
        }
        out.freeze()
    }
}

fn root() -> Elem {
    Elem {
        line: Bytes::new(),
        parent: ROOT,
        children: Vec::new(),
        nodes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(tree: &mut MsgTree) -> Vec<(Vec<String>, String)> {
        tree.take_groups()
            .into_iter()
            .map(|(mut nodes, data)| {
                nodes.sort();
                let nodes = nodes.iter().map(|n| n.to_string()).collect();
                (nodes, String::from_utf8_lossy(&data).into_owned())
            })
            .collect()
    }

    #[test]
    fn gathers_identical_outputs_last_created_first() {
        let mut tree = MsgTree::new(usize::MAX);
        for node in ["n1", "n2", "n3"] {
            tree.add(node, b"a");
        }
        tree.add("n2", b"b");
        tree.add("n4", b"c");
        assert_eq!(
            groups(&mut tree),
            [
                (vec!["n4".to_owned()], "c".to_owned()),
                (vec!["n1".to_owned(), "n3".to_owned()], "a".to_owned()),
                (vec!["n2".to_owned()], "a\nb".to_owned()),
            ]
        );
        assert!(tree.is_empty());
        // Elements stay: "a" was created before "c", so "c" comes first again.
        tree.add("n9", b"a");
        tree.add("n8", b"c");
        let order: Vec<_> = groups(&mut tree).into_iter().map(|g| g.1).collect();
        assert_eq!(order, ["c", "a"]);
    }

    #[test]
    fn past_the_retention_limit_the_tree_starts_afresh() {
        let mut tree = MsgTree::new(1);
        tree.add("n1", b"a");
        tree.add("n2", b"c");
        let _ = tree.take_groups();
        tree.add("n8", b"c");
        tree.add("n9", b"a");
        let order: Vec<_> = groups(&mut tree).into_iter().map(|g| g.1).collect();
        assert_eq!(order, ["a", "c"]);
    }
}
