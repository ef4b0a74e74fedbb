//! Bytes in flight: each chunk handed out is counted until the last copy
//! of its `Bytes` is dropped (a direct process wrote it to its pipe, a
//! gateway acknowledged it, a history kept for rerouting let it go). The
//! initiator's writers wait on it (standard input, copies: `tree`), and
//! the gateway stops reading its parent on it (`gateway::backlog`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use tokio::sync::Notify;

/// The count, shared with every chunk it tracks.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    bytes: AtomicUsize,
    shrunk: Notify,
}

impl InFlight {
    /// `data`, counted until every copy of the returned `Bytes` is gone.
    pub(crate) fn track(self: &Arc<Self>, data: Bytes) -> Bytes {
        self.bytes.fetch_add(data.len(), Ordering::AcqRel);
        Bytes::from_owner(Held {
            data,
            count: self.clone(),
        })
    }

    /// Bytes in flight.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Acquire)
    }

    /// Resolves once fewer than `limit` bytes are in flight.
    pub(crate) async fn below(&self, limit: usize) {
        loop {
            let shrunk = self.shrunk.notified();
            tokio::pin!(shrunk);
            shrunk.as_mut().enable();
            if self.bytes() < limit {
                return;
            }
            shrunk.await;
        }
    }

    /// Resolves when the count shrank (or already had since the last
    /// call: the wake-up is kept).
    pub(crate) async fn shrunk(&self) {
        self.shrunk.notified().await;
    }
}

struct Held {
    data: Bytes,
    count: Arc<InFlight>,
}

impl AsRef<[u8]> for Held {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.count
            .bytes
            .fetch_sub(self.data.len(), Ordering::AcqRel);
        // Every waiter of `below`, and a kept wake-up for `shrunk`.
        self.count.shrunk.notify_waiters();
        self.count.shrunk.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn counts_until_every_copy_is_dropped() {
        let count = Arc::new(InFlight::default());
        let a = count.track(Bytes::from(vec![7; 100]));
        let b = a.clone();
        assert_eq!(count.bytes(), 100);
        assert_eq!(&a[..3], [7, 7, 7]);
        drop(a);
        assert_eq!(count.bytes(), 100);
        drop(b);
        assert_eq!(count.bytes(), 0);
    }

    #[tokio::test]
    async fn a_writer_waits_while_the_window_is_full() {
        let count = Arc::new(InFlight::default());
        let held = count.track(Bytes::from(vec![1; 64]));
        let waiter = {
            let count = count.clone();
            tokio::spawn(async move { count.below(64).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished(), "64 bytes in flight: must wait");
        drop(held);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap();
        count.below(1).await;
    }

    #[tokio::test]
    async fn a_shrink_before_the_wait_is_kept() {
        let count = Arc::new(InFlight::default());
        drop(count.track(Bytes::from(vec![1; 8])));
        tokio::time::timeout(Duration::from_secs(5), count.shrunk())
            .await
            .unwrap();
    }
}
