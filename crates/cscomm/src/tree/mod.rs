//! Running one command on a node set through the propagation tree: the
//! logic ClusterShell's `TreeWorker` has, shared by the gateway runtime
//! (which runs what its parent asks) and the initiator (the admin node).
//!
//! Targets the topology puts behind a gateway are sent to that gateway over
//! a channel; the others run directly, over ssh or locally. Every node's
//! output, exit code or timeout comes out of [`TreeRun::next_event`] in
//! order for that node.

mod direct;
mod event;
mod options;

use std::time::Duration;

use bytes::Bytes;
use cscomm_ssh::{ExecOptions, Executor, Request, StderrMode, Transport};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

pub use event::TreeEvent;
pub use options::TreeOptions;

/// Events buffered between a run and its consumer before producers wait.
const EVENT_QUEUE: usize = 1024;

/// The longest line delivered whole: the protocol cannot say "this line
/// continues", so lines are kept whole up to the wire codec's frame limit.
const MAX_LINE_LENGTH: usize = 64 << 20;

/// A command running on a node set; dropping it kills everything it started.
#[derive(Debug)]
pub struct TreeRun {
    events: mpsc::Receiver<TreeEvent>,
    control: mpsc::UnboundedSender<Control>,
    abort: watch::Sender<bool>,
}

#[derive(Debug)]
enum Control {
    Write(Bytes),
    Eof,
}

/// How one piece of a run ended, as the driver learns it.
enum Outcome {
    Done,
}

impl TreeRun {
    /// Starts `command` on `targets` (node names). Must be called within a
    /// tokio runtime.
    pub fn start(
        command: &str,
        targets: Vec<String>,
        options: TreeOptions,
    ) -> Result<Self, crate::Error> {
        let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
        let (control, control_rx) = mpsc::unbounded_channel();
        let (abort, abort_rx) = watch::channel(false);
        let mut driver = Driver {
            command: command.to_owned(),
            executor: Executor::new(options.fanout),
            options,
            events: events_tx,
            abort: abort_rx,
            pieces: JoinSet::new(),
            inputs: Vec::new(),
        };
        driver.launch(targets)?;
        tokio::spawn(driver.drive(control_rx));
        Ok(TreeRun {
            events,
            control,
            abort,
        })
    }

    /// The next event; `None` once every target has ended (or after
    /// [`TreeRun::abort`]).
    pub async fn next_event(&mut self) -> Option<TreeEvent> {
        self.events.recv().await
    }

    /// Writes `data` to the standard input of every target.
    pub fn write(&self, data: impl Into<Bytes>) {
        let _ = self.control.send(Control::Write(data.into()));
    }

    /// Closes every target's standard input once what was written is sent.
    pub fn close_stdin(&self) {
        let _ = self.control.send(Control::Eof);
    }

    /// Kills everything the run started; no further event is reported.
    pub fn abort(&self) {
        self.abort.send_replace(true);
    }
}

impl Drop for TreeRun {
    fn drop(&mut self) {
        self.abort();
    }
}

/// The task behind a [`TreeRun`]: launches pieces, relays control.
struct Driver {
    command: String,
    executor: Executor,
    options: TreeOptions,
    events: mpsc::Sender<TreeEvent>,
    abort: watch::Receiver<bool>,
    pieces: JoinSet<Outcome>,
    inputs: Vec<cscomm_ssh::RunStdin>,
}

impl Driver {
    /// Starts `targets`: directly for now (gateways come with the router).
    fn launch(&mut self, targets: Vec<String>) -> Result<(), crate::Error> {
        if targets.is_empty() {
            return Ok(());
        }
        let request = Request::new(&self.command, targets, self.direct_transport())
            .with_options(self.exec_options());
        let run = self.executor.run(request)?;
        self.inputs.push(run.stdin());
        let events = self.events.clone();
        let abort = self.abort.clone();
        self.pieces.spawn(async move {
            direct::forward(run, events, abort).await;
            Outcome::Done
        });
        Ok(())
    }

    fn direct_transport(&self) -> Transport {
        if self.options.remote && !self.options.local_workers {
            Transport::Ssh(self.options.ssh.clone())
        } else {
            Transport::Local
        }
    }

    fn exec_options(&self) -> ExecOptions {
        let stderr = if self.options.stderr {
            StderrMode::Separate
        } else {
            StderrMode::Merged
        };
        ExecOptions::default()
            .with_stderr(stderr)
            .with_timeout(self.options.timeout.map(Duration::from_secs_f64))
            .with_max_line_len(MAX_LINE_LENGTH)
    }

    async fn drive(mut self, mut control: mpsc::UnboundedReceiver<Control>) {
        let mut control_open = true;
        while !self.pieces.is_empty() {
            tokio::select! {
                message = control.recv(), if control_open => match message {
                    Some(message) => self.relay(message),
                    None => control_open = false,
                },
                Some(finished) = self.pieces.join_next() => self.finished(finished),
            }
        }
    }

    /// Takes note of a piece that ended.
    fn finished(&mut self, outcome: Result<Outcome, tokio::task::JoinError>) {
        match outcome {
            Ok(Outcome::Done) | Err(_) => {}
        }
    }

    fn relay(&mut self, message: Control) {
        for input in &self.inputs {
            match &message {
                Control::Write(data) => {
                    let _ = input.write(data.clone());
                }
                Control::Eof => input.close(),
            }
        }
    }
}
