//! Local execution: bytes, exit codes, stdin, fanout, timeouts, abort and
//! process hygiene, with real processes.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::time::{Duration, Instant};

use common::*;
use cscomm_ssh::{
    Error, EventKind, ExecOptions, Executor, LineEnd, Request, StderrMode, StdinMode, Transport,
};

fn local(command: &str, nodes: &[&str]) -> Request {
    Request::new(command, nodes.iter().copied(), Transport::Local)
}

/// What `/bin/sh -c command` really writes on stdout, run directly.
fn sh_stdout(command: &str) -> Vec<u8> {
    let out = std::process::Command::new("/bin/sh")
        .args(["-c", command])
        .output()
        .unwrap();
    out.stdout
}

async fn run_one(request: Request) -> Outcome {
    let run = Executor::default().run(request).unwrap();
    run.close_stdin();
    let mut all = collect(run).await;
    assert_eq!(all.len(), 1);
    all.pop_first().unwrap().1
}

#[tokio::test]
async fn bytes_are_exact_non_utf8_cr_empty_lines_and_no_final_newline() {
    let command = r"printf 'caf\351\r\n\n\377\376 x\r y\nno newline'";
    let o = run_one(local(command, &["n1"])).await;
    assert_eq!(o.stdout, sh_stdout(command));
    let lines = shape(&o.stdout_lines);
    assert_eq!(lines[0], (b"caf\xe9\r".to_vec(), LineEnd::Newline));
    assert_eq!(lines[1], (b"".to_vec(), LineEnd::Newline));
    assert_eq!(lines[2], (b"\xff\xfe x\r y".to_vec(), LineEnd::Newline));
    assert_eq!(lines[3], (b"no newline".to_vec(), LineEnd::Eof));
    assert_eq!(o.code(), Some(0));
}

#[tokio::test]
async fn crlf_is_stripped_only_when_asked() {
    let command = r"printf 'a\r\nb\rc\r\n'";
    let options = ExecOptions::default().with_strip_cr(true);
    let o = run_one(local(command, &["n1"]).with_options(options)).await;
    let lines = shape(&o.stdout_lines);
    assert_eq!(
        lines,
        [
            (b"a".to_vec(), LineEnd::Newline),
            (b"b\rc".to_vec(), LineEnd::Newline)
        ]
    );
}

#[tokio::test]
async fn long_lines_come_in_flagged_pieces_and_nothing_is_lost() {
    let command = "head -c 250000 /dev/urandom | od -An -v -tx1 | tr -d '\\n'; echo; printf end";
    let options = ExecOptions::default().with_max_line_len(10_000);
    let o = run_one(local(command, &["n1"]).with_options(options)).await;
    let pieces = &o.stdout_lines;
    assert!(pieces.len() > 70, "{} pieces", pieces.len());
    assert!(pieces.iter().all(|l| l.bytes.len() <= 10_000));
    let (last, body) = pieces.split_last().unwrap();
    assert_eq!((&last.bytes[..], last.end), (&b"end"[..], LineEnd::Eof));
    let (newline, splits) = body.split_last().unwrap();
    assert_eq!(newline.end, LineEnd::Newline);
    assert!(
        splits
            .iter()
            .all(|l| l.end == LineEnd::Split && l.bytes.len() == 10_000)
    );
    // The hex dump line of 250000 bytes: 3 characters per byte.
    let total: usize = body.iter().map(|l| l.bytes.len()).sum();
    assert_eq!(total, 750_000);
}

#[tokio::test]
async fn exit_codes_follow_clustershell_including_signals() {
    let cases = [
        ("true", 0, None),
        ("exit 3", 3, None),
        ("exit 255", 255, None),
        ("kill -TERM $$", 143, Some(15)),
        ("kill -KILL $$", 137, Some(9)),
        ("kill -SEGV $$", 139, Some(11)),
    ];
    for (command, code, signal) in cases {
        let o = run_one(local(command, &["n1"])).await;
        let exit = o.exit.unwrap();
        assert_eq!((exit.code, exit.signal), (code, signal), "{command}");
        assert_eq!(exit.failure, None, "{command}");
    }
}

#[tokio::test]
async fn stderr_separate_or_merged() {
    let command = "echo a; echo b >&2; echo c";
    let o = run_one(local(command, &["n1"])).await;
    assert_eq!(
        (o.stdout_text().as_str(), o.stderr_text().as_str()),
        ("a\nc\n", "b\n")
    );
    let merged = ExecOptions::default().with_stderr(StderrMode::Merged);
    let o = run_one(local(command, &["n1"]).with_options(merged)).await;
    assert_eq!(
        (o.stdout_text().as_str(), o.stderr_text().as_str()),
        ("a\nb\nc\n", "")
    );
}

#[tokio::test]
async fn stdin_reaches_every_target_even_those_queued_by_the_fanout() {
    let nodes: Vec<String> = (1..=20).map(|i| format!("n{i}")).collect();
    let request = Request::new("cat; echo =%h", nodes, Transport::Local);
    let run = Executor::new(5).run(request).unwrap();
    run.write(&b"first\n"[..]).unwrap();
    let stdin = run.stdin();
    stdin.write(vec![0u8, 255, b'\n']).unwrap();
    stdin.close();
    assert!(matches!(run.write(&b"late"[..]), Err(Error::StdinClosed)));
    let all = collect(run).await;
    assert_eq!(all.len(), 20);
    for (node, o) in all {
        assert_eq!(
            o.stdout,
            [&b"first\n\x00\xff\n="[..], node.as_bytes(), b"\n"].concat()
        );
    }
}

#[tokio::test]
async fn null_stdin_ends_at_once() {
    let options = ExecOptions::default().with_stdin(StdinMode::Null);
    let run = Executor::default().run(local("cat; echo done", &["n1"]).with_options(options));
    // Nobody closes stdin: cat must still end.
    let all = tokio::time::timeout(Duration::from_secs(10), collect(run.unwrap()))
        .await
        .unwrap();
    assert_eq!(all["n1"].stdout_text(), "done\n");
}

#[tokio::test]
async fn keywords_are_substituted_and_hosts_runs_once() {
    let run = Executor::default()
        .run(local("echo %h %n %{rank} 100%%", &["a", "b", "c"]))
        .unwrap();
    run.close_stdin();
    let all = collect(run).await;
    assert_eq!(all["b"].stdout_text(), "b 1 1 100%\n");
    assert_eq!(all["c"].stdout_text(), "c 2 2 100%\n");

    let request = local("echo %hosts %h %n", &["n1", "n2", "n3"]).with_nodeset("n[1-3]");
    let run = Executor::default().run(request).unwrap();
    assert_eq!(run.targets().len(), 1);
    assert_eq!(run.targets()[0].nodes, 0..3);
    run.close_stdin();
    let all = collect(run).await;
    assert_eq!(all["n[1-3]"].stdout_text(), "n[1-3] n[1-3] 0\n");

    let err = Executor::default()
        .run(local("echo %hostname", &["n1"]))
        .unwrap_err();
    assert!(matches!(err, Error::Pattern { offset: 5, .. }), "{err}");
    assert!(matches!(
        Executor::default().run(local("true", &[])),
        Err(Error::NoTarget)
    ));
}

#[tokio::test]
async fn a_thousand_targets_never_exceed_the_fanout() {
    let dir = std::env::temp_dir().join(format!("cscomm-fanout-{}", marker()));
    std::fs::create_dir(&dir).unwrap();
    let d = dir.display();
    // Each process marks its presence, counts the marks, then leaves.
    let command = format!(": > {d}/%h; set -- {d}/*; echo $#; sleep 0.05; rm -f {d}/%h");
    let nodes: Vec<String> = (0..1000).map(|i| format!("n{i}")).collect();
    let started = Instant::now();
    let run = Executor::new(64)
        .run(Request::new(command, nodes, Transport::Local))
        .unwrap();
    run.close_stdin();
    let all = collect(run).await;
    let elapsed = started.elapsed();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(all.len(), 1000);
    let counts: Vec<usize> = all
        .values()
        .map(|o| o.stdout_text().trim().parse().unwrap())
        .collect();
    let max = counts.iter().copied().max().unwrap();
    assert!(all.values().all(|o| o.code() == Some(0)));
    assert!(max <= 64, "{max} processes at once");
    // Work really overlapped (1000 x 50 ms sleeps run mostly in parallel).
    assert!(max >= 16, "at most {max} at once: the fanout is not used");
    eprintln!("1000 targets at fanout 64: {elapsed:?}, at most {max} at once");
}

#[tokio::test]
async fn timeout_reports_the_node_and_kills_its_process_tree() {
    let m = marker();
    let command = format!(
        "{} & printf 'line\\npartial'; {}",
        marked_sleep(&format!("{m}1")),
        marked_sleep(&format!("{m}2"))
    );
    let options = ExecOptions::default().with_timeout(Some(Duration::from_secs(1)));
    let quick = local("echo quick", &["q"]).with_options(options.clone());
    let slow = local(&command, &["slow"]).with_options(options);
    let (slow, quick) = tokio::join!(run_one(slow), run_one(quick));
    assert!(slow.timed_out && slow.exit.is_none());
    let lines = shape(&slow.stdout_lines);
    assert_eq!(
        lines,
        [
            (b"line".to_vec(), LineEnd::Newline),
            (b"partial".to_vec(), LineEnd::Eof)
        ]
    );
    assert_eq!(quick.code(), Some(0));
    assert!(!quick.timed_out);
    assert_eq!(
        wait_no_process(&m, Duration::from_secs(2)).await,
        Vec::<u32>::new()
    );
}

async fn start_marked_run(m: &str, targets: usize) -> cscomm_ssh::Run {
    let command = format!("{} & {}", marked_sleep(m), marked_sleep(m));
    let nodes: Vec<String> = (0..targets).map(|i| format!("n{i}")).collect();
    let mut run = Executor::default()
        .run(Request::new(command, nodes, Transport::Local))
        .unwrap();
    for _ in 0..targets {
        assert_eq!(run.next_event().await.unwrap().kind, EventKind::Started);
    }
    // Each target: its background sleep and its foreground sleep (and the
    // shell, unless it replaced itself with the last command).
    let deadline = Instant::now() + Duration::from_secs(5);
    while processes_with(m).len() < 2 * targets && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(processes_with(m).len() >= 2 * targets);
    run
}

#[tokio::test]
async fn abort_kills_every_group_and_reaps() {
    let m = marker();
    let mut run = start_marked_run(&m, 10).await;
    let groups: Vec<u32> = processes_with(&m)
        .iter()
        .filter_map(|p| stat_of(*p))
        .map(|s| s.2)
        .collect();
    run.abort();
    // No more events for aborted targets; the stream ends once all are reaped.
    let end = tokio::time::timeout(Duration::from_secs(5), run.next_event())
        .await
        .unwrap();
    assert_eq!(end, None);
    assert_eq!(
        wait_no_process(&m, Duration::from_secs(2)).await,
        Vec::<u32>::new()
    );
    // Our children (the group leaders) are reaped: not even zombies remain.
    assert_eq!(children_in_groups(&groups), Vec::new());
}

#[tokio::test]
async fn dropping_the_run_kills_everything() {
    let m = marker();
    let run = start_marked_run(&m, 5).await;
    drop(run);
    assert_eq!(
        wait_no_process(&m, Duration::from_secs(3)).await,
        Vec::<u32>::new()
    );
}

#[tokio::test]
async fn a_node_killed_mid_output_reports_the_signal() {
    let m = marker();
    let command = format!("while :; do echo 0123456789; done # {m}");
    let mut run = Executor::default().run(local(&command, &["n1"])).unwrap();
    run.close_stdin();
    let mut lines = 0;
    let mut exit = None;
    while let Some(event) = run.next_event().await {
        match event.kind {
            EventKind::Stdout(line) => {
                lines += 1;
                if line.end == LineEnd::Newline {
                    assert_eq!(&line.bytes[..], b"0123456789");
                }
                if lines == 1000 {
                    for pid in processes_with(&m) {
                        std::process::Command::new("kill")
                            .args(["-9", &pid.to_string()])
                            .status()
                            .unwrap();
                    }
                }
            }
            EventKind::Exited(e) => exit = Some(e),
            _ => {}
        }
    }
    let exit = exit.unwrap();
    assert_eq!((exit.code, exit.signal), (137, Some(9)));
    assert!(lines >= 1000);
}

#[tokio::test]
async fn a_missing_program_is_a_clear_failure() {
    let ssh = cscomm_ssh::SshOptions::default().with_path("/nonexistent/bin/ssh");
    let run = Executor::default()
        .run(Request::new("true", ["n1"], Transport::Ssh(ssh)))
        .unwrap();
    let all = collect(run).await;
    let exit = all["n1"].exit.clone().unwrap();
    assert_eq!(exit.code, 255);
    match exit.failure {
        Some(cscomm_ssh::Failure::Spawn { program, kind, .. }) => {
            assert_eq!(program, "/nonexistent/bin/ssh");
            assert_eq!(kind, std::io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
}
