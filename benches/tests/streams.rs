//! The benchmark streams are what ClusterShell 1.10.1 itself writes: its
//! reader parses them, and its own classes rebuild every message from the
//! decoded content into exactly the same bytes.

use cscomm_benches::streams;
use cscomm_testkit::python::Python;

const REBUILD: &str = include_str!("rebuild.py");

fn rebuilt_by_clustershell(stream: &[u8]) -> String {
    let out = Python::clustershell().run_ok(REBUILD, &[], stream);
    String::from_utf8_lossy(&out).trim().to_owned()
}

#[test]
fn out_lines_are_what_a_gateway_writes() {
    let stream = streams::out_lines(2_000, 80);
    assert_eq!(rebuilt_by_clustershell(&stream), "same 2000");
}

#[test]
fn write_buffers_are_what_an_initiator_writes() {
    // Sizes around the pickle's framing threshold and the base64 wrapping.
    for size in [100, 65_535, 65_536, 1 << 20] {
        let stream = streams::write_buffers(2, size);
        assert_eq!(rebuilt_by_clustershell(&stream), "same 2", "size {size}");
    }
}
