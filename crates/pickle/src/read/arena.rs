//! The objects the pickle VM creates, stored flat while it runs.
//!
//! The VM mutates containers after creating them (`APPENDS`, `SETITEMS`,
//! `BUILD`, ...) and the memo hands out the same object again, so objects
//! live in an arena and are referred to by index. The result tree is built
//! from the arena once `STOP` is reached.

use crate::error::Limit;
use crate::{BigInt, Construct, Global, Limits, ReadErrorKind};

type Result<T> = std::result::Result<T, ReadErrorKind>;

/// A value on the VM stack, in the memo or inside a container. Small atoms
/// are inline; everything else is an index into the arena.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Item {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Obj(u32),
}

/// The built-in callables the reader understands, recorded by what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Helper {
    /// `copyreg._reconstructor(cls, object, None)`: `object.__new__(cls)`.
    Reconstructor,
    /// `builtins.object`, the base argument of the reconstructor.
    Object,
    /// `_codecs.encode(str, encoding)`: how protocols 0 to 2 write `bytes`.
    CodecsEncode,
    Set,
    FrozenSet,
    Bytes,
    ByteArray,
}

/// What a loaded global is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GlobalKind {
    Helper(Helper),
    /// An allow-listed class.
    Class,
}

/// An instance under construction.
#[derive(Debug)]
pub(crate) struct InstanceNode {
    pub(crate) class: Global,
    pub(crate) construct: Construct,
    pub(crate) args: Vec<Item>,
    pub(crate) kwargs: Vec<(Item, Item)>,
    pub(crate) state: Option<Item>,
}

/// An object in the arena.
#[derive(Debug)]
pub(crate) enum Node {
    Str(String),
    Bytes(Vec<u8>),
    BigInt(BigInt),
    /// Boxed: keeps every node at 32 bytes.
    Global(Box<Global>, GlobalKind),
    ByteArray(Vec<u8>),
    List(Vec<Item>),
    Tuple(Vec<Item>),
    Dict(Vec<(Item, Item)>),
    Set(Vec<Item>),
    FrozenSet(Vec<Item>),
    Instance(Box<InstanceNode>),
    /// Moved into the result tree.
    Taken,
}

impl Node {
    /// Python's name for the type, for error messages.
    pub(crate) fn type_name(&self) -> String {
        match self {
            Node::Str(_) => "str".into(),
            Node::Bytes(_) => "bytes".into(),
            Node::BigInt(_) => "int".into(),
            Node::Global(g, _) => format!("global {g}"),
            Node::ByteArray(_) => "bytearray".into(),
            Node::List(_) => "list".into(),
            Node::Tuple(_) => "tuple".into(),
            Node::Dict(_) => "dict".into(),
            Node::Set(_) => "set".into(),
            Node::FrozenSet(_) => "frozenset".into(),
            Node::Instance(inst) => format!("{} instance", inst.class),
            Node::Taken => "moved object".into(),
        }
    }

    /// Whether the object has an identity worth keeping when it is
    /// referenced more than once (containers and instances); atoms are
    /// copied instead.
    pub(crate) fn is_shareable(&self) -> bool {
        !matches!(
            self,
            Node::Str(_) | Node::Bytes(_) | Node::BigInt(_) | Node::Global(..) | Node::Taken
        )
    }

    /// Bytes of text or binary data this node holds (for the data limit).
    pub(crate) fn data_len(&self) -> usize {
        match self {
            Node::Str(s) => s.len(),
            Node::Bytes(b) | Node::ByteArray(b) => b.len(),
            Node::BigInt(n) => n.as_le_bytes().len(),
            Node::Global(g, _) => g.module.len() + g.name.len(),
            _ => 0,
        }
    }

    /// Every item this node refers to, in depth-first order of the result.
    pub(crate) fn children(&self) -> Vec<Item> {
        match self {
            Node::List(items) | Node::Tuple(items) | Node::Set(items) | Node::FrozenSet(items) => {
                items.clone()
            }
            Node::Dict(pairs) => pairs.iter().flat_map(|&(k, v)| [k, v]).collect(),
            Node::Instance(inst) => inst
                .args
                .iter()
                .copied()
                .chain(inst.kwargs.iter().flat_map(|&(k, v)| [k, v]))
                .chain(inst.state)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// All objects of one run, with the object and item limits.
pub(crate) struct Arena {
    nodes: Vec<Node>,
    total_items: usize,
    max_objects: usize,
    max_container_len: usize,
    max_total_items: usize,
}

impl Arena {
    pub(crate) fn new(limits: &Limits) -> Arena {
        Arena {
            nodes: Vec::new(),
            total_items: 0,
            max_objects: limits.max_objects,
            max_container_len: limits.max_container_len,
            max_total_items: limits.max_total_items,
        }
    }

    /// Stores a new object.
    pub(crate) fn alloc(&mut self, node: Node) -> Result<Item> {
        if self.nodes.len() >= self.max_objects {
            return Err(limit(Limit::Objects, self.max_objects));
        }
        let id = u32::try_from(self.nodes.len())
            .map_err(|_| limit(Limit::Objects, u32::MAX as usize))?;
        self.nodes.push(node);
        Ok(Item::Obj(id))
    }

    /// Stores a new container holding `len` items, counting them.
    pub(crate) fn alloc_container(&mut self, node: Node, len: usize) -> Result<Item> {
        self.count_items(0, len)?;
        self.alloc(node)
    }

    /// Checks that a container of `current` items may get `added` more, and
    /// counts them.
    pub(crate) fn count_items(&mut self, current: usize, added: usize) -> Result<()> {
        if current.saturating_add(added) > self.max_container_len {
            return Err(limit(Limit::ContainerLen, self.max_container_len));
        }
        self.total_items = self.total_items.saturating_add(added);
        if self.total_items > self.max_total_items {
            return Err(limit(Limit::TotalItems, self.max_total_items));
        }
        Ok(())
    }

    pub(crate) fn get(&self, id: u32) -> &Node {
        &self.nodes[id as usize]
    }

    pub(crate) fn get_mut(&mut self, id: u32) -> &mut Node {
        &mut self.nodes[id as usize]
    }

    pub(crate) fn take(&mut self, id: u32) -> Node {
        std::mem::replace(&mut self.nodes[id as usize], Node::Taken)
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Python's type name of any item, for error messages.
    pub(crate) fn type_name(&self, item: Item) -> String {
        match item {
            Item::None => "NoneType".into(),
            Item::Bool(_) => "bool".into(),
            Item::Int(_) => "int".into(),
            Item::Float(_) => "float".into(),
            Item::Obj(id) => self.get(id).type_name(),
        }
    }
}

/// The error for crossing `limit`, configured at `max`.
pub(crate) fn limit(limit: Limit, max: usize) -> ReadErrorKind {
    ReadErrorKind::LimitExceeded {
        limit,
        max: max as u64,
    }
}

// Hostile pickles make millions of nodes: keep them small.
const _: () = assert!(std::mem::size_of::<Node>() <= 32);
const _: () = assert!(std::mem::size_of::<Item>() <= 16);
