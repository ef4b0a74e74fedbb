//! A direct reader for the common shape of request pickles: plain dicts,
//! lists and tuples of `None`, booleans, small integers, floats, `str` and
//! `bytes`, without memo lookups (what ClusterShell pickles for a CTL
//! request). It builds the [`Value`] on its stack as it goes, without the
//! arena, the memo or the second pass of the full reader.
//!
//! It gives up (`None`) on anything else, and on anything the full reader
//! would refuse: the caller then runs the full reader, which decides and
//! reports errors. So its results are always those of the full reader.
//! Limits hold by construction: it runs only when the input is no longer
//! than every count limit (each object, item, stack slot or data byte takes
//! at least one input byte), and it checks the depth itself.

use super::cursor::Cursor;
use crate::opcode::*;
use crate::{Limits, Py2Str, ReaderConfig, Value};

/// One slot of the VM stack: a mark, or a value and the nesting height of
/// its containers (0 for an atom).
enum Slot {
    Mark,
    Val(Value, usize),
}

/// The value of `pickle` if it has the simple shape, else `None`.
pub(crate) fn read(pickle: &[u8], config: &ReaderConfig) -> Option<Value> {
    if !within_limits(pickle.len(), &config.limits) || config.py2_str != Py2Str::Bytes {
        return None;
    }
    let mut vm = Simple {
        cur: Cursor::new(pickle),
        stack: Vec::with_capacity(16),
        max_depth: config.limits.max_depth,
    };
    loop {
        let op = vm.cur.byte().ok()?;
        if op == STOP {
            let root = vm.pop()?;
            return (vm.cur.remaining() == 0).then_some(root);
        }
        vm.step(op)?;
    }
}

/// Whether no count limit can be crossed by an input of `len` bytes.
fn within_limits(len: usize, limits: &Limits) -> bool {
    [
        limits.max_input_len,
        limits.max_stack,
        limits.max_memo,
        limits.max_objects,
        limits.max_container_len,
        limits.max_total_items,
        limits.max_value_bytes,
    ]
    .iter()
    .all(|&max| len < max)
}

struct Simple<'a> {
    cur: Cursor<'a>,
    stack: Vec<Slot>,
    max_depth: usize,
}

impl Simple<'_> {
    /// Runs one opcode other than `STOP`; `None` to give up.
    fn step(&mut self, op: u8) -> Option<()> {
        match op {
            PROTO => (self.cur.byte().ok()? <= 5).then_some(())?,
            FRAME => {
                let len = self.cur.u64_le().ok()?;
                (len <= self.cur.remaining() as u64).then_some(())?;
            }
            MARK => self.stack.push(Slot::Mark),
            MEMOIZE => self.top_is_value()?,
            BINPUT => {
                self.cur.byte().ok()?;
                self.top_is_value()?;
            }
            LONG_BINPUT => {
                self.cur.u32_le().ok()?;
                self.top_is_value()?;
            }
            EMPTY_DICT => self.push_container(Value::Dict(Vec::new()), 0)?,
            EMPTY_LIST => self.push_container(Value::List(Vec::new()), 0)?,
            EMPTY_TUPLE => self.push_container(Value::Tuple(Vec::new()), 0)?,
            SETITEM => self.setitem()?,
            SETITEMS => self.setitems()?,
            APPEND => self.append()?,
            APPENDS => self.appends()?,
            TUPLE => {
                let (items, height) = self.pop_mark()?;
                self.push_container(Value::Tuple(items), height)?;
            }
            TUPLE1 | TUPLE2 | TUPLE3 => self.tuple_n(usize::from(op - TUPLE1) + 1)?,
            _ => {
                let atom = self.atom(op)?;
                self.push(atom);
            }
        }
        Some(())
    }

    /// The atom an atom opcode pushes.
    fn atom(&mut self, op: u8) -> Option<Value> {
        let cur = &mut self.cur;
        Some(match op {
            NONE => Value::None,
            NEWTRUE => Value::Bool(true),
            NEWFALSE => Value::Bool(false),
            BININT => Value::Int(cur.i32_le().ok()?.into()),
            BININT1 => Value::Int(cur.byte().ok()?.into()),
            BININT2 => Value::Int(cur.u16_le().ok()?.into()),
            BINFLOAT => Value::Float(cur.f64_be().ok()?),
            SHORT_BINUNICODE => text(cur.short_data().ok()?)?,
            BINUNICODE => text(cur.data4().ok()?)?,
            BINUNICODE8 => text(cur.data8().ok()?)?,
            SHORT_BINBYTES | SHORT_BINSTRING => Value::Bytes(cur.short_data().ok()?.to_vec()),
            BINBYTES => Value::Bytes(cur.data4().ok()?.to_vec()),
            BINBYTES8 => Value::Bytes(cur.data8().ok()?.to_vec()),
            BINSTRING => {
                let len = u64::try_from(cur.i32_le().ok()?).ok()?;
                Value::Bytes(cur.take(len).ok()?.to_vec())
            }
            _ => return None,
        })
    }

    fn push(&mut self, value: Value) {
        self.stack.push(Slot::Val(value, 0));
    }

    /// Pushes a container whose children nest `height` deep (0: atoms or
    /// none), unless it would be deeper than the full reader allows.
    fn push_container(&mut self, value: Value, height: usize) -> Option<()> {
        let height = height + 1;
        (height <= self.max_depth).then_some(())?;
        self.stack.push(Slot::Val(value, height));
        Some(())
    }

    fn top_is_value(&self) -> Option<()> {
        matches!(self.stack.last(), Some(Slot::Val(..))).then_some(())
    }

    /// The top value with its height (not a mark).
    fn pop_slot(&mut self) -> Option<(Value, usize)> {
        match self.stack.pop()? {
            Slot::Val(value, height) => Some((value, height)),
            Slot::Mark => None,
        }
    }

    fn pop(&mut self) -> Option<Value> {
        self.pop_slot().map(|(value, _)| value)
    }

    /// The values above the last mark (which is removed), and their
    /// greatest height.
    fn pop_mark(&mut self) -> Option<(Vec<Value>, usize)> {
        let mark = self.stack.iter().rposition(|s| matches!(s, Slot::Mark))?;
        let mut height = 0;
        let items = self
            .stack
            .drain(mark + 1..)
            .map(|slot| match slot {
                Slot::Val(value, h) => {
                    height = height.max(h);
                    value
                }
                Slot::Mark => Value::None, // never: `mark` is the last one
            })
            .collect();
        self.stack.pop();
        Some((items, height))
    }

    fn tuple_n(&mut self, n: usize) -> Option<()> {
        let at = self.stack.len().checked_sub(n)?;
        let mut height = 0;
        let mut items = Vec::with_capacity(n);
        for slot in self.stack.drain(at..) {
            let Slot::Val(value, h) = slot else {
                return None;
            };
            height = height.max(h);
            items.push(value);
        }
        self.push_container(Value::Tuple(items), height)
    }

    /// Adds children of nesting `height` to the container on top.
    fn top_container(&mut self, height: usize) -> Option<&mut Value> {
        let max_depth = self.max_depth;
        let Some(Slot::Val(value, h)) = self.stack.last_mut() else {
            return None;
        };
        *h = (*h).max(height + 1);
        (*h <= max_depth).then_some(value)
    }

    fn setitem(&mut self) -> Option<()> {
        let (value, hv) = self.pop_slot()?;
        let (key, hk) = self.pop_slot()?;
        match self.top_container(hv.max(hk))? {
            Value::Dict(pairs) => pairs.push((key, value)),
            _ => return None,
        }
        Some(())
    }

    fn setitems(&mut self) -> Option<()> {
        let (items, height) = self.pop_mark()?;
        if items.len() % 2 != 0 {
            return None;
        }
        let Value::Dict(pairs) = self.top_container(height)? else {
            return None;
        };
        pairs.reserve_exact(items.len() / 2);
        let mut items = items.into_iter();
        while let (Some(key), Some(value)) = (items.next(), items.next()) {
            pairs.push((key, value));
        }
        Some(())
    }

    fn append(&mut self) -> Option<()> {
        let (item, height) = self.pop_slot()?;
        match self.top_container(height)? {
            Value::List(list) => list.push(item),
            _ => return None,
        }
        Some(())
    }

    fn appends(&mut self) -> Option<()> {
        let (items, height) = self.pop_mark()?;
        let Value::List(list) = self.top_container(height)? else {
            return None;
        };
        if list.is_empty() {
            *list = items;
        } else {
            list.extend(items);
        }
        Some(())
    }
}

/// A `str` from UTF-8 data (the full reader refuses invalid UTF-8).
fn text(data: &[u8]) -> Option<Value> {
    std::str::from_utf8(data)
        .ok()
        .map(|s| Value::Str(s.to_owned()))
}
