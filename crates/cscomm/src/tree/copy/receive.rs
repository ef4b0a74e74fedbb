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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use bytes::BytesMut;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cscomm-rcopy-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// The base64 lines (of 64 characters) of a tar of `name/` holding `f`.
    fn lines(name: &str, data: &[u8]) -> Vec<Vec<u8>> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut dir = tar::Header::new_gnu();
        dir.set_entry_type(tar::EntryType::Directory);
        dir.set_mode(0o755);
        dir.set_size(0);
        dir.set_cksum();
        builder
            .append_data(&mut dir, format!("{name}/"), &[][..])
            .unwrap();
        let mut file = tar::Header::new_gnu();
        file.set_size(data.len() as u64);
        file.set_mode(0o600);
        file.set_cksum();
        builder
            .append_data(&mut file, format!("{name}/f"), data)
            .unwrap();
        let tar = builder.into_inner().unwrap();
        let mut text = BytesMut::new();
        let width = std::num::NonZeroUsize::new(64).unwrap();
        cscomm_message::base64::encode_wrapped(&tar, width, &mut text);
        text[..]
            .split(|b| *b == b'\n')
            .map(<[u8]>::to_vec)
            .collect()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn each_node_gets_name_dot_node_and_failures_leave_nothing() {
        let dest = scratch("nodes");
        let mut receiver = Receiver::new(dest.clone(), "logs".into(), false);
        let (a, b): (Arc<str>, Arc<str>) = ("n1".into(), "10.0.0.2".into());
        for line in lines("logs", b"from n1") {
            receiver.line(&a, &line);
        }
        for line in lines("logs", b"from b") {
            receiver.line(&b, &line);
        }
        receiver.finish(&a, 0).unwrap();
        receiver.finish(&b, 2).unwrap(); // a failed node: its data dropped
        assert_eq!(fs::read(dest.join("logs.n1/f")).unwrap(), b"from n1");
        assert_eq!(names(&dest), ["logs.n1"]);
        // Again onto the existing result: merged, the file replaced.
        for line in lines("logs", b"again") {
            receiver.line(&a, &line);
        }
        receiver.finish(&a, 0).unwrap();
        assert_eq!(fs::read(dest.join("logs.n1/f")).unwrap(), b"again");
        assert_eq!(names(&dest), ["logs.n1"]);
    }

    #[test]
    fn bad_data_is_an_error_of_that_node() {
        let dest = scratch("bad");
        let mut receiver = Receiver::new(dest.clone(), "x".into(), false);
        let node: Arc<str> = "n1".into();
        receiver.line(&node, b"not base64 at all!");
        let error = receiver.finish(&node, 0).unwrap_err();
        assert!(error.contains("bad data from the node"), "{error}");
        let other: Arc<str> = "n2".into();
        receiver.line(&other, b"AAAA");
        let error = receiver.finish(&other, 0).unwrap_err();
        assert!(
            error.contains("cannot unpack") || error.contains("holds no"),
            "{error}"
        );
        assert_eq!(receiver.finish("n3", 0).unwrap_err(), "no data received");
        assert!(names(&dest).is_empty(), "{:?}", names(&dest));
    }
}
