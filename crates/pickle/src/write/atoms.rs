//! Writing numbers, strings and bytes as CPython's C pickler does.

use super::encoder::{Encoder, Ident, Result};
use super::float_repr::python_repr;
use crate::opcode::*;
use crate::{BigInt, Global, WriteError};

impl<'v> Encoder<'_, 'v> {
    pub(crate) fn save_bool(&mut self, b: bool, me: Ident) -> Result<()> {
        match (self.proto >= 2, b) {
            (true, true) => self.atom(&[NEWTRUE], me),
            (true, false) => self.atom(&[NEWFALSE], me),
            (false, true) => self.atom(b"I01\n", me),
            (false, false) => self.atom(b"I00\n", me),
        }
    }

    pub(crate) fn save_int(&mut self, i: i64, me: Ident) -> Result<()> {
        let Ok(small) = i32::try_from(i) else {
            return self.save_bigint(&BigInt::from(i), me);
        };
        if self.proto == 0 {
            return self.atom(format!("I{small}\n").as_bytes(), me);
        }
        match (u8::try_from(small), u16::try_from(small)) {
            (Ok(b), _) => self.atom(&[BININT1, b], me),
            (_, Ok(w)) => {
                let [lo, hi] = w.to_le_bytes();
                self.atom(&[BININT2, lo, hi], me)
            }
            _ => {
                let [a, b, c, d] = small.to_le_bytes();
                self.atom(&[BININT, a, b, c, d], me)
            }
        }
    }

    pub(crate) fn save_bigint(&mut self, n: &BigInt, me: Ident) -> Result<()> {
        if self.proto < 2 {
            return self.atom(format!("L{n}L\n").as_bytes(), me);
        }
        let bytes = n.as_le_bytes();
        match u8::try_from(bytes.len()) {
            Ok(len) => self.out.write(&[LONG1, len]),
            Err(_) => {
                let len = i32::try_from(bytes.len()).map_err(|_| WriteError::Unsupported {
                    what: "an integer of 2 GiB or more",
                    protocol: self.proto,
                })?;
                self.out.byte(LONG4);
                self.out.write(&len.to_le_bytes());
            }
        }
        self.atom(bytes, me)
    }

    pub(crate) fn save_float(&mut self, f: f64, me: Ident) -> Result<()> {
        if self.proto == 0 {
            return self.atom(format!("F{}\n", python_repr(f)).as_bytes(), me);
        }
        self.out.byte(BINFLOAT);
        self.atom(&f.to_be_bytes(), me)
    }

    pub(crate) fn save_str(&mut self, s: &str, me: Ident) -> Result<()> {
        self.str_opcode(s)?;
        self.memoize(me);
        Ok(())
    }

    /// The opcode pushing `s`, without memoizing it.
    pub(crate) fn str_opcode(&mut self, s: &str) -> Result<()> {
        if self.proto == 0 {
            let mut line = vec![UNICODE];
            raw_unicode_escape(s, &mut line);
            line.push(b'\n');
            self.out.write(&line);
            return Ok(());
        }
        let data = s.as_bytes();
        let header =
            self.length_header(data.len(), SHORT_BINUNICODE, BINUNICODE, BINUNICODE8, 4)?;
        self.out.write_data(&header, data);
        Ok(())
    }

    /// `SHORT_*` (protocol `short_from`+), 4-byte or 8-byte length header.
    fn length_header(
        &self,
        len: usize,
        short: u8,
        long: u8,
        huge: u8,
        short_from: u8,
    ) -> Result<Vec<u8>> {
        if self.proto >= short_from {
            if let Ok(n) = u8::try_from(len) {
                return Ok(vec![short, n]);
            }
        }
        if let Ok(n) = u32::try_from(len) {
            let mut header = vec![long];
            header.extend_from_slice(&n.to_le_bytes());
            return Ok(header);
        }
        if self.proto < 4 {
            return Err(WriteError::Unsupported {
                what: "data of 4 GiB or more",
                protocol: self.proto,
            });
        }
        let mut header = vec![huge];
        header.extend_from_slice(&(len as u64).to_le_bytes());
        Ok(header)
    }

    /// `bytes`: the binary opcodes from protocol 3; before, Python 3 writes
    /// `_codecs.encode(<latin-1 text>, 'latin1')` (or `bytes()` if empty).
    pub(crate) fn save_bytes(&mut self, data: &[u8], me: Ident) -> Result<()> {
        if self.proto >= 3 {
            let header = self.length_header(data.len(), SHORT_BINBYTES, BINBYTES, BINBYTES8, 3)?;
            self.out.write_data(&header, data);
            self.memoize(me);
            return Ok(());
        }
        if data.is_empty() {
            self.save_global(&Global::new("builtins", "bytes"))?;
            self.empty_tuple();
        } else {
            self.save_global(&Global::new("_codecs", "encode"))?;
            let text: String = data.iter().map(|&b| char::from(b)).collect();
            if self.proto < 2 {
                self.out.byte(MARK);
            }
            self.save_str(&text, Ident::NONE)?;
            self.save_name("latin1")?;
            self.out.byte(if self.proto >= 2 { TUPLE2 } else { TUPLE });
            self.memoize(Ident::NONE);
        }
        self.out.byte(REDUCE);
        self.memoize(me);
        Ok(())
    }

    /// `bytearray`: `BYTEARRAY8` from protocol 5, else `bytearray(bytes)`.
    pub(crate) fn save_bytearray(&mut self, data: &[u8], me: Ident) -> Result<()> {
        if self.proto >= 5 {
            let mut header = vec![BYTEARRAY8];
            header.extend_from_slice(&(data.len() as u64).to_le_bytes());
            self.out.write_data(&header, data);
            self.memoize(me);
            return Ok(());
        }
        self.save_global(&Global::new("builtins", "bytearray"))?;
        if data.is_empty() {
            self.empty_tuple();
        } else {
            if self.proto < 2 {
                self.out.byte(MARK);
            }
            self.save_bytes(data, Ident::NONE)?;
            self.out.byte(if self.proto >= 2 { TUPLE1 } else { TUPLE });
            self.memoize(Ident::NONE);
        }
        self.out.byte(REDUCE);
        self.memoize(me);
        Ok(())
    }

    /// `()`: never memoized by CPython.
    pub(crate) fn empty_tuple(&mut self) {
        if self.proto >= 1 {
            self.out.byte(EMPTY_TUPLE);
        } else {
            self.out.write(&[MARK, TUPLE]);
        }
    }

    /// A string CPython writes as the same object each time (module and
    /// class names, the `'latin1'` constant): written once, then fetched.
    pub(crate) fn save_name(&mut self, name: &str) -> Result<()> {
        if let Some(&index) = self.names.get(name) {
            self.get(index);
            return Ok(());
        }
        self.str_opcode(name)?;
        let index = self.memoize(Ident::NONE);
        self.names.insert(name.to_owned(), index);
        Ok(())
    }
}

/// Python's `raw-unicode-escape` with the extra escapes pickle adds so the
/// text stays on one line: `\`, NUL, `\n`, `\r` and `\x1a` become `\uXXXX`.
fn raw_unicode_escape(s: &str, out: &mut Vec<u8>) {
    for c in s.chars() {
        let code = u32::from(c);
        match code {
            0x10000.. => out.extend_from_slice(format!("\\U{code:08x}").as_bytes()),
            0x100.. | 0x5c | 0 | 0x0a | 0x0d | 0x1a => {
                out.extend_from_slice(format!("\\u{code:04x}").as_bytes())
            }
            _ => out.push(code as u8),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::raw_unicode_escape;

    #[test]
    fn raw_unicode_escape_matches_pickle() {
        let mut out = Vec::new();
        raw_unicode_escape("a\u{e9}\u{20ac}\u{1f600}\\\n\0\r\x1a", &mut out);
        assert_eq!(
            out,
            b"a\xe9\\u20ac\\U0001f600\\u005c\\u000a\\u0000\\u000d\\u001a"
        );
    }
}
