//! Base64 as ClusterShell writes it: the standard alphabet with padding,
//! wrapped with `\n` every `line_length` characters.
//!
//! The decoder skips white space (the `\n` of wrapped lines, and any CR,
//! TAB or space a relay may add) and rejects everything else that is not
//! base64, with the offset of the offending character. It is stricter than
//! Python's `base64.b64decode`, which silently drops any non-alphabet
//! character: a payload that only Python's leniency accepts is an error.

use std::mem::MaybeUninit;
use std::num::NonZeroUsize;

use bytes::{BufMut, BytesMut};

/// ClusterShell's default line length (`DEFAULT_B64_LINE_LENGTH`).
pub const DEFAULT_LINE_LENGTH: NonZeroUsize = NonZeroUsize::new(65536).expect("non-zero");

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Table value of characters that are skipped.
const SKIP: u8 = 0xFE;
/// Table value of `=`.
const PAD: u8 = 0xFD;
/// Table value of invalid characters.
const INVALID: u8 = 0xFF;

const DECODE: [u8; 256] = decode_table();

const fn decode_table() -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table[b'\n' as usize] = SKIP;
    table[b'\r' as usize] = SKIP;
    table[b'\t' as usize] = SKIP;
    table[b' ' as usize] = SKIP;
    table[b'=' as usize] = PAD;
    table
}

/// Why base64 text does not decode. Offsets count from the first
/// character of the payload text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Base64Error {
    /// A character outside the alphabet, padding and white space.
    #[error("invalid base64 character {} at byte {offset}", show_byte(*.byte))]
    InvalidChar {
        /// Offset of the character.
        offset: usize,
        /// The byte found.
        byte: u8,
    },
    /// Data after the padding, or padding where it cannot be.
    #[error("misplaced base64 padding at byte {offset}")]
    MisplacedPadding {
        /// Offset of the offending character.
        offset: usize,
    },
    /// The text ends in the middle of a 4-character group (Python's wording).
    #[error("Incorrect padding (the text ends after {chars} data characters)")]
    IncorrectPadding {
        /// How many data characters the text holds.
        chars: usize,
    },
}

fn show_byte(byte: u8) -> String {
    match byte {
        0x21..=0x7E => format!("'{}'", char::from(byte)),
        _ => format!("0x{byte:02x}"),
    }
}

/// Length of the base64 text of `len` bytes, without line breaks.
pub fn encoded_len(len: usize) -> usize {
    len.div_ceil(3) * 4
}

/// Appends the base64 text of `data` to `out`, with a `\n` after every
/// `line_length` characters except at the end (as ClusterShell joins its
/// lines).
///
/// ```
/// use std::num::NonZeroUsize;
/// let mut out = bytes::BytesMut::new();
/// cscomm_message::base64::encode_wrapped(b"hello world", NonZeroUsize::new(8).unwrap(), &mut out);
/// assert_eq!(&out[..], b"aGVsbG8g\nd29ybGQ=");
/// ```
pub fn encode_wrapped(data: &[u8], line_length: NonZeroUsize, out: &mut BytesMut) {
    let chars = encoded_len(data.len());
    let line = line_length.get();
    let breaks = chars.saturating_sub(1) / line;
    out.reserve(chars + breaks);
    if breaks == 0 {
        encode_append(data, out);
    } else if line % 4 == 0 {
        // Whole groups per line: encode line by line, straight into `out`.
        let per_line = line / 4 * 3;
        for (i, chunk) in data.chunks(per_line).enumerate() {
            if i > 0 {
                out.put_u8(b'\n');
            }
            encode_append(chunk, out);
        }
    } else {
        let mut text = BytesMut::with_capacity(chars);
        encode_append(data, &mut text);
        for (i, chunk) in text.chunks(line).enumerate() {
            if i > 0 {
                out.put_u8(b'\n');
            }
            out.extend_from_slice(chunk);
        }
    }
}

/// Appends the base64 text of `data` (no line breaks).
fn encode_append(data: &[u8], out: &mut BytesMut) {
    let start = out.len();
    out.resize(start + encoded_len(data.len()), 0);
    encode_into(data, &mut out[start..]);
}

/// Encodes `data` into `out`, which is exactly `encoded_len(data.len())`
/// long, with the `base64-simd` crate (SIMD where the CPU has it: about 5x
/// our former scalar encoder on large payloads, docs/BASE64.md).
fn encode_into(data: &[u8], out: &mut [u8]) {
    // It writes exactly `out` (sized by `encoded_len`) and returns it.
    let _text = base64_simd::STANDARD.encode(data, base64_simd::Out::from_slice(out));
}

/// Decodes base64 `text` (white space skipped), appending the bytes to `out`.
/// On error `out` may hold part of the data.
///
/// ```
/// let mut out = Vec::new();
/// cscomm_message::base64::decode(b"aGVsbG8g\nd29ybGQ=", &mut out)?;
/// assert_eq!(out, b"hello world");
/// let err = cscomm_message::base64::decode(b"aGV!", &mut out).unwrap_err();
/// assert_eq!(err.to_string(), "invalid base64 character '!' at byte 3");
/// # Ok::<(), cscomm_message::base64::Base64Error>(())
/// ```
pub fn decode(text: &[u8], out: &mut Vec<u8>) -> Result<(), Base64Error> {
    out.reserve(text.len() / 4 * 3);
    let mut state = Decoder::default();
    let mut at = 0;
    while at < text.len() {
        let end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i);
        state.segment(&text[at..end], at, out)?;
        at = end + 1;
    }
    state.finish(out)
}

/// The fast path of [`decode`] for the usual text: one line of canonical
/// base64 (no white space, padding at the end, zero trailing bits), decoded
/// with `base64-simd` into `out` when it fits. Returns the decoded bytes,
/// or `None` for any other text (or if `out` is too small): the caller
/// then uses [`decode`], which accepts what Python accepts and reports
/// errors with offsets. Where both decode, they give the same bytes.
///
/// ```
/// use std::mem::MaybeUninit;
/// let mut buf = [MaybeUninit::uninit(); 16];
/// let data = cscomm_message::base64::decode_canonical(b"aGVsbG8=", &mut buf);
/// assert_eq!(data.as_deref(), Some(&b"hello"[..]));
/// assert_eq!(cscomm_message::base64::decode_canonical(b"aGVs\nbG8=", &mut buf), None);
/// ```
pub fn decode_canonical<'a>(text: &[u8], out: &'a mut [MaybeUninit<u8>]) -> Option<&'a [u8]> {
    let simd = base64_simd::STANDARD;
    if simd.decoded_length(text).ok()? > out.len() {
        return None;
    }
    let data = simd
        .decode(text, base64_simd::Out::from_uninit_slice(out))
        .ok()?;
    Some(data)
}

/// The first bytes of the decoded data, at most `max` of them, decoding
/// only as much text as needed (to sniff a pickle's protocol).
pub fn decode_prefix(text: &[u8], max: usize) -> Result<Vec<u8>, Base64Error> {
    let mut out = Vec::with_capacity(max + 3);
    let mut state = Decoder::default();
    for (offset, &byte) in text.iter().enumerate() {
        state.one(byte, offset, &mut out)?;
        if out.len() >= max {
            out.truncate(max);
            return Ok(out);
        }
    }
    state.finish(&mut out)?;
    Ok(out)
}

/// Decoding state carried across segments: a partial group and padding.
#[derive(Default)]
struct Decoder {
    group: [u8; 4],
    filled: usize,
    chars: usize,
    /// Padding characters seen (data must not follow).
    pads: usize,
}

impl Decoder {
    /// Decodes one run of text without `\n`, starting at `base`.
    fn segment(&mut self, seg: &[u8], base: usize, out: &mut Vec<u8>) -> Result<(), Base64Error> {
        let mut i = 0;
        // Complete a group left open by the previous segment.
        while self.filled != 0 && i < seg.len() {
            self.one(seg[i], base + i, out)?;
            i += 1;
        }
        if self.pads == 0 {
            i += self.bulk(&seg[i..], out);
        }
        for (j, &byte) in seg[i..].iter().enumerate() {
            self.one(byte, base + i + j, out)?;
        }
        Ok(())
    }

    /// Decodes whole groups of plain data characters; returns how many
    /// characters it consumed (it stops before any other character).
    fn bulk(&mut self, seg: &[u8], out: &mut Vec<u8>) -> usize {
        let groups = seg.len() / 4;
        let start = out.len();
        out.resize(start + groups * 3, 0);
        let mut done = 0;
        for (src, dst) in seg.chunks_exact(4).zip(out[start..].chunks_exact_mut(3)) {
            let (a, b, c, d) = (
                DECODE[usize::from(src[0])],
                DECODE[usize::from(src[1])],
                DECODE[usize::from(src[2])],
                DECODE[usize::from(src[3])],
            );
            if (a | b | c | d) >= 64 {
                break;
            }
            let n = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
            dst[0] = (n >> 16) as u8;
            dst[1] = (n >> 8) as u8;
            dst[2] = n as u8;
            done += 1;
        }
        out.truncate(start + done * 3);
        self.chars += done * 4;
        done * 4
    }

    /// Decodes one character at `offset`.
    fn one(&mut self, byte: u8, offset: usize, out: &mut Vec<u8>) -> Result<(), Base64Error> {
        match DECODE[usize::from(byte)] {
            SKIP => Ok(()),
            INVALID => Err(Base64Error::InvalidChar { offset, byte }),
            PAD => {
                // Padding completes a group of 2 or 3 data characters.
                let room = 4 - self.filled;
                if self.filled < 2 || self.pads >= room {
                    return Err(Base64Error::MisplacedPadding { offset });
                }
                self.pads += 1;
                Ok(())
            }
            sextet => {
                if self.pads > 0 {
                    return Err(Base64Error::MisplacedPadding { offset });
                }
                self.group[self.filled] = sextet;
                self.filled += 1;
                self.chars += 1;
                if self.filled == 4 {
                    self.flush(out);
                }
                Ok(())
            }
        }
    }

    fn flush(&mut self, out: &mut Vec<u8>) {
        let g = self.group;
        let n =
            u32::from(g[0]) << 18 | u32::from(g[1]) << 12 | u32::from(g[2]) << 6 | u32::from(g[3]);
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8][..self.filled - 1]);
        self.filled = 0;
        self.group = [0; 4];
    }

    fn finish(mut self, out: &mut Vec<u8>) -> Result<(), Base64Error> {
        match self.filled {
            0 => Ok(()),
            f if f >= 2 && self.pads == 4 - f => {
                self.flush(out);
                Ok(())
            }
            _ => Err(Base64Error::IncorrectPadding { chars: self.chars }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(data: &[u8], line: usize) -> Vec<u8> {
        let mut out = BytesMut::new();
        encode_wrapped(data, NonZeroUsize::new(line).unwrap(), &mut out);
        out.to_vec()
    }

    fn dec(text: &[u8]) -> Result<Vec<u8>, Base64Error> {
        let mut out = Vec::new();
        decode(text, &mut out).map(|()| out)
    }

    #[test]
    fn non_zero_trailing_bits_are_accepted_as_python_does() {
        // base64.b64decode('QR==') == b'A' (the low bits of R dropped).
        assert_eq!(dec(b"QR==").unwrap(), b"A");
        assert_eq!(dec(b"QUJ=").unwrap(), b"AB");
    }

    #[test]
    fn known_vectors() {
        for (data, text) in [
            (&b""[..], &b""[..]),
            (b"f", b"Zg=="),
            (b"fo", b"Zm8="),
            (b"foo", b"Zm9v"),
            (b"foob", b"Zm9vYg=="),
            (b"\xff\xfe\xfd", b"//79"),
        ] {
            assert_eq!(enc(data, 65536), text);
            assert_eq!(dec(text).unwrap(), data);
        }
    }

    #[test]
    fn wrapping_any_line_length() {
        let data: Vec<u8> = (0..=255).collect();
        for line in [1, 3, 4, 5, 7, 76, 341, 342, 343, 344, 1000] {
            let text = enc(&data, line);
            let plain = enc(&data, 65536);
            let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
            assert!(lines.iter().all(|l| l.len() <= line && !l.is_empty()));
            assert_eq!(lines.concat(), plain);
            assert_eq!(dec(&text).unwrap(), data, "line length {line}");
        }
    }

    #[test]
    fn errors_name_offsets() {
        assert_eq!(
            dec(b"Zm9v\nZ!8=").unwrap_err(),
            Base64Error::InvalidChar {
                offset: 6,
                byte: b'!'
            }
        );
        assert_eq!(
            dec(b"Zm9vZ").unwrap_err(),
            Base64Error::IncorrectPadding { chars: 5 }
        );
        assert_eq!(
            dec(b"Zm8").unwrap_err(),
            Base64Error::IncorrectPadding { chars: 3 }
        );
        assert_eq!(
            dec(b"Zg=").unwrap_err(),
            Base64Error::IncorrectPadding { chars: 2 }
        );
        assert_eq!(
            dec(b"Zg==Zm9v").unwrap_err(),
            Base64Error::MisplacedPadding { offset: 4 }
        );
        assert_eq!(
            dec(b"Z===").unwrap_err(),
            Base64Error::MisplacedPadding { offset: 1 }
        );
        assert_eq!(
            dec(b"Zm8==").unwrap_err(),
            Base64Error::MisplacedPadding { offset: 4 }
        );
        assert_eq!(dec(b"Zm\r\n8 =\t").unwrap(), b"fo");
    }

    #[test]
    fn prefix_decodes_only_the_start() {
        assert_eq!(decode_prefix(b"gASVFAAA!!!", 3).unwrap(), b"\x80\x04\x95");
        assert_eq!(decode_prefix(b"Zg==", 3).unwrap(), b"f");
        assert!(decode_prefix(b"g!", 3).is_err());
    }
}
