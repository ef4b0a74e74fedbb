//! What a gateway sends upstream for one request's output (ClusterShell's
//! `TreeWorkerResponder`), with time passed in.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cscomm_message::{MessageKind, NodeSet};

use crate::msgtree::{MAX_ELEMS, MsgTree};

/// How a [`GroomingBuffer`] gathers output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroomingConfig {
    /// The tick interval; `None`: no grooming, one message per line per
    /// node and one `RET` per node, at once.
    pub delay: Option<Duration>,
    /// Output bytes buffered beyond which a tick happens at once (a bound
    /// on memory; ClusterShell has none).
    pub max_buffered: usize,
    /// Bytes of distinct lines the gathering tree keeps between ticks to
    /// order later groups as ClusterShell does; beyond it the tree starts
    /// afresh.
    pub max_retained: usize,
}

impl GroomingConfig {
    /// Default limits: 1 MiB buffered, 1 MiB retained.
    pub const DEFAULT_LIMIT: usize = 1 << 20;

    /// From a `grooming_delay` task setting in seconds: grooming when it
    /// is above 1 ms, as ClusterShell decides.
    pub fn from_delay_secs(delay: Option<f64>) -> GroomingConfig {
        let delay = delay
            .filter(|d| *d > 1.0e-3 && d.is_finite())
            .and_then(|d| Duration::try_from_secs_f64(d).ok());
        GroomingConfig {
            delay,
            max_buffered: Self::DEFAULT_LIMIT,
            max_retained: Self::DEFAULT_LIMIT,
        }
    }
}

/// The output of one request (one `srcid`) on its way upstream.
///
/// Feed it the targets' lines and exit codes as they come; send what
/// [`poll_message`](Self::poll_message) gives through
/// [`GatewayChannel::send`](crate::GatewayChannel::send). With grooming, a
/// tick ([`poll_timeout`](Self::poll_timeout),
/// [`handle_timeout`](Self::handle_timeout)) emits one `SER` then one `OUT`
/// per group of nodes with identical output, then one `RET` per return
/// code; [`finish`](Self::finish) emits the `TIM` of timed-out nodes then a
/// last tick.
///
/// ```
/// use std::time::{Duration, Instant};
/// use cscomm_channel::{GroomingBuffer, GroomingConfig};
/// use cscomm_message::{MessageKind, NodeSet};
///
/// let start = Instant::now();
/// let mut out = GroomingBuffer::new(7, GroomingConfig::from_delay_secs(Some(0.25)), start);
/// out.stdout("n1", b"hello");
/// out.stdout("n2", b"hello");
/// out.retcode("n1", 0);
/// out.retcode("n2", 0);
/// assert_eq!(out.poll_message(), None);
/// let tick = out.poll_timeout().unwrap();
/// assert_eq!(tick, start + Duration::from_millis(250));
/// out.handle_timeout(tick);
/// let nodes: NodeSet = "n[1-2]".parse().unwrap();
/// assert_eq!(out.poll_message(), Some(MessageKind::stdout(7, nodes.clone(), &b"hello"[..])));
/// assert_eq!(out.poll_message(), Some(MessageKind::Retcode { srcid: 7, retcode: 0, nodes }));
/// ```
#[derive(Debug)]
pub struct GroomingBuffer {
    srcid: u64,
    config: GroomingConfig,
    next_tick: Option<Instant>,
    stdout: MsgTree,
    stderr: MsgTree,
    retcodes: Vec<(i64, Vec<Arc<str>>)>,
    buffered: usize,
    ready: VecDeque<MessageKind>,
    finished: bool,
}

impl GroomingBuffer {
    /// A buffer for the request `srcid` started at `now` (the first tick
    /// comes one delay later).
    pub fn new(srcid: u64, config: GroomingConfig, now: Instant) -> GroomingBuffer {
        let max = config.max_retained;
        GroomingBuffer {
            srcid,
            next_tick: config.delay.and_then(|d| now.checked_add(d)),
            config,
            stdout: MsgTree::new(max),
            stderr: MsgTree::new(max),
            retcodes: Vec::new(),
            buffered: 0,
            ready: VecDeque::new(),
            finished: false,
        }
    }

    /// Whether output is gathered between ticks.
    pub fn is_grooming(&self) -> bool {
        self.config.delay.is_some()
    }

    /// A line (without its newline) of standard output of `node`.
    pub fn stdout(&mut self, node: &str, line: &[u8]) {
        self.line(node, line, false);
    }

    /// A line (without its newline) of standard error of `node`.
    pub fn stderr(&mut self, node: &str, line: &[u8]) {
        self.line(node, line, true);
    }

    fn line(&mut self, node: &str, line: &[u8], stderr: bool) {
        if self.finished {
            return;
        }
        if !self.is_grooming() {
            let (nodes, data) = (NodeSet::from_names([node]), Bytes::copy_from_slice(line));
            self.ready.push_back(if stderr {
                MessageKind::stderr(self.srcid, nodes, data)
            } else {
                MessageKind::stdout(self.srcid, nodes, data)
            });
            return;
        }
        let tree = if stderr {
            &mut self.stderr
        } else {
            &mut self.stdout
        };
        tree.add(node, line);
        self.buffered += line.len() + 1;
        if self.buffered > self.config.max_buffered || tree.elems() >= MAX_ELEMS {
            self.flush();
        }
    }

    /// `node` exited with `retcode` (not called for timed-out nodes).
    pub fn retcode(&mut self, node: &str, retcode: i64) {
        if self.finished {
            return;
        }
        if !self.is_grooming() {
            let nodes = NodeSet::from_names([node]);
            self.ready.push_back(self.retcode_message(retcode, nodes));
            return;
        }
        let node = Arc::from(node);
        match self.retcodes.iter_mut().find(|(rc, _)| *rc == retcode) {
            Some((_, nodes)) => nodes.push(node),
            None => self.retcodes.push((retcode, vec![node])),
        }
    }

    /// The request is over: a `TIM` for `timed_out` nodes (when any), then
    /// a last tick. Later input is ignored and no tick is due.
    pub fn finish(&mut self, timed_out: &NodeSet) {
        if self.finished {
            return;
        }
        if !timed_out.is_empty() {
            self.ready.push_back(MessageKind::Timeout {
                srcid: self.srcid,
                nodes: timed_out.clone(),
            });
        }
        self.flush();
        self.finished = true;
        self.next_tick = None;
    }

    /// When the next tick is due, if one is.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.next_tick
    }

    /// Time passed: ticks if one is due (once, however late), and plans
    /// the next one a delay after the missed ones.
    pub fn handle_timeout(&mut self, now: Instant) {
        let (Some(due), Some(delay)) = (self.next_tick, self.config.delay) else {
            return;
        };
        if now < due {
            return;
        }
        self.flush();
        let mut next = due;
        while next <= now {
            match next.checked_add(delay) {
                Some(later) => next = later,
                None => break,
            }
        }
        self.next_tick = Some(next);
    }

    /// A tick now: gathered `SER`, then `OUT`, then `RET` messages.
    pub fn flush(&mut self) {
        for (nodes, data) in self.stderr.take_groups() {
            let nodes = NodeSet::from_names(nodes.iter().map(|n| &**n));
            self.ready
                .push_back(MessageKind::stderr(self.srcid, nodes, data));
        }
        for (nodes, data) in self.stdout.take_groups() {
            let nodes = NodeSet::from_names(nodes.iter().map(|n| &**n));
            self.ready
                .push_back(MessageKind::stdout(self.srcid, nodes, data));
        }
        for (retcode, nodes) in std::mem::take(&mut self.retcodes) {
            let nodes = NodeSet::from_names(nodes.iter().map(|n| &**n));
            self.ready.push_back(self.retcode_message(retcode, nodes));
        }
        self.buffered = 0;
    }

    fn retcode_message(&self, retcode: i64, nodes: NodeSet) -> MessageKind {
        MessageKind::Retcode {
            srcid: self.srcid,
            retcode,
            nodes,
        }
    }

    /// The next message to send upstream.
    pub fn poll_message(&mut self) -> Option<MessageKind> {
        self.ready.pop_front()
    }

    /// How many messages wait for [`poll_message`](Self::poll_message).
    pub fn ready(&self) -> usize {
        self.ready.len()
    }

    /// Output bytes gathered and not yet emitted.
    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// Whether [`finish`](Self::finish) was called.
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}
