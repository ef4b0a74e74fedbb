//! Tree runs whose targets are all reached directly (no gateway).

use std::collections::BTreeMap;

use cscomm::tree::{TreeEvent, TreeOptions, TreeRun};

/// Per node: stdout lines, stderr lines, and how it ended.
#[derive(Debug, Default, PartialEq)]
struct NodeLog {
    stdout: Vec<Vec<u8>>,
    stderr: Vec<Vec<u8>>,
    end: Option<String>,
}

async fn collect(mut run: TreeRun) -> BTreeMap<String, NodeLog> {
    let mut logs: BTreeMap<String, NodeLog> = BTreeMap::new();
    while let Some(event) = run.next_event().await {
        let node = event
            .node()
            .expect("direct runs only report node events")
            .to_owned();
        let log = logs.entry(node).or_default();
        assert!(
            log.end.is_none(),
            "event after the end of a node: {event:?}"
        );
        match event {
            TreeEvent::Stdout { line, .. } => log.stdout.push(line.to_vec()),
            TreeEvent::Stderr { line, .. } => log.stderr.push(line.to_vec()),
            TreeEvent::Exit { code, .. } => log.end = Some(format!("exit {code}")),
            TreeEvent::Timeout { .. } => log.end = Some("timeout".into()),
            other => panic!("unexpected event {other:?}"),
        }
    }
    logs
}

fn local() -> TreeOptions {
    let mut options = TreeOptions::default();
    options.remote = false;
    options
}

fn nodes(names: &[&str]) -> cscomm::tree::NodeSet {
    cscomm::tree::NodeSet::from_names(names.iter().copied())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_targets_report_output_stderr_and_exit_codes() {
    let command = "printf 'out %h\\n\\377 raw\\r\\nlast'; echo err %h >&2; exit %n";
    let run = TreeRun::start(command, &nodes(&["n0", "n1", "n2"]), local()).unwrap();
    run.close_stdin();
    let logs = collect(run).await;
    assert_eq!(logs.len(), 3);
    for (rank, (node, log)) in logs.iter().enumerate() {
        assert_eq!(
            log.stdout,
            [
                format!("out {node}").into_bytes(),
                b"\xff raw\r".to_vec(),
                b"last".to_vec()
            ]
        );
        assert_eq!(log.stderr, [format!("err {node}").into_bytes()]);
        assert_eq!(log.end, Some(format!("exit {rank}")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merged_stderr_and_stdin_and_timeout() {
    let mut options = local();
    options.stderr = false;
    options.timeout = Some(1.0);
    let command = "read line; echo \"got $line\"; echo oops >&2; [ %h = slow ] && sleep 30; exit 0";
    let run = TreeRun::start(command, &nodes(&["fast", "slow"]), options).unwrap();
    run.write(&b"hello\n"[..]);
    run.close_stdin();
    let logs = collect(run).await;
    for log in logs.values() {
        assert_eq!(log.stdout, [b"got hello".to_vec(), b"oops".to_vec()]);
        assert!(log.stderr.is_empty());
    }
    assert_eq!(logs["fast"].end.as_deref(), Some("exit 0"));
    assert_eq!(logs["slow"].end.as_deref(), Some("timeout"));
}

/// A local command naming `%hosts` runs once; as in ClusterShell, each
/// node it stands for gets its output, in order, and its exit code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hosts_command_runs_once_and_reports_for_every_node() {
    let command = "echo %hosts; echo second; echo err >&2; exit 3";
    let run = TreeRun::start(command, &nodes(&["beta", "alpha"]), local()).unwrap();
    run.close_stdin();
    let logs = collect(run).await;
    assert_eq!(logs.keys().collect::<Vec<_>>(), ["alpha", "beta"]);
    for log in logs.values() {
        assert_eq!(log.stdout, [b"alpha,beta".to_vec(), b"second".to_vec()]);
        assert_eq!(log.stderr, [b"err".to_vec()]);
        assert_eq!(log.end.as_deref(), Some("exit 3"));
    }
    let mut options = local();
    options.timeout = Some(0.5);
    let run = TreeRun::start("sleep 30 # %hosts", &nodes(&["n1", "n2"]), options).unwrap();
    run.close_stdin();
    let ends: Vec<_> = collect(run).await.into_values().map(|l| l.end).collect();
    assert_eq!(
        ends,
        [Some("timeout".to_owned()), Some("timeout".to_owned())]
    );
}
