//! Option values checked and converted as optparse's types do (with
//! ClusterShell's `safestring`), with its messages.

use std::ffi::OsString;

use super::table::Kind;

/// `value` of option `opt` (as typed: `-f`, `--fanout`) checked for
/// `kind`; integers are given back in decimal, floats without `_`.
pub(super) fn check(kind: Kind, opt: &str, value: OsString) -> Result<OsString, String> {
    let text = value.to_string_lossy().into_owned();
    match kind {
        Kind::Safe if text.is_empty() || text.starts_with('-') => {
            Err(format!("option {opt}: invalid value: {}", repr(&text)))
        }
        Kind::Int => python_int(&text)
            .map(|n| n.to_string().into())
            .ok_or_else(|| format!("option {opt}: invalid integer value: {}", repr(&text))),
        Kind::Float => python_float(&text).map(OsString::from).ok_or_else(|| {
            format!(
                "option {opt}: invalid floating-point value: {}",
                repr(&text)
            )
        }),
        Kind::Choice(words) if !words.contains(&text.as_str()) => {
            let words: Vec<String> = words.iter().map(|w| repr(w)).collect();
            Err(format!(
                "option {opt}: invalid choice: {} (choose from {})",
                repr(&text),
                words.join(", ")
            ))
        }
        _ => Ok(value),
    }
}

/// optparse's integers: `0x` hexadecimal, `0b` binary, a leading `0`
/// octal, else decimal, read by Python's `int(text, radix)`.
fn python_int(text: &str) -> Option<i64> {
    let lower = text.get(..2).map(str::to_ascii_lowercase);
    let (radix, text) = match lower.as_deref() {
        Some("0x") => (16, text),
        Some("0b") => (2, text.get(2..).filter(|t| !t.is_empty()).unwrap_or("0")),
        _ if text.starts_with('0') => (8, text),
        _ => (10, text),
    };
    let text = text.trim();
    let (negative, text) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let prefix = match radix {
        16 => ["0x", "0X"],
        8 => ["0o", "0O"],
        2 => ["0b", "0B"],
        _ => ["", ""],
    };
    let (prefixed, digits) = match prefix
        .iter()
        .find(|p| !p.is_empty() && text.starts_with(**p))
    {
        Some(p) => (true, &text[p.len()..]),
        None => (false, text),
    };
    let digits = without_underscores(digits, prefixed)?;
    if digits.starts_with(['+', '-']) {
        return None;
    }
    let number = i64::from_str_radix(&digits, radix).ok()?;
    Some(if negative { -number } else { number })
}

/// Python's `float(text)`, as text Rust reads.
fn python_float(text: &str) -> Option<String> {
    let text = without_underscores(text.trim(), false)?;
    text.parse::<f64>().is_ok().then_some(text)
}

/// `digits` with its `_` removed, each of which must stand between two
/// digits (or, `leading`, right at the start after a base prefix).
fn without_underscores(digits: &str, leading: bool) -> Option<String> {
    let chars: Vec<char> = digits.chars().collect();
    for (at, c) in chars.iter().enumerate() {
        if *c != '_' {
            continue;
        }
        let before = at.checked_sub(1).map(|i| chars[i].is_ascii_alphanumeric());
        let after = chars.get(at + 1).is_some_and(char::is_ascii_alphanumeric);
        if !(after && before.unwrap_or(leading)) {
            return None;
        }
    }
    let digits: String = chars.into_iter().filter(|c| *c != '_').collect();
    (!digits.is_empty()).then_some(digits)
}

/// Python's `repr` of a string: single quotes, or double ones when it
/// holds a single quote and no double one; backslashes, that quote and
/// control characters escaped.
pub(super) fn repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}
