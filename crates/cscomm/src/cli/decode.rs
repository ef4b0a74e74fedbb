//! `cscomm decode`: print the frames of a captured channel stream as JSON,
//! one object per line, payloads decoded from their pickles.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use cscomm_message::{Message, MessageKind, Payload};
use cscomm_wire::{Attributes, Frame, FrameDecoder, MessageFrame};
use serde_json::{Map, Value as Json, json};

use super::json::to_json;

/// How much of the input is read at a time.
const CHUNK: usize = 64 * 1024;

/// Decodes `path` (`-` for standard input) and prints one line per frame;
/// with `raw`, payloads stay as their base64 text.
///
/// Exits with 1 after printing every frame before a stream error (reported
/// on standard error with its byte offset) or when a payload could not be
/// decoded (its line then has `"payload_error"`).
pub(crate) fn run(path: &Path, raw: bool) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut input: Box<dyn Read> = if path == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(path).map_err(|e| format!("{}: {e}", path.display()))?)
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut printer = Printer {
        raw,
        payload_errors: 0,
    };
    let outcome = decode_all(&mut input, |frame| printer.print(&mut out, frame));
    out.flush()?;
    if let Err(error) = outcome {
        eprintln!("cscomm: {}: {error}", path.display());
        return Ok(ExitCode::FAILURE);
    }
    Ok(if printer.payload_errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Feeds the whole input to a frame decoder, handing out each frame.
fn decode_all(
    input: &mut dyn Read,
    mut each: impl FnMut(Frame) -> io::Result<()>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut decoder = FrameDecoder::new();
    let mut buf = vec![0; CHUNK];
    loop {
        let read = input.read(&mut buf)?;
        if read == 0 {
            while let Some(frame) = decoder.finish()? {
                each(frame)?;
            }
            return Ok(());
        }
        decoder.feed(&buf[..read]);
        while let Some(frame) = decoder.next_frame()? {
            each(frame)?;
        }
    }
}

struct Printer {
    raw: bool,
    payload_errors: usize,
}

impl Printer {
    fn print(&mut self, out: &mut impl Write, frame: Frame) -> io::Result<()> {
        let line = match frame {
            Frame::ChannelStart(attrs) => json!({"frame": "channel", "attrs": attrs_json(&attrs)}),
            Frame::ChannelEnd => json!({"frame": "end"}),
            Frame::Message(message) => self.message_json(message),
        };
        writeln!(out, "{line}")
    }

    fn message_json(&mut self, frame: MessageFrame) -> Json {
        let mut map = Map::new();
        map.insert("frame".into(), json!("message"));
        map.insert("attrs".into(), attrs_json(frame.attributes()));
        let raw_text = String::from_utf8_lossy(frame.payload()).into_owned();
        if self.raw || frame.payload().is_empty() {
            map.insert("payload".into(), Json::String(raw_text));
            return Json::Object(map);
        }
        match decode_payload(frame) {
            Ok((payload, topology)) => {
                map.insert("payload".into(), payload);
                if let Some(topology) = topology {
                    map.insert("topology".into(), Json::String(topology));
                }
            }
            Err(error) => {
                self.payload_errors += 1;
                map.insert("payload".into(), Json::String(raw_text));
                map.insert("payload_error".into(), Json::String(error));
            }
        }
        Json::Object(map)
    }
}

/// The payload as JSON, and for a CFG the topology as ClusterShell prints it.
fn decode_payload(frame: MessageFrame) -> Result<(Json, Option<String>), String> {
    let message = Message::try_from(frame).map_err(|e| e.to_string())?;
    let payload = message.kind.payload().unwrap_or(&Payload::None);
    let value = payload.decode_value().map_err(|e| e.to_string())?;
    let topology = match &message.kind {
        MessageKind::Config { .. } => match message.kind.topology() {
            Some(Ok(tree)) => Some(tree.to_string()),
            Some(Err(error)) => return Err(error.to_string()),
            None => None,
        },
        _ => None,
    };
    Ok((to_json(&value), topology))
}

fn attrs_json(attrs: &Attributes) -> Json {
    Json::Object(
        attrs
            .iter()
            .map(|(k, v)| (k.to_owned(), Json::String(v.to_owned())))
            .collect(),
    )
}
