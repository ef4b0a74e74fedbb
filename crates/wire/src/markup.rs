//! Finding and parsing one piece of markup (`<...>`) in a buffer that may
//! not hold all of it yet.

use std::ops::Range;

use crate::error::{Construct, WireErrorKind, name_for_error};
use crate::scan::{MarkupKind, TagEndScanner, classify};
use crate::tag::{StartTag, parse_declaration, parse_end_tag, parse_start_tag};
use crate::text::Fail;

/// A complete piece of markup.
#[derive(Debug)]
pub(crate) enum Markup {
    /// A start tag (parsed into the caller's [`StartTag`]).
    Start,
    /// An end tag: its name's range and its length.
    End(Range<usize>, usize),
    /// The XML declaration, of this length.
    Declaration(usize),
}

/// Finds and parses the markup starting at `buf[at]` (a `<`), looking no
/// further than `limit`. `Ok(None)`: more bytes are needed (`scan` remembers
/// how far the search went). Constructs outside the subset are errors.
/// Ranges and lengths are relative to `at`, errors to the buffer.
pub(crate) fn find_markup(
    buf: &[u8],
    at: usize,
    limit: usize,
    declaration_allowed: bool,
    scan: &mut TagEndScanner,
    tag: &mut StartTag,
) -> Result<Option<Markup>, Fail> {
    let Some(kind) = classify(&buf[at..limit]) else {
        return Ok(None);
    };
    let located = |(i, k): Fail| (at + i, k);
    match kind {
        MarkupKind::StartTag => {
            if scan.pos <= at {
                // Optimistic: the whole tag is usually there already.
                if parse_start_tag(&buf[at..limit], tag).is_ok() {
                    return Ok(Some(Markup::Start));
                }
                *scan = TagEndScanner::at(at + 1);
            }
            match scan.find(buf, limit) {
                Some(gt) => parse_start_tag(&buf[at..=gt], tag)
                    .map(|()| Some(Markup::Start))
                    .map_err(located),
                None => Ok(None),
            }
        }
        MarkupKind::EndTag => {
            let from = scan.pos.max(at + 2);
            match memchr::memchr(b'>', &buf[from..limit]) {
                Some(n) => parse_end_tag(&buf[at..=from + n])
                    .map(|(name, len)| Some(Markup::End(name, len)))
                    .map_err(located),
                None => {
                    scan.pos = limit;
                    Ok(None)
                }
            }
        }
        MarkupKind::Declaration if declaration_allowed => {
            let from = scan.pos.max(at + 2);
            match memchr::memmem::find(&buf[from..limit], b"?>") {
                Some(n) => parse_declaration(&buf[at..from + n + 2])
                    .map(|len| Some(Markup::Declaration(len)))
                    .map_err(located),
                None => {
                    // "?>" may straddle the end of this search.
                    scan.pos = (limit - 1).max(from);
                    Ok(None)
                }
            }
        }
        MarkupKind::Declaration => Err((at, WireErrorKind::MisplacedDeclaration)),
        MarkupKind::ProcessingInstruction => Err((
            at,
            WireErrorKind::Unsupported(Construct::ProcessingInstruction),
        )),
        MarkupKind::Bang(construct) => Err((at, WireErrorKind::Unsupported(construct))),
    }
}

/// The error for markup other than `</message>` inside a message: `markup`
/// is at `lt`, a start tag there was parsed into `nested`.
pub(crate) fn inside_message_error(
    buf: &[u8],
    lt: usize,
    markup: Markup,
    nested: &StartTag,
) -> Fail {
    let name = |range: Range<usize>| &buf[lt + range.start..lt + range.end];
    match markup {
        Markup::End(range, _) => {
            let found = name_for_error(name(range));
            let expected = Some("message");
            (lt + 2, WireErrorKind::MismatchedTag { expected, found })
        }
        Markup::Start => match name(nested.name.clone()) {
            b"message" => (lt, nested_element("message", "message")),
            b"channel" => (lt, nested_element("channel", "message")),
            other => (lt, invalid_start_tag(other)),
        },
        Markup::Declaration(_) => (lt, WireErrorKind::MisplacedDeclaration),
    }
}

/// `<name>` inside `<parent>`.
pub(crate) fn nested_element(name: &str, parent: &'static str) -> WireErrorKind {
    WireErrorKind::NestedElement {
        name: name.to_owned(),
        parent,
    }
}

/// ClusterShell's "Invalid starting tag".
pub(crate) fn invalid_start_tag(name: &[u8]) -> WireErrorKind {
    WireErrorKind::InvalidStartTag {
        name: name_for_error(name),
    }
}
