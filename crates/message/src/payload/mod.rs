//! Payloads: base64 of a pickle, kept encoded until asked for.

mod codec;
mod shell;
mod shell_take;
mod taskinfo;

use std::borrow::Cow;
use std::mem::MaybeUninit;
use std::sync::Arc;

use bytes::{Buf, Bytes, BytesMut};
use cscomm_pickle::{Protocol, Value, WriteError};

pub use codec::{LINE_LENGTH_ENV, LineLengthError, PayloadCodec};
pub use shell::{Number, ShellRequest, WriteRequest};
pub use taskinfo::{TREE_DEFAULT_PREFIX, TaskInfo};

use crate::PayloadError;
use crate::base64;

/// Pickles up to this size are base64-decoded into a buffer on the stack
/// (the text of an 80-byte output line is 128 characters, a CTL `shell`
/// request about 350).
const STACK_PICKLE: usize = 1024;

/// The payload of a message.
///
/// A received payload stays [`Payload::Encoded`]: the base64 text as a
/// zero-copy slice of the input, decoded only when asked
/// ([`Payload::decode_value`], [`Payload::decode_bytes`]). A gateway that
/// relays a sub-gateway's output upstream can write it back untouched
/// (when the pickle protocol suits the upstream peer, see
/// [`Payload::protocol`]). Payloads built locally hold what to encode
/// ([`Payload::Bytes`] for output, [`Payload::Value`] for requests and the
/// topology); they are encoded when the message is written, with the
/// writer's [`PayloadCodec`], straight into the output buffer.
///
/// Equality is structural: an encoded payload is not equal to the same
/// data held decoded.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum Payload {
    /// No character data.
    #[default]
    None,
    /// Base64 text of a pickle, as received (may hold `\n` line breaks).
    Encoded(Bytes),
    /// A Python `bytes` object (command output, a write buffer).
    Bytes(Bytes),
    /// Any pickled value (a request dict, a topology).
    Value(Arc<Value>),
}

impl Payload {
    /// A payload holding `value`, pickled when written.
    pub fn value(value: Value) -> Payload {
        Payload::Value(Arc::new(value))
    }

    /// Whether there is no payload (nothing, or empty text).
    pub fn is_empty(&self) -> bool {
        match self {
            Payload::None => true,
            Payload::Encoded(text) => text.is_empty(),
            Payload::Bytes(_) | Payload::Value(_) => false,
        }
    }

    /// The pickle protocol of a received payload, read from its first
    /// characters only (no full decode). `None` for payloads not yet
    /// encoded, or when there is no payload.
    ///
    /// # Errors
    /// When the start of the text is not valid base64, or the pickle
    /// names a protocol above 5.
    pub fn protocol(&self) -> Result<Option<Protocol>, PayloadError> {
        let Payload::Encoded(text) = self else {
            return Ok(None);
        };
        if text.is_empty() {
            return Ok(None);
        }
        let head = base64::decode_prefix(text, 2)?;
        match Protocol::detect(&head) {
            Some(protocol) => Ok(Some(protocol)),
            None if head.is_empty() => Ok(None),
            None => Err(PayloadError::shape(format!(
                "unsupported pickle protocol: {}",
                head.get(1).copied().unwrap_or_default()
            ))),
        }
    }

    /// The pickle bytes of a received payload (base64-decoded).
    ///
    /// # Errors
    /// [`PayloadError::Missing`] when empty, [`PayloadError::Base64`] when
    /// the text is invalid, [`PayloadError::Shape`] for payloads that are
    /// not encoded.
    pub fn pickle(&self) -> Result<Vec<u8>, PayloadError> {
        match self {
            Payload::Encoded(text) if !text.is_empty() => {
                let mut out = Vec::new();
                base64::decode(text, &mut out)?;
                Ok(out)
            }
            Payload::Bytes(_) | Payload::Value(_) => {
                Err(PayloadError::shape("payload is not encoded yet"))
            }
            _ => Err(PayloadError::Missing),
        }
    }

    /// The value the payload holds (the full pickle reader, with
    /// ClusterShell's classes allowed).
    ///
    /// # Errors
    /// Missing payload, invalid base64, or a pickle the reader refuses.
    pub fn decode_value(&self) -> Result<Value, PayloadError> {
        match self {
            Payload::Value(value) => Ok(Value::clone(value)),
            Payload::Bytes(data) => Ok(Value::Bytes(data.to_vec())),
            _ => self.with_pickle(|pickle| Ok(cscomm_pickle::read(pickle)?)),
        }
    }

    /// The request of a CTL `shell` payload: as
    /// `ShellRequest::try_from(self.decode_value()?)`, by a direct path for
    /// the usual request (no value tree for the dict, no key copied).
    ///
    /// ```
    /// use cscomm_message::{Payload, PayloadCodec, ShellRequest};
    ///
    /// let request = ShellRequest::new("uname -r");
    /// let text = PayloadCodec::default().encode_value(&request.to_value())?;
    /// assert_eq!(Payload::Encoded(text).decode_shell()?, request);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Payload::decode_value`] and [`ShellRequest::from_value`].
    pub fn decode_shell(&self) -> Result<ShellRequest, PayloadError> {
        match self {
            Payload::Value(value) => ShellRequest::from_value(value),
            Payload::Bytes(_) => ShellRequest::try_from(self.decode_value()?),
            _ => self.with_pickle(ShellRequest::from_pickle),
        }
    }

    /// Runs `f` on the pickle bytes of a received payload: decoded on the
    /// stack when the text is one canonical line that fits (a request, an
    /// output line), else into a vector (see [`Payload::pickle`]).
    fn with_pickle<R>(
        &self,
        f: impl FnOnce(&[u8]) -> Result<R, PayloadError>,
    ) -> Result<R, PayloadError> {
        let mut buf = [const { MaybeUninit::uninit() }; STACK_PICKLE];
        match self.small_pickle(&mut buf) {
            Some(pickle) => f(pickle),
            None => f(&self.pickle()?),
        }
    }

    /// The pickle of a received payload decoded into `buf`, when its text
    /// is one canonical line that fits ([`base64::decode_canonical`]).
    fn small_pickle<'b>(&self, buf: &'b mut [MaybeUninit<u8>]) -> Option<&'b [u8]> {
        let Payload::Encoded(text) = self else {
            return None;
        };
        base64::decode_canonical(text, buf).filter(|pickle| !pickle.is_empty())
    }

    /// The data of a payload holding one `bytes` object (OUT/SER): decoded
    /// without building a value tree. A small payload (an output line) is
    /// decoded on the stack and its data copied once into a buffer of its
    /// size; a large one is returned as a part of the decoded pickle.
    ///
    /// # Errors
    /// As [`Payload::decode_value`], or [`PayloadError::Pickle`] with
    /// `NotBytes` when the pickle holds something else.
    pub fn decode_bytes(&self) -> Result<Bytes, PayloadError> {
        match self {
            Payload::Bytes(data) => Ok(data.clone()),
            Payload::Value(value) => {
                value.as_bytes().map(Bytes::copy_from_slice).ok_or_else(|| {
                    PayloadError::shape(format!("expected bytes, found {}", value.type_name()))
                })
            }
            _ => {
                let mut buf = [const { MaybeUninit::uninit() }; STACK_PICKLE];
                match self.small_pickle(&mut buf) {
                    Some(pickle) => small_bytes_of_pickle(pickle),
                    None => bytes_of_pickle(self.pickle()?),
                }
            }
        }
    }

    /// Appends the payload text with `codec`: encoded text as it is
    /// (escaped as character data), data pickled and base64-encoded.
    ///
    /// # Errors
    /// When a [`Payload::Value`] cannot be pickled; `out` is then
    /// unchanged.
    pub fn write_to(&self, codec: &PayloadCodec, out: &mut BytesMut) -> Result<(), WriteError> {
        match self {
            Payload::None => Ok(()),
            Payload::Encoded(text) => {
                cscomm_wire::escape_text(out, text);
                Ok(())
            }
            Payload::Bytes(data) => {
                codec.encode_bytes_into(data, out);
                Ok(())
            }
            Payload::Value(value) => codec.encode_value_into(value, out),
        }
    }
}

/// The data of a small bytes pickle, copied into a buffer of its size (one
/// allocation, and no shared header: the `Bytes` owns it alone).
fn small_bytes_of_pickle(pickle: &[u8]) -> Result<Bytes, PayloadError> {
    Ok(match cscomm_pickle::read_bytes_payload(pickle)? {
        Cow::Borrowed(data) => Bytes::copy_from_slice(data),
        Cow::Owned(data) => Bytes::from(data),
    })
}

/// The data of a bytes pickle as a part of the pickle buffer.
fn bytes_of_pickle(pickle: Vec<u8>) -> Result<Bytes, PayloadError> {
    let (start, len) = match cscomm_pickle::read_bytes_payload(&pickle)? {
        Cow::Borrowed(data) => {
            // The data borrows from `pickle`: find where, to keep it in
            // the same allocation instead of copying.
            (
                data.as_ptr() as usize - pickle.as_ptr() as usize,
                data.len(),
            )
        }
        Cow::Owned(data) => return Ok(Bytes::from(data)),
    };
    let mut data = Bytes::from(pickle);
    data.advance(start);
    data.truncate(len);
    Ok(data)
}

impl From<Bytes> for Payload {
    /// Output data to pickle as a `bytes` object.
    fn from(data: Bytes) -> Payload {
        Payload::Bytes(data)
    }
}

impl From<Value> for Payload {
    fn from(value: Value) -> Payload {
        Payload::value(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_without_tree() {
        let codec = PayloadCodec::default();
        let text = codec.encode_bytes(b"hello from node3");
        let payload = Payload::Encoded(text);
        assert_eq!(payload.protocol(), Ok(Some(Protocol::V4)));
        assert_eq!(&payload.decode_bytes().unwrap()[..], b"hello from node3");
        assert_eq!(
            payload.decode_value().unwrap(),
            Value::bytes(&b"hello from node3"[..])
        );
    }

    #[test]
    fn empty_and_invalid_payloads() {
        assert_eq!(Payload::None.decode_value(), Err(PayloadError::Missing));
        assert_eq!(
            Payload::Encoded(Bytes::new()).decode_bytes(),
            Err(PayloadError::Missing)
        );
        assert_eq!(Payload::None.protocol(), Ok(None));
        let bad = Payload::Encoded(Bytes::from_static(b"gASV!"));
        assert!(matches!(bad.decode_value(), Err(PayloadError::Base64(_))));
        let not_bytes =
            Payload::Encoded(PayloadCodec::default().encode_value(&Value::None).unwrap());
        assert!(matches!(
            not_bytes.decode_bytes(),
            Err(PayloadError::Pickle(_))
        ));
    }
}
