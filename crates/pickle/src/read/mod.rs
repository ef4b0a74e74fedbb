//! The reader: pickle bytes to [`Value`], never executing anything.

mod arena;
mod cursor;
mod descent;
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
    read_full_with(pickle, config)
}

/// The entries of a pickle of one plain dict whose keys are all `str`,
/// the keys borrowed from the pickle: the fast path for request dicts (a
/// CTL `shell` request), which copies no key.
///
/// It answers only for the plain form writers produce: values `None`,
/// booleans, integers of up to 32 bits, floats, `str`, `bytes` and plain
/// lists, tuples and dicts of them, with no memo reference. For anything
/// else (another shape, an error) it returns `None`: use [`read`], which
/// decides. When it answers, the entries are those of [`read`]'s dict, in
/// order, with the default configuration's limits.
///
/// ```
/// use cscomm_pickle::Value;
/// // pickle.dumps({'cmd': 'ls', 'stderr': True}, protocol=4)
/// let pickle = b"\x80\x04\x95\x1a\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x03cmd\x94\x8c\x02ls\x94\x8c\x06stderr\x94\x88u.";
/// let entries = cscomm_pickle::read_str_dict(pickle).expect("plain dict");
/// assert_eq!(entries, [("cmd", Value::from("ls")), ("stderr", Value::Bool(true))]);
/// assert_eq!(cscomm_pickle::read_str_dict(b"\x80\x04N."), None);
/// ```
pub fn read_str_dict(pickle: &[u8]) -> Option<Vec<(&str, Value)>> {
    let config = ReaderConfig::shared_default();
    descent::read_str_dict(pickle, config).or_else(|| simple::read_str_dict(pickle, config))
}

/// [`read_str_dict`]'s fastest path without the vector: hands each entry
/// to `each`, in order, and returns `Some(())` if `pickle` is a plain
/// dict with `str` keys in the layout Python's pickler writes. On `None`
/// (a rarer layout, another form, an error) the entries already handed
/// over, if any, must be discarded: use [`read`], which decides.
///
/// ```
/// // pickle.dumps({'cmd': 'ls', 'stderr': True}, protocol=4)
/// let pickle = b"\x80\x04\x95\x1a\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x03cmd\x94\x8c\x02ls\x94\x8c\x06stderr\x94\x88u.";
/// let mut keys = Vec::new();
/// assert_eq!(cscomm_pickle::for_each_str_entry(pickle, |k, _| keys.push(k)), Some(()));
/// assert_eq!(keys, ["cmd", "stderr"]);
/// ```
pub fn for_each_str_entry<'p>(pickle: &'p [u8], each: impl FnMut(&'p str, Value)) -> Option<()> {
    descent::for_each_str_entry(pickle, ReaderConfig::shared_default(), each)
}

/// Reads with the full reader only, never the direct path of plain
/// dicts: for tests and benchmarks that compare the two.
#[doc(hidden)]
pub fn read_full_with(pickle: &[u8], config: &ReaderConfig) -> Result<Value, ReadError> {
    let outcome = machine::Machine::run(pickle, config)?;
    tree::build(outcome.arena, outcome.root, &config.limits)
        .map_err(|kind| ReadError::new(outcome.stop_offset, kind))
}
