//! Golden comparisons with the real ClusterShell 1.10.1: the ssh argument
//! vector, option splitting, `%` keywords, and what its local and ssh
//! workers report (lines, exit codes, timeouts) for the same commands.
//! Each comparison runs one Python interpreter for all its cases.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::collect;
use cscomm_ssh::{ExecOptions, Executor, Request, SshOptions, Transport, split_words, substitute};
use cscomm_testkit::python::Python;
use cscomm_testkit::sshd::Sshd;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn unhex_str(text: &str) -> String {
    String::from_utf8(unhex(text)).unwrap()
}

/// An optional string as one field: `N` for None, `S<hex>` otherwise.
fn opt(value: Option<&str>) -> String {
    value.map_or("N".to_string(), |v| format!("S{}", hex(v.as_bytes())))
}

const ARGV_SCRIPT: &str = r#"
import sys
from ClusterShell.Worker.Ssh import SshClient

def field(f):
    return None if f == 'N' else bytes.fromhex(f[1:]).decode()

class Task:
    def __init__(self, info): self._info = info
    def info(self, key, default=None): return self._info.get(key, default)

class Worker: pass

for line in sys.stdin.read().splitlines():
    path, user, options, timeout, host, command = line.split('\t')
    info = {'connect_timeout': float(timeout)}
    for key, value in (('ssh_path', field(path)), ('ssh_user', field(user)), ('ssh_options', field(options))):
        if value is not None:
            info[key] = value
    client = SshClient.__new__(SshClient)
    client.worker = Worker()
    client.worker.task = Task(info)
    client.key = field(host)
    client.command = field(command)
    try:
        argv, _ = client._build_cmd()
        print('OK\t' + '\t'.join(a.encode().hex() for a in argv))
    except ValueError as error:
        print('ERR\t' + str(error).encode().hex())
"#;

#[test]
fn ssh_argv_matches_clustershell() {
    // (ssh_path, ssh_user, ssh_options, connect_timeout)
    type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, f64);
    let cases: Vec<Case> = vec![
        (None, None, None, 10.0),
        (None, None, None, 0.0),
        (None, Some("admin"), None, 2.9),
        (None, Some(""), Some(""), 0.5),
        (
            Some("/usr/bin/ssh -q"),
            None,
            Some("-p 2222 -oStrictHostKeyChecking=no"),
            10.0,
        ),
        (
            Some("~/bin/ssh"),
            None,
            Some("-i ~/.ssh/id_x -F '/a b/c'"),
            3.0,
        ),
        (
            Some("ssh"),
            Some("u"),
            Some(r#"-o "ProxyCommand=nc %h %p" -o'User=x y' a\ b"#),
            -1.0,
        ),
        (Some("ssh"), None, Some("-o 'unclosed"), 1.0),
        (Some("ssh"), None, Some("trailing\\"), 1.0),
        (
            Some("sshpass -p 'x y' ssh"),
            None,
            Some("-oBatchMode=no # not a comment"),
            100.7,
        ),
        (Some("ssh"), None, Some(r#"'' "" "a\"b\\c\d" '\n'"#), 1.0),
    ];
    let mut input = String::new();
    for (path, user, options, timeout) in &cases {
        let row = [
            opt(*path),
            opt(*user),
            opt(*options),
            timeout.to_string(),
            opt(Some("node1")),
            opt(Some("echo 'x' %h")),
        ];
        input.push_str(&row.join("\t"));
        input.push('\n');
    }
    let out = Python::clustershell().run_ok(ARGV_SCRIPT, &[], input.as_bytes());
    let out = String::from_utf8(out).unwrap();
    let answers: Vec<&str> = out.lines().collect();
    assert_eq!(answers.len(), cases.len());
    for ((path, user, options, timeout), answer) in cases.iter().zip(answers) {
        let mut ssh = SshOptions::default().with_connect_timeout(*timeout);
        ssh.path = path.map(String::from);
        ssh.user = user.map(String::from);
        ssh.options = options.map(String::from);
        let ours = ssh.argv("node1", "echo 'x' %h");
        let mut fields = answer.split('\t');
        match fields.next() {
            Some("OK") => {
                let theirs: Vec<String> = fields.map(unhex_str).collect();
                assert_eq!(ours.unwrap(), theirs, "{ssh:?}");
            }
            _ => {
                let reason = unhex_str(fields.next().unwrap());
                let err = ours.expect_err("ClusterShell refused it").to_string();
                assert!(err.contains(&reason), "{err} vs {reason}");
            }
        }
    }
}

const SPLIT_SCRIPT: &str = r#"
import sys, shlex
for line in sys.stdin.read().splitlines():
    try:
        words = shlex.split(bytes.fromhex(line).decode())
        print('OK\t%d' % len(words) + ''.join('\t' + w.encode().hex() for w in words))
    except ValueError as error:
        print('ERR\t' + str(error).encode().hex())
"#;

#[test]
fn word_splitting_matches_python_shlex() {
    let cases = [
        "",
        "   ",
        "a b\tc\nd\re",
        "'a b' \"c d\"",
        "a'b'c\"d\"e",
        "''",
        "\"\"",
        "a '' b",
        r"\ lead",
        r"a\ b",
        r"a\\b",
        r#""a\"b""#,
        r#""a\\b""#,
        r#""a\nb""#,
        r"'a\nb'",
        r#""$HOME \$x""#,
        "#comment",
        "a#b",
        "'unclosed",
        "\"unclosed",
        "end\\",
        "é ü 'ñ'",
        "\"'\"",
        "'\"'",
        r#"x"" y''"#,
    ];
    let input: String = cases
        .iter()
        .map(|c| format!("{}\n", hex(c.as_bytes())))
        .collect();
    let out = String::from_utf8(Python::clustershell().run_ok(SPLIT_SCRIPT, &[], input.as_bytes()))
        .unwrap();
    for (case, answer) in cases.iter().zip(out.lines()) {
        let mut fields = answer.split('\t');
        let ours = split_words(case);
        match fields.next() {
            Some("OK") => {
                let count: usize = fields.next().unwrap().parse().unwrap();
                let theirs: Vec<String> = fields.map(unhex_str).collect();
                assert_eq!(theirs.len(), count);
                assert_eq!(ours.unwrap(), theirs, "{case:?}");
            }
            _ => assert!(ours.is_err(), "{case:?}: Python refused it"),
        }
    }
}

const REPLACE_SCRIPT: &str = r#"
import sys
from ClusterShell.Worker.Exec import _replace_cmd
from ClusterShell.Worker.Worker import WorkerError
for line in sys.stdin.read().splitlines():
    pattern, node, rank = line.split('\t')
    try:
        print('OK\t' + _replace_cmd(bytes.fromhex(pattern).decode(), node, int(rank)).encode().hex())
    except WorkerError as error:
        print('ERR')
"#;

#[test]
fn keyword_substitution_matches_clustershell() {
    let cases = [
        "echo %h %host %hosts %n %rank",
        "%{h}%{host}x%{n}y",
        "100%%",
        "%%h",
        "%%%h",
        "%h.%n",
        "%hostname",
        "%H",
        "%x",
        "%",
        "a % b",
        "%{h",
        "%{}",
        "%{ h}",
        "%_",
        "%1",
        "%h_",
        "%n2",
        "é%hé",
        "%{hosts}",
        "%%{h}",
        "%rank%rank",
    ];
    let input: String = cases
        .iter()
        .map(|c| format!("{}\tnode7\t3\n", hex(c.as_bytes())))
        .collect();
    let out =
        String::from_utf8(Python::clustershell().run_ok(REPLACE_SCRIPT, &[], input.as_bytes()))
            .unwrap();
    for (case, answer) in cases.iter().zip(out.lines()) {
        let ours = substitute(case, "node7", 3);
        match answer.split_once('\t') {
            Some(("OK", value)) => assert_eq!(ours.unwrap(), unhex_str(value), "{case:?}"),
            _ => assert!(
                ours.is_err(),
                "{case:?}: ClusterShell refused it, we gave {ours:?}"
            ),
        }
    }
}

/// Runs each case with ClusterShell's own worker (local, or ssh) and prints
/// per node: its lines, exit code, or timeout.
const WORKER_SCRIPT: &str = r#"
import sys
from ClusterShell.Task import task_self
from ClusterShell.Event import EventHandler

task = task_self()
ssh_options = sys.argv[1]
if ssh_options:
    task.set_info('ssh_options', ssh_options)

class Handler(EventHandler):
    def __init__(self, case): self.case = case
    def ev_read(self, worker, node, sname, msg):
        print('%s\t%s\t%s\t%s' % (self.case, node, sname, msg.hex()))
    def ev_hup(self, worker, node, rc):
        print('%s\t%s\trc\t%d' % (self.case, node, rc))
    def ev_close(self, worker, timedout):
        for node in worker.iter_keys_timeout():
            print('%s\t%s\ttimeout\t' % (self.case, node))

for line in sys.stdin.read().splitlines():
    case, command, nodes, timeout = line.split('\t')
    timeout = float(timeout) if timeout else None
    task.shell(bytes.fromhex(command).decode(), nodes=nodes, remote=bool(ssh_options),
               handler=Handler(case), stderr=True, timeout=timeout, stdin=False)
task.run()
"#;

/// One node's stdout lines, stderr lines, then `rc N` or `timeout`.
type NodeReport = (Vec<Vec<u8>>, Vec<Vec<u8>>, String);
/// Per case, per node.
type Report = BTreeMap<(usize, String), NodeReport>;

/// A command, its nodes, its timeout.
type Case = (&'static str, &'static [&'static str], Option<f64>);

fn clustershell_report(cases: &[Case], ssh_options: &str) -> Report {
    let mut input = String::new();
    for (i, (command, nodes, timeout)) in cases.iter().enumerate() {
        let t = timeout.map(|t| t.to_string()).unwrap_or_default();
        input.push_str(&format!(
            "{i}\t{}\t{}\t{t}\n",
            hex(command.as_bytes()),
            nodes.join(",")
        ));
    }
    let out = Python::clustershell().run_ok(WORKER_SCRIPT, &[ssh_options], input.as_bytes());
    let mut report = Report::new();
    for line in String::from_utf8(out).unwrap().lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let entry = report
            .entry((f[0].parse().unwrap(), f[1].to_string()))
            .or_default();
        match f[2] {
            "stdout" => entry.0.push(unhex(f[3])),
            "stderr" => entry.1.push(unhex(f[3])),
            "rc" => entry.2 = format!("rc {}", f[3]),
            _ => entry.2 = "timeout".into(),
        }
    }
    report
}

/// Runs every case at once with our executor.
async fn our_report(cases: &[Case], transport: &Transport) -> Report {
    let mut tasks = Vec::new();
    for (i, (command, nodes, timeout)) in cases.iter().enumerate() {
        // ClusterShell's readers drop the `\r` of `\r\n`; so do we when asked.
        let options = ExecOptions::default()
            .with_strip_cr(true)
            .with_stdin(cscomm_ssh::StdinMode::Null)
            .with_timeout(timeout.map(Duration::from_secs_f64));
        // The caller folds node sets (this crate has no node set syntax).
        let folded = if nodes.len() == 3 { "n[1-3]" } else { nodes[0] };
        let request = Request::new(*command, nodes.iter().copied(), transport.clone())
            .with_options(options)
            .with_nodeset(folded);
        let run = Executor::default().run(request).unwrap();
        tasks.push(tokio::spawn(async move {
            let targets = run.targets().to_vec();
            let names: Vec<String> = run.nodes().to_vec();
            let mut report = Report::new();
            for (key, o) in collect(run).await {
                let target = targets.iter().find(|t| *t.key == *key).unwrap();
                let end = match &o.exit {
                    Some(exit) => format!("rc {}", exit.code),
                    None => "timeout".into(),
                };
                let lines = |ls: &[cscomm_ssh::Line]| {
                    ls.iter().map(|l| l.bytes.to_vec()).collect::<Vec<_>>()
                };
                // A `%hosts` target stands for all its nodes, as in ClusterShell.
                for node in &names[target.nodes.clone()] {
                    let value = (lines(&o.stdout_lines), lines(&o.stderr_lines), end.clone());
                    report.insert((i, node.clone()), value);
                }
            }
            report
        }));
    }
    let mut report = Report::new();
    for task in tasks {
        report.extend(task.await.unwrap());
    }
    report
}

/// ClusterShell's report (in a thread) and ours (meanwhile), compared.
async fn compare(cases: Vec<Case>, ssh_options: String, transport: Transport) {
    let python_cases = cases.clone();
    let theirs = std::thread::spawn(move || clustershell_report(&python_cases, &ssh_options));
    let ours = our_report(&cases, &transport).await;
    assert_same(&ours, &theirs.join().unwrap());
}

/// Compares two reports, showing only what differs (outputs can be large).
fn assert_same(ours: &Report, theirs: &Report) {
    let keys: std::collections::BTreeSet<_> = ours.keys().chain(theirs.keys()).collect();
    let short = |v: Option<&NodeReport>| {
        let text = format!("{v:?}");
        text.chars().take(300).collect::<String>()
    };
    let differ: Vec<String> = keys
        .into_iter()
        .filter(|k| ours.get(k) != theirs.get(k))
        .map(|k| {
            format!(
                "{k:?}:\n  ours   {}\n  theirs {}",
                short(ours.get(k)),
                short(theirs.get(k))
            )
        })
        .collect();
    assert!(differ.is_empty(), "reports differ:\n{}", differ.join("\n"));
    assert!(!ours.is_empty());
}

#[tokio::test]
async fn local_worker_reports_match_clustershell() {
    let three: &[&str] = &["n1", "n2", "n3"];
    let cases: Vec<Case> = vec![
        ("echo %h %n", three, None),
        ("echo %hosts %h", three, None),
        ("exit 5", &["n1"], None),
        ("kill -TERM $$", &["n1"], None),
        ("kill -KILL $$", &["n1"], None),
        (r"printf 'no final newline'", &["n1"], None),
        (r"printf '\377\376\n\n\nx\r\ny\n'", &["n1"], None),
        ("echo out; echo err >&2; echo out2", &["n1", "n2"], None),
        ("echo before; sleep 2", &["n1"], Some(1.0)),
        (
            "head -c 300000 /dev/zero | tr '\\0' a; echo; seq 1 3",
            &["n1"],
            None,
        ),
    ];
    compare(cases, String::new(), Transport::Local).await;
}

#[tokio::test]
async fn ssh_worker_reports_match_clustershell() {
    let sshd = Sshd::shared();
    let options = sshd.ssh_options();
    let down = sshd.down_hosts()[0];
    let denied = sshd.denied_hosts()[0];
    let mixed: &'static [&'static str] = Vec::leak(vec!["node1", down, denied]);
    let cases: Vec<Case> = vec![
        (
            "echo hello; echo err >&2; exit 4",
            &["node1", "node2", "node3"],
            None,
        ),
        ("echo ok", mixed, None),
        ("printf '\\377a\\r\\nb'", &["node4"], None),
        ("echo first; sleep 4", &["node5"], Some(3.0)),
        ("kill -TERM $$", &["node6"], None),
    ];
    let transport = Transport::Ssh(SshOptions::default().with_options(options.clone()));
    compare(cases, options, transport).await;
}
