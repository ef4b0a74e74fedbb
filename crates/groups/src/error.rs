//! The crate's error type.

/// Everything that can go wrong resolving node groups or reading the
/// configuration. [`Error::message`] gives the line clush prints for it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A node set expression that does not parse, or whose group upcall
    /// failed (`reason` is ClusterShell's text, such as
    /// `cmd: "@group"`).
    #[error("Parse error: {0}")]
    Parse(String),
    /// A group source that is not configured (`<default>` when there is no
    /// default source).
    #[error("Unknown group source: \"{0}\"")]
    UnknownSource(String),
    /// A source lacks the upcall a query needs.
    #[error("No {upcall} upcall defined for group source \"{source_name}\"")]
    NoUpcall {
        /// `map`, `all`, `list` or `reverse`.
        upcall: &'static str,
        /// The source.
        source_name: String,
    },
    /// An upcall exited with a non-zero status (`cmdline` as run).
    #[error("Group error: {cmdline}")]
    QueryFailed {
        /// The command line after substitution.
        cmdline: String,
        /// The source.
        source_name: String,
    },
    /// Groups that refer to themselves, deeper than the resolver follows.
    #[error("maximum recursion depth exceeded")]
    Recursion,
    /// Resolution that cannot complete (no way to list all nodes, ...).
    #[error("External error: {0}")]
    External(String),
    /// `groups.conf` or a YAML file that ClusterShell would refuse.
    #[error("Group resolver error: {0}")]
    Config(String),
    /// A group name with one of the characters `@,!&^*` (the characters
    /// found, separated by spaces).
    #[error("Illegal group character: \"{0}\"")]
    IllegalChar(String),
    /// An INI file (`groups.conf`, `clush.conf`) that does not parse
    /// (Python's `configparser` wording).
    #[error("{0}")]
    Ini(String),
    /// A `clush.conf` value of the wrong type, or an unknown mode.
    #[error("{0}")]
    ClushConfig(String),
    /// Anything else clush reports with its program name (a group source
    /// name collision, ...).
    #[error("{0}")]
    Other(String),
    /// A file or upcall that could not be read or run (clush prints these
    /// as `ERROR: ...`, without its name).
    #[error("{0}")]
    Io(String),
}

impl Error {
    /// The line clush 1.10.1 prints on standard error for this error, with
    /// `prog` where clush names itself (its exit status is always 1).
    ///
    /// ```
    /// let e = cscomm_groups::Error::UnknownSource("zz".into());
    /// assert_eq!(e.message("cscomm"), "cscomm: Unknown group source: \"zz\"");
    /// ```
    pub fn message(&self, prog: &str) -> String {
        match self {
            Error::Io(text) | Error::ClushConfig(text) => format!("ERROR: {text}"),
            _ => format!("{prog}: {self}"),
        }
    }

    /// An I/O error in Python's words (`[Errno 2] No such file or
    /// directory: 'path'`).
    pub(crate) fn io(error: &std::io::Error, path: &std::path::Path) -> Error {
        let code = error.raw_os_error().unwrap_or(0);
        let mut text = error.to_string();
        // Rust appends " (os error N)"; Python puts "[Errno N] " in front.
        if let Some(at) = text.find(" (os error") {
            text.truncate(at);
        }
        Error::Io(format!("[Errno {code}] {text}: '{}'", path.display()))
    }
}

impl From<cscomm_topology::Error> for Error {
    fn from(error: cscomm_topology::Error) -> Error {
        match error {
            cscomm_topology::Error::NodeSet { reason, .. }
            | cscomm_topology::Error::RangeSet { reason } => Error::Parse(reason),
            other => Error::Parse(other.to_string()),
        }
    }
}
