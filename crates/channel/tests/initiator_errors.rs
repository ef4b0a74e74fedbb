//! How `InitiatorChannel` reports a gateway's errors: `ERR` before setup
//! (produced live by ClusterShell's gateway), `ERR` after setup, its own
//! stderr, a stream it cannot read, and its process's exit.

use std::io::Write;
use std::process::Stdio;

use cscomm_channel::{CloseCause, InitiatorChannel, InitiatorConfig, InitiatorEvent};
use cscomm_message::{NodeSet, PickledTopology, ShellRequest};
use cscomm_testkit::python::Python;

const START: &[u8] = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">";
const CFG_ACK: &[u8] = b"<message type=\"ACK\" msgid=\"2\" ack=\"0\"></message>\n";

fn channel() -> InitiatorChannel {
    let topology = PickledTopology::new("admin".parse().expect("node set"));
    let mut ch = InitiatorChannel::new(InitiatorConfig::new("gw1", topology));
    ch.shell(7, &targets(), &ShellRequest::new("true"))
        .expect("shell");
    ch
}

fn targets() -> NodeSet {
    "n[1-4]".parse().expect("node set")
}

fn events(ch: &mut InitiatorChannel) -> Vec<InitiatorEvent> {
    std::iter::from_fn(|| ch.poll_event()).collect()
}

fn gateway_stderr(text: &str) -> InitiatorEvent {
    InitiatorEvent::GatewayStderr {
        nodes: "gw1".parse().expect("node set"),
        data: text.as_bytes().to_vec().into(),
    }
}

/// ClusterShell's gateway answers a CFG it cannot decode with an ERR before
/// setup: shown as the gateway's stderr, its reason kept.
#[test]
fn an_error_before_setup_from_clustershell_is_the_gateways_stderr() {
    let mut child = Python::clustershell()
        .command()
        .args(["-m", "ClusterShell.Gateway", "-Bu"])
        .env("CLUSTERSHELL_GW_LOG_DIR", env!("CARGO_TARGET_TMPDIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start ClusterShell's gateway");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(START).expect("write");
    stdin
        .write_all(b"\n<message type=\"CFG\" msgid=\"0\" gateway=\"gw1\">!!!!</message>\n")
        .expect("write");
    drop(stdin);
    let output = child.wait_with_output().expect("gateway output");
    let mut ch = channel();
    ch.feed(&output.stdout);
    ch.feed_eof();
    ch.process_exited(output.status.code());
    let reason = "Message CFG has an invalid payload (Ran out of input)";
    let got = events(&mut ch);
    assert_eq!(got[1], gateway_stderr(reason));
    assert_eq!(ch.error(), Some(reason));
    // ClusterShell's gateway closes cleanly; its exit status is 0, so it
    // is not unreachable, and the targets are lost (76 in the runtime).
    assert_eq!(
        got[got.len() - 2..],
        [
            InitiatorEvent::Closed {
                cause: CloseCause::End
            },
            InitiatorEvent::Aborted {
                pending: vec![(7, targets())]
            }
        ]
    );
}

#[test]
fn an_error_after_setup_is_fatal() {
    let mut ch = channel();
    ch.feed(START);
    ch.feed(CFG_ACK);
    ch.feed(b"<message type=\"RET\" msgid=\"5\" srcid=\"7\" retcode=\"0\" nodes=\"n[1-2]\"></message>\n");
    ch.feed(b"<message type=\"ERR\" msgid=\"6\" reason=\"boom\"></message>\n");
    let got = events(&mut ch);
    let tail = &got[got.len() - 2..];
    assert_eq!(
        tail,
        [
            InitiatorEvent::GatewayError {
                reason: "boom".into()
            },
            InitiatorEvent::Closed {
                cause: CloseCause::Error("boom".into())
            }
        ]
    );
    let sent = ch.poll_transmit().expect("bytes");
    assert!(sent.ends_with(b"</channel>"));
    // Targets without a return code end with 76 in the runtime.
    ch.process_exited(Some(0));
    assert_eq!(
        events(&mut ch),
        [InitiatorEvent::Aborted {
            pending: vec![(7, "n[3-4]".parse().expect("node set"))]
        }]
    );
}

#[test]
fn stderr_of_the_gateway_and_ser_with_srcid_0() {
    let mut ch = channel();
    ch.feed_stderr_line(b"Traceback");
    ch.feed(START);
    // SER srcid 0 (b"oops"), routed to the gateway's stderr before setup too.
    ch.feed(b"<message type=\"SER\" msgid=\"3\" srcid=\"0\" nodes=\"gw1\">gASVCAAAAAAAAABDBG9vcHOULg==</message>\n");
    let got = events(&mut ch);
    assert_eq!(got[0], gateway_stderr("Traceback"));
    assert_eq!(got[2], gateway_stderr("oops"));
}

#[test]
fn an_unreadable_stream_names_the_peer_version() {
    let mut ch = channel();
    ch.feed(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"0.9\"><mess!age>\n");
    let got = events(&mut ch);
    assert_eq!(ch.peer_version(), Some("0.9"));
    let Some(InitiatorEvent::Closed {
        cause: CloseCause::Error(reason),
    }) = got.last()
    else {
        panic!("{got:?}")
    };
    assert!(
        reason.contains("gateway gw1 (ClusterShell version 0.9)"),
        "{reason}"
    );
    assert!(matches!(&got[1], InitiatorEvent::GatewayStderr { .. }));
}

#[test]
fn a_failing_exit_after_setup_is_unreachable_without_relaunch() {
    let mut ch = channel();
    ch.feed(START);
    ch.feed(CFG_ACK);
    ch.feed_eof();
    ch.process_exited(Some(255));
    let got = events(&mut ch);
    assert!(got.contains(&InitiatorEvent::Unreachable {
        code: Some(255),
        relaunch: vec![]
    }));
    assert!(got.contains(&InitiatorEvent::Aborted {
        pending: vec![(7, targets())]
    }));
}

/// `last_ack` tells which request the gateway acknowledged last (the CFG's
/// ACK is set-up, not counted): how a link sees the command taken.
#[test]
fn the_last_ack_after_setup_is_kept() {
    let mut ch = channel();
    assert_eq!(ch.last_ack(), None);
    ch.feed(START);
    ch.feed(CFG_ACK);
    assert!(ch.is_setup());
    assert_eq!(ch.last_ack(), None);
    ch.feed(b"<message type=\"ACK\" msgid=\"3\" ack=\"1\"></message>\n");
    assert_eq!(ch.last_ack(), Some(1));
    assert!(ch.error().is_none());
}
