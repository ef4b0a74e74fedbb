//! A bounds-checked cursor over the pickle bytes.

use crate::ReadErrorKind;

/// Reads opcode arguments; every length is checked against what remains
/// before anything is allocated.
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

type Result<T> = std::result::Result<T, ReadErrorKind>;

impl<'a> Cursor<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Cursor<'a> {
        Cursor { data, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// The next byte, not consumed.
    pub(crate) fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    pub(crate) fn byte(&mut self) -> Result<u8> {
        let byte = *self.data.get(self.pos).ok_or(ReadErrorKind::Truncated)?;
        self.pos += 1;
        Ok(byte)
    }

    /// The next `len` bytes; `len` may be any declared length.
    pub(crate) fn take(&mut self, len: u64) -> Result<&'a [u8]> {
        let len = usize::try_from(len).map_err(|_| ReadErrorKind::Truncated)?;
        if len > self.remaining() {
            return Err(ReadErrorKind::Truncated);
        }
        let out = &self.data[self.pos..self.pos + len];
        self.pos += len;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N as u64)?);
        Ok(out)
    }

    pub(crate) fn u16_le(&mut self) -> Result<u16> {
        self.array().map(u16::from_le_bytes)
    }

    pub(crate) fn u32_le(&mut self) -> Result<u32> {
        self.array().map(u32::from_le_bytes)
    }

    pub(crate) fn i32_le(&mut self) -> Result<i32> {
        self.array().map(i32::from_le_bytes)
    }

    pub(crate) fn u64_le(&mut self) -> Result<u64> {
        self.array().map(u64::from_le_bytes)
    }

    pub(crate) fn f64_be(&mut self) -> Result<f64> {
        self.array().map(f64::from_be_bytes)
    }

    /// The bytes up to the next newline, which is consumed but not returned.
    pub(crate) fn line(&mut self) -> Result<&'a [u8]> {
        let rest = &self.data[self.pos..];
        let end = memchr::memchr(b'\n', rest).ok_or(ReadErrorKind::Truncated)?;
        self.pos += end + 1;
        Ok(&rest[..end])
    }

    /// A length-prefixed byte string: `u8` prefix.
    pub(crate) fn short_data(&mut self) -> Result<&'a [u8]> {
        let len = self.byte()?;
        self.take(len.into())
    }

    /// A length-prefixed byte string: `u32` prefix.
    pub(crate) fn data4(&mut self) -> Result<&'a [u8]> {
        let len = self.u32_le()?;
        self.take(len.into())
    }

    /// A length-prefixed byte string: `u64` prefix.
    pub(crate) fn data8(&mut self) -> Result<&'a [u8]> {
        let len = self.u64_le()?;
        self.take(len)
    }
}
