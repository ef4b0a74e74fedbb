//! Reading one output pipe of a process into events, under the byte budget.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use tokio::net::unix::pipe;

use crate::budget::{EventSender, READ_SIZE};
use crate::failure::Tail;
use crate::{Event, EventKind, ExecOptions, LineEnd, LineSplitter, OutputMode};

/// Chunks at least this large are handed out without copying.
const ZERO_COPY_CHUNK: usize = READ_SIZE / 2;
/// A partial line at most this long is moved out of the read buffer while
/// its process is waited for.
const SMALL_REMAINDER: usize = 1024;

/// Which output a stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    Stdout,
    Stderr,
}

/// The bytes read from one pipe and not yet delivered.
#[derive(Debug)]
pub(crate) struct OutputStream {
    which: Which,
    mode: OutputMode,
    splitter: LineSplitter,
    tail: Option<Tail>,
}

impl OutputStream {
    /// A stream read in `mode` with the line settings of `options`;
    /// `keep_tail` records its end to recognize ssh diagnostics.
    pub(crate) fn new(
        which: Which,
        mode: OutputMode,
        options: &ExecOptions,
        keep_tail: bool,
    ) -> Self {
        OutputStream {
            which,
            mode,
            splitter: LineSplitter::new(options.max_line_len, options.strip_cr),
            tail: keep_tail.then(Tail::default),
        }
    }

    /// The recorded end of the stream (empty unless asked for).
    pub(crate) fn tail(&self) -> &[u8] {
        self.tail.as_ref().map(Tail::bytes).unwrap_or_default()
    }

    /// The next deliverable event; at end of stream also the last partial line.
    fn next_event(&mut self, at_eof: bool) -> Option<EventKind> {
        let kind = match self.mode {
            OutputMode::Lines => {
                let line = self
                    .splitter
                    .next_line()
                    .or_else(|| if at_eof { self.splitter.finish() } else { None })?;
                if let Some(tail) = &mut self.tail {
                    tail.record(&line.bytes, line.end == LineEnd::Newline);
                }
                match self.which {
                    Which::Stdout => EventKind::Stdout(line),
                    Which::Stderr => EventKind::Stderr(line),
                }
            }
            OutputMode::Chunks => {
                let buf = self.splitter.buffer_mut();
                if buf.is_empty() {
                    return None;
                }
                // A small chunk is copied so the big read buffer is reused
                // instead of being pinned by the event.
                let chunk = if buf.len() >= ZERO_COPY_CHUNK {
                    buf.split().freeze()
                } else {
                    let chunk = Bytes::copy_from_slice(buf);
                    buf.clear();
                    chunk
                };
                if let Some(tail) = &mut self.tail {
                    tail.record(&chunk, false);
                }
                match self.which {
                    Which::Stdout => EventKind::StdoutChunk(chunk),
                    Which::Stderr => EventKind::StderrChunk(chunk),
                }
            }
        };
        Some(kind)
    }

    fn size_bound(&self) -> usize {
        match self.mode {
            OutputMode::Lines => self.splitter.next_size_bound(),
            OutputMode::Chunks => self.splitter.buffered(),
        }
    }

    fn is_empty(&self) -> bool {
        self.splitter.buffered() == 0
    }

    /// Hands every deliverable event over (all of them at end of stream).
    /// Returns `false` when the consumer is gone. Cancel-safe: bytes leave
    /// the buffer only once room for their event is reserved.
    pub(crate) async fn deliver(
        &mut self,
        target: usize,
        key: &Arc<str>,
        events: &EventSender<Event>,
        at_eof: bool,
    ) -> bool {
        while !self.is_empty() {
            let Some(reserved) = events.reserve(self.size_bound()).await else {
                return false;
            };
            let Some(kind) = self.next_event(at_eof) else {
                return true;
            };
            let event = Event {
                target,
                key: key.clone(),
                kind,
            };
            if !reserved.send(event) {
                return false;
            }
        }
        true
    }

    /// Reads the pipe to its end, delivering as it goes. Returns `false`
    /// when the consumer is gone.
    pub(crate) async fn pump(
        &mut self,
        pipe: pipe::Receiver,
        target: usize,
        key: &Arc<str>,
        events: &EventSender<Event>,
    ) -> bool {
        let mut slot = None;
        loop {
            if !self.deliver(target, key, events, false).await {
                return false;
            }
            self.release_spare_capacity();
            drop(slot.take());
            // The read buffer is only allocated once there is something to
            // read and a read slot: an idle or silent pipe (most stderr)
            // holds no memory, and only a few buffers fill at a time.
            if pipe.readable().await.is_err() {
                break;
            }
            slot = events.read_slot().await;
            if slot.is_none() {
                return false;
            }
            let buf = self.splitter.buffer_mut();
            buf.reserve(READ_SIZE);
            match pipe.try_read_buf(buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
                // A read error on a pipe (EIO...) ends the stream like EOF.
                Err(_) => break,
            }
        }
        let delivered = self.deliver(target, key, events, true).await;
        self.release_spare_capacity();
        delivered && self.announce_end(target, key, events).await
    }

    /// Standard output read in chunks says where it ends (a channel peer
    /// may close it and keep running).
    async fn announce_end(
        &self,
        target: usize,
        key: &Arc<str>,
        events: &EventSender<Event>,
    ) -> bool {
        if self.which != Which::Stdout || self.mode != OutputMode::Chunks {
            return true;
        }
        let Some(reserved) = events.reserve(0).await else {
            return false;
        };
        reserved.send(Event {
            target,
            key: key.clone(),
            kind: EventKind::StdoutEnd,
        })
    }

    /// Gives the read buffer back while the stream waits for its process:
    /// nothing is kept when everything was delivered, and a short partial
    /// line moves to a buffer of its own size.
    fn release_spare_capacity(&mut self) {
        let buf = self.splitter.buffer_mut();
        if buf.is_empty() {
            *buf = BytesMut::new();
        } else if buf.len() <= SMALL_REMAINDER {
            *buf = BytesMut::from(&buf[..]);
        }
    }
}
