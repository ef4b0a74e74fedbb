//! Driving one target's process from start to end.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::process::ChildStdin;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::budget::EventSender;
use crate::output::{OutputStream, Which};
use crate::process::{Pipes, Process, exit_of, terminate_group};
use crate::stdin::StdinSource;
use crate::{Event, EventKind, ExecOptions, Exit, Failure, StderrMode, failure};

/// What to run for one target.
#[derive(Debug)]
pub(crate) struct TargetSpec {
    pub(crate) target: usize,
    pub(crate) key: Arc<str>,
    /// The argument vector, or why it could not be built.
    pub(crate) argv: Result<Vec<String>, String>,
    pub(crate) options: Arc<ExecOptions>,
    /// Whether the program is the ssh client (its diagnostics are recognized).
    pub(crate) remote: bool,
}

/// How one target's task talks to the rest of the run.
#[derive(Debug)]
pub(crate) struct TargetIo {
    pub(crate) events: EventSender<Event>,
    pub(crate) abort: watch::Receiver<bool>,
    /// Asks for SIGTERM (a session's [`terminate`](crate::Session::terminate)).
    pub(crate) terminate: Option<watch::Receiver<bool>>,
    pub(crate) stdin: StdinSource,
}

enum Outcome {
    Finished(std::io::Result<std::process::ExitStatus>),
    ConsumerGone,
    TimedOut,
    Aborted,
}

/// Resolves when the run is aborted or its handle dropped.
pub(crate) async fn aborted(abort: &mut watch::Receiver<bool>) {
    let _ = abort.wait_for(|aborted| *aborted).await;
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Hands one event of this target over; `false` when the consumer is gone.
async fn emit(spec: &TargetSpec, events: &EventSender<Event>, kind: EventKind) -> bool {
    let event = Event {
        target: spec.target,
        key: spec.key.clone(),
        kind,
    };
    events.send(event, 0).await
}

/// Runs one target to its end: `Started`, its output, then `Exited` or
/// `TimedOut`. On abort the process group is killed and the child reaped,
/// and nothing more is reported.
pub(crate) async fn run_target(spec: TargetSpec, mut io: TargetIo) {
    let Some((mut process, pipes)) = start(&spec, &io.events).await else {
        return;
    };
    let options = &spec.options;
    let keep_stdout_tail = spec.remote && options.stderr == StderrMode::Merged;
    let mut out = OutputStream::new(
        Which::Stdout,
        options.stdout_mode,
        options,
        keep_stdout_tail,
    );
    let mut err = OutputStream::new(Which::Stderr, options.stderr_mode, options, spec.remote);
    let deadline = options.timeout.map(|t| Instant::now() + t);
    let stdin = std::mem::replace(&mut io.stdin, StdinSource::Null);
    // The child is reaped only inside `drive`, which ends the select at
    // once: the group is signalled only while its leader is unreaped.
    let terminator = terminate_on_request(process.group(), io.terminate.take());
    let outcome = tokio::select! {
        outcome = drive(&mut process, pipes, stdin, &mut out, &mut err, &spec, &io.events) => outcome,
        () = sleep_until(deadline) => Outcome::TimedOut,
        () = aborted(&mut io.abort) => Outcome::Aborted,
        never = terminator => match never {},
    };
    let events = &io.events;
    let report = async {
        match outcome {
            Outcome::Finished(status) => {
                let exit = finished_exit(status, &spec, &out, &err);
                emit(&spec, events, EventKind::Exited(exit)).await;
            }
            Outcome::TimedOut => {
                process.kill_group();
                let _ = process.wait().await;
                // Like ClusterShell: what was read before the timeout, even a
                // last partial line, is delivered; then the timeout.
                let _ = out.deliver(spec.target, &spec.key, events, true).await
                    && err.deliver(spec.target, &spec.key, events, true).await
                    && emit(&spec, events, EventKind::TimedOut).await;
            }
            Outcome::ConsumerGone | Outcome::Aborted => {}
        }
    };
    // Reporting waits for the consumer: an abort meanwhile cuts it short.
    tokio::select! {
        () = report => {}
        () = aborted(&mut io.abort) => {}
    }
    // Killing is a no-op once the child is reaped.
    process.kill_group();
    let _ = process.wait().await;
}

/// Sends SIGTERM to the group once asked; never completes.
async fn terminate_on_request(
    group: Option<nix::unistd::Pid>,
    request: Option<watch::Receiver<bool>>,
) -> Infallible {
    if let (Some(group), Some(mut request)) = (group, request) {
        if request.wait_for(|asked| *asked).await.is_ok() {
            terminate_group(group);
        }
    }
    std::future::pending().await
}

/// Starts the process and reports `Started`; a program that cannot be
/// started is reported as exit 255 with the reason, and gives `None`.
async fn start(spec: &TargetSpec, events: &EventSender<Event>) -> Option<(Process, Pipes)> {
    let started = match &spec.argv {
        Ok(argv) => {
            let options = &spec.options;
            let program = argv.first().cloned().unwrap_or_default();
            Process::spawn(argv, options.stderr, options.stdin).map_err(|e| (program, e))
        }
        Err(reason) => Err((String::new(), std::io::Error::other(reason.clone()))),
    };
    match started {
        Ok(started) => emit(spec, events, EventKind::Started)
            .await
            .then_some(started),
        Err((program, error)) => {
            let failure = Failure::Spawn {
                program,
                kind: error.kind(),
                message: error.to_string(),
            };
            let exit = Exit {
                code: 255,
                signal: None,
                failure: Some(failure),
            };
            if emit(spec, events, EventKind::Started).await {
                emit(spec, events, EventKind::Exited(exit)).await;
            }
            None
        }
    }
}

/// Reads both outputs to their end while feeding standard input, then reaps.
async fn drive(
    process: &mut Process,
    pipes: Pipes,
    stdin: StdinSource,
    out: &mut OutputStream,
    err: &mut OutputStream,
    spec: &TargetSpec,
    events: &EventSender<Event>,
) -> Outcome {
    let Pipes {
        stdin: child_stdin,
        stdout,
        stderr,
    } = pipes;
    let writer = async {
        feed_stdin(child_stdin, stdin).await;
        std::future::pending::<Infallible>().await
    };
    let readers = async {
        let stderr_done = async {
            match stderr {
                Some(pipe) => err.pump(pipe, spec.target, &spec.key, events).await,
                None => true,
            }
        };
        let (a, b) = tokio::join!(
            out.pump(stdout, spec.target, &spec.key, events),
            stderr_done
        );
        a && b
    };
    let consumer_alive = tokio::select! {
        alive = readers => alive,
        never = writer => match never {},
    };
    if !consumer_alive {
        return Outcome::ConsumerGone;
    }
    Outcome::Finished(process.wait().await)
}

/// Writes the input to the child until its end (then closes the pipe), or
/// until the child stops reading. Both ends are dropped on return.
async fn feed_stdin(child_stdin: Option<ChildStdin>, mut source: StdinSource) {
    let Some(mut pipe) = child_stdin else {
        return;
    };
    while let Some(chunk) = source.next().await {
        if write_chunk(&mut pipe, &chunk).await.is_err() {
            // EPIPE: the child closed its input; the rest is dropped.
            return;
        }
    }
}

async fn write_chunk(pipe: &mut ChildStdin, chunk: &Bytes) -> std::io::Result<()> {
    pipe.write_all(chunk).await?;
    pipe.flush().await
}

/// The exit report of a process that ended by itself.
fn finished_exit(
    status: std::io::Result<std::process::ExitStatus>,
    spec: &TargetSpec,
    out: &OutputStream,
    err: &OutputStream,
) -> Exit {
    let mut exit = match status {
        Ok(status) => exit_of(status),
        Err(_) => Exit {
            code: 255,
            signal: None,
            failure: None,
        },
    };
    if spec.remote && exit.code == 255 {
        let tail = match spec.options.stderr {
            StderrMode::Separate => err.tail(),
            StderrMode::Merged => out.tail(),
        };
        exit.failure = failure::classify(tail);
    }
    exit
}
