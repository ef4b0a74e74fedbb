//! A node printing 1 GiB streams through in bounded memory, every byte in
//! order (checked by SHA-256 against the same stream regenerated here).
//! Alone in its test binary so the peak resident size measured is its own.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::time::Instant;

use cscomm_ssh::{EventKind, Executor, LineEnd, Request, Transport};
use sha2::{Digest, Sha256};

/// 2^20 lines of 1024 bytes: 1 GiB.
const LINES: usize = 1 << 20;
const WIDTH: usize = 1023;

/// A `/proc/self/status` field in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The digest of what `seq -f '%01023.0f' 1 2^20` prints, computed here.
fn expected_digest() -> Vec<u8> {
    let mut hash = Sha256::new();
    let mut line = vec![b'0'; WIDTH + 1];
    line[WIDTH] = b'\n';
    for i in 1..=LINES {
        let digits = i.to_string();
        line[WIDTH - digits.len()..WIDTH].copy_from_slice(digits.as_bytes());
        hash.update(&line);
    }
    hash.finalize().to_vec()
}

#[tokio::test]
async fn one_gib_streams_through_in_bounded_memory() {
    let before_hwm = status_kib("VmHWM:");
    let started = Instant::now();
    // Each line carries its number: loss or reordering changes the digest
    // (`%%` is a literal `%` in local commands).
    let command = format!("seq -f '%%0{WIDTH}.0f' 1 {LINES}");
    let mut run = Executor::default()
        .run(Request::new(command, ["n1"], Transport::Local))
        .unwrap();
    run.close_stdin();
    let mut hash = Sha256::new();
    let (mut bytes, mut lines, mut code) = (0usize, 0usize, None);
    while let Some(event) = run.next_event().await {
        match event.kind {
            EventKind::Stdout(line) => {
                assert_eq!(line.end, LineEnd::Newline);
                hash.update(&line.bytes);
                hash.update(b"\n");
                bytes += line.bytes.len() + 1;
                lines += 1;
            }
            EventKind::Exited(exit) => code = Some(exit.code),
            EventKind::Started => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let elapsed = started.elapsed();
    let after_hwm = status_kib("VmHWM:");
    assert_eq!(code, Some(0));
    assert_eq!((bytes, lines), (1 << 30, LINES));
    assert_eq!(hash.finalize().to_vec(), expected_digest());
    let growth_mib = (after_hwm.saturating_sub(before_hwm)) / 1024;
    eprintln!(
        "1 GiB in {elapsed:?} ({:.0} MiB/s); peak RSS {} MiB -> {} MiB",
        1024.0 / elapsed.as_secs_f64(),
        before_hwm / 1024,
        after_hwm / 1024
    );
    // The event budget is 4 MiB; pipes and buffers add a few more. Without
    // backpressure the peak would grow toward the stream's size.
    assert!(
        growth_mib < 32,
        "peak RSS grew by {growth_mib} MiB for 1 GiB"
    );
}
