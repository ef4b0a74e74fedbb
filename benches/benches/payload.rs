//! Payload decoding and encoding on the hot path (cscomm-message):
//! OUT payloads of 80-byte lines (the 100,000 of the wire bench's stream
//! (a)) and of 1 MiB, decoded (`Payload::decode_bytes`) and encoded
//! (`PayloadCodec::encode_bytes_into`); the CTL `shell` request and the CFG
//! topology of the captured exchange, and a 4096-node three-level topology,
//! decoded; and stream (a) decoded into typed messages by `MessageDecoder`,
//! with and without decoding each message's data.
//!
//! `benches/compare_payload.py` runs the same loops (`payload_throughput`)
//! next to ClusterShell's own `Message.data_decode` / `data_encode` and
//! records both in `docs/PERFORMANCE.md`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cscomm_benches::{payload, streams};
use cscomm_message::{Payload, PayloadCodec};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// 100,000 OUT payloads of one 80-byte line: payloads per second.
fn out_lines(c: &mut Criterion) {
    let stream = streams::out_lines(100_000, 80);
    let texts = payload::out_texts(&stream).expect("stream (a)");
    let lines: Vec<Bytes> = payload::decode_lines(&texts).expect("OUT payloads");
    let codec = PayloadCodec::default();
    let mut group = c.benchmark_group("payload/out_80B_x100k");
    group.throughput(Throughput::Elements(texts.len() as u64));
    let received = payload::received(&texts);
    group.bench_function("decode_bytes", |b| {
        b.iter(|| payload::decode_out(black_box(&received)))
    });
    let mut out = BytesMut::new();
    group.bench_function("encode_bytes_into", |b| {
        b.iter(|| payload::encode_out(&codec, black_box(&lines), &mut out))
    });
    group.finish();
}

/// One OUT payload of 1 MiB: bytes of data per second.
fn out_big(c: &mut Criterion) {
    let data = payload::big_data(1 << 20);
    let codec = PayloadCodec::default();
    let text = [codec.encode_bytes(&data)];
    let data = [data];
    let mut group = c.benchmark_group("payload/out_1MiB");
    group.throughput(Throughput::Bytes(1 << 20));
    let received = payload::received(&text);
    group.bench_function("decode_bytes", |b| {
        b.iter(|| payload::decode_out(black_box(&received)))
    });
    let mut out = BytesMut::new();
    group.bench_function("encode_bytes_into", |b| {
        b.iter(|| payload::encode_out(&codec, black_box(&data), &mut out))
    });
    group.finish();
}

/// Requests: decodes per second.
fn requests(c: &mut Criterion) {
    let (ctl, cfg) = payload::captured(root()).expect("examples/capture");
    let big = PayloadCodec::default()
        .encode_value(&payload::big_topology().to_value())
        .expect("pickle the topology");
    let [ctl, cfg, big] = [ctl, cfg, big].map(Payload::Encoded);
    let mut group = c.benchmark_group("payload/requests");
    group.throughput(Throughput::Elements(1));
    group.bench_function("ctl_shell_capture", |b| {
        b.iter(|| payload::decode_shell(black_box(&ctl)))
    });
    group.bench_function("cfg_topology_capture", |b| {
        b.iter(|| payload::decode_topology(black_box(&cfg)))
    });
    group.bench_function("cfg_topology_4096_nodes", |b| {
        b.iter(|| payload::decode_topology(black_box(&big)))
    });
    group.finish();
}

/// Stream (a) to typed messages: messages per second.
fn messages(c: &mut Criterion) {
    let stream = streams::out_lines(100_000, 80);
    let lines = streams::lines(&stream);
    let mut group = c.benchmark_group("payload/a_100k_out_80B_messages");
    group.throughput(Throughput::Elements(100_000));
    group.measurement_time(Duration::from_secs(8));
    for (name, data) in [("typed", false), ("typed_and_data", true)] {
        group.bench_function(format!("chunks_64KiB/{name}"), |b| {
            b.iter(|| payload::messages(black_box(&stream).chunks(64 << 10), data))
        });
        group.bench_function(format!("line_by_line/{name}"), |b| {
            b.iter(|| payload::messages(black_box(&lines).iter().copied(), data))
        });
    }
    group.finish();
}

criterion_group!(benches, out_lines, out_big, requests, messages);
criterion_main!(benches);
