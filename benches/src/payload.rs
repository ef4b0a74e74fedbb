//! Inputs and loops of the payload benchmarks (`benches/payload.rs`,
//! `payload_throughput`): payload texts (base64 of a pickle) decoded and
//! encoded as a gateway or an initiator does on its hot path.
//!
//! The inputs are what ClusterShell 1.10.1 sends: the payloads of the
//! wire benchmark's stream (a) (one 80-byte output line each), a 1 MiB
//! output payload, the CTL `shell` request and the CFG topology of the
//! captured exchange (`examples/capture/initiator.xml`), and a larger
//! three-level topology written by cscomm-message (which ClusterShell
//! loads; `benches/compare_payload.py` checks it).
//!
//! ```
//! use cscomm_benches::payload;
//!
//! let stream = cscomm_benches::streams::out_lines(3, 80);
//! let texts = payload::out_texts(&stream)?;
//! assert_eq!(payload::decode_out(&payload::received(&texts))?, 3 * 80);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;

use bytes::{Bytes, BytesMut};
use cscomm_message::{
    Event, MessageDecoder, MessageError, NodeSet, Payload, PayloadCodec, PayloadError,
    PickledTopology, ShellRequest,
};
use cscomm_wire::{Frame, FrameDecoder, WireError};

/// The payload texts of every `<message>` of `stream`, in order.
///
/// # Errors
/// When the stream is not well formed.
pub fn out_texts(stream: &[u8]) -> Result<Vec<Bytes>, WireError> {
    let mut decoder = FrameDecoder::new();
    decoder.feed(stream);
    let mut texts = Vec::new();
    while let Some(frame) = decoder.finish()? {
        if let Frame::Message(message) = frame {
            texts.push(message.payload().clone());
        }
    }
    Ok(texts)
}

/// The payload text of the first `<message>` of `stream` whose `type`
/// attribute is `ty` (and `action` is `action`, when given).
///
/// # Errors
/// When the stream is not well formed or holds no such message.
pub fn first_payload(stream: &[u8], ty: &str, action: Option<&str>) -> Result<Bytes, String> {
    let mut decoder = FrameDecoder::new();
    decoder.feed(stream);
    while let Some(frame) = decoder.finish().map_err(|e| e.to_string())? {
        let Frame::Message(message) = frame else {
            continue;
        };
        let attr = |key: &str| message.attributes().get(key).map(|v| v.to_string());
        if attr("type").as_deref() == Some(ty)
            && action.is_none_or(|a| attr("action").as_deref() == Some(a))
        {
            return Ok(message.payload().clone());
        }
    }
    Err(format!("no {ty} message"))
}

/// The CTL `shell` and CFG payload texts of the captured exchange
/// (`examples/capture/initiator.xml`).
///
/// # Errors
/// When the capture cannot be read or lacks one of them.
pub fn captured(root: &Path) -> Result<(Bytes, Bytes), String> {
    let path = root.join("examples/capture/initiator.xml");
    let stream = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let ctl = first_payload(&stream, "CTL", Some("shell"))?;
    let cfg = first_payload(&stream, "CFG", None)?;
    Ok((ctl, cfg))
}

/// A three-level topology like a large cluster's: `admin`, 4 top
/// gateways in 2 groups, 16 second-level gateways in 4 groups, each group
/// serving 1024 nodes (4096 in all).
///
/// ```
/// let text = cscomm_benches::payload::big_topology().to_string();
/// assert_eq!(text.lines().count(), 1 + 2 + 4 + 4);
/// ```
pub fn big_topology() -> PickledTopology {
    let parse = |text: &str| NodeSet::parse_literal(text).unwrap_or_default();
    let mut tree = PickledTopology::new(parse("admin"));
    for top in 0..2 {
        let gws = tree.add_group(0, parse(&format!("gw[{}-{}]", 2 * top + 1, 2 * top + 2)));
        for sub in 0..2 {
            let first = 8 * top + 4 * sub + 1;
            let sgws = tree.add_group(gws, parse(&format!("sgw[{first}-{}]", first + 3)));
            let group = 2 * top + sub;
            let nodes = format!("node[{}-{}]", 1024 * group + 1, 1024 * (group + 1));
            tree.add_group(sgws, parse(&nodes));
        }
    }
    tree
}

/// The payloads of `texts` as a message decoder hands them over
/// (untimed preparation: ClusterShell's side is timed on messages already
/// read too).
pub fn received(texts: &[Bytes]) -> Vec<Payload> {
    texts.iter().cloned().map(Payload::Encoded).collect()
}

/// Decodes each received OUT payload to its bytes
/// ([`Payload::decode_bytes`]); returns the total data length.
///
/// # Errors
/// The first payload error.
pub fn decode_out(payloads: &[Payload]) -> Result<u64, PayloadError> {
    let mut total = 0;
    for payload in payloads {
        total += payload.decode_bytes()?.len() as u64;
    }
    Ok(total)
}

/// The data of each OUT payload text (untimed preparation of the
/// encoding inputs).
///
/// # Errors
/// The first payload error.
pub fn decode_lines(texts: &[Bytes]) -> Result<Vec<Bytes>, PayloadError> {
    texts
        .iter()
        .map(|text| Payload::Encoded(text.clone()).decode_bytes())
        .collect()
}

/// `len` bytes of deterministic, incompressible data (xorshift64*), as
/// the output of `cat` on a binary file.
pub fn big_data(len: usize) -> Bytes {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut data = Vec::with_capacity(len + 8);
    while data.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        data.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    data.truncate(len);
    Bytes::from(data)
}

/// Encodes each of `lines` as an OUT payload into `out` (cleared before
/// each, as a writer reusing its output buffer); returns the total text
/// length.
pub fn encode_out(codec: &PayloadCodec, lines: &[Bytes], out: &mut BytesMut) -> u64 {
    let mut total = 0;
    for line in lines {
        out.clear();
        codec.encode_bytes_into(line, out);
        total += out.len() as u64;
    }
    total
}

/// The shell request of a CTL `shell` payload text, as
/// `Control::shell_request` decodes it ([`Payload::decode_shell`]).
///
/// # Errors
/// When the payload does not hold a shell request.
pub fn decode_shell(payload: &Payload) -> Result<ShellRequest, PayloadError> {
    payload.decode_shell()
}

/// The topology of a CFG payload text.
///
/// # Errors
/// When the payload does not hold a topology.
pub fn decode_topology(payload: &Payload) -> Result<PickledTopology, PayloadError> {
    PickledTopology::from_value(&payload.decode_value()?)
}

/// What a message decoding loop saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageTally {
    /// Messages (channel start and end not counted).
    pub messages: u64,
    /// Bytes of OUT/SER data decoded (0 unless asked).
    pub data_bytes: u64,
}

/// Decodes the concatenation of `pieces` into typed messages with a
/// [`MessageDecoder`], fed one piece at a time; with `data`, also decodes
/// the data of every OUT/SER message.
///
/// # Errors
/// The first wire, message or payload error.
pub fn messages<'a>(
    pieces: impl Iterator<Item = &'a [u8]>,
    data: bool,
) -> Result<MessageTally, MessageError> {
    let mut decoder = MessageDecoder::new();
    let mut tally = MessageTally::default();
    for piece in pieces {
        decoder.feed(piece);
        while let Some(event) = decoder.next_event()? {
            tally.count(event, data)?;
        }
    }
    while let Some(event) = decoder.finish()? {
        tally.count(event, data)?;
    }
    Ok(tally)
}

impl MessageTally {
    fn count(&mut self, event: Event, data: bool) -> Result<(), MessageError> {
        let Event::Message(message) = event else {
            return Ok(());
        };
        self.messages += 1;
        if data {
            if let Some(bytes) = message.kind.output_data() {
                self.data_bytes += bytes?.len() as u64;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams;

    #[test]
    fn out_payloads_round_trip() {
        let stream = streams::out_lines(50, 80);
        let texts = out_texts(&stream).unwrap_or_default();
        assert_eq!(texts.len(), 50);
        let lines: Vec<Bytes> = texts
            .iter()
            .filter_map(|t| Payload::Encoded(t.clone()).decode_bytes().ok())
            .collect();
        assert!(lines.iter().all(|l| l.len() == 80));
        let codec = PayloadCodec::default();
        let again: Vec<Bytes> = lines.iter().map(|l| codec.encode_bytes(l)).collect();
        assert_eq!(again, texts, "encoding differs from the stream's payloads");
        let mut out = BytesMut::new();
        let total = encode_out(&codec, &lines, &mut out);
        assert_eq!(total, texts.iter().map(|t| t.len() as u64).sum::<u64>());
    }

    #[test]
    fn message_loops_count_every_message_and_byte() {
        let stream = streams::out_lines(100, 80);
        let typed = messages(streams::lines(&stream).into_iter(), false);
        assert_eq!(
            typed.ok(),
            Some(MessageTally {
                messages: 100,
                data_bytes: 0
            })
        );
        let full = messages(stream.chunks(1000), true);
        assert_eq!(
            full.ok(),
            Some(MessageTally {
                messages: 100,
                data_bytes: 8000
            })
        );
    }

    #[test]
    fn captured_requests_decode() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let (ctl, cfg) = captured(&root).unwrap_or_default();
        let shell = decode_shell(&Payload::Encoded(ctl)).map(|s| s.cmd);
        assert_eq!(
            shell.as_deref().ok(),
            Some("cat; echo \"hello from %h\"; echo err >&2; exit 3")
        );
        let tree = decode_topology(&Payload::Encoded(cfg)).map(|t| t.to_string());
        assert_eq!(tree.ok().as_deref(), Some("vm\n`- gw1\n   `- node[1-3]\n"));
        let big = big_topology();
        let text = PayloadCodec::default().encode_value(&big.to_value());
        let back = text.map(|t| decode_topology(&Payload::Encoded(t)));
        assert_eq!(back.ok().and_then(Result::ok), Some(big));
    }
}
