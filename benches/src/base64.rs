//! Standard base64 (RFC 4648, with padding), as Python's `base64.b64encode`.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends the base64 encoding of `data` to `out`.
///
/// ```
/// let mut out = Vec::new();
/// cscomm_benches::base64::encode_into(b"hello", &mut out);
/// assert_eq!(out, b"aGVsbG8=");
/// ```
pub fn encode_into(data: &[u8], out: &mut Vec<u8>) {
    out.reserve(data.len().div_ceil(3) * 4);
    let mut chunks = data.chunks_exact(3);
    for chunk in &mut chunks {
        let n = u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8 | u32::from(chunk[2]);
        out.extend_from_slice(&quad(n, 4));
    }
    match *chunks.remainder() {
        [a] => out.extend_from_slice(&quad(u32::from(a) << 16, 2)),
        [a, b] => out.extend_from_slice(&quad(u32::from(a) << 16 | u32::from(b) << 8, 3)),
        _ => {}
    }
}

/// The four characters for the 24 bits of `n`, `keep` of them significant
/// and the rest `=` padding.
fn quad(n: u32, keep: usize) -> [u8; 4] {
    let mut out = [b'='; 4];
    for (i, slot) in out.iter_mut().enumerate().take(keep) {
        *slot = ALPHABET[(n >> (18 - 6 * i) & 0x3F) as usize];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(data: &[u8]) -> String {
        let mut out = Vec::new();
        encode_into(data, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn rfc4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (data, expected) in vectors {
            assert_eq!(encode(data.as_bytes()), expected);
        }
        assert_eq!(encode(&[0xFB, 0xFF, 0xBF]), "+/+/");
    }
}
