//! Why a node failed: recognizing the OpenSSH client's diagnostics.

use std::fmt;

/// Why a target did not run its command (reported with exit code 255).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The program (`ssh`, or the local shell) could not be started.
    Spawn {
        /// The program that was run.
        program: String,
        /// The operating system's reason (`NotFound` for a missing binary).
        kind: std::io::ErrorKind,
        /// The error message.
        message: String,
    },
    /// The OpenSSH client exited with 255 after one of its diagnostics.
    Ssh {
        /// What kind of failure the diagnostic says.
        kind: SshFailure,
        /// The diagnostic line, as ssh printed it (without line end).
        message: String,
    },
}

/// The kinds of OpenSSH client failures that are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SshFailure {
    /// Nothing listens on the port (`Connection refused`).
    ConnectionRefused,
    /// The host name does not resolve (`Could not resolve hostname`).
    UnknownHost,
    /// Authentication failed (`Permission denied`).
    PermissionDenied,
    /// The connection or its banner exchange timed out.
    ConnectTimeout,
    /// The host key did not match (`Host key verification failed`).
    HostKeyVerification,
    /// The network cannot reach the host (`No route to host`, `Network is unreachable`).
    Unreachable,
    /// The server closed or reset the connection.
    ConnectionClosed,
    /// Another diagnostic of the ssh client (a line starting with `ssh:`).
    Other,
}

impl fmt::Display for SshFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SshFailure::ConnectionRefused => "connection refused",
            SshFailure::UnknownHost => "unknown host",
            SshFailure::PermissionDenied => "permission denied",
            SshFailure::ConnectTimeout => "connection timed out",
            SshFailure::HostKeyVerification => "host key verification failed",
            SshFailure::Unreachable => "host unreachable",
            SshFailure::ConnectionClosed => "connection closed by the server",
            SshFailure::Other => "ssh error",
        })
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Spawn {
                program, message, ..
            } => write!(f, "cannot run {program}: {message}"),
            Failure::Ssh { kind, message } => write!(f, "{kind}: {message}"),
        }
    }
}

impl std::error::Error for Failure {}

/// The diagnostics ssh prints, most specific first.
const PATTERNS: &[(&str, SshFailure)] = &[
    ("Connection refused", SshFailure::ConnectionRefused),
    ("Could not resolve hostname", SshFailure::UnknownHost),
    ("Name or service not known", SshFailure::UnknownHost),
    ("nodename nor servname provided", SshFailure::UnknownHost),
    (
        "Temporary failure in name resolution",
        SshFailure::UnknownHost,
    ),
    ("Permission denied", SshFailure::PermissionDenied),
    (
        "Too many authentication failures",
        SshFailure::PermissionDenied,
    ),
    ("timed out", SshFailure::ConnectTimeout),
    (
        "Host key verification failed",
        SshFailure::HostKeyVerification,
    ),
    ("No route to host", SshFailure::Unreachable),
    ("Network is unreachable", SshFailure::Unreachable),
    ("Connection closed by", SshFailure::ConnectionClosed),
    ("Connection reset by", SshFailure::ConnectionClosed),
    ("kex_exchange_identification", SshFailure::ConnectionClosed),
];

/// Recognizes the ssh diagnostic in the last line a node printed on the
/// stream carrying ssh's standard error (ssh prints it last). A line that is
/// not ssh's (a remote command may exit 255 too) gives `None`.
pub(crate) fn classify(tail: &[u8]) -> Option<Failure> {
    let text = String::from_utf8_lossy(tail);
    let line = text.lines().map(str::trim_end).rfind(|l| !l.is_empty())?;
    let kind = PATTERNS
        .iter()
        .find(|(needle, _)| line.contains(needle))
        .map(|(_, kind)| *kind)
        .or_else(|| line.starts_with("ssh: ").then_some(SshFailure::Other))?;
    Some(Failure::Ssh {
        kind,
        message: line.to_string(),
    })
}

/// The last bytes of a stream, to recognize an ssh diagnostic at exit.
#[derive(Debug, Default)]
pub(crate) struct Tail {
    bytes: Vec<u8>,
}

/// How much of the end of a stream is kept.
const TAIL_BYTES: usize = 1024;

impl Tail {
    /// Records output bytes; `newline` tells whether a `\n` followed them.
    pub(crate) fn record(&mut self, bytes: &[u8], newline: bool) {
        let start = bytes.len().saturating_sub(TAIL_BYTES);
        self.bytes.extend_from_slice(&bytes[start..]);
        if newline {
            self.bytes.push(b'\n');
        }
        if self.bytes.len() > TAIL_BYTES {
            let excess = self.bytes.len() - TAIL_BYTES;
            self.bytes.drain(..excess);
        }
    }

    /// The recorded end of the stream.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<SshFailure> {
        match classify(text.as_bytes()) {
            Some(Failure::Ssh { kind, .. }) => Some(kind),
            _ => None,
        }
    }

    #[test]
    fn recognizes_the_last_diagnostic() {
        let refused = "ssh: connect to host 127.0.0.9 port 22: Connection refused\r\n";
        assert_eq!(kind(refused), Some(SshFailure::ConnectionRefused));
        assert_eq!(
            kind("out\nroot@h: Permission denied (publickey).\r"),
            Some(SshFailure::PermissionDenied)
        );
        assert_eq!(kind("just a remote line\n"), None);
        assert_eq!(kind("Permission denied\nlater remote line\n"), None);
        assert_eq!(kind("ssh: something new\n"), Some(SshFailure::Other));
    }

    #[test]
    fn the_message_has_no_line_end() {
        match classify(b"Host key verification failed.\r\n") {
            Some(Failure::Ssh { message, .. }) => {
                assert_eq!(message, "Host key verification failed.")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tail_keeps_only_the_end() {
        let mut tail = Tail::default();
        for _ in 0..100 {
            tail.record(&[b'x'; 100], true);
        }
        tail.record(b"last", false);
        assert_eq!(tail.bytes().len(), TAIL_BYTES);
        assert!(tail.bytes().ends_with(b"x\nlast"));
    }
}
