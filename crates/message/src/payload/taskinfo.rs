//! The `taskinfo` dict of a shell request: ClusterShell task settings.

use cscomm_pickle::Value;

use super::Number;
use crate::PayloadError;

/// Prefix of the `taskinfo` keys that set task defaults on the gateway
/// (`tree_default:<key>`).
pub const TREE_DEFAULT_PREFIX: &str = "tree_default:";

/// The `taskinfo` of a shell request: the initiator's task settings, which
/// the gateway applies to its own task.
///
/// The entries are kept in their order, with their Python values, so that
/// a request reads back and writes out unchanged (unknown keys included);
/// the keys ClusterShell knows have typed accessors. Keys are `str` (or
/// byte strings from Python 2 peers, matched as UTF-8).
///
/// ```
/// use cscomm_message::TaskInfo;
/// use cscomm_pickle::Value;
///
/// let mut info = TaskInfo::default();
/// info.set("fanout", Value::Int(64));
/// info.set("connect_timeout", Value::Int(10));
/// info.set("tree_default:stderr", Value::Bool(true));
/// assert_eq!(info.fanout(), Some(64));
/// assert_eq!(info.connect_timeout(), Some(10.0));
/// assert_eq!(info.tree_defaults().collect::<Vec<_>>(), [("stderr", &Value::Bool(true))]);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskInfo {
    entries: Vec<(Value, Value)>,
}

/// Accessors of text settings.
macro_rules! text_settings {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $name(&self) -> Option<&str> {
            self.get(stringify!($name)).and_then(Value::as_str)
        }
    )*};
}

impl TaskInfo {
    /// The task info of a `taskinfo` dict.
    ///
    /// # Errors
    /// When `value` is not a dict.
    pub fn from_value(value: &Value) -> Result<TaskInfo, PayloadError> {
        let pairs = value.as_dict().ok_or_else(|| {
            PayloadError::shape(format!("taskinfo is a {}, not a dict", value.type_name()))
        })?;
        Ok(TaskInfo {
            entries: pairs.to_vec(),
        })
    }

    /// The task info of these entries, kept as they are.
    pub(super) fn from_entries(entries: Vec<(Value, Value)>) -> TaskInfo {
        TaskInfo { entries }
    }

    /// The dict to pickle.
    pub fn to_value(&self) -> Value {
        Value::Dict(self.entries.clone())
    }

    /// The value of `key` (the last one if a key repeats).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| key_text(k) == Some(key))
            .map(|(_, v)| v)
    }

    /// Sets `key` to `value`, in place when present, else at the end.
    pub fn set(&mut self, key: &str, value: Value) {
        match self
            .entries
            .iter_mut()
            .rev()
            .find(|(k, _)| key_text(k) == Some(key))
        {
            Some(entry) => entry.1 = value,
            None => self.entries.push((Value::from(key), value)),
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self
            .entries
            .iter()
            .position(|(k, _)| key_text(k) == Some(key))?;
        Some(self.entries.remove(at).1)
    }

    /// All entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Value, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `tree_default:<key>` entries as `(key, value)`: defaults the
    /// gateway sets on its task.
    pub fn tree_defaults(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().filter_map(|(k, v)| {
            key_text(k)?
                .strip_prefix(TREE_DEFAULT_PREFIX)
                .map(|name| (name, v))
        })
    }

    /// `debug`: debug output requested (Python truthiness of a bool or an
    /// int).
    pub fn debug(&self) -> Option<bool> {
        let value = self.get("debug")?;
        value.as_bool().or_else(|| value.as_i64().map(|n| n != 0))
    }

    /// `fanout`: how many commands run at once.
    pub fn fanout(&self) -> Option<i64> {
        self.get("fanout")?.as_i64()
    }

    /// `grooming_delay`: seconds between grouped output messages.
    pub fn grooming_delay(&self) -> Option<f64> {
        self.number("grooming_delay")
    }

    /// `connect_timeout`: seconds allowed to connect (0: none).
    pub fn connect_timeout(&self) -> Option<f64> {
        self.number("connect_timeout")
    }

    /// `command_timeout`: seconds allowed per command (0: none).
    pub fn command_timeout(&self) -> Option<f64> {
        self.number("command_timeout")
    }

    text_settings! {
        /// `ssh_path`: the ssh program (may hold options).
        ssh_path,
        /// `ssh_user`: the remote user name.
        ssh_user,
        /// `ssh_options`: extra ssh options.
        ssh_options,
        /// `scp_path`: the scp program.
        scp_path,
        /// `scp_user`: the remote user name for copies.
        scp_user,
        /// `scp_options`: extra scp options.
        scp_options,
        /// `rsh_path`: the rsh program.
        rsh_path,
        /// `rsh_user`: the rsh remote user name.
        rsh_user,
        /// `rsh_options`: extra rsh options.
        rsh_options,
        /// `rcp_path`: the rcp program.
        rcp_path,
        /// `rcp_options`: extra rcp options.
        rcp_options,
        /// `pdsh_path`: the pdsh program.
        pdsh_path,
        /// `pdcp_path`: the pdcp program.
        pdcp_path,
        /// `rpdcp_path`: the rpdcp program.
        rpdcp_path,
    }

    fn number(&self, key: &str) -> Option<f64> {
        Number::from_value(self.get(key)?).map(Number::as_f64)
    }
}

/// A dict key as text: a `str`, or a UTF-8 byte string (Python 2).
fn key_text(key: &Value) -> Option<&str> {
    key.as_str()
        .or_else(|| key.as_bytes().and_then(|b| std::str::from_utf8(b).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys_typed_unknown_kept() {
        let value = Value::Dict(vec![
            (Value::from("debug"), Value::Bool(false)),
            (Value::bytes(&b"fanout"[..]), Value::Int(8)),
            (Value::from("grooming_delay"), Value::Float(0.25)),
            (Value::from("ssh_user"), Value::from("root")),
            (Value::from("custom"), Value::List(vec![Value::Int(1)])),
            (Value::from("tree_default:stdin"), Value::Bool(false)),
        ]);
        let mut info = TaskInfo::from_value(&value).unwrap();
        assert_eq!(info.debug(), Some(false));
        assert_eq!(info.fanout(), Some(8));
        assert_eq!(info.grooming_delay(), Some(0.25));
        assert_eq!(info.ssh_user(), Some("root"));
        assert_eq!(info.ssh_path(), None);
        assert_eq!(info.tree_defaults().count(), 1);
        assert_eq!(info.to_value(), value);
        info.set("fanout", Value::Int(3));
        assert_eq!(info.fanout(), Some(3));
        assert_eq!(info.len(), 6);
        assert_eq!(
            info.remove("custom"),
            Some(Value::List(vec![Value::Int(1)]))
        );
        assert!(TaskInfo::from_value(&Value::None).is_err());
    }
}
