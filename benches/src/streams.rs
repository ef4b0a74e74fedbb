//! Channel streams as a ClusterShell 1.10.1 peer writes them.

use bytes::BytesMut;
use cscomm_wire::{write_channel_end, write_channel_start, write_declaration, write_message};

use crate::{base64, pickle};

/// ClusterShell's default base64 line length (`CLUSTERSHELL_GW_B64_LINE_LENGTH`).
pub const B64_LINE_LENGTH: usize = 65536;

/// `srcid` of every routed message: a worker's `id()` as CPython prints it.
pub const SRCID: &str = "140470179345936";

/// Nodes the generated OUT messages come from, in turn (a fanout of 64).
pub const NODES: usize = 64;

/// A gateway's stream to the initiator: `n` OUT messages, one per line of
/// output of `line_len` bytes (log-like ASCII text), as a gateway without
/// grooming sends them, from nodes `node1` to `node64` in turn; then
/// `</channel>`.
///
/// ```
/// let stream = cscomm_benches::streams::out_lines(2, 80);
/// assert!(stream.starts_with(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\"><message type=\"OUT\""));
/// ```
pub fn out_lines(n: usize, line_len: usize) -> Vec<u8> {
    let mut text = TextGen::default();
    let mut out = start();
    for i in 0..n {
        let line = text.line(line_len);
        let msgid = (7 + 2 * i).to_string();
        let nodes = format!("node{}", i % NODES + 1);
        let attrs = [
            ("type", "OUT"),
            ("msgid", msgid.as_str()),
            ("srcid", SRCID),
            ("nodes", nodes.as_str()),
        ];
        write_message(&mut out, &attrs, &payload(&pickle::bytes(&line)));
    }
    end(out)
}

/// An initiator's stream to a gateway in copy mode: `m` CTL `write`
/// messages each carrying `size` bytes of (pseudo-random, tar-like) data
/// for `node[1-64]`'s stdin; then `</channel>`.
pub fn write_buffers(m: usize, size: usize) -> Vec<u8> {
    let mut bytes = ByteGen::default();
    let mut out = start();
    let mut data = vec![0; size];
    for i in 0..m {
        bytes.fill(&mut data);
        let msgid = (3 + i).to_string();
        let attrs = [
            ("type", "CTL"),
            ("msgid", msgid.as_str()),
            ("srcid", SRCID),
            ("action", "write"),
            ("target", "node[1-64]"),
        ];
        write_message(&mut out, &attrs, &payload(&pickle::write_buf(&data)));
    }
    end(out)
}

/// The pieces of `stream` as ClusterShell's channel reads it: each line with
/// its `\n` (the last piece without one if the stream does not end in `\n`).
pub fn lines(stream: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', stream) {
        lines.push(&stream[start..=end]);
        start = end + 1;
    }
    if start < stream.len() {
        lines.push(&stream[start..]);
    }
    lines
}

/// Header and `<channel>` start, as the gateway writes them.
fn start() -> BytesMut {
    let mut out = BytesMut::new();
    write_declaration(&mut out);
    write_channel_start(&mut out, &[("version", "1.10.1")]);
    out
}

fn end(mut out: BytesMut) -> Vec<u8> {
    write_channel_end(&mut out);
    out.to_vec()
}

/// `Message.data_encode`: base64 of the pickle, a `\n` every
/// [`B64_LINE_LENGTH`] characters.
fn payload(pickle: &[u8]) -> Vec<u8> {
    let mut b64 = Vec::new();
    base64::encode_into(pickle, &mut b64);
    let mut wrapped = Vec::with_capacity(b64.len() + b64.len() / B64_LINE_LENGTH);
    for (i, line) in b64.chunks(B64_LINE_LENGTH).enumerate() {
        if i > 0 {
            wrapped.push(b'\n');
        }
        wrapped.extend_from_slice(line);
    }
    wrapped
}

/// A deterministic xorshift64* generator.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Default for Rng {
    fn default() -> Self {
        Rng(0x9E37_79B9_7F4A_7C15)
    }
}

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Log-like lines of text.
#[derive(Debug, Default)]
struct TextGen {
    rng: Rng,
    clock: u64,
}

const WORDS: [&str; 16] = [
    "kernel:",
    "eth0",
    "link",
    "up",
    "10000",
    "Mbps",
    "full",
    "duplex",
    "systemd[1]:",
    "Started",
    "session",
    "of",
    "user",
    "root.",
    "slurmd:",
    "job",
];

impl TextGen {
    /// One line of exactly `len` bytes (no newline).
    fn line(&mut self, len: usize) -> Vec<u8> {
        self.clock += 1 + self.rng.below(5000) as u64;
        let mut line = format!(
            "[{:>6}.{:06}]",
            self.clock / 1_000_000,
            self.clock % 1_000_000
        );
        while line.len() < len {
            line.push(' ');
            line.push_str(WORDS[self.rng.below(WORDS.len())]);
        }
        line.truncate(len);
        line.into_bytes()
    }
}

/// Incompressible bytes, like a tar of binaries.
#[derive(Debug, Default)]
struct ByteGen(Rng);

impl ByteGen {
    fn fill(&mut self, data: &mut [u8]) {
        for chunk in data.chunks_mut(8) {
            let word = self.0.next().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_lines_shape() {
        let stream = out_lines(70, 80);
        let text = String::from_utf8(stream.clone()).unwrap_or_default();
        assert_eq!(text.matches("<message ").count(), 70);
        assert!(text.contains(
            r#"<message type="OUT" msgid="7" srcid="140470179345936" nodes="node1">gASV"#
        ));
        assert!(text.contains(r#"nodes="node64">"#));
        assert!(text.ends_with("</message>\n</channel>"));
        assert_eq!(lines(&stream).len(), 72);
        assert_eq!(lines(&stream).concat(), stream);
        assert_eq!(lines(b"a\nb"), [&b"a\n"[..], b"b"]);
    }

    #[test]
    fn payloads_wrap_at_the_default_line_length() {
        let stream = write_buffers(2, 100_000);
        for line in lines(&stream).into_iter().filter(|l| !l.starts_with(b"<")) {
            assert!(line.len() <= B64_LINE_LENGTH + 1);
        }
        let long_lines = lines(&stream)
            .into_iter()
            .filter(|l| l.len() == B64_LINE_LENGTH + 1);
        assert_eq!(long_lines.count(), 2);
    }

    #[test]
    fn text_lines_have_the_requested_length() {
        let mut text = TextGen::default();
        for len in [0, 1, 20, 80, 200] {
            assert_eq!(text.line(len).len(), len);
        }
    }
}
