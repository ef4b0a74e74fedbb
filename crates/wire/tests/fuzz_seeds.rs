//! Replays the wire fuzz target's seed corpus (`fuzz/seeds/wire/`) through
//! the very checks the fuzz target runs (`fuzz/src/wire.rs`): same frames
//! and error under any chunking, bounded buffering, decode-write-decode
//! stable. Seeds named `bad-*` must be rejected, all others (streams written
//! by ClusterShell, captured or generated) decoded without error.

use std::path::PathBuf;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/src/wire.rs"]
mod wire_check;

fn seeds() -> Vec<PathBuf> {
    cscomm_testkit::fuzz::seed_files("wire")
}

#[test]
fn seed_corpus_passes_the_fuzz_checks() {
    let seeds = seeds();
    assert!(
        seeds.len() >= 20,
        "seed corpus missing: {} files",
        seeds.len()
    );
    for path in seeds {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let outcome = std::panic::catch_unwind(|| {
            wire_check::check(&data);
            wire_check::decode(&data, &[], cscomm_wire::DEFAULT_MAX_FRAME_SIZE)
        })
        .unwrap_or_else(|_| panic!("fuzz check failed on seed {name}"));
        if name.starts_with("bad-") {
            assert!(
                outcome.error.is_some(),
                "{name}: accepted, expected an error"
            );
        } else {
            assert_eq!(outcome.error, None, "{name}: rejected");
            assert!(!outcome.frames.is_empty(), "{name}: no frames");
        }
    }
}
