//! `cscomm decode`: print the frames of a captured channel stream.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use cscomm_wire::{Frame, FrameDecoder};

/// How much of the input is read at a time.
const CHUNK: usize = 64 * 1024;

/// Decodes `path` (`-` for standard input) and prints one block per frame.
pub(crate) fn run(path: &Path) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut input: Box<dyn Read> = if path == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(path).map_err(|e| format!("{}: {e}", path.display()))?)
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut decoder = FrameDecoder::new();
    let mut buf = vec![0; CHUNK];
    loop {
        let read = input.read(&mut buf)?;
        if read == 0 {
            while let Some(frame) = decoder.finish()? {
                print_frame(&mut out, &frame)?;
            }
            break;
        }
        decoder.feed(&buf[..read]);
        while let Some(frame) = decoder.next_frame()? {
            print_frame(&mut out, &frame)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Writes one frame: its kind, its attributes, its payload size.
fn print_frame(out: &mut impl Write, frame: &Frame) -> io::Result<()> {
    let line = match frame {
        Frame::ChannelStart(attrs) => format!("channel start{}", format_attrs(attrs.iter())),
        Frame::ChannelEnd => "channel end".to_owned(),
        Frame::Message(message) => {
            let attrs = message.attributes();
            let kind = attrs.get("type").unwrap_or("?");
            let rest = attrs.iter().filter(|(name, _)| *name != "type");
            format!(
                "{kind}{} ({} payload bytes)",
                format_attrs(rest),
                message.payload().len()
            )
        }
    };
    writeln!(out, "{line}")
}

/// ` name="value"` for each attribute, values escaped as Rust debug strings.
fn format_attrs<'a>(attrs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    attrs.fold(String::new(), |mut text, (name, value)| {
        let _ = write!(text, " {name}={value:?}");
        text
    })
}
