//! A Python pickle reader and writer that never executes anything.
//!
//! ClusterShell's tree mode sends Python pickles between the initiator and
//! its gateways: command output (`bytes`), command requests (dicts), and the
//! topology (`TopologyTree` objects holding `NodeSet`s). Unpickling in
//! Python runs code; this crate instead reads the pickle opcodes into a
//! [`Value`] tree and records the few classes it allows as data
//! ([`Instance`]): a global outside the allow-list is an error that names
//! it, raised as soon as the pickle loads it. Hard [`Limits`] bound input
//! size, nesting, stack, memo and container sizes, so hostile input gets an
//! error, never a panic, a hang or an unbounded allocation.
//!
//! The writer produces what CPython's `pickle.dumps` produces for these
//! values (protocol 4 by default, any of 0 to 5 on request), so Python
//! loads it into equal objects.
//!
//! ```
//! use cscomm_pickle::{Protocol, Value};
//! let request = Value::str_dict([("cmd", Value::from("uname -r")), ("stderr", Value::Bool(true))]);
//! let pickle = cscomm_pickle::write(&request)?;
//! assert_eq!(Protocol::detect(&pickle), Some(Protocol::V4));
//! let back = cscomm_pickle::read(&pickle)?;
//! assert_eq!(back, request);
//! assert_eq!(back.get("cmd").and_then(Value::as_str), Some("uname -r"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Output payloads, the hot path of a gateway, have their own functions
//! that neither build a tree nor copy more than once:
//! [`read_bytes_payload`] and [`write_bytes_payload`].

mod bigint;
mod config;
mod error;
mod instance;
mod opcode;
mod protocol;
mod read;
mod shared;
mod value;
mod write;

pub use bigint::{BigInt, ParseBigIntError};
pub use config::{CLUSTERSHELL_CLASSES, Limits, Py2Str, ReaderConfig};
pub use error::{Limit, ReadError, ReadErrorKind, WriteError};
pub use instance::{Construct, Global, Instance};
pub use protocol::Protocol;
pub use read::{
    for_each_str_entry, read, read_bytes_payload, read_full_with, read_str_dict, read_with,
};
pub use shared::SharedIndex;
pub use value::{SharedId, Value};
pub use write::{Writer, write, write_bytes_payload, write_with};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
