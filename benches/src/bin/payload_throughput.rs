//! Measures payload decoding and encoding (cscomm-message) on the payload
//! benchmark inputs and prints the results as JSON (one object), for
//! `benches/compare_payload.py`.
//!
//! usage: payload_throughput [--reps N] [--dump DIR] [--only PREFIX]
//!
//! Each case runs its loop `N` times (default 7), the same loops as the
//! criterion bench (`benches/payload.rs`), and reports the median wall time
//! and time on CPU of one run, with the operations (payloads or messages)
//! and data bytes one run handles. `--dump DIR` writes the inputs to `DIR`
//! (`a.xml`, `out1m.bin`, `out1m.b64`, `ctl_shell.b64`, `cfg_capture.b64`,
//! `cfg_4096.b64`) so the Python side works on the same bytes. `--only`
//! runs only the cases whose name starts with `PREFIX`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use cscomm_benches::cpu::thread_cpu_time;
use cscomm_benches::{payload, streams};
use cscomm_message::{Payload, PayloadCodec};

type Error = Box<dyn std::error::Error>;

struct Args {
    reps: usize,
    dump: Option<PathBuf>,
    only: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        reps: 7,
        dump: None,
        only: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let value = it.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--reps" => args.reps = value.parse().map_err(|e| format!("--reps: {e}"))?,
            "--dump" => args.dump = Some(PathBuf::from(value)),
            "--only" => args.only = value,
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    args.reps = args.reps.max(1);
    Ok(args)
}

/// What one run of a case handled.
#[derive(Debug, Clone, Copy, Default)]
struct Work {
    ops: u64,
    bytes: u64,
}

/// Median wall and CPU times of `reps` runs of `run`, as a JSON object.
fn case(
    name: &str,
    args: &Args,
    mut run: impl FnMut() -> Result<Work, Error>,
) -> Result<(), Error> {
    if !name.starts_with(&args.only) {
        return Ok(());
    }
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    let mut work = Work::default();
    for _ in 0..args.reps {
        let cpu_start = thread_cpu_time();
        let start = Instant::now();
        work = std::hint::black_box(run()?);
        walls.push(start.elapsed());
        if let (Some(a), Some(b)) = (cpu_start, thread_cpu_time()) {
            cpus.push(b.saturating_sub(a));
        }
    }
    walls.sort();
    cpus.sort();
    let median = |v: &[Duration]| v.get(v.len() / 2).map(Duration::as_secs_f64);
    let cpu = median(&cpus).map_or("null".to_owned(), |c| format!("{c:.6}"));
    RESULTS.with_borrow_mut(|results| {
        results.push(format!(
            "{{\"case\": \"{name}\", \"wall_s\": {:.6}, \"cpu_s\": {cpu}, \"ops\": {}, \
             \"bytes\": {}, \"reps\": {}}}",
            median(&walls).unwrap_or_default(),
            work.ops,
            work.bytes,
            args.reps,
        ))
    });
    Ok(())
}

thread_local! {
    static RESULTS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `once` `n` times; `n` operations of `bytes` bytes each.
fn repeat<T>(
    n: u64,
    bytes: u64,
    mut once: impl FnMut() -> Result<T, Error>,
) -> Result<Work, Error> {
    for _ in 0..n {
        std::hint::black_box(once()?);
    }
    Ok(Work {
        ops: n,
        bytes: n * bytes,
    })
}

struct Inputs {
    a: Vec<u8>,
    texts: Vec<Bytes>,
    lines: Vec<Bytes>,
    big: Bytes,
    big_text: Bytes,
    ctl: Bytes,
    cfg: Bytes,
    cfg_4096: Bytes,
}

fn inputs() -> Result<Inputs, Error> {
    let a = streams::out_lines(100_000, 80);
    let texts = payload::out_texts(&a)?;
    let lines = payload::decode_lines(&texts)?;
    let big = payload::big_data(1 << 20);
    let big_text = PayloadCodec::default().encode_bytes(&big);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (ctl, cfg) = payload::captured(&root)?;
    let cfg_4096 = PayloadCodec::default().encode_value(&payload::big_topology().to_value())?;
    Ok(Inputs {
        a,
        texts,
        lines,
        big,
        big_text,
        ctl,
        cfg,
        cfg_4096,
    })
}

fn dump(dir: &Path, inputs: &Inputs) -> Result<(), Error> {
    std::fs::create_dir_all(dir)?;
    let files: [(&str, &[u8]); 6] = [
        ("a.xml", &inputs.a),
        ("out1m.bin", &inputs.big),
        ("out1m.b64", &inputs.big_text),
        ("ctl_shell.b64", &inputs.ctl),
        ("cfg_capture.b64", &inputs.cfg),
        ("cfg_4096.b64", &inputs.cfg_4096),
    ];
    for (name, data) in files {
        std::fs::write(dir.join(name), data)?;
    }
    Ok(())
}

fn main() -> Result<(), Error> {
    let args = parse_args()?;
    let inp = inputs()?;
    if let Some(dir) = &args.dump {
        dump(dir, &inp)?;
    }
    let codec = PayloadCodec::default();
    let mut out = BytesMut::new();
    let data_len = |lines: &[Bytes]| lines.iter().map(|l| l.len() as u64).sum::<u64>();
    let lines_len = data_len(&inp.lines);
    let n = inp.texts.len() as u64;
    // Decoding starts from received payloads, as ClusterShell's side is
    // timed on messages already read.
    let received = payload::received(&inp.texts);
    let big_received = payload::received(std::slice::from_ref(&inp.big_text));
    let [ctl, cfg, cfg_4096] =
        [&inp.ctl, &inp.cfg, &inp.cfg_4096].map(|t| Payload::Encoded(t.clone()));
    case("out80/decode", &args, || {
        payload::decode_out(&received)?;
        Ok(Work {
            ops: n,
            bytes: lines_len,
        })
    })?;
    case("out80/encode", &args, || {
        payload::encode_out(&codec, &inp.lines, &mut out);
        Ok(Work {
            ops: n,
            bytes: lines_len,
        })
    })?;
    let big = [inp.big.clone()];
    case("out1m/decode", &args, || {
        repeat(64, 1 << 20, || Ok(payload::decode_out(&big_received)?))
    })?;
    case("out1m/encode", &args, || {
        repeat(64, 1 << 20, || {
            Ok(payload::encode_out(&codec, &big, &mut out))
        })
    })?;
    case("ctl_shell/decode", &args, || {
        repeat(20_000, 0, || Ok(payload::decode_shell(&ctl)?))
    })?;
    case("cfg_capture/decode", &args, || {
        repeat(5_000, 0, || Ok(payload::decode_topology(&cfg)?))
    })?;
    case("cfg_4096/decode", &args, || {
        repeat(2_000, 0, || Ok(payload::decode_topology(&cfg_4096)?))
    })?;
    let a_lines = streams::lines(&inp.a);
    for (name, data) in [("typed", false), ("data", true)] {
        case(&format!("a/chunks_64KiB/{name}"), &args, || {
            let tally = payload::messages(inp.a.chunks(64 << 10), data)?;
            Ok(Work {
                ops: tally.messages,
                bytes: tally.data_bytes,
            })
        })?;
        case(&format!("a/line_by_line/{name}"), &args, || {
            let tally = payload::messages(a_lines.iter().copied(), data)?;
            Ok(Work {
                ops: tally.messages,
                bytes: tally.data_bytes,
            })
        })?;
    }
    let results = RESULTS.with_borrow(|r| r.join(",\n  "));
    println!("{{\"results\": [\n  {results}\n]}}");
    Ok(())
}
