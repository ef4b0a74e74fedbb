//! One child process in its own process group, with its pipes.

use std::os::fd::OwnedFd;
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Stdio};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::net::unix::pipe;
use tokio::process::{Child, ChildStdin};

use crate::{Exit, StderrMode, StdinMode};

/// A running child, leader of its own process group.
///
/// The group is killed (SIGKILL) when the value is dropped before the child
/// was reaped: the leader is then at most a zombie, so its pid, which is the
/// group id, cannot have been reused by another process.
#[derive(Debug)]
pub(crate) struct Process {
    child: Child,
    pgid: Option<Pid>,
    reaped: bool,
}

/// Our ends of a child's standard streams.
#[derive(Debug)]
pub(crate) struct Pipes {
    /// Its standard input, when piped.
    pub(crate) stdin: Option<ChildStdin>,
    /// Its standard output (and error, when merged).
    pub(crate) stdout: pipe::Receiver,
    /// Its standard error, when separate.
    pub(crate) stderr: Option<pipe::Receiver>,
}

/// A pipe whose write end goes to the child (blocking, as programs expect)
/// and whose read end stays here (non-blocking, on tokio).
fn output_pipe() -> std::io::Result<(OwnedFd, pipe::Receiver)> {
    let (tx, rx) = pipe::pipe()?;
    Ok((tx.into_blocking_fd()?, rx))
}

impl Process {
    /// Starts `argv` in a new process group, standard output (and error,
    /// unless merged into it) on pipes read here.
    pub(crate) fn spawn(
        argv: &[String],
        stderr: StderrMode,
        stdin: StdinMode,
    ) -> std::io::Result<(Self, Pipes)> {
        let (program, args) = argv.split_first().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "empty command")
        })?;
        let (out_fd, stdout) = output_pipe()?;
        let (err_stdio, stderr) = match stderr {
            StderrMode::Merged => (Stdio::from(out_fd.try_clone()?), None),
            StderrMode::Separate => {
                let (fd, rx) = output_pipe()?;
                (Stdio::from(fd), Some(rx))
            }
        };
        let stdin_stdio = match stdin {
            StdinMode::Piped => Stdio::piped(),
            StdinMode::Null => Stdio::null(),
        };
        let mut command = tokio::process::Command::new(program);
        command
            .args(args)
            .stdin(stdin_stdio)
            .stdout(Stdio::from(out_fd))
            .stderr(err_stdio)
            .process_group(0);
        let mut child = command.spawn()?;
        // The command holds our copies of the write ends: close them now so
        // the pipes report end of file when the child's side closes.
        drop(command);
        let pgid = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .map(Pid::from_raw);
        let pipes = Pipes {
            stdin: child.stdin.take(),
            stdout,
            stderr,
        };
        let process = Process {
            child,
            pgid,
            reaped: false,
        };
        Ok((process, pipes))
    }

    /// Sends SIGKILL to the whole process group, if the leader is not reaped yet.
    pub(crate) fn kill_group(&self) {
        if let (false, Some(pgid)) = (self.reaped, self.pgid) {
            // ESRCH: everything is gone already.
            let _ = killpg(pgid, Signal::SIGKILL);
        }
    }

    /// The process group, while its leader is not reaped (to signal it
    /// from elsewhere with [`terminate_group`]).
    pub(crate) fn group(&self) -> Option<Pid> {
        self.pgid.filter(|_| !self.reaped)
    }

    /// Waits for the child to end and reaps it.
    pub(crate) async fn wait(&mut self) -> std::io::Result<ExitStatus> {
        let status = self.child.wait().await?;
        self.reaped = true;
        Ok(status)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Dropped unreaped: a run was aborted or dropped. tokio reaps the
        // child in the background once it is dead.
        self.kill_group();
    }
}

/// Sends SIGTERM to a process group whose leader is not reaped yet (the
/// caller makes sure of that).
pub(crate) fn terminate_group(pgid: Pid) {
    // ESRCH: everything is gone already.
    let _ = killpg(pgid, Signal::SIGTERM);
}

/// ClusterShell's view of a wait status: the exit code, or 128 + the signal.
pub(crate) fn exit_of(status: ExitStatus) -> Exit {
    let signal = status.signal();
    let code = status.code().or(signal.map(|s| 128 + s)).unwrap_or(255);
    Exit {
        code,
        signal,
        failure: None,
    }
}
