//! Arbitrary bytes from a "gateway" into `InitiatorChannel` after it sent
//! its requests (checks in `fuzz/src/initiator.rs`).
//!
//!   cd fuzz && cargo +nightly fuzz run initiator_channel corpus/initiator_channel \
//!       seeds/message seeds/gateway_channel -- -max_total_time=300 -dict=dicts/wire.dict
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cscomm_fuzz::initiator::check(data);
});
