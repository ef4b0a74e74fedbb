//! The output buffer, with protocol 4 framing as CPython's C pickler does it.
//!
//! With framing on, opcodes are grouped into frames of about 64 KiB, each
//! preceded by `FRAME <u64 length>`. The header is reserved when a frame
//! starts and filled in when it is committed; a frame of fewer than 4 bytes
//! loses its header. Data of 64 KiB or more is written outside any frame.

use crate::opcode::FRAME;

const HEADER_LEN: usize = 9;
/// Frames are committed once they reach this size.
pub(crate) const FRAME_TARGET: usize = 64 * 1024;
const FRAME_MIN: usize = 4;

pub(crate) struct Output<'o> {
    buf: &'o mut Vec<u8>,
    framing: bool,
    frame_start: Option<usize>,
}

impl<'o> Output<'o> {
    pub(crate) fn new(buf: &'o mut Vec<u8>) -> Output<'o> {
        Output {
            buf,
            framing: false,
            frame_start: None,
        }
    }

    /// Turns framing on (after the `PROTO` opcode of protocol 4 and above).
    pub(crate) fn start_framing(&mut self) {
        self.framing = true;
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        if self.framing && self.frame_start.is_none() {
            self.frame_start = Some(self.buf.len());
            self.buf.extend_from_slice(&[0; HEADER_LEN]);
        }
        self.buf.extend_from_slice(bytes);
    }

    pub(crate) fn byte(&mut self, byte: u8) {
        self.write(&[byte]);
    }

    /// Writes an opcode with its argument header and its (possibly large)
    /// data; large data goes outside frames.
    pub(crate) fn write_data(&mut self, header: &[u8], data: &[u8]) {
        if self.framing && data.len() >= FRAME_TARGET {
            self.commit_frame();
            self.buf.extend_from_slice(header);
            self.buf.extend_from_slice(data);
        } else {
            self.write(header);
            self.write(data);
        }
    }

    /// Commits the current frame if it reached the target size.
    pub(crate) fn opcode_boundary(&mut self) {
        if let Some(start) = self.frame_start {
            if self.buf.len() - start - HEADER_LEN >= FRAME_TARGET {
                self.commit_frame();
            }
        }
    }

    /// Ends the current frame, filling in its header (or dropping it when
    /// the frame is too small to be worth one).
    pub(crate) fn commit_frame(&mut self) {
        let Some(start) = self.frame_start.take() else {
            return;
        };
        let len = self.buf.len() - start - HEADER_LEN;
        if len >= FRAME_MIN {
            self.buf[start] = FRAME;
            self.buf[start + 1..start + HEADER_LEN].copy_from_slice(&(len as u64).to_le_bytes());
        } else {
            self.buf.drain(start..start + HEADER_LEN);
        }
    }
}
