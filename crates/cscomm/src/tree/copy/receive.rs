//! What `--rcopy` does with what comes back: each node's standard output
//! (base64 lines of a tar) decoded into a hidden file of its own in the
//! destination, unpacked once the node exited 0, and moved in place as
//! `DEST/NAME.NODE`, the node named as the caller named it.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One node's archive being received.
#[derive(Debug)]
struct Incoming {
    file: BufWriter<File>,
    path: PathBuf,
    /// Base64 characters after the last whole group of four.
    carry: Vec<u8>,
    /// The first thing that went wrong (later output is dropped).
    error: Option<String>,
}

/// Every node's archive being received into `dest`.
#[derive(Debug)]
pub(super) struct Receiver {
    dest: PathBuf,
    name: String,
    preserve: bool,
    nodes: HashMap<Arc<str>, Incoming>,
}

impl Receiver {
    /// Receives archives of `name` into the local directory `dest`.
    pub(super) fn new(dest: PathBuf, name: String, preserve: bool) -> Self {
        Receiver {
            dest,
            name,
            preserve,
            nodes: HashMap::new(),
        }
    }

    /// A line of `node`'s standard output.
    pub(super) fn line(&mut self, node: &Arc<str>, line: &[u8]) {
        let incoming = match self.nodes.get_mut(node) {
            Some(incoming) => incoming,
            None => match self.open(node) {
                Ok(incoming) => self.nodes.entry(node.clone()).or_insert(incoming),
                Err(error) => {
                    tracing::warn!("{node}: {error}");
                    return;
                }
            },
        };
        if incoming.error.is_some() {
            return;
        }
        if let Err(error) = decode_into(incoming, line) {
            incoming.error = Some(error);
        }
    }

    fn open(&self, node: &str) -> io::Result<Incoming> {
        let path = self.hidden(node, "tar");
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Incoming {
            file: BufWriter::new(file),
            path,
            carry: Vec::new(),
            error: None,
        })
    }

    /// A hidden name in the destination for `node`'s work files.
    fn hidden(&self, node: &str, what: &str) -> PathBuf {
        let pid = std::process::id();
        self.dest
            .join(format!(".{}.{node}.cscomm-{pid}.{what}", self.name))
    }

    /// `node` exited with `code`: on 0 its archive is unpacked and moved
    /// in place. The error, if that fails (the node then counts as failed).
    pub(super) fn finish(&mut self, node: &str, code: i32) -> Result<(), String> {
        let incoming = self.nodes.remove(node);
        if code != 0 {
            if let Some(incoming) = incoming {
                let _ = fs::remove_file(&incoming.path);
            }
            return Ok(());
        }
        let Some(incoming) = incoming else {
            return Err("no data received".to_owned());
        };
        let result = self.install(node, incoming.file, &incoming.carry, incoming.error);
        let _ = fs::remove_file(&incoming.path);
        result
    }

    /// `node` ended without an exit code (timed out): its data is dropped.
    pub(super) fn drop_node(&mut self, node: &str) {
        if let Some(incoming) = self.nodes.remove(node) {
            let _ = fs::remove_file(&incoming.path);
        }
    }

    fn install(
        &self,
        node: &str,
        mut file: BufWriter<File>,
        carry: &[u8],
        error: Option<String>,
    ) -> Result<(), String> {
        if let Some(error) = error {
            return Err(error);
        }
        if !carry.is_empty() {
            return Err(format!(
                "output ends with a partial base64 group of {} characters",
                carry.len()
            ));
        }
        file.flush().map_err(|e| e.to_string())?;
        let mut file = file.into_inner().map_err(|e| e.error().to_string())?;
        io::Seek::rewind(&mut file).map_err(|e| e.to_string())?;
        let scratch = self.hidden(node, "d");
        let result = self.unpack(file, &scratch, node);
        let _ = fs::remove_dir_all(&scratch);
        result
    }

    fn unpack(&self, file: File, scratch: &Path, node: &str) -> Result<(), String> {
        fs::create_dir(scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
        let mut archive = tar::Archive::new(io::BufReader::new(file));
        archive.set_preserve_mtime(self.preserve);
        archive.set_preserve_permissions(self.preserve);
        archive.set_overwrite(true);
        archive
            .unpack(scratch)
            .map_err(|e| format!("cannot unpack the archive: {e}"))?;
        let unpacked = scratch.join(&self.name);
        if fs::symlink_metadata(&unpacked).is_err() {
            return Err(format!("the archive holds no {:?}", self.name));
        }
        let target = self.dest.join(format!("{}.{node}", self.name));
        merge(&unpacked, &target).map_err(|e| format!("{}: {e}", target.display()))
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        for incoming in self.nodes.values() {
            let _ = fs::remove_file(&incoming.path);
        }
    }
}

/// Decodes a base64 line (with what was left of the last one) into the
/// node's file.
fn decode_into(incoming: &mut Incoming, line: &[u8]) -> Result<(), String> {
    incoming.carry.extend_from_slice(line);
    let whole = incoming.carry.len() / 4 * 4;
    let mut out = Vec::with_capacity(whole / 4 * 3);
    cscomm_message::base64::decode(&incoming.carry[..whole], &mut out)
        .map_err(|e| format!("bad data from the node: {e}"))?;
    incoming.carry.drain(..whole);
    incoming
        .file
        .write_all(&out)
        .map_err(|e| format!("{}: {e}", incoming.path.display()))
}

/// Moves `from` to `to`: a directory onto an existing directory merges
/// into it (as `tar` would unpack over it); anything else replaces.
fn merge(from: &Path, to: &Path) -> io::Result<()> {
    let both_dirs =
        fs::symlink_metadata(to).is_ok_and(|m| m.is_dir()) && fs::symlink_metadata(from)?.is_dir();
    if !both_dirs {
        return fs::rename(from, to);
    }
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        merge(&entry.path(), &to.join(entry.file_name()))?;
    }
    Ok(())
}
