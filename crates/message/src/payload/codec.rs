//! How payloads are encoded for one peer: pickle protocol and line length.

use std::num::NonZeroUsize;

use bytes::{Bytes, BytesMut};
use cscomm_pickle::{Protocol, Value, WriteError, Writer};

use crate::base64::{self, DEFAULT_LINE_LENGTH};

/// The environment variable ClusterShell reads for the base64 line length.
pub const LINE_LENGTH_ENV: &str = "CLUSTERSHELL_GW_B64_LINE_LENGTH";

/// The payload encoding used towards one peer: the pickle protocol to
/// write and the base64 line length.
///
/// ClusterShell 1.10.1 writes protocol 4 and wraps base64 every 65536
/// characters (the [`Default`]). A gateway answers each peer in the
/// protocol that peer used ([`PayloadCodec::answering`]), so a Python 2
/// initiator gets protocol 2.
///
/// ```
/// use cscomm_message::PayloadCodec;
/// use cscomm_pickle::Protocol;
///
/// let codec = PayloadCodec::default();
/// let text = codec.encode_bytes(b"hello from node3");
/// assert_eq!(&text[..], b"gASVFAAAAAAAAABDEGhlbGxvIGZyb20gbm9kZTOULg==");
/// assert_eq!(PayloadCodec::answering(Protocol::V0).protocol(), Protocol::V2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayloadCodec {
    protocol: Protocol,
    line_length: NonZeroUsize,
}

impl Default for PayloadCodec {
    fn default() -> PayloadCodec {
        PayloadCodec::new(Protocol::V4, DEFAULT_LINE_LENGTH)
    }
}

/// `CLUSTERSHELL_GW_B64_LINE_LENGTH` holds no positive integer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {LINE_LENGTH_ENV} value {0:?}: expected a positive integer")]
#[non_exhaustive]
pub struct LineLengthError(pub String);

impl PayloadCodec {
    /// A codec writing `protocol`, wrapping base64 every `line_length`
    /// characters.
    pub fn new(protocol: Protocol, line_length: NonZeroUsize) -> PayloadCodec {
        PayloadCodec {
            protocol,
            line_length,
        }
    }

    /// The codec to answer a peer whose pickles use `received`: the same
    /// protocol capped at 4 (what ClusterShell 1.10.1 writes, readable by
    /// Python 3.4 and later), and protocol 2 for protocols 0 and 1 (Python 2
    /// peers, which all read 2). Default line length.
    pub fn answering(received: Protocol) -> PayloadCodec {
        let protocol = received.clamp(Protocol::V2, Protocol::V4);
        PayloadCodec::new(protocol, DEFAULT_LINE_LENGTH)
    }

    /// The default codec with the line length of
    /// `$CLUSTERSHELL_GW_B64_LINE_LENGTH` when it is set (as ClusterShell
    /// reads it; surrounding white space allowed).
    ///
    /// # Errors
    /// When the variable is set to anything but a positive integer
    /// (ClusterShell itself fails on it).
    pub fn from_env() -> Result<PayloadCodec, LineLengthError> {
        match std::env::var(LINE_LENGTH_ENV) {
            Ok(text) => text
                .trim()
                .parse::<NonZeroUsize>()
                .map(|n| PayloadCodec::default().with_line_length(n))
                .map_err(|_| LineLengthError(text)),
            Err(_) => Ok(PayloadCodec::default()),
        }
    }

    /// The same codec writing another protocol.
    pub fn with_protocol(mut self, protocol: Protocol) -> PayloadCodec {
        self.protocol = protocol;
        self
    }

    /// The same codec with another line length.
    pub fn with_line_length(mut self, line_length: NonZeroUsize) -> PayloadCodec {
        self.line_length = line_length;
        self
    }

    /// The pickle protocol written.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The base64 line length.
    pub fn line_length(&self) -> NonZeroUsize {
        self.line_length
    }

    /// Appends the payload text of a `bytes` object holding `data` (an
    /// OUT/SER payload): pickled without building a value tree, then
    /// base64-encoded straight into `out`.
    pub fn encode_bytes_into(&self, data: &[u8], out: &mut BytesMut) {
        let mut pickle = Vec::new();
        cscomm_pickle::write_bytes_payload(data, self.protocol, &mut pickle);
        base64::encode_wrapped(&pickle, self.line_length, out);
    }

    /// The payload text of a `bytes` object holding `data`.
    pub fn encode_bytes(&self, data: &[u8]) -> Bytes {
        let mut out = BytesMut::new();
        self.encode_bytes_into(data, &mut out);
        out.freeze()
    }

    /// Appends the payload text of `value` (pickled, then base64).
    ///
    /// # Errors
    /// When the value cannot be pickled (see [`cscomm_pickle::Writer`]);
    /// `out` is then unchanged.
    pub fn encode_value_into(&self, value: &Value, out: &mut BytesMut) -> Result<(), WriteError> {
        let pickle = Writer::new(self.protocol).to_vec(value)?;
        base64::encode_wrapped(&pickle, self.line_length, out);
        Ok(())
    }

    /// The payload text of `value`.
    ///
    /// # Errors
    /// See [`PayloadCodec::encode_value_into`].
    pub fn encode_value(&self, value: &Value) -> Result<Bytes, WriteError> {
        let mut out = BytesMut::new();
        self.encode_value_into(value, &mut out)?;
        Ok(out.freeze())
    }
}
