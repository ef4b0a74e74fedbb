//! Cutting a byte stream into lines, sans-IO, with bounded memory.

use bytes::{Buf, Bytes, BytesMut};

/// How a delivered [`Line`] ended in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineEnd {
    /// A `\n` ended the line; the `\n` is not part of the bytes.
    Newline,
    /// The stream ended without a final `\n`: these are its last bytes.
    Eof,
    /// The line was longer than the maximum: this is a piece of it, and the
    /// rest follows in the next line(s) of the same stream.
    Split,
}

/// One line of output (or a piece of a very long one), bytes exact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Line {
    /// The bytes, without the `\n` (and without the `\r` before it when
    /// asked to strip it). Not necessarily UTF-8.
    pub bytes: Bytes,
    /// How the line ended.
    pub end: LineEnd,
}

impl Line {
    /// The line as the stream carried it: the bytes plus `\n` when it ended
    /// with one (a stripped `\r` is not restored).
    pub fn to_stream_bytes(&self) -> Vec<u8> {
        let mut out = self.bytes.to_vec();
        if self.end == LineEnd::Newline {
            out.push(b'\n');
        }
        out
    }
}

/// The smallest line length the splitter accepts (a held-back `\r` needs room).
pub const MIN_LINE_LENGTH: usize = 2;

/// Splits bytes into [`Line`]s on `\n`.
///
/// Feed it with [`LineSplitter::buffer_mut`] (reads append there), take lines
/// with [`LineSplitter::next_line`], and the last unterminated bytes with
/// [`LineSplitter::finish`]. A line longer than the maximum is handed out in
/// pieces flagged [`LineEnd::Split`], so the buffer never holds much more than
/// one maximum line plus one read. No byte is lost or reordered.
///
/// ```
/// use cscomm_ssh::{LineEnd, LineSplitter};
/// let mut s = LineSplitter::new(4, false);
/// s.buffer_mut().extend_from_slice(b"ab\r\nabcdefg");
/// let first = s.next_line().unwrap();
/// assert_eq!((&first.bytes[..], first.end), (&b"ab\r"[..], LineEnd::Newline));
/// assert_eq!(s.next_line().unwrap().end, LineEnd::Split); // "abcd"
/// assert_eq!(s.next_line(), None); // "efg" waits for more
/// assert_eq!(&s.finish().unwrap().bytes[..], b"efg");
/// ```
#[derive(Debug)]
pub struct LineSplitter {
    buf: BytesMut,
    scanned: usize,
    max: usize,
    strip_cr: bool,
}

impl LineSplitter {
    /// A splitter cutting lines longer than `max_len` bytes (at least
    /// [`MIN_LINE_LENGTH`]); `strip_cr` drops a `\r` right before a `\n`, as
    /// ClusterShell's readers do.
    pub fn new(max_len: usize, strip_cr: bool) -> Self {
        LineSplitter {
            buf: BytesMut::new(),
            scanned: 0,
            max: max_len.max(MIN_LINE_LENGTH),
            strip_cr,
        }
    }

    /// The buffer that reads append to.
    pub fn buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// How many bytes wait in the buffer.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// An upper bound of the size of the next line [`LineSplitter::next_line`]
    /// or [`LineSplitter::finish`] would return.
    pub fn next_size_bound(&self) -> usize {
        let window = self.buf.len().min(self.max.saturating_add(1));
        let scan_from = self.scanned.min(window);
        match memchr::memchr(b'\n', &self.buf[scan_from..window]) {
            Some(pos) => scan_from + pos,
            None => self.buf.len().min(self.max),
        }
    }

    /// The next complete line (or piece of an over-long line), if any.
    pub fn next_line(&mut self) -> Option<Line> {
        let window = self.buf.len().min(self.max.saturating_add(1));
        let found = memchr::memchr(b'\n', &self.buf[self.scanned.min(window)..window]);
        if let Some(pos) = found.map(|p| p + self.scanned) {
            let mut len = pos;
            if self.strip_cr && len > 0 && self.buf[len - 1] == b'\r' {
                len -= 1;
            }
            let bytes = Bytes::copy_from_slice(&self.buf[..len]);
            self.buf.advance(pos + 1);
            self.scanned = 0;
            return Some(Line {
                bytes,
                end: LineEnd::Newline,
            });
        }
        if self.buf.len() <= self.max {
            self.scanned = self.buf.len();
            return None;
        }
        let mut len = self.max;
        // A `\r` that may belong to a `\r\n` to strip stays for the next piece.
        if self.strip_cr && self.buf[len - 1] == b'\r' {
            len -= 1;
        }
        let bytes = Bytes::copy_from_slice(&self.buf[..len]);
        self.buf.advance(len);
        self.scanned = 0;
        Some(Line {
            bytes,
            end: LineEnd::Split,
        })
    }

    /// At end of stream: the remaining bytes as a last line without newline.
    /// Call [`LineSplitter::next_line`] until it returns `None` first.
    pub fn finish(&mut self) -> Option<Line> {
        if self.buf.is_empty() {
            return None;
        }
        self.scanned = 0;
        Some(Line {
            bytes: self.buf.split().freeze(),
            end: LineEnd::Eof,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn split_all(input: &[&[u8]], max: usize, strip_cr: bool) -> Vec<Line> {
        let mut s = LineSplitter::new(max, strip_cr);
        let mut out = Vec::new();
        for chunk in input {
            s.buffer_mut().extend_from_slice(chunk);
            while let Some(line) = s.next_line() {
                assert!(line.bytes.len() <= max);
                out.push(line);
            }
        }
        out.extend(s.finish());
        out
    }

    fn rebuild(lines: &[Line]) -> Vec<u8> {
        lines.iter().flat_map(|l| l.to_stream_bytes()).collect()
    }

    #[test]
    fn keeps_cr_and_non_utf8_and_empty_lines() {
        let lines = split_all(&[b"a\r\n\n\xff\xfe\rb\n"], 100, false);
        let got: Vec<&[u8]> = lines.iter().map(|l| &l.bytes[..]).collect();
        assert_eq!(got, vec![&b"a\r"[..], b"", b"\xff\xfe\rb"]);
        assert!(lines.iter().all(|l| l.end == LineEnd::Newline));
    }

    #[test]
    fn last_line_without_newline_is_flagged() {
        let lines = split_all(&[b"x\ny"], 100, false);
        assert_eq!(lines[1].bytes, Bytes::from_static(b"y"));
        assert_eq!(lines[1].end, LineEnd::Eof);
    }

    #[test]
    fn long_lines_come_in_pieces() {
        let lines = split_all(&[b"0123456789\nab"], 4, false);
        let got: Vec<(&[u8], LineEnd)> = lines.iter().map(|l| (&l.bytes[..], l.end)).collect();
        assert_eq!(
            got,
            vec![
                (&b"0123"[..], LineEnd::Split),
                (b"4567", LineEnd::Split),
                (b"89", LineEnd::Newline),
                (b"ab", LineEnd::Eof)
            ]
        );
    }

    #[test]
    fn the_size_bound_is_the_next_line_when_one_is_complete() {
        let mut s = LineSplitter::new(8, false);
        s.buffer_mut().extend_from_slice(b"ab\ncdefg\nhijklmnopq");
        let mut pairs = Vec::new();
        loop {
            let bound = s.next_size_bound();
            let Some(line) = s.next_line() else { break };
            pairs.push((bound, line.bytes.len()));
        }
        // Whole lines, then a piece of the over-long one.
        assert_eq!(pairs, vec![(2, 2), (5, 5), (8, 8)]);
        assert_eq!(s.next_size_bound(), 2);
        assert_eq!(s.finish().map(|l| l.bytes.len()), Some(2));
    }

    #[test]
    fn a_huge_maximum_does_not_overflow() {
        let lines = split_all(&[b"a\nb"], usize::MAX, true);
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn a_line_of_exactly_max_is_whole() {
        let lines = split_all(&[b"0123", b"\n"], 4, false);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].end, LineEnd::Newline);
    }

    #[test]
    fn strips_crlf_even_across_a_split() {
        let lines = split_all(&[b"abc\r", b"\nz\r\r\n"], 4, true);
        let got: Vec<&[u8]> = lines.iter().map(|l| &l.bytes[..]).collect();
        assert_eq!(got, vec![&b"abc"[..], b"z\r"]);
        let lines = split_all(&[b"a\r\r\n"], 2, true);
        let got: Vec<&[u8]> = lines.iter().map(|l| &l.bytes[..]).collect();
        assert_eq!(got, vec![&b"a"[..], b"\r"]);
        assert_eq!(lines[0].end, LineEnd::Split);
    }

    #[test]
    fn any_chunking_gives_the_same_bytes() {
        let data: Vec<u8> = (0..2000u32)
            .map(|i| match i % 13 {
                0 => b'\n',
                5 => b'\r',
                _ => (i * 7 % 251) as u8,
            })
            .collect();
        let whole = split_all(&[&data], 5, false);
        assert_eq!(rebuild(&whole), data);
        for step in [1, 2, 3, 7, 64] {
            let chunks: Vec<&[u8]> = data.chunks(step).collect();
            assert_eq!(split_all(&chunks, 5, false), whole, "step {step}");
        }
    }
}
