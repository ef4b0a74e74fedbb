//! The values a pickle holds, as a tree with explicit shared references.

use crate::{BigInt, Global, Instance};

/// Identifier of an object that the tree references more than once.
///
/// The reader numbers shared objects `0, 1, 2, ...` in the order of their
/// [`Value::Shared`] occurrence in a depth-first walk of the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedId(pub u32);

/// A Python value decoded from (or to be encoded to) a pickle.
///
/// Containers and instances that Python references from several places (a
/// topology group is its parent's child and is listed again in the tree's
/// `groups`; a child points back at its parent) appear once in full as
/// [`Value::Shared`], at their first place in a depth-first walk, and as
/// [`Value::Ref`] everywhere else. The tree owns everything: no reference
/// counting, no cycles to leak. Immutable atoms (numbers, `str`, `bytes`)
/// carry no identity and are simply repeated.
///
/// ```
/// use cscomm_pickle::Value;
/// let value = cscomm_pickle::read(b"\x80\x04\x95\x0f\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x03cmd\x94\x8c\x02ls\x94s.")?;
/// assert_eq!(value.get("cmd").and_then(Value::as_str), Some("ls"));
/// # Ok::<(), cscomm_pickle::ReadError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An `int` that fits in 64 bits (the reader always uses this variant
    /// for those).
    Int(i64),
    /// An `int` beyond 64 bits.
    BigInt(BigInt),
    /// A `float`.
    Float(f64),
    /// A `str` (Python 3) or `unicode` (Python 2).
    Str(String),
    /// A `bytes` (Python 3) or, by default, a Python 2 `str`.
    Bytes(Vec<u8>),
    /// A `bytearray`.
    ByteArray(Vec<u8>),
    /// A `list`.
    List(Vec<Value>),
    /// A `tuple`.
    Tuple(Vec<Value>),
    /// A `dict`: pairs in insertion order; keys may be any hashable value.
    Dict(Vec<(Value, Value)>),
    /// A `set`, items in pickle order.
    Set(Vec<Value>),
    /// A `frozenset`, items in pickle order.
    FrozenSet(Vec<Value>),
    /// A class or function object itself, as data.
    Global(Box<Global>),
    /// An object of an allow-listed class.
    Instance(Box<Instance>),
    /// The first, full occurrence of an object referenced more than once.
    Shared(SharedId, Box<Value>),
    /// Another reference to the object of a [`Value::Shared`].
    Ref(SharedId),
}

impl Value {
    /// The value seen through a [`Value::Shared`] wrapper (itself otherwise).
    pub fn inner(&self) -> &Value {
        let mut value = self;
        while let Value::Shared(_, inner) = value {
            value = inner;
        }
        value
    }

    /// Python's name for the type of this value (`"list"`, `"NodeSet"`, ...).
    pub fn type_name(&self) -> &str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::BigInt(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::ByteArray(_) => "bytearray",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::FrozenSet(_) => "frozenset",
            Value::Global(_) => "global",
            Value::Instance(inst) => &inst.class.name,
            Value::Shared(_, inner) => inner.inner().type_name(),
            Value::Ref(_) => "reference",
        }
    }

    /// Whether this is `None`.
    pub fn is_none(&self) -> bool {
        matches!(self.inner(), Value::None)
    }

    /// The boolean, if this is a `bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.inner() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, if this is an `int` that fits in 64 bits.
    pub fn as_i64(&self) -> Option<i64> {
        match self.inner() {
            Value::Int(i) => Some(*i),
            Value::BigInt(big) => big.to_i64(),
            _ => None,
        }
    }

    /// The number, if this is a `float`.
    pub fn as_f64(&self) -> Option<f64> {
        match self.inner() {
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The text, if this is a `str`.
    pub fn as_str(&self) -> Option<&str> {
        match self.inner() {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes, if this is a `bytes` (or Python 2 `str`) or a `bytearray`.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self.inner() {
            Value::Bytes(b) | Value::ByteArray(b) => Some(b),
            _ => None,
        }
    }

    /// The items, if this is a `list`.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self.inner() {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The items, if this is a `tuple`.
    pub fn as_tuple(&self) -> Option<&[Value]> {
        match self.inner() {
            Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The items, if this is a `list` or a `tuple`.
    pub fn as_sequence(&self) -> Option<&[Value]> {
        match self.inner() {
            Value::List(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The items, if this is a `set` or a `frozenset`.
    pub fn as_set(&self) -> Option<&[Value]> {
        match self.inner() {
            Value::Set(items) | Value::FrozenSet(items) => Some(items),
            _ => None,
        }
    }

    /// The pairs, if this is a `dict`.
    pub fn as_dict(&self) -> Option<&[(Value, Value)]> {
        match self.inner() {
            Value::Dict(pairs) => Some(pairs),
            _ => None,
        }
    }

    /// The instance, if this is an object of an allow-listed class.
    pub fn as_instance(&self) -> Option<&Instance> {
        match self.inner() {
            Value::Instance(inst) => Some(inst),
            _ => None,
        }
    }

    /// The global, if this is a class or function object.
    pub fn as_global(&self) -> Option<&Global> {
        match self.inner() {
            Value::Global(global) => Some(global),
            _ => None,
        }
    }

    /// The target, if this is a [`Value::Ref`].
    pub fn as_ref_id(&self) -> Option<SharedId> {
        match self {
            Value::Ref(id) => Some(*id),
            _ => None,
        }
    }

    /// Looks up a dict entry by text key.
    ///
    /// A key matches when it is the `str` `key` or the byte string of its
    /// UTF-8 encoding: Python 2 writes attribute names and most dict keys as
    /// byte strings. When a key repeats, the last pair wins, as in Python.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_dict()?
            .iter()
            .rev()
            .find(|(k, _)| k.is_text_key(key))
            .map(|(_, v)| v)
    }

    fn is_text_key(&self, key: &str) -> bool {
        match self.inner() {
            Value::Str(s) => s == key,
            Value::Bytes(b) => b.as_slice() == key.as_bytes(),
            _ => false,
        }
    }

    /// A `bytes` value.
    pub fn bytes(data: impl Into<Vec<u8>>) -> Value {
        Value::Bytes(data.into())
    }

    /// A `dict` with `str` keys, in the given order.
    pub fn str_dict<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Dict(
            pairs
                .into_iter()
                .map(|(k, v)| (Value::Str(k.into()), v))
                .collect(),
        )
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Value {
        Value::Int(v.into())
    }
}

impl From<u64> for Value {
    /// `Int` when it fits, `BigInt` above `i64::MAX` (a ClusterShell `srcid`).
    fn from(v: u64) -> Value {
        i64::try_from(v).map_or_else(|_| Value::BigInt(v.into()), Value::Int)
    }
}

impl From<BigInt> for Value {
    /// `Int` when it fits in 64 bits, `BigInt` otherwise.
    fn from(v: BigInt) -> Value {
        v.to_i64().map_or(Value::BigInt(v), Value::Int)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Str(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Str(v)
    }
}

impl From<Global> for Value {
    fn from(v: Global) -> Value {
        Value::Global(Box::new(v))
    }
}

impl From<Instance> for Value {
    fn from(v: Instance) -> Value {
        Value::Instance(Box::new(v))
    }
}
