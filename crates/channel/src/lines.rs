//! Output payloads cut into lines as ClusterShell's initiator cuts them.

/// The lines of an `OUT`/`SER` payload, as ClusterShell's initiator reads
/// them: `(data + b"\n").splitlines()`, so `\n`, `\r\n` and `\r` all end a
/// line, and a payload ending with a line break ends with an empty line.
///
/// ```
/// let lines: Vec<&[u8]> = cscomm_channel::lines(b"a\nb\r\nc").collect();
/// assert_eq!(lines, [&b"a"[..], b"b", b"c"]);
/// assert_eq!(cscomm_channel::lines(b"").count(), 1);
/// ```
pub fn lines(data: &[u8]) -> Lines<'_> {
    Lines { data, pos: Some(0) }
}

/// Iterator of [`lines`].
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    data: &'a [u8],
    /// Start of the next line; `None` when done.
    pos: Option<usize>,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let pos = self.pos?;
        let data = self.data;
        let rest = &data[pos..];
        let Some(found) = memchr_cr_lf(rest) else {
            // The line break ClusterShell appends ends this line.
            self.pos = None;
            return Some(rest);
        };
        let end = pos + found;
        let mut next = end + 1;
        if data[end] == b'\r' {
            if next == data.len() {
                // "\r" + the appended "\n" is one break.
                self.pos = None;
                return Some(&data[pos..end]);
            }
            if data[next] == b'\n' {
                next += 1;
            }
        }
        self.pos = Some(next);
        Some(&data[pos..end])
    }
}

fn memchr_cr_lf(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n' || b == b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(data: &[u8]) -> Vec<&[u8]> {
        lines(data).collect()
    }

    #[test]
    fn cuts_as_python_splitlines_after_appending_a_newline() {
        assert_eq!(cut(b""), [&b""[..]]);
        assert_eq!(cut(b"a"), [&b"a"[..]]);
        assert_eq!(cut(b"a\n"), [&b"a"[..], b""]);
        assert_eq!(cut(b"a\r"), [&b"a"[..]]);
        assert_eq!(cut(b"a\r\n"), [&b"a"[..], b""]);
        assert_eq!(cut(b"a\r\rb"), [&b"a"[..], b"", b"b"]);
        assert_eq!(cut(b"\n\n"), [&b""[..], b"", b""]);
    }
}
