//! `GatewayChannel` fed real initiator streams (the committed capture and
//! one captured live with ClusterShell 1.10.1), and bad streams fed to it
//! and to ClusterShell's own gateway: same ACKs, same error reasons.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use cscomm_channel::{CloseCause, GatewayChannel, GatewayConfig, GatewayEvent};
use cscomm_message::{Event, MessageKind, decode_stream};
use cscomm_testkit::python::{Python, workspace_root};
use proptest::prelude::*;

fn capture(name: &str) -> Vec<u8> {
    std::fs::read(workspace_root().join("examples/capture").join(name)).expect("capture")
}

/// Everything the gateway end says and does for `input` cut in `chunks`.
fn run(input: &[u8], cuts: &[usize]) -> (Vec<GatewayEvent>, Vec<u8>) {
    let mut gw = GatewayChannel::new(GatewayConfig::new("host"));
    let mut events = Vec::new();
    let mut out = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain([&input.len()]) {
        let cut = cut.clamp(start, input.len());
        gw.feed(&input[start..cut]);
        start = cut;
        events.extend(std::iter::from_fn(|| gw.poll_event()));
        while let Some(bytes) = gw.poll_transmit() {
            out.extend_from_slice(&bytes);
        }
    }
    gw.feed_eof();
    events.extend(std::iter::from_fn(|| gw.poll_event()));
    while let Some(bytes) = gw.poll_transmit() {
        out.extend_from_slice(&bytes);
    }
    (events, out)
}

/// The `ack` values of the ACKs in a stream.
fn acks(stream: &[u8]) -> Vec<u64> {
    let events = decode_stream(stream).expect("a well-formed stream");
    events
        .into_iter()
        .filter_map(|e| match e {
            Event::Message(m) => match m.kind {
                MessageKind::Ack { ack } => Some(ack),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Our gateway ACKs what ClusterShell's gateway ACKed in the same exchange
/// and hands out the requests it carried.
fn check_exchange(initiator: &[u8], gateway: &[u8]) {
    let (events, out) = run(initiator, &[]);
    assert_eq!(acks(&out), acks(gateway));
    let kinds: Vec<&str> = events.iter().map(event_name).collect();
    assert_eq!(
        kinds,
        ["Opened", "Configured", "Shell", "Write", "Eof", "Closed"]
    );
    let GatewayEvent::Configured { gateway, topology } = &events[1] else {
        unreachable!()
    };
    assert_eq!(gateway, "gw1");
    assert_eq!(topology.groups.len(), 3, "admin, gw1, node[1-3]");
    let GatewayEvent::Shell {
        targets, request, ..
    } = &events[2]
    else {
        unreachable!()
    };
    assert_eq!(targets.to_string(), "node[1-3]");
    assert!(!request.remote);
    assert_eq!(
        events.last(),
        Some(&GatewayEvent::Closed {
            cause: CloseCause::EndOfInput
        })
    );
}

fn event_name(event: &GatewayEvent) -> &'static str {
    match event {
        GatewayEvent::Opened { .. } => "Opened",
        GatewayEvent::Configured { .. } => "Configured",
        GatewayEvent::Shell { .. } => "Shell",
        GatewayEvent::Write { .. } => "Write",
        GatewayEvent::Eof { .. } => "Eof",
        GatewayEvent::Closed { .. } => "Closed",
        _ => "other",
    }
}

#[test]
fn the_committed_capture_is_acknowledged_as_clustershell_did() {
    check_exchange(&capture("initiator.xml"), &capture("gateway.xml"));
}

#[test]
fn a_live_capture_is_acknowledged_as_clustershell_did() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("channel-capture-{}", std::process::id()));
    let script = workspace_root().join("tools/capture-exchange.py");
    let status = Python::clustershell()
        .command()
        .arg(&script)
        .arg(&dir)
        .status()
        .expect("run the capture");
    assert!(status.success());
    let read = |name: &str| std::fs::read(dir.join(name)).expect("captured stream");
    check_exchange(&read("initiator.xml"), &read("gateway.xml"));
    let _ = std::fs::remove_dir_all(&dir);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any chunking of the input gives the same events and the same bytes.
    #[test]
    fn chunking_changes_nothing(mut cuts in proptest::collection::vec(0usize..3000, 0..40)) {
        let input = capture("initiator.xml");
        cuts.sort_unstable();
        prop_assert_eq!(run(&input, &cuts), run(&input, &[]));
    }
}

const HEADER: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">\n";

/// The `ERR` reason in a gateway's answer, if any.
fn err_reason(stream: &[u8]) -> Option<String> {
    let mut decoder = cscomm_message::MessageDecoder::new();
    decoder.feed(stream);
    while let Ok(Some(event)) = decoder.finish() {
        if let Event::Message(m) = event {
            if let MessageKind::Error { reason } = m.kind {
                return Some(reason);
            }
        }
    }
    None
}

fn python_gateway_answer(input: String) -> Vec<u8> {
    let python = Python::clustershell();
    let mut child = python
        .command()
        .args(["-m", "ClusterShell.Gateway", "-Bu"])
        .env("CLUSTERSHELL_GW_LOG_DIR", env!("CARGO_TARGET_TMPDIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ClusterShell's gateway");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).expect("write");
    drop(stdin);
    child.wait_with_output().expect("gateway output").stdout
}

/// Bad input gets the same `ERR` reason from both gateways, then a close.
#[test]
fn errors_carry_clustershell_reasons() {
    let cases = [
        "<message type=\"ACK\" msgid=\"3\" ack=\"1\"></message>",
        "<message type=\"XYZ\" msgid=\"3\"></message>",
        "<message msgid=\"3\"></message>",
        "<message type=\"ACK\" msgid=\"3\"></message>",
        "<message type=\"ACK\" msgid=\"3\" ack=\"1\">abc</message>",
        "<message type=\"ERR\" msgid=\"3\" reason='a \"b\" &amp; c'></message>",
        "<bogus/>",
        "<message type=\"ACK\" msgid=\"3\" ack=\"1\"><x/></message>",
    ];
    let python: Vec<_> = cases
        .iter()
        .map(|body| {
            let input = format!("{HEADER}{body}\n");
            std::thread::spawn(move || python_gateway_answer(input))
        })
        .collect();
    for (body, theirs) in cases.iter().zip(python) {
        let theirs = theirs.join().expect("python run");
        let (events, ours) = run(format!("{HEADER}{body}\n").as_bytes(), &[]);
        let reason = err_reason(&ours);
        assert!(reason.is_some(), "{body}: no ERR");
        assert_eq!(reason, err_reason(&theirs), "{body}");
        assert!(ours.ends_with(b"</channel>"), "{body}: not closed");
        let closed = events.last().expect("events");
        assert_eq!(
            closed,
            &GatewayEvent::Closed {
                cause: CloseCause::Error(reason.unwrap_or_default())
            }
        );
    }
}

/// What an XML parser rejects is a `Parse error`, as ClusterShell words it
/// (the parsers' own words differ: ours names the byte offset).
#[test]
fn malformed_xml_is_a_parse_error() {
    let (_, ours) = run(format!("{HEADER}<<<\n").as_bytes(), &[]);
    let reason = err_reason(&ours).expect("an ERR");
    assert!(reason.starts_with("Parse error: "), "{reason}");
    let theirs = python_gateway_answer(format!("{HEADER}<<<\n"));
    let theirs = err_reason(&theirs).expect("their ERR");
    assert!(theirs.starts_with("Parse error: "), "{theirs}");
}

/// A parent that pickles with protocol 2 (a Python 2 ClusterShell) gets
/// answers it can read: protocol 2 too, with the configured line length.
#[test]
fn answers_in_the_parents_pickle_protocol() {
    use cscomm_message::{Message, PayloadCodec, PickledTopology, Protocol};
    use std::num::NonZeroUsize;

    let parent = PayloadCodec::default().with_protocol(Protocol::V2);
    let mut input = bytes::BytesMut::from(HEADER.as_bytes());
    let topology = PickledTopology::new("admin".parse().expect("node set"));
    Message::new(0, MessageKind::config("gw1", &topology))
        .write_to(&parent, &mut input)
        .expect("CFG");
    let mut config = GatewayConfig::new("host");
    config.codec = PayloadCodec::default().with_line_length(NonZeroUsize::new(8).expect("8"));
    let mut gw = GatewayChannel::new(config);
    gw.feed(&input);
    assert!(gw.is_setup());
    let nodes = "n1".parse().expect("node set");
    gw.send_stdout(1, &nodes, &b"some output line"[..])
        .expect("send");
    let mut out = Vec::new();
    while let Some(bytes) = gw.poll_transmit() {
        out.extend_from_slice(&bytes);
    }
    let messages: Vec<_> = decode_stream(&out)
        .expect("stream")
        .into_iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    let MessageKind::StdOut(output) = &messages[1].kind else {
        panic!("{messages:?}")
    };
    assert_eq!(
        output.payload.protocol().expect("sniff"),
        Some(Protocol::V2)
    );
    assert_eq!(output.data().expect("data"), &b"some output line"[..]);
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.lines().any(|l| l.len() == 8),
        "base64 cut every 8: {text}"
    );
}
