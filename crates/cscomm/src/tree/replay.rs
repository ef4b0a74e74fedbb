//! What the targets' input received while a gateway may still fail before
//! setup: kept so that the pieces its targets are routed to again get the
//! whole stream (every write, then the end of input), not only its rest.
//!
//! A link is *unsettled* from its launch until its channel is set up (it
//! reports so) or it ends: only an unsettled link can hand its targets
//! back to be routed again. While one is unsettled every control message
//! is kept (cheap clones of its `Bytes`, shared with the links that hold
//! them anyway); once none is, nothing can be routed again any more and
//! the history is dropped for good.
//!
//! Memory: a file copy keeps at most its window of writes not yet taken
//! (an unset-up link acknowledges nothing, and a kept write counts as not
//! taken), so its history stays within that window; so does standard
//! input written with flow control (`TreeHandle::write_all`). Input
//! written without it has no such bound: past [`HISTORY_LIMIT`] bytes the
//! history is dropped and targets routed again afterwards fail with a
//! clear error instead of getting a stream cut short.

use std::collections::{HashMap, HashSet};

use tokio::sync::mpsc;
use tokio::task;

use super::Control;

/// Bytes of input kept for targets that may be routed again, at most
/// (the queue an unset-up channel accepts is as large).
pub(super) const HISTORY_LIMIT: usize = 64 << 20;

/// How a link tells the driver that its channel is set up.
#[derive(Debug, Clone)]
pub(super) struct SetUpReport {
    link: usize,
    tx: mpsc::UnboundedSender<usize>,
}

impl SetUpReport {
    /// Says that the link's channel is set up (its targets will not be
    /// routed again).
    pub(super) fn send(&self) {
        let _ = self.tx.send(self.link);
    }
}

/// Why the input cannot be replayed to targets routed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Lost {
    /// The history's limit, in bytes.
    pub(super) limit: usize,
}

impl std::fmt::Display for Lost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "not routed again: more than {} MiB of input was written before its gateway failed, \
             too much to send again",
            self.limit >> 20
        )
    }
}

/// The kept control messages, in order.
#[derive(Debug, Default)]
struct History {
    messages: Vec<Control>,
    bytes: usize,
    /// Set once the limit was passed: the messages were let go.
    overflowed: bool,
}

/// The history and the links it is kept for.
pub(super) struct Replay {
    /// `None` once every link settled: it is never needed again.
    history: Option<History>,
    limit: usize,
    /// Links launched, neither set up nor ended.
    unsettled: HashSet<usize>,
    /// The link each task runs.
    tasks: HashMap<task::Id, usize>,
    next_link: usize,
    set_up_tx: mpsc::UnboundedSender<usize>,
    set_up_rx: mpsc::UnboundedReceiver<usize>,
}

impl Replay {
    /// Keeps at most `limit` bytes of input.
    pub(super) fn new(limit: usize) -> Self {
        let (set_up_tx, set_up_rx) = mpsc::unbounded_channel();
        Replay {
            history: Some(History::default()),
            limit,
            unsettled: HashSet::new(),
            tasks: HashMap::new(),
            next_link: 0,
            set_up_tx,
            set_up_rx,
        }
    }

    /// A link about to start: unsettled until it reports (with what is
    /// returned) or its task ends (see [`Replay::spawned`]).
    pub(super) fn link(&mut self) -> SetUpReport {
        let link = self.next_link;
        self.next_link += 1;
        self.unsettled.insert(link);
        SetUpReport {
            link,
            tx: self.set_up_tx.clone(),
        }
    }

    /// The task running the link `report` was made for.
    pub(super) fn spawned(&mut self, task: task::Id, report: &SetUpReport) {
        self.tasks.insert(task, report.link);
    }

    /// Keeps `message` if it may have to be sent again.
    pub(super) fn record(&mut self, message: &Control) {
        let Some(history) = &mut self.history else {
            return;
        };
        if history.overflowed {
            return;
        }
        if let Control::Write(data) = message {
            history.bytes = history.bytes.saturating_add(data.len());
        }
        if history.bytes > self.limit {
            history.messages = Vec::new();
            history.overflowed = true;
        } else {
            history.messages.push(message.clone());
        }
    }

    /// Everything written so far, to send to a piece routed again.
    ///
    /// # Errors
    /// When the history passed its limit (or was dropped, which only
    /// happens once no link can hand targets back).
    pub(super) fn messages(&self) -> Result<&[Control], Lost> {
        let lost = Lost { limit: self.limit };
        match &self.history {
            Some(history) if !history.overflowed => Ok(&history.messages),
            _ => Err(lost),
        }
    }

    /// The next link that reports its channel set up.
    pub(super) async fn next_set_up(&mut self) -> Option<usize> {
        self.set_up_rx.recv().await
    }

    /// The link's channel is set up.
    pub(super) fn set_up(&mut self, link: usize) {
        self.unsettled.remove(&link);
        self.settle();
    }

    /// A piece's task ended (after what it ended with was handled: the
    /// targets it handed back were launched again).
    pub(super) fn ended(&mut self, task: task::Id) {
        if let Some(link) = self.tasks.remove(&task) {
            self.unsettled.remove(&link);
        }
        self.settle();
    }

    /// Drops the history once no link can hand targets back.
    pub(super) fn settle(&mut self) {
        if self.unsettled.is_empty() && self.history.is_some() {
            tracing::debug!("every gateway is set up: input no longer kept");
            self.history = None;
        }
    }

    /// Whether input is still kept.
    #[cfg(test)]
    fn keeps(&self) -> bool {
        self.history.is_some()
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn write(data: &'static [u8]) -> Control {
        Control::Write(Bytes::from_static(data))
    }

    fn kept(replay: &Replay) -> Vec<Option<Bytes>> {
        let messages = replay.messages().unwrap_or_default();
        messages
            .iter()
            .map(|message| match message {
                Control::Write(data) => Some(data.clone()),
                Control::Eof => None,
            })
            .collect()
    }

    #[test]
    fn keeps_every_message_in_order_while_a_link_is_unsettled() {
        let mut replay = Replay::new(1 << 20);
        let _report = replay.link();
        replay.record(&write(b"ab"));
        replay.record(&write(b"cd"));
        replay.record(&Control::Eof);
        let want = [Some(Bytes::from_static(b"ab")), Some("cd".into()), None];
        assert_eq!(kept(&replay), want);
    }

    #[test]
    fn drops_the_history_once_every_link_is_set_up_or_ended() {
        let mut replay = Replay::new(1 << 20);
        let first = replay.link();
        let second = replay.link();
        replay.record(&write(b"ab"));
        replay.set_up(first.link);
        assert!(replay.keeps());
        replay.set_up(second.link);
        assert!(!replay.keeps());
        replay.record(&write(b"cd"));
        assert!(replay.messages().is_err());
    }

    #[test]
    fn without_links_nothing_is_kept() {
        let mut replay = Replay::new(1 << 20);
        replay.settle();
        replay.record(&write(b"ab"));
        assert!(!replay.keeps());
    }

    #[test]
    fn past_its_limit_the_history_is_lost_not_cut_short() {
        let mut replay = Replay::new(4);
        let _report = replay.link();
        replay.record(&write(b"abc"));
        replay.record(&write(b"de"));
        replay.record(&write(b"f"));
        replay.record(&Control::Eof);
        let lost = replay.messages().unwrap_err();
        assert!(lost.to_string().contains("not routed again"), "{lost}");
    }

    #[tokio::test]
    async fn a_report_names_its_link() {
        let mut replay = Replay::new(4);
        let _first = replay.link();
        let second = replay.link();
        second.send();
        assert_eq!(replay.next_set_up().await, Some(second.link));
    }
}
