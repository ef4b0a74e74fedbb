//! Opcodes that build and fill lists, tuples, dicts and sets.

use super::arena::{Item, Node};
use super::machine::{Machine, Result};
use crate::ReadErrorKind;
use crate::opcode::*;

impl Machine<'_, '_> {
    /// Runs `op` if it is a container opcode; `false` otherwise.
    pub(crate) fn container_op(&mut self, op: u8) -> Result<bool> {
        match op {
            EMPTY_LIST => self.push_node(Node::List(Vec::new()))?,
            EMPTY_TUPLE => self.push_node(Node::Tuple(Vec::new()))?,
            EMPTY_DICT => self.push_node(Node::Dict(Vec::new()))?,
            EMPTY_SET => self.push_node(Node::Set(Vec::new()))?,
            LIST => {
                let items = self.pop_mark()?;
                self.push_container(Node::List, items)?;
            }
            TUPLE => {
                let items = self.pop_mark()?;
                self.push_container(Node::Tuple, items)?;
            }
            TUPLE1 | TUPLE2 | TUPLE3 => {
                let items = self.pop_n(usize::from(op - TUPLE1) + 1)?;
                self.push_container(Node::Tuple, items)?;
            }
            FROZENSET => {
                let items = self.pop_mark()?;
                self.push_container(Node::FrozenSet, items)?;
            }
            DICT => {
                let items = self.pop_mark()?;
                let pairs = pairs(items, "odd number of items for DICT")?;
                self.push_container(Node::Dict, pairs)?;
            }
            APPEND => {
                let item = self.pop()?;
                self.extend_list(vec![item])?;
            }
            APPENDS => {
                let items = self.pop_mark()?;
                self.extend_list(items)?;
            }
            SETITEM => {
                let value = self.pop()?;
                let key = self.pop()?;
                self.extend_dict(vec![(key, value)])?;
            }
            SETITEMS => {
                let items = self.pop_mark()?;
                self.extend_dict(pairs(items, "odd number of items for SETITEMS")?)?;
            }
            ADDITEMS => {
                let items = self.pop_mark()?;
                self.extend_set(items)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn pop_n(&mut self, n: usize) -> Result<Vec<Item>> {
        let mut items = (0..n).map(|_| self.pop()).collect::<Result<Vec<_>>>()?;
        items.reverse();
        Ok(items)
    }

    fn push_container<T>(&mut self, make: fn(Vec<T>) -> Node, items: Vec<T>) -> Result<()> {
        let len = items.len();
        let item = self.arena.alloc_container(make(items), len)?;
        self.push(item)
    }

    /// The arena id of the object on top of the stack.
    fn top_object(&self, op: &'static str, expected: &'static str) -> Result<u32> {
        match self.top()? {
            Item::Obj(id) => Ok(id),
            other => Err(ReadErrorKind::WrongType {
                op,
                expected,
                found: self.arena.type_name(other),
            }),
        }
    }

    fn wrong_top(&self, id: u32, op: &'static str, expected: &'static str) -> ReadErrorKind {
        ReadErrorKind::WrongType {
            op,
            expected,
            found: self.arena.get(id).type_name(),
        }
    }

    fn extend_list(&mut self, items: Vec<Item>) -> Result<()> {
        let id = self.top_object("APPEND", "a list")?;
        let current = match self.arena.get(id) {
            Node::List(list) => list.len(),
            _ => return Err(self.wrong_top(id, "APPEND", "a list")),
        };
        self.arena.count_items(current, items.len())?;
        if let Node::List(list) = self.arena.get_mut(id) {
            fill(list, items);
        }
        Ok(())
    }

    fn extend_dict(&mut self, pairs: Vec<(Item, Item)>) -> Result<()> {
        let id = self.top_object("SETITEM", "a dict")?;
        let current = match self.arena.get(id) {
            Node::Dict(dict) => dict.len(),
            _ => return Err(self.wrong_top(id, "SETITEM", "a dict")),
        };
        self.arena.count_items(current, pairs.len())?;
        if let Node::Dict(dict) = self.arena.get_mut(id) {
            fill(dict, pairs);
        }
        Ok(())
    }

    fn extend_set(&mut self, items: Vec<Item>) -> Result<()> {
        let id = self.top_object("ADDITEMS", "a set")?;
        let current = match self.arena.get(id) {
            Node::Set(set) => set.len(),
            _ => return Err(self.wrong_top(id, "ADDITEMS", "a set")),
        };
        self.arena.count_items(current, items.len())?;
        if let Node::Set(set) = self.arena.get_mut(id) {
            fill(set, items);
        }
        Ok(())
    }
}

/// Adds `items` to a container; an empty one takes the vector as it is (a
/// million one-item lists then cost one small allocation each).
fn fill<T>(container: &mut Vec<T>, items: Vec<T>) {
    if container.is_empty() {
        *container = items;
    } else {
        container.extend(items);
    }
}

/// Groups `k1 v1 k2 v2 ...` into pairs.
fn pairs(items: Vec<Item>, odd: &'static str) -> Result<Vec<(Item, Item)>> {
    if items.len() % 2 != 0 {
        return Err(ReadErrorKind::Malformed(odd));
    }
    Ok(items.chunks_exact(2).map(|kv| (kv[0], kv[1])).collect())
}
