//! The reader: pickle bytes to [`Value`], never executing anything.

mod arena;
mod cursor;
mod fast;
mod helpers;
mod machine;
mod memo;
mod ops_containers;
mod ops_data;
mod ops_objects;
mod simple;
mod text;
mod tree;

pub use fast::read_bytes_payload;

use crate::{ReadError, ReaderConfig, Value};

/// Reads a pickle of any protocol (0 to 5) with the default configuration:
/// ClusterShell's classes allowed, default limits, Python 2 strings as bytes.
///
/// ```
/// use cscomm_pickle::Value;
/// // pickle.dumps([1, 'a'], protocol=2)
/// let value = cscomm_pickle::read(b"\x80\x02]q\x00(K\x01X\x01\x00\x00\x00aq\x01e.")?;
/// assert_eq!(value, Value::List(vec![Value::Int(1), Value::from("a")]));
/// # Ok::<(), cscomm_pickle::ReadError>(())
/// ```
pub fn read(pickle: &[u8]) -> Result<Value, ReadError> {
    read_with(pickle, ReaderConfig::shared_default())
}

/// Reads a pickle with the given allow-list, limits and string mode.
///
/// The input must be exactly one pickle: bytes after its `STOP` are an
/// error. Globals outside the helper table and the allow-list are refused
/// when loaded, naming them; every length is checked against the input and
/// the limits before allocating.
///
/// ```
/// use cscomm_pickle::{ReadErrorKind, ReaderConfig};
/// // A NodeSet is refused when its class is not allowed.
/// let pickle = b"\x80\x02cClusterShell.NodeSet\nNodeSet\nq\x00)\x81q\x01.";
/// let err = cscomm_pickle::read_with(pickle, &ReaderConfig::without_classes()).unwrap_err();
/// assert!(matches!(err.kind, ReadErrorKind::ForbiddenGlobal { .. }));
/// assert!(cscomm_pickle::read(pickle).is_ok());
/// ```
pub fn read_with(pickle: &[u8], config: &ReaderConfig) -> Result<Value, ReadError> {
    // Plain request dicts take a direct path; anything else (or anything
    // wrong) goes through the full reader, which has the last word.
    if let Some(value) = simple::read(pickle, config) {
        return Ok(value);
    }
    let outcome = machine::Machine::run(pickle, config)?;
    tree::build(outcome.arena, outcome.root, &config.limits)
        .map_err(|kind| ReadError::new(outcome.stop_offset, kind))
}
