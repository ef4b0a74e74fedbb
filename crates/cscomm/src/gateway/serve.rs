//! The gateway's runtime: the channel to the parent on standard input and
//! output, one tree run per `CTL shell`, answers sent back upstream.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use cscomm_message::{MessageKind, NodeSet, PayloadCodec, PickledTopology, ShellRequest};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use super::grooming::{FLUSH_BYTES, Grooming};
use super::upstream::{Upstream, UpstreamEvent};
use crate::tree::{TreeEvent, TreeHandle, TreeRun};

/// How much is read from the parent at a time.
const READ_CHUNK: usize = 64 * 1024;
/// Output bytes gathered before they are written upstream, when events
/// are already waiting.
const WRITE_BATCH: usize = 256 * 1024;
/// Tree events queued between the runs and the channel.
const EVENT_QUEUE: usize = 128;
/// Below this `grooming_delay` (seconds), output is sent as it comes, as
/// ClusterShell's gateway does.
const MIN_GROOMING_DELAY: f64 = 1e-3;

/// Serves one channel: reads the parent's stream from `input`, writes ours
/// to `output`, runs what the parent asks, until the channel closes (then
/// every process started is killed).
///
/// `host` is the short host name, the gateway's name when the `CFG` names
/// none.
pub async fn serve<R, W>(mut input: R, mut output: W, host: String) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let codec = PayloadCodec::from_env().unwrap_or_else(|error| {
        tracing::warn!("{error}: using the default base64 line length");
        PayloadCodec::default()
    });
    let (events_tx, mut events) = mpsc::channel(EVENT_QUEUE);
    let mut gateway = Gateway::new(Upstream::new(host, codec), events_tx);
    let mut buf = vec![0; READ_CHUNK];
    let mut reading = true;
    loop {
        gateway.handle_upstream_events();
        let bytes = gateway.upstream.take_output();
        if !bytes.is_empty() {
            output.write_all(&bytes).await?;
            output.flush().await?;
        }
        if gateway.upstream.is_closed() {
            break;
        }
        let tick = gateway.next_tick();
        tokio::select! {
            read = input.read(&mut buf), if reading => match read {
                Ok(0) | Err(_) => {
                    reading = false;
                    gateway.upstream.feed_eof();
                }
                Ok(n) => gateway.upstream.feed(&buf[..n]),
            },
            Some((run, event)) = events.recv() => {
                gateway.handle_tree_event(run, event);
                // Take what is already queued too, so that output goes out
                // in large writes rather than one system call per line.
                while gateway.upstream.pending_output() < WRITE_BATCH {
                    let Ok((run, event)) = events.try_recv() else { break };
                    gateway.handle_tree_event(run, event);
                }
            }
            () = sleep_until(tick.unwrap_or_else(Instant::now)), if tick.is_some() => {
                gateway.handle_tick(Instant::now());
            }
        }
    }
    gateway.abort_all();
    Ok(())
}

/// One `CTL shell` being served.
struct Worker {
    srcid: u64,
    handle: TreeHandle,
    grooming: Option<Groomer>,
    timed_out: Vec<Arc<str>>,
}

struct Groomer {
    buffer: Grooming,
    delay: Duration,
    next_tick: Instant,
}

struct Gateway {
    upstream: Upstream,
    name: Option<String>,
    topology: Option<Arc<PickledTopology>>,
    /// The runs, by run id (a parent may send several `CTL shell` for one
    /// `srcid`: ClusterShell does when it routes targets again).
    workers: HashMap<u64, Worker>,
    next_run: u64,
    events: mpsc::Sender<(u64, Option<TreeEvent>)>,
}

impl Gateway {
    fn new(upstream: Upstream, events: mpsc::Sender<(u64, Option<TreeEvent>)>) -> Self {
        Gateway {
            upstream,
            name: None,
            topology: None,
            workers: HashMap::new(),
            next_run: 0,
            events,
        }
    }

    fn handle_upstream_events(&mut self) {
        while let Some(event) = self.upstream.poll_event() {
            match event {
                UpstreamEvent::Opened { version } => {
                    tracing::debug!("channel opened by a peer of version {version:?}");
                }
                UpstreamEvent::Configured { gateway, topology } => {
                    tracing::debug!("configured as {gateway}:\n{topology}");
                    self.name = Some(gateway);
                    self.topology = Some(Arc::new(topology));
                }
                UpstreamEvent::Shell {
                    srcid,
                    targets,
                    request,
                } => self.start(srcid, &targets, &request),
                UpstreamEvent::Write { srcid, data } => {
                    for worker in self.workers.values().filter(|w| w.srcid == srcid) {
                        worker.handle.write(data.clone());
                    }
                }
                UpstreamEvent::Eof { srcid } => {
                    for worker in self.workers.values().filter(|w| w.srcid == srcid) {
                        worker.handle.close_stdin();
                    }
                }
                UpstreamEvent::Closed { error } => {
                    if let Some(error) = error {
                        tracing::error!("channel closed on error: {error}");
                    }
                    self.abort_all();
                }
            }
        }
    }

    fn start(&mut self, srcid: u64, targets: &NodeSet, request: &ShellRequest) {
        let mut options = super::tree_options(request);
        options.topology = self.topology.clone();
        options.root = self.name.clone().unwrap_or_default();
        tracing::info!("srcid {srcid}: running {:?} on {targets}", request.cmd);
        let run = match TreeRun::start(&request.cmd, targets, options) {
            Ok(run) => run,
            Err(error) => {
                self.fail_targets(srcid, targets, &error.to_string());
                return;
            }
        };
        let grooming = request
            .taskinfo
            .grooming_delay()
            .filter(|delay| *delay > MIN_GROOMING_DELAY && delay.is_finite())
            .map(|delay| {
                let delay = Duration::from_secs_f64(delay);
                Groomer {
                    buffer: Grooming::default(),
                    delay,
                    next_tick: Instant::now() + delay,
                }
            });
        let worker = Worker {
            srcid,
            handle: run.handle(),
            grooming,
            timed_out: Vec::new(),
        };
        let id = self.next_run;
        self.next_run += 1;
        self.workers.insert(id, worker);
        tokio::spawn(forward(id, run, self.events.clone()));
    }

    /// A request that cannot start: its targets get the error on stderr and
    /// exit code 255, so the initiator hears of every one of them.
    fn fail_targets(&mut self, srcid: u64, targets: &NodeSet, reason: &str) {
        tracing::error!("srcid {srcid}: {reason}");
        self.upstream.send(MessageKind::stderr(
            srcid,
            targets.clone(),
            reason.as_bytes().to_vec(),
        ));
        self.upstream.send(MessageKind::Retcode {
            srcid,
            retcode: 255,
            nodes: targets.clone(),
        });
    }

    fn handle_tree_event(&mut self, run: u64, event: Option<TreeEvent>) {
        let Some(worker) = self.workers.get_mut(&run) else {
            return;
        };
        let srcid = worker.srcid;
        let Some(event) = event else {
            self.finish(run);
            return;
        };
        match (&mut worker.grooming, event) {
            (_, TreeEvent::Timeout { node }) => worker.timed_out.push(node),
            (
                _,
                TreeEvent::Routing {
                    event,
                    gateway,
                    targets,
                },
            ) => {
                let targets = targets.parse().unwrap_or_default();
                let kind = MessageKind::Routing {
                    srcid,
                    event,
                    gateway,
                    targets,
                };
                self.upstream.send(kind);
            }
            (grooming, TreeEvent::GatewayStderr { gateway, line }) => {
                // As ClusterShell: a sub-gateway's own error output reaches
                // the initiator as standard error of the gateway's name.
                tracing::warn!("gateway {gateway}: {}", String::from_utf8_lossy(&line));
                let node: Arc<str> = Arc::from(gateway);
                match grooming {
                    Some(groomer) => groomer.buffer.stderr(&node, &line),
                    None => self.upstream.send(MessageKind::stderr(
                        srcid,
                        NodeSet::from_names([&*node]),
                        line,
                    )),
                }
            }
            (Some(groomer), event) => {
                groom(&mut groomer.buffer, event);
                // Memory bound: a tick comes early when much is buffered.
                if groomer.buffer.buffered() > FLUSH_BYTES {
                    for kind in groomer.buffer.drain(srcid) {
                        self.upstream.send(kind);
                    }
                }
            }
            (None, event) => {
                if let Some(kind) = immediate(srcid, event) {
                    self.upstream.send(kind);
                }
            }
        }
    }

    /// A run ended: last groomed output, then the timeouts.
    fn finish(&mut self, run: u64) {
        let Some(mut worker) = self.workers.remove(&run) else {
            return;
        };
        let srcid = worker.srcid;
        if let Some(groomer) = &mut worker.grooming {
            for kind in groomer.buffer.drain(srcid) {
                self.upstream.send(kind);
            }
        }
        if !worker.timed_out.is_empty() {
            let nodes = NodeSet::from_names(worker.timed_out.iter().map(|n| &**n));
            self.upstream.send(MessageKind::Timeout { srcid, nodes });
        }
    }

    fn next_tick(&self) -> Option<Instant> {
        self.workers
            .values()
            .filter_map(|w| w.grooming.as_ref())
            .map(|g| g.next_tick)
            .min()
    }

    fn handle_tick(&mut self, now: Instant) {
        for worker in self.workers.values_mut() {
            let Some(groomer) = &mut worker.grooming else {
                continue;
            };
            if groomer.next_tick > now {
                continue;
            }
            groomer.next_tick = now + groomer.delay;
            for kind in groomer.buffer.drain(worker.srcid) {
                self.upstream.send(kind);
            }
        }
    }

    fn abort_all(&mut self) {
        for worker in self.workers.values() {
            worker.handle.abort();
        }
        self.workers.clear();
    }
}

fn groom(buffer: &mut Grooming, event: TreeEvent) {
    match event {
        TreeEvent::Stdout { node, line } => buffer.stdout(&node, &line),
        TreeEvent::Stderr { node, line } => buffer.stderr(&node, &line),
        TreeEvent::Exit { node, code } => buffer.retcode(&node, code),
        _ => {}
    }
}

/// The message sent at once for `event` when output is not groomed.
fn immediate(srcid: u64, event: TreeEvent) -> Option<MessageKind> {
    let one = |node: &str| NodeSet::from_names([node]);
    Some(match event {
        TreeEvent::Stdout { node, line } => MessageKind::stdout(srcid, one(&node), line),
        TreeEvent::Stderr { node, line } => MessageKind::stderr(srcid, one(&node), line),
        TreeEvent::Exit { node, code } => MessageKind::Retcode {
            srcid,
            retcode: i64::from(code),
            nodes: one(&node),
        },
        _ => return None,
    })
}

/// Moves a run's events into the gateway's queue, tagged with the run's
/// id, then its end (`None`).
async fn forward(id: u64, mut run: TreeRun, events: mpsc::Sender<(u64, Option<TreeEvent>)>) {
    while let Some(event) = run.next_event().await {
        if events.send((id, Some(event))).await.is_err() {
            return;
        }
    }
    let _ = events.send((id, None)).await;
}
