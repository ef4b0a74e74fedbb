//! Integers of any size, kept as the bytes pickle uses for them.

use std::fmt;
use std::str::FromStr;

/// An integer of any size, as Python's `int` beyond the 64-bit range.
///
/// It is stored exactly as the `LONG1`/`LONG4` opcodes carry it: minimal
/// two's-complement little-endian bytes (zero is no byte at all). Decimal
/// formatting ([`fmt::Display`]) and parsing ([`FromStr`]) are provided;
/// they are quadratic in the number of digits, which the reader bounds.
///
/// ```
/// use cscomm_pickle::BigInt;
/// let n: BigInt = "-1180591620717411303424".parse().unwrap();
/// assert_eq!(n.to_string(), "-1180591620717411303424");
/// assert_eq!(n.as_le_bytes(), [0, 0, 0, 0, 0, 0, 0, 0, 0xc0]);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct BigInt {
    le: Vec<u8>,
}

/// Why a decimal text is not an integer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseBigIntError {
    /// No digit at all.
    #[error("no digits in integer text")]
    Empty,
    /// A character that is not a decimal digit, at this byte offset.
    #[error("invalid digit at offset {0} in integer text")]
    InvalidDigit(usize),
}

const CHUNK: u32 = 1_000_000_000;
const CHUNK_DIGITS: usize = 9;

impl BigInt {
    /// Builds from two's-complement little-endian bytes (any length; the
    /// result is stored in minimal form).
    pub fn from_le_bytes(bytes: &[u8]) -> BigInt {
        let mut le = bytes.to_vec();
        normalize(&mut le);
        BigInt { le }
    }

    /// The minimal two's-complement little-endian bytes (`LONG1` payload).
    pub fn as_le_bytes(&self) -> &[u8] {
        &self.le
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.le.last().is_some_and(|b| b & 0x80 != 0)
    }

    /// The value as an `i64`, when it fits.
    pub fn to_i64(&self) -> Option<i64> {
        (self.le.len() <= 8)
            .then(|| sign_extend::<8>(&self.le, self.is_negative()))
            .map(i64::from_le_bytes)
    }

    /// The value as an `i128`, when it fits.
    pub fn to_i128(&self) -> Option<i128> {
        (self.le.len() <= 16)
            .then(|| sign_extend::<16>(&self.le, self.is_negative()))
            .map(i128::from_le_bytes)
    }

    /// Decimal digits of the absolute value, with a leading `-` if negative.
    fn to_decimal(&self) -> String {
        let mut limbs = to_limbs(&self.magnitude());
        let mut chunks = Vec::new();
        while !limbs.is_empty() {
            chunks.push(div_small(&mut limbs, CHUNK));
        }
        let mut out = String::with_capacity(chunks.len() * CHUNK_DIGITS + 1);
        if self.is_negative() {
            out.push('-');
        }
        match chunks.pop() {
            None => out.push('0'),
            Some(top) => out.push_str(&top.to_string()),
        }
        for chunk in chunks.iter().rev() {
            out.push_str(&format!("{chunk:09}"));
        }
        out
    }

    /// Unsigned little-endian bytes of the absolute value.
    fn magnitude(&self) -> Vec<u8> {
        let mut mag = self.le.clone();
        if self.is_negative() {
            negate(&mut mag);
        }
        mag
    }
}

impl From<i64> for BigInt {
    fn from(v: i64) -> BigInt {
        BigInt::from_le_bytes(&v.to_le_bytes())
    }
}

impl From<i128> for BigInt {
    fn from(v: i128) -> BigInt {
        BigInt::from_le_bytes(&v.to_le_bytes())
    }
}

impl From<u64> for BigInt {
    fn from(v: u64) -> BigInt {
        BigInt::from(i128::from(v))
    }
}

impl fmt::Display for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal())
    }
}

impl fmt::Debug for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BigInt({})", self.to_decimal())
    }
}

impl FromStr for BigInt {
    type Err = ParseBigIntError;

    /// Parses `[+-]digits` (ASCII decimal, no spaces).
    fn from_str(text: &str) -> Result<BigInt, ParseBigIntError> {
        let (negative, digits) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        if digits.is_empty() {
            return Err(ParseBigIntError::Empty);
        }
        let sign_len = text.len() - digits.len();
        if let Some(bad) = digits.bytes().position(|b| !b.is_ascii_digit()) {
            return Err(ParseBigIntError::InvalidDigit(sign_len + bad));
        }
        let mut limbs: Vec<u32> = Vec::new();
        let first = digits.len() % CHUNK_DIGITS;
        let mut start = 0;
        let mut end = if first == 0 { CHUNK_DIGITS } else { first };
        while start < digits.len() {
            let chunk = &digits[start..end];
            let scale = 10u32.pow(chunk.len() as u32);
            mul_add_small(
                &mut limbs,
                scale,
                chunk.bytes().fold(0, |a, b| a * 10 + u32::from(b - b'0')),
            );
            start = end;
            end += CHUNK_DIGITS;
        }
        let mut le: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
        le.push(0);
        if negative {
            negate(&mut le);
        }
        normalize(&mut le);
        Ok(BigInt { le })
    }
}

/// Drops the most significant bytes that only repeat the sign.
fn normalize(le: &mut Vec<u8>) {
    while let Some(&last) = le.last() {
        let below = le.len().checked_sub(2).map(|i| le[i]);
        let redundant = match (last, below) {
            (0x00, None) => true,
            (0x00, Some(b)) => b & 0x80 == 0,
            (0xff, Some(b)) => b & 0x80 != 0,
            _ => false,
        };
        if !redundant {
            break;
        }
        le.pop();
    }
}

fn sign_extend<const N: usize>(le: &[u8], negative: bool) -> [u8; N] {
    let mut out = [if negative { 0xff } else { 0 }; N];
    out[..le.len()].copy_from_slice(le);
    out
}

/// Two's-complement negation in place (invert, add one).
fn negate(le: &mut [u8]) {
    let mut carry = true;
    for byte in le.iter_mut() {
        let (sum, overflow) = (!*byte).overflowing_add(u8::from(carry));
        *byte = sum;
        carry = overflow;
    }
}

fn to_limbs(mag: &[u8]) -> Vec<u32> {
    let mut limbs: Vec<u32> = mag
        .chunks(4)
        .map(|c| {
            let mut word = [0u8; 4];
            word[..c.len()].copy_from_slice(c);
            u32::from_le_bytes(word)
        })
        .collect();
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
    limbs
}

/// Divides the little-endian limbs by `divisor` in place, returning the rest.
fn div_small(limbs: &mut Vec<u32>, divisor: u32) -> u32 {
    let mut rest = 0u64;
    for limb in limbs.iter_mut().rev() {
        let cur = (rest << 32) | u64::from(*limb);
        *limb = (cur / u64::from(divisor)) as u32;
        rest = cur % u64::from(divisor);
    }
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
    rest as u32
}

/// `limbs = limbs * factor + add`.
fn mul_add_small(limbs: &mut Vec<u32>, factor: u32, add: u32) {
    let mut carry = u64::from(add);
    for limb in limbs.iter_mut() {
        let cur = u64::from(*limb) * u64::from(factor) + carry;
        *limb = cur as u32;
        carry = cur >> 32;
    }
    if carry != 0 {
        limbs.push(carry as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_bytes_match_python_encode_long() {
        // Values from pickle.encode_long's documentation.
        let cases: [(i128, &[u8]); 8] = [
            (0, b""),
            (255, b"\xff\x00"),
            (32767, b"\xff\x7f"),
            (-256, b"\x00\xff"),
            (-32768, b"\x00\x80"),
            (-128, b"\x80"),
            (127, b"\x7f"),
            (-1, b"\xff"),
        ];
        for (v, bytes) in cases {
            assert_eq!(BigInt::from(v).as_le_bytes(), bytes, "{v}");
            assert_eq!(BigInt::from_le_bytes(bytes).to_i128(), Some(v));
        }
    }

    #[test]
    fn decimal_round_trip() {
        for text in [
            "0",
            "1",
            "-1",
            "999999999",
            "1000000000",
            "-1000000000",
            "18446744073709551616",
            "-9223372036854775809",
            "123456789012345678901234567890123456789012345678901234567890",
        ] {
            let n: BigInt = text.parse().expect("valid");
            assert_eq!(n.to_string(), text);
        }
        assert_eq!(
            "+12".parse::<BigInt>().map(|n| n.to_string()),
            Ok("12".into())
        );
        assert_eq!(
            "-0".parse::<BigInt>().map(|n| n.to_string()),
            Ok("0".into())
        );
        assert_eq!("".parse::<BigInt>(), Err(ParseBigIntError::Empty));
        assert_eq!("-".parse::<BigInt>(), Err(ParseBigIntError::Empty));
        assert_eq!(
            "12a".parse::<BigInt>(),
            Err(ParseBigIntError::InvalidDigit(2))
        );
    }

    #[test]
    fn i64_bounds() {
        assert_eq!(BigInt::from(i64::MIN).to_i64(), Some(i64::MIN));
        assert_eq!(BigInt::from(i64::MAX).to_i64(), Some(i64::MAX));
        assert_eq!(BigInt::from(i128::from(i64::MAX) + 1).to_i64(), None);
        assert_eq!(BigInt::from(u64::MAX).to_string(), u64::MAX.to_string());
    }

    proptest::proptest! {
        #[test]
        fn i128_round_trips(v: i128) {
            let n = BigInt::from(v);
            proptest::prop_assert_eq!(n.to_i128(), Some(v));
            proptest::prop_assert_eq!(n.to_string(), v.to_string());
            proptest::prop_assert_eq!(v.to_string().parse::<BigInt>(), Ok(n));
        }
    }
}
