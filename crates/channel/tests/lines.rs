//! `lines` cuts payloads exactly as ClusterShell's initiator does
//! (`(data + b"\n").splitlines()`), checked on random payloads in one
//! Python run.

use cscomm_channel::lines;
use cscomm_testkit::python::Python;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

const SPLIT: &str = r#"
import base64, json, sys
out = [[base64.b64encode(l).decode() for l in (base64.b64decode(p) + b"\n").splitlines()]
       for p in json.loads(sys.stdin.read())]
print(json.dumps(out))
"#;

fn b64(data: &[u8]) -> String {
    let mut out = bytes::BytesMut::new();
    cscomm_message::base64::encode_wrapped(data, std::num::NonZeroUsize::MAX, &mut out);
    String::from_utf8(out.to_vec()).expect("ASCII")
}

#[test]
fn lines_match_python_splitlines() {
    let mut runner = TestRunner::deterministic();
    let byte =
        proptest::sample::select(vec![b'a', b'b', b'\n', b'\r', b'\x0b', b'\x0c', 0x85, 0x1c]);
    let payload = proptest::collection::vec(byte, 0..12);
    let payloads: Vec<Vec<u8>> = (0..300)
        .map(|_| payload.new_tree(&mut runner).expect("payload").current())
        .collect();
    let input: Vec<String> = payloads.iter().map(|p| b64(p)).collect();
    let input = serde_json::to_vec(&input).expect("JSON");
    let out = Python::clustershell().run_ok(SPLIT, &[], &input);
    let theirs: Vec<Vec<String>> = serde_json::from_slice(&out).expect("JSON");
    for (payload, theirs) in payloads.iter().zip(theirs) {
        let ours: Vec<String> = lines(payload).map(b64).collect();
        assert_eq!(ours, theirs, "{payload:?}");
    }
}
