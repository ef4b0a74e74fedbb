//! ClusterShell's pickled objects (node sets, topology) to and from our
//! types, through the [`Value`] data model of the pickle crate.

mod nodeset;
mod topology;
mod tree;

pub use nodeset::{nodeset_from_value, nodeset_to_value};
pub use topology::{PickledTopology, TopologyGroup};

use cscomm_pickle::{SharedIndex, Value};

use crate::PayloadError;

/// Text of a `str`, or of a UTF-8 byte string (Python 2 peers).
pub(crate) fn text<'a>(index: &SharedIndex<'a>, value: &'a Value) -> Option<&'a str> {
    let value = index.resolve(value);
    value
        .as_str()
        .or_else(|| value.as_bytes().and_then(|b| std::str::from_utf8(b).ok()))
}

/// A shape error naming what was expected and what was found.
pub(crate) fn unexpected(what: &str, found: &Value) -> PayloadError {
    PayloadError::shape(format!("expected {what}, found {}", found.type_name()))
}
