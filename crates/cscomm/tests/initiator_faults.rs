//! `cscomm run` against gateways that misbehave (`peer/bad_gateway.py`,
//! on the real ClusterShell's Python): gw1 plays a fault, gw2 answers
//! well. Whatever gw1 does, the run ends in time, gw1's nodes are reported
//! failed (or routed again when gw1 never set up), gw2's complete, nothing
//! is printed for a node gw1 was not given, and a pickle that would run
//! code on unpickling runs nothing.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use cscomm_testkit::python::{Python, workspace_root};

/// Longer than any fault may take: the run hangs if it is reached.
const HANG: Duration = Duration::from_secs(30);

struct Faulty {
    output: Output,
    elapsed: Duration,
    dir: PathBuf,
}

impl Faulty {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    fn code(&self) -> i32 {
        self.output.status.code().unwrap()
    }

    /// What gw1 received from us.
    fn sent_to_gw1(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(self.dir.join("gw1.in")).unwrap()).into_owned()
    }
}

/// `cscomm run` on n[1-4] (n[1-2] behind gw1 playing `fault`, n[3-4]
/// behind gw2), connect timeout 1 s, with `extra` options; `stdin` is
/// written at once, or once gw1 has closed its input (the fault
/// `close_stdin`).
fn run_with_fault(fault: &str, extra: &[&str], stdin: Option<&[u8]>) -> Faulty {
    let dir = workspace_root().join(format!("target/initiator-faults/{fault}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let topology = dir.join("topology.conf");
    std::fs::write(
        &topology,
        "[routes]\nadmin: gw[1-2]\ngw1: n[1-2]\ngw2: n[3-4]\n",
    )
    .unwrap();
    let script = workspace_root().join("crates/cscomm/tests/peer/bad_gateway.py");
    let python = Python::clustershell();
    let gateway = format!(
        "exec '{}' '{}' %h gw1 {fault} '{}'",
        python.exe().display(),
        script.display(),
        dir.display()
    );
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cscomm"))
        .args(["run", "--local", "--root", "admin", "-t", "1"])
        .args(["--topology", topology.to_str().unwrap()])
        .args(["--gateway-command", &gateway])
        .args(extra)
        .args(["-w", "n[1-4]", "echo direct %h"])
        .env("CLUSTERSHELL_CFGDIR", &dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.map(<[u8]>::to_vec);
    let stdin_closed = dir.join("gw1.stdin-closed");
    let waits_for_close = fault == "close_stdin";
    let writer = std::thread::spawn(move || {
        if let Some(data) = data {
            if waits_for_close {
                wait_for_file(&stdin_closed);
            }
            let _ = input.write_all(&data);
        }
    });
    let output = wait_or_kill(child, start + HANG);
    let elapsed = start.elapsed();
    assert!(elapsed < HANG, "the run hung with fault {fault}");
    writer.join().unwrap();
    Faulty {
        output,
        elapsed,
        dir,
    }
}

/// The output of `child`, killed if it still runs at `deadline` (it is
/// killed only while not yet reaped: its pid cannot be someone else's).
fn wait_or_kill(mut child: Child, deadline: Instant) -> Output {
    let read = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut data = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut data);
            }
            data
        })
    };
    let stdout = read(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = read(child.stderr.take().map(|p| Box::new(p) as _));
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            // The run hung: end it so that the test reports it.
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// Waits (at most [`HANG`]) until `path` exists.
fn wait_for_file(path: &std::path::Path) {
    let start = Instant::now();
    while !path.exists() && start.elapsed() < HANG {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// gw1 failed after set-up: named with `reason` on stderr, its nodes end
/// with 76, gw2's nodes complete, the exit status is non-zero, nothing
/// came from an intruder, and the end came quickly.
fn assert_gw1_failed(run: &Faulty, reason: &str, within: Duration) {
    let (stdout, stderr) = (run.stdout(), run.stderr());
    assert!(
        stderr.contains("cscomm: TREE MODE: gateway gw1 failed: ") && stderr.contains(reason),
        "stderr: {stderr}"
    );
    for node in ["n1", "n2"] {
        let message = format!("cscomm: {node}: exited with exit code 76");
        assert!(stderr.contains(&message), "stderr: {stderr}");
    }
    let lines: Vec<&str> = stdout.lines().collect();
    for done in ["n3: ok n3", "n4: ok n4"] {
        assert!(lines.contains(&done), "stdout: {stdout}, stderr: {stderr}");
    }
    let ours = ["n1: ", "n2: ", "n3: ", "n4: "];
    for line in &lines {
        assert!(ours.iter().any(|p| line.starts_with(p)), "{line}");
    }
    assert!(!stdout.contains("pwned") && !stderr.contains("pwned"));
    assert_eq!(run.code(), 1, "stderr: {stderr}");
    assert!(run.elapsed < within, "took {:?}", run.elapsed);
}

/// We told gw1 why (`ERR`) and closed the channel.
fn assert_told_why(run: &Faulty, why: &str) {
    let sent = run.sent_to_gw1();
    assert!(
        sent.contains("type=\"ERR\"") && sent.contains(why),
        "{sent}"
    );
    assert!(sent.trim_end().ends_with("</channel>"), "{sent}");
}

#[test]
fn output_for_a_node_not_routed_there_ends_the_gateway() {
    let run = run_with_fault("foreign", &[], None);
    let why = "OUT message for nodes not routed through this gateway: intruder";
    assert_gw1_failed(&run, why, Duration::from_secs(5));
    assert_told_why(&run, why);
    assert!(!run.stdout().contains("intruder"));
}

#[test]
fn a_second_return_code_ends_the_gateway() {
    let run = run_with_fault("duplicate_ret", &[], None);
    // n1's first return code was fine: it keeps it.
    let stderr = run.stderr();
    assert!(
        stderr.contains("RET message for nodes already finished: n1"),
        "{stderr}"
    );
    assert!(stderr.contains("cscomm: n2: exited with exit code 76"));
    assert!(!stderr.contains("cscomm: n1: exited with exit code 76"));
    assert_eq!(run.code(), 1);
}

#[test]
fn a_message_for_an_unknown_worker_ends_the_gateway() {
    let run = run_with_fault("unknown_worker", &[], None);
    assert_gw1_failed(
        &run,
        "RET message for unknown worker 1001",
        Duration::from_secs(5),
    );
}

#[test]
fn undecodable_payloads_and_broken_xml_end_the_gateway() {
    for (fault, why) in [
        ("bad_base64", "Message OUT has an invalid payload"),
        ("broken_xml", "Parse error"),
        ("err", "boom"),
    ] {
        let run = run_with_fault(fault, &[], None);
        assert_gw1_failed(&run, why, Duration::from_secs(5));
    }
}

#[test]
fn an_exploit_pickle_runs_nothing() {
    let run = run_with_fault("exploit_pickle", &[], None);
    assert_gw1_failed(
        &run,
        "Message OUT has an invalid payload",
        Duration::from_secs(5),
    );
    assert!(!run.dir.join("pwned").exists(), "the pickle ran a command");
}

#[test]
fn an_endless_frame_or_attribute_is_cut_off() {
    for fault in ["endless_frame", "endless_attribute"] {
        let run = run_with_fault(fault, &[], None);
        assert_gw1_failed(&run, "Parse error", Duration::from_secs(20));
    }
}

#[test]
fn a_gateway_killed_mid_run() {
    let run = run_with_fault("killed", &[], None);
    assert_gw1_failed(&run, "exited with code 137", Duration::from_secs(5));
}

#[test]
fn a_gateway_that_closes_its_output_but_keeps_running() {
    let run = run_with_fault("close_stdout", &[], None);
    assert_gw1_failed(&run, "closed its output", Duration::from_secs(5));
}

#[test]
fn a_gateway_that_closes_its_input() {
    let run = run_with_fault("close_stdin", &[], Some(b"some input\n"));
    assert_gw1_failed(&run, "stopped reading its input", Duration::from_secs(5));
}

#[test]
fn a_stopped_gateway_ends_at_the_command_timeout() {
    let run = run_with_fault("stopped", &["-u", "1"], None);
    let (stdout, stderr) = (run.stdout(), run.stderr());
    assert!(
        stderr.contains("gateway gw1 failed: no answer within the command timeout"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cscomm: n[1-2]: command timeout"),
        "{stderr}"
    );
    assert!(stdout.contains("n3: ok n3") && stdout.contains("n4: ok n4"));
    assert_eq!(run.code(), 1);
    // Command timeout 1 s + connect timeout 1 s + 2 s to start.
    assert!(
        run.elapsed < Duration::from_secs(8),
        "took {:?}",
        run.elapsed
    );
}

/// Before set-up, a gateway that fails or stays silent past the connect
/// timeout is given up and its targets routed again (here: directly).
#[test]
fn a_gateway_that_never_sets_up_is_routed_around() {
    for fault in ["stopped_before_setup", "unreachable"] {
        let run = run_with_fault(fault, &[], None);
        let (stdout, stderr) = (run.stdout(), run.stderr());
        assert!(
            stderr.contains("rerouting commands for n[1-2] due to the failure of gateway gw1"),
            "{fault}: {stderr}"
        );
        let mut lines: Vec<&str> = stdout.lines().collect();
        lines.sort_unstable();
        assert_eq!(
            lines,
            ["n1: direct n1", "n2: direct n2", "n3: ok n3", "n4: ok n4"],
            "{fault}: {stderr}"
        );
        assert_eq!(run.code(), 0, "{fault}: {stderr}");
        assert!(
            run.elapsed < Duration::from_secs(8),
            "took {:?}",
            run.elapsed
        );
    }
}

// Hostile gateways (docs/CLUSH-PARITY.md, "Hostile gateways").

/// After set-up, each of these ends gw1 with a reason naming what it did.
#[test]
fn hostile_streams_after_set_up_end_the_gateway() {
    for (fault, why) in [
        ("routing_unknown", "RTR message for unknown worker 8"),
        (
            "text_retcode",
            "invalid literal for int() with base 10: 'abc'",
        ),
        ("early_end", "closed the channel with targets pending"),
        ("exit_zero", "exited with code 0 with targets pending"),
        ("second_channel", "element <channel> nested in <channel>"),
        (
            "entities",
            "document type declarations (<!DOCTYPE) are not allowed",
        ),
        ("deep_nesting", "Invalid starting tag a"),
        ("pickle_bomb", "expected a bytes payload, found tuple"),
        ("deep_pickle", "unpickling stack underflow"),
    ] {
        let run = run_with_fault(fault, &[], None);
        assert_gw1_failed(&run, why, Duration::from_secs(5));
    }
}

/// A gateway that takes our input but never acknowledges it holds the
/// input window of the whole run: once a write waits longer than the
/// connect timeout, it fails by name (rather than the run hanging, or its
/// targets silently missing part of their input).
#[test]
fn a_gateway_that_never_acknowledges_input_fails_clearly() {
    let input = vec![b'i'; 8 << 20];
    let run = run_with_fault("no_write_ack", &[], Some(&input));
    assert_gw1_failed(
        &run,
        "stopped acknowledging standard input (",
        // 10 s without an acknowledgement (the least stall time), then
        // the gateway's end.
        Duration::from_secs(16),
    );
    // The window held: not all 8 MiB (10.7 MiB in base64) went.
    let sent = run.sent_to_gw1().len();
    assert!(sent < 8 << 20, "{sent} bytes sent");
}

/// A gateway that is set up but never acknowledges the command (and
/// says nothing more) runs nothing: once it has left the command
/// unacknowledged as long as a write may be (the connect timeout, at
/// least 10 s), it fails by name, its targets end with 76, and the others
/// complete (rather than the run hanging until `-u`).
#[test]
fn a_gateway_that_never_acknowledges_the_command_fails_clearly() {
    let run = run_with_fault("no_shell_ack", &[], None);
    assert_gw1_failed(
        &run,
        "never acknowledged the command",
        // 10 s without an acknowledgement, then the gateway's end.
        Duration::from_secs(16),
    );
    assert!(
        run.elapsed >= Duration::from_secs(10),
        "failed early: {:?}",
        run.elapsed
    );
    // The channel was closed (the gateway then ended).
    let sent = run.sent_to_gw1();
    assert!(sent.trim_end().ends_with("</channel>"), "{sent}");
}

/// Return codes out of `i32` range end as 255; a negative one is kept
/// (shown only by `-S`, as clush shows only positive ones at once).
#[test]
fn odd_return_codes_are_kept_in_range() {
    let run = run_with_fault("odd_retcodes", &["-S"], None);
    let (stdout, stderr) = (run.stdout(), run.stderr());
    assert!(
        stderr.contains("cscomm: n1: exited with exit code 255"),
        "{stderr}"
    );
    assert!(!stderr.contains("n2: exited"), "{stderr}");
    assert!(stdout.contains("n3: ok n3") && stdout.contains("n4: ok n4"));
    assert_eq!(run.code(), 255, "{stderr}");
}

/// `TIM` for one node: that node timed out, the others complete.
#[test]
fn a_timeout_for_one_node() {
    let run = run_with_fault("timeout_one", &[], None);
    let (stdout, stderr) = (run.stdout(), run.stderr());
    assert!(stderr.contains("cscomm: n1: command timeout"), "{stderr}");
    assert!(!stderr.contains("failed"), "{stderr}");
    for done in ["n2: ok n2", "n3: ok n3", "n4: ok n4"] {
        assert!(stdout.contains(done), "{stdout}");
    }
    assert_eq!(run.code(), 0);
}

/// A login banner before the channel: gw1 never set up, so n[1-2] are
/// routed again (directly), the reason shown.
#[test]
fn a_banner_before_the_channel_is_routed_around() {
    let run = run_with_fault("banner", &[], None);
    let (stdout, stderr) = (run.stdout(), run.stderr());
    assert!(
        stderr.contains("text before the <channel> start"),
        "{stderr}"
    );
    assert!(stderr.contains("rerouting commands for n[1-2]"), "{stderr}");
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        ["n1: direct n1", "n2: direct n2", "n3: ok n3", "n4: ok n4"]
    );
    assert_eq!(run.code(), 0);
}

/// Sane but unusual gateways: every node completes with all its bytes.
#[test]
fn odd_but_sane_gateways_complete() {
    for fault in ["old_version", "slow_loris", "giant_out", "stderr_flood"] {
        let run = run_with_fault(fault, &[], None);
        let (stdout, stderr) = (run.stdout(), run.stderr());
        let mut lines: Vec<&str> = stdout.lines().collect();
        lines.sort_unstable();
        let n1 = if fault == "giant_out" {
            format!("n1: {}", "x".repeat(8 << 20))
        } else {
            "n1: ok n1".to_owned()
        };
        assert_eq!(
            lines.len(),
            4,
            "{fault}: {}",
            &stderr[..stderr.len().min(500)]
        );
        assert!(
            lines[0] == n1,
            "{fault}: n1 line of {} bytes",
            lines[0].len()
        );
        assert_eq!(
            lines[1..],
            ["n2: ok n2", "n3: ok n3", "n4: ok n4"],
            "{fault}"
        );
        assert_eq!(run.code(), 0, "{fault}");
        assert!(
            run.elapsed < Duration::from_secs(5),
            "{fault}: {:?}",
            run.elapsed
        );
        if fault == "stderr_flood" {
            // 8 MiB without a newline: in 1 MiB lines, every byte shown.
            let shown: usize = stderr
                .lines()
                .filter_map(|line| line.strip_prefix("gw1: "))
                .map(str::len)
                .sum();
            assert_eq!(shown, 8 << 20);
        }
    }
}
