//! nom parsers for complete tags: start tags with their attributes, end tags
//! and the XML declaration. The streaming decoder calls them only on a tag it
//! has found the end of, so they use nom's `complete` combinators.

use std::collections::HashSet;
use std::ops::Range;

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::{multispace0, multispace1};
use nom::combinator::opt;
use nom::error::{ErrorKind, ParseError};
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

use crate::attributes::{Span, Spans};
use crate::chars::{is_attr_special, is_ws};
use crate::error::{WireErrorKind, name_for_error};
use crate::text::{Fail, decode_attr_value, scan_name};

type In<'a> = &'a [u8];

/// A parse failure: the input left where it failed (to locate it) and why.
#[derive(Debug)]
pub(crate) struct PErr {
    rest: usize,
    kind: WireErrorKind,
}

impl PErr {
    fn at(rest: In<'_>, kind: WireErrorKind) -> Self {
        PErr {
            rest: rest.len(),
            kind,
        }
    }
}

impl ParseError<In<'_>> for PErr {
    fn from_error_kind(input: In<'_>, _: ErrorKind) -> Self {
        PErr::at(input, WireErrorKind::Syntax { expected: "markup" })
    }

    fn append(_: In<'_>, _: ErrorKind, other: Self) -> Self {
        other
    }
}

type PResult<'a, T> = IResult<In<'a>, T, PErr>;

/// Relabels a failure of `parser` as "expected `what`" at the input it was given.
fn expect<'a, O>(
    what: &'static str,
    mut parser: impl Parser<In<'a>, Output = O, Error = PErr>,
) -> impl Parser<In<'a>, Output = O, Error = PErr> {
    move |input: In<'a>| {
        parser
            .parse(input)
            .map_err(|e| e.map(|_| PErr::at(input, WireErrorKind::Syntax { expected: what })))
    }
}

/// Converts a nom result on `whole` to a failure at a byte index of `whole`.
fn locate(whole: In<'_>, err: nom::Err<PErr>) -> Fail {
    match err {
        nom::Err::Error(e) | nom::Err::Failure(e) => (whole.len() - e.rest, e.kind),
        nom::Err::Incomplete(_) => (whole.len(), WireErrorKind::Truncated),
    }
}

/// An XML name.
fn name(input: In<'_>) -> PResult<'_, In<'_>> {
    match scan_name(input) {
        0 => Err(nom::Err::Error(PErr::at(input, WireErrorKind::InvalidName))),
        n => Ok((&input[n..], &input[..n])),
    }
}

/// `S? '=' S?`.
fn eq(input: In<'_>) -> PResult<'_, In<'_>> {
    match skip_ws(input) {
        [b'=', rest @ ..] => Ok((skip_ws(rest), &input[..0])),
        _ => Err(nom::Err::Error(PErr::at(
            input,
            WireErrorKind::Syntax { expected: "'='" },
        ))),
    }
}

/// An attribute value in quotes (either style): the value without its
/// quotes, and whether it holds a byte that needs decoding or checking
/// (found in the same pass as the closing quote: this is the hot path of
/// every attribute).
fn att_value(input: In<'_>) -> PResult<'_, (In<'_>, bool)> {
    let (stops, rest) = match input {
        [b'"', rest @ ..] => (&DOUBLE_QUOTED_STOPS, rest),
        [b'\'', rest @ ..] => (&SINGLE_QUOTED_STOPS, rest),
        _ => {
            let expected = "a quoted value";
            return Err(nom::Err::Error(PErr::at(
                input,
                WireErrorKind::Syntax { expected },
            )));
        }
    };
    let mut special = false;
    let mut from = 0;
    while let Some(n) = rest[from..].iter().position(|&b| stops[usize::from(b)]) {
        let at = from + n;
        if rest[at] == input[0] {
            return Ok((&rest[at + 1..], (&rest[..at], special)));
        }
        special = true;
        from = at + 1;
    }
    let expected = "the closing quote";
    Err(nom::Err::Error(PErr::at(
        &rest[rest.len()..],
        WireErrorKind::Syntax { expected },
    )))
}

/// Bytes that stop the scan of a `"`-quoted value: the quote, or a byte
/// that needs decoding or checking ([`is_attr_special`]).
static DOUBLE_QUOTED_STOPS: [bool; 256] = value_stops(b'"');
/// Same for `'`-quoted values.
static SINGLE_QUOTED_STOPS: [bool; 256] = value_stops(b'\'');

const fn value_stops(quote: u8) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = i == quote as usize || is_attr_special(i as u8);
        i += 1;
    }
    table
}

/// A quoted value (either quote style), without its quotes.
fn quoted(input: In<'_>) -> PResult<'_, In<'_>> {
    let (rest, quote) = expect("a quoted value", alt((tag("\""), tag("'")))).parse(input)?;
    match memchr::memchr(quote[0], rest) {
        Some(end) => Ok((&rest[end + 1..], &rest[..end])),
        None => Err(nom::Err::Error(PErr::at(
            &rest[rest.len()..],
            WireErrorKind::Syntax {
                expected: "the closing quote",
            },
        ))),
    }
}

/// A parsed start tag. Ranges index the tag's bytes; decoded attribute
/// values live in `side`. The decoder reuses one for every tag.
#[derive(Debug, Default)]
pub(crate) struct StartTag {
    pub(crate) name: Range<usize>,
    pub(crate) spans: Spans,
    pub(crate) side: Vec<u8>,
    /// `<name .../>`.
    pub(crate) empty: bool,
    /// Length of the tag, `<` to `>` included.
    pub(crate) len: usize,
}

/// Tags with more attributes than this check duplicates with a hash set.
const LINEAR_DUPLICATE_CHECK: usize = 16;

/// White space skipped.
fn skip_ws(mut input: In<'_>) -> In<'_> {
    while let [b, rest @ ..] = input {
        if !is_ws(*b) {
            break;
        }
        input = rest;
    }
    input
}

/// `Name S? '=' S? AttValue`: the name and the raw value.
fn attribute(input: In<'_>) -> PResult<'_, (In<'_>, In<'_>, bool)> {
    let (rest, (attr_name, _, (value, special))) = (name, eq, att_value).parse(input)?;
    Ok((rest, (attr_name, value, special)))
}

/// Parses the start tag at the start of `input` (which starts with `<`)
/// into `out`.
pub(crate) fn parse_start_tag(input: In<'_>, out: &mut StartTag) -> Result<(), Fail> {
    let at = |rest: In<'_>| input.len() - rest.len();
    let (mut rest, tag_name) = match input {
        [b'<', after @ ..] => name(after).map_err(|e| locate(input, e))?,
        _ => return Err((0, WireErrorKind::Syntax { expected: "'<'" })),
    };
    out.name = 1..1 + tag_name.len();
    out.spans.clear();
    out.side.clear();
    let mut seen: Option<HashSet<&[u8]>> = None;
    loop {
        let after_ws = skip_ws(rest);
        if let Some(end) = tag_end(after_ws) {
            out.empty = end == 2;
            out.len = at(after_ws) + end;
            return Ok(());
        }
        if after_ws.len() == rest.len() {
            let what = "white space, '>' or '/>'";
            return Err((at(after_ws), WireErrorKind::Syntax { expected: what }));
        }
        let (next, (attr_name, value, special)) =
            attribute(after_ws).map_err(|e| locate(input, e))?;
        let name_at = at(after_ws);
        let name_range = name_at..name_at + attr_name.len();
        check_duplicate(input, &out.spans, &mut seen, name_range.clone())?;
        let value_at = at(next) - 1 - value.len();
        let side_at = out.side.len();
        let decoded = match special {
            false => Ok(false),
            true => decode_attr_value(value, &mut out.side),
        };
        let span = match decoded {
            Ok(false) => Span::new(name_range, value_at..value_at + value.len(), false),
            Ok(true) => Span::new(name_range, side_at..out.side.len(), true),
            Err((i, kind)) => return Err((value_at + i, kind)),
        };
        out.spans.push(span);
        rest = next;
    }
}

/// Length of `>` or `/>` at the start of `input`, if there.
fn tag_end(input: In<'_>) -> Option<usize> {
    match input {
        [b'>', ..] => Some(1),
        [b'/', b'>', ..] => Some(2),
        _ => None,
    }
}

/// Equality of short byte strings without a `memcmp` call.
fn short_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Fails when `tag[name]` names an attribute already in `spans`.
fn check_duplicate<'a>(
    tag: &'a [u8],
    spans: &Spans,
    seen: &mut Option<HashSet<&'a [u8]>>,
    name: Range<usize>,
) -> Result<(), Fail> {
    let new = &tag[name.clone()];
    let duplicate = if spans.len() < LINEAR_DUPLICATE_CHECK {
        let (inline, spill) = spans.parts();
        let same = |span: &Span| short_eq(&tag[span.name()], new);
        inline.iter().any(same) || spill.iter().any(same)
    } else {
        let set = seen.get_or_insert_with(|| spans.iter().map(|s| &tag[s.name()]).collect());
        !set.insert(new)
    };
    if duplicate {
        let name_text = name_for_error(new);
        return Err((
            name.start,
            WireErrorKind::DuplicateAttribute { name: name_text },
        ));
    }
    Ok(())
}

/// Parses the end tag at the start of `input` (`</name S? >`): the name's
/// range and the tag's length.
pub(crate) fn parse_end_tag(input: In<'_>) -> Result<(Range<usize>, usize), Fail> {
    let (rest, tag_name) = delimited(
        tag("</"),
        name,
        (multispace0, expect("'>' closing the end tag", tag(">"))),
    )
    .parse(input)
    .map_err(|e| locate(input, e))?;
    Ok((2..2 + tag_name.len(), input.len() - rest.len()))
}

/// Parses the XML declaration at the start of `input` (`<?xml ... ?>`) and
/// returns its length. Only version `1.x` and encoding UTF-8 are accepted.
pub(crate) fn parse_declaration(input: In<'_>) -> Result<usize, Fail> {
    let pseudo = |key: &'static str| preceded((multispace1, tag(key), eq), quoted);
    let version_at = |rest: In<'_>| input.len() - rest.len();
    let (rest, _) = tag::<_, _, PErr>("<?xml")
        .parse(input)
        .map_err(|e| locate(input, e))?;
    let (rest, version) = pseudo("version")
        .parse(rest)
        .map_err(|e| bad_decl(input, e))?;
    if !is_version_1(version) {
        let at = version_at(rest) - 1 - version.len();
        let version = name_for_error(version);
        return Err((at, WireErrorKind::UnsupportedVersion { version }));
    }
    let (rest, encoding) = opt(pseudo("encoding"))
        .parse(rest)
        .map_err(|e| bad_decl(input, e))?;
    if let Some(encoding) = encoding {
        if !encoding.eq_ignore_ascii_case(b"utf-8") {
            let at = version_at(rest) - 1 - encoding.len();
            let encoding = name_for_error(encoding);
            return Err((at, WireErrorKind::UnsupportedEncoding { encoding }));
        }
    }
    let standalone = alt((tag("yes"), tag("no")));
    let (rest, _) = (
        opt(preceded(
            (multispace1, tag("standalone"), eq),
            quoted_exact(standalone),
        )),
        multispace0,
        tag("?>"),
    )
        .parse(rest)
        .map_err(|e| bad_decl(input, e))?;
    Ok(input.len() - rest.len())
}

/// A quoted value that `inner` must match entirely.
fn quoted_exact<'a>(
    mut inner: impl Parser<In<'a>, Output = In<'a>, Error = PErr>,
) -> impl Parser<In<'a>, Output = In<'a>, Error = PErr> {
    move |input: In<'a>| {
        let (rest, value) = quoted(input)?;
        match inner.parse(value) {
            Ok(([], matched)) => Ok((rest, matched)),
            _ => Err(nom::Err::Error(PErr::at(
                input,
                WireErrorKind::InvalidDeclaration,
            ))),
        }
    }
}

/// `'1.' [0-9]+`: the XML 1.0 `VersionNum`.
fn is_version_1(version: In<'_>) -> bool {
    let mut digits = take_while1::<_, _, PErr>(|b: u8| b.is_ascii_digit());
    match version.strip_prefix(b"1.") {
        Some(minor) => matches!(digits.parse(minor), Ok((rest, _)) if rest.is_empty()),
        None => false,
    }
}

/// Any syntax failure inside the declaration is a malformed declaration.
fn bad_decl(input: In<'_>, err: nom::Err<PErr>) -> Fail {
    let (at, _) = locate(input, err);
    (at, WireErrorKind::InvalidDeclaration)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &[u8]) -> Result<StartTag, Fail> {
        let mut tag = StartTag::default();
        parse_start_tag(input, &mut tag).map(|()| tag)
    }

    fn attrs(tag: &StartTag, input: &[u8]) -> Vec<(String, String)> {
        let tag_bytes = bytes::Bytes::copy_from_slice(input);
        let side = bytes::Bytes::copy_from_slice(&tag.side);
        crate::Attributes::from_parts(tag_bytes, side, &tag.spans).to_vec()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn start_tags() {
        let input = br#"<message type="OUT" msgid='12' x = "a&amp;b" y="1&#10;2	3">rest"#;
        let tag = parse(input).unwrap();
        assert_eq!(&input[tag.name.clone()], b"message");
        assert!(!tag.empty);
        assert_eq!(&input[tag.len..], b"rest");
        let expected = [
            ("type", "OUT"),
            ("msgid", "12"),
            ("x", "a&b"),
            ("y", "1\n2 3"),
        ];
        assert_eq!(attrs(&tag, input), pairs(&expected));

        let tag = parse(b"<channel/>").unwrap();
        assert!(tag.empty);
        assert_eq!(tag.len, 10);
        let tag = parse(b"<channel \n>").unwrap();
        assert_eq!((tag.empty, tag.len, tag.spans.len()), (false, 11, 0));
    }

    #[test]
    fn start_tag_errors() {
        let err = |s: &[u8]| parse(s).unwrap_err();
        let syntax = |expected| WireErrorKind::Syntax { expected };
        assert_eq!(err(b"< a>"), (1, WireErrorKind::InvalidName));
        assert_eq!(err(b"<1a>"), (1, WireErrorKind::InvalidName));
        assert_eq!(
            err(br#"<a b="1"c="2">"#),
            (8, syntax("white space, '>' or '/>'"))
        );
        assert_eq!(err(br#"<a b "1">"#), (4, syntax("'='")));
        assert_eq!(err(br#"<a b=1>"#), (5, syntax("a quoted value")));
        assert_eq!(err(br#"<a b="1>"#), (8, syntax("the closing quote")));
        assert_eq!(err(br#"<a / >"#), (3, WireErrorKind::InvalidName));
        assert_eq!(err(br#"<a b="<">"#), (6, WireErrorKind::LtInAttributeValue));
        assert_eq!(
            err(br#"<a b="1" b='2'>"#),
            (9, WireErrorKind::DuplicateAttribute { name: "b".into() })
        );
    }

    #[test]
    fn many_attributes_and_duplicates() {
        let mut input = b"<a".to_vec();
        for i in 0..100 {
            input.extend_from_slice(format!(" n{i}=\"{i}\"").as_bytes());
        }
        let ok = [&input[..], b">"].concat();
        assert_eq!(parse(&ok).unwrap().spans.len(), 100);
        let dup = [&input[..], b" n42=\"x\">"].concat();
        let (at, kind) = parse(&dup).unwrap_err();
        assert_eq!(
            kind,
            WireErrorKind::DuplicateAttribute { name: "n42".into() }
        );
        assert_eq!(&dup[at..at + 4], b"n42=");
    }

    #[test]
    fn end_tags() {
        assert_eq!(parse_end_tag(b"</message>x"), Ok((2..9, 10)));
        assert_eq!(parse_end_tag(b"</channel \n>"), Ok((2..9, 12)));
        let closing = WireErrorKind::Syntax {
            expected: "'>' closing the end tag",
        };
        assert_eq!(parse_end_tag(b"</a b>"), Err((4, closing)));
        assert_eq!(parse_end_tag(b"</>"), Err((2, WireErrorKind::InvalidName)));
    }

    #[test]
    fn declarations() {
        for ok in [
            &br#"<?xml version="1.0" encoding="utf-8"?>"#[..],
            br#"<?xml version='1.0'?>"#,
            br#"<?xml version="1.1"  encoding = "UTF-8"  standalone='no' ?>"#,
            br#"<?xml version="1.0" standalone="yes"?>"#,
        ] {
            assert_eq!(
                parse_declaration(ok),
                Ok(ok.len()),
                "{}",
                String::from_utf8_lossy(ok)
            );
        }
        let err = |s: &[u8]| parse_declaration(s).unwrap_err();
        assert_eq!(
            err(br#"<?xml version="1.0" encoding="latin-1"?>"#),
            (
                30,
                WireErrorKind::UnsupportedEncoding {
                    encoding: "latin-1".into()
                }
            )
        );
        assert_eq!(
            err(br#"<?xml version="2.0"?>"#),
            (
                15,
                WireErrorKind::UnsupportedVersion {
                    version: "2.0".into()
                }
            )
        );
        for bad in [
            &br#"<?xml encoding="utf-8"?>"#[..],
            br#"<?xml version="1.0"encoding="utf-8"?>"#,
            br#"<?xml version="1.0" standalone="maybe"?>"#,
            br#"<?xml version="1.0" standalone="yes" encoding="utf-8"?>"#,
            br#"<?xml version="1.0" ?"#,
        ] {
            assert_eq!(
                err(bad).1,
                WireErrorKind::InvalidDeclaration,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
