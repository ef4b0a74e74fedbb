//! One long-lived process exchanging a byte stream: a gateway channel.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use tokio::sync::{mpsc, watch};

use crate::budget::{self, EventReceiver};
use crate::node::{TargetIo, TargetSpec, run_target};
use crate::stdin::{StdinMessage, StdinSource};
use crate::{Error, Event, EventKind, ExecOptions, StdinMode, Transport};

/// Writes waiting in a session's input queue before `write` waits.
const STDIN_QUEUE: usize = 16;

/// One process (over ssh or local) with ordered, back-pressured standard
/// input and a stream of events: what a tree-mode channel to a gateway needs.
/// No fanout applies (ClusterShell does not count gateway channels either).
/// Dropping it kills the process group.
///
/// Typical use sets [`OutputMode::Chunks`](crate::OutputMode::Chunks) for
/// standard output (the channel's XML stream) and keeps standard error as lines.
///
/// Both directions are bounded: consume events while writing (from another
/// task, or in the same `select!` loop), or a process that blocks on its
/// output while its input is full would wait for each other forever.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use cscomm_ssh::{EventKind, ExecOptions, OutputMode, Session, Transport};
/// let options = ExecOptions::default().with_stdout_mode(OutputMode::Chunks);
/// let mut session = Session::spawn("gw1", "cat", &Transport::Local, &options).unwrap();
/// let stdin = session.stdin();
/// stdin.write(&b"<channel>"[..]).await.unwrap();
/// stdin.close().await;
/// let mut received = Vec::new();
/// while let Some(event) = session.next_event().await {
///     match event {
///         EventKind::StdoutChunk(bytes) => received.extend_from_slice(&bytes),
///         EventKind::Exited(exit) => assert_eq!(exit.code, 0),
///         _ => {}
///     }
/// }
/// assert_eq!(received, b"<channel>");
/// # }
/// ```
#[derive(Debug)]
pub struct Session {
    events: EventReceiver<Event>,
    stdin: SessionStdin,
    abort: watch::Sender<bool>,
    terminate: watch::Sender<bool>,
}

impl Session {
    /// Starts `command` on `host`: through ssh, or locally (`/bin/sh -c`,
    /// with `%h` standing for `host`). Must be called within a tokio runtime.
    /// Errors come from the command or ssh options; failing to start or to
    /// connect is reported as the exit event (code 255, with a failure).
    pub fn spawn(
        host: &str,
        command: &str,
        transport: &Transport,
        options: &ExecOptions,
    ) -> Result<Session, Error> {
        let argv = transport.argv(host, 0, command)?;
        let (events_tx, events) = budget::channel(options.buffer_bytes);
        let (abort, abort_rx) = watch::channel(false);
        let (terminate, terminate_rx) = watch::channel(false);
        let (tx, rx) = mpsc::channel(STDIN_QUEUE);
        let source = match options.stdin {
            StdinMode::Piped => StdinSource::Channel(rx),
            StdinMode::Null => StdinSource::Null,
        };
        let spec = TargetSpec {
            target: 0,
            key: host.into(),
            argv: Ok(argv),
            options: Arc::new(options.clone()),
            remote: transport.is_remote(),
        };
        let io = TargetIo {
            events: events_tx,
            abort: abort_rx,
            terminate: Some(terminate_rx),
            stdin: source,
        };
        tokio::spawn(run_target(spec, io));
        Ok(Session {
            events,
            stdin: SessionStdin {
                tx,
                closed: Arc::new(AtomicBool::new(false)),
            },
            abort,
            terminate,
        })
    }

    /// The next event: `Started`, output, then `Exited` or `TimedOut`;
    /// `None` after the last one (or after [`Session::kill`]).
    pub async fn next_event(&mut self) -> Option<EventKind> {
        self.events.recv().await.map(|event| event.kind)
    }

    /// A handle to write to the process's standard input (cheap to clone).
    pub fn stdin(&self) -> SessionStdin {
        self.stdin.clone()
    }

    /// Asks the process group to end (SIGTERM, once); events go on until
    /// its exit. [`Session::kill`] is the sure way.
    pub fn terminate(&self) {
        self.terminate.send_replace(true);
    }

    /// Kills the process group (SIGKILL); no further event is reported.
    pub fn kill(&self) {
        self.abort.send_replace(true);
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The writing side of a session's standard input; bytes arrive in order.
#[derive(Debug, Clone)]
pub struct SessionStdin {
    tx: mpsc::Sender<StdinMessage>,
    closed: Arc<AtomicBool>,
}

impl SessionStdin {
    /// Queues bytes for the process, waiting while the queue is full (the
    /// process does not read fast enough). Fails once the input is closed or
    /// the process no longer reads it.
    pub async fn write(&self, data: impl Into<Bytes>) -> Result<(), Error> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::StdinClosed);
        }
        let message = StdinMessage::Data(data.into());
        self.tx.send(message).await.map_err(|_| Error::StdinClosed)
    }

    /// Resolves once the process no longer reads its input: it closed it
    /// (a write failed with EPIPE), it ended, or the input was closed here.
    pub async fn closed(&self) {
        self.tx.closed().await;
    }

    /// Closes the process's standard input after the queued bytes.
    pub async fn close(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            let _ = self.tx.send(StdinMessage::Close).await;
        }
    }
}
