//! Per-run settings.

use std::time::Duration;

/// ClusterShell's default fanout (clush's too).
pub const DEFAULT_FANOUT: usize = 64;
/// The default longest line delivered whole (longer ones come in pieces).
pub const DEFAULT_MAX_LINE_LENGTH: usize = 1 << 20;
/// The default budget of output bytes buffered between a run and its consumer.
pub const DEFAULT_BUFFER_BYTES: usize = 4 << 20;

/// How a process's standard error is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StderrMode {
    /// Its own pipe, reported as [`EventKind::Stderr`](crate::EventKind::Stderr)
    /// (ClusterShell's `stderr=True`, what clush uses).
    #[default]
    Separate,
    /// The same pipe as standard output, interleaved as the process wrote it
    /// (ClusterShell's `stderr=False`).
    Merged,
}

/// How output bytes are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OutputMode {
    /// Split into [`Line`](crate::Line)s.
    #[default]
    Lines,
    /// As read from the pipe, in chunks of at most 64 KiB (no splitting cost).
    Chunks,
}

/// Where a process's standard input comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StdinMode {
    /// A pipe fed by the run's writes, closed by `close_stdin`.
    #[default]
    Piped,
    /// `/dev/null`: commands see end of input at once.
    Null,
}

/// Settings of one run (or session): output handling, timeout, buffering.
///
/// ```
/// use std::time::Duration;
/// use cscomm_ssh::{ExecOptions, StderrMode};
/// let options = ExecOptions::default()
///     .with_stderr(StderrMode::Merged)
///     .with_timeout(Some(Duration::from_secs(30)));
/// assert_eq!(options.max_line_len, cscomm_ssh::DEFAULT_MAX_LINE_LENGTH);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExecOptions {
    /// Standard error separate or merged into standard output.
    pub stderr: StderrMode,
    /// Standard output as lines or raw chunks.
    pub stdout_mode: OutputMode,
    /// Standard error (when separate) as lines or raw chunks.
    pub stderr_mode: OutputMode,
    /// The command timeout, per target, counted from that target's start
    /// (as ClusterShell's worker timeout); `None` for no limit.
    pub timeout: Option<Duration>,
    /// Lines longer than this come in pieces flagged [`LineEnd::Split`](crate::LineEnd::Split).
    pub max_line_len: usize,
    /// Drop a `\r` right before a `\n`, as ClusterShell's readers do
    /// (off by default: bytes are delivered exact).
    pub strip_cr: bool,
    /// Standard input piped or `/dev/null`.
    pub stdin: StdinMode,
    /// Output bytes (plus a small per-event overhead) buffered at most between
    /// the processes and the consumer; readers wait beyond it.
    pub buffer_bytes: usize,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            stderr: StderrMode::Separate,
            stdout_mode: OutputMode::Lines,
            stderr_mode: OutputMode::Lines,
            timeout: None,
            max_line_len: DEFAULT_MAX_LINE_LENGTH,
            strip_cr: false,
            stdin: StdinMode::Piped,
            buffer_bytes: DEFAULT_BUFFER_BYTES,
        }
    }
}

impl ExecOptions {
    /// Sets [`ExecOptions::stderr`].
    pub fn with_stderr(mut self, stderr: StderrMode) -> Self {
        self.stderr = stderr;
        self
    }

    /// Sets [`ExecOptions::stdout_mode`].
    pub fn with_stdout_mode(mut self, mode: OutputMode) -> Self {
        self.stdout_mode = mode;
        self
    }

    /// Sets [`ExecOptions::stderr_mode`].
    pub fn with_stderr_mode(mut self, mode: OutputMode) -> Self {
        self.stderr_mode = mode;
        self
    }

    /// Sets [`ExecOptions::timeout`].
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`ExecOptions::max_line_len`].
    pub fn with_max_line_len(mut self, len: usize) -> Self {
        self.max_line_len = len;
        self
    }

    /// Sets [`ExecOptions::strip_cr`].
    pub fn with_strip_cr(mut self, strip: bool) -> Self {
        self.strip_cr = strip;
        self
    }

    /// Sets [`ExecOptions::stdin`].
    pub fn with_stdin(mut self, stdin: StdinMode) -> Self {
        self.stdin = stdin;
        self
    }

    /// Sets [`ExecOptions::buffer_bytes`].
    pub fn with_buffer_bytes(mut self, bytes: usize) -> Self {
        self.buffer_bytes = bytes;
        self
    }
}
