//! Throughput of the wire decoder on streams like ClusterShell's:
//! (a) 100,000 OUT messages of 80-byte lines, (b) 200 CTL `write` messages
//! of 1 MiB each; each fed in 64 KiB chunks and line by line.
//!
//! `benches/compare_wire.py` runs the same loops (`wire_throughput`) next to
//! ClusterShell's own reader and records both in `docs/PERFORMANCE.md`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cscomm_benches::{decode, streams};

/// (a): messages per second.
fn out_lines(c: &mut Criterion) {
    let stream = streams::out_lines(100_000, 80);
    let mut group = c.benchmark_group("wire/a_100k_out_80B");
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("chunks_64KiB", |b| {
        b.iter(|| decode::chunked(black_box(&stream), 64 << 10))
    });
    let lines = streams::lines(&stream);
    group.bench_function("line_by_line", |b| {
        b.iter(|| decode::pieces(black_box(&lines).iter().copied()))
    });
    group.finish();
}

/// (b): bytes per second (of the stream, base64 text and tags included).
fn big_payloads(c: &mut Criterion) {
    let stream = streams::write_buffers(200, 1 << 20);
    let mut group = c.benchmark_group("wire/b_200x1MiB");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("chunks_64KiB", |b| {
        b.iter(|| decode::chunked(black_box(&stream), 64 << 10))
    });
    let lines = streams::lines(&stream);
    group.bench_function("line_by_line", |b| {
        b.iter(|| decode::pieces(black_box(&lines).iter().copied()))
    });
    group.finish();
}

criterion_group!(benches, out_lines, big_payloads);
criterion_main!(benches);
