//! The gateway's hot path: a pickle of one `bytes` object (OUT/SER payloads).

use std::borrow::Cow;

use super::cursor::Cursor;
use crate::opcode::*;
use crate::{ReadError, ReadErrorKind, Value};

/// Reads a pickle holding one `bytes` (or Python 2 `str`, or `bytearray`),
/// borrowing the data from the input when the pickle is the plain form
/// writers use (`[PROTO] [FRAME] C|B|BINBYTES8|U|T <data> [memo] STOP`).
/// Any other form goes through the full reader with the default
/// configuration and is copied (`_codecs.encode` of protocols 0 to 2).
///
/// ```
/// // pickle.dumps(b'hello', protocol=4)
/// let pickle = b"\x80\x04\x95\x09\x00\x00\x00\x00\x00\x00\x00C\x05hello\x94.";
/// let data = cscomm_pickle::read_bytes_payload(pickle)?;
/// assert!(matches!(data, std::borrow::Cow::Borrowed(b"hello")));
/// # Ok::<(), cscomm_pickle::ReadError>(())
/// ```
///
/// # Errors
/// Whatever [`crate::read`] reports, or
/// [`ReadErrorKind::NotBytes`] when the pickle holds another type.
pub fn read_bytes_payload(pickle: &[u8]) -> Result<Cow<'_, [u8]>, ReadError> {
    if let Some(data) = plain_bytes(pickle) {
        return Ok(Cow::Borrowed(data));
    }
    match super::read(pickle)? {
        Value::Bytes(data) | Value::ByteArray(data) => Ok(Cow::Owned(data)),
        other => Err(ReadError::new(
            0,
            ReadErrorKind::NotBytes(other.type_name().to_owned()),
        )),
    }
}

/// The data of a plain `bytes` pickle, or `None` for any other shape.
fn plain_bytes(pickle: &[u8]) -> Option<&[u8]> {
    let mut cur = Cursor::new(pickle);
    let mut op = cur.byte().ok()?;
    if op == PROTO {
        if cur.byte().ok()? > 5 {
            return None;
        }
        op = cur.byte().ok()?;
    }
    if op == FRAME {
        let len = cur.u64_le().ok()?;
        if len > cur.remaining() as u64 {
            return None;
        }
        op = cur.byte().ok()?;
    }
    let data = match op {
        SHORT_BINBYTES | SHORT_BINSTRING => cur.short_data().ok()?,
        BINBYTES => cur.data4().ok()?,
        BINBYTES8 => cur.data8().ok()?,
        BINSTRING => {
            let len = u64::try_from(cur.i32_le().ok()?).ok()?;
            cur.take(len).ok()?
        }
        _ => return None,
    };
    let mut op = cur.byte().ok()?;
    match op {
        MEMOIZE => op = cur.byte().ok()?,
        BINPUT => {
            cur.byte().ok()?;
            op = cur.byte().ok()?;
        }
        LONG_BINPUT => {
            cur.u32_le().ok()?;
            op = cur.byte().ok()?;
        }
        _ => {}
    }
    (op == STOP && cur.remaining() == 0).then_some(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_forms_borrow() {
        let cases: [&[u8]; 6] = [
            b"\x80\x04\x95\x09\x00\x00\x00\x00\x00\x00\x00C\x05hello\x94.",
            b"\x80\x04B\x05\x00\x00\x00hello\x94.",
            b"\x80\x05\x8e\x05\x00\x00\x00\x00\x00\x00\x00hello\x94.",
            b"\x80\x03C\x05helloq\x00.",
            b"\x80\x02U\x05helloq\x00.",
            b"T\x05\x00\x00\x00hellor\x00\x01\x00\x00.",
        ];
        for pickle in cases {
            let data = read_bytes_payload(pickle).expect("bytes payload");
            assert!(matches!(data, Cow::Borrowed(b"hello")), "{pickle:?}");
        }
    }

    #[test]
    fn other_forms_are_read_in_full() {
        // pickle.dumps(b'h\xe9', protocol=2): _codecs.encode('hé', 'latin1').
        let pickle = b"\x80\x02c_codecs\nencode\nq\x00X\x03\x00\x00\x00h\xc3\xa9q\x01X\x06\x00\x00\x00latin1q\x02\x86q\x03Rq\x04.";
        let data = read_bytes_payload(pickle).expect("bytes payload");
        assert!(matches!(data, Cow::Owned(ref d) if d == b"h\xe9"));
        let err = read_bytes_payload(b"\x80\x04N.").expect_err("not bytes");
        assert_eq!(err.kind, ReadErrorKind::NotBytes("NoneType".into()));
        assert!(read_bytes_payload(b"\x80\x04C\x05hel").is_err());
        assert!(read_bytes_payload(b"\x80\x04C\x05hello\x94.x").is_err());
    }
}
