//! `cscomm decode` on real captured streams, checked against what
//! ClusterShell 1.10.1's own reader makes of the same files.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use cscomm_testkit::python::{Python, workspace_root};
use serde_json::Value;

const REFERENCE: &str = include_str!("peer/decode_reference.py");

fn decode(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cscomm"));
    command.arg("decode").args(args);
    match stdin {
        None => command.output().expect("run cscomm decode"),
        Some(data) => {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let name = format!(
                "cscomm-decode-{}-{}.xml",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            );
            let path = std::env::temp_dir().join(name);
            std::fs::write(&path, data).expect("write the stream");
            let output = command.arg(&path).output().expect("run cscomm decode");
            let _ = std::fs::remove_file(&path);
            output
        }
    }
}

fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .expect("UTF-8 output")
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

fn capture(name: &str) -> PathBuf {
    workspace_root().join("examples/capture").join(name)
}

/// Every message of the capture: same attributes, payload and topology as
/// ClusterShell reads them.
fn check_against_clustershell(name: &str) {
    let path = capture(name);
    let path_text = path.to_str().expect("UTF-8 path");
    let output = decode(&[path_text], None);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let ours = json_lines(&output);
    let reference = Python::clustershell().run_ok(REFERENCE, &[path_text], b"");
    let reference: Vec<Value> = String::from_utf8(reference)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("reference JSON"))
        .collect();

    assert_eq!(
        ours.first().map(|f| &f["frame"]),
        Some(&Value::from("channel"))
    );
    let messages: Vec<&Value> = ours.iter().filter(|f| f["frame"] == "message").collect();
    assert_eq!(messages.len(), reference.len(), "one line per message");
    for (ours, theirs) in messages.iter().zip(&reference) {
        assert_eq!(ours["attrs"]["type"], theirs["type"]);
        for (key, value) in theirs["attrs"].as_object().expect("attrs") {
            assert_eq!(&ours["attrs"][key], value, "attribute {key} of {ours}");
        }
        if let Some(topology) = theirs.get("topology") {
            assert_eq!(&ours["topology"], topology);
        }
        if let Some(payload) = theirs.get("payload") {
            assert_eq!(&ours["payload"], payload);
        }
    }
}

#[test]
fn initiator_capture_decodes_as_clustershell_reads_it() {
    check_against_clustershell("initiator.xml");
}

#[test]
fn gateway_capture_decodes_as_clustershell_reads_it() {
    check_against_clustershell("gateway.xml");
}

#[test]
fn raw_keeps_the_base64_text() {
    let path = capture("gateway.xml");
    let output = decode(&["--raw", path.to_str().expect("UTF-8 path")], None);
    assert!(output.status.success());
    let stream = std::fs::read_to_string(&path).expect("capture");
    for frame in json_lines(&output)
        .iter()
        .filter(|f| f["attrs"]["type"] == "OUT")
    {
        let payload = frame["payload"].as_str().expect("raw payload is text");
        assert!(!payload.is_empty() && stream.contains(payload));
    }
}

#[test]
fn a_broken_stream_prints_what_came_before_then_the_offset() {
    let mut stream = std::fs::read(capture("gateway.xml")).expect("capture");
    let tag = stream
        .windows(4)
        .position(|w| w == b"<mes")
        .expect("a message");
    stream.insert(tag + 1, b'!'); // `<!mes...`: a markup declaration

    let output = decode(&[], Some(&stream));
    assert!(!output.status.success());
    let frames = json_lines(&output);
    assert_eq!(
        frames.len(),
        1,
        "the channel start, printed before the error"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("at byte {tag}")),
        "offset {tag} in {stderr:?}"
    );
}

#[test]
fn an_undecodable_payload_is_reported_and_fails() {
    let stream = b"<channel version=\"1.10.1\"><message type=\"OUT\" msgid=\"1\" srcid=\"2\" nodes=\"n1\">bm90IGEgcGlja2xl</message>\n";
    let output = decode(&[], Some(stream));
    assert!(!output.status.success());
    let frames = json_lines(&output);
    assert_eq!(frames[1]["payload"], "bm90IGEgcGlja2xl");
    assert!(
        frames[1]["payload_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty())
    );
}
