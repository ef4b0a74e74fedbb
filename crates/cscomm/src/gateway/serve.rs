//! The gateway's runtime: the channel to the parent on standard input and
//! output ([`GatewayChannel`], sans-IO), one tree run per `CTL shell`, the
//! answers groomed ([`GroomingBuffer`]) and sent back upstream.

use std::sync::Arc;
use std::time::Instant;

use cscomm_channel::{GatewayChannel, GatewayConfig, GatewayEvent, GroomingBuffer, GroomingConfig};
use cscomm_message::{NodeSet, PayloadCodec, PickledTopology, ShellRequest};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::backlog::{self, Backlog};
use super::workers::{Worker, Workers};
use crate::tree::{TreeEvent, TreeRun};

/// How much is read from the parent at a time.
const READ_CHUNK: usize = 64 * 1024;
/// Output bytes gathered before they are written upstream, when events
/// are already waiting.
const WRITE_BATCH: usize = 64 * 1024;

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
    let mut config = GatewayConfig::new(host);
    config.codec = PayloadCodec::from_env().unwrap_or_else(|error| {
        tracing::warn!("{error}: using the default base64 line length");
        PayloadCodec::default()
    });
    let mut gateway = Gateway::new(GatewayChannel::new(config));
    let mut buf = vec![0; READ_CHUNK];
    let mut reading = true;
    // Since when the backlog of written data keeps the parent unread
    // without shrinking (see backlog.rs).
    let mut stalled_since: Option<tokio::time::Instant> = None;
    loop {
        gateway.handle_channel_events();
        // A tick may have made many messages ready: they are encoded a
        // batch at a time, each batch written before the next is made.
        loop {
            while let Some(bytes) = gateway.channel.poll_transmit() {
                output.write_all(&bytes).await?;
            }
            if !gateway.send_all_ready() {
                break;
            }
        }
        output.flush().await?;
        if gateway.channel.is_closed() {
            break;
        }
        let tick = gateway.next_tick().map(tokio::time::Instant::from_std);
        let over = reading && gateway.backlog.bytes() >= backlog::LIMIT;
        let stall_end = match (over, stalled_since) {
            (false, _) => {
                stalled_since = None;
                None
            }
            (true, Some(since)) => Some(since + backlog::STALL),
            (true, None) => {
                let now = tokio::time::Instant::now();
                stalled_since = Some(now);
                Some(now + backlog::STALL)
            }
        };
        let stalled = stall_end.is_some_and(|end| end <= tokio::time::Instant::now());
        tokio::select! {
            read = input.read(&mut buf), if reading && (!over || stalled) => match read {
                Ok(0) | Err(_) => {
                    reading = false;
                    gateway.channel.feed_eof();
                }
                Ok(n) => {
                    stalled_since = None;
                    gateway.channel.feed(&buf[..n]);
                }
            },
            () = gateway.backlog.shrunk(), if over && !stalled => stalled_since = None,
            () = sleep_until(stall_end), if over && !stalled => {}
            (run, event) = std::future::poll_fn(|cx| gateway.workers.poll_event(cx)) => {
                gateway.handle_tree_event(run, event);
                // Take what is already waiting too, so that output goes out
                // in large writes rather than one system call per line.
                while gateway.channel.pending_transmit() < WRITE_BATCH {
                    let Some((run, event)) = gateway.workers.try_event() else { break };
                    gateway.handle_tree_event(run, event);
                }
            }
            () = tokio::time::sleep_until(tick.unwrap_or_else(tokio::time::Instant::now)), if tick.is_some() => {
                gateway.handle_tick(Instant::now());
            }
        }
    }
    gateway.workers.clear();
    Ok(())
}

struct Gateway {
    channel: GatewayChannel,
    /// Written data the targets have not taken yet.
    backlog: Arc<Backlog>,
    name: Option<String>,
    topology: Option<Arc<PickledTopology>>,
    /// One per `CTL shell`.
    workers: Workers,
}

impl Gateway {
    fn new(channel: GatewayChannel) -> Self {
        Gateway {
            channel,
            backlog: Arc::new(Backlog::default()),
            name: None,
            topology: None,
            workers: Workers::default(),
        }
    }

    fn handle_channel_events(&mut self) {
        while let Some(event) = self.channel.poll_event() {
            match event {
                GatewayEvent::Opened { version } => {
                    tracing::debug!("channel opened by a peer of version {version:?}");
                }
                GatewayEvent::Configured { gateway, topology } => {
                    tracing::debug!("configured as {gateway}:\n{topology}");
                    self.name = Some(gateway);
                    self.topology = Some(Arc::new(topology));
                }
                GatewayEvent::Shell {
                    srcid,
                    targets,
                    request,
                } => self.start(srcid, &targets, &request),
                GatewayEvent::Write { srcid, data, .. } => {
                    let data = self.backlog.track(data);
                    for run in self.workers.runs_of(srcid) {
                        run.write(data.clone());
                    }
                }
                GatewayEvent::Eof { srcid, .. } => {
                    for run in self.workers.runs_of(srcid) {
                        run.close_stdin();
                    }
                }
                GatewayEvent::Closed { cause } => {
                    if let Some(error) = cause.error() {
                        tracing::error!("channel closed on error: {error}");
                    }
                    self.workers.clear();
                }
                _ => {}
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
        let grooming = GroomingConfig::from_delay_secs(request.taskinfo.grooming_delay());
        let worker = Worker {
            srcid,
            run: Some(run),
            grooming: GroomingBuffer::new(srcid, grooming, Instant::now()),
            timed_out: Vec::new(),
        };
        self.workers.insert(worker);
    }

    /// A request that cannot start: its targets get the error on stderr and
    /// exit code 255, so the initiator hears of every one of them.
    fn fail_targets(&mut self, srcid: u64, targets: &NodeSet, reason: &str) {
        tracing::error!("srcid {srcid}: {reason}");
        let _ = self
            .channel
            .send_stderr(srcid, targets, reason.as_bytes().to_vec());
        let _ = self.channel.send_retcode(srcid, targets, 255);
    }

    fn handle_tree_event(&mut self, run: u64, event: Option<TreeEvent>) {
        let Some(worker) = self.workers.get_mut(run) else {
            return;
        };
        match event {
            None => {
                let timed_out = NodeSet::from_names(worker.timed_out.iter().map(|n| &**n));
                worker.grooming.finish(&timed_out);
            }
            Some(TreeEvent::Stdout { node, line }) => worker.grooming.stdout(&node, &line),
            Some(TreeEvent::Stderr { node, line }) => worker.grooming.stderr(&node, &line),
            Some(TreeEvent::Exit { node, code }) => worker.grooming.retcode(&node, i64::from(code)),
            Some(TreeEvent::Timeout { node }) => worker.timed_out.push(node),
            Some(TreeEvent::Routing {
                event,
                gateway,
                targets,
            }) => {
                let targets = targets.parse().unwrap_or_default();
                let srcid = worker.srcid;
                let _ = self.channel.send_routing(srcid, &event, &gateway, &targets);
            }
            Some(TreeEvent::GatewayFailed { gateway, reason }) => {
                tracing::warn!("gateway {gateway} failed: {reason}");
                worker.grooming.stderr(&gateway, reason.as_bytes());
            }
            Some(TreeEvent::GatewayStderr { gateway, line }) => {
                // As ClusterShell: a sub-gateway's own error output reaches
                // the initiator as standard error of the gateway's name.
                tracing::warn!("gateway {gateway}: {}", String::from_utf8_lossy(&line));
                worker.grooming.stderr(&gateway, &line);
            }
        }
        self.send_groomed(run);
    }

    /// Sends what the grooming buffer of `run` has ready, until a batch is
    /// waiting to be written (the rest stays in the buffer, not yet
    /// encoded). A finished run is forgotten once everything is sent.
    /// Returns whether anything was sent.
    fn send_groomed(&mut self, run: u64) -> bool {
        let Some(worker) = self.workers.get_mut(run) else {
            return false;
        };
        let mut sent = false;
        while self.channel.pending_transmit() < WRITE_BATCH {
            let Some(kind) = worker.grooming.poll_message() else {
                break;
            };
            sent = true;
            if let Err(error) = self.channel.send(kind) {
                tracing::warn!("cannot send upstream: {error:?}");
            }
        }
        if worker.grooming.is_finished() && worker.grooming.ready() == 0 {
            self.workers.remove(run);
        }
        sent
    }

    /// [`Gateway::send_groomed`] for every run; whether anything was sent.
    fn send_all_ready(&mut self) -> bool {
        let mut sent = false;
        let mut next = self.workers.first_from(0);
        while let Some(run) = next {
            sent |= self.send_groomed(run);
            next = self.workers.first_from(run + 1);
        }
        sent
    }

    fn next_tick(&self) -> Option<Instant> {
        self.workers
            .workers()
            .filter_map(|w| w.grooming.poll_timeout())
            .min()
    }

    fn handle_tick(&mut self, now: Instant) {
        let mut next = self.workers.first_from(0);
        while let Some(run) = next {
            if let Some(worker) = self.workers.get_mut(run) {
                worker.grooming.handle_timeout(now);
            }
            self.send_groomed(run);
            next = self.workers.first_from(run + 1);
        }
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
