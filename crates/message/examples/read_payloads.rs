//! Reads a captured channel stream and prints every message with its
//! payload decoded: the command a `CTL shell` carries, the bytes of `OUT`
//! and `SER`, the return codes, the propagation tree of `CFG`.
//!
//! `read_payloads FILE` (`-` reads standard input); the repository's
//! `examples/capture/` holds both directions of a real ClusterShell
//! exchange. Payloads are pickles, read without executing anything.

use std::io::Read;

use cscomm_message::{
    ControlAction, Event, MessageKind, PickledTopology, ShellRequest, WriteRequest, decode_stream,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: read_payloads FILE")?;
    let input = if path == "-" {
        let mut input = Vec::new();
        std::io::stdin().read_to_end(&mut input)?;
        input
    } else {
        std::fs::read(&path)?
    };
    for event in decode_stream(&input)? {
        match event {
            Event::Message(message) => print_message(message.msgid, &message.kind)?,
            other => println!("{other:?}"),
        }
    }
    Ok(())
}

fn print_message(msgid: u64, kind: &MessageKind) -> Result<(), Box<dyn std::error::Error>> {
    let name = kind.message_type().ident();
    match kind {
        MessageKind::Config { gateway, payload } => {
            let tree = PickledTopology::from_value(&payload.decode_value()?)?.to_tree()?;
            println!("{msgid} {name} for {gateway}, tree:\n{tree}");
        }
        MessageKind::Control(control) => match control.action {
            ControlAction::Shell => {
                let request = ShellRequest::from_value(&control.payload.decode_value()?)?;
                println!(
                    "{msgid} {name} shell on {}: {:?}",
                    control.target, request.cmd
                );
            }
            ControlAction::Write => {
                let request = WriteRequest::from_value(&control.payload.decode_value()?)?;
                println!(
                    "{msgid} {name} write to {}: {:?}",
                    control.target, request.buf
                );
            }
            _ => println!("{msgid} {name} {:?} to {}", control.action, control.target),
        },
        MessageKind::StdOut(output) | MessageKind::StdErr(output) => {
            println!("{msgid} {name} {}: {:?}", output.nodes, output.data()?);
        }
        other => println!("{msgid} {name} {other:?}"),
    }
    Ok(())
}
