//! Helpers shared by the integration tests: collecting a run's events per
//! target (checking their order), and looking for leftover processes.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use cscomm_ssh::{EventKind, Exit, Line, LineEnd, Run, Session};

/// Everything one target reported.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub stdout_lines: Vec<Line>,
    pub stderr_lines: Vec<Line>,
    pub exit: Option<Exit>,
    pub timed_out: bool,
    /// Whether the target reported the end of its stdout (chunk mode).
    pub stdout_ended: bool,
}

impl Outcome {
    pub fn code(&self) -> Option<i32> {
        self.exit.as_ref().map(|e| e.code)
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Tracks one target's events and checks they come in order.
#[derive(Default)]
struct Tracker {
    started: bool,
    ended: bool,
    outcome: Outcome,
}

impl Tracker {
    fn push(&mut self, who: &str, kind: EventKind) {
        assert!(!self.ended, "{who}: event after the last one: {kind:?}");
        if kind == EventKind::Started {
            assert!(!self.started, "{who}: started twice");
            self.started = true;
            return;
        }
        assert!(self.started, "{who}: {kind:?} before Started");
        let o = &mut self.outcome;
        match kind {
            EventKind::Stdout(line) => {
                o.stdout.extend(line.to_stream_bytes());
                o.stdout_lines.push(line);
            }
            EventKind::Stderr(line) => {
                o.stderr.extend(line.to_stream_bytes());
                o.stderr_lines.push(line);
            }
            EventKind::StdoutChunk(b) => o.stdout.extend_from_slice(&b),
            EventKind::StderrChunk(b) => o.stderr.extend_from_slice(&b),
            EventKind::StdoutEnd => {
                assert!(!o.stdout_ended, "{who}: StdoutEnd twice");
                o.stdout_ended = true;
            }
            EventKind::Exited(exit) => {
                o.exit = Some(exit);
                self.ended = true;
            }
            EventKind::TimedOut => {
                o.timed_out = true;
                self.ended = true;
            }
            other => panic!("{who}: unexpected event {other:?}"),
        }
    }
}

/// Consumes a run to its end; the outcome of every target by key. Panics
/// unless every target started and ended exactly once, in order.
pub async fn collect(mut run: Run) -> BTreeMap<String, Outcome> {
    let mut trackers: BTreeMap<String, Tracker> = BTreeMap::new();
    while let Some(event) = run.next_event().await {
        let key = event.key.to_string();
        assert_eq!(&*run.targets()[event.target].key, &*key);
        trackers
            .entry(key.clone())
            .or_default()
            .push(&key, event.kind);
    }
    assert_eq!(trackers.len(), run.targets().len(), "every target reports");
    trackers
        .into_iter()
        .map(|(k, t)| {
            assert!(t.ended, "{k}: no last event");
            (k, t.outcome)
        })
        .collect()
}

/// Consumes a session to its end.
pub async fn collect_session(session: &mut Session) -> Outcome {
    let mut tracker = Tracker::default();
    while let Some(kind) = session.next_event().await {
        tracker.push("session", kind);
    }
    assert!(tracker.ended, "session: no last event");
    tracker.outcome
}

/// A string unique to this test process and call, to find processes by.
pub fn marker() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("{}{:04}", std::process::id(), n)
}

/// A `sleep` whose command line carries `marker` (`sleep 3600.<marker>`).
pub fn marked_sleep(marker: &str) -> String {
    format!("sleep 3600.{marker}")
}

/// Pids of live processes whose command line contains `needle`.
pub fn processes_with(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if text.contains(needle) {
            found.push(pid);
        }
    }
    found
}

/// Waits until no live process carries `needle` (up to `limit`); the pids
/// still there otherwise.
pub async fn wait_no_process(needle: &str, limit: Duration) -> Vec<u32> {
    let deadline = Instant::now() + limit;
    loop {
        let left = processes_with(needle);
        if left.is_empty() || Instant::now() > deadline {
            for pid in &left {
                let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                eprintln!("left: {pid} {:?} {stat}", String::from_utf8_lossy(&cmd));
            }
            return left;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until some process carries `needle` (up to `limit`).
pub async fn wait_process(needle: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if !processes_with(needle).is_empty() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// (pid, state, parent pid, process group) of a live or zombie process.
pub fn stat_of(pid: u32) -> Option<(char, u32, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid pgrp ...; comm may hold spaces: split after ')'.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((state, ppid, pgrp))
}

/// Processes (zombies included) that are children of this process and
/// members of one of `groups`.
pub fn children_in_groups(groups: &[u32]) -> Vec<(u32, char)> {
    let me = std::process::id();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some((state, ppid, pgrp)) = stat_of(pid) {
            if ppid == me && groups.contains(&pgrp) {
                found.push((pid, state));
            }
        }
    }
    found
}

/// The lines of a stream as (bytes, end) pairs, for assertions.
pub fn shape(lines: &[Line]) -> Vec<(Vec<u8>, LineEnd)> {
    lines.iter().map(|l| (l.bytes.to_vec(), l.end)).collect()
}
