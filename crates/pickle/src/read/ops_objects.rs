//! Opcodes that load globals and build objects: `GLOBAL`, `STACK_GLOBAL`,
//! `REDUCE`, `NEWOBJ`, `NEWOBJ_EX`, `BUILD`, `INST`, `OBJ`.
//!
//! Nothing is imported or called: a global is looked up in the fixed table
//! of built-in helpers and in the configured allow-list of classes, and
//! anything else is rejected right where it is loaded.

use super::arena::{GlobalKind, Helper, InstanceNode, Item, Node};
use super::machine::{Machine, Result};
use super::text;
use crate::opcode::*;
use crate::{Construct, Global, ReadErrorKind};

impl Machine<'_, '_> {
    /// Runs `op` if it loads a global or builds an object; `false` otherwise.
    pub(crate) fn object_op(&mut self, op: u8) -> Result<bool> {
        match op {
            GLOBAL => {
                let (global, kind) = self.global_line()?;
                self.push_node(Node::Global(Box::new(global), kind))?;
            }
            STACK_GLOBAL => {
                let name = self.pop()?;
                let module = self.pop()?;
                let module = self.str_of(module, "STACK_GLOBAL")?;
                let name = self.str_of(name, "STACK_GLOBAL")?;
                let (global, kind) = self.resolve(module, name)?;
                self.push_node(Node::Global(Box::new(global), kind))?;
            }
            REDUCE => {
                let args = self.pop()?;
                let callable = self.pop()?;
                let args = self.tuple_items(args, "REDUCE")?;
                let (global, kind) = self.global_of(callable, "REDUCE")?;
                let node = self.call(global, kind, args)?;
                self.push_node(node)?;
            }
            NEWOBJ => {
                let args = self.pop()?;
                let cls = self.pop()?;
                let args = self.tuple_items(args, "NEWOBJ")?;
                self.push_new(cls, args, Vec::new(), "NEWOBJ")?;
            }
            NEWOBJ_EX => {
                let kwargs = self.pop()?;
                let args = self.pop()?;
                let cls = self.pop()?;
                let kwargs = self.dict_pairs(kwargs, "NEWOBJ_EX")?;
                let args = self.tuple_items(args, "NEWOBJ_EX")?;
                self.push_new(cls, args, kwargs, "NEWOBJ_EX")?;
            }
            BUILD => {
                let state = self.pop()?;
                self.build(state)?;
            }
            INST => {
                let (global, kind) = self.global_line()?;
                let args = self.pop_mark()?;
                let node = self.instantiate(global, kind, args)?;
                self.push_node(node)?;
            }
            OBJ => {
                let mut args = self.pop_mark()?;
                if args.is_empty() {
                    return Err(ReadErrorKind::Malformed("OBJ without a class"));
                }
                let cls = args.remove(0);
                let (global, kind) = self.global_of(cls, "OBJ")?;
                let node = self.instantiate(global, kind, args)?;
                self.push_node(node)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The `module\nname\n` argument of `GLOBAL` and `INST`, resolved.
    fn global_line(&mut self) -> Result<(Global, GlobalKind)> {
        let module = text::parse_name(self.cur.line()?)?;
        let name = text::parse_name(self.cur.line()?)?;
        self.resolve(module, name)
    }

    /// Looks a global up in the helper table, then in the allow-list.
    fn resolve(&self, module: String, name: String) -> Result<(Global, GlobalKind)> {
        if let Some((helper, canonical)) = helper_of(&module, &name) {
            return Ok((Global::new(canonical, name), GlobalKind::Helper(helper)));
        }
        if self.config.is_allowed(&module, &name) {
            return Ok((Global::new(module, name), GlobalKind::Class));
        }
        Err(ReadErrorKind::ForbiddenGlobal { module, name })
    }

    fn str_of(&self, item: Item, op: &'static str) -> Result<String> {
        match item {
            Item::Obj(id) => match self.arena.get(id) {
                Node::Str(s) => Ok(s.clone()),
                other => Err(wrong(op, "str", other.type_name())),
            },
            other => Err(wrong(op, "str", self.arena.type_name(other))),
        }
    }

    fn global_of(&self, item: Item, op: &'static str) -> Result<(Global, GlobalKind)> {
        const EXPECTED: &str = "an allowed class or built-in";
        match item {
            Item::Obj(id) => match self.arena.get(id) {
                Node::Global(global, kind) => Ok((Global::clone(global), *kind)),
                other => Err(wrong(op, EXPECTED, other.type_name())),
            },
            other => Err(wrong(op, EXPECTED, self.arena.type_name(other))),
        }
    }

    /// The items of a tuple argument, counted as new items.
    fn tuple_items(&mut self, item: Item, op: &'static str) -> Result<Vec<Item>> {
        let items = match item {
            Item::Obj(id) => match self.arena.get(id) {
                Node::Tuple(items) => items.clone(),
                other => return Err(wrong(op, "a tuple of arguments", other.type_name())),
            },
            other => {
                return Err(wrong(
                    op,
                    "a tuple of arguments",
                    self.arena.type_name(other),
                ));
            }
        };
        self.arena.count_items(0, items.len())?;
        Ok(items)
    }

    fn dict_pairs(&mut self, item: Item, op: &'static str) -> Result<Vec<(Item, Item)>> {
        let pairs = match item {
            Item::Obj(id) => match self.arena.get(id) {
                Node::Dict(pairs) => pairs.clone(),
                other => return Err(wrong(op, "a dict of keyword arguments", other.type_name())),
            },
            other => {
                return Err(wrong(
                    op,
                    "a dict of keyword arguments",
                    self.arena.type_name(other),
                ));
            }
        };
        self.arena.count_items(0, pairs.len())?;
        Ok(pairs)
    }

    /// `NEWOBJ`/`NEWOBJ_EX`: `cls.__new__(cls, *args, **kwargs)`.
    fn push_new(
        &mut self,
        cls: Item,
        args: Vec<Item>,
        kwargs: Vec<(Item, Item)>,
        op: &'static str,
    ) -> Result<()> {
        let (class, kind) = self.global_of(cls, op)?;
        if kind != GlobalKind::Class {
            return Err(wrong(op, "an allowed class", format!("global {class}")));
        }
        self.push_node(instance(class, Construct::New, args, kwargs))
    }

    /// `REDUCE`: `callable(*args)`.
    fn call(&mut self, global: Global, kind: GlobalKind, args: Vec<Item>) -> Result<Node> {
        match kind {
            GlobalKind::Class => Ok(instance(global, Construct::Call, args, Vec::new())),
            GlobalKind::Helper(helper) => self.call_helper(helper, args),
        }
    }

    /// `INST`/`OBJ`: Python calls the class with the arguments, or creates
    /// it with `__new__` when there are none.
    fn instantiate(&mut self, global: Global, kind: GlobalKind, args: Vec<Item>) -> Result<Node> {
        match kind {
            GlobalKind::Class if args.is_empty() => {
                Ok(instance(global, Construct::New, args, Vec::new()))
            }
            _ => self.call(global, kind, args),
        }
    }

    fn build(&mut self, state: Item) -> Result<()> {
        const EXPECTED: &str = "an instance of an allowed class";
        let top = self.top()?;
        let id = match top {
            Item::Obj(id) => id,
            other => return Err(wrong("BUILD", EXPECTED, self.arena.type_name(other))),
        };
        match self.arena.get_mut(id) {
            Node::Instance(inst) if inst.state.is_none() => {
                inst.state = Some(state);
                Ok(())
            }
            Node::Instance(_) => Err(ReadErrorKind::Malformed(
                "BUILD applied twice to one object",
            )),
            other => Err(wrong("BUILD", EXPECTED, other.type_name())),
        }
    }
}

fn instance(
    class: Global,
    construct: Construct,
    args: Vec<Item>,
    kwargs: Vec<(Item, Item)>,
) -> Node {
    Node::Instance(Box::new(InstanceNode {
        class,
        construct,
        args,
        kwargs,
        state: None,
    }))
}

pub(crate) fn wrong(op: &'static str, expected: &'static str, found: String) -> ReadErrorKind {
    ReadErrorKind::WrongType {
        op,
        expected,
        found,
    }
}

/// The built-in helpers, under their Python 3 and Python 2 spellings, with
/// the Python 3 module name they are recorded under.
fn helper_of(module: &str, name: &str) -> Option<(Helper, &'static str)> {
    let builtin = matches!(module, "builtins" | "__builtin__");
    Some(match (module, name) {
        ("copyreg" | "copy_reg", "_reconstructor") => (Helper::Reconstructor, "copyreg"),
        ("_codecs", "encode") => (Helper::CodecsEncode, "_codecs"),
        (_, "object") if builtin => (Helper::Object, "builtins"),
        (_, "set") if builtin => (Helper::Set, "builtins"),
        (_, "frozenset") if builtin => (Helper::FrozenSet, "builtins"),
        (_, "bytes") if builtin => (Helper::Bytes, "builtins"),
        (_, "bytearray") if builtin => (Helper::ByteArray, "builtins"),
        _ => return None,
    })
}
