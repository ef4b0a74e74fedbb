//! Pickle protocol versions.

use crate::opcode;

/// A pickle protocol version, 0 to 5.
///
/// ClusterShell 1.10 writes protocol 4; Python 2 peers read up to 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[non_exhaustive]
pub enum Protocol {
    /// Text protocol of Python 1 and 2 (`cPickle` default on Python 2).
    V0,
    /// Binary protocol of Python 1 and 2.
    V1,
    /// Python 2.3: `NEWOBJ`, `LONG1`, `TUPLE1`..; the highest Python 2 reads.
    V2,
    /// Python 3.0: `bytes` opcodes.
    V3,
    /// Python 3.4: framing, `MEMOIZE`, `STACK_GLOBAL`, sets; the default here.
    #[default]
    V4,
    /// Python 3.8: `BYTEARRAY8` and out-of-band buffers.
    V5,
}

impl Protocol {
    /// The protocol of number `n`, if it is 0 to 5.
    pub fn from_u8(n: u8) -> Option<Protocol> {
        Some(match n {
            0 => Protocol::V0,
            1 => Protocol::V1,
            2 => Protocol::V2,
            3 => Protocol::V3,
            4 => Protocol::V4,
            5 => Protocol::V5,
            _ => return None,
        })
    }

    /// The protocol number.
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// The protocol a pickle was written with, to answer a peer in kind: the
    /// number of its leading `PROTO` opcode, or [`Protocol::V0`] when there
    /// is none (protocols 0 and 1 have no `PROTO`; every reader of protocol
    /// 1 also reads 0). `None` for a `PROTO` above 5 or an empty input.
    ///
    /// ```
    /// use cscomm_pickle::Protocol;
    /// assert_eq!(Protocol::detect(b"\x80\x02N."), Some(Protocol::V2));
    /// assert_eq!(Protocol::detect(b"N."), Some(Protocol::V0));
    /// ```
    pub fn detect(pickle: &[u8]) -> Option<Protocol> {
        match pickle {
            [opcode::PROTO, n, ..] => Protocol::from_u8(*n),
            [_, ..] => Some(Protocol::V0),
            [] => None,
        }
    }
}
