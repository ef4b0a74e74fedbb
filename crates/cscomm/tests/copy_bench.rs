//! Copy benchmark against clush in the same run (ignored by default):
//! `CSCOMM_COPY_BENCH_MB` MB (default 100) to `CSCOMM_COPY_BENCH_NODES`
//! nodes (default 100) through 2 gateways side by side, then `--rcopy` of
//! that much from `CSCOMM_COPY_BENCH_RNODES` nodes (default 20); each with
//! clush and with `cscomm run`, through Python gateways and through
//! `cscomm-gateway`. Prints wall time, CPU (user+sys) and peak RSS of the
//! admin process (GNU time) and of each gateway (polled in /proc).
//! `CSCOMM_COPY_BENCH_PARTS` (default `copy,rcopy`) picks the halves to
//! run, `CSCOMM_COPY_BENCH_GATEWAYS` (default `python,cscomm`) the gateways.
//!
//! `cargo test --release -p cscomm --test copy_bench -- --ignored --nocapture`
#![allow(clippy::unwrap_used)] // a benchmark fails loudly on purpose

mod copy_support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use copy_support::{Gateways, hosts, tempdir, topology};
use cscomm_testkit::clush::admin_short_name;

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak RSS (KiB) and CPU seconds of one process.
#[derive(Debug, Clone, Copy, Default)]
struct Usage {
    rss_kib: u64,
    cpu_s: f64,
}

/// Polls /proc for the gateway processes (sessions of gw1, gw2) while a
/// run goes on: the last VmHWM and CPU seen of each.
fn watch_gateways(stop: Arc<AtomicBool>) -> std::thread::JoinHandle<BTreeMap<String, Usage>> {
    std::thread::spawn(move || {
        let seen: Mutex<BTreeMap<u32, (String, Usage)>> = Mutex::new(BTreeMap::new());
        let tick = 100.0; // clock ticks per second on Linux
        while !stop.load(Ordering::Relaxed) {
            for entry in std::fs::read_dir("/proc").unwrap().flatten() {
                let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                    continue;
                };
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                if !cmdline
                    .windows(23)
                    .any(|w| w == b"-m\0ClusterShell.Gateway")
                {
                    continue;
                }
                let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
                let Some(host) = ["gw1", "gw2"].into_iter().find(|h| {
                    let tag = format!("CSCOMM_TEST_HOST={h}\0");
                    environ.windows(tag.len()).any(|w| w == tag.as_bytes())
                }) else {
                    continue;
                };
                let status =
                    std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
                let rss = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok());
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                let fields: Vec<&str> = stat
                    .rsplit(')')
                    .next()
                    .unwrap_or("")
                    .split_whitespace()
                    .collect();
                let cpu = match (fields.get(11), fields.get(12)) {
                    (Some(u), Some(s)) => {
                        (u.parse::<f64>().unwrap_or(0.0) + s.parse::<f64>().unwrap_or(0.0)) / tick
                    }
                    _ => 0.0,
                };
                if let Some(rss) = rss {
                    seen.lock().unwrap().insert(
                        pid,
                        (
                            host.to_owned(),
                            Usage {
                                rss_kib: rss,
                                cpu_s: cpu,
                            },
                        ),
                    );
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut by_host = BTreeMap::new();
        for (_, (host, usage)) in seen.into_inner().unwrap() {
            let entry: &mut Usage = by_host.entry(host).or_default();
            entry.rss_kib = entry.rss_kib.max(usage.rss_kib);
            entry.cpu_s += usage.cpu_s;
        }
        by_host
    })
}

/// Runs `command` under GNU time: wall, CPU and peak RSS of the admin
/// process, and the gateways' figures.
fn measure(command: Command) -> (f64, Usage, BTreeMap<String, Usage>, bool) {
    let report = tempdir("time").join("report");
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
    let envs: Vec<_> = command
        .get_envs()
        .map(|(k, v)| (k.to_owned(), v.map(|v| v.to_owned())))
        .collect();
    let mut timed = Command::new("/usr/bin/time");
    timed
        .args(["-f", "%e %U %S %M", "-o"])
        .arg(&report)
        .arg(program)
        .args(args);
    for (key, value) in envs {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_gateways(stop.clone());
    let out = timed.stdin(Stdio::null()).output().unwrap();
    stop.store(true, Ordering::Relaxed);
    let gateways = watcher.join().unwrap();
    let text = std::fs::read_to_string(&report).unwrap();
    let fields: Vec<f64> = text
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .map(|f| f.parse().unwrap())
        .collect();
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    let admin = Usage {
        rss_kib: fields[3] as u64,
        cpu_s: fields[1] + fields[2],
    };
    (fields[0], admin, gateways, out.status.success())
}

/// The `cscomm run` command of a benchmark run.
fn cscomm_command(gateways: Gateways, conf: &Path, nodes: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cscomm"));
    command
        .env("CLUSTERSHELL_CFGDIR", conf.parent().unwrap())
        .env(
            "CLUSTERSHELL_GW_PYTHON_EXECUTABLE",
            gateways.exe().program(),
        )
        .arg("run")
        .args([
            "--root",
            admin_short_name(),
            "-o",
            &hosts().sshd.ssh_options(),
        ])
        .args(["--topology", conf.to_str().unwrap(), "-w", nodes])
        .args(args);
    command
}

/// The `clush` command of a benchmark run.
fn clush_command(gateways: Gateways, conf: &Path, nodes: &str, args: &[&str]) -> Command {
    let dir = conf.parent().unwrap();
    let clush_conf = format!(
        "[Main]\nconfdir:\ncolor: never\nverbosity: 1\nfanout: 64\nssh_options: {}\n",
        hosts().sshd.ssh_options()
    );
    std::fs::write(dir.join("clush.conf"), clush_conf).unwrap();
    let python = cscomm_testkit::python::Python::clustershell();
    let mut command = Command::new(python.bin_dir().join("clush"));
    command
        .env("CLUSTERSHELL_CFGDIR", dir)
        .env(
            "CLUSTERSHELL_GW_PYTHON_EXECUTABLE",
            gateways.exe().program(),
        )
        .args(["-w", nodes])
        .args(args);
    command
}

fn row(out: &mut String, what: &str, result: (f64, Usage, BTreeMap<String, Usage>, bool)) {
    let (wall, admin, gateways, ok) = result;
    let gws: Vec<String> = gateways
        .iter()
        .map(|(h, u)| format!("{h} {:.1} s {:.1} MiB", u.cpu_s, u.rss_kib as f64 / 1024.0))
        .collect();
    let _ = writeln!(
        out,
        "| {what} | {wall:.2} | {:.2} | {:.1} | {} | {} |",
        admin.cpu_s,
        admin.rss_kib as f64 / 1024.0,
        gws.join(", "),
        if ok { "ok" } else { "FAILED" }
    );
}

#[test]
#[ignore = "a benchmark: minutes of ssh traffic and gigabytes of disk"]
fn copy_and_rcopy_against_clush() {
    let mb = env_num("CSCOMM_COPY_BENCH_MB", 100);
    let count = env_num("CSCOMM_COPY_BENCH_NODES", 100);
    let rcount = env_num("CSCOMM_COPY_BENCH_RNODES", 20);
    let parts = std::env::var("CSCOMM_COPY_BENCH_PARTS").unwrap_or("copy,rcopy".into());
    let runs = |part: &str| parts.split(',').any(|p| p.trim() == part);
    let kinds = std::env::var("CSCOMM_COPY_BENCH_GATEWAYS").unwrap_or("python,cscomm".into());
    let with = |gateways: &Gateways| {
        let name = format!("{gateways:?}").to_lowercase();
        kinds.split(',').any(|k| k.trim() == name)
    };
    let hosts = hosts();
    let nodes = format!("node[1-{count}]");
    let rnodes = format!("node[1-{rcount}]");
    let conf_dir = tempdir("bench-cfg");
    let conf = conf_dir.join("topology.conf");
    std::fs::write(&conf, topology(12, &nodes)).unwrap();
    let source = tempdir("bench-src").join("image.bin");
    let data: Vec<u8> = (0..(mb << 20) as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    std::fs::write(&source, &data).unwrap();
    let dest = hosts.remote("bench");
    let mut out = String::from(
        "| run | wall s | admin CPU s | admin peak RSS MiB | gateways (CPU, peak RSS) | |\n|---|---|---|---|---|---|\n",
    );
    let src = source.display().to_string();
    let dest_arg = format!("{dest}/");
    for (tool, gateways) in [
        ("clush", Gateways::Python),
        ("cscomm", Gateways::Python),
        ("clush", Gateways::Cscomm),
        ("cscomm", Gateways::Cscomm),
    ]
    .into_iter()
    .filter(|(_, gateways)| runs("copy") && with(gateways))
    {
        for i in 1..=count {
            let dir = hosts.on(&format!("node{i}"), &dest);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
        }
        let args = ["--copy", src.as_str(), "--dest", dest_arg.as_str()];
        let command = match tool {
            "clush" => clush_command(gateways, &conf, &nodes, &args),
            _ => cscomm_command(gateways, &conf, &nodes, &args),
        };
        let result = measure(command);
        let mut intact = 0;
        for i in 1..=count {
            let copy = hosts.on(&format!("node{i}"), &format!("{dest}/image.bin"));
            if std::fs::read(&copy).is_ok_and(|bytes| bytes == data) {
                intact += 1;
            }
        }
        let what = format!(
            "copy {mb} MB to {count} nodes: {tool}, {gateways:?} gateways ({intact} intact)"
        );
        row(&mut out, &what, result);
        println!("{out}");
    }
    for i in 1..=count {
        let _ = std::fs::remove_dir_all(hosts.on(&format!("node{i}"), &dest));
    }
    let rsrc = hosts.remote("bench-r/image.bin");
    for i in 1..=rcount {
        let path = hosts.on(&format!("node{i}"), &rsrc);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::copy(&source, &path).unwrap();
    }
    for (tool, gateways) in [
        ("clush", Gateways::Python),
        ("cscomm", Gateways::Python),
        ("clush", Gateways::Cscomm),
        ("cscomm", Gateways::Cscomm),
    ]
    .into_iter()
    .filter(|(_, gateways)| runs("rcopy") && with(gateways))
    {
        let local = tempdir("bench-rcopy");
        let args = ["--rcopy", rsrc.as_str(), "--dest", local.to_str().unwrap()];
        let command = match tool {
            "clush" => clush_command(gateways, &conf, &rnodes, &args),
            _ => cscomm_command(gateways, &conf, &rnodes, &args),
        };
        let result = measure(command);
        let files: Vec<_> = std::fs::read_dir(&local).unwrap().flatten().collect();
        let intact = files
            .iter()
            .filter(|f| std::fs::read(f.path()).is_ok_and(|bytes| bytes == data))
            .count();
        let what = format!(
            "rcopy {mb} MB from {rcount} nodes: {tool}, {gateways:?} gateways ({} results, {intact} intact)",
            files.len()
        );
        row(&mut out, &what, result);
        let _ = std::fs::remove_dir_all(&local);
        println!("{out}");
    }
    for i in 1..=rcount {
        let _ = std::fs::remove_dir_all(hosts.on(&format!("node{i}"), &hosts.remote("bench-r")));
    }
}
