//! The words a channel end uses for errors: ClusterShell's reason texts,
//! so that a Python peer shows what it would show for its own gateway.

use cscomm_message::{Event, Message, MessageError, MessageKind};
use cscomm_wire::WireErrorKind;

/// The `ERR` reason for a stream error. ClusterShell's reader raises
/// `Invalid starting tag X` itself and prefixes what its XML parser rejects
/// with `Parse error: `; message conversion errors already carry its words.
pub(crate) fn stream_error(error: &MessageError) -> String {
    match error {
        MessageError::Wire(wire) => match wire.kind() {
            WireErrorKind::InvalidStartTag { .. } => wire.kind().to_string(),
            _ => format!("Parse error: {wire}"),
        },
        other => other.to_string(),
    }
}

/// `unexpected message: ...` as ClusterShell words it for a message that
/// does not fit the state of the channel.
pub(crate) fn unexpected(event: &Event) -> String {
    format!("unexpected message: {}", describe(event))
}

/// ClusterShell's `str(msg)`: `Message ACK (type: ACK, msgid: 3, ack: 1)`,
/// attributes in the order it writes them. The channel start and end are
/// described as ClusterShell's reader names them (`CHA`, `END`).
pub(crate) fn describe(event: &Event) -> String {
    match event {
        Event::Start { .. } => "Message CHA (type: CHA)".to_owned(),
        Event::End => "Message END (type: END)".to_owned(),
        Event::Message(message) => describe_message(message),
    }
}

fn describe_message(message: &Message) -> String {
    let ident = message.message_type().ident();
    let mut text = format!("Message {ident} (type: {ident}, msgid: {}", message.msgid);
    for (key, value) in attributes(&message.kind) {
        text.push_str(&format!(", {key}: {value}"));
    }
    text.push(')');
    text
}

fn attributes(kind: &MessageKind) -> Vec<(&'static str, String)> {
    match kind {
        MessageKind::Config { gateway, .. } => vec![("gateway", gateway.clone())],
        MessageKind::Control(control) => vec![
            ("srcid", control.srcid.to_string()),
            ("action", control.action.as_str().to_owned()),
            ("target", control.target.clone()),
        ],
        MessageKind::Ack { ack } => vec![("ack", ack.to_string())],
        MessageKind::Error { reason } => vec![("reason", reason.clone())],
        MessageKind::StdOut(output) | MessageKind::StdErr(output) => vec![
            ("srcid", output.srcid.to_string()),
            ("nodes", output.nodes.to_string()),
        ],
        MessageKind::Retcode {
            srcid,
            retcode,
            nodes,
        } => vec![
            ("srcid", srcid.to_string()),
            ("retcode", retcode.to_string()),
            ("nodes", nodes.to_string()),
        ],
        MessageKind::Timeout { srcid, nodes } => {
            vec![("srcid", srcid.to_string()), ("nodes", nodes.to_string())]
        }
        MessageKind::Routing {
            srcid,
            event,
            gateway,
            targets,
        } => vec![
            ("srcid", srcid.to_string()),
            ("event", event.clone()),
            ("gateway", gateway.clone()),
            ("targets", targets.to_string()),
        ],
        // A message type added later: its type is still named.
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_messages_as_clustershell_prints_them() {
        let ack = Event::Message(Message::new(3, MessageKind::Ack { ack: 1 }));
        assert_eq!(
            unexpected(&ack),
            "unexpected message: Message ACK (type: ACK, msgid: 3, ack: 1)"
        );
    }
}
