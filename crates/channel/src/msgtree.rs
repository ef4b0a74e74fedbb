//! A tree of output lines shared by nodes, gathering nodes with identical
//! output: the structure ClusterShell's gateway groups output with
//! (`MsgTree`), so that groups come out in the same order.
//!
//! Each node's output is a path from the root, one element per line.
//! Elements stay when their nodes are taken out (as ClusterShell keeps
//! them), because their order decides the order of later groups; past
//! `max_retained` bytes of lines the tree is emptied instead (bounded
//! memory; see `docs/CHANNEL.md`).
//!
//! The tree is compact: line bytes live in one arena, elements link to
//! each other by 32-bit indices, and the index from (parent, line) to
//! element keeps only a hash, its collisions chained through the elements:
//! about 60 bytes of bookkeeping per distinct line.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};

const ROOT: u32 = 0;
/// No element (the end of a list).
const NONE: u32 = u32::MAX;
/// Past this many elements the tree starts afresh at its next take (the
/// grooming buffer ticks before it gets there).
pub(crate) const MAX_ELEMS: usize = 1 << 31;

#[derive(Debug)]
struct Elem {
    /// Where the line's bytes start in the arena.
    start: usize,
    len: usize,
    parent: u32,
    /// The children, in order of creation.
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
    /// The element created before this one whose (parent, line) has the
    /// same hash.
    next_same_hash: u32,
}

/// Lines of many nodes, gathered.
#[derive(Debug)]
pub(crate) struct MsgTree<S = RandomState> {
    elems: Vec<Elem>,
    /// Every element's line, one after the other.
    lines: Vec<u8>,
    /// Hash of (parent, line) -> the last element created with that hash
    /// (already a keyed hash: not hashed again).
    index: HashMap<u64, u32, BuildHasherDefault<KeyIsHash>>,
    hasher: S,
    /// Each node with output, and its slot in `ends`.
    nodes: HashMap<Arc<str>, usize>,
    /// Where each node's output ends, by slot.
    ends: Vec<u32>,
    retained: usize,
    max_retained: usize,
}

impl MsgTree {
    pub(crate) fn new(max_retained: usize) -> MsgTree {
        MsgTree::with_hasher(max_retained, RandomState::new())
    }
}

impl<S: BuildHasher + Clone> MsgTree<S> {
    /// A tree whose line index hashes with `hasher`.
    pub(crate) fn with_hasher(max_retained: usize, hasher: S) -> MsgTree<S> {
        MsgTree {
            elems: vec![elem(0, 0, ROOT, NONE)],
            lines: Vec::new(),
            index: HashMap::default(),
            hasher,
            nodes: HashMap::new(),
            ends: Vec::new(),
            retained: 0,
            max_retained,
        }
    }

    /// Whether no node has output.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// How many elements (distinct lines in their context) the tree holds.
    pub(crate) fn elems(&self) -> usize {
        self.elems.len()
    }

    /// Appends `line` to the output of `node`.
    pub(crate) fn add(&mut self, node: &str, line: &[u8]) {
        match self.nodes.get(node).copied() {
            Some(slot) => self.ends[slot] = self.child(self.ends[slot], line),
            None => {
                let end = self.child(ROOT, line);
                self.nodes.insert(Arc::from(node), self.ends.len());
                self.ends.push(end);
            }
        }
    }

    fn line(&self, id: u32) -> &[u8] {
        let elem = &self.elems[id as usize];
        &self.lines[elem.start..elem.start + elem.len]
    }

    /// The child of `parent` for `line`, created if needed.
    fn child(&mut self, parent: u32, line: &[u8]) -> u32 {
        let hash = self.hasher.hash_one((parent, line));
        let mut candidate = self.index.get(&hash).copied().unwrap_or(NONE);
        while candidate != NONE {
            if self.elems[candidate as usize].parent == parent && self.line(candidate) == line {
                return candidate;
            }
            candidate = self.elems[candidate as usize].next_same_hash;
        }
        let id = self.elems.len() as u32;
        let same_hash = self.index.insert(hash, id).unwrap_or(NONE);
        self.elems
            .push(elem(self.lines.len(), line.len(), parent, same_hash));
        self.lines.extend_from_slice(line);
        let previous = std::mem::replace(&mut self.elems[parent as usize].last_child, id);
        match previous {
            NONE => self.elems[parent as usize].first_child = id,
            sibling => self.elems[sibling as usize].next_sibling = id,
        }
        self.retained += line.len() + 1;
        id
    }

    /// Takes every node's output out, as groups of nodes with identical
    /// output (lines joined with `\n`), in ClusterShell's walk order:
    /// depth first, the element created last explored first.
    pub(crate) fn take_groups(&mut self) -> Vec<(Vec<Arc<str>>, Bytes)> {
        let mut ends: HashMap<u32, Vec<Arc<str>>> = HashMap::new();
        for (node, slot) in self.nodes.drain() {
            ends.entry(self.ends[slot]).or_default().push(node);
        }
        self.ends.clear();
        let mut groups = Vec::with_capacity(ends.len());
        let mut stack = vec![ROOT];
        while let Some(id) = stack.pop() {
            if ends.is_empty() {
                break;
            }
            let mut child = self.elems[id as usize].first_child;
            while child != NONE {
                stack.push(child);
                child = self.elems[child as usize].next_sibling;
            }
            if let Some(nodes) = ends.remove(&id) {
                groups.push((nodes, self.message(id)));
            }
        }
        if self.retained > self.max_retained || self.elems.len() > MAX_ELEMS {
            *self = MsgTree::with_hasher(self.max_retained, self.hasher.clone());
        }
        groups
    }

    /// The lines from the root to `id`, joined with `\n`.
    fn message(&self, mut id: u32) -> Bytes {
        let mut path = Vec::new();
        while id != ROOT {
            path.push(id);
            id = self.elems[id as usize].parent;
        }
        let len = path
            .iter()
            .map(|&i| self.elems[i as usize].len + 1)
            .sum::<usize>();
        let mut out = BytesMut::with_capacity(len);
        for (i, &id) in path.iter().rev().enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\n");
            }
            out.extend_from_slice(self.line(id));
        }
        out.freeze()
    }
}

/// The hasher of the line index, whose keys are already keyed hashes.
#[derive(Default)]
struct KeyIsHash(u64);

impl Hasher for KeyIsHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed; anything else still hashes soundly.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

fn elem(start: usize, len: usize, parent: u32, next_same_hash: u32) -> Elem {
    Elem {
        start,
        len,
        parent,
        first_child: NONE,
        last_child: NONE,
        next_sibling: NONE,
        next_same_hash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups<S: BuildHasher + Clone>(tree: &mut MsgTree<S>) -> Vec<(Vec<String>, String)> {
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

    /// Every line hashes the same: lookups go through the collision chain.
    #[derive(Clone, Default)]
    struct Colliding;

    impl BuildHasher for Colliding {
        type Hasher = ConstantHasher;
        fn build_hasher(&self) -> ConstantHasher {
            ConstantHasher
        }
    }

    struct ConstantHasher;

    impl std::hash::Hasher for ConstantHasher {
        fn finish(&self) -> u64 {
            7
        }
        fn write(&mut self, _: &[u8]) {}
    }

    #[test]
    fn colliding_hashes_still_tell_lines_and_parents_apart() {
        let mut tree = MsgTree::with_hasher(usize::MAX, Colliding);
        let outputs: [(&str, &[&[u8]]); 5] = [
            ("n1", &[b"a", b"b"]),
            ("n2", &[b"a", b"b"]),
            ("n3", &[b"b", b"a"]),
            ("n4", &[b"a", b"a"]),
            ("n5", &[b"b", b"a"]),
        ];
        for (node, lines) in outputs {
            for line in lines {
                tree.add(node, line);
            }
        }
        // Root, a, a/b, b, b/a, a/a: one element per distinct path.
        assert_eq!(tree.elems(), 6);
        let mut got: Vec<_> = groups(&mut tree);
        got.sort();
        let owned = |nodes: &[&str], text: &str| {
            (
                nodes.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
                text.to_owned(),
            )
        };
        assert_eq!(
            got,
            [
                owned(&["n1", "n2"], "a\nb"),
                owned(&["n3", "n5"], "b\na"),
                owned(&["n4"], "a\na"),
            ]
        );
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
