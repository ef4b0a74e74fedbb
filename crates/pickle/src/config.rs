//! Reader settings: allow-list of classes, limits, Python 2 strings.

use crate::Global;

/// The classes ClusterShell pickles between the initiator and gateways.
pub const CLUSTERSHELL_CLASSES: [(&str, &str); 5] = [
    ("ClusterShell.Topology", "TopologyTree"),
    ("ClusterShell.Topology", "TopologyNodeGroup"),
    ("ClusterShell.NodeSet", "NodeSet"),
    ("ClusterShell.RangeSet", "RangeSet"),
    ("ClusterShell.RangeSet", "RangeSetND"),
];

/// Hard limits on what a pickle may make the reader do. Crossing one is an
/// error ([`crate::ReadErrorKind::LimitExceeded`]), never a panic or an
/// unbounded allocation.
///
/// The defaults are generous for ClusterShell's payloads (a topology of a
/// large cluster is a few thousand objects). Memory while reading is about
/// the input, plus the `str`/`bytes` data of the result
/// (`max_value_bytes`), plus at most about 100 bytes per object
/// (`max_objects`, about 200 MiB at the default): a million nested lists
/// from a 2 MB pickle take about 110 MiB before the depth limit rejects
/// them (measured by the `hostile` tests).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest input accepted, in bytes.
    pub max_input_len: usize,
    /// Deepest nesting of containers and instances in the result. The
    /// default, 1000, is Python's own recursion limit: Python cannot write
    /// deeper values.
    pub max_depth: usize,
    /// Most values plus marks on the VM stack at once.
    pub max_stack: usize,
    /// Most memo entries.
    pub max_memo: usize,
    /// Most objects (strings, containers, instances, ...) created.
    pub max_objects: usize,
    /// Most items in one container (or arguments of one call).
    pub max_container_len: usize,
    /// Most items added to all containers together.
    pub max_total_items: usize,
    /// Most bytes of one integer (`LONG1`/`LONG4`; about 2.4 decimal digits
    /// per byte for text `LONG`).
    pub max_int_bytes: usize,
    /// Longest number written as text (`INT`, `LONG`, `FLOAT`, memo keys).
    /// The default is Python's `int` limit of 4300 digits.
    pub max_number_text: usize,
    /// Most bytes of `str`/`bytes` data in the result, counting each copy of
    /// a string referenced from several places.
    pub max_value_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_len: 256 << 20,
            max_depth: 1000,
            max_stack: 1 << 20,
            max_memo: 1 << 20,
            max_objects: 1 << 21,
            max_container_len: 1 << 21,
            max_total_items: 1 << 22,
            max_int_bytes: 4096,
            max_number_text: 4300,
            max_value_bytes: 512 << 20,
        }
    }
}

/// How Python 2 byte strings (`STRING`, `BINSTRING`, `SHORT_BINSTRING`)
/// are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Py2Str {
    /// As [`crate::Value::Bytes`] (default): ClusterShell's Python 2 peers send
    /// command output as `str`, which is binary. Use [`crate::Value::get`]
    /// to look up dicts whose keys are such strings.
    #[default]
    Bytes,
    /// As [`crate::Value::Str`], each byte being one Latin-1 character.
    Latin1,
    /// As [`crate::Value::Str`], decoded as UTF-8; invalid UTF-8 is an error.
    Utf8,
}

/// Settings of the reader: which classes it records, its limits, and how it
/// reads Python 2 strings.
///
/// ```
/// use cscomm_pickle::ReaderConfig;
/// let config = ReaderConfig::default().allow_class("mymod", "Point");
/// assert!(config.is_allowed("ClusterShell.NodeSet", "NodeSet"));
/// assert!(config.is_allowed("mymod", "Point"));
/// assert!(!config.is_allowed("os", "system"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReaderConfig {
    /// Hard limits.
    pub limits: Limits,
    /// How Python 2 byte strings are read.
    pub py2_str: Py2Str,
    classes: Vec<Global>,
}

impl Default for ReaderConfig {
    /// ClusterShell's classes ([`CLUSTERSHELL_CLASSES`]), default limits,
    /// Python 2 strings as bytes.
    fn default() -> ReaderConfig {
        CLUSTERSHELL_CLASSES
            .iter()
            .fold(ReaderConfig::without_classes(), |config, (module, name)| {
                config.allow_class(module, name)
            })
    }
}

/// The default configuration, built once.
static DEFAULT: std::sync::LazyLock<ReaderConfig> = std::sync::LazyLock::new(ReaderConfig::default);

impl ReaderConfig {
    /// The [`Default`] configuration, built once and shared (what
    /// [`crate::read`] uses, without rebuilding the allow-list each call).
    pub fn shared_default() -> &'static ReaderConfig {
        &DEFAULT
    }

    /// No class allowed: only plain values (and the built-in helpers that
    /// build `bytes`, `set`, ...), with default limits.
    pub fn without_classes() -> ReaderConfig {
        ReaderConfig {
            limits: Limits::default(),
            py2_str: Py2Str::default(),
            classes: Vec::new(),
        }
    }

    /// Also allows instances of `module.name`, recorded as
    /// [`crate::Instance`]s.
    pub fn allow_class(mut self, module: &str, name: &str) -> ReaderConfig {
        if !self.is_allowed(module, name) {
            self.classes.push(Global::new(module, name));
        }
        self
    }

    /// The same settings with other limits.
    pub fn with_limits(mut self, limits: Limits) -> ReaderConfig {
        self.limits = limits;
        self
    }

    /// The same settings with another Python 2 string mode.
    pub fn with_py2_str(mut self, mode: Py2Str) -> ReaderConfig {
        self.py2_str = mode;
        self
    }

    /// Whether instances of `module.name` are allowed.
    pub fn is_allowed(&self, module: &str, name: &str) -> bool {
        self.classes.iter().any(|g| g.is(module, name))
    }

    /// The allowed classes.
    pub fn allowed_classes(&self) -> &[Global] {
        &self.classes
    }
}
