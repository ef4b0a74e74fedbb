//! Class references and the instances built from them.

use std::fmt;

use crate::Value;

/// A Python global named by its module and qualified name, such as
/// `ClusterShell.NodeSet.NodeSet`. The reader only ever records these as
/// data; nothing is imported or called.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Global {
    /// Module, e.g. `ClusterShell.NodeSet`.
    pub module: String,
    /// Name inside the module, e.g. `NodeSet`.
    pub name: String,
}

impl Global {
    /// A global from its module and name.
    pub fn new(module: impl Into<String>, name: impl Into<String>) -> Global {
        Global {
            module: module.into(),
            name: name.into(),
        }
    }

    /// Whether this is `module.name`.
    pub fn is(&self, module: &str, name: &str) -> bool {
        self.module == module && self.name == name
    }
}

impl fmt::Display for Global {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.module, self.name)
    }
}

/// How Python creates an instance before its state is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Construct {
    /// `cls.__new__(cls, *args, **kwargs)`, without `__init__`: the `NEWOBJ`
    /// and `NEWOBJ_EX` opcodes, `copyreg._reconstructor(cls, object, None)`
    /// of protocols 0 and 1, and `INST`/`OBJ` without arguments. This is how
    /// Python pickles plain objects (`NodeSet`, `TopologyTree`, ...).
    #[default]
    New,
    /// `cls(*args)`: `REDUCE` (a class's own `__reduce__`, as `RangeSet`
    /// does) and `INST`/`OBJ` with arguments.
    Call,
}

/// An object of an allow-listed class, as data: the class, the arguments it
/// is created with, and the state that `BUILD` applies to it afterwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// The class.
    pub class: Global,
    /// How the object is created from `args`.
    pub construct: Construct,
    /// Positional arguments of the creation.
    pub args: Vec<Value>,
    /// Keyword arguments of the creation (`NEWOBJ_EX` only; usually empty).
    pub kwargs: Vec<(Value, Value)>,
    /// The state given to `BUILD` (usually a dict of attributes, or a
    /// `(dict, slots)` tuple), if any.
    pub state: Option<Value>,
}

impl Instance {
    /// An instance created with `cls.__new__(cls)` and no state yet.
    pub fn new(class: Global) -> Instance {
        Instance {
            class,
            construct: Construct::New,
            args: Vec::new(),
            kwargs: Vec::new(),
            state: None,
        }
    }

    /// An instance created by calling the class with `args`.
    pub fn call(class: Global, args: Vec<Value>) -> Instance {
        Instance {
            class,
            construct: Construct::Call,
            args,
            kwargs: Vec::new(),
            state: None,
        }
    }

    /// The same instance with `state` applied by `BUILD`.
    pub fn with_state(mut self, state: Value) -> Instance {
        self.state = Some(state);
        self
    }

    /// Whether the class is `module.name`.
    pub fn is(&self, module: &str, name: &str) -> bool {
        self.class.is(module, name)
    }

    /// The attribute dictionary of the state: the state itself when it is a
    /// dict, or the first item of a `(dict, slots)` tuple.
    pub fn state_dict(&self) -> Option<&[(Value, Value)]> {
        let state = self.state.as_ref()?;
        state
            .as_dict()
            .or_else(|| state.as_tuple()?.first()?.as_dict())
    }

    /// An attribute from the state: looked up in the state dict, then in the
    /// slots dict of a `(dict, slots)` state. See [`Value::get`] for how keys
    /// match.
    pub fn attr(&self, name: &str) -> Option<&Value> {
        let state = self.state.as_ref()?;
        if let Some(found) = state.get(name) {
            return Some(found);
        }
        let parts = state.as_tuple()?;
        parts.iter().find_map(|part| part.get(name))
    }
}
