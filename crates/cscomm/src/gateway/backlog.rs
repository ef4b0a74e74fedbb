//! Bytes written by the parent that the targets have not taken yet (the
//! copies' data): the gateway stops reading its parent while they exceed
//! a limit, so that its memory stays bounded whatever the file size.
//!
//! Each `CTL write`'s bytes are handed to the runs wrapped so that the
//! count drops when the last holder lets go of them (a direct process has
//! written them to its node, a sub-gateway acknowledged them). Targets
//! waiting for their turn behind the fanout read the stream from its start
//! from copies of their own, which are not counted (`cscomm-ssh`'s run
//! input): they grow meanwhile, as in ClusterShell's gateway. Should the
//! backlog still not move for [`STALL`], reading resumes rather than wait
//! for ever.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::Notify;

/// Backlog above which the parent's stream is not read.
pub(super) const LIMIT: usize = 8 << 20;
/// How long the backlog may stay above the limit without shrinking
/// before reading resumes anyway.
pub(super) const STALL: Duration = Duration::from_secs(1);

/// The count, shared with every chunk it tracks.
#[derive(Debug, Default)]
pub(super) struct Backlog {
    bytes: AtomicUsize,
    shrunk: Notify,
}

impl Backlog {
    /// `data`, counted until every copy of the returned `Bytes` is gone.
    pub(super) fn track(self: &Arc<Self>, data: Bytes) -> Bytes {
        self.bytes.fetch_add(data.len(), Ordering::Relaxed);
        Bytes::from_owner(Held {
            data,
            backlog: self.clone(),
        })
    }

    /// Bytes not taken yet.
    pub(super) fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Whether the parent's stream may be read.
    pub(super) fn below_limit(&self) -> bool {
        self.bytes() < LIMIT
    }

    /// Resolves when the backlog shrank (or already had since the last
    /// call: the wake-up is kept).
    pub(super) async fn shrunk(&self) {
        self.shrunk.notified().await;
    }
}

struct Held {
    data: Bytes,
    backlog: Arc<Backlog>,
}

impl AsRef<[u8]> for Held {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.backlog
            .bytes
            .fetch_sub(self.data.len(), Ordering::Relaxed);
        self.backlog.shrunk.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_until_every_copy_is_dropped() {
        let backlog = Arc::new(Backlog::default());
        let a = backlog.track(Bytes::from(vec![7; 100]));
        let b = a.clone();
        assert_eq!(backlog.bytes(), 100);
        assert_eq!(&a[..3], [7, 7, 7]);
        drop(a);
        assert_eq!(backlog.bytes(), 100);
        drop(b);
        assert_eq!(backlog.bytes(), 0);
    }
}
