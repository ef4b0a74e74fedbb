//! Remote execution through the real OpenSSH client against a real sshd on
//! loopback (started by the test kit with throwaway keys).
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::time::Duration;

use common::*;
use cscomm_ssh::{
    EventKind, ExecOptions, Executor, Failure, LineEnd, OutputMode, Request, Session, SshFailure,
    SshOptions, StderrMode, Transport,
};
use cscomm_testkit::sshd::Sshd;

fn ssh() -> Transport {
    Transport::Ssh(SshOptions::default().with_options(Sshd::shared().ssh_options()))
}

async fn run(
    command: &str,
    nodes: &[&str],
    options: ExecOptions,
) -> std::collections::BTreeMap<String, Outcome> {
    let request = Request::new(command, nodes.iter().copied(), ssh()).with_options(options);
    let run = Executor::default().run(request).unwrap();
    run.close_stdin();
    collect(run).await
}

#[tokio::test]
async fn several_loopback_nodes_each_run_the_command() {
    let nodes = [
        "node1", "node2", "node3", "node4", "node5", "node6", "node7", "node8",
    ];
    // The server's own address is the third field of SSH_CONNECTION; `%h`
    // is not substituted in remote commands (ClusterShell does not either).
    let all = run(
        "set -- $SSH_CONNECTION; echo $3 %h; exit 3",
        &nodes,
        ExecOptions::default(),
    )
    .await;
    assert_eq!(all.len(), 8);
    for node in nodes {
        let addr = Sshd::shared().address_of(node).unwrap();
        let o = &all[node];
        assert_eq!(
            o.stdout_text(),
            format!("{addr} %h\n"),
            "{node}: {}",
            o.stderr_text()
        );
        assert_eq!(o.code(), Some(3));
        assert_eq!(o.exit.as_ref().unwrap().failure, None);
    }
}

#[tokio::test]
async fn bytes_are_exact_over_ssh() {
    let command = r"printf 'caf\351\r\n\n\377 x\r y\nno newline'; printf 'e\r\n' >&2";
    let all = run(command, &["node2"], ExecOptions::default()).await;
    let o = &all["node2"];
    let local = std::process::Command::new("/bin/sh")
        .args(["-c", command])
        .output()
        .unwrap();
    assert_eq!(o.stdout, local.stdout);
    assert_eq!(o.stderr, local.stderr);
    assert_eq!(o.stdout_lines.last().unwrap().end, LineEnd::Eof);
}

#[tokio::test]
async fn stderr_separate_or_merged_over_ssh() {
    let command = "echo a; echo b >&2; sleep 0.1; echo c";
    let all = run(command, &["node3"], ExecOptions::default()).await;
    assert_eq!(all["node3"].stdout_text(), "a\nc\n");
    assert_eq!(all["node3"].stderr_text(), "b\n");
    // Merged: one pipe for ssh's stdout and stderr (ordering between the
    // two remote streams is not preserved by ssh, hence the sleep above).
    let merged = ExecOptions::default().with_stderr(StderrMode::Merged);
    let all = run(command, &["node3"], merged).await;
    let mut text: Vec<String> = all["node3"]
        .stdout_text()
        .lines()
        .map(String::from)
        .collect();
    text[..2].sort();
    assert_eq!(text, ["a", "b", "c"]);
    assert_eq!(all["node3"].stderr_text(), "");
}

#[tokio::test]
async fn exit_codes_and_signals_over_ssh() {
    let all = run("exit 0", &["node1"], ExecOptions::default()).await;
    assert_eq!(all["node1"].code(), Some(0));
    let all = run("exit 42", &["node1"], ExecOptions::default()).await;
    assert_eq!(all["node1"].code(), Some(42));
    // A child of the remote shell killed by a signal: the shell reports
    // 128 + signal as its status, ssh passes it on.
    let all = run(
        "sh -c 'kill -TERM $$'; exit $?",
        &["node1"],
        ExecOptions::default(),
    )
    .await;
    assert_eq!(all["node1"].code(), Some(143));
    // The remote session's process itself killed by a signal: OpenSSH
    // exits 255 (and prints no diagnostic: no ssh failure is recognized).
    let all = run("kill -TERM $$", &["node1"], ExecOptions::default()).await;
    assert_eq!(all["node1"].code(), Some(255));
    assert_eq!(failure_kind(&all["node1"]), None);
}

#[tokio::test]
async fn stdin_reaches_every_node() {
    let nodes: Vec<String> = (1..=12).map(|i| format!("node{i}")).collect();
    let request = Request::new("cat", nodes.clone(), ssh());
    let run = Executor::new(4).run(request).unwrap();
    let payload: Vec<u8> = (0..200_000u32).map(|i| (i * 31 % 256) as u8).collect();
    for chunk in payload.chunks(7_000) {
        run.write(chunk.to_vec()).unwrap();
    }
    run.close_stdin();
    let options = run.targets().len();
    let all = collect(run).await;
    assert_eq!(all.len(), options);
    for node in &nodes {
        assert_eq!(all[node].stdout, payload, "{node}");
        assert_eq!(all[node].code(), Some(0));
    }
}

fn failure_kind(o: &Outcome) -> Option<SshFailure> {
    match &o.exit.as_ref()?.failure {
        Some(Failure::Ssh { kind, .. }) => Some(*kind),
        _ => None,
    }
}

#[tokio::test]
async fn failures_are_told_apart_and_do_not_disturb_other_nodes() {
    let sshd = Sshd::shared();
    let down = sshd.down_hosts()[0];
    let denied = sshd.denied_hosts()[0];
    let nodes = ["node1", down, denied, "no-such-host.invalid", "node2"];
    let all = run("echo ok", &nodes, ExecOptions::default()).await;
    assert_eq!(all["node1"].stdout_text(), "ok\n");
    assert_eq!(all["node2"].code(), Some(0));
    let expect = [
        (down, SshFailure::ConnectionRefused),
        (denied, SshFailure::PermissionDenied),
        ("no-such-host.invalid", SshFailure::UnknownHost),
    ];
    for (node, kind) in expect {
        let o = &all[node];
        assert_eq!(o.code(), Some(255), "{node}");
        assert_eq!(failure_kind(o), Some(kind), "{node}: {:?}", o.exit);
        // ssh's own message is still delivered as the node's stderr.
        assert!(!o.stderr.is_empty(), "{node}");
        assert_eq!(o.stdout_text(), "");
    }
    // The same with stderr merged into stdout.
    let merged = ExecOptions::default().with_stderr(StderrMode::Merged);
    let all = run("echo ok", &[down], merged).await;
    assert_eq!(
        failure_kind(&all[down]),
        Some(SshFailure::ConnectionRefused)
    );
    // A remote command exiting 255 by itself is not an ssh failure.
    let all = run(
        "echo remote >&2; exit 255",
        &["node1"],
        ExecOptions::default(),
    )
    .await;
    assert_eq!(all["node1"].code(), Some(255));
    assert_eq!(failure_kind(&all["node1"]), None);
}

#[tokio::test]
async fn a_missing_ssh_binary_is_a_spawn_failure() {
    let transport = Transport::Ssh(
        SshOptions::default()
            .with_path("/nonexistent/ssh -q")
            .with_options(Sshd::shared().ssh_options()),
    );
    let run = Executor::default()
        .run(Request::new("true", ["node1", "node2"], transport))
        .unwrap();
    let all = collect(run).await;
    for o in all.values() {
        let exit = o.exit.as_ref().unwrap();
        assert_eq!(exit.code, 255);
        assert!(
            matches!(
                &exit.failure,
                Some(Failure::Spawn {
                    kind: std::io::ErrorKind::NotFound,
                    ..
                })
            ),
            "{exit:?}"
        );
    }
}

#[tokio::test]
async fn a_remote_command_killed_mid_output() {
    let m = marker();
    let command = format!("while :; do echo 0123456789; done # {m}");
    let mut run = Executor::default()
        .run(Request::new(command, ["node4"], ssh()))
        .unwrap();
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
                if lines == 2000 {
                    // The remote shell runs on this machine: kill it there.
                    let remote: Vec<u32> = processes_with(&m)
                        .into_iter()
                        .filter(|p| is_remote_shell(*p))
                        .collect();
                    assert_eq!(remote.len(), 1, "{remote:?}");
                    std::process::Command::new("kill")
                        .args(["-9", &remote[0].to_string()])
                        .status()
                        .unwrap();
                }
            }
            EventKind::Exited(e) => exit = Some(e),
            _ => {}
        }
    }
    // OpenSSH reports a remote command killed by a signal with status 255
    // (it prints no diagnostic of its own, so no ssh failure is recognized).
    let exit = exit.unwrap();
    assert_eq!(exit.code, 255, "{exit:?}");
    assert_eq!(exit.failure, None);
    assert!(lines >= 2000);
}

/// Whether `pid` is the remote side (a shell run by sshd, not our ssh client).
fn is_remote_shell(pid: u32) -> bool {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    !cmdline.starts_with(b"ssh\0")
}

#[tokio::test]
async fn timeout_over_ssh_kills_the_client_and_the_remote_writer_ends() {
    let m = marker();
    // The remote loop keeps writing: once the connection is gone it dies of
    // SIGPIPE. (A remote process that never writes nor reads would outlive
    // the connection: sshd does not kill non-terminal sessions.)
    let command = format!("echo first; while :; do echo tick; sleep 0.05; done # {m}");
    let options = ExecOptions::default().with_timeout(Some(Duration::from_secs(3)));
    let all = run(&command, &["node5", "node6"], options).await;
    for o in all.values() {
        assert!(o.timed_out && o.exit.is_none());
        assert!(o.stdout_text().starts_with("first\ntick\n"));
    }
    assert_eq!(
        wait_no_process(&m, Duration::from_secs(5)).await,
        Vec::<u32>::new()
    );
}

#[tokio::test]
async fn a_session_over_ssh_streams_raw_chunks_both_ways() {
    let options = ExecOptions::default().with_stdout_mode(OutputMode::Chunks);
    let transport = ssh();
    let mut session = Session::spawn("gw1", "cat; echo bye >&2", &transport, &options).unwrap();
    let stdin = session.stdin();
    let payload: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let to_send = payload.clone();
    let writer = tokio::spawn(async move {
        for chunk in to_send.chunks(100_000) {
            stdin.write(chunk.to_vec()).await.unwrap();
        }
        stdin.close().await;
    });
    let o = collect_session(&mut session).await;
    writer.await.unwrap();
    assert_eq!(o.stdout.len(), payload.len());
    assert!(o.stdout == payload);
    assert_eq!(o.stderr_text(), "bye\n");
    assert_eq!(o.code(), Some(0));
}

#[tokio::test]
async fn a_session_to_a_down_gateway_fails_with_a_reason() {
    let down = Sshd::shared().down_hosts()[0];
    let mut session = Session::spawn(down, "cat", &ssh(), &ExecOptions::default()).unwrap();
    let o = collect_session(&mut session).await;
    assert_eq!(o.code(), Some(255));
    assert_eq!(failure_kind(&o), Some(SshFailure::ConnectionRefused));
}
