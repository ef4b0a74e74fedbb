//! Measures the wire decoder on the benchmark streams and prints the results
//! as JSON (one object), for `benches/compare_wire.py`.
//!
//! usage: wire_throughput [--reps N] [--dump DIR] [--only PREFIX]
//!
//! Each case decodes the whole stream `N` times (default 7) with the same
//! loops as the criterion bench (`benches/wire.rs`) and reports the median
//! wall time and the median time on CPU (which the load of other processes
//! on the machine barely affects). `--dump DIR` also writes the streams to
//! `DIR/a.xml` and `DIR/b.xml` so the Python side reads exactly the same
//! bytes. `--only` runs only the cases whose name starts with `PREFIX`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use cscomm_benches::cpu::thread_cpu_time;
use cscomm_benches::decode::{self, Tally};
use cscomm_benches::streams;
use cscomm_wire::WireError;

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

/// Median wall and CPU times of `reps` runs of `run`.
struct Timing {
    wall: Duration,
    cpu: Option<Duration>,
    tally: Tally,
}

fn measure(reps: usize, run: impl Fn() -> Result<Tally, WireError>) -> Result<Timing, WireError> {
    let mut walls = Vec::with_capacity(reps);
    let mut cpus = Vec::with_capacity(reps);
    let mut tally = Tally::default();
    for _ in 0..reps {
        let cpu_start = thread_cpu_time();
        let start = Instant::now();
        tally = std::hint::black_box(run()?);
        walls.push(start.elapsed());
        if let (Some(a), Some(b)) = (cpu_start, thread_cpu_time()) {
            cpus.push(b.saturating_sub(a));
        }
    }
    walls.sort();
    cpus.sort();
    Ok(Timing {
        wall: walls[walls.len() / 2],
        cpu: cpus.get(cpus.len() / 2).copied(),
        tally,
    })
}

fn case(
    name: &str,
    stream: &[u8],
    args: &Args,
    run: impl Fn() -> Result<Tally, WireError>,
) -> Result<Option<String>, WireError> {
    if !name.starts_with(&args.only) {
        return Ok(None);
    }
    let timing = measure(args.reps, run)?;
    let cpu = match timing.cpu {
        Some(cpu) => format!("{:.6}", cpu.as_secs_f64()),
        None => "null".to_owned(),
    };
    Ok(Some(format!(
        "{{\"case\": \"{name}\", \"wall_s\": {:.6}, \"cpu_s\": {cpu}, \"stream_bytes\": {}, \
         \"messages\": {}, \"reps\": {}}}",
        timing.wall.as_secs_f64(),
        stream.len(),
        timing.tally.messages,
        args.reps,
    )))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let wanted = |prefix: &str| {
        args.dump.is_some() || args.only.starts_with(prefix) || prefix.starts_with(&args.only)
    };
    let a = if wanted("a/") {
        streams::out_lines(100_000, 80)
    } else {
        Vec::new()
    };
    let b = if wanted("b/") {
        streams::write_buffers(200, 1 << 20)
    } else {
        Vec::new()
    };
    if let Some(dir) = &args.dump {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("a.xml"), &a)?;
        std::fs::write(dir.join("b.xml"), &b)?;
    }
    let chunk = 64 << 10;
    let (a_lines, b_lines) = (streams::lines(&a), streams::lines(&b));
    let cases = [
        case("a/chunks_64KiB", &a, &args, || decode::chunked(&a, chunk))?,
        case("a/line_by_line", &a, &args, || {
            decode::pieces(a_lines.iter().copied())
        })?,
        case("b/chunks_64KiB", &b, &args, || decode::chunked(&b, chunk))?,
        case("b/line_by_line", &b, &args, || {
            decode::pieces(b_lines.iter().copied())
        })?,
    ];
    let cases: Vec<String> = cases.into_iter().flatten().collect();
    println!("{{\"results\": [\n  {}\n]}}", cases.join(",\n  "));
    Ok(())
}
