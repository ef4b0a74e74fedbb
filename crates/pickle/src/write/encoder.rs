//! The pickler state: output, memo, shared objects, and value dispatch.

use std::collections::HashMap;

use super::output::Output;
use crate::opcode::*;
use crate::{SharedId, Value, WriteError};

pub(crate) type Result<T> = std::result::Result<T, WriteError>;

/// Where a shared object stands while it is being written.
#[derive(Clone, Copy)]
enum Slot<'v> {
    /// Being written and not memoized yet (its contents come first).
    Pending(&'v Value),
    /// Written again from a reference inside itself (see [`Encoder::save_ref`]).
    Rewriting,
    /// In the memo at this index.
    Memoized(u32),
}

/// Who the object being written is, for the memo: its shared id, if it has
/// one, and the address of its [`Value`], if it is one. The address plays
/// the part of CPython's `id()`: when a shared object is written a second
/// time (see [`Encoder::save_ref`]), the objects inside it that are
/// already memoized are fetched instead of written again.
#[derive(Clone, Copy)]
pub(crate) struct Ident {
    pub(crate) shared: Option<SharedId>,
    addr: Option<usize>,
}

impl Ident {
    /// An object made up by the writer (an argument tuple, ...).
    pub(crate) const NONE: Ident = Ident {
        shared: None,
        addr: None,
    };

    fn of(value: &Value, shared: Option<SharedId>) -> Ident {
        Ident {
            shared,
            addr: Some(std::ptr::from_ref(value) as usize),
        }
    }
}

pub(crate) struct Encoder<'o, 'v> {
    pub(crate) out: Output<'o>,
    pub(crate) proto: u8,
    memo_len: u32,
    shared: HashMap<SharedId, Slot<'v>>,
    objects: HashMap<usize, u32>,
    /// Memo indexes of globals (by the spelling written) and of the strings
    /// that name them, which CPython writes once and fetches afterwards.
    pub(crate) globals: HashMap<(String, String), u32>,
    pub(crate) names: HashMap<String, u32>,
    depth: usize,
    max_depth: usize,
}

impl<'o, 'v> Encoder<'o, 'v> {
    pub(crate) fn new(buf: &'o mut Vec<u8>, proto: u8, max_depth: usize) -> Encoder<'o, 'v> {
        Encoder {
            out: Output::new(buf),
            proto,
            memo_len: 0,
            shared: HashMap::new(),
            objects: HashMap::new(),
            globals: HashMap::new(),
            names: HashMap::new(),
            depth: 0,
            max_depth,
        }
    }

    /// Writes `PROTO`, the value, and `STOP`.
    pub(crate) fn dump(&mut self, value: &'v Value) -> Result<()> {
        self.header();
        self.save(value)?;
        self.finish();
        Ok(())
    }

    pub(crate) fn header(&mut self) {
        if self.proto >= 2 {
            self.out.write(&[PROTO, self.proto]);
        }
        if self.proto >= 4 {
            self.out.start_framing();
        }
    }

    pub(crate) fn finish(&mut self) {
        self.out.byte(STOP);
        self.out.commit_frame();
    }

    /// Writes any value (CPython's `save`).
    pub(crate) fn save(&mut self, value: &'v Value) -> Result<()> {
        match value {
            Value::Shared(id, inner) => self.save_shared(*id, inner)?,
            Value::Ref(id) => self.save_ref(*id)?,
            plain => self.save_plain(plain, None)?,
        }
        self.out.opcode_boundary();
        Ok(())
    }

    fn save_shared(&mut self, id: SharedId, inner: &'v Value) -> Result<()> {
        if self.shared.contains_key(&id) {
            // Met again while writing an object a second time: same object.
            return self.save_ref(id);
        }
        if matches!(inner, Value::Shared(..) | Value::Ref(_)) {
            return Err(WriteError::Unsupported {
                what: "a shared wrapper around a shared or reference value",
                protocol: self.proto,
            });
        }
        self.shared.insert(id, Slot::Pending(inner));
        self.save_plain(inner, Some(id))
    }

    /// A reference: a memo fetch once the object is memoized. Objects that
    /// Python builds from their contents (tuples, frozensets, constructor
    /// arguments) are memoized after those contents; a reference from
    /// inside them is written as CPython does: the object is written in
    /// full right there, and the outer copy is discarded once complete.
    fn save_ref(&mut self, id: SharedId) -> Result<()> {
        match self.shared.get(&id).copied() {
            Some(Slot::Memoized(index)) => {
                self.get(index);
                Ok(())
            }
            Some(Slot::Pending(inner)) => {
                self.shared.insert(id, Slot::Rewriting);
                self.save_plain(inner, Some(id))
            }
            Some(Slot::Rewriting) => Err(WriteError::ImmutableCycle(id)),
            None => Err(WriteError::DanglingRef(id)),
        }
    }

    fn save_plain(&mut self, value: &'v Value, shared: Option<SharedId>) -> Result<()> {
        let me = Ident::of(value, shared);
        if let Some(&index) = me.addr.and_then(|addr| self.objects.get(&addr)) {
            self.get(index);
            if let Some(id) = shared {
                self.register_shared(id, index);
            }
            return Ok(());
        }
        match value {
            Value::None => self.atom(&[NONE], me),
            Value::Bool(b) => self.save_bool(*b, me),
            Value::Int(i) => self.save_int(*i, me),
            Value::BigInt(n) => self.save_bigint(n, me),
            Value::Float(f) => self.save_float(*f, me),
            Value::Str(s) => self.save_str(s, me),
            Value::Bytes(b) => self.save_bytes(b, me),
            Value::Global(g) => self.save_global_value(g, me),
            Value::Shared(..) | Value::Ref(_) => self.save(value),
            container => self.nested(|enc| enc.save_container(container, me)),
        }
    }

    /// Runs `f` one nesting level deeper, within the depth limit.
    pub(crate) fn nested(&mut self, f: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        if self.depth >= self.max_depth {
            return Err(WriteError::TooDeep(self.max_depth));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn save_container(&mut self, value: &'v Value, me: Ident) -> Result<()> {
        match value {
            Value::ByteArray(b) => self.save_bytearray(b, me),
            Value::List(items) => self.save_list(items, me),
            Value::Tuple(items) => self.save_tuple(items, me),
            Value::Dict(pairs) => self.save_dict(pairs, me),
            Value::Set(items) => self.save_set(items, me),
            Value::FrozenSet(items) => self.save_frozenset(items, me),
            Value::Instance(inst) => self.save_instance(inst, me),
            _ => Ok(()),
        }
    }

    /// Writes an atom's opcode, memoized only when it is shared.
    pub(crate) fn atom(&mut self, bytes: &[u8], me: Ident) -> Result<()> {
        self.out.write(bytes);
        if me.shared.is_some() {
            self.memoize(me);
        }
        Ok(())
    }

    /// Stores the object just written in the next memo slot.
    pub(crate) fn memoize(&mut self, me: Ident) -> u32 {
        let index = self.memo_len;
        self.memo_len += 1;
        if self.proto >= 4 {
            self.out.byte(MEMOIZE);
        } else if self.proto >= 1 {
            match u8::try_from(index) {
                Ok(i) => self.out.write(&[BINPUT, i]),
                Err(_) => {
                    self.out.byte(LONG_BINPUT);
                    self.out.write(&index.to_le_bytes());
                }
            }
        } else {
            self.out.write(format!("p{index}\n").as_bytes());
        }
        if let Some(id) = me.shared {
            self.shared.insert(id, Slot::Memoized(index));
        }
        if let Some(addr) = me.addr {
            self.objects.insert(addr, index);
        }
        index
    }

    /// Records that shared object `id` is memo slot `index`.
    pub(crate) fn register_shared(&mut self, id: SharedId, index: u32) {
        self.shared.insert(id, Slot::Memoized(index));
    }

    /// Pushes memo slot `index`.
    pub(crate) fn get(&mut self, index: u32) {
        if self.proto == 0 {
            self.out.write(format!("g{index}\n").as_bytes());
        } else if let Ok(i) = u8::try_from(index) {
            self.out.write(&[BINGET, i]);
        } else {
            self.out.byte(LONG_BINGET);
            self.out.write(&index.to_le_bytes());
        }
    }

    /// If the shared object being built got memoized by a reference from
    /// inside it, its memo index: the copy just built must be discarded.
    pub(crate) fn memoized_meanwhile(&self, me: Ident) -> Option<u32> {
        if let Some(Slot::Memoized(index)) = me.shared.and_then(|id| self.shared.get(&id)) {
            return Some(*index);
        }
        me.addr.and_then(|addr| self.objects.get(&addr)).copied()
    }
}
