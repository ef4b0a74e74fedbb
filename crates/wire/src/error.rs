//! The decoder's error type: what went wrong, and at which byte of the stream.

use std::fmt;

/// A decoding error: the absolute stream offset of the offending byte and the
/// reason.
///
/// Once a [`FrameDecoder`](crate::FrameDecoder) returned an error it keeps
/// returning the same error: a channel stream cannot be resynchronised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct WireError {
    offset: u64,
    kind: WireErrorKind,
}

impl WireError {
    /// An error of `kind` at absolute stream offset `offset`.
    pub fn new(offset: u64, kind: WireErrorKind) -> Self {
        WireError { offset, kind }
    }

    /// Absolute offset (from the first byte of the stream, 0-based) of the
    /// byte where the problem was found.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// What went wrong.
    pub fn kind(&self) -> &WireErrorKind {
        &self.kind
    }
}

/// The XML constructs a channel stream may not hold (a conforming XML parser
/// would accept them; ClusterShell never writes them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Construct {
    /// `<!-- ... -->`.
    Comment,
    /// `<![CDATA[ ... ]]>`.
    CData,
    /// `<!DOCTYPE ...>`.
    Doctype,
    /// Any other `<!...` markup declaration.
    MarkupDeclaration,
    /// `<?target ...?>` other than the XML declaration at the start.
    ProcessingInstruction,
}

impl fmt::Display for Construct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Construct::Comment => "comments (<!--)",
            Construct::CData => "CDATA sections (<![CDATA[)",
            Construct::Doctype => "document type declarations (<!DOCTYPE)",
            Construct::MarkupDeclaration => "markup declarations (<!)",
            Construct::ProcessingInstruction => "processing instructions (<?)",
        })
    }
}

/// Why a stream was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireErrorKind {
    /// An element other than `<channel>` and `<message>` (ClusterShell's own
    /// wording).
    #[error("Invalid starting tag {name}")]
    InvalidStartTag {
        /// The element name (shortened when very long).
        name: String,
    },
    /// `<message>` in a `<message>`, or `<channel>` in a `<channel>`.
    #[error("element <{name}> nested in <{parent}>")]
    NestedElement {
        /// The inner element.
        name: String,
        /// The element it appeared in.
        parent: &'static str,
    },
    /// A `<message>` before the `<channel>` start.
    #[error("<message> outside <channel>")]
    MessageOutsideChannel,
    /// An end tag that does not close the open element.
    #[error("mismatched end tag </{found}> (expected {})", expected_tag(*.expected))]
    MismatchedTag {
        /// The element that is open, if any.
        expected: Option<&'static str>,
        /// The name in the end tag.
        found: String,
    },
    /// Anything but whitespace after `</channel>`.
    #[error("junk after the end of the channel (</channel>)")]
    JunkAfterChannel,
    /// Non-whitespace text before `<channel>`.
    #[error("text before the <channel> start")]
    TextBeforeChannel,
    /// An attribute given twice in one tag.
    #[error("duplicate attribute {name}")]
    DuplicateAttribute {
        /// The repeated name.
        name: String,
    },
    /// `&name;` with a name other than `lt gt amp apos quot`.
    #[error("undefined entity &{name};")]
    UndefinedEntity {
        /// The entity name.
        name: String,
    },
    /// A `&` that does not start a well-formed reference.
    #[error("malformed entity or character reference")]
    MalformedReference,
    /// A character reference to a character XML forbids (`&#0;`, `&#xFFFE;`,
    /// surrogates, beyond U+10FFFF).
    #[error("reference to invalid character number {number}")]
    InvalidCharRef {
        /// The referenced number (saturated at `u32::MAX`).
        number: u32,
    },
    /// A literal character XML forbids (a C0 control other than TAB, LF, CR,
    /// or U+FFFE, U+FFFF).
    #[error("character U+{code:04X} is not allowed in XML")]
    InvalidChar {
        /// The code point.
        code: u32,
    },
    /// Bytes that are not UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// A name (element or attribute) that breaks XML's name rules.
    #[error("invalid XML name")]
    InvalidName,
    /// A literal `<` inside an attribute value.
    #[error("'<' in an attribute value")]
    LtInAttributeValue,
    /// The sequence `]]>` in character data.
    #[error("']]>' in character data")]
    CdataEndInText,
    /// A construct this XML subset does not allow.
    #[error("{0} are not allowed in a channel stream")]
    Unsupported(Construct),
    /// `<?xml ...?>` anywhere but at the very start of the stream.
    #[error("XML declaration not at the start of the stream")]
    MisplacedDeclaration,
    /// A malformed `<?xml ...?>` declaration.
    #[error("malformed XML declaration")]
    InvalidDeclaration,
    /// An XML declaration naming an encoding other than UTF-8.
    #[error("unsupported encoding {encoding:?} (only UTF-8)")]
    UnsupportedEncoding {
        /// The declared encoding.
        encoding: String,
    },
    /// An XML declaration naming a version other than `1.x`.
    #[error("unsupported XML version {version:?}")]
    UnsupportedVersion {
        /// The declared version.
        version: String,
    },
    /// Malformed tag syntax.
    #[error("syntax error: expected {expected}")]
    Syntax {
        /// What the parser expected at that point.
        expected: &'static str,
    },
    /// A frame (or a run of text between frames) longer than the limit.
    #[error("frame larger than the maximum of {max} bytes")]
    FrameTooLarge {
        /// The configured maximum frame size.
        max: usize,
    },
    /// The stream ended in the middle of a frame; the offset is where that
    /// frame began.
    #[error("stream truncated inside a frame")]
    Truncated,
}

fn expected_tag(expected: Option<&'static str>) -> String {
    match expected {
        Some(name) => format!("</{name}>"),
        None => "no end tag".to_owned(),
    }
}

/// Longest name an error message repeats; longer names are shortened.
const MAX_NAME_IN_ERROR: usize = 64;

/// Lossy text of a (possibly hostile) name for an error message.
pub(crate) fn name_for_error(bytes: &[u8]) -> String {
    let cut = bytes.len().min(MAX_NAME_IN_ERROR);
    let mut name = String::from_utf8_lossy(&bytes[..cut]).into_owned();
    if cut < bytes.len() {
        name.push('…');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_offset_and_reason() {
        let err = WireError::new(42, WireErrorKind::InvalidStartTag { name: "foo".into() });
        assert_eq!(err.to_string(), "Invalid starting tag foo at byte 42");
        let err = WireError::new(
            7,
            WireErrorKind::MismatchedTag {
                expected: Some("channel"),
                found: "message".into(),
            },
        );
        assert_eq!(
            err.to_string(),
            "mismatched end tag </message> (expected </channel>) at byte 7"
        );
    }

    #[test]
    fn long_names_are_shortened() {
        let name = name_for_error(&[b'a'; 1000]);
        assert_eq!(name.chars().count(), MAX_NAME_IN_ERROR + 1);
        assert!(name.ends_with('…'));
        assert_eq!(name_for_error(b"ok"), "ok");
    }
}
