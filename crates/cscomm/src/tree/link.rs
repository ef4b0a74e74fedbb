//! Targets reached through a gateway: one channel to that gateway (its
//! process started over ssh or locally), its answers turned into
//! [`TreeEvent`]s.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cscomm_message::{NodeSet, PayloadCodec, PickledTopology, ShellRequest};
use cscomm_ssh::{EventKind, ExecOptions, OutputMode, Session, SessionStdin, Transport};
use tokio::sync::{mpsc, watch};

use super::downstream::{Downstream, DownstreamEvent};
use super::{Control, TreeEvent};

/// The worker id our requests carry on a link (one run per link).
const SRCID: u64 = 1;
/// ClusterShell's exit code for targets of a gateway lost after setup
/// (`os.EX_PROTOCOL`).
pub const EX_PROTOCOL: i32 = 76;
/// How long a gateway may take to exit once its work is done.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// What a link needs to start.
pub(super) struct LinkSpec {
    pub(super) gateway: String,
    pub(super) targets: NodeSet,
    pub(super) request: ShellRequest,
    pub(super) topology: Arc<PickledTopology>,
    pub(super) transport: Transport,
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
    let options = ExecOptions::default().with_stdout_mode(OutputMode::Chunks);
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
    link.channel.shell(SRCID, &spec.targets, &spec.request);
    link.drive(session, control, abort).await
}

struct Link {
    gateway: String,
    targets: NodeSet,
    pending: HashSet<Arc<str>>,
    channel: Downstream,
    events: mpsc::Sender<TreeEvent>,
}

impl Link {
    fn new(spec: &LinkSpec, events: mpsc::Sender<TreeEvent>) -> Self {
        let codec = PayloadCodec::from_env().unwrap_or_default();
        Link {
            gateway: spec.gateway.clone(),
            targets: spec.targets.clone(),
            pending: spec.targets.iter().map(Arc::from).collect(),
            channel: Downstream::new(&spec.gateway, &spec.topology, codec),
            events,
        }
    }

    async fn drive(
        mut self,
        mut session: Session,
        mut control: mpsc::UnboundedReceiver<Control>,
        mut abort: watch::Receiver<bool>,
    ) -> LinkEnd {
        let writer = spawn_writer(session.stdin());
        let mut control_open = true;
        loop {
            let _ = writer.send(self.channel.take_output().freeze());
            if self.pending.is_empty() {
                return self.finish(session, writer).await;
            }
            tokio::select! {
                event = session.next_event() => match event {
                    Some(EventKind::StdoutChunk(bytes)) => self.channel.feed(&bytes),
                    Some(EventKind::Stderr(line)) => self.gateway_stderr(line.bytes).await,
                    Some(EventKind::Exited(exit)) => return self.gateway_gone(exit.code).await,
                    Some(_) => {}
                    None => return self.gateway_gone(-1).await,
                },
                message = control.recv(), if control_open => match message {
                    Some(Control::Write(data)) => self.channel.write(SRCID, &self.targets, data),
                    Some(Control::Eof) => self.channel.eof(SRCID, &self.targets),
                    None => control_open = false,
                },
                () = aborted(&mut abort) => return LinkEnd::Done,
            }
            if !self.handle_channel_events().await {
                return self.gateway_gone(-1).await;
            }
        }
    }

    /// Handles what the channel decoded; `false` when the channel is dead.
    async fn handle_channel_events(&mut self) -> bool {
        while let Some(event) = self.channel.poll_event() {
            match event {
                DownstreamEvent::Ready => {
                    tracing::debug!(
                        "channel to {} set up (peer {:?})",
                        self.gateway,
                        self.channel.peer_version()
                    );
                }
                DownstreamEvent::Output {
                    srcid,
                    stderr,
                    nodes,
                    data,
                } => {
                    self.output(srcid, stderr, &nodes, &data).await;
                }
                DownstreamEvent::Retcode { nodes, retcode, .. } => {
                    let code = i32::try_from(retcode).unwrap_or(255);
                    for node in nodes.iter() {
                        self.end(&node, Some(code)).await;
                    }
                }
                DownstreamEvent::Timeout { nodes, .. } => {
                    for node in nodes.iter() {
                        self.end(&node, None).await;
                    }
                }
                DownstreamEvent::Routing {
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
                DownstreamEvent::Error { reason, .. } => {
                    self.gateway_stderr(reason.into_bytes().into()).await;
                    return false;
                }
                DownstreamEvent::Closed => return false,
            }
        }
        true
    }

    async fn output(&mut self, srcid: u64, stderr: bool, nodes: &NodeSet, data: &Bytes) {
        let lines = split_lines(data);
        if srcid == 0 {
            for line in lines {
                self.gateway_stderr(line).await;
            }
            return;
        }
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

    /// The gateway process ended (`code`, -1 when unknown) or its channel died.
    async fn gateway_gone(mut self, code: i32) -> LinkEnd {
        if !self.channel.is_setup() && code != 0 {
            let targets = NodeSet::from_names(self.pending.iter().map(|n| &**n));
            return LinkEnd::Unreachable {
                gateway: self.gateway,
                targets,
            };
        }
        self.end_pending(EX_PROTOCOL).await;
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
    /// wait for it to exit; dropping the session kills what remains.
    async fn finish(self, mut session: Session, writer: mpsc::UnboundedSender<Bytes>) -> LinkEnd {
        drop(writer);
        let _ = tokio::time::timeout(EXIT_GRACE, async {
            while session.next_event().await.is_some() {}
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
