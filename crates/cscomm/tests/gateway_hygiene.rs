//! When its parent goes away, or sends what the protocol does not allow,
//! `cscomm-gateway` kills everything it started and exits, within a second
//! (after an `ERR` for a protocol error).
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use cscomm_message::{
    Control, MessageKind, MessageWriter, NodeSet, PayloadCodec, PickledTopology, ShellRequest,
    TaskInfo,
};

/// Processes whose command line contains `marker`.
fn count_processes(marker: &str) -> usize {
    let output = Command::new("pgrep")
        .args(["-f", "-c", marker])
        .output()
        .expect("pgrep");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// What an initiator sends to run `command` locally on `nodes` through gw1.
fn request_stream(command: &str, nodes: &str) -> BytesMut {
    let targets: NodeSet = nodes.parse().unwrap();
    let mut topology = PickledTopology::new("admin".parse().unwrap());
    let gateway = topology.add_group(0, "gw1".parse().unwrap());
    topology.add_group(gateway, targets.clone());
    let mut request = ShellRequest::new(command);
    request.remote = false;
    request.stderr = true;
    request.taskinfo = TaskInfo::default();
    let mut writer = MessageWriter::new(PayloadCodec::default());
    let mut out = BytesMut::new();
    writer.write_start(&mut out, "1.10.1");
    writer
        .write(MessageKind::config("gw1", &topology), &mut out)
        .unwrap();
    writer
        .write(
            MessageKind::Control(Control::shell(1, &targets, &request)),
            &mut out,
        )
        .unwrap();
    out
}

/// A gateway with 5 local commands `sleep <marker>` running; its stdout
/// is piped when `capture` (else discarded).
fn gateway_running(marker: &str, capture: bool) -> (Child, ChildStdin) {
    let mut gateway = Command::new(env!("CARGO_BIN_EXE_cscomm-gateway"))
        .args(["-m", "ClusterShell.Gateway", "-Bu"])
        .env("CLUSTERSHELL_GW_LOG_DIR", std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(if capture {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .spawn()
        .expect("start the gateway");
    let mut stdin = gateway.stdin.take().unwrap();
    let stream = request_stream(&format!("{marker}; echo never"), "node[1-5]");
    stdin.write_all(&stream).unwrap();
    stdin.flush().unwrap();
    let started = Instant::now();
    while count_processes(marker) < 5 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "commands did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (gateway, stdin)
}

/// Waits until the commands and the gateway are gone: at most a second.
fn assert_all_gone_within_a_second(marker: &str, gateway: &mut Child) {
    let since = Instant::now();
    loop {
        let gone = count_processes(marker) == 0;
        let exited = gateway.try_wait().unwrap().is_some();
        if gone && exited {
            return;
        }
        assert!(
            since.elapsed() < Duration::from_secs(1),
            "children or gateway still alive after 1 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn closing_the_input_kills_every_child_within_a_second() {
    let marker = format!("sleep 7{}", std::process::id() % 1000);
    let (mut gateway, stdin) = gateway_running(&marker, false);
    drop(stdin);
    assert_all_gone_within_a_second(&marker, &mut gateway);
}

#[test]
fn a_protocol_error_gets_an_err_and_kills_everything() {
    let marker = format!("sleep 8{}", std::process::id() % 1000);
    let (mut gateway, mut stdin) = gateway_running(&marker, true);
    let mut stdout = gateway.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        stdout.read_to_end(&mut all).map(|_| all)
    });
    // An element the channel does not have: a protocol error. Standard
    // input stays open.
    stdin.write_all(b"<bogus/>\n").unwrap();
    stdin.flush().unwrap();
    assert_all_gone_within_a_second(&marker, &mut gateway);
    let output = String::from_utf8(reader.join().unwrap().unwrap()).unwrap();
    let err = output
        .find("<message type=\"ERR\"")
        .expect("an ERR upstream");
    assert!(
        output[err..].contains("reason=\"Invalid starting tag bogus\""),
        "ClusterShell's words: {output}"
    );
    assert!(
        output[err..].contains("</channel>"),
        "the channel closed after the ERR: {output}"
    );
    drop(stdin);
}
