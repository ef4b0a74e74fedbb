//! The requests a gateway serves: one tree run per `CTL shell`, polled
//! directly by the gateway's loop (no task or queue between a run and the
//! channel), fairly: each poll starts after the run served last.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::task::{Context, Poll};

use cscomm_channel::GroomingBuffer;

use crate::tree::{TreeEvent, TreeRun};

/// One `CTL shell` being served.
pub(super) struct Worker {
    /// The parent's worker id.
    pub(super) srcid: u64,
    /// The run; `None` once it ended (its last messages may still wait in
    /// `grooming`).
    pub(super) run: Option<TreeRun>,
    pub(super) grooming: GroomingBuffer,
    pub(super) timed_out: Vec<Arc<str>>,
}

/// The workers by run id (a parent may send several `CTL shell` for one
/// `srcid`: ClusterShell does when it routes targets again).
#[derive(Default)]
pub(super) struct Workers {
    by_run: BTreeMap<u64, Worker>,
    next_run: u64,
    /// Where the next poll starts.
    poll_from: u64,
}

impl Workers {
    /// Adds `worker` under the next run id.
    pub(super) fn insert(&mut self, worker: Worker) {
        self.by_run.insert(self.next_run, worker);
        self.next_run += 1;
    }

    pub(super) fn get_mut(&mut self, run: u64) -> Option<&mut Worker> {
        self.by_run.get_mut(&run)
    }

    pub(super) fn remove(&mut self, run: u64) {
        self.by_run.remove(&run);
    }

    /// The first run id at or after `from` (to visit every run while
    /// removing some).
    pub(super) fn first_from(&self, from: u64) -> Option<u64> {
        self.by_run.range(from..).next().map(|(&id, _)| id)
    }

    /// The running workers of `srcid`.
    pub(super) fn runs_of(&self, srcid: u64) -> impl Iterator<Item = &TreeRun> {
        self.by_run
            .values()
            .filter(move |w| w.srcid == srcid)
            .filter_map(|w| w.run.as_ref())
    }

    pub(super) fn workers(&self) -> impl Iterator<Item = &Worker> {
        self.by_run.values()
    }

    /// Kills every run and forgets every worker.
    pub(super) fn clear(&mut self) {
        self.by_run.clear();
    }

    /// The next event of any run, tagged with its run id; `None` as the
    /// event when that run ended (reported once).
    pub(super) fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<(u64, Option<TreeEvent>)> {
        let start = self.poll_from;
        let found = poll_range(self.by_run.range_mut(start..), cx)
            .or_else(|| poll_range(self.by_run.range_mut(..start), cx));
        match found {
            Some((run, event)) => {
                self.poll_from = run + 1;
                Poll::Ready((run, event))
            }
            None => Poll::Pending,
        }
    }

    /// [`Workers::poll_event`] without waiting: `None` when no run has an
    /// event ready.
    pub(super) fn try_event(&mut self) -> Option<(u64, Option<TreeEvent>)> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match self.poll_event(&mut cx) {
            Poll::Ready(ready) => Some(ready),
            Poll::Pending => None,
        }
    }
}

fn poll_range<'a>(
    workers: impl Iterator<Item = (&'a u64, &'a mut Worker)>,
    cx: &mut Context<'_>,
) -> Option<(u64, Option<TreeEvent>)> {
    for (&id, worker) in workers {
        let Some(run) = worker.run.as_mut() else {
            continue;
        };
        match run.poll_next_event(cx) {
            Poll::Pending => {}
            Poll::Ready(Some(event)) => return Some((id, Some(event))),
            Poll::Ready(None) => {
                worker.run = None;
                return Some((id, None));
            }
        }
    }
    None
}
