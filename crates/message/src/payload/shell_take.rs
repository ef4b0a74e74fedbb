//! Shell requests taken from an owned value: the fields are moved out, not
//! copied, when the dict has the usual shape.

use bytes::Bytes;
use cscomm_pickle::Value;

use super::shell::SHELL_KEYS;
use super::{Number, ShellRequest, TaskInfo, WriteRequest};
use crate::PayloadError;

impl TryFrom<Value> for ShellRequest {
    type Error = PayloadError;

    /// The request of a decoded `shell` payload, as
    /// [`ShellRequest::from_value`] gives it (same result, same errors),
    /// moving the strings and the task info out of `value` instead of
    /// copying them.
    ///
    /// ```
    /// use cscomm_message::ShellRequest;
    ///
    /// let request = ShellRequest::new("uname -r");
    /// assert_eq!(ShellRequest::try_from(request.to_value()), Ok(request));
    /// ```
    fn try_from(value: Value) -> Result<ShellRequest, PayloadError> {
        take(value).or_else(|value| ShellRequest::from_value(&value))
    }
}

impl TryFrom<Value> for TaskInfo {
    type Error = PayloadError;

    /// The task info of a `taskinfo` dict, as [`TaskInfo::from_value`]
    /// gives it, moving the entries out of `value`.
    fn try_from(value: Value) -> Result<TaskInfo, PayloadError> {
        match value {
            Value::Dict(entries) => Ok(TaskInfo::from_entries(entries)),
            other => TaskInfo::from_value(&other),
        }
    }
}

impl ShellRequest {
    /// The request of a `shell` payload's pickle: its entries moved into
    /// the fields as they are read when the pickle is a plain dict of the
    /// usual shape ([`cscomm_pickle::for_each_str_entry`]), else as
    /// `try_from(cscomm_pickle::read(pickle)?)` (which it always equals).
    pub(crate) fn from_pickle(pickle: &[u8]) -> Result<ShellRequest, PayloadError> {
        let mut request = ShellRequest::new(String::new());
        let mut shape = Shape::default();
        let read = cscomm_pickle::for_each_str_entry(pickle, |key, value| {
            if shape.admits(Some(key), &value) {
                if let Err((key, value)) = request.set(key, value) {
                    request.extra.push((Value::from(key), value));
                }
            }
        });
        if read.is_some() && shape.is_usual() {
            return Ok(request);
        }
        ShellRequest::try_from(cscomm_pickle::read(pickle)?)
    }

    /// Sets the field of a known key from a value of its plain type; gives
    /// back any other entry.
    fn set<'k>(&mut self, key: &'k str, value: Value) -> Result<(), (&'k str, Value)> {
        match (SHELL_KEYS.iter().position(|k| *k == key), value) {
            (Some(0), Value::Str(cmd)) => self.cmd = cmd,
            (Some(1), Value::Str(invoke)) => self.invoke_gateway = invoke,
            (Some(2), Value::Dict(entries)) => self.taskinfo = TaskInfo::from_entries(entries),
            (Some(3), Value::Bool(stderr)) => self.stderr = stderr,
            (Some(4), timeout) => self.timeout = Number::from_value(&timeout),
            (Some(5), Value::Bool(remote)) => self.remote = remote,
            (_, value) => return Err((key, value)),
        }
        Ok(())
    }
}

/// Moves the fields out of a request dict of the usual shape; gives the
/// value back for any other (which `from_value` then reads or refuses).
fn take(value: Value) -> Result<ShellRequest, Value> {
    let Value::Dict(pairs) = value else {
        return Err(value);
    };
    let keys = pairs.iter().map(|(k, v)| match k {
        Value::Str(name) => (Some(name.as_str()), v),
        _ => (None, v),
    });
    if !usual_shape(keys) {
        return Err(Value::Dict(pairs));
    }
    let mut request = ShellRequest::new(String::new());
    for (key, value) in pairs {
        let unknown = match &key {
            Value::Str(name) => request.set(name, value).err().map(|(_, v)| v),
            _ => Some(value),
        };
        if let Some(value) = unknown {
            request.extra.push((key, value));
        }
    }
    Ok(request)
}

/// Whether every key is a `str` (`None`: another type) and each known key
/// is there once, with a value of its plain type (so that moving gives
/// what `from_value` reads).
fn usual_shape<'a>(pairs: impl Iterator<Item = (Option<&'a str>, &'a Value)>) -> bool {
    let mut shape = Shape::default();
    for (key, value) in pairs {
        if !shape.admits(key, value) {
            return false;
        }
    }
    shape.is_usual()
}

/// The shape of a request dict seen so far (see [`usual_shape`]).
#[derive(Default)]
struct Shape {
    seen: [u8; SHELL_KEYS.len()],
    unusual: bool,
}

impl Shape {
    /// Records one entry; `false` once the dict is not of the usual shape.
    fn admits(&mut self, key: Option<&str>, value: &Value) -> bool {
        let Some(name) = key else {
            self.unusual = true;
            return false;
        };
        let Some(at) = SHELL_KEYS.iter().position(|k| *k == name) else {
            return !self.unusual;
        };
        let typed = match at {
            0 | 1 => matches!(value, Value::Str(_)),
            2 => matches!(value, Value::Dict(_)),
            4 => matches!(value, Value::None | Value::Int(_) | Value::Float(_)),
            _ => matches!(value, Value::Bool(_)),
        };
        self.seen[at] = self.seen[at].saturating_add(1);
        self.unusual |= !typed || self.seen[at] > 1;
        !self.unusual
    }

    /// Whether every entry was admitted and every known key seen.
    fn is_usual(&self) -> bool {
        !self.unusual && self.seen.iter().all(|&n| n == 1)
    }
}

impl TryFrom<Value> for WriteRequest {
    type Error = PayloadError;

    /// The request of a decoded `write` payload, as
    /// [`WriteRequest::from_value`] gives it, moving the buffer out of
    /// `value` when the dict is `{'buf': bytes}` alone.
    fn try_from(value: Value) -> Result<WriteRequest, PayloadError> {
        match value {
            Value::Dict(mut pairs)
                if pairs.len() == 1
                    && matches!(&pairs[0], (Value::Str(k), Value::Bytes(_)) if k == "buf") =>
            {
                let Some((_, Value::Bytes(data))) = pairs.pop() else {
                    return Err(PayloadError::shape("write request changed"));
                };
                Ok(WriteRequest {
                    buf: Bytes::from(data),
                })
            }
            other => WriteRequest::from_value(&other),
        }
    }
}
