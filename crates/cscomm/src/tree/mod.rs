//! Running one command on a node set through the propagation tree: the
//! logic ClusterShell's `TreeWorker` has, shared by the gateway runtime
//! (which runs what its parent asks) and the initiator (the admin node).
//!
//! Targets the topology puts behind a gateway are sent to that gateway over
//! a channel; the others run directly, over ssh or locally. Every node's
//! output, exit code or timeout comes out of [`TreeRun::next_event`] in
//! order for that node.

mod blocking;
mod conf;
mod copy;
mod direct;
mod driver;
mod event;
mod flow;
mod link;
mod options;
mod replay;

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::{mpsc, watch};

use driver::Driver;

pub use blocking::{NodeResult, TreeResult, run_blocking};
pub use conf::{load_topology, parse_topology};
pub use copy::{CopyError, CopyRequest, CopyRun, RcopyRequest};
pub use cscomm_message::NodeSet;
pub use driver::MAX_LINE_LENGTH;
pub use event::TreeEvent;
pub use link::EX_PROTOCOL;
pub use options::TreeOptions;

/// Events buffered between a run and its consumer before producers wait.
const EVENT_QUEUE: usize = 128;

/// A command running on a node set; dropping it kills everything it started.
#[derive(Debug)]
pub struct TreeRun {
    events: mpsc::Receiver<TreeEvent>,
    handle: TreeHandle,
}

/// Writes to, closes the input of, or aborts a [`TreeRun`] from elsewhere
/// (cheap to clone; the run's events stay with the [`TreeRun`]).
#[derive(Debug, Clone)]
pub struct TreeHandle {
    control: mpsc::UnboundedSender<Control>,
    abort: Arc<watch::Sender<bool>>,
    /// What [`TreeHandle::write_all`] has in flight.
    window: Arc<flow::Window>,
}

impl TreeHandle {
    /// Writes `data` to the standard input of every target.
    pub fn write(&self, data: impl Into<Bytes>) {
        let _ = self.control.send(Control::Write(data.into()));
    }

    /// Writes `data` to the standard input of every target, with flow
    /// control: first waits while more than a few MiB written this way
    /// are not yet taken by every started target (a direct process's
    /// pipe, a gateway's acknowledgement). Targets still queued by the
    /// fanout get everything from the start without holding the writer
    /// (their copy grows meanwhile, as in ClusterShell).
    pub async fn write_all(&self, data: impl Into<Bytes>) {
        self.write_within(data.into(), flow::STDIN_WINDOW).await;
    }

    /// [`TreeHandle::write_all`] with a window of `window` bytes.
    async fn write_within(&self, data: Bytes, window: usize) {
        self.window.below(window).await;
        self.write(self.window.track(data));
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

#[derive(Debug, Clone)]
enum Control {
    Write(Bytes),
    Eof,
}

impl TreeRun {
    /// Starts `command` on `targets`: through the gateways the topology of
    /// `options` puts in front of them, the others directly. Must be called
    /// within a tokio runtime.
    ///
    /// # Errors
    /// When the topology is not a tree or does not hold `options.root`
    /// ([`Error::Topology`](crate::Error::Topology)), or the transport
    /// refuses the command (a bad `%` keyword, ssh options that do not split).
    pub fn start(
        command: &str,
        targets: &NodeSet,
        options: TreeOptions,
    ) -> Result<Self, crate::Error> {
        let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
        let (control, control_rx) = mpsc::unbounded_channel();
        let (abort, abort_rx) = watch::channel(false);
        let mut driver = Driver::new(command, options, events_tx, abort_rx)?;
        driver.launch(targets)?;
        tokio::spawn(driver.drive(control_rx));
        Ok(TreeRun {
            events,
            handle: TreeHandle {
                control,
                abort: Arc::new(abort),
                window: Arc::default(),
            },
        })
    }

    /// The next event; `None` once every target has ended (or after
    /// [`TreeRun::abort`]).
    pub async fn next_event(&mut self) -> Option<TreeEvent> {
        self.events.recv().await
    }

    /// [`TreeRun::next_event`] as a poll, for a runtime that polls many
    /// runs itself.
    pub fn poll_next_event(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<TreeEvent>> {
        self.events.poll_recv(cx)
    }

    /// A handle to control the run from elsewhere.
    pub fn handle(&self) -> TreeHandle {
        self.handle.clone()
    }

    /// Writes `data` to the standard input of every target.
    pub fn write(&self, data: impl Into<Bytes>) {
        self.handle.write(data);
    }

    /// Closes every target's standard input once what was written is sent.
    pub fn close_stdin(&self) {
        self.handle.close_stdin();
    }

    /// Kills everything the run started; no further event is reported.
    pub fn abort(&self) {
        self.handle.abort();
    }
}

impl Drop for TreeRun {
    fn drop(&mut self) {
        self.abort();
    }
}
