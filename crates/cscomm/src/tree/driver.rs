//! The task behind a [`TreeRun`](super::TreeRun): routes targets, starts
//! the direct runs and the gateway links, relays standard input, and routes
//! again the targets of a gateway that failed before setup.
//!
//! Targets routed again get their whole input: what was written to the
//! run before (a copy's archive from its first byte, standard input, its
//! end) is kept while some gateway may still fail before setup, and sent
//! to the pieces they are launched in before anything newer
//! ([`replay`](super::replay)). ClusterShell sends standard input on only;
//! a copy's archive it makes and sends again, to every gateway.

use std::sync::Arc;
use std::time::Duration;

use cscomm_message::{NodeSet, Number, PickledTopology, ShellRequest};
use cscomm_ssh::{ExecOptions, Executor, Request, StderrMode, Transport};
use cscomm_topology::{NextHop, Route, Router};
use tokio::sync::{mpsc, watch};
use tokio::task::{self, JoinError, JoinSet};

use super::link::{self, LinkDeadlines, LinkEnd, LinkSpec};
use super::replay::{HISTORY_LIMIT, Replay};
use super::{Control, TreeEvent, TreeOptions, direct};

/// The longest line delivered whole; a longer one comes as several lines
/// of this size. The protocol cannot say "this line continues", so a piece
/// is a line to the peer; the bound keeps a gateway's messages (about 4/3
/// of it in base64) well within what an initiator accepts
/// ([`cscomm_channel::INITIATOR_MAX_FRAME_SIZE`]) and the memory of both
/// ends bounded whatever a node prints.
pub const MAX_LINE_LENGTH: usize = 4 << 20;

/// Time for a gateway process to start, on top of its connect timeout.
const LINK_START_MARGIN: Duration = Duration::from_secs(2);

/// Output buffered between a direct run and the tree run's consumer
/// before the commands' pipes are left to fill (memory bound).
const RUN_BUFFER_BYTES: usize = 64 << 10;

/// Where control messages go: a direct run's input or a link's channel.
enum Input {
    Direct(cscomm_ssh::RunStdin),
    Link(mpsc::UnboundedSender<Control>),
}

pub(super) struct Driver {
    command: String,
    executor: Executor,
    options: TreeOptions,
    /// `None` without a topology: every target is reached directly.
    router: Option<Router>,
    topology: Option<Arc<PickledTopology>>,
    events: mpsc::Sender<TreeEvent>,
    abort: watch::Receiver<bool>,
    pieces: JoinSet<LinkEnd>,
    inputs: Vec<Input>,
    /// The input kept for targets that may be routed again.
    replay: Replay,
}

impl Driver {
    pub(super) fn new(
        command: &str,
        options: TreeOptions,
        events: mpsc::Sender<TreeEvent>,
        abort: watch::Receiver<bool>,
    ) -> Result<Self, crate::Error> {
        let router = match &options.topology {
            Some(topology) => Some(Router::new(&topology.to_tree()?, &options.root)?),
            None => None,
        };
        Ok(Driver {
            command: command.to_owned(),
            executor: Executor::new(options.fanout),
            topology: options.topology.clone(),
            options,
            router,
            events,
            abort,
            pieces: JoinSet::new(),
            inputs: Vec::new(),
            replay: Replay::new(HISTORY_LIMIT),
        })
    }

    /// Routes `targets` and starts each part.
    pub(super) fn launch(&mut self, targets: &NodeSet) -> Result<(), crate::Error> {
        for Route { next_hop, targets } in self.dispatch(targets) {
            match next_hop {
                NextHop::Direct => self.launch_direct(&targets)?,
                NextHop::Gateway(gateway) => self.launch_link(gateway, targets),
            }
        }
        Ok(())
    }

    /// The next hops of `targets`. Targets whose gateways are all
    /// unreachable are reached directly, where ClusterShell would stop the
    /// run (a deliberate difference, docs/PROTOCOL-NOTES.md).
    fn dispatch(&mut self, targets: &NodeSet) -> Vec<Route> {
        match &mut self.router {
            Some(router) => router.dispatch_or_direct(targets),
            None => vec![Route {
                next_hop: NextHop::Direct,
                targets: targets.clone(),
            }],
        }
    }

    fn launch_direct(&mut self, targets: &NodeSet) -> Result<(), crate::Error> {
        if targets.is_empty() {
            return Ok(());
        }
        let nodes: Vec<String> = targets.iter().collect();
        let request = Request::new(&self.command, nodes, self.direct_transport())
            .with_nodeset(targets.to_string())
            .with_options(self.exec_options());
        let run = self.executor.run(request)?;
        self.inputs.push(Input::Direct(run.stdin()));
        let events = self.events.clone();
        let abort = self.abort.clone();
        self.pieces.spawn(async move {
            direct::forward(run, events, abort).await;
            LinkEnd::Done
        });
        Ok(())
    }

    fn launch_link(&mut self, gateway: String, targets: NodeSet) {
        let Some(topology) = self.topology.clone() else {
            return; // a router without topology never names a gateway
        };
        let set_up = self.replay.link();
        let spec = LinkSpec {
            gateway,
            targets,
            request: self.shell_request(),
            topology,
            transport: self.gateway_transport(),
            deadlines: self.link_deadlines(),
            set_up: set_up.clone(),
        };
        let (control, control_rx) = mpsc::unbounded_channel();
        self.inputs.push(Input::Link(control));
        let events = self.events.clone();
        let abort = self.abort.clone();
        let task = self
            .pieces
            .spawn(link::run(spec, events, control_rx, abort));
        self.replay.spawned(task.id(), &set_up);
    }

    /// How long a gateway may be silent: the connect timeout (and a margin
    /// to start) to set up its channel; once set up, the command timeout
    /// and as much again for its own connections (docs/CHANNEL.md).
    fn link_deadlines(&self) -> LinkDeadlines {
        let connect = self.options.ssh.connect_timeout;
        let connect = Duration::try_from_secs_f64(connect)
            .ok()
            .filter(|limit| !limit.is_zero());
        let setup = connect.map(|limit| limit.saturating_add(LINK_START_MARGIN));
        let answer = self.options.timeout.and_then(|timeout| {
            let timeout = Duration::try_from_secs_f64(timeout).ok()?;
            let margin = connect.unwrap_or_default() + LINK_START_MARGIN;
            Some(timeout.saturating_add(margin))
        });
        LinkDeadlines { setup, answer }
    }

    /// The request a gateway gets: our command and settings.
    fn shell_request(&self) -> ShellRequest {
        let mut request = ShellRequest::new(self.command.clone());
        request.invoke_gateway = self.options.invoke_gateway.clone();
        request.taskinfo = self.options.taskinfo.clone();
        request.stderr = self.options.stderr;
        request.timeout = self.options.timeout.map(Number::Float);
        request.remote = self.options.remote;
        request
    }

    /// ClusterShell's distant worker for remote commands, its local worker
    /// for the others, each ssh or local execution.
    fn direct_transport(&self) -> Transport {
        let over_ssh = if self.options.remote {
            !self.options.local_workers
        } else {
            self.options.local_worker_ssh
        };
        if over_ssh {
            Transport::Ssh(self.options.ssh.clone())
        } else {
            Transport::Local
        }
    }

    fn gateway_transport(&self) -> Transport {
        if self.options.local_workers {
            Transport::Local
        } else {
            Transport::Ssh(self.options.ssh.clone())
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
            .with_timeout(
                self.options
                    .timeout
                    .and_then(|t| Duration::try_from_secs_f64(t).ok()),
            )
            .with_max_line_len(MAX_LINE_LENGTH)
            .with_buffer_bytes(RUN_BUFFER_BYTES)
    }

    pub(super) async fn drive(mut self, mut control: mpsc::UnboundedReceiver<Control>) {
        let mut control_open = true;
        self.replay.settle();
        while !self.pieces.is_empty() {
            tokio::select! {
                message = control.recv(), if control_open => match message {
                    Some(message) => self.relay(&message),
                    None => control_open = false,
                },
                Some(link) = self.replay.next_set_up() => self.replay.set_up(link),
                Some(finished) = self.pieces.join_next_with_id() => self.finished(finished).await,
            }
        }
    }

    /// A piece ended: a gateway's targets handed back are routed again
    /// (and get the input kept for them) before the piece counts as gone.
    async fn finished(&mut self, finished: Result<(task::Id, LinkEnd), JoinError>) {
        let task = match finished {
            Ok((task, LinkEnd::Unreachable { gateway, targets })) => {
                self.reroute(gateway, &targets).await;
                task
            }
            Ok((task, LinkEnd::Done)) => task,
            Err(error) => error.id(),
        };
        self.replay.ended(task);
    }

    /// A gateway failed before setup: route its targets again, as
    /// ClusterShell does, and say so; the pieces they go to get the input
    /// written so far first (they fail if it was too much to keep).
    async fn reroute(&mut self, gateway: String, targets: &NodeSet) {
        tracing::warn!("gateway {gateway} is unreachable: routing {targets} again");
        if let Some(router) = &mut self.router {
            router.mark_unreachable(&gateway);
        }
        if let Err(lost) = self.replay.messages() {
            self.fail(targets, &lost.to_string()).await;
            return;
        }
        let event = TreeEvent::Routing {
            event: "reroute".to_owned(),
            gateway,
            targets: targets.to_string(),
        };
        let _ = self.events.send(event).await;
        let first = self.inputs.len();
        let launched = self.launch(targets);
        self.replay_into(first);
        if let Err(error) = launched {
            self.fail(targets, &error.to_string()).await;
        }
    }

    /// Sends the kept input to the pieces launched from `first` on.
    fn replay_into(&self, first: usize) {
        let Ok(messages) = self.replay.messages() else {
            return;
        };
        for input in self.inputs.get(first..).unwrap_or_default() {
            for message in messages {
                deliver(input, message);
            }
        }
    }

    /// Ends each of `targets` with `reason` on its standard error and
    /// exit code 255.
    async fn fail(&self, targets: &NodeSet, reason: &str) {
        for node in targets.iter() {
            let node: Arc<str> = Arc::from(node);
            let line = reason.as_bytes().to_vec().into();
            let stderr = TreeEvent::Stderr {
                node: node.clone(),
                line,
            };
            let _ = self.events.send(stderr).await;
            let _ = self.events.send(TreeEvent::Exit { node, code: 255 }).await;
        }
    }

    fn relay(&mut self, message: &Control) {
        self.replay.record(message);
        for input in &self.inputs {
            deliver(input, message);
        }
    }
}

/// Sends one control message to a piece.
fn deliver(input: &Input, message: &Control) {
    match (input, message) {
        (Input::Direct(stdin), Control::Write(data)) => {
            let _ = stdin.write(data.clone());
        }
        (Input::Direct(stdin), Control::Eof) => stdin.close(),
        (Input::Link(link), message) => {
            let _ = link.send(message.clone());
        }
    }
}
