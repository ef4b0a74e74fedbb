//! A direct reader for the common shape of request pickles: plain dicts,
//! lists and tuples of `None`, booleans, small integers, floats, `str` and
//! `bytes`, without memo lookups (what ClusterShell pickles for a CTL
//! request). It builds the [`Value`] on its stack as it goes, without the
//! arena, the memo or the second pass of the full reader, and copies a
//! `str` only when it lands in a container.
//!
//! It gives up (`None`) on anything else, and on anything the full reader
//! would refuse: the caller then runs the full reader, which decides and
//! reports errors. So its results are always those of the full reader.
//! Limits hold by construction: it runs only when the input is shorter
//! than every count limit (each object, item, stack slot or data byte takes
//! at least one input byte), and it checks the depth itself.

use super::cursor::Cursor;
use crate::opcode::*;
use crate::{Limits, Py2Str, ReaderConfig, Value};

/// One slot of the VM stack. Values carry the nesting height of their
/// containers (0 for an atom), to keep the depth limit.
enum Slot<'p> {
    Mark,
    Val(Value, usize),
    /// A `str` not copied yet, borrowed from the pickle.
    Text(&'p str),
    /// The root dict of [`read_str_dict`], its keys borrowed.
    Root(Vec<(&'p str, Value)>, usize),
}

/// The value of `pickle` if it has the simple shape, else `None`.
pub(crate) fn read(pickle: &[u8], config: &ReaderConfig) -> Option<Value> {
    let mut vm = Simple::new(pickle, config, false)?;
    vm.run()?;
    vm.pop().map(|(value, _)| value)
}

/// The entries of `pickle` if it is a dict of the simple shape whose keys
/// are all `str` (keys borrowed from the pickle), else `None`.
pub(crate) fn read_str_dict<'p>(
    pickle: &'p [u8],
    config: &ReaderConfig,
) -> Option<Vec<(&'p str, Value)>> {
    let mut vm = Simple::new(pickle, config, true)?;
    vm.run()?;
    match vm.stack.pop()? {
        Slot::Root(entries, _) => Some(entries),
        _ => None,
    }
}

/// Whether no count limit can be crossed by an input of `len` bytes.
pub(crate) fn within_limits(len: usize, limits: &Limits) -> bool {
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

/// Initial stack room: enough for a shell request, and under glibc's
/// 1008-byte "large request" bound, whose allocation first consolidates the
/// fast bins (measured: a 32-slot stack made the whole read 3x slower).
const STACK_SLOTS: usize = 24;

struct Simple<'p> {
    cur: Cursor<'p>,
    stack: Vec<Slot<'p>>,
    max_depth: usize,
    /// Whether a dict opened on an empty stack is the borrowed root.
    str_dict: bool,
}

impl<'p> Simple<'p> {
    fn new(pickle: &'p [u8], config: &ReaderConfig, str_dict: bool) -> Option<Simple<'p>> {
        let simple = within_limits(pickle.len(), &config.limits) && config.py2_str == Py2Str::Bytes;
        simple.then(|| Simple {
            cur: Cursor::new(pickle),
            stack: Vec::with_capacity(STACK_SLOTS),
            max_depth: config.limits.max_depth,
            str_dict,
        })
    }

    /// Runs the opcodes up to `STOP`, which must end the input; the result
    /// is then on top of the stack.
    fn run(&mut self) -> Option<()> {
        loop {
            let op = self.cur.byte().ok()?;
            if op == STOP {
                let done = self.cur.remaining() == 0 && self.top_is_value();
                return done.then_some(());
            }
            self.step(op)?;
        }
    }

    /// Runs one opcode other than `STOP`; `None` to give up.
    fn step(&mut self, op: u8) -> Option<()> {
        match op {
            PROTO => (self.cur.byte().ok()? <= 5).then_some(())?,
            FRAME => {
                let len = self.cur.u64_le().ok()?;
                (len <= self.cur.remaining() as u64).then_some(())?;
            }
            MARK => self.stack.push(Slot::Mark),
            MEMOIZE => self.top_is_value().then_some(())?,
            BINPUT => {
                self.cur.byte().ok()?;
                self.top_is_value().then_some(())?;
            }
            LONG_BINPUT => {
                self.cur.u32_le().ok()?;
                self.top_is_value().then_some(())?;
            }
            EMPTY_DICT if self.str_dict && self.stack.is_empty() => {
                self.push_container(Slot::Root(Vec::new(), 1))?;
            }
            EMPTY_DICT => self.push_container(Slot::Val(Value::Dict(Vec::new()), 1))?,
            EMPTY_LIST => self.push_container(Slot::Val(Value::List(Vec::new()), 1))?,
            EMPTY_TUPLE => self.push_container(Slot::Val(Value::Tuple(Vec::new()), 1))?,
            SETITEM => self.setitem()?,
            SETITEMS => self.setitems()?,
            APPEND => self.append()?,
            APPENDS => self.appends()?,
            TUPLE => {
                let (items, height) = self.pop_mark()?;
                self.push_container(Slot::Val(Value::Tuple(items), height + 1))?;
            }
            TUPLE1 | TUPLE2 | TUPLE3 => self.tuple_n(usize::from(op - TUPLE1) + 1)?,
            // A `str` (the full reader refuses invalid UTF-8).
            SHORT_BINUNICODE | BINUNICODE | BINUNICODE8 => {
                let data = match op {
                    SHORT_BINUNICODE => self.cur.short_data(),
                    BINUNICODE => self.cur.data4(),
                    _ => self.cur.data8(),
                };
                let text = std::str::from_utf8(data.ok()?).ok()?;
                self.stack.push(Slot::Text(text));
            }
            _ => {
                let atom = self.atom(op)?;
                self.stack.push(Slot::Val(atom, 0));
            }
        }
        Some(())
    }

    /// The atom an atom opcode (other than `str`) pushes.
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

    /// Pushes a container, unless it is deeper than the full reader allows.
    fn push_container(&mut self, slot: Slot<'p>) -> Option<()> {
        (height(&slot) <= self.max_depth).then_some(())?;
        self.stack.push(slot);
        Some(())
    }

    fn top_is_value(&self) -> bool {
        !matches!(self.stack.last(), None | Some(Slot::Mark))
    }

    /// The top value with its height (not a mark, nor the root).
    fn pop(&mut self) -> Option<(Value, usize)> {
        into_value(self.stack.pop()?)
    }

    /// Where the last mark is.
    fn last_mark(&self) -> Option<usize> {
        self.stack.iter().rposition(|s| matches!(s, Slot::Mark))
    }

    /// The values above the last mark (which is removed), and their
    /// greatest height.
    fn pop_mark(&mut self) -> Option<(Vec<Value>, usize)> {
        let mark = self.last_mark()?;
        let mut height = 0;
        let mut items = Vec::with_capacity(self.stack.len() - mark - 1);
        for slot in self.stack.drain(mark + 1..) {
            let (value, h) = into_value(slot)?;
            height = height.max(h);
            items.push(value);
        }
        self.stack.pop();
        Some((items, height))
    }

    fn tuple_n(&mut self, n: usize) -> Option<()> {
        let at = self.stack.len().checked_sub(n)?;
        let mut height = 0;
        let mut items = Vec::with_capacity(n);
        for slot in self.stack.drain(at..) {
            let (value, h) = into_value(slot)?;
            height = height.max(h);
            items.push(value);
        }
        self.push_container(Slot::Val(Value::Tuple(items), height + 1))
    }

    fn setitem(&mut self) -> Option<()> {
        let mut value = self.stack.pop()?;
        let mut key = self.stack.pop()?;
        let below = height(&key).max(height(&value));
        let target = self.stack.last_mut()?;
        raise(target, below, self.max_depth)?;
        insert(target, &mut key, &mut value)
    }

    fn setitems(&mut self) -> Option<()> {
        let mark = self.last_mark()?;
        let (below, items) = self.stack.split_at_mut(mark + 1);
        if items.len() % 2 != 0 {
            return None;
        }
        let items_height = items.iter().map(height).max().unwrap_or(0);
        // The dict under the mark (`below` ends with the mark itself).
        let (_, below) = below.split_last_mut()?;
        let target = below.last_mut()?;
        raise(target, items_height, self.max_depth)?;
        reserve(target, items.len() / 2);
        for kv in items.chunks_exact_mut(2) {
            let (key, value) = kv.split_at_mut(1);
            insert(target, &mut key[0], &mut value[0])?;
        }
        self.stack.truncate(mark);
        Some(())
    }

    fn append(&mut self) -> Option<()> {
        let (item, below) = self.pop()?;
        let target = self.stack.last_mut()?;
        raise(target, below, self.max_depth)?;
        match target {
            Slot::Val(Value::List(list), _) => list.push(item),
            _ => return None,
        }
        Some(())
    }

    fn appends(&mut self) -> Option<()> {
        let (items, below) = self.pop_mark()?;
        let target = self.stack.last_mut()?;
        raise(target, below, self.max_depth)?;
        let Slot::Val(Value::List(list), _) = target else {
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

/// The nesting height of what `slot` holds.
fn height(slot: &Slot<'_>) -> usize {
    match slot {
        Slot::Val(_, h) | Slot::Root(_, h) => *h,
        Slot::Mark | Slot::Text(_) => 0,
    }
}

/// Raises the height of the container in `slot` for children of nesting
/// `below`; `None` for a mark or a `str`, or past the depth limit.
fn raise(slot: &mut Slot<'_>, below: usize, max_depth: usize) -> Option<()> {
    let (Slot::Val(_, h) | Slot::Root(_, h)) = slot else {
        return None;
    };
    *h = (*h).max(below + 1);
    (*h <= max_depth).then_some(())
}

/// A slot as an owned value (a `str` copied now); `None` for a mark or the
/// root (which cannot be nested).
fn into_value(slot: Slot<'_>) -> Option<(Value, usize)> {
    match slot {
        Slot::Val(value, h) => Some((value, h)),
        Slot::Text(text) => Some((Value::Str(text.to_owned()), 0)),
        Slot::Mark | Slot::Root(..) => None,
    }
}

/// The value of `slot`, taken out (a `str` copied now); `None` for a mark
/// or the root. (Moving the value alone, not the slot, is much faster:
/// no copy of the whole slot through the stack.)
fn take(slot: &mut Slot<'_>) -> Option<Value> {
    match slot {
        Slot::Val(value, _) => Some(std::mem::replace(value, Value::None)),
        Slot::Text(text) => Some(Value::Str((*text).to_owned())),
        Slot::Mark | Slot::Root(..) => None,
    }
}

/// Makes room for `n` more entries in the dict of `target`.
fn reserve(target: &mut Slot<'_>, n: usize) {
    match target {
        Slot::Val(Value::Dict(pairs), _) => pairs.reserve_exact(n),
        Slot::Root(entries, _) => entries.reserve_exact(n),
        _ => {}
    }
}

/// Adds the entry `key: value` to the dict of `target` (the root takes
/// `str` keys only, as they are).
fn insert<'p>(target: &mut Slot<'p>, key: &mut Slot<'p>, value: &mut Slot<'p>) -> Option<()> {
    match target {
        Slot::Val(Value::Dict(pairs), _) => pairs.push((take(key)?, take(value)?)),
        Slot::Root(entries, _) => {
            let Slot::Text(key) = *key else {
                return None;
            };
            entries.push((key, take(value)?));
        }
        _ => return None,
    }
    Some(())
}
