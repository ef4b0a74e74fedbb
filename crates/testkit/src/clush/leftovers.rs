//! Finding the processes a run left behind: gateways started through sshd
//! are not clush's children, but they (and the ssh clients they start)
//! inherit `CLUSTERSHELL_GW_LOG_DIR=<the run's private directory>`, which
//! nothing else on the machine carries.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Waits up to `grace` for every process marked with `log_dir` to exit,
/// then kills the rest (by pid) and describes them (`pid: command line`).
pub(crate) fn reap(log_dir: &Path, grace: Duration) -> Vec<String> {
    let marker = format!("CLUSTERSHELL_GW_LOG_DIR={}", log_dir.display());
    let deadline = Instant::now() + grace;
    loop {
        let alive = marked_processes(marker.as_bytes());
        if alive.is_empty() {
            return Vec::new();
        }
        if Instant::now() >= deadline {
            return alive.into_iter().map(|(pid, cmd)| kill(pid, cmd)).collect();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill(pid: u32, cmdline: String) -> String {
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    format!("{pid}: {cmdline}")
}

/// Live (not zombie) processes whose environment holds `marker` exactly.
fn marked_processes(marker: &[u8]) -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        if environ.split(|b| *b == 0).any(|var| var == marker) && !is_zombie(&entry.path()) {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            found.push((pid, cmdline.trim_end().to_string()));
        }
    }
    found
}

fn is_zombie(proc_dir: &Path) -> bool {
    let stat = std::fs::read_to_string(proc_dir.join("stat")).unwrap_or_default();
    // The state follows the parenthesised command name.
    stat.rsplit_once(") ")
        .is_some_and(|(_, rest)| rest.starts_with('Z') || rest.starts_with('X'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_process_is_found_then_killed() {
        let dir = std::env::temp_dir().join(format!("cscomm-leftover-{}", std::process::id()));
        let mut child = Command::new("sleep")
            .arg("30")
            .env("CLUSTERSHELL_GW_LOG_DIR", &dir)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start sleep: {e}"));
        // Wait for exec so /proc shows the new environment.
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            let cmd = std::fs::read(format!("/proc/{}/cmdline", child.id())).unwrap_or_default();
            if cmd.starts_with(b"sleep") {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let found = reap(&dir, Duration::from_millis(100));
        assert_eq!(found, [format!("{}: sleep 30", child.id())]);
        let status = child.wait().unwrap_or_else(|e| panic!("wait: {e}"));
        assert_eq!(status.code(), None, "killed by a signal");
        assert!(reap(&dir, Duration::ZERO).is_empty());
    }
}
