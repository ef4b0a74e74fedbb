//! The few pickles (protocol 4) the benchmark streams carry, byte for byte
//! as CPython's `pickle.dumps(obj, 4)` writes them.

const PROTO_4: &[u8] = b"\x80\x04";
const FRAME: u8 = 0x95;
const SHORT_BINBYTES: u8 = b'C';
const BINBYTES: u8 = b'B';
const MEMOIZE: u8 = 0x94;
const STOP: u8 = b'.';
/// CPython writes bytes objects at least this long outside any frame.
const FRAME_SIZE_TARGET: usize = 64 << 10;

/// `pickle.dumps(data, 4)` for a `bytes` object (a line of output in an
/// OUT message).
pub fn bytes(data: &[u8]) -> Vec<u8> {
    let mut body = bytes_header(data.len());
    if data.len() >= FRAME_SIZE_TARGET {
        // Large: the header and the data go straight out, unframed.
        let mut out = PROTO_4.to_vec();
        out.extend_from_slice(&body);
        out.extend_from_slice(data);
        out.extend_from_slice(&[MEMOIZE, STOP]);
        return out;
    }
    body.extend_from_slice(data);
    body.extend_from_slice(&[MEMOIZE, STOP]);
    framed(&body)
}

/// `pickle.dumps({'buf': data}, 4)`: the payload of a CTL `write` message
/// (what the initiator sends to a command's stdin, as in copy mode).
pub fn write_buf(data: &[u8]) -> Vec<u8> {
    // `}` EMPTY_DICT, MEMOIZE, SHORT_BINUNICODE "buf", MEMOIZE.
    let dict_start: &[u8] = b"}\x94\x8c\x03buf\x94";
    let tail: &[u8] = b"\x94s.";
    if data.len() >= FRAME_SIZE_TARGET {
        let mut out = framed(dict_start);
        out.extend_from_slice(&bytes_header(data.len()));
        out.extend_from_slice(data);
        // Fewer than 4 bytes after the data: CPython writes no FRAME.
        out.extend_from_slice(tail);
        return out;
    }
    let mut body = dict_start.to_vec();
    body.extend_from_slice(&bytes_header(data.len()));
    body.extend_from_slice(data);
    body.extend_from_slice(tail);
    framed(&body)
}

/// The opcode and length of a bytes object of `len` bytes.
fn bytes_header(len: usize) -> Vec<u8> {
    match u8::try_from(len) {
        Ok(short) => vec![SHORT_BINBYTES, short],
        Err(_) => {
            let long = u32::try_from(len).unwrap_or(u32::MAX);
            let mut header = vec![BINBYTES];
            header.extend_from_slice(&long.to_le_bytes());
            header
        }
    }
}

/// Protocol header and `body` as one frame.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = PROTO_4.to_vec();
    out.push(FRAME);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_bytes_match_cpython() {
        // pickle.dumps(b'hello from node3', 4), as in PROTOCOL.md's capture.
        let expected = b"\x80\x04\x95\x14\x00\x00\x00\x00\x00\x00\x00C\x10hello from node3\x94.";
        assert_eq!(bytes(b"hello from node3"), expected);
    }

    #[test]
    fn long_bytes_use_four_byte_lengths() {
        let data = vec![7u8; 300];
        let pickle = bytes(&data);
        assert_eq!(&pickle[11..16], b"B\x2c\x01\x00\x00");
        assert_eq!(pickle.len(), 2 + 9 + 5 + 300 + 2);
        let big = write_buf(&vec![1u8; 1 << 20]);
        assert_eq!(
            &big[..20],
            b"\x80\x04\x95\x08\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x03buf\x94B"
        );
        assert_eq!(&big[big.len() - 3..], b"\x94s.");
    }
}
