//! The wire decoder on arbitrary bytes, split in arbitrary chunks: no panic,
//! the same frames and error whatever the chunking, bounded buffering, and
//! decode-write-decode stable. The checks are in `src/wire.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cscomm_fuzz::wire::check(data);
});
