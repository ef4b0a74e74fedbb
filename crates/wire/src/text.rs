//! Validation and decoding of character data and attribute values:
//! references, line-end and attribute-value normalisation, UTF-8 and XML
//! character checks.

use crate::chars::{
    NAME_CHAR, NAME_CLASS, NAME_START, first_text_special, is_attr_special, is_name_char,
    is_name_start_char, is_xml_char,
};
use crate::error::{WireErrorKind, name_for_error};

/// A failure at a byte index (relative to the checked slice).
pub(crate) type Fail = (usize, WireErrorKind);

/// The outcome of checking a run of text: usable as it is in the input, or
/// rewritten (references replaced, line ends or white space normalised).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// The input bytes are the value.
    Same,
    /// The value differs from the input bytes.
    Owned(Vec<u8>),
}

/// Accumulates a rewritten copy of an input into `out`, only once a rewrite
/// is needed.
struct Rewriter<'a> {
    input: &'a [u8],
    out: &'a mut Vec<u8>,
    active: bool,
    copied: usize,
}

impl<'a> Rewriter<'a> {
    fn new(input: &'a [u8], out: &'a mut Vec<u8>) -> Self {
        Rewriter {
            input,
            out,
            active: false,
            copied: 0,
        }
    }

    /// Replaces `input[at..at + len]` with `with`.
    fn replace(&mut self, at: usize, len: usize, with: &[u8]) {
        if !self.active {
            self.active = true;
            self.out.reserve(self.input.len());
        }
        self.out.extend_from_slice(&self.input[self.copied..at]);
        self.out.extend_from_slice(with);
        self.copied = at + len;
    }

    /// Whether anything was rewritten; if so, `out` holds the whole result.
    fn finish(self) -> bool {
        if self.active {
            self.out.extend_from_slice(&self.input[self.copied..]);
        }
        self.active
    }
}

/// Checks and decodes character data (the text between tags).
///
/// `text` must not hold `<` (callers cut runs at markup).
pub(crate) fn decode_text(text: &[u8]) -> Result<Decoded, Fail> {
    let Some(first) = first_text_special(text) else {
        return Ok(Decoded::Same);
    };
    let mut out = Vec::new();
    let mut rw = Rewriter::new(text, &mut out);
    let mut i = first;
    loop {
        i += match text[i] {
            b'&' => replace_reference(&mut rw, text, i)?,
            b'\r' => {
                let len = if text.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                rw.replace(i, len, b"\n");
                len
            }
            b']' if text[i..].starts_with(b"]]>") => {
                return Err((i, WireErrorKind::CdataEndInText));
            }
            b']' => 1,
            b'<' => return Err((i, WireErrorKind::Syntax { expected: "text" })),
            b if b < 0x80 => return Err((i, invalid_char(b.into()))),
            _ => check_non_ascii_run(text, i)?,
        };
        match first_text_special(&text[i..]) {
            Some(n) => i += n,
            None => break,
        }
    }
    Ok(if rw.finish() {
        Decoded::Owned(out)
    } else {
        Decoded::Same
    })
}

/// Checks and decodes an attribute value (between its quotes), applying
/// XML's attribute-value normalisation: a literal TAB, LF or CR (and a CR LF
/// pair) becomes one space; references are replaced verbatim. Returns
/// `false` when the value is the input as it is, `true` when the decoded
/// value was appended to `side`.
pub(crate) fn decode_attr_value(value: &[u8], side: &mut Vec<u8>) -> Result<bool, Fail> {
    let Some(first) = value.iter().position(|&b| is_attr_special(b)) else {
        return Ok(false);
    };
    let mut rw = Rewriter::new(value, side);
    let mut i = first;
    loop {
        i += match value[i] {
            b'&' => replace_reference(&mut rw, value, i)?,
            b'<' => return Err((i, WireErrorKind::LtInAttributeValue)),
            b'\t' | b'\n' => {
                rw.replace(i, 1, b" ");
                1
            }
            b'\r' => {
                let len = if value.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                rw.replace(i, len, b" ");
                len
            }
            b if b < 0x80 => return Err((i, invalid_char(b.into()))),
            _ => check_non_ascii_run(value, i)?,
        };
        match value[i..].iter().position(|&b| is_attr_special(b)) {
            Some(n) => i += n,
            None => return Ok(rw.finish()),
        }
    }
}

fn invalid_char(code: u32) -> WireErrorKind {
    WireErrorKind::InvalidChar { code }
}

/// Validates the run of non-ASCII bytes starting at `at`: UTF-8, and no
/// U+FFFE/U+FFFF (the only non-ASCII characters XML forbids that UTF-8 can
/// encode). Returns the run length.
fn check_non_ascii_run(bytes: &[u8], at: usize) -> Result<usize, Fail> {
    let len = bytes[at..]
        .iter()
        .position(|&b| b < 0x80)
        .unwrap_or(bytes.len() - at);
    let run = &bytes[at..at + len];
    let text =
        std::str::from_utf8(run).map_err(|e| (at + e.valid_up_to(), WireErrorKind::InvalidUtf8))?;
    if let Some((pos, c)) = text.char_indices().find(|&(_, c)| !is_xml_char(c)) {
        return Err((at + pos, invalid_char(c.into())));
    }
    Ok(len)
}

/// Replaces the reference at `bytes[at..]` (which starts with `&`) and
/// returns its length.
fn replace_reference(rw: &mut Rewriter<'_>, bytes: &[u8], at: usize) -> Result<usize, Fail> {
    let (c, len) = parse_reference(&bytes[at..]).map_err(|kind| (at, kind))?;
    let mut utf8 = [0; 4];
    rw.replace(at, len, c.encode_utf8(&mut utf8).as_bytes());
    Ok(len)
}

/// Parses a reference (`&name;`, `&#N;`, `&#xH;`) at the start of `s`:
/// the character it stands for and the reference's length.
pub(crate) fn parse_reference(s: &[u8]) -> Result<(char, usize), WireErrorKind> {
    debug_assert_eq!(s.first(), Some(&b'&'));
    if s.get(1) == Some(&b'#') {
        return parse_char_ref(s);
    }
    let name_len = scan_name(&s[1..]);
    if name_len == 0 || s.get(1 + name_len) != Some(&b';') {
        return Err(WireErrorKind::MalformedReference);
    }
    let c = match &s[1..1 + name_len] {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"apos" => '\'',
        b"quot" => '"',
        other => {
            return Err(WireErrorKind::UndefinedEntity {
                name: name_for_error(other),
            });
        }
    };
    Ok((c, name_len + 2))
}

/// Parses `&#N;` or `&#xH;` at the start of `s`.
fn parse_char_ref(s: &[u8]) -> Result<(char, usize), WireErrorKind> {
    let (radix, digits_at) = if s.get(2) == Some(&b'x') {
        (16, 3)
    } else {
        (10, 2)
    };
    let digits = s[digits_at..]
        .iter()
        .take_while(|&&b| char::from(b).is_digit(radix))
        .count();
    if digits == 0 || s.get(digits_at + digits) != Some(&b';') {
        return Err(WireErrorKind::MalformedReference);
    }
    let number = s[digits_at..digits_at + digits].iter().fold(0u32, |n, &b| {
        let digit = char::from(b).to_digit(radix).unwrap_or(0);
        n.saturating_mul(radix).saturating_add(digit)
    });
    match char::from_u32(number) {
        Some(c) if is_xml_char(c) => Ok((c, digits_at + digits + 1)),
        _ => Err(WireErrorKind::InvalidCharRef { number }),
    }
}

/// Length in bytes of the XML name at the start of `s` (0 when `s` does not
/// start with a name-start character).
#[inline]
pub(crate) fn scan_name(s: &[u8]) -> usize {
    let ascii_run = |from: usize| {
        s[from..]
            .iter()
            .position(|&b| NAME_CLASS[usize::from(b)] & NAME_CHAR == 0)
            .map_or(s.len(), |n| from + n)
    };
    let n = match s.first() {
        None => return 0,
        Some(&b) if NAME_CLASS[usize::from(b)] & NAME_START != 0 => ascii_run(1),
        Some(&b) if b < 0x80 => return 0,
        Some(_) => 0,
    };
    match s.get(n) {
        Some(&b) if b >= 0x80 => scan_name_slow(s, n),
        _ => n,
    }
}

/// [`scan_name`] from index `i` on, where a non-ASCII character stands.
#[cold]
#[inline(never)]
fn scan_name_slow(s: &[u8], mut i: usize) -> usize {
    while let Some(&b) = s.get(i) {
        let (c, len) = if b < 0x80 {
            (char::from(b), 1)
        } else {
            match first_char(&s[i..]) {
                Some(c) => (c, c.len_utf8()),
                None => break,
            }
        };
        let ok = if i == 0 {
            is_name_start_char(c)
        } else {
            is_name_char(c)
        };
        if !ok {
            break;
        }
        i += len;
    }
    i
}

/// The first character of `s` when `s` starts with valid UTF-8.
fn first_char(s: &[u8]) -> Option<char> {
    let window = &s[..s.len().min(4)];
    let valid = match std::str::from_utf8(window) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&window[..e.valid_up_to()]).ok()?,
    };
    valid.chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &[u8]) -> Result<Vec<u8>, Fail> {
        decode_text(s).map(|d| match d {
            Decoded::Same => s.to_vec(),
            Decoded::Owned(v) => v,
        })
    }

    fn attr(s: &[u8]) -> Result<Vec<u8>, Fail> {
        let mut side = b"previous".to_vec();
        match decode_attr_value(s, &mut side)? {
            false => Ok(s.to_vec()),
            true => Ok(side.split_off(8)),
        }
    }

    #[test]
    fn plain_text_is_not_copied() {
        assert_eq!(decode_text(b"gASV\nQUJD=="), Ok(Decoded::Same));
        assert_eq!(decode_text("é ] > \" '".as_bytes()), Ok(Decoded::Same));
        assert_eq!(
            decode_attr_value(b"node[1-3] > 'x'", &mut Vec::new()),
            Ok(false)
        );
    }

    #[test]
    fn references_are_replaced() {
        assert_eq!(text(b"a&lt;b&gt;&amp;&apos;&quot;").unwrap(), b"a<b>&'\"");
        assert_eq!(text(b"&#65;&#x42;&#x0063;&#0065;").unwrap(), b"ABcA");
        assert_eq!(text(b"&#x1F600;").unwrap(), "😀".as_bytes());
        assert_eq!(attr(b"&#10;&#13;&#9;").unwrap(), b"\n\r\t");
    }

    #[test]
    fn line_ends_are_normalised_in_text() {
        assert_eq!(text(b"a\r\nb\rc\n\r\r\nd").unwrap(), b"a\nb\nc\n\n\nd");
        assert_eq!(text(b"a&#13;\r").unwrap(), b"a\r\n");
    }

    #[test]
    fn white_space_is_normalised_in_attributes() {
        assert_eq!(attr(b"a\tb\nc\r\nd\re").unwrap(), b"a b c d e");
        assert_eq!(attr(b" x ").unwrap(), b" x ");
    }

    #[test]
    fn bad_references_are_rejected() {
        let kind = |s: &[u8]| text(s).unwrap_err();
        assert_eq!(
            kind(b"x&foo;"),
            (1, WireErrorKind::UndefinedEntity { name: "foo".into() })
        );
        for bad in [
            &b"&"[..],
            b"&;",
            b"&lt",
            b"&#;",
            b"&#x;",
            b"&#X41;",
            b"&#12a;",
            b"& lt;",
        ] {
            assert_eq!(kind(bad), (0, WireErrorKind::MalformedReference), "{bad:?}");
        }
        assert_eq!(
            kind(b"&#0;"),
            (0, WireErrorKind::InvalidCharRef { number: 0 })
        );
        assert_eq!(
            kind(b"&#xD800;"),
            (0, WireErrorKind::InvalidCharRef { number: 0xD800 })
        );
        assert_eq!(
            kind(b"&#xFFFE;"),
            (0, WireErrorKind::InvalidCharRef { number: 0xFFFE })
        );
        assert_eq!(
            kind(b"&#99999999999999999999;"),
            (0, WireErrorKind::InvalidCharRef { number: u32::MAX })
        );
    }

    #[test]
    fn forbidden_characters_are_rejected() {
        assert_eq!(
            text(b"ab\x01"),
            Err((2, WireErrorKind::InvalidChar { code: 1 }))
        );
        assert_eq!(
            text(b"a\xef\xbf\xbe"),
            Err((1, WireErrorKind::InvalidChar { code: 0xFFFE }))
        );
        assert_eq!(text(b"ab\xff"), Err((2, WireErrorKind::InvalidUtf8)));
        assert_eq!(text(b"\xc3\xa9\xc3"), Err((2, WireErrorKind::InvalidUtf8)));
        assert_eq!(text(b"\xc3a"), Err((0, WireErrorKind::InvalidUtf8)));
        assert_eq!(text(b"x]]>"), Err((1, WireErrorKind::CdataEndInText)));
        assert_eq!(text(b"x]]]>"), Err((2, WireErrorKind::CdataEndInText)));
        assert_eq!(text(b"x]] >]]"), Ok(b"x]] >]]".to_vec()));
        assert_eq!(attr(b"a<b"), Err((1, WireErrorKind::LtInAttributeValue)));
        assert_eq!(attr(b"a\x7f\xc2\x80]]>"), Ok(b"a\x7f\xc2\x80]]>".to_vec()));
        assert_eq!(
            attr(b"\x00"),
            Err((0, WireErrorKind::InvalidChar { code: 0 }))
        );
    }

    #[test]
    fn names() {
        assert_eq!(scan_name(b"message type"), 7);
        assert_eq!(scan_name(b"x:y-z.1="), 7);
        assert_eq!(scan_name(b"1abc"), 0);
        assert_eq!(scan_name("é·x>".as_bytes()), 5);
        assert_eq!(scan_name(b"ab\xff"), 2);
        assert_eq!(scan_name(b""), 0);
    }
}
