//! The pickle reader on arbitrary bytes: no panic, no hang, bounded memory
//! (small limits keep each run fast); the bytes fast path agrees with the
//! full reader; whatever reads also writes in protocols 2 and 4 (when the
//! protocol can express it) and reads back the same.
#![no_main]

use cscomm_pickle::{Limits, Protocol, ReaderConfig, Value};

fn config() -> ReaderConfig {
    let mut limits = Limits::default();
    limits.max_objects = 1 << 14;
    limits.max_total_items = 1 << 15;
    limits.max_value_bytes = 1 << 20;
    ReaderConfig::default().with_limits(limits)
}

/// Equality that treats NaN as equal to itself (`Value`'s `PartialEq`
/// follows Python's `float` and does not).
fn same(a: &Value, b: &Value) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let config = config();
    let read = cscomm_pickle::read_with(data, &config);
    if let Ok(fast) = cscomm_pickle::read_bytes_payload(data) {
        // The fast path never accepts what the full reader refuses, and
        // yields the same bytes.
        if let Ok(Value::Bytes(full) | Value::ByteArray(full)) = cscomm_pickle::read(data) {
            assert_eq!(&fast[..], &full[..]);
        } else {
            panic!("read_bytes_payload accepted what read refuses");
        }
    }
    let Ok(value) = read else { return };
    for protocol in [Protocol::V2, Protocol::V4] {
        let Ok(pickle) = cscomm_pickle::write_with(&value, protocol) else {
            continue;
        };
        let back = cscomm_pickle::read_with(&pickle, &config).expect("our own pickle reads back");
        assert!(
            same(&back, &value),
            "round trip changed {value:?} into {back:?}"
        );
    }
});
