//! Arguments of the text opcodes of protocol 0 (and Python 2's `STRING`).

use crate::error::Limit;
use crate::{BigInt, ReadErrorKind};

type Result<T> = std::result::Result<T, ReadErrorKind>;

/// What an `INT` line holds: protocol 0 writes `True`/`False` as `I01`/`I00`.
#[derive(Debug, PartialEq)]
pub(crate) enum IntText {
    Bool(bool),
    Int(BigInt),
}

fn check_number_len(text: &[u8], max: usize) -> Result<()> {
    if text.len() > max {
        return Err(ReadErrorKind::LimitExceeded {
            limit: Limit::NumberText,
            max: max as u64,
        });
    }
    Ok(())
}

/// Decimal integer text with optional sign and surrounding ASCII spaces.
fn parse_decimal(text: &[u8], what: &'static str) -> Result<BigInt> {
    let text =
        std::str::from_utf8(text.trim_ascii()).map_err(|_| ReadErrorKind::Malformed(what))?;
    text.parse().map_err(|_| ReadErrorKind::Malformed(what))
}

/// The argument of `INT`.
pub(crate) fn parse_int(line: &[u8], max: usize) -> Result<IntText> {
    check_number_len(line, max)?;
    match line {
        b"00" => Ok(IntText::Bool(false)),
        b"01" => Ok(IntText::Bool(true)),
        _ => parse_decimal(line, "invalid INT argument").map(IntText::Int),
    }
}

/// The argument of `LONG` (Python 2 appends an `L`).
pub(crate) fn parse_long(line: &[u8], max: usize) -> Result<BigInt> {
    check_number_len(line, max)?;
    let digits = line.strip_suffix(b"L").unwrap_or(line);
    parse_decimal(digits, "invalid LONG argument")
}

/// The argument of `FLOAT`: Python's `repr` of a float (`1e+100`, `inf`, ...).
pub(crate) fn parse_float(line: &[u8], max: usize) -> Result<f64> {
    check_number_len(line, max)?;
    let bad = ReadErrorKind::Malformed("invalid FLOAT argument");
    let text = std::str::from_utf8(line.trim_ascii()).map_err(|_| bad.clone())?;
    text.parse().map_err(|_| bad)
}

/// A memo key of `GET`/`PUT`.
pub(crate) fn parse_memo_key(line: &[u8], max: usize) -> Result<u64> {
    check_number_len(line, max)?;
    let bad = ReadErrorKind::Malformed("invalid memo key");
    let key = parse_decimal(line, "invalid memo key")?;
    key.to_i64().and_then(|k| u64::try_from(k).ok()).ok_or(bad)
}

/// A module or name line of `GLOBAL`/`INST`.
pub(crate) fn parse_name(line: &[u8]) -> Result<String> {
    String::from_utf8(line.to_vec())
        .map_err(|_| ReadErrorKind::Malformed("global name is not UTF-8"))
}

/// The argument of `STRING`: a quoted Python 2 `repr` of a byte string.
pub(crate) fn parse_quoted_string(line: &[u8]) -> Result<Vec<u8>> {
    let inner = match line {
        [q, inner @ .., last] if q == last && (*q == b'\'' || *q == b'"') => inner,
        _ => {
            return Err(ReadErrorKind::Malformed(
                "the STRING opcode argument must be quoted",
            ));
        }
    };
    escape_decode(inner)
}

/// Python's `codecs.escape_decode`: backslash escapes of byte literals.
fn escape_decode(text: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let byte = text[i];
        i += 1;
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        let esc = *text
            .get(i)
            .ok_or(ReadErrorKind::Malformed("trailing \\ in STRING argument"))?;
        i += 1;
        match esc {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(esc),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'0'..=b'7' => {
                let mut value = u32::from(esc - b'0');
                let mut digits = 1;
                while digits < 3 && i < text.len() && (b'0'..=b'7').contains(&text[i]) {
                    value = value * 8 + u32::from(text[i] - b'0');
                    i += 1;
                    digits += 1;
                }
                out.push(value as u8);
            }
            b'x' => {
                let hex = text
                    .get(i..i + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or(ReadErrorKind::Malformed(
                        "invalid \\x escape in STRING argument",
                    ))?;
                out.push(hex);
                i += 2;
            }
            other => out.extend_from_slice(&[b'\\', other]),
        }
    }
    Ok(out)
}

/// Python's `raw-unicode-escape` decoding (the argument of `UNICODE`): each
/// byte is a Latin-1 character, except `\uXXXX` and `\UXXXXXXXX` after an
/// odd number of backslashes. A UTF-16 surrogate pair (Python 2 narrow
/// builds) becomes its character; a lone surrogate cannot be a Rust string.
pub(crate) fn decode_raw_unicode_escape(data: &[u8]) -> Result<String> {
    let mut out = Utf16Joiner::default();
    let mut i = 0;
    while i < data.len() {
        if data[i] != b'\\' {
            out.push(u32::from(data[i]))?;
            i += 1;
            continue;
        }
        let run = data[i..].iter().take_while(|&&b| b == b'\\').count();
        let after = i + run;
        let escape = run % 2 == 1 && matches!(data.get(after), Some(b'u' | b'U'));
        let literal = if escape { run - 1 } else { run };
        for _ in 0..literal {
            out.push(u32::from(b'\\'))?;
        }
        i = after;
        if escape {
            let (code, next) = hex_escape(data, after)?;
            out.push(code)?;
            i = next;
        }
    }
    out.finish()
}

/// The code point of the `u`/`U` escape at `at`, and where it ends.
fn hex_escape(data: &[u8], at: usize) -> Result<(u32, usize)> {
    let width = if data[at] == b'u' { 4 } else { 8 };
    let code = data
        .get(at + 1..at + 1 + width)
        .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
        .and_then(|h| std::str::from_utf8(h).ok())
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .ok_or(ReadErrorKind::Malformed(
            "truncated \\uXXXX escape in UNICODE argument",
        ))?;
    Ok((code, at + 1 + width))
}

const BAD_CODE_POINT: ReadErrorKind =
    ReadErrorKind::Malformed("UNICODE argument holds a lone surrogate or an invalid code point");

/// Collects code points, joining UTF-16 surrogate pairs.
#[derive(Default)]
struct Utf16Joiner {
    out: String,
    high: Option<u32>,
}

impl Utf16Joiner {
    fn push(&mut self, unit: u32) -> Result<()> {
        let code = match (self.high.take(), unit) {
            (Some(high), 0xdc00..=0xdfff) => 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00),
            (Some(_), _) => return Err(BAD_CODE_POINT),
            (None, 0xd800..=0xdbff) => {
                self.high = Some(unit);
                return Ok(());
            }
            (None, _) => unit,
        };
        self.out.push(char::from_u32(code).ok_or(BAD_CODE_POINT)?);
        Ok(())
    }

    fn finish(self) -> Result<String> {
        match self.high {
            Some(_) => Err(BAD_CODE_POINT),
            None => Ok(self.out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_text() {
        assert_eq!(parse_int(b"01", 10), Ok(IntText::Bool(true)));
        assert_eq!(parse_int(b"00", 10), Ok(IntText::Bool(false)));
        assert_eq!(
            parse_int(b"-42", 10),
            Ok(IntText::Int(BigInt::from(-42i64)))
        );
        assert_eq!(parse_int(b"0", 10), Ok(IntText::Int(BigInt::from(0i64))));
        assert!(parse_int(b"4x", 10).is_err());
        assert!(parse_int(b"", 10).is_err());
        assert!(matches!(
            parse_int(b"12345678901", 10),
            Err(ReadErrorKind::LimitExceeded { .. })
        ));
        assert_eq!(parse_long(b"123L", 10), Ok(BigInt::from(123i64)));
        assert_eq!(parse_long(b"-5", 10), Ok(BigInt::from(-5i64)));
    }

    #[test]
    fn float_text() {
        assert_eq!(parse_float(b"1e+100", 30), Ok(1e100));
        assert_eq!(
            parse_float(b"-0.0", 30).map(f64::to_bits),
            Ok((-0.0f64).to_bits())
        );
        assert_eq!(parse_float(b"inf", 30), Ok(f64::INFINITY));
        assert_eq!(parse_float(b"-inf", 30), Ok(f64::NEG_INFINITY));
        assert!(parse_float(b"nan", 30).is_ok_and(f64::is_nan));
        assert_eq!(parse_float(b"0.10000000000000001", 30), Ok(0.1));
        assert!(parse_float(b"1.0.0", 30).is_err());
    }

    #[test]
    fn quoted_string_escapes() {
        assert_eq!(parse_quoted_string(b"'abc'"), Ok(b"abc".to_vec()));
        assert_eq!(parse_quoted_string(b"\"it's\""), Ok(b"it's".to_vec()));
        assert_eq!(
            parse_quoted_string(br"'\xff\n\t\\\'\0\101\q'"),
            Ok(b"\xff\n\t\\'\0A\\q".to_vec())
        );
        assert!(parse_quoted_string(b"'abc").is_err());
        assert!(parse_quoted_string(b"'").is_err());
        assert!(parse_quoted_string(br"'\x4'").is_err());
        assert!(parse_quoted_string(b"'\\'").is_err());
    }

    #[test]
    fn raw_unicode_escape() {
        assert_eq!(decode_raw_unicode_escape(b"a\xe9"), Ok("a\u{e9}".into()));
        assert_eq!(decode_raw_unicode_escape(br"\u20ac"), Ok("\u{20ac}".into()));
        assert_eq!(
            decode_raw_unicode_escape(br"\U0001f600"),
            Ok("\u{1f600}".into())
        );
        assert_eq!(
            decode_raw_unicode_escape(br"\ud83d\ude00"),
            Ok("\u{1f600}".into())
        );
        assert_eq!(
            decode_raw_unicode_escape(br"\\u0041"),
            Ok(r"\\u0041".into())
        );
        assert_eq!(decode_raw_unicode_escape(br"\\\u0041"), Ok(r"\\A".into()));
        assert_eq!(
            decode_raw_unicode_escape(br"\\\\u0041"),
            Ok(r"\\\\u0041".into())
        );
        assert_eq!(decode_raw_unicode_escape(br"a\b"), Ok(r"a\b".into()));
        assert!(decode_raw_unicode_escape(br"\u12").is_err());
        assert!(decode_raw_unicode_escape(br"\ud800").is_err());
        assert!(decode_raw_unicode_escape(br"\U00110000").is_err());
    }
}
