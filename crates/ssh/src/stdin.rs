//! Standard input fed to targets: one shared log for every target of a run,
//! or an ordered, bounded channel for a session.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::{Notify, mpsc};

use crate::Error;

/// Bytes written to a run, kept until every target that may still read them
/// has passed them. Targets still queued by the fanout read from the start,
/// as ClusterShell does (it buffers writes for clients not started yet).
#[derive(Debug, Default)]
struct Log {
    chunks: VecDeque<Bytes>,
    /// Index (since the start of the stream) of `chunks[0]`.
    base: u64,
    closed: bool,
    /// How many readers stand at each position: the smallest one bounds
    /// what may be dropped.
    cursors: BTreeMap<u64, usize>,
}

impl Log {
    fn move_cursor(&mut self, from: Option<u64>, to: Option<u64>) {
        if let Some(from) = from {
            if let Some(n) = self.cursors.get_mut(&from) {
                *n -= 1;
                if *n == 0 {
                    self.cursors.remove(&from);
                }
            }
        }
        if let Some(to) = to {
            *self.cursors.entry(to).or_default() += 1;
        }
        let keep_from = self.cursors.keys().next().copied().unwrap_or(u64::MAX);
        while self.base < keep_from && self.chunks.pop_front().is_some() {
            self.base += 1;
        }
    }
}

#[derive(Debug, Default)]
struct Shared {
    log: Mutex<Log>,
    changed: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Log> {
        // A panic while holding this lock leaves consistent data: go on.
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The writing side of a run's standard input (cheap to clone).
#[derive(Debug, Clone, Default)]
pub struct RunStdin {
    shared: Arc<Shared>,
}

impl RunStdin {
    /// Sends bytes to the standard input of every target of the run, started
    /// or still queued. Never waits: the bytes are kept once, shared by all
    /// targets, until each has written them (or ended).
    pub fn write(&self, data: impl Into<Bytes>) -> Result<(), Error> {
        let data = data.into();
        let mut log = self.shared.lock();
        if log.closed {
            return Err(Error::StdinClosed);
        }
        // With no reader left, nobody will ever want the bytes.
        if !data.is_empty() && !log.cursors.is_empty() {
            log.chunks.push_back(data);
        }
        drop(log);
        self.shared.changed.notify_waiters();
        Ok(())
    }

    /// Closes every target's standard input once it has written what came before.
    pub fn close(&self) {
        self.shared.lock().closed = true;
        self.shared.changed.notify_waiters();
    }

    /// A reader for one target, starting at the beginning of the stream.
    pub(crate) fn reader(&self) -> BroadcastReader {
        let mut log = self.shared.lock();
        // Readers are made when a run is created, before any write: base is 0.
        let start = log.base;
        log.move_cursor(None, Some(start));
        BroadcastReader {
            shared: self.shared.clone(),
            next: start,
        }
    }
}

/// One target's position in the run's standard input.
#[derive(Debug)]
pub(crate) struct BroadcastReader {
    shared: Arc<Shared>,
    next: u64,
}

impl BroadcastReader {
    /// The next chunk to write; `None` once the input is closed and all read.
    pub(crate) async fn next(&mut self) -> Option<Bytes> {
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut log = self.shared.lock();
                let index = self.next.saturating_sub(log.base) as usize;
                if let Some(chunk) = log.chunks.get(index).cloned() {
                    log.move_cursor(Some(self.next), Some(self.next + 1));
                    self.next += 1;
                    return Some(chunk);
                }
                if log.closed {
                    return None;
                }
            }
            notified.await;
        }
    }
}

impl Drop for BroadcastReader {
    fn drop(&mut self) {
        self.shared.lock().move_cursor(Some(self.next), None);
    }
}

/// A message to a session's standard input.
#[derive(Debug)]
pub(crate) enum StdinMessage {
    Data(Bytes),
    Close,
}

/// Where one process's standard input comes from.
#[derive(Debug)]
pub(crate) enum StdinSource {
    /// `/dev/null`.
    Null,
    /// The run's shared log.
    Broadcast(BroadcastReader),
    /// A session's own channel.
    Channel(mpsc::Receiver<StdinMessage>),
}

impl StdinSource {
    /// The next chunk to write; `None` at end of input.
    pub(crate) async fn next(&mut self) -> Option<Bytes> {
        match self {
            StdinSource::Null => None,
            StdinSource::Broadcast(reader) => reader.next().await,
            StdinSource::Channel(rx) => match rx.recv().await? {
                StdinMessage::Data(data) => Some(data),
                StdinMessage::Close => None,
            },
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_reader_gets_everything_in_order_and_memory_is_released() {
        let stdin = RunStdin::default();
        let mut a = stdin.reader();
        let mut b = stdin.reader();
        stdin.write(&b"one"[..]).unwrap();
        stdin.write(&b"two"[..]).unwrap();
        assert_eq!(a.next().await.unwrap(), &b"one"[..]);
        assert_eq!(a.next().await.unwrap(), &b"two"[..]);
        // b has read nothing yet: both chunks are kept.
        assert_eq!(stdin.shared.lock().chunks.len(), 2);
        assert_eq!(b.next().await.unwrap(), &b"one"[..]);
        assert_eq!(stdin.shared.lock().chunks.len(), 1);
        drop(b);
        assert_eq!(stdin.shared.lock().chunks.len(), 0);
        stdin.close();
        assert_eq!(a.next().await, None);
        assert!(matches!(stdin.write(&b"x"[..]), Err(Error::StdinClosed)));
    }

    #[tokio::test]
    async fn a_reader_waits_for_writes() {
        let stdin = RunStdin::default();
        let mut reader = stdin.reader();
        let task = tokio::spawn(async move { reader.next().await });
        tokio::task::yield_now().await;
        stdin.write(&b"late"[..]).unwrap();
        assert_eq!(task.await.unwrap().unwrap(), &b"late"[..]);
    }
}
