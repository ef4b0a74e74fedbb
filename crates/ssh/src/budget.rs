//! The event queue between process readers and the consumer, bounded in bytes.
//!
//! A reader first reserves room for the event it is about to hand over, then
//! takes it out of its buffer and sends it; reserving waits while the
//! consumer lags, which stops the reading, fills the pipe and blocks the
//! process: memory stays bounded whatever the process prints. Reserving is
//! cancel-safe, so a timeout or an abort never loses an event half-sent.
//!
//! Reading is bounded too: a reader takes one of a few read slots (about
//! one per [`READ_SIZE`] of budget) before it fills its read buffer, and
//! gives it back once the buffer is delivered, so that many processes
//! printing at once do not each hold a full read buffer while the consumer
//! lags.

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};

/// What every event costs besides its output bytes.
const EVENT_OVERHEAD: usize = 64;
/// Bytes asked of a pipe per read (a Linux pipe holds 64 KiB by default).
pub(crate) const READ_SIZE: usize = 8 * 1024;

/// The sending side, cloned into every target's task.
#[derive(Debug)]
pub(crate) struct EventSender<T> {
    tx: mpsc::UnboundedSender<(T, u32)>,
    budget: Arc<Semaphore>,
    read_slots: Arc<Semaphore>,
    max: u32,
}

impl<T> Clone for EventSender<T> {
    fn clone(&self) -> Self {
        EventSender {
            tx: self.tx.clone(),
            budget: self.budget.clone(),
            read_slots: self.read_slots.clone(),
            max: self.max,
        }
    }
}

/// The right to fill a read buffer, held until it is delivered.
pub(crate) type ReadSlot<'a> = tokio::sync::SemaphorePermit<'a>;

/// Room reserved for one event.
pub(crate) struct Reserved<'a, T> {
    sender: &'a EventSender<T>,
    permit: tokio::sync::SemaphorePermit<'a>,
    cost: u32,
}

impl<T> Reserved<'_, T> {
    /// Hands the event over. Returns `false` when the consumer is gone.
    pub(crate) fn send(self, event: T) -> bool {
        self.permit.forget();
        self.sender.tx.send((event, self.cost)).is_ok()
    }
}

impl<T> EventSender<T> {
    /// Waits for room for an event carrying up to `bytes` output bytes;
    /// `None` when the consumer is gone.
    pub(crate) async fn reserve(&self, bytes: usize) -> Option<Reserved<'_, T>> {
        let cost = bytes.saturating_add(EVENT_OVERHEAD).min(self.max as usize) as u32;
        let permit = self.budget.acquire_many(cost).await.ok()?;
        Some(Reserved {
            sender: self,
            permit,
            cost,
        })
    }

    /// Waits for a read slot; `None` when the consumer is gone.
    pub(crate) async fn read_slot(&self) -> Option<ReadSlot<'_>> {
        self.read_slots.acquire().await.ok()
    }

    /// Reserves room and sends; `false` when the consumer is gone.
    pub(crate) async fn send(&self, event: T, bytes: usize) -> bool {
        match self.reserve(bytes).await {
            Some(reserved) => reserved.send(event),
            None => false,
        }
    }
}

/// The consuming side.
#[derive(Debug)]
pub(crate) struct EventReceiver<T> {
    rx: mpsc::UnboundedReceiver<(T, u32)>,
    budget: Arc<Semaphore>,
    read_slots: Arc<Semaphore>,
}

impl<T> EventReceiver<T> {
    /// The next event; `None` once every sender is gone and the queue drained.
    pub(crate) async fn recv(&mut self) -> Option<T> {
        let (event, cost) = self.rx.recv().await?;
        self.budget.add_permits(cost as usize);
        Some(event)
    }
}

impl<T> Drop for EventReceiver<T> {
    fn drop(&mut self) {
        // Readers waiting for room learn that nobody will make any.
        self.budget.close();
        self.read_slots.close();
    }
}

/// A queue holding at most about `budget_bytes` of output.
pub(crate) fn channel<T>(budget_bytes: usize) -> (EventSender<T>, EventReceiver<T>) {
    let max = budget_bytes.clamp(
        EVENT_OVERHEAD * 4,
        Semaphore::MAX_PERMITS.min(u32::MAX as usize),
    );
    let budget = Arc::new(Semaphore::new(max));
    let read_slots = Arc::new(Semaphore::new((max / READ_SIZE).max(1)));
    let (tx, rx) = mpsc::unbounded_channel();
    let sender = EventSender {
        tx,
        budget: budget.clone(),
        read_slots: read_slots.clone(),
        max: max as u32,
    };
    let receiver = EventReceiver {
        rx,
        budget,
        read_slots,
    };
    (sender, receiver)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_full_budget_blocks_until_the_consumer_takes() {
        let (tx, mut rx) = channel::<usize>(1000);
        assert!(tx.send(1, 600).await);
        // 664 of 1000 used: the next 600-byte event must wait.
        let blocked = tokio::time::timeout(Duration::from_millis(50), tx.send(2, 600)).await;
        assert!(blocked.is_err());
        assert_eq!(rx.recv().await, Some(1));
        assert!(tx.send(3, 600).await);
        assert_eq!(rx.recv().await, Some(3));
    }

    #[tokio::test]
    async fn an_event_larger_than_the_budget_still_passes() {
        let (tx, mut rx) = channel::<u8>(1000);
        assert!(tx.send(7, 1 << 20).await);
        assert_eq!(rx.recv().await, Some(7));
    }

    #[tokio::test]
    async fn senders_learn_the_consumer_is_gone() {
        let (tx, rx) = channel::<u8>(1000);
        assert!(tx.send(1, 900).await);
        let waiting = tokio::spawn(async move { tx.send(2, 900).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(rx);
        assert!(!waiting.await.unwrap());
    }

    #[tokio::test]
    async fn read_slots_follow_the_budget() {
        let (tx, rx) = channel::<u8>(3 * READ_SIZE);
        let slots = [
            tx.read_slot().await,
            tx.read_slot().await,
            tx.read_slot().await,
        ];
        assert!(slots.iter().all(Option::is_some));
        let fourth = tokio::time::timeout(Duration::from_millis(20), tx.read_slot()).await;
        assert!(fourth.is_err(), "only three slots for three read sizes");
        drop(slots);
        assert!(tx.read_slot().await.is_some());
        drop(rx);
        assert!(
            tx.read_slot().await.is_none(),
            "no slot once the consumer is gone"
        );
    }

    #[tokio::test]
    async fn a_small_budget_still_has_one_read_slot() {
        let (tx, _rx) = channel::<u8>(10);
        assert!(tx.read_slot().await.is_some());
    }
}
