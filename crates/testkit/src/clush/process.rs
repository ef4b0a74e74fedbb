//! Running one command under a deadline, in its own process group, with
//! stdin fed and both outputs collected.

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What a finished (or killed) command left behind.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status (killed by SIGKILL when it timed out).
    pub status: ExitStatus,
    /// All it wrote on standard output.
    pub stdout: Vec<u8>,
    /// All it wrote on standard error.
    pub stderr: Vec<u8>,
    /// How long it ran.
    pub elapsed: Duration,
    /// Whether the deadline killed it.
    pub timed_out: bool,
}

/// Runs `cmd` with `stdin` as its input (`None`: `/dev/null`), killing its
/// whole process group when it is still running at `timeout`. The group
/// is killed once it exits too, so nothing it left behind (ssh clients)
/// keeps running.
///
/// # Panics
/// When the program cannot be started at all.
pub fn run_with_deadline(mut cmd: Command, stdin: Option<Vec<u8>>, timeout: Duration) -> Finished {
    let started = Instant::now();
    cmd.process_group(0)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program()));
    let writer = stdin.and_then(|data| {
        let mut pipe = child.stdin.take()?;
        // The command may stop reading early; its output tells why.
        Some(std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        }))
    });
    let stdout = collect(child.stdout.take());
    let stderr = collect(child.stderr.take());
    let (status, timed_out) = wait_until(&mut child, started + timeout);
    // Helpers the command left in its group (its ssh clients) go too, so
    // that the pipes close and the readers finish.
    kill_group(child.id());
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    Finished {
        status,
        stdout: join(stdout),
        stderr: join(stderr),
        elapsed: started.elapsed(),
        timed_out,
    }
}

fn collect<R: Read + Send + 'static>(pipe: Option<R>) -> Option<JoinHandle<Vec<u8>>> {
    let mut pipe = pipe?;
    Some(std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    }))
}

fn join(reader: Option<JoinHandle<Vec<u8>>>) -> Vec<u8> {
    reader.and_then(|r| r.join().ok()).unwrap_or_default()
}

/// Waits for the child; at the deadline kills its group and reaps it.
fn wait_until(child: &mut Child, deadline: Instant) -> (ExitStatus, bool) {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return (status, false),
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(None) => {
                kill_group(child.id());
                let status = child.wait().unwrap_or(ExitStatus::from_raw(9));
                return (status, true);
            }
            Err(e) => panic!("cannot wait for a child process: {e}"),
        }
    }
}

/// Sends SIGKILL to the process group `pgid` (our child's own group).
fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_and_status_are_collected() {
        let mut cmd = Command::new("/bin/sh");
        cmd.args(["-c", "cat; echo err >&2; exit 3"]);
        let done = run_with_deadline(cmd, Some(b"in\n".to_vec()), Duration::from_secs(10));
        assert_eq!(done.status.code(), Some(3));
        assert_eq!(done.stdout, b"in\n");
        assert_eq!(done.stderr, b"err\n");
        assert!(!done.timed_out);
    }

    #[test]
    fn deadline_kills_the_whole_group() {
        let mut cmd = Command::new("/bin/sh");
        // The background sleep keeps stdout open: only a group kill ends it.
        cmd.args(["-c", "sleep 30 & echo started; wait"]);
        let done = run_with_deadline(cmd, None, Duration::from_millis(300));
        assert!(done.timed_out);
        assert_eq!(done.status.code(), None);
        assert_eq!(done.stdout, b"started\n");
        assert!(done.elapsed < Duration::from_secs(10), "{:?}", done.elapsed);
    }
}
