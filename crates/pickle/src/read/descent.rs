//! The fastest path, for request dicts: the opcodes Python's pickler
//! writes for a dict of plain values, read top-down (recursive descent)
//! instead of by the stack machine, the root dict's keys borrowed.
//!
//! It accepts only sequences whose stack-machine meaning is the structure
//! it builds: a container opcode, its memo opcode, then either `MARK`, the
//! items and `SETITEMS`/`APPENDS`, or one item and `SETITEM`/`APPEND`, as
//! often as the pickler batches. Anything else (a tuple, a memo reference,
//! a sibling it cannot tell from an item) gives up with `None`, and the
//! caller runs the other readers, which decide.

use super::cursor::Cursor;
use super::simple::within_limits;
use crate::opcode::*;
use crate::{Py2Str, ReaderConfig, Value};

/// Items per `MARK` batch of Python's pickler: only a full batch may be
/// followed by another (or by a lone item), so a shorter one ends the
/// container and what follows belongs to its parent.
const BATCH: usize = 1000;

/// Deepest nesting read here (deeper values go to the other readers).
const MAX_NESTING: usize = 32;

/// The entries of `pickle` if it is a plain dict with `str` keys.
pub(crate) fn read_str_dict<'p>(
    pickle: &'p [u8],
    config: &ReaderConfig,
) -> Option<Vec<(&'p str, Value)>> {
    let mut entries = Vec::with_capacity(8);
    for_each_str_entry(pickle, config, |k, v| entries.push((k, v)))?;
    Some(entries)
}

/// Hands each entry of `pickle` to `each` if it is a plain dict with
/// `str` keys; `None` (after some entries perhaps) if it is not.
pub(crate) fn for_each_str_entry<'p>(
    pickle: &'p [u8],
    config: &ReaderConfig,
    mut each: impl FnMut(&'p str, Value),
) -> Option<()> {
    if !within_limits(pickle.len(), &config.limits) || config.py2_str != Py2Str::Bytes {
        return None;
    }
    let mut d = Descent {
        cur: Cursor::new(pickle),
        max_depth: config.limits.max_depth.min(MAX_NESTING),
    };
    d.header()?;
    (d.byte()? == EMPTY_DICT && d.max_depth > 0).then_some(())?;
    d.memo()?;
    d.dict_body(&mut each, |d| d.text(), 0)?;
    (d.byte()? == STOP && d.cur.remaining() == 0).then_some(())
}

struct Descent<'p> {
    cur: Cursor<'p>,
    /// Containers may nest at depths `0..max_depth`.
    max_depth: usize,
}

impl<'p> Descent<'p> {
    #[inline(always)]
    fn byte(&mut self) -> Option<u8> {
        self.cur.byte().ok()
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.cur.peek()
    }

    /// `PROTO` and `FRAME`, each optional.
    fn header(&mut self) -> Option<()> {
        if self.peek()? == PROTO {
            self.byte()?;
            (self.byte()? <= 5).then_some(())?;
        }
        if self.peek()? == FRAME {
            self.byte()?;
            let len = self.cur.u64_le().ok()?;
            (len <= self.cur.remaining() as u64).then_some(())?;
        }
        Some(())
    }

    /// One optional memo opcode (the pickler's, after a `str` or a
    /// container).
    #[inline(always)]
    fn memo(&mut self) -> Option<()> {
        match self.peek()? {
            MEMOIZE => self.byte().map(drop),
            BINPUT => {
                self.byte()?;
                self.byte().map(drop)
            }
            LONG_BINPUT => {
                self.byte()?;
                self.cur.u32_le().ok().map(drop)
            }
            _ => Some(()),
        }
    }

    /// A `str` (borrowed) and its memo.
    #[inline(always)]
    fn text(&mut self) -> Option<&'p str> {
        let data = match self.byte()? {
            SHORT_BINUNICODE => self.cur.short_data(),
            BINUNICODE => self.cur.data4(),
            BINUNICODE8 => self.cur.data8(),
            _ => return None,
        };
        let text = std::str::from_utf8(data.ok()?).ok()?;
        self.memo()?;
        Some(text)
    }

    /// The items of a dict opened at `depth`, as the pickler batches them,
    /// each handed to `put`.
    fn dict_body<K>(
        &mut self,
        put: &mut impl FnMut(K, Value),
        key: impl Fn(&mut Self) -> Option<K>,
        depth: usize,
    ) -> Option<()> {
        loop {
            match self.peek()? {
                MARK => {
                    self.byte()?;
                    let mut items = 0;
                    while self.peek()? != SETITEMS {
                        let k = key(self)?;
                        put(k, self.value(depth + 1)?);
                        items += 1;
                    }
                    self.byte()?;
                    if items != BATCH {
                        return Some(());
                    }
                }
                op if starts_item(op) => {
                    let k = key(self)?;
                    let v = self.value(depth + 1)?;
                    (self.byte()? == SETITEM).then_some(())?;
                    put(k, v);
                    return Some(());
                }
                _ => return Some(()),
            }
        }
    }

    /// The items of a list opened at `depth`.
    fn list_body(&mut self, out: &mut Vec<Value>, depth: usize) -> Option<()> {
        loop {
            match self.peek()? {
                MARK => {
                    self.byte()?;
                    let before = out.len();
                    while self.peek()? != APPENDS {
                        out.push(self.value(depth + 1)?);
                    }
                    self.byte()?;
                    if out.len() - before != BATCH {
                        return Some(());
                    }
                }
                op if starts_item(op) => {
                    let v = self.value(depth + 1)?;
                    (self.byte()? == APPEND).then_some(())?;
                    out.push(v);
                    return Some(());
                }
                _ => return Some(()),
            }
        }
    }

    /// One value at `depth` (a container there must be within the depth
    /// limit).
    #[inline(always)]
    fn value(&mut self, depth: usize) -> Option<Value> {
        let op = self.peek()?;
        if matches!(op, SHORT_BINUNICODE | BINUNICODE | BINUNICODE8) {
            return self.text().map(|t| Value::Str(t.to_owned()));
        }
        self.byte()?;
        let cur = &mut self.cur;
        let value = match op {
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
            EMPTY_DICT | EMPTY_LIST if depth < self.max_depth => {
                self.memo()?;
                return self.container(op, depth);
            }
            _ => return None,
        };
        if matches!(value, Value::Bytes(_)) {
            self.memo()?;
        }
        Some(value)
    }

    /// The rest of a dict or list whose opcode and memo were read.
    #[inline(never)]
    fn container(&mut self, op: u8, depth: usize) -> Option<Value> {
        if op == EMPTY_DICT {
            let mut pairs = Vec::with_capacity(8);
            self.dict_body(
                &mut |k, v| pairs.push((k, v)),
                |d| d.value(depth + 1),
                depth,
            )?;
            Some(Value::Dict(pairs))
        } else {
            let mut items = Vec::new();
            self.list_body(&mut items, depth)?;
            Some(Value::List(items))
        }
    }
}

/// Whether `op` may start an item the descent reads (so that a lone item
/// and its `SETITEM`/`APPEND` follow).
fn starts_item(op: u8) -> bool {
    matches!(
        op,
        NONE | NEWTRUE
            | NEWFALSE
            | BININT
            | BININT1
            | BININT2
            | BINFLOAT
            | SHORT_BINUNICODE
            | BINUNICODE
            | BINUNICODE8
            | SHORT_BINBYTES
            | SHORT_BINSTRING
            | BINBYTES
            | BINBYTES8
            | EMPTY_DICT
            | EMPTY_LIST
    )
}
