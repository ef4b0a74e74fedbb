//! Integers of attributes, read as Python's `int()` reads them.

/// Longest attribute text repeated in an error.
const MAX_SHOWN: usize = 64;

/// Parses `text` as Python's `int(text)` does for base 10: surrounding
/// white space, an optional sign, ASCII digits with single underscores
/// between them. Returns the sign (`true` for negative) and the magnitude,
/// `None` in the magnitude when it does not fit in 128 bits.
fn parse(text: &str) -> Option<(bool, Option<u128>)> {
    if let Some(value) = plain_digits(text.as_bytes()) {
        return Some((false, Some(u128::from(value))));
    }
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let bytes = digits.as_bytes();
    if bytes.first()?.is_ascii_digit() && bytes.last()?.is_ascii_digit() {
        let mut value: Option<u128> = Some(0);
        let mut previous_underscore = false;
        for &b in bytes {
            match b {
                b'_' if !previous_underscore => previous_underscore = true,
                b'0'..=b'9' => {
                    previous_underscore = false;
                    value = value
                        .and_then(|v| v.checked_mul(10))
                        .and_then(|v| v.checked_add(u128::from(b - b'0')));
                }
                _ => return None,
            }
        }
        return Some((negative, value));
    }
    None
}

/// The common case, what ClusterShell writes: 1 to 19 ASCII digits and
/// nothing else (always within `u64`).
fn plain_digits(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 19 {
        return None;
    }
    bytes.iter().try_fold(0u64, |value, &byte| {
        let digit = byte.wrapping_sub(b'0');
        (digit <= 9).then(|| value * 10 + u64::from(digit))
    })
}

/// `'text'`, shortened when long.
fn shown(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN) {
        Some((cut, _)) => format!("'{}…'", &text[..cut]),
        None => format!("'{text}'"),
    }
}

fn not_an_int(text: &str) -> String {
    format!("invalid literal for int() with base 10: {}", shown(text))
}

fn out_of_range(text: &str, what: &str) -> String {
    format!("{} is out of range for {what}", shown(text))
}

/// A non-negative 64-bit integer (`msgid`, `srcid`, `ack`).
pub(crate) fn parse_u64(text: &str) -> Result<u64, String> {
    match parse(text) {
        None => Err(not_an_int(text)),
        Some((negative, Some(v))) if !negative || v == 0 => {
            u64::try_from(v).map_err(|_| out_of_range(text, "an unsigned 64-bit integer"))
        }
        Some(_) => Err(out_of_range(text, "an unsigned 64-bit integer")),
    }
}

/// A signed 64-bit integer (`retcode`).
pub(crate) fn parse_i64(text: &str) -> Result<i64, String> {
    let range = || out_of_range(text, "a 64-bit integer");
    match parse(text) {
        None => Err(not_an_int(text)),
        Some((_, None)) => Err(range()),
        Some((false, Some(v))) => i64::try_from(v).map_err(|_| range()),
        Some((true, Some(v))) => i128::try_from(v)
            .ok()
            .and_then(|v| i64::try_from(-v).ok())
            .ok_or_else(range),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_forms() {
        assert_eq!(parse_u64("42"), Ok(42));
        assert_eq!(parse_u64(" 4_2\t"), Ok(42));
        assert_eq!(parse_u64("+7"), Ok(7));
        assert_eq!(parse_u64("-0"), Ok(0));
        assert_eq!(parse_u64("007"), Ok(7));
        assert_eq!(parse_u64("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse_u64("9999999999999999999"),
            Ok(9_999_999_999_999_999_999)
        );
        assert_eq!(parse_i64("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_i64("0"), Ok(0));
        assert_eq!(parse_i64("-3"), Ok(-3));
        assert_eq!(parse_i64("-9223372036854775808"), Ok(i64::MIN));
        for bad in ["", " ", "x", "4__2", "_4", "4_", "1.0", "0x10", "--1", "+"] {
            assert_eq!(
                parse_u64(bad),
                Err(format!("invalid literal for int() with base 10: '{bad}'")),
                "{bad:?}"
            );
        }
        assert!(parse_u64("-1").unwrap_err().contains("out of range"));
        assert!(
            parse_u64("18446744073709551616")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(
            parse_i64("9223372036854775808")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(parse_i64(&"9".repeat(100)).unwrap_err().contains("…"));
    }
}
