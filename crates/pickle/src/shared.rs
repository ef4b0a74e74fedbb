//! Following [`Value::Ref`]s back to their [`Value::Shared`] objects.

use std::collections::HashMap;

use crate::{SharedId, Value};

/// An index of the shared objects of a value tree, to follow references.
///
/// ```
/// use cscomm_pickle::{SharedId, SharedIndex, Value};
/// let shared = Value::Shared(SharedId(0), Box::new(Value::List(vec![])));
/// let tree = Value::List(vec![shared, Value::Ref(SharedId(0))]);
/// let index = SharedIndex::new(&tree);
/// let items = tree.as_list().unwrap();
/// assert_eq!(index.resolve(&items[1]).as_list(), Some(&[][..]));
/// ```
#[derive(Debug, Clone, Default)]
pub struct SharedIndex<'a> {
    objects: HashMap<SharedId, &'a Value>,
}

impl<'a> SharedIndex<'a> {
    /// Indexes every [`Value::Shared`] of `root` (walking it without
    /// recursion, so any depth is fine). When an id repeats, the first
    /// occurrence wins.
    pub fn new(root: &'a Value) -> SharedIndex<'a> {
        let mut objects = HashMap::new();
        let mut pending = vec![root];
        while let Some(value) = pending.pop() {
            match value {
                Value::Shared(id, inner) => {
                    objects.entry(*id).or_insert(inner.inner());
                    pending.push(inner);
                }
                Value::List(items)
                | Value::Tuple(items)
                | Value::Set(items)
                | Value::FrozenSet(items) => pending.extend(items.iter().rev()),
                Value::Dict(pairs) => {
                    pending.extend(pairs.iter().rev().flat_map(|(k, v)| [v, k]));
                }
                Value::Instance(inst) => {
                    pending.extend(inst.state.iter());
                    pending.extend(inst.kwargs.iter().rev().flat_map(|(k, v)| [v, k]));
                    pending.extend(inst.args.iter().rev());
                }
                _ => {}
            }
        }
        SharedIndex { objects }
    }

    /// The shared object with this id (seen through its wrapper).
    pub fn get(&self, id: SharedId) -> Option<&'a Value> {
        self.objects.get(&id).copied()
    }

    /// The value itself, with a [`Value::Ref`] replaced by its object and a
    /// [`Value::Shared`] wrapper removed. An unknown reference stays as is.
    pub fn resolve(&self, value: &'a Value) -> &'a Value {
        match value {
            Value::Ref(id) => self.get(*id).unwrap_or(value),
            other => other.inner(),
        }
    }

    /// How many shared objects the tree holds.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether the tree holds no shared object.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}
