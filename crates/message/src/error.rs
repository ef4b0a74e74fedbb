//! The crate's error type. Texts match ClusterShell's reason strings where a
//! Python peer shows them (in an `ERR` message or on the user's terminal).

use crate::MessageType;
use crate::base64::Base64Error;

/// Why a frame is not a valid message, or a payload does not decode or
/// encode.
///
/// The `Display` text of the frame conversion errors is ClusterShell's own
/// (`Unknown message type XYZ`, `Invalid "message" attributes: missing key
/// "msgid"`, `Got unexpected payload for Message ACK`, `Message CFG has an
/// invalid payload (...)`), so a gateway can send it as the `reason` of an
/// `ERR` and the user reads the words a Python gateway would have written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The `type` attribute names no message type.
    #[error("Unknown message type {0}")]
    UnknownType(String),
    /// The `type` attribute is missing or empty.
    #[error("Unknown message with no type")]
    MissingType,
    /// A required attribute is missing.
    #[error("Invalid \"message\" attributes: missing key \"{0}\"")]
    MissingAttribute(&'static str),
    /// An attribute does not parse (ClusterShell raises from `int()` there;
    /// we report it in the same family of words).
    #[error("Invalid \"message\" attributes: key \"{key}\": {reason}")]
    InvalidAttribute {
        /// The attribute name.
        key: &'static str,
        /// What is wrong with its value (Python's `int()` wording for
        /// numbers).
        reason: String,
    },
    /// Character data in a message type that has no payload.
    #[error("Got unexpected payload for Message {0}")]
    UnexpectedPayload(MessageType),
    /// The payload does not decode (or does not have the expected shape).
    #[error("Message {ty} has an invalid payload ({cause})")]
    InvalidPayload {
        /// The message type.
        ty: MessageType,
        /// Why.
        cause: PayloadError,
    },
    /// A payload could not be encoded (a value pickle cannot express).
    #[error("Message {ty} payload cannot be encoded ({cause})")]
    Encode {
        /// The message type.
        ty: MessageType,
        /// Why.
        cause: cscomm_pickle::WriteError,
    },
    /// The channel stream itself is malformed (XML level); carries the
    /// stream offset.
    #[error("{0}")]
    Wire(#[from] cscomm_wire::WireError),
}

/// Why a payload does not decode into what was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// The message has no payload at all.
    #[error("no payload")]
    Missing,
    /// The base64 text is invalid.
    #[error("{0}")]
    Base64(#[from] Base64Error),
    /// The pickle is invalid or holds a forbidden global.
    #[error("{0}")]
    Pickle(#[from] cscomm_pickle::ReadError),
    /// The pickle is valid but its value does not have the expected shape.
    #[error("{0}")]
    Shape(String),
}

impl PayloadError {
    /// A shape error with this text.
    pub(crate) fn shape(text: impl Into<String>) -> PayloadError {
        PayloadError::Shape(text.into())
    }
}
