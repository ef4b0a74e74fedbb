//! Python string semantics the node set syntax depends on: what `str.strip()`
//! calls whitespace, and what `int()` accepts.

/// Whether Python's `str.isspace()` is true for `c`.
///
/// Rust's `char::is_whitespace` (Unicode `White_Space`) plus the four ASCII
/// information separators U+001C to U+001F, which Python also strips.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `s.strip()`.
pub(crate) fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Python's `s.lstrip()`.
pub(crate) fn lstrip(s: &str) -> &str {
    s.trim_start_matches(is_space)
}

/// Python's `s.rstrip()`.
pub(crate) fn rstrip(s: &str) -> &str {
    s.trim_end_matches(is_space)
}

/// Most decimal digits an index may have: values stay below `10^38`, which
/// fits `i128` (Python has no limit below `1e100`).
pub(crate) const MAX_DIGITS: usize = 38;

/// Why [`py_int`] refused a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntError {
    /// Not an integer literal as Python's `int()` reads one.
    Invalid,
    /// An integer with more than [`MAX_DIGITS`] digits.
    TooLarge,
}

/// Python's `int(s)` for ASCII input: surrounding whitespace, an optional
/// sign, decimal digits with single underscores between them.
///
/// Python also accepts other Unicode decimal digits; we do not (documented in
/// `docs/NODESET.md`).
pub(crate) fn py_int(s: &str) -> Result<i128, IntError> {
    let s = strip(s);
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let bytes = digits.as_bytes();
    if bytes.is_empty() || bytes[0] == b'_' || bytes[bytes.len() - 1] == b'_' {
        return Err(IntError::Invalid);
    }
    let mut value: i128 = 0;
    let mut count = 0usize;
    let mut previous_underscore = false;
    for &b in bytes {
        match b {
            b'_' if !previous_underscore => previous_underscore = true,
            b'0'..=b'9' => {
                previous_underscore = false;
                // Leading zeros do not count towards the size limit.
                if value != 0 || b != b'0' {
                    count += 1;
                }
                if count > MAX_DIGITS {
                    return Err(IntError::TooLarge);
                }
                value = value * 10 + i128::from(b - b'0');
            }
            _ => return Err(IntError::Invalid),
        }
    }
    Ok(if negative { -value } else { value })
}

/// Number of code points, as Python's `len()` counts a `str`.
pub(crate) fn py_len(s: &str) -> usize {
    s.chars().count()
}

/// Appends `text` to `out` with `%` doubled, as ClusterShell escapes node
/// names before using them as `%`-format patterns.
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        if c == '%' {
            out.push('%');
        }
        out.push(c);
    }
}

/// `text` with `%` doubled (see [`push_escaped`]).
pub(crate) fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_accepts_what_python_accepts() {
        assert_eq!(py_int("12"), Ok(12));
        assert_eq!(py_int(" +7 "), Ok(7));
        assert_eq!(py_int("-3"), Ok(-3));
        assert_eq!(py_int("1_000"), Ok(1000));
        assert_eq!(py_int("007"), Ok(7));
        assert_eq!(py_int("0_0"), Ok(0));
        for bad in ["", "_1", "1_", "1__0", "+", "+_1", "1.0", "a", "--1", "1 2"] {
            assert_eq!(py_int(bad), Err(IntError::Invalid), "{bad:?}");
        }
        assert_eq!(py_int(&"9".repeat(38)).map(|_| ()), Ok(()));
        assert_eq!(py_int(&"9".repeat(39)), Err(IntError::TooLarge));
        assert_eq!(py_int(&format!("{}1", "0".repeat(60))), Ok(1));
    }

    #[test]
    fn whitespace_matches_python() {
        assert_eq!(strip("\u{1c} a \u{a0}\u{3000}"), "a");
        assert_eq!(lstrip("\t a "), "a ");
        assert_eq!(rstrip(" a \n"), " a");
        assert!(!is_space('\u{feff}'));
    }

    #[test]
    fn escaping_doubles_percent() {
        assert_eq!(escaped("a%b%%"), "a%%b%%%%");
    }
}
