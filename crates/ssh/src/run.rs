//! Running one command on many targets, with a fanout.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use crate::budget::{self, EventReceiver, EventSender};
use crate::node::{TargetIo, TargetSpec, aborted, run_target};
use crate::pattern::runs_once_for_all;
use crate::stdin::{RunStdin, StdinSource};
use crate::{DEFAULT_FANOUT, Error, Event, ExecOptions, StdinMode, Transport};

/// A command to run on a list of nodes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Request {
    /// The command line (a shell command on the target).
    pub command: String,
    /// The target node names, in rank order.
    pub nodes: Vec<String>,
    /// The folded node set text (`node[1-3]`) for `%hosts`, and the key of
    /// the single target such a command gets; the names joined with `,`
    /// when absent.
    pub nodeset: Option<String>,
    /// How the nodes are reached.
    pub transport: Transport,
    /// Output handling, timeout, buffering.
    pub options: ExecOptions,
}

impl Request {
    /// A request with default options.
    pub fn new<I, S>(command: impl Into<String>, nodes: I, transport: Transport) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Request {
            command: command.into(),
            nodes: nodes.into_iter().map(Into::into).collect(),
            nodeset: None,
            transport,
            options: ExecOptions::default(),
        }
    }

    /// Sets [`Request::options`].
    pub fn with_options(mut self, options: ExecOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets [`Request::nodeset`].
    pub fn with_nodeset(mut self, nodeset: impl Into<String>) -> Self {
        self.nodeset = Some(nodeset.into());
        self
    }
}

/// One process of a run: one node, or every node for a local command
/// naming `%hosts` (run once, as ClusterShell does).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Target {
    /// The node name (or node set text) that `%h` stands for and that ssh
    /// connects to.
    pub key: Arc<str>,
    /// What `%n`/`%rank` stands for: the node's index, 0 for a `%hosts` target.
    pub rank: usize,
    /// The indices of the nodes it stands for in [`Request::nodes`].
    pub nodes: Range<usize>,
}

/// Starts runs with a shared fanout: at most that many processes at once
/// across all runs of this executor, the others queued in order.
#[derive(Debug, Clone)]
pub struct Executor {
    fanout: Option<Arc<Semaphore>>,
}

impl Default for Executor {
    /// ClusterShell's default fanout, 64.
    fn default() -> Self {
        Executor::new(DEFAULT_FANOUT)
    }
}

impl Executor {
    /// An executor running at most `fanout` processes at once (at least 1).
    pub fn new(fanout: usize) -> Self {
        let fanout = fanout.clamp(1, Semaphore::MAX_PERMITS);
        Executor {
            fanout: Some(Arc::new(Semaphore::new(fanout))),
        }
    }

    /// An executor without limit (what ClusterShell uses for gateway channels).
    pub fn unlimited() -> Self {
        Executor { fanout: None }
    }

    /// Starts `request`: targets begin as the fanout allows, their events
    /// come from [`Run::next_event`]. Must be called within a tokio runtime.
    ///
    /// Errors come from the request itself (a bad `%` keyword, unsplittable
    /// ssh options, no node); a node that fails reports it in its events.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use cscomm_ssh::{EventKind, Executor, Request, Transport};
    /// let request = Request::new("echo hello from %h", ["n1", "n2"], Transport::Local);
    /// let mut run = Executor::default().run(request).unwrap();
    /// run.close_stdin();
    /// let mut lines = Vec::new();
    /// while let Some(event) = run.next_event().await {
    ///     if let EventKind::Stdout(line) = event.kind {
    ///         lines.push(format!("{}: {}", event.key, String::from_utf8_lossy(&line.bytes)));
    ///     }
    /// }
    /// lines.sort();
    /// assert_eq!(lines, ["n1: hello from n1", "n2: hello from n2"]);
    /// # }
    /// ```
    pub fn run(&self, request: Request) -> Result<Run, Error> {
        let plan = Plan::new(request)?;
        let (events_tx, events) = budget::channel(plan.request.options.buffer_bytes);
        let (abort, abort_rx) = watch::channel(false);
        let stdin = RunStdin::default();
        let sources: Vec<StdinSource> = plan
            .targets
            .iter()
            .map(|_| match plan.request.options.stdin {
                StdinMode::Piped => StdinSource::Broadcast(stdin.reader()),
                StdinMode::Null => StdinSource::Null,
            })
            .collect();
        let plan = Arc::new(plan);
        let scheduler = schedule(
            plan.clone(),
            self.fanout.clone(),
            sources,
            events_tx,
            abort_rx,
        );
        tokio::spawn(scheduler);
        Ok(Run {
            plan,
            events,
            stdin,
            abort,
        })
    }
}

/// A request checked and cut into targets.
#[derive(Debug)]
struct Plan {
    request: Request,
    targets: Vec<Target>,
    options: Arc<ExecOptions>,
}

impl Plan {
    fn new(request: Request) -> Result<Plan, Error> {
        if request.nodes.is_empty() {
            return Err(Error::NoTarget);
        }
        let local = !request.transport.is_remote();
        let targets = if local && runs_once_for_all(&request.command) {
            let key = match &request.nodeset {
                Some(set) => set.clone(),
                None => request.nodes.join(","),
            };
            vec![Target {
                key: key.into(),
                rank: 0,
                nodes: 0..request.nodes.len(),
            }]
        } else {
            let nodes = request.nodes.iter().enumerate();
            nodes
                .map(|(rank, node)| Target {
                    key: node.as_str().into(),
                    rank,
                    nodes: rank..rank + 1,
                })
                .collect()
        };
        // Every target's command is built the same way: checking one finds
        // any error of the command or of the ssh options before starting.
        request
            .transport
            .argv(&targets[0].key, 0, &request.command)?;
        let options = Arc::new(request.options.clone());
        Ok(Plan {
            request,
            targets,
            options,
        })
    }

    fn spec(&self, index: usize) -> TargetSpec {
        let target = &self.targets[index];
        let argv = self
            .request
            .transport
            .argv(&target.key, target.rank, &self.request.command);
        TargetSpec {
            target: index,
            key: target.key.clone(),
            argv: argv.map_err(|e| e.to_string()),
            options: self.options.clone(),
            remote: self.request.transport.is_remote(),
        }
    }
}

/// Starts targets in order as the fanout lets them in.
async fn schedule(
    plan: Arc<Plan>,
    fanout: Option<Arc<Semaphore>>,
    sources: Vec<StdinSource>,
    events: EventSender<Event>,
    mut abort: watch::Receiver<bool>,
) {
    for (index, stdin) in sources.into_iter().enumerate() {
        let permit: Option<OwnedSemaphorePermit> = match &fanout {
            None => None,
            Some(sem) => tokio::select! {
                biased;
                () = aborted(&mut abort) => return,
                permit = sem.clone().acquire_owned() => match permit {
                    Ok(permit) => Some(permit),
                    Err(_) => return,
                },
            },
        };
        let io = TargetIo {
            events: events.clone(),
            abort: abort.clone(),
            terminate: None,
            stdin,
        };
        let spec = plan.spec(index);
        tokio::spawn(async move {
            run_target(spec, io).await;
            // The slot frees only once the process is reaped.
            drop(permit);
        });
    }
}

/// A command running on many targets: a stream of per-target events, their
/// standard input, and abort. Dropping it aborts the run.
#[derive(Debug)]
pub struct Run {
    plan: Arc<Plan>,
    events: EventReceiver<Event>,
    stdin: RunStdin,
    abort: watch::Sender<bool>,
}

impl Run {
    /// The next event of any target; `None` once every target has ended
    /// (or, after an abort, once everything is killed and reaped). Events of
    /// one target come in order: `Started`, output, then `Exited` or `TimedOut`.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// The run's processes, indexed by [`Event::target`].
    pub fn targets(&self) -> &[Target] {
        &self.plan.targets
    }

    /// The node names of the request.
    pub fn nodes(&self) -> &[String] {
        &self.plan.request.nodes
    }

    /// A handle to write to every target's standard input from elsewhere.
    pub fn stdin(&self) -> RunStdin {
        self.stdin.clone()
    }

    /// Writes to every target's standard input (see [`RunStdin::write`]).
    pub fn write(&self, data: impl Into<Bytes>) -> Result<(), Error> {
        self.stdin.write(data)
    }

    /// Closes every target's standard input after what was written.
    pub fn close_stdin(&self) {
        self.stdin.close();
    }

    /// Kills every process group of the run (SIGKILL) and starts no more.
    /// No further event is reported for the targets that were running.
    pub fn abort(&self) {
        self.abort.send_replace(true);
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        self.abort();
    }
}
