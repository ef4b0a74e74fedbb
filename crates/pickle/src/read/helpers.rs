//! What calling a built-in helper global produces, computed as data.

use super::arena::{GlobalKind, Helper, InstanceNode, Item, Node};
use super::machine::{Machine, Result};
use super::ops_objects::wrong;
use crate::{Construct, Global, ReadErrorKind};

impl Machine<'_, '_> {
    /// The object `helper(*args)` would return in Python.
    pub(crate) fn call_helper(&mut self, helper: Helper, args: Vec<Item>) -> Result<Node> {
        let op = helper_name(helper);
        match helper {
            Helper::Reconstructor => self.reconstruct(args),
            Helper::Object => Err(ReadErrorKind::Unsupported(
                "creating a bare builtins.object",
            )),
            Helper::CodecsEncode => match args.as_slice() {
                [text] => self.encode(*text, None, op).map(Node::Bytes),
                [text, encoding] => self.encode(*text, Some(*encoding), op).map(Node::Bytes),
                _ => Err(wrong(op, "(str, encoding)", self.describe(&args))),
            },
            Helper::Set | Helper::FrozenSet => {
                let items = match args.as_slice() {
                    [] => Vec::new(),
                    [iterable] => self.iterable_items(*iterable, op)?,
                    _ => return Err(wrong(op, "at most one iterable", self.describe(&args))),
                };
                self.arena.count_items(0, items.len())?;
                Ok(if helper == Helper::Set {
                    Node::Set(items)
                } else {
                    Node::FrozenSet(items)
                })
            }
            Helper::Bytes | Helper::ByteArray => {
                const EXPECTED: &str = "(), (bytes,) or (str, encoding)";
                let data = match args.as_slice() {
                    [] => Vec::new(),
                    [data] => self
                        .bytes_of(*data)
                        .ok_or_else(|| wrong(op, EXPECTED, self.describe(&args)))?,
                    [text, encoding] => self.encode(*text, Some(*encoding), op)?,
                    _ => return Err(wrong(op, EXPECTED, self.describe(&args))),
                };
                Ok(if helper == Helper::Bytes {
                    Node::Bytes(data)
                } else {
                    Node::ByteArray(data)
                })
            }
        }
    }

    fn bytes_of(&self, item: Item) -> Option<Vec<u8>> {
        match item {
            Item::Obj(id) => match self.arena.get(id) {
                Node::Bytes(b) | Node::ByteArray(b) => Some(b.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// `copyreg._reconstructor(cls, object, state)`: `object.__new__(cls)`;
    /// Python ignores `state` when the base is `object`.
    fn reconstruct(&mut self, args: Vec<Item>) -> Result<Node> {
        const EXPECTED: &str = "(an allowed class, object, state)";
        let op = helper_name(Helper::Reconstructor);
        let [cls, base, _state] = args.as_slice() else {
            return Err(wrong(op, EXPECTED, self.describe(&args)));
        };
        let class = match (self.global(*cls), self.global(*base)) {
            (Some((class, GlobalKind::Class)), Some((_, GlobalKind::Helper(Helper::Object)))) => {
                class.clone()
            }
            _ => return Err(wrong(op, EXPECTED, self.describe(&args))),
        };
        Ok(Node::Instance(Box::new(InstanceNode {
            class,
            construct: Construct::New,
            args: Vec::new(),
            kwargs: Vec::new(),
            state: None,
        })))
    }

    fn global(&self, item: Item) -> Option<(&Global, GlobalKind)> {
        match item {
            Item::Obj(id) => match self.arena.get(id) {
                Node::Global(global, kind) => Some((global, *kind)),
                _ => None,
            },
            _ => None,
        }
    }

    /// `str.encode(encoding)` for the encodings Python writers use here.
    fn encode(&self, text: Item, encoding: Option<Item>, op: &'static str) -> Result<Vec<u8>> {
        const EXPECTED: &str = "(str, encoding)";
        let text = match text {
            Item::Obj(id) => match self.arena.get(id) {
                Node::Str(s) => s,
                other => return Err(wrong(op, EXPECTED, other.type_name())),
            },
            other => return Err(wrong(op, EXPECTED, self.arena.type_name(other))),
        };
        let name = match encoding {
            None => b"utf-8".as_slice(),
            Some(Item::Obj(id)) => match self.arena.get(id) {
                Node::Str(s) => s.as_bytes(),
                Node::Bytes(b) => b.as_slice(),
                other => return Err(wrong(op, EXPECTED, other.type_name())),
            },
            Some(other) => return Err(wrong(op, EXPECTED, self.arena.type_name(other))),
        };
        encode_text(text, name)
    }

    /// The items of a list, tuple, set or frozenset argument.
    fn iterable_items(&self, item: Item, op: &'static str) -> Result<Vec<Item>> {
        match item {
            Item::Obj(id) => match self.arena.get(id) {
                Node::List(items)
                | Node::Tuple(items)
                | Node::Set(items)
                | Node::FrozenSet(items) => Ok(items.clone()),
                other => Err(wrong(op, "a list, tuple or set", other.type_name())),
            },
            other => Err(wrong(
                op,
                "a list, tuple or set",
                self.arena.type_name(other),
            )),
        }
    }

    fn describe(&self, args: &[Item]) -> String {
        let names: Vec<String> = args.iter().map(|&a| self.arena.type_name(a)).collect();
        format!("({})", names.join(", "))
    }
}

fn helper_name(helper: Helper) -> &'static str {
    match helper {
        Helper::Reconstructor => "copyreg._reconstructor",
        Helper::Object => "builtins.object",
        Helper::CodecsEncode => "_codecs.encode",
        Helper::Set => "builtins.set",
        Helper::FrozenSet => "builtins.frozenset",
        Helper::Bytes => "builtins.bytes",
        Helper::ByteArray => "builtins.bytearray",
    }
}

/// Encodes `text` with the named codec: Latin-1 (what Python 3 writers of
/// protocols 0 to 2 use for `bytes`), ASCII or UTF-8.
fn encode_text(text: &str, encoding: &[u8]) -> Result<Vec<u8>> {
    let name: String = encoding
        .iter()
        .map(|&b| match b.to_ascii_lowercase() {
            b'-' | b' ' => '_',
            other => char::from(other),
        })
        .collect();
    let limit = match name.as_str() {
        "latin1" | "latin_1" | "iso8859_1" | "iso_8859_1" | "l1" => 0xff,
        "ascii" | "us_ascii" => 0x7f,
        "utf8" | "utf_8" | "u8" => return Ok(text.as_bytes().to_vec()),
        _ => {
            return Err(ReadErrorKind::Malformed(
                "unsupported encoding for bytes (latin-1, ascii or utf-8 only)",
            ));
        }
    };
    text.chars()
        .map(|c| {
            u8::try_from(u32::from(c))
                .ok()
                .filter(|&b| u32::from(b) <= limit)
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or(ReadErrorKind::Malformed(
            "string cannot be encoded with the requested encoding",
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(encode_text("a\u{ff}", b"latin1"), Ok(vec![b'a', 0xff]));
        assert_eq!(encode_text("a\u{ff}", b"Latin-1"), Ok(vec![b'a', 0xff]));
        assert_eq!(encode_text("a\u{ff}", b"utf-8"), Ok(vec![b'a', 0xc3, 0xbf]));
        assert!(encode_text("a\u{ff}", b"ascii").is_err());
        assert!(encode_text("\u{20ac}", b"latin1").is_err());
        assert!(encode_text("a", b"rot13").is_err());
    }
}
