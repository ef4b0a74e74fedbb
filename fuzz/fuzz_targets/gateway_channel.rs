//! Arbitrary bytes from a "parent" into `GatewayChannel`, whole and in
//! pieces (their size follows from the input's length): no panic, the same events
//! and output whatever the chunking, `Closed` is the last event, nothing is
//! written after the close, and a close on an error sent an `ERR` first.
//!
//!   cd fuzz && cargo +nightly fuzz run gateway_channel corpus/gateway_channel \
//!       seeds/gateway_channel seeds/message -- -max_total_time=300 -dict=dicts/wire.dict
#![no_main]

use cscomm_channel::{CloseCause, GatewayChannel, GatewayConfig, GatewayEvent};

fn run(data: &[u8], piece: usize) -> (Vec<GatewayEvent>, Vec<u8>) {
    let mut gw = GatewayChannel::new(GatewayConfig::new("fuzz"));
    let mut events = Vec::new();
    let mut out = Vec::new();
    for chunk in data.chunks(piece.max(1)) {
        gw.feed(chunk);
        events.extend(std::iter::from_fn(|| gw.poll_event()));
        while let Some(bytes) = gw.poll_transmit() {
            out.extend_from_slice(&bytes);
        }
    }
    gw.feed_eof();
    events.extend(std::iter::from_fn(|| gw.poll_event()));
    while let Some(bytes) = gw.poll_transmit() {
        out.extend_from_slice(&bytes);
    }
    // Closed after the close changes nothing.
    gw.feed(b"<message type=\"ACK\" msgid=\"1\" ack=\"1\"></message>\n");
    assert!(gw.poll_event().is_none() && gw.poll_transmit().is_none());
    (events, out)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let whole = run(data, data.len());
    let pieces = run(data, data.len() % 13 + 1);
    assert_eq!(whole, pieces, "chunking changed the outcome");
    let (events, out) = whole;
    let closed = events
        .iter()
        .filter(|e| matches!(e, GatewayEvent::Closed { .. }));
    assert_eq!(closed.count(), 1, "exactly one Closed");
    let Some(GatewayEvent::Closed { cause }) = events.last() else {
        panic!("Closed is not the last event");
    };
    if let CloseCause::Error(reason) = cause {
        assert!(!reason.is_empty());
        let err: &[u8] = b"<message type=\"ERR\"";
        assert!(out.windows(err.len()).any(|w| w == err));
        let opened = matches!(events.first(), Some(GatewayEvent::Opened { .. }));
        assert_eq!(out.ends_with(b"</channel>"), opened);
    }
});
