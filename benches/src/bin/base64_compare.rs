//! Compares `cscomm_message::base64` with the crates.io `base64` and
//! `base64-simd` crates on the payload texts the channel carries: an
//! 80-byte OUT line (a 128-character text) and a 1 MiB OUT payload
//! (1,398,104 characters, a `\n` every 65,536 as ClusterShell writes them).
//! Each decoder gets the same texts and must produce the same bytes, each
//! encoder the same data and must write the same text (the run stops
//! otherwise); times are medians of 7 runs, on CPU. See docs/BASE64.md.
//!
//! usage: base64_compare

use std::time::Duration;

use base64::Engine as _;
use cscomm_benches::cpu::thread_cpu_time;

/// A decoder under test: text in, data appended to the vector.
type Decode = fn(&[u8], &mut Vec<u8>);

fn ours(text: &[u8], out: &mut Vec<u8>) {
    cscomm_message::base64::decode(text, out).expect("valid base64");
}

/// The `base64` crate takes no `\n`: one call per line, as we split them.
fn base64_crate(text: &[u8], out: &mut Vec<u8>) {
    for line in text.split(|&b| b == b'\n') {
        base64::engine::general_purpose::STANDARD
            .decode_vec(line, out)
            .expect("valid base64");
    }
}

/// `base64-simd` neither: one call per line, into the output buffer.
fn base64_simd_crate(text: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + text.len() / 4 * 3 + 3, 0);
    let mut at = start;
    for line in text.split(|&b| b == b'\n') {
        let dst = base64_simd::Out::from_slice(&mut out[at..]);
        at += base64_simd::STANDARD
            .decode(line, dst)
            .expect("valid base64")
            .len();
    }
    out.truncate(at);
}

/// An encoder under test: data in, wrapped text (65,536 per line) appended.
type Encode = fn(&[u8], &mut Vec<u8>);

/// Lines of ClusterShell's default length.
const WIDTH: usize = 65_536;

fn ours_encode(data: &[u8], out: &mut Vec<u8>) {
    let mut text = bytes::BytesMut::new();
    let width = std::num::NonZeroUsize::new(WIDTH).expect("non-zero");
    cscomm_message::base64::encode_wrapped(data, width, &mut text);
    out.extend_from_slice(&text);
}

/// The crates encode whole lines of 49,152 bytes (65,536 characters).
fn by_lines(data: &[u8], out: &mut Vec<u8>, encode: impl Fn(&[u8], &mut Vec<u8>)) {
    for (i, chunk) in data.chunks(WIDTH / 4 * 3).enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        encode(chunk, out);
    }
}

fn base64_encode(data: &[u8], out: &mut Vec<u8>) {
    by_lines(data, out, |chunk, out| {
        let start = out.len();
        out.resize(start + chunk.len().div_ceil(3) * 4, 0);
        let written = base64::engine::general_purpose::STANDARD
            .encode_slice(chunk, &mut out[start..])
            .expect("room for the text");
        out.truncate(start + written);
    });
}

fn base64_simd_encode(data: &[u8], out: &mut Vec<u8>) {
    by_lines(data, out, |chunk, out| {
        base64_simd::STANDARD.encode_append(chunk, out);
    });
}

/// ClusterShell's wrapping: a newline every `width` characters.
fn wrapped(data: &[u8], width: usize) -> Vec<u8> {
    let text = base64::engine::general_purpose::STANDARD.encode(data);
    let lines: Vec<&[u8]> = text.as_bytes().chunks(width).collect();
    lines.join(&b'\n')
}

/// Median time on CPU of one `op` on `input`, over 7 runs of `reps`.
fn median(op: Decode, input: &[u8], reps: u32) -> Duration {
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let start = thread_cpu_time().unwrap_or_default();
            for _ in 0..reps {
                let mut out = Vec::new();
                op(std::hint::black_box(input), &mut out);
                std::hint::black_box(out);
            }
            thread_cpu_time().unwrap_or_default().saturating_sub(start) / reps
        })
        .collect();
    times.sort();
    times[3]
}

fn main() {
    let line: Vec<u8> = (0u8..95).map(|i| i.wrapping_mul(37)).collect();
    let big: Vec<u8> = (0u32..1 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let cases = [
        (
            "80-byte OUT line (128 chars)",
            wrapped(&line, WIDTH),
            line,
            200_000,
        ),
        ("1 MiB OUT payload (wrapped)", wrapped(&big, WIDTH), big, 40),
    ];
    let decoders: [(&str, Decode); 3] = [
        ("cscomm-message", ours),
        ("base64 0.22", base64_crate),
        ("base64-simd 0.8", base64_simd_crate),
    ];
    for (case, text, data, reps) in &cases {
        for (name, decode) in decoders {
            let mut out = Vec::new();
            decode(text, &mut out);
            assert!(out == *data, "{name} decodes {case} differently");
            let time = median(decode, text, *reps);
            let rate = data.len() as f64 / time.as_secs_f64() / 1e6;
            println!("{case}: decode: {name}: {time:?} ({rate:.0} MB/s of data)");
        }
        let encoders: [(&str, Encode); 3] = [
            ("cscomm-message", ours_encode),
            ("base64 0.22", base64_encode),
            ("base64-simd 0.8", base64_simd_encode),
        ];
        for (name, encode) in encoders {
            let mut out = Vec::new();
            encode(data, &mut out);
            assert!(out == *text, "{name} encodes {case} differently");
            let time = median(encode, data, *reps);
            let rate = data.len() as f64 / time.as_secs_f64() / 1e6;
            println!("{case}: encode: {name}: {time:?} ({rate:.0} MB/s of data)");
        }
    }
}
