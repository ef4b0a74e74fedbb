//! Errors of the reader and the writer.

use std::fmt;

use crate::SharedId;

/// Why a pickle was rejected, and where.
///
/// ```
/// let err = cscomm_pickle::read(b"cos\nsystem\n(S'id'\ntR.").unwrap_err();
/// assert_eq!(err.offset, 0);
/// assert_eq!(err.to_string(), "global 'os.system' is not allowed (opcode at byte 0)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (opcode at byte {offset})")]
#[non_exhaustive]
pub struct ReadError {
    /// Byte offset of the opcode being run (or of the end of the structure
    /// for errors found once all opcodes ran).
    pub offset: usize,
    /// What went wrong.
    pub kind: ReadErrorKind,
}

impl ReadError {
    pub(crate) fn new(offset: usize, kind: ReadErrorKind) -> ReadError {
        ReadError { offset, kind }
    }
}

/// What went wrong while reading a pickle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The input ends inside an opcode or before `STOP`.
    #[error("pickle data was truncated")]
    Truncated,
    /// A byte that is no opcode of protocols 0 to 5.
    #[error("invalid opcode 0x{0:02x}")]
    UnknownOpcode(u8),
    /// `PROTO` names a protocol above 5.
    #[error("unsupported pickle protocol: {0}")]
    UnsupportedProtocol(u8),
    /// A valid opcode this reader refuses (persistent ids, the extension
    /// registry, out-of-band buffers).
    #[error("{0} is not supported")]
    Unsupported(&'static str),
    /// A global outside the allow-list: nothing was imported or called.
    #[error("global '{module}.{name}' is not allowed")]
    ForbiddenGlobal {
        /// Module of the global.
        module: String,
        /// Name of the global.
        name: String,
    },
    /// An opcode needs more values than the stack (above the last mark) holds.
    #[error("unpickling stack underflow")]
    StackUnderflow,
    /// An opcode needs a mark and there is none.
    #[error("could not find MARK")]
    MissingMark,
    /// `GET` of a memo slot that was never set.
    #[error("memo key {0} not found")]
    MemoMissing(u64),
    /// An opcode got a value of the wrong type.
    #[error("{op} expects {expected}, found {found}")]
    WrongType {
        /// The opcode or callable.
        op: &'static str,
        /// What it accepts.
        expected: &'static str,
        /// Python type name of what it got.
        found: String,
    },
    /// A malformed argument or structure.
    #[error("{0}")]
    Malformed(&'static str),
    /// A configured limit was crossed.
    #[error("{limit} limit exceeded (maximum {max})")]
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// Its configured value.
        max: u64,
    },
    /// Bytes follow the final `STOP`.
    #[error("{0} trailing bytes after STOP")]
    TrailingBytes(usize),
    /// A payload expected to be `bytes` holds something else.
    #[error("expected a bytes payload, found {0}")]
    NotBytes(String),
}

/// The configurable limits of [`crate::Limits`], named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// Input length in bytes.
    InputSize,
    /// Nesting depth of the result.
    Depth,
    /// Values and marks on the VM stack.
    Stack,
    /// Memo entries.
    Memo,
    /// Objects created.
    Objects,
    /// Items of one container.
    ContainerLen,
    /// Items of all containers together.
    TotalItems,
    /// Bytes of one integer.
    IntSize,
    /// Length of a number written as text.
    NumberText,
    /// Bytes of text and binary data in the result, copies included.
    ValueBytes,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::InputSize => "input size",
            Limit::Depth => "nesting depth",
            Limit::Stack => "stack size",
            Limit::Memo => "memo size",
            Limit::Objects => "object count",
            Limit::ContainerLen => "container length",
            Limit::TotalItems => "total items",
            Limit::IntSize => "integer size",
            Limit::NumberText => "number text length",
            Limit::ValueBytes => "data size",
        })
    }
}

/// Why a value cannot be written as a pickle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// A [`crate::Value::Ref`] to an id that no earlier
    /// [`crate::Value::Shared`] (in depth-first order) defines.
    #[error("reference to shared object {} that is not defined before it", .0.0)]
    DanglingRef(SharedId),
    /// A cycle made only of objects that Python builds from their contents
    /// (tuples, frozensets, constructor arguments): Python cannot build it.
    #[error("shared object {} contains itself through immutable objects only", .0.0)]
    ImmutableCycle(SharedId),
    /// Nesting deeper than the writer's limit.
    #[error("value nested deeper than {0} levels")]
    TooDeep(usize),
    /// The value has no form in the requested protocol.
    #[error("{what} cannot be written with pickle protocol {protocol}")]
    Unsupported {
        /// What cannot be written.
        what: &'static str,
        /// The protocol requested.
        protocol: u8,
    },
}
