//! Prints each frame of a captured channel stream, one line per frame.
//!
//! `decode_capture FILE` (`-` reads standard input); the repository's
//! `examples/capture/` holds both directions of a real ClusterShell
//! exchange. The stream is fed in small chunks, as a pipe delivers it.

use std::io::Read;

use cscomm_wire::{Frame, FrameDecoder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: decode_capture FILE")?;
    let input = if path == "-" {
        let mut input = Vec::new();
        std::io::stdin().read_to_end(&mut input)?;
        input
    } else {
        std::fs::read(&path)?
    };
    let mut decoder = FrameDecoder::new();
    for chunk in input.chunks(100) {
        decoder.feed(chunk);
        while let Some(frame) = decoder.next_frame()? {
            print_frame(&frame);
        }
    }
    // The end of input: a truncated stream is an error with its offset.
    while let Some(frame) = decoder.finish()? {
        print_frame(&frame);
    }
    Ok(())
}

fn print_frame(frame: &Frame) {
    match frame {
        Frame::ChannelStart(attributes) => println!("channel start {attributes:?}"),
        Frame::Message(message) => {
            let attributes: Vec<String> = message
                .attributes()
                .iter()
                .map(|(name, value)| format!("{name}={value:?}"))
                .collect();
            let payload = message.payload().len();
            println!("message {} ({payload} payload bytes)", attributes.join(" "));
        }
        Frame::ChannelEnd => println!("channel end"),
    }
}
