//! Shared support of the integration tests: the Python peer and the
//! canonical text of values (the same text `py/canon.py` computes in Python).

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;

use cscomm_pickle::{Construct, SharedId, SharedIndex, Value};
use cscomm_testkit::python::Python;

/// Python source of `canon(obj)`.
pub const CANON_PY: &str = include_str!("../py/canon.py");
/// Python source of `corpus()` and `by_name()`.
pub const CORPUS_PY: &str = include_str!("../py/corpus.py");

/// Runs `body` after the canon and corpus sources in one ClusterShell 1.10.1
/// interpreter (fixed hash seed, so set order is the same in every run),
/// feeding `stdin`; panics with Python's stderr on failure.
pub fn run_python(body: &str, stdin: &[u8]) -> String {
    let script = format!("{CANON_PY}\n{CORPUS_PY}\n{body}");
    let out = Python::clustershell().run_ok(&script, &[], stdin);
    String::from_utf8(out).expect("Python prints text")
}

pub fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The canonical text of `value`, as `canon.py` writes it for the Python
/// object: shared objects numbered in output order, set items sorted.
pub fn canon(value: &Value) -> String {
    let mut c = Canon {
        index: SharedIndex::new(value),
        names: HashMap::new(),
    };
    let mut out = String::new();
    c.emit(value, &mut out, true, 0);
    out
}

struct Canon<'a> {
    index: SharedIndex<'a>,
    names: HashMap<SharedId, usize>,
}

impl<'a> Canon<'a> {
    fn emit(&mut self, value: &'a Value, out: &mut String, mark: bool, depth: usize) {
        if !mark && depth > 4 {
            out.push('~');
            return;
        }
        let value = match value {
            Value::Shared(id, _) | Value::Ref(id) => {
                let target = self.index.get(*id).expect("reference to a known object");
                if mark {
                    if let Some(n) = self.names.get(id) {
                        out.push_str(&format!("@{n}"));
                        return;
                    }
                    let n = self.names.len();
                    self.names.insert(*id, n);
                    out.push_str(&format!("#{n}="));
                }
                target
            }
            other => other,
        };
        self.emit_plain(value, out, mark, depth);
    }

    fn seq(
        &mut self,
        items: &'a [Value],
        open: &str,
        close: &str,
        out: &mut String,
        mark: bool,
        depth: usize,
    ) {
        out.push_str(open);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            self.emit(item, out, mark, depth + 1);
        }
        out.push_str(close);
    }

    fn pairs(&mut self, pairs: &'a [(Value, Value)], out: &mut String, mark: bool, depth: usize) {
        out.push('{');
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            self.emit(k, out, mark, depth + 1);
            out.push(':');
            self.emit(v, out, mark, depth + 1);
        }
        out.push('}');
    }

    fn emit_plain(&mut self, value: &'a Value, out: &mut String, mark: bool, depth: usize) {
        match value {
            Value::None => out.push('N'),
            Value::Bool(b) => out.push(if *b { 'T' } else { 'F' }),
            Value::Int(i) => out.push_str(&format!("i{i};")),
            Value::BigInt(n) => out.push_str(&format!("i{n};")),
            Value::Float(f) => out.push_str(&format!("f{:016x}", f.to_bits())),
            Value::Str(s) => out.push_str(&format!("s{};", hex(s.as_bytes()))),
            Value::Bytes(b) => out.push_str(&format!("b{};", hex(b))),
            Value::ByteArray(b) => out.push_str(&format!("y{};", hex(b))),
            Value::List(items) => self.seq(items, "[", "]", out, mark, depth),
            Value::Tuple(items) => self.seq(items, "(", ")", out, mark, depth),
            Value::Dict(pairs) => self.pairs(pairs, out, mark, depth),
            Value::Set(items) | Value::FrozenSet(items) => {
                let mut sorted: Vec<&'a Value> = items.iter().collect();
                sorted.sort_by_cached_key(|item| self.key(item));
                out.push_str(if matches!(value, Value::Set(_)) {
                    "S{"
                } else {
                    "Z{"
                });
                for (i, item) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.emit(item, out, mark, depth + 1);
                }
                out.push('}');
            }
            Value::Global(g) => out.push_str(&format!("G{}.{};", g.module, g.name)),
            Value::Instance(inst) => {
                let how = match inst.construct {
                    Construct::New => "new",
                    Construct::Call => "call",
                    other => panic!("no notation for the construct {other:?}"),
                };
                out.push_str(&format!("O{}.{}/{how}", inst.class.module, inst.class.name));
                self.seq(&inst.args, "(", ")", out, mark, depth);
                self.pairs(&inst.kwargs, out, mark, depth);
                match &inst.state {
                    None => out.push('-'),
                    Some(state) => self.emit(state, out, mark, depth + 1),
                }
            }
            Value::Shared(..) | Value::Ref(_) => self.emit(value, out, mark, depth),
            other => panic!("no notation for a {}", other.type_name()),
        }
    }

    fn key(&mut self, value: &'a Value) -> String {
        let mut out = String::new();
        self.emit(value, &mut out, false, 0);
        out
    }
}
