//! Turning the arena left by the VM into a [`Value`] tree.
//!
//! Two passes. The first walks what the result reaches (without recursion)
//! and counts references to each object, and the bytes of data the tree
//! will hold once shared strings are copied, so that a pickle that
//! references one big string a million times fails before anything is
//! copied. The second builds the tree depth-first: an object referenced
//! more than once becomes [`Value::Shared`] at its first occurrence and
//! [`Value::Ref`] afterwards; nesting is bounded by the depth limit.

use std::collections::HashMap;

use super::arena::{Arena, InstanceNode, Item, Node, limit};
use super::machine::Result;
use crate::error::Limit;
use crate::{Instance, Limits, SharedId, Value};

/// Builds the result tree rooted at `root`.
pub(crate) fn build(arena: Arena, root: Item, limits: &Limits) -> Result<Value> {
    let refs = count_references(&arena, root, limits.max_value_bytes)?;
    let mut builder = Builder {
        arena,
        refs,
        ids: HashMap::new(),
        max_depth: limits.max_depth,
    };
    builder.value(root, 0)
}

/// References to each object from the reachable part of the arena.
fn count_references(arena: &Arena, root: Item, max_bytes: usize) -> Result<Vec<u32>> {
    let mut refs = vec![0u32; arena.len()];
    let mut data_bytes = 0usize;
    let mut pending = vec![root];
    while let Some(item) = pending.pop() {
        let Item::Obj(id) = item else { continue };
        let slot = &mut refs[id as usize];
        *slot = slot.saturating_add(1);
        let node = arena.get(id);
        if *slot == 1 || !node.is_shareable() {
            data_bytes = data_bytes.saturating_add(node.data_len());
            if data_bytes > max_bytes {
                return Err(limit(Limit::ValueBytes, max_bytes));
            }
        }
        if *slot == 1 {
            pending.extend(node.children());
        }
    }
    Ok(refs)
}

struct Builder {
    arena: Arena,
    refs: Vec<u32>,
    ids: HashMap<u32, SharedId>,
    max_depth: usize,
}

impl Builder {
    fn value(&mut self, item: Item, depth: usize) -> Result<Value> {
        let id = match item {
            Item::None => return Ok(Value::None),
            Item::Bool(b) => return Ok(Value::Bool(b)),
            Item::Int(i) => return Ok(Value::Int(i)),
            Item::Float(f) => return Ok(Value::Float(f)),
            Item::Obj(id) => id,
        };
        if let Some(&shared) = self.ids.get(&id) {
            return Ok(Value::Ref(shared));
        }
        if !self.arena.get(id).is_shareable() {
            return Ok(self.atom(id));
        }
        if depth >= self.max_depth {
            return Err(limit(Limit::Depth, self.max_depth));
        }
        let shared = (self.refs[id as usize] > 1).then(|| {
            let shared = SharedId(self.ids.len() as u32);
            self.ids.insert(id, shared);
            shared
        });
        let node = self.arena.take(id);
        let value = self.container(node, depth + 1)?;
        Ok(match shared {
            Some(shared) => Value::Shared(shared, Box::new(value)),
            None => value,
        })
    }

    /// An atom: moved out at its last reference, copied before.
    fn atom(&mut self, id: u32) -> Value {
        let left = &mut self.refs[id as usize];
        *left = left.saturating_sub(1);
        if *left == 0 {
            atom_value(self.arena.take(id))
        } else {
            atom_value(clone_atom(self.arena.get(id)))
        }
    }

    fn items(&mut self, items: Vec<Item>, depth: usize) -> Result<Vec<Value>> {
        items
            .into_iter()
            .map(|item| self.value(item, depth))
            .collect()
    }

    fn pairs(&mut self, pairs: Vec<(Item, Item)>, depth: usize) -> Result<Vec<(Value, Value)>> {
        pairs
            .into_iter()
            .map(|(k, v)| Ok((self.value(k, depth)?, self.value(v, depth)?)))
            .collect()
    }

    fn container(&mut self, node: Node, depth: usize) -> Result<Value> {
        Ok(match node {
            Node::ByteArray(b) => Value::ByteArray(b),
            Node::List(items) => Value::List(self.items(items, depth)?),
            Node::Tuple(items) => Value::Tuple(self.items(items, depth)?),
            Node::Set(items) => Value::Set(self.items(items, depth)?),
            Node::FrozenSet(items) => Value::FrozenSet(self.items(items, depth)?),
            Node::Dict(pairs) => Value::Dict(self.pairs(pairs, depth)?),
            Node::Instance(inst) => self.instance(*inst, depth)?,
            atom => atom_value(atom),
        })
    }

    fn instance(&mut self, inst: InstanceNode, depth: usize) -> Result<Value> {
        let args = self.items(inst.args, depth)?;
        let kwargs = self.pairs(inst.kwargs, depth)?;
        let state = inst.state.map(|s| self.value(s, depth)).transpose()?;
        Ok(Value::Instance(Box::new(Instance {
            class: inst.class,
            construct: inst.construct,
            args,
            kwargs,
            state,
        })))
    }
}

fn clone_atom(node: &Node) -> Node {
    match node {
        Node::Str(s) => Node::Str(s.clone()),
        Node::Bytes(b) => Node::Bytes(b.clone()),
        Node::BigInt(n) => Node::BigInt(n.clone()),
        Node::Global(g, kind) => Node::Global(g.clone(), *kind),
        _ => Node::Taken,
    }
}

fn atom_value(node: Node) -> Value {
    match node {
        Node::Str(s) => Value::Str(s),
        Node::Bytes(b) => Value::Bytes(b),
        Node::BigInt(n) => Value::BigInt(n),
        Node::Global(g, _) => Value::Global(g),
        // Containers never reach here; a taken node is a bug of ours, shown
        // as None rather than a panic.
        _ => Value::None,
    }
}
