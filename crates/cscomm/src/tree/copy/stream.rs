//! The archive of a copy's source, made while it is sent: a thread writes
//! the tar in chunks into a small queue; the sender writes each chunk to
//! the run and keeps a few in flight, each one known taken when every
//! target (a direct process, or a gateway by its `ACK`) let go of it (the
//! run's flow control, shared with standard input: `tree/flow.rs`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use super::super::TreeHandle;

/// Bytes of the archive per `write` (ClusterShell writes 32 KiB).
pub(super) const CHUNK: usize = 256 << 10;
/// Bytes written and not yet taken by every started target, at most.
const WINDOW: usize = 8 * CHUNK;
/// Chunks made ahead of the sender by the archiving thread.
const MADE_AHEAD: usize = 2;

/// Archives `source` as `member` and writes it to `handle`, then closes
/// the targets' input. On an error reading the source nothing more is
/// written and the input is left open: the caller ends the run (an
/// archive cut short must not reach the targets' end of input).
pub(super) async fn send(handle: TreeHandle, source: PathBuf, member: String) -> io::Result<()> {
    let (chunks_tx, mut chunks) = mpsc::channel::<Vec<u8>>(MADE_AHEAD);
    let archiver = tokio::task::spawn_blocking(move || archive(&source, &member, chunks_tx));
    while let Some(data) = chunks.recv().await {
        handle.write_within(data.into(), WINDOW).await;
    }
    match archiver.await {
        Ok(Ok(())) => {
            handle.close_stdin();
            Ok(())
        }
        Ok(Err(error)) => Err(error),
        Err(join) => Err(io::Error::other(join.to_string())),
    }
}

/// Writes the tar of `source` (named `member` in it) in chunks of
/// [`CHUNK`] bytes to `chunks`. Symbolic links are archived as links.
fn archive(source: &Path, member: &str, chunks: mpsc::Sender<Vec<u8>>) -> io::Result<()> {
    let writer = ChunkWriter {
        buf: Vec::with_capacity(CHUNK),
        chunks,
    };
    let mut builder = tar::Builder::new(writer);
    builder.follow_symlinks(false);
    // Real modes and times: the receiving `tar` keeps or drops them (-p).
    builder.mode(tar::HeaderMode::Complete);
    let meta = std::fs::symlink_metadata(source)?;
    if meta.is_dir() {
        builder.append_dir_all(member, source)?;
    } else {
        builder.append_path_with_name(source, member)?;
    }
    let mut writer = builder.into_inner()?;
    writer.flush()
}

/// Cuts what it is given into chunks sent to the queue (waiting when the
/// queue is full: the thread then blocks, memory stays bounded).
struct ChunkWriter {
    buf: Vec<u8>,
    chunks: mpsc::Sender<Vec<u8>>,
}

impl ChunkWriter {
    fn ship(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.chunks
            .blocking_send(full)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the copy was stopped"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK - self.buf.len();
        let n = room.min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.ship()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.ship()
    }
}
