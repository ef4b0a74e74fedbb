//! Replays seed corpora through the checks of the `initiator_channel` fuzz
//! target (`fuzz/src/initiator.rs`): every message seed (streams written by
//! ClusterShell's gateway and initiator, and broken ones) and every
//! gateway-channel seed, fed to an initiator as its gateway's stream.

use std::path::PathBuf;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/src/initiator.rs"]
mod initiator_check;

#[test]
fn seed_corpora_pass_the_initiator_checks() {
    let seeds: Vec<PathBuf> = ["message", "gateway_channel"]
        .iter()
        .flat_map(|corpus| cscomm_testkit::fuzz::seed_files(corpus))
        .collect();
    assert!(
        seeds.len() >= 40,
        "seed corpora missing: {} files",
        seeds.len()
    );
    for path in seeds {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = std::panic::catch_unwind(|| initiator_check::check(&data));
        assert!(outcome.is_ok(), "{} fails the checks", path.display());
    }
}

#[test]
fn the_captured_gateway_stream_sets_the_channel_up() {
    // The seeds are not only refused input: ClusterShell's gateway stream
    // gets the channel set up.
    let path =
        cscomm_testkit::python::workspace_root().join("fuzz/seeds/message/capture-gateway.xml");
    let data = std::fs::read(&path).expect("the captured gateway stream");
    let (events, sent) = initiator_check::run(&data, 64);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, cscomm_channel::InitiatorEvent::Ready)),
        "the CFG was acknowledged"
    );
    assert!(sent.starts_with(b"<?xml"), "the channel was opened");
}
