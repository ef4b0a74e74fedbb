//! Targets reached through a gateway: one channel to that gateway (its
//! process started over ssh or locally), its answers turned into
//! [`TreeEvent`]s.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cscomm_channel::{InitiatorChannel, InitiatorConfig, InitiatorEvent, SendError};
use cscomm_message::{NodeSet, PayloadCodec, PickledTopology, ShellRequest};
use cscomm_ssh::{EventKind, ExecOptions, OutputMode, Session, SessionStdin, Transport};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::replay::SetUpReport;
use super::{Control, TreeEvent};

/// The worker id our requests carry on a link (one run per link).
const SRCID: u64 = 1;
/// ClusterShell's exit code for targets of a gateway lost after setup
/// (`os.EX_PROTOCOL`).
pub const EX_PROTOCOL: i32 = 76;
/// Bytes of standard input a gateway may leave unacknowledged (it
/// acknowledges each write on receipt); beyond, it is failed, as stalled.
const MAX_UNACKED_INPUT: usize = 64 << 20;
/// The least time a gateway is given to acknowledge a request (the
/// command, a write) before it is failed as stalled, whatever the connect
/// timeout: a busy but sound gateway may answer late.
const MIN_INPUT_STALL: Duration = Duration::from_secs(10);
/// How long a gateway may take to exit once its work is done.
const EXIT_GRACE: Duration = Duration::from_secs(2);
/// Bytes of the gateway's stream read ahead of the consumer: enough to
/// keep a link busy, little for a gateway relaying many of them.
const LINK_BUFFER_BYTES: usize = 256 << 10;

/// How long a gateway has to exit once it was asked to (SIGTERM) before it
/// is killed.
const TERMINATE_GRACE: Duration = Duration::from_millis(400);
/// How long a gateway that closed its output or stopped reading its input
/// has to report its exit before it is declared failed.
const EXIT_REPORT_GRACE: Duration = Duration::from_millis(250);

/// What a link needs to start.
pub(super) struct LinkSpec {
    pub(super) gateway: String,
    pub(super) targets: NodeSet,
    pub(super) request: ShellRequest,
    pub(super) topology: Arc<PickledTopology>,
    pub(super) transport: Transport,
    pub(super) deadlines: LinkDeadlines,
    /// Told once the channel is set up.
    pub(super) set_up: SetUpReport,
}

/// How long a gateway may be silent.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct LinkDeadlines {
    /// From its start to the channel set up (the connect timeout);
    /// beyond, its targets are routed again.
    pub(super) setup: Option<Duration>,
    /// From set-up to the last target's end (the command timeout and a
    /// margin); beyond, the gateway is ended and its targets time out.
    pub(super) answer: Option<Duration>,
}

/// How a link ended.
pub(super) enum LinkEnd {
    /// Every target ended (or the run was aborted).
    Done,
    /// The gateway failed before the channel was set up: these targets
    /// must be routed again.
    Unreachable { gateway: String, targets: NodeSet },
}

/// Runs one link until its targets are done.
pub(super) async fn run(
    spec: LinkSpec,
    events: mpsc::Sender<TreeEvent>,
    control: mpsc::UnboundedReceiver<Control>,
    abort: watch::Receiver<bool>,
) -> LinkEnd {
    let options = ExecOptions::default()
        .with_stdout_mode(OutputMode::Chunks)
        .with_buffer_bytes(LINK_BUFFER_BYTES);
    let command = spec.request.invoke_gateway.clone();
    let session = match Session::spawn(&spec.gateway, &command, &spec.transport, &options) {
        Ok(session) => session,
        Err(error) => {
            let mut link = Link::new(&spec, events);
            link.gateway_stderr(error.to_string().into_bytes().into())
                .await;
            link.end_pending(255).await;
            return LinkEnd::Done;
        }
    };
    let mut link = Link::new(&spec, events);
    match link.channel.shell(SRCID, &spec.targets, &spec.request) {
        Ok(msgid) => link.command = Some(msgid),
        Err(error) => {
            link.gateway_stderr(format!("{error:?}").into_bytes().into())
                .await
        }
    }
    link.drive(session, control, abort).await
}

struct Link {
    gateway: String,
    targets: NodeSet,
    pending: HashSet<Arc<str>>,
    channel: InitiatorChannel,
    /// Targets the gateway never set up for: to route again.
    relaunch: NodeSet,
    events: mpsc::Sender<TreeEvent>,
    deadlines: LinkDeadlines,
    /// When the current silence limit expires.
    deadline: Option<Instant>,
    /// Set when the gateway closed its output or stopped reading its
    /// input: it fails unless it exits soon.
    dying: Option<(Instant, &'static str)>,
    /// Whether the channel was set up (the `CFG` acknowledged).
    set_up: bool,
    /// Told when it is.
    set_up_report: SetUpReport,
    /// The data of each `write` not acknowledged yet, oldest first: held
    /// so that whoever wrote it can tell (by its `Bytes` being dropped)
    /// when the gateway has taken it (flow control of file copies).
    unacked: VecDeque<Bytes>,
    /// Their total length.
    unacked_bytes: usize,
    /// The msgid of the shell `CTL` while it is not acknowledged.
    command: Option<u64>,
    /// While a request (the command, a write) waits for its ACK: since
    /// when the oldest waits (or the last ACK came, or the channel was set
    /// up).
    ack_since: Option<Instant>,
}

/// Why a link gives up on its gateway.
enum Failure {
    /// The gateway broke the protocol or the channel: its reason.
    Broken(String),
    /// The gateway said nothing within its deadline.
    Silent,
}

impl Link {
    fn new(spec: &LinkSpec, events: mpsc::Sender<TreeEvent>) -> Self {
        let mut config = InitiatorConfig::new(spec.gateway.clone(), (*spec.topology).clone());
        config.codec = PayloadCodec::from_env().unwrap_or_default();
        Link {
            gateway: spec.gateway.clone(),
            targets: spec.targets.clone(),
            pending: spec.targets.iter().map(Arc::from).collect(),
            channel: InitiatorChannel::new(config),
            relaunch: NodeSet::new(),
            events,
            deadlines: spec.deadlines,
            deadline: spec.deadlines.setup.map(|limit| Instant::now() + limit),
            dying: None,
            set_up: false,
            set_up_report: spec.set_up.clone(),
            unacked: VecDeque::new(),
            unacked_bytes: 0,
            command: None,
            ack_since: None,
        }
    }

    async fn drive(
        mut self,
        mut session: Session,
        mut control: mpsc::UnboundedReceiver<Control>,
        mut abort: watch::Receiver<bool>,
    ) -> LinkEnd {
        let stdin = session.stdin();
        let writer = spawn_writer(stdin.clone());
        let mut control_open = true;
        let mut input_watched = true;
        loop {
            while let Some(bytes) = self.channel.poll_transmit() {
                let _ = writer.send(bytes);
            }
            if self.pending.is_empty() {
                return self.finish(session, writer).await;
            }
            if let Some(failure) = self.failure() {
                return self.fail(failure, session, writer).await;
            }
            let limit = self.limit();
            tokio::select! {
                event = session.next_event() => match event {
                    Some(EventKind::StdoutChunk(bytes)) => self.channel.feed(&bytes),
                    Some(EventKind::Stderr(line)) => self.channel.feed_stderr_line(&line.bytes),
                    Some(EventKind::StdoutEnd) => {
                        self.channel.feed_eof();
                        self.doomed("closed its output");
                    }
                    Some(EventKind::Exited(exit)) => {
                        self.channel.feed_eof();
                        self.channel.process_exited(Some(exit.code));
                        self.handle_channel_events().await;
                        return self.gateway_gone(Some(exit.code)).await;
                    }
                    Some(_) => {}
                    None => {
                        self.channel.process_exited(None);
                        self.handle_channel_events().await;
                        return self.gateway_gone(None).await;
                    }
                },
                message = control.recv(), if control_open => match message {
                    Some(Control::Write(data)) => {
                        if let Some(failure) = self.write(data) {
                            return self.fail(failure, session, writer).await;
                        }
                    }
                    Some(Control::Eof) => {
                        let _ = self.channel.eof(SRCID, &self.targets);
                    }
                    None => control_open = false,
                },
                () = stdin.closed(), if input_watched => {
                    input_watched = false;
                    self.doomed("stopped reading its input");
                }
                () = sleep_until(limit) => {
                    let silent = self.deadline.is_some_and(|d| Instant::now() >= d);
                    if self.dying.is_none() && silent {
                        return self.fail(Failure::Silent, session, writer).await;
                    }
                }
                () = aborted(&mut abort) => return LinkEnd::Done,
            }
            self.handle_channel_events().await;
        }
    }

    /// Sends `data` to the targets' input. A gateway that stopped
    /// acknowledging it (more than [`MAX_UNACKED_INPUT`] bytes sent and
    /// not acknowledged, or a full queue before set-up) fails: memory
    /// would otherwise grow without end, or its targets miss part of their
    /// input unnoticed. (A write waiting too long fails it too: see
    /// [`Link::ack_stall`].)
    fn write(&mut self, data: Bytes) -> Option<Failure> {
        let len = data.len();
        match self.channel.write(SRCID, &self.targets, data.clone()) {
            Ok(_) => {
                if !self.awaiting_ack() && self.set_up {
                    self.ack_since = Some(Instant::now());
                }
                self.unacked.push_back(data);
                self.unacked_bytes += len;
            }
            Err(SendError::Full) => return Some(unacknowledged(self.channel.queued())),
            // Closed: the failure is reported by the loop.
            Err(_) => {}
        }
        (self.unacked_bytes > MAX_UNACKED_INPUT).then(|| unacknowledged(self.unacked_bytes))
    }

    /// The gateway may be ending: it has a moment to report its exit.
    fn doomed(&mut self, why: &'static str) {
        if self.dying.is_none() {
            self.dying = Some((Instant::now() + EXIT_REPORT_GRACE, why));
        }
    }

    /// The earliest instant something must happen by.
    fn limit(&self) -> Option<Instant> {
        let dying = self.dying.map(|(dying, _)| dying);
        [dying, self.deadline, self.ack_stall()]
            .into_iter()
            .flatten()
            .min()
    }

    /// When the gateway is stalled if no request is acknowledged by then:
    /// the connect timeout (at least [`MIN_INPUT_STALL`]) after the oldest
    /// waiting request (or the last ACK); never without a connect timeout.
    /// A gateway acknowledges the command and each write on receipt; one
    /// that does not runs nothing, or holds the input window of the whole
    /// run.
    fn ack_stall(&self) -> Option<Instant> {
        Some(self.ack_since? + self.deadlines.setup?.max(MIN_INPUT_STALL))
    }

    /// Whether the command or a write waits for its ACK.
    fn awaiting_ack(&self) -> bool {
        self.command.is_some() || !self.unacked.is_empty()
    }

    /// Notes the command acknowledged once the gateway acknowledged it or
    /// a later request (it answers in order); the clock restarts.
    fn note_command_ack(&mut self) {
        let acked = self.channel.last_ack();
        if self
            .command
            .is_some_and(|id| acked.is_some_and(|ack| ack >= id))
        {
            self.command = None;
            self.ack_since = self.awaiting_ack().then(Instant::now);
        }
    }

    /// Whether the link must give up on its gateway now.
    fn failure(&self) -> Option<Failure> {
        if let Some(reason) = self.channel_failure() {
            return Some(Failure::Broken(reason));
        }
        if self
            .ack_stall()
            .is_some_and(|stall| Instant::now() >= stall)
        {
            return Some(match self.command {
                Some(_) => Failure::Broken("never acknowledged the command".to_owned()),
                None => unacknowledged(self.unacked_bytes),
            });
        }
        let (dying, why) = self.dying?;
        (Instant::now() >= dying).then(|| Failure::Broken(why.to_owned()))
    }

    /// A channel closed with targets pending (an error, or `</channel>`).
    fn channel_failure(&self) -> Option<String> {
        if !self.channel.is_closed() || self.dying.is_some() {
            return None;
        }
        Some(match self.channel.error() {
            Some(reason) => reason.to_owned(),
            None => "closed the channel with targets pending".to_owned(),
        })
    }

    /// Gives up on the gateway: before set-up its targets are routed
    /// again, after it they end at once (code 76, or timed out when it
    /// fell silent); then the gateway is asked to end, and killed.
    async fn fail(
        mut self,
        failure: Failure,
        session: Session,
        writer: mpsc::UnboundedSender<Bytes>,
    ) -> LinkEnd {
        if !self.channel.is_closed() {
            self.channel.close();
        }
        while let Some(bytes) = self.channel.poll_transmit() {
            let _ = writer.send(bytes);
        }
        drop(writer);
        let set_up = self.set_up;
        let reason = match &failure {
            Failure::Broken(reason) => reason.clone(),
            Failure::Silent if set_up => "no answer within the command timeout".to_owned(),
            Failure::Silent => "no channel within the connect timeout".to_owned(),
        };
        let end = if set_up {
            self.failed(&reason, matches!(failure, Failure::Silent))
                .await;
            LinkEnd::Done
        } else {
            self.gateway_stderr(reason.into_bytes().into()).await;
            self.unreachable()
        };
        terminate(session).await;
        end
    }

    /// The gateway failed after set-up: say so, then end its targets.
    async fn failed(&mut self, reason: &str, timed_out: bool) {
        let event = TreeEvent::GatewayFailed {
            gateway: self.gateway.clone(),
            reason: reason.to_owned(),
        };
        self.emit(event).await;
        if timed_out {
            let mut nodes: Vec<Arc<str>> = self.pending.drain().collect();
            nodes.sort();
            for node in nodes {
                self.emit(TreeEvent::Timeout { node }).await;
            }
        } else {
            self.end_pending(EX_PROTOCOL).await;
        }
    }

    /// Every target still pending, to route again.
    fn unreachable(&mut self) -> LinkEnd {
        let targets = NodeSet::from_names(self.pending.drain().map(|n| n.to_string()));
        LinkEnd::Unreachable {
            gateway: self.gateway.clone(),
            targets,
        }
    }

    /// Handles what the channel decoded (and the ACKs it took).
    async fn handle_channel_events(&mut self) {
        while let Some(event) = self.channel.poll_event() {
            match event {
                InitiatorEvent::Ready => {
                    self.set_up = true;
                    self.set_up_report.send();
                    // The command and writes queued before set-up wait
                    // from now on.
                    self.ack_since = self.awaiting_ack().then(Instant::now);
                    self.deadline = self.deadlines.answer.map(|limit| Instant::now() + limit);
                    tracing::debug!(
                        "channel to {} set up (peer {:?})",
                        self.gateway,
                        self.channel.peer_version()
                    );
                }
                InitiatorEvent::StdOut { nodes, data, .. } => {
                    self.output(false, &nodes, &data).await
                }
                InitiatorEvent::StdErr { nodes, data, .. } => {
                    self.output(true, &nodes, &data).await
                }
                InitiatorEvent::Exit { nodes, code, .. } => {
                    let code = i32::try_from(code).unwrap_or(255);
                    for node in nodes.iter() {
                        self.end(&node, Some(code)).await;
                    }
                }
                InitiatorEvent::Timeout { nodes, .. } => {
                    for node in nodes.iter() {
                        self.end(&node, None).await;
                    }
                }
                InitiatorEvent::Routing {
                    event,
                    gateway,
                    targets,
                    ..
                } => {
                    let targets = targets.to_string();
                    self.emit(TreeEvent::Routing {
                        event,
                        gateway,
                        targets,
                    })
                    .await;
                }
                InitiatorEvent::GatewayStderr { data, .. } => {
                    for line in split_lines(&data) {
                        self.gateway_stderr(line).await;
                    }
                }
                InitiatorEvent::Written { .. } => {
                    if let Some(data) = self.unacked.pop_front() {
                        self.unacked_bytes -= data.len();
                    }
                    self.ack_since = self.awaiting_ack().then(Instant::now);
                }
                // Reported by `fail`, with what it did about it.
                InitiatorEvent::GatewayError { .. } => {}
                InitiatorEvent::Unreachable { relaunch, .. } => {
                    for (_, nodes) in relaunch {
                        self.relaunch.update(&nodes);
                    }
                }
                _ => {}
            }
        }
        self.note_command_ack();
    }

    async fn output(&mut self, stderr: bool, nodes: &NodeSet, data: &Bytes) {
        let lines = split_lines(data);
        for node in nodes.iter() {
            let node: Arc<str> = Arc::from(node);
            for line in &lines {
                let line = line.clone();
                let node = node.clone();
                let event = if stderr {
                    TreeEvent::Stderr { node, line }
                } else {
                    TreeEvent::Stdout { node, line }
                };
                self.emit(event).await;
            }
        }
    }

    /// A target ended: with an exit code, or timed out (`None`).
    async fn end(&mut self, node: &str, code: Option<i32>) {
        let Some(node) = self.pending.take(node) else {
            return; // not ours, or already ended
        };
        let event = match code {
            Some(code) => TreeEvent::Exit { node, code },
            None => TreeEvent::Timeout { node },
        };
        self.emit(event).await;
    }

    /// The gateway process ended (`code`: `None` when it was killed or
    /// lost): targets it never set up for are routed again; the others
    /// still running end with exit code 76, the gateway reported failed.
    async fn gateway_gone(mut self, code: Option<i32>) -> LinkEnd {
        if !self.relaunch.is_empty() {
            let targets = std::mem::take(&mut self.relaunch);
            for node in targets.iter() {
                self.pending.remove(node.as_str());
            }
            self.end_pending(EX_PROTOCOL).await;
            return LinkEnd::Unreachable {
                gateway: self.gateway,
                targets,
            };
        }
        if !self.pending.is_empty() {
            let reason = match self.channel.error() {
                Some(reason) => reason.to_owned(),
                None => match code {
                    Some(code) => format!("exited with code {code} with targets pending"),
                    None => "was lost with targets pending".to_owned(),
                },
            };
            self.failed(&reason, false).await;
        }
        LinkEnd::Done
    }

    async fn end_pending(&mut self, code: i32) {
        let mut nodes: Vec<Arc<str>> = self.pending.drain().collect();
        nodes.sort();
        for node in nodes {
            self.emit(TreeEvent::Exit { node, code }).await;
        }
    }

    /// Every target ended: let the gateway go (end of its input), briefly
    /// wait for it to exit, still showing what it writes on its standard
    /// error (its last line, unterminated, comes at its exit); dropping
    /// the session kills what remains.
    async fn finish(
        mut self,
        mut session: Session,
        writer: mpsc::UnboundedSender<Bytes>,
    ) -> LinkEnd {
        drop(writer);
        let _ = tokio::time::timeout(EXIT_GRACE, async {
            while let Some(event) = session.next_event().await {
                if let EventKind::Stderr(line) = event {
                    self.gateway_stderr(line.bytes).await;
                }
            }
        })
        .await;
        LinkEnd::Done
    }

    async fn gateway_stderr(&mut self, line: Bytes) {
        let gateway = self.gateway.clone();
        self.emit(TreeEvent::GatewayStderr { gateway, line }).await;
    }

    async fn emit(&mut self, event: TreeEvent) {
        let _ = self.events.send(event).await;
    }
}

/// Why a gateway that stopped acknowledging its input fails.
fn unacknowledged(waiting: usize) -> Failure {
    let waiting = waiting >> 10;
    Failure::Broken(format!(
        "stopped acknowledging standard input ({waiting} KiB waiting)"
    ))
}

/// Ends a gateway whose input was closed: a moment to exit by itself
/// (gateways end at the end of their input), then SIGTERM and another
/// moment, then SIGKILL (dropping the session kills its process group).
async fn terminate(mut session: Session) {
    if !exited_within(&mut session, TERMINATE_GRACE).await {
        session.terminate();
        exited_within(&mut session, TERMINATE_GRACE).await;
    }
}

/// Whether the session's process ended within `limit`.
async fn exited_within(session: &mut Session, limit: Duration) -> bool {
    let exited = async {
        while let Some(event) = session.next_event().await {
            if event.is_last() {
                return;
            }
        }
    };
    tokio::time::timeout(limit, exited).await.is_ok()
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Resolves once the run is aborted (or its owner is gone).
async fn aborted(abort: &mut watch::Receiver<bool>) {
    let _ = abort.wait_for(|aborted| *aborted).await;
}

/// Writes what the channel produces to the gateway's input, in order,
/// closing it when the sender is dropped.
fn spawn_writer(stdin: SessionStdin) -> mpsc::UnboundedSender<Bytes> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Bytes>();
    tokio::spawn(async move {
        while let Some(bytes) = rx.recv().await {
            if !bytes.is_empty() && stdin.write(bytes).await.is_err() {
                return;
            }
        }
        stdin.close().await;
    });
    tx
}

/// The lines of an output payload, as ClusterShell splits it: the data
/// plus a final `\n`, cut at each `\n` (a `\r` stays in its line).
fn split_lines(data: &Bytes) -> Vec<Bytes> {
    let mut lines = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', data) {
        lines.push(data.slice(start..end));
        start = end + 1;
    }
    lines.push(data.slice(start..));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_payloads_as_clustershell_does() {
        let split = |data: &'static [u8]| split_lines(&Bytes::from_static(data));
        assert_eq!(split(b""), [Bytes::from_static(b"")]);
        assert_eq!(split(b"a\n\nb"), [&b"a"[..], b"", b"b"]);
        assert_eq!(split(b"a\r\n"), [&b"a\r"[..], b""]);
    }
}
