//! Classes of range set elements.
//!
//! ClusterShell (1.9+) keeps range set elements as strings: `"5"`, `"05"`
//! and `"005"` are three different elements, sorted by string length first
//! and value second (negative elements first, longest first). Every element
//! here is a value plus its [`Class`]: sign, string length and whether it is
//! zero-padded. Sorting by `(class, value)` gives ClusterShell's order, and
//! the values of one class are consecutive integers, so a range set can be
//! stored as runs of consecutive values inside a class.

use crate::pystr::MAX_DIGITS;
use std::fmt::{self, Write};

/// `MAX_DIGITS` as the `u8` a class stores.
const MAX_LEN: u8 = MAX_DIGITS as u8;

/// Sign, length and padding of an element, ordered like ClusterShell sorts.
///
/// Codes `0..MAX_LEN` are negative elements with `MAX_LEN - code` digits
/// (longest first); codes from `MAX_LEN` on are non-negative elements, two
/// per string length: zero-padded first, then unpadded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Class(u8);

/// `10^n`.
pub(crate) fn pow10(n: u32) -> i128 {
    10i128.pow(n)
}

/// Number of decimal digits of `|v|` (`0` has one).
pub(crate) fn digits(v: i128) -> u32 {
    let mut v = v.unsigned_abs();
    let mut n = 1;
    while v >= 10 {
        v /= 10;
        n += 1;
    }
    n
}

impl Class {
    /// The class of value `v` printed with `"%0*d" % (pad, v)`.
    ///
    /// Callers keep `|v| < 10^MAX_DIGITS` and `pad <= MAX_DIGITS`.
    pub(crate) fn of(v: i128, pad: u32) -> Class {
        let n = digits(v);
        if v < 0 {
            return Class(MAX_LEN - n as u8);
        }
        let len = n.max(pad);
        let padded = len > n;
        Class(MAX_LEN + 2 * (len as u8 - 1) + u8::from(!padded))
    }

    /// The class and value of a string of ASCII digits (a node name index).
    pub(crate) fn of_digits(text: &str) -> Option<(Class, i128)> {
        if text.is_empty() || text.len() > MAX_DIGITS || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v = text.parse::<i128>().ok()?;
        Some((Class::of(v, text.len() as u32), v))
    }

    /// Whether elements of this class are negative.
    pub(crate) fn negative(self) -> bool {
        self.0 < MAX_LEN
    }

    /// String length of the elements of this class.
    pub(crate) fn len(self) -> u32 {
        if self.negative() {
            u32::from(MAX_LEN - self.0) + 1
        } else {
            u32::from((self.0 - MAX_LEN) / 2) + 1
        }
    }

    /// Whether elements of this class are zero-padded (`"05"`).
    pub(crate) fn padded(self) -> bool {
        !self.negative() && (self.0 - MAX_LEN) % 2 == 0
    }

    /// The inclusive range of values of this class.
    pub(crate) fn values(self) -> (i128, i128) {
        if self.negative() {
            let n = MAX_LEN - self.0;
            let lo = pow10(u32::from(n) - 1);
            return (-(pow10(u32::from(n)) - 1), -lo);
        }
        let len = self.len();
        if self.padded() {
            (0, pow10(len - 1) - 1)
        } else if len == 1 {
            (0, 9)
        } else {
            (pow10(len - 1), pow10(len) - 1)
        }
    }

    /// Zero-padding width ClusterShell uses when printing a run starting
    /// with this class (`cur_pad if cur_padded else 0`).
    pub(crate) fn print_pad(self) -> u32 {
        if self.padded() { self.len() } else { 0 }
    }

    /// Writes element `v` of this class.
    pub(crate) fn write(self, out: &mut impl Write, v: i128) -> fmt::Result {
        write_padded(out, v, self.print_pad())
    }
}

/// `"%0*d" % (pad, v)`.
pub(crate) fn write_padded(out: &mut impl Write, v: i128, pad: u32) -> fmt::Result {
    write!(out, "{:0width$}", v, width = pad as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(c: Class, v: i128) -> String {
        let mut s = String::new();
        c.write(&mut s, v).expect("write to string");
        s
    }

    #[test]
    fn classes_order_like_clustershell() {
        // ClusterShell's sort key: (-len, int) for negatives, (len, str) else.
        let elems = [
            (-10, 0),
            (-99, 0),
            (-1, 0),
            (0, 0),
            (9, 0),
            (0, 2),
            (5, 2),
            (10, 0),
            (99, 0),
            (7, 3),
            (100, 0),
        ];
        let mut keyed: Vec<(Class, i128)> =
            elems.iter().map(|&(v, p)| (Class::of(v, p), v)).collect();
        keyed.sort();
        let printed: Vec<String> = keyed.iter().map(|&(c, v)| text(c, v)).collect();
        assert_eq!(
            printed,
            [
                "-99", "-10", "-1", "0", "9", "00", "05", "10", "99", "007", "100"
            ]
        );
    }

    #[test]
    fn class_values_round_trip() {
        for v in [-120i128, -9, 0, 3, 9, 10, 42, 999, 1000] {
            for pad in [0, 1, 2, 3, 5] {
                let c = Class::of(v, pad);
                let (lo, hi) = c.values();
                assert!(lo <= v && v <= hi, "{v} pad {pad}");
                assert_eq!(Class::of(lo, pad), c);
                assert_eq!(Class::of(hi, pad), c);
                assert_eq!(text(c, v).len() as u32, c.len());
            }
        }
        assert_eq!(Class::of_digits("007"), Some((Class::of(7, 3), 7)));
        assert_eq!(Class::of_digits("0"), Some((Class::of(0, 0), 0)));
        assert_eq!(Class::of_digits("00"), Some((Class::of(0, 2), 0)));
        assert!(Class::of_digits("").is_none());
    }
}
