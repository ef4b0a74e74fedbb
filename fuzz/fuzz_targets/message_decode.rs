//! Channel streams of arbitrary bytes through `MessageDecoder` (fed whole
//! and in arbitrary pieces) and every message's payload through each
//! payload decoder: no panic, the same outcome whatever the chunking,
//! decoded messages and values written back read the same, errors are
//! errors. The checks are in `src/message.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cscomm_fuzz::message::check(data);
});
