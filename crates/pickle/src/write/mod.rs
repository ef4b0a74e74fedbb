//! The writer: [`Value`] to pickle bytes, in CPython's opcode style.

mod atoms;
mod containers;
mod encoder;
mod float_repr;
mod objects;
mod output;

use crate::opcode::*;
use crate::{Protocol, Value, WriteError};
use encoder::Encoder;
use output::FRAME_TARGET;

/// Writes values as pickles of one protocol.
///
/// The output is what CPython's `pickle.dumps(value, protocol)` produces
/// for the same Python object (byte for byte for plain values whose strings
/// are not shared), so any Python peer loads it into an equal object.
///
/// ```
/// use cscomm_pickle::{Protocol, Value, Writer};
/// let mut out = Vec::new();
/// Writer::new(Protocol::V2).write(&Value::List(vec![Value::Int(1)]), &mut out)?;
/// assert_eq!(out, b"\x80\x02]q\x00K\x01a.");
/// # Ok::<(), cscomm_pickle::WriteError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Writer {
    protocol: Protocol,
    max_depth: usize,
}

impl Default for Writer {
    /// Protocol 4 (what ClusterShell 1.10 writes), depth limit 1000.
    fn default() -> Writer {
        Writer::new(Protocol::default())
    }
}

impl Writer {
    /// A writer of `protocol`, with a nesting limit of 1000 levels (Python
    /// cannot write deeper values either).
    pub fn new(protocol: Protocol) -> Writer {
        Writer {
            protocol,
            max_depth: 1000,
        }
    }

    /// The same writer with another nesting limit. Each level costs stack:
    /// keep it within what the calling thread's stack holds.
    pub fn with_max_depth(mut self, max_depth: usize) -> Writer {
        self.max_depth = max_depth;
        self
    }

    /// The protocol written.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Appends the pickle of `value` to `out`. On error `out` is left as it
    /// was.
    ///
    /// # Errors
    /// A [`Value::Ref`] with no [`Value::Shared`] before it, a value nested
    /// deeper than the limit, or a value the protocol cannot express (such
    /// as `__new__` arguments before protocol 2).
    pub fn write(&self, value: &Value, out: &mut Vec<u8>) -> Result<(), WriteError> {
        let start = out.len();
        let result = Encoder::new(out, self.protocol.as_u8(), self.max_depth).dump(value);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    /// The pickle of `value`.
    ///
    /// # Errors
    /// See [`Writer::write`].
    pub fn to_vec(&self, value: &Value) -> Result<Vec<u8>, WriteError> {
        let mut out = Vec::new();
        self.write(value, &mut out)?;
        Ok(out)
    }
}

/// The protocol 4 pickle of `value` (see [`Writer`]).
///
/// # Errors
/// See [`Writer::write`].
pub fn write(value: &Value) -> Result<Vec<u8>, WriteError> {
    Writer::default().to_vec(value)
}

/// The pickle of `value` in `protocol` (see [`Writer`]).
///
/// # Errors
/// See [`Writer::write`].
pub fn write_with(value: &Value, protocol: Protocol) -> Result<Vec<u8>, WriteError> {
    Writer::new(protocol).to_vec(value)
}

/// Appends the pickle of one `bytes` object holding `data` to `out`: the
/// OUT/SER payload of a gateway. Byte for byte what `pickle.dumps(data,
/// protocol)` gives, written with one copy of `data` and no tree.
///
/// ```
/// let mut out = Vec::new();
/// cscomm_pickle::write_bytes_payload(b"hello", cscomm_pickle::Protocol::V4, &mut out);
/// assert_eq!(out, b"\x80\x04\x95\x09\x00\x00\x00\x00\x00\x00\x00C\x05hello\x94.");
/// ```
pub fn write_bytes_payload(data: &[u8], protocol: Protocol, out: &mut Vec<u8>) {
    let proto = protocol.as_u8();
    if proto < 3 {
        let mut enc = Encoder::new(out, proto, 1);
        enc.header();
        // Cannot fail: a bytes object below protocol 3 has no size limit
        // and no nesting.
        let _ = enc.save_bytes(data, encoder::Ident::NONE);
        enc.finish();
        return;
    }
    out.reserve(data.len() + 22);
    out.extend_from_slice(&[PROTO, proto]);
    let len = data.len();
    if proto == 3 {
        bytes_header(len, out);
        out.extend_from_slice(data);
        out.extend_from_slice(&[BINPUT, 0, STOP]);
        return;
    }
    if len < FRAME_TARGET {
        let header_len = if len < 256 { 2 } else { 5 };
        out.push(FRAME);
        out.extend_from_slice(&((header_len + len + 2) as u64).to_le_bytes());
    }
    bytes_header(len, out);
    out.extend_from_slice(data);
    out.extend_from_slice(&[MEMOIZE, STOP]);
}

fn bytes_header(len: usize, out: &mut Vec<u8>) {
    if let Ok(n) = u8::try_from(len) {
        out.extend_from_slice(&[SHORT_BINBYTES, n]);
    } else if let Ok(n) = u32::try_from(len) {
        out.push(BINBYTES);
        out.extend_from_slice(&n.to_le_bytes());
    } else {
        out.push(BINBYTES8);
        out.extend_from_slice(&(len as u64).to_le_bytes());
    }
}
