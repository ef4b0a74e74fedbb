//! Arbitrary steps of two gateways (stdout, stderr, end of output, exit)
//! into the initiator's channels, interleaved (checks in `fuzz/src/tree.rs`).
//!
//!   cd fuzz && cargo +nightly fuzz run initiator_tree corpus/initiator_tree \
//!       seeds/initiator_tree seeds/message -- -max_total_time=300 -dict=dicts/wire.dict
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cscomm_fuzz::tree::check(data);
});
