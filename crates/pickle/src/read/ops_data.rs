//! Opcodes that push atoms: `None`, booleans, numbers, strings, bytes.

use super::arena::{Item, Node, limit};
use super::machine::{Machine, Result};
use super::text::{self, IntText};
use crate::error::Limit;
use crate::opcode::*;
use crate::{BigInt, Py2Str, ReadErrorKind};

impl Machine<'_, '_> {
    /// Runs `op` if it pushes an atom; `false` if it is not such an opcode.
    pub(crate) fn data_op(&mut self, op: u8) -> Result<bool> {
        let max_text = self.config.limits.max_number_text;
        match op {
            NONE => self.push(Item::None)?,
            NEWTRUE => self.push(Item::Bool(true))?,
            NEWFALSE => self.push(Item::Bool(false))?,
            INT => match text::parse_int(self.cur.line()?, max_text)? {
                IntText::Bool(b) => self.push(Item::Bool(b))?,
                IntText::Int(n) => self.push_int(n)?,
            },
            BININT => {
                let n = self.cur.i32_le()?;
                self.push(Item::Int(n.into()))?;
            }
            BININT1 => {
                let n = self.cur.byte()?;
                self.push(Item::Int(n.into()))?;
            }
            BININT2 => {
                let n = self.cur.u16_le()?;
                self.push(Item::Int(n.into()))?;
            }
            LONG => {
                let n = text::parse_long(self.cur.line()?, max_text)?;
                self.push_int(n)?;
            }
            LONG1 => {
                let len = self.cur.byte()?;
                self.binary_long(len.into())?;
            }
            LONG4 => {
                let len = self.cur.i32_le()?;
                let len = u64::try_from(len)
                    .map_err(|_| ReadErrorKind::Malformed("LONG pickle has negative byte count"))?;
                self.binary_long(len)?;
            }
            FLOAT => {
                let f = text::parse_float(self.cur.line()?, max_text)?;
                self.push(Item::Float(f))?;
            }
            BINFLOAT => {
                let f = self.cur.f64_be()?;
                self.push(Item::Float(f))?;
            }
            _ => return self.string_op(op),
        }
        Ok(true)
    }

    fn string_op(&mut self, op: u8) -> Result<bool> {
        match op {
            STRING => {
                let data = text::parse_quoted_string(self.cur.line()?)?;
                self.push_py2_str(data)?;
            }
            BINSTRING => {
                let len = self.cur.i32_le()?;
                let len = u64::try_from(len).map_err(|_| {
                    ReadErrorKind::Malformed("BINSTRING pickle has negative byte count")
                })?;
                let data = self.cur.take(len)?.to_vec();
                self.push_py2_str(data)?;
            }
            SHORT_BINSTRING => {
                let data = self.cur.short_data()?.to_vec();
                self.push_py2_str(data)?;
            }
            UNICODE => {
                let text = text::decode_raw_unicode_escape(self.cur.line()?)?;
                self.push_node(Node::Str(text))?;
            }
            BINUNICODE => {
                let data = self.cur.data4()?;
                self.push_utf8(data)?;
            }
            SHORT_BINUNICODE => {
                let data = self.cur.short_data()?;
                self.push_utf8(data)?;
            }
            BINUNICODE8 => {
                let data = self.cur.data8()?;
                self.push_utf8(data)?;
            }
            BINBYTES => {
                let data = self.cur.data4()?.to_vec();
                self.push_node(Node::Bytes(data))?;
            }
            SHORT_BINBYTES => {
                let data = self.cur.short_data()?.to_vec();
                self.push_node(Node::Bytes(data))?;
            }
            BINBYTES8 => {
                let data = self.cur.data8()?.to_vec();
                self.push_node(Node::Bytes(data))?;
            }
            BYTEARRAY8 => {
                let data = self.cur.data8()?.to_vec();
                self.push_node(Node::ByteArray(data))?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn binary_long(&mut self, len: u64) -> Result<()> {
        let max = self.config.limits.max_int_bytes;
        if len > max as u64 {
            return Err(limit(Limit::IntSize, max));
        }
        let bytes = self.cur.take(len)?;
        self.push_int(BigInt::from_le_bytes(bytes))
    }

    /// Pushes an integer, inline when it fits in 64 bits.
    fn push_int(&mut self, n: BigInt) -> Result<()> {
        match n.to_i64() {
            Some(i) => self.push(Item::Int(i)),
            None => {
                let max = self.config.limits.max_int_bytes;
                if n.as_le_bytes().len() > max {
                    return Err(limit(Limit::IntSize, max));
                }
                self.push_node(Node::BigInt(n))
            }
        }
    }

    fn push_utf8(&mut self, data: &[u8]) -> Result<()> {
        let text = std::str::from_utf8(data).map_err(|_| {
            ReadErrorKind::Malformed(
                "string is not valid UTF-8 (lone surrogates are not supported)",
            )
        })?;
        self.push_node(Node::Str(text.to_owned()))
    }

    /// A Python 2 `str`, read as the configuration says.
    fn push_py2_str(&mut self, data: Vec<u8>) -> Result<()> {
        let node = match self.config.py2_str {
            Py2Str::Bytes => Node::Bytes(data),
            Py2Str::Latin1 => Node::Str(data.iter().map(|&b| char::from(b)).collect()),
            Py2Str::Utf8 => Node::Str(
                String::from_utf8(data)
                    .map_err(|_| ReadErrorKind::Malformed("Python 2 string is not valid UTF-8"))?,
            ),
        };
        self.push_node(node)
    }
}
