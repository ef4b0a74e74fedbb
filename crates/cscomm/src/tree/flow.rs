//! Flow control of what is written to a run (standard input, a copy's
//! archive): each write's bytes are counted until every holder lets go of
//! them (a direct process wrote them to its pipe, a gateway acknowledged
//! them, the history kept for rerouting dropped them), and the writer
//! waits while more than a window is in flight. Targets queued by the
//! fanout keep copies of their own (`cscomm-ssh`'s run input), so they do
//! not hold the window: a `cat` on more nodes than the fanout goes on.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use tokio::sync::Notify;

/// Bytes of standard input in flight to started targets, at most
/// (before the next write waits).
pub(super) const STDIN_WINDOW: usize = 4 << 20;

/// The bytes in flight, shared with every chunk it tracks.
#[derive(Debug, Default)]
pub(super) struct Window {
    bytes: AtomicUsize,
    shrunk: Notify,
}

impl Window {
    /// `data`, counted until every copy of the returned `Bytes` is gone.
    pub(super) fn track(self: &Arc<Self>, data: Bytes) -> Bytes {
        self.bytes.fetch_add(data.len(), Ordering::AcqRel);
        Bytes::from_owner(Held {
            data,
            window: self.clone(),
        })
    }

    /// Bytes in flight.
    pub(super) fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Acquire)
    }

    /// Resolves once fewer than `limit` bytes are in flight.
    pub(super) async fn below(&self, limit: usize) {
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
}

struct Held {
    data: Bytes,
    window: Arc<Window>,
}

impl AsRef<[u8]> for Held {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.window
            .bytes
            .fetch_sub(self.data.len(), Ordering::AcqRel);
        self.window.shrunk.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn counts_until_every_copy_is_dropped() {
        let window = Arc::new(Window::default());
        let a = window.track(Bytes::from(vec![7; 100]));
        let b = a.clone();
        assert_eq!(window.bytes(), 100);
        assert_eq!(&a[..3], [7, 7, 7]);
        drop(a);
        assert_eq!(window.bytes(), 100);
        drop(b);
        assert_eq!(window.bytes(), 0);
    }

    #[tokio::test]
    async fn a_writer_waits_while_the_window_is_full() {
        let window = Arc::new(Window::default());
        let held = window.track(Bytes::from(vec![1; 64]));
        let waiter = {
            let window = window.clone();
            tokio::spawn(async move { window.below(64).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished(), "64 bytes in flight: must wait");
        drop(held);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap();
        window.below(1).await;
    }
}
