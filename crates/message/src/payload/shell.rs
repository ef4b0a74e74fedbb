//! The payloads of CTL `shell` and `write`.

use bytes::Bytes;
use cscomm_pickle::Value;

use super::TaskInfo;
use crate::PayloadError;

/// A Python number as ClusterShell sends it (`int` or `float`), kept as
/// written so that it writes back the same.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An `int`.
    Int(i64),
    /// A `float`.
    Float(f64),
}

impl Number {
    /// The number of an `int` or `float` value.
    pub fn from_value(value: &Value) -> Option<Number> {
        match value.inner() {
            Value::Float(f) => Some(Number::Float(*f)),
            Value::Bool(_) => None,
            other => other.as_i64().map(Number::Int),
        }
    }

    /// As a float.
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }

    /// The Python value.
    pub fn to_value(self) -> Value {
        match self {
            Number::Int(i) => Value::Int(i),
            Number::Float(f) => Value::Float(f),
        }
    }
}

/// The payload of a CTL `shell`: run `cmd` on the target nodes.
///
/// ```
/// use cscomm_message::{Number, ShellRequest};
///
/// let mut request = ShellRequest::new("uname -r");
/// request.timeout = Some(Number::Int(5));
/// let back = ShellRequest::from_value(&request.to_value())?;
/// assert_eq!(back, request);
/// assert_eq!(back.timeout_secs(), Some(5.0));
/// # Ok::<(), cscomm_message::PayloadError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ShellRequest {
    /// The command.
    pub cmd: String,
    /// How the initiator starts gateways (`python3 -m ClusterShell.Gateway
    /// -Bu`): a gateway starts its sub-gateways the same way.
    pub invoke_gateway: String,
    /// The initiator's task settings.
    pub taskinfo: TaskInfo,
    /// Whether standard error is kept apart (SER) or merged into OUT.
    pub stderr: bool,
    /// Command timeout in seconds: `None` (Python `None`) or a number,
    /// `-1` and other negative values meaning none too.
    pub timeout: Option<Number>,
    /// `true`: run on the target nodes; `false`: run on the gateway once
    /// per target, with `%h`/`%hosts` substituted.
    pub remote: bool,
    /// Keys ClusterShell does not send, kept in order and written back
    /// after the known ones.
    pub extra: Vec<(Value, Value)>,
}

/// The keys of a shell request, in the order ClusterShell writes them.
pub(super) const SHELL_KEYS: [&str; 6] = [
    "cmd",
    "invoke_gateway",
    "taskinfo",
    "stderr",
    "timeout",
    "remote",
];

impl ShellRequest {
    /// A request to run `cmd` remotely, with no task info, no timeout,
    /// standard error merged, and an empty gateway command.
    pub fn new(cmd: impl Into<String>) -> ShellRequest {
        ShellRequest {
            cmd: cmd.into(),
            invoke_gateway: String::new(),
            taskinfo: TaskInfo::default(),
            stderr: false,
            timeout: None,
            remote: true,
            extra: Vec::new(),
        }
    }

    /// The timeout in seconds if there is one (`None`, negative: none).
    pub fn timeout_secs(&self) -> Option<f64> {
        self.timeout.map(Number::as_f64).filter(|t| *t >= 0.0)
    }

    /// The request of a decoded `shell` payload.
    ///
    /// # Errors
    /// When the value is not a dict, a key is missing, or a known key has
    /// a value of another type.
    pub fn from_value(value: &Value) -> Result<ShellRequest, PayloadError> {
        let dict = value.as_dict().ok_or_else(|| {
            PayloadError::shape(format!(
                "shell request is a {}, not a dict",
                value.type_name()
            ))
        })?;
        let field = |key: &str| {
            value
                .get(key)
                .ok_or_else(|| PayloadError::shape(format!("shell request has no key '{key}'")))
        };
        let text = |key: &str| {
            let v = field(key)?;
            text_of(v).ok_or_else(|| wrong_type(key, "str", v))
        };
        let flag = |key: &str| {
            let v = field(key)?;
            v.as_bool().ok_or_else(|| wrong_type(key, "bool", v))
        };
        let timeout = match field("timeout")? {
            v if v.is_none() => None,
            v => Some(
                Number::from_value(v).ok_or_else(|| wrong_type("timeout", "number or None", v))?,
            ),
        };
        Ok(ShellRequest {
            cmd: text("cmd")?,
            invoke_gateway: text("invoke_gateway")?,
            taskinfo: TaskInfo::from_value(field("taskinfo")?)?,
            stderr: flag("stderr")?,
            timeout,
            remote: flag("remote")?,
            extra: dict
                .iter()
                .filter(|(k, _)| text_of(k).is_none_or(|k| !SHELL_KEYS.contains(&k.as_str())))
                .cloned()
                .collect(),
        })
    }

    /// The dict to pickle, keys in ClusterShell's order.
    pub fn to_value(&self) -> Value {
        let mut pairs = vec![
            (Value::from("cmd"), Value::from(self.cmd.as_str())),
            (
                Value::from("invoke_gateway"),
                Value::from(self.invoke_gateway.as_str()),
            ),
            (Value::from("taskinfo"), self.taskinfo.to_value()),
            (Value::from("stderr"), Value::Bool(self.stderr)),
            (
                Value::from("timeout"),
                self.timeout.map_or(Value::None, Number::to_value),
            ),
            (Value::from("remote"), Value::Bool(self.remote)),
        ];
        pairs.extend(self.extra.iter().cloned());
        Value::Dict(pairs)
    }
}

/// The payload of a CTL `write`: bytes for the standard input of the
/// target nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRequest {
    /// The bytes to write.
    pub buf: Bytes,
}

impl WriteRequest {
    /// The request of a decoded `write` payload (`{'buf': bytes}`).
    ///
    /// # Errors
    /// When there is no `buf` bytes entry.
    pub fn from_value(value: &Value) -> Result<WriteRequest, PayloadError> {
        let buf = value.get("buf").ok_or_else(|| {
            PayloadError::shape(format!(
                "write request ({}) has no key 'buf'",
                value.type_name()
            ))
        })?;
        let data = buf
            .as_bytes()
            .ok_or_else(|| wrong_type("buf", "bytes", buf))?;
        Ok(WriteRequest {
            buf: Bytes::copy_from_slice(data),
        })
    }

    /// The dict to pickle.
    pub fn to_value(&self) -> Value {
        Value::str_dict([("buf", Value::bytes(&self.buf[..]))])
    }
}

/// Text of a `str`, or of a UTF-8 byte string (Python 2 `str`).
fn text_of(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned).or_else(|| {
        value
            .as_bytes()
            .and_then(|b| String::from_utf8(b.to_vec()).ok())
    })
}

fn wrong_type(key: &str, expected: &str, found: &Value) -> PayloadError {
    PayloadError::shape(format!(
        "'{key}' is a {}, expected {expected}",
        found.type_name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_checked() {
        assert!(ShellRequest::from_value(&Value::None).is_err());
        let mut request = ShellRequest::new("ls").to_value();
        assert!(ShellRequest::from_value(&request).is_ok());
        if let Value::Dict(pairs) = &mut request {
            pairs.push((Value::from("extra"), Value::Int(1)));
            pairs[3].1 = Value::Int(1);
        }
        let err = ShellRequest::from_value(&request).unwrap_err();
        assert_eq!(err.to_string(), "'stderr' is a int, expected bool");
        let write = WriteRequest {
            buf: Bytes::from_static(b"x\n"),
        };
        assert_eq!(WriteRequest::from_value(&write.to_value()), Ok(write));
        assert!(WriteRequest::from_value(&Value::str_dict([("buf", Value::None)])).is_err());
    }
}
