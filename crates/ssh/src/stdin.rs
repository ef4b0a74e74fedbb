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
///
/// A chunk every *started* reader has passed is kept for the queued ones
/// as a copy of its own (*detached*): the writer's `Bytes` is let go, so
/// a writer that learns from its drop that its data was taken (flow
/// control) waits only for the targets that run, never for those queued.
#[derive(Debug, Default)]
struct Log {
    chunks: VecDeque<Bytes>,
    /// Index (since the start of the stream) of `chunks[0]`.
    base: u64,
    closed: bool,
    /// How many readers stand at each position: the smallest one bounds
    /// what may be dropped.
    cursors: BTreeMap<u64, usize>,
    /// The same for the readers that started reading.
    started: BTreeMap<u64, usize>,
    /// Chunks before this index are detached copies.
    detached: u64,
}

/// Moves one reader of `cursors` from `from` to `to` (`None`: none).
fn move_in(cursors: &mut BTreeMap<u64, usize>, from: Option<u64>, to: Option<u64>) {
    if let Some(from) = from {
        if let Some(n) = cursors.get_mut(&from) {
            *n -= 1;
            if *n == 0 {
                cursors.remove(&from);
            }
        }
    }
    if let Some(to) = to {
        *cursors.entry(to).or_default() += 1;
    }
}

impl Log {
    fn move_cursor(&mut self, from: Option<u64>, to: Option<u64>) {
        move_in(&mut self.cursors, from, to);
        let keep_from = self.cursors.keys().next().copied().unwrap_or(u64::MAX);
        while self.base < keep_from && self.chunks.pop_front().is_some() {
            self.base += 1;
        }
        self.detach();
    }

    /// Moves a started reader (see [`Log::move_cursor`]).
    fn move_started(&mut self, from: Option<u64>, to: Option<u64>) {
        move_in(&mut self.started, from, to);
        self.move_cursor(from, to);
    }

    /// Replaces each chunk every started reader passed (every chunk when
    /// none started) by a copy of its own, for the queued readers.
    fn detach(&mut self) {
        let end = self.base + self.chunks.len() as u64;
        let passed = self.started.keys().next().copied().unwrap_or(end);
        let from = self.detached.max(self.base);
        for index in from..passed.min(end) {
            let slot = (index - self.base) as usize;
            if let Some(chunk) = self.chunks.get_mut(slot) {
                *chunk = Bytes::copy_from_slice(chunk);
            }
        }
        self.detached = self.detached.max(passed.min(end));
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
            log.detach();
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
            started: false,
        }
    }
}

/// One target's position in the run's standard input.
#[derive(Debug)]
pub(crate) struct BroadcastReader {
    shared: Arc<Shared>,
    next: u64,
    /// Whether it started reading (its target is not queued any more).
    started: bool,
}

impl BroadcastReader {
    /// The next chunk to write; `None` once the input is closed and all read.
    pub(crate) async fn next(&mut self) -> Option<Bytes> {
        if !self.started {
            self.started = true;
            let mut log = self.shared.lock();
            move_in(&mut log.started, None, Some(self.next));
            log.move_cursor(Some(self.next), Some(self.next));
        }
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut log = self.shared.lock();
                let index = self.next.saturating_sub(log.base) as usize;
                if let Some(chunk) = log.chunks.get(index).cloned() {
                    log.move_started(Some(self.next), Some(self.next + 1));
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
        let mut log = self.shared.lock();
        if self.started {
            log.move_started(Some(self.next), None);
        } else {
            log.move_cursor(Some(self.next), None);
        }
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

    /// A chunk and a token its owner holds: the token's count says
    /// whether the chunk's bytes are still held somewhere.
    fn watched(data: &'static [u8]) -> (Bytes, Arc<()>) {
        let token = Arc::new(());
        struct Owner(&'static [u8], #[allow(dead_code)] Arc<()>);
        impl AsRef<[u8]> for Owner {
            fn as_ref(&self) -> &[u8] {
                self.0
            }
        }
        (Bytes::from_owner(Owner(data, token.clone())), token)
    }

    #[tokio::test]
    async fn queued_readers_keep_copies_not_the_writers_bytes() {
        let stdin = RunStdin::default();
        let mut running = stdin.reader();
        let mut queued = stdin.reader();
        let (chunk, token) = watched(b"one");
        // The reader waits for a write: it started.
        let first = tokio::spawn(async move {
            let got = running.next().await;
            (running, got)
        });
        tokio::task::yield_now().await;
        stdin.write(chunk).unwrap();
        let (mut running, got) = first.await.unwrap();
        drop(got);
        // Only the queued reader needs it: the writer's bytes are let go.
        assert_eq!(Arc::strong_count(&token), 1);
        let (chunk, token) = watched(b"two");
        stdin.write(chunk).unwrap();
        // The started reader has not passed it: it is held.
        assert_eq!(Arc::strong_count(&token), 2);
        assert_eq!(running.next().await.unwrap(), &b"two"[..]);
        assert_eq!(Arc::strong_count(&token), 1);
        stdin.close();
        assert_eq!(queued.next().await.unwrap(), &b"one"[..]);
        assert_eq!(queued.next().await.unwrap(), &b"two"[..]);
        assert_eq!(queued.next().await, None);
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
