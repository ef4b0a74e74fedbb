//! `--outdir`/`--errdir`: one file per node (named after it) holding its
//! standard output or error, a newline after each line, as clush writes
//! them (pssh style). Every target's file is created (empty if the node
//! prints nothing), the directory too if missing.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use cscomm::tree::NodeSet;

/// Files kept open at once; past it they are flushed and closed, then
/// opened again (appending) as lines come: thousands of nodes never
/// exhaust the file descriptors.
const MAX_OPEN: usize = 256;

/// The files of one directory.
#[derive(Debug)]
pub(super) struct NodeFiles {
    dir: PathBuf,
    /// Node names the files are for (other names, such as a gateway's own
    /// errors, get none).
    targets: std::collections::HashSet<String>,
    open: HashMap<String, BufWriter<File>>,
}

impl NodeFiles {
    /// Creates `dir` if missing and an empty file per target.
    pub(super) fn create(dir: &Path, targets: &NodeSet) -> io::Result<NodeFiles> {
        std::fs::create_dir_all(dir)?;
        let mut files = NodeFiles {
            dir: dir.to_path_buf(),
            targets: targets.iter().collect(),
            open: HashMap::new(),
        };
        for node in targets.iter() {
            File::create(files.path(&node))?;
        }
        files.targets.shrink_to_fit();
        Ok(files)
    }

    fn path(&self, node: &str) -> PathBuf {
        self.dir.join(node)
    }

    /// Appends `line` and a newline to the file of `node` (if a target).
    pub(super) fn line(&mut self, node: &str, line: &[u8]) -> io::Result<()> {
        if !self.targets.contains(node) {
            return Ok(());
        }
        if !self.open.contains_key(node) {
            if self.open.len() >= MAX_OPEN {
                self.close()?;
            }
            let file = OpenOptions::new().append(true).open(self.path(node))?;
            self.open.insert(node.to_owned(), BufWriter::new(file));
        }
        if let Some(out) = self.open.get_mut(node) {
            out.write_all(line)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Flushes and closes every open file.
    pub(super) fn close(&mut self) -> io::Result<()> {
        for (_, mut out) in self.open.drain() {
            out.flush()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_gets_its_file_and_lines_in_order() {
        let dir = std::env::temp_dir().join(format!("cscomm-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let targets: NodeSet = "n[1-300]".parse().unwrap();
        let mut files = NodeFiles::create(&dir.join("out"), &targets).unwrap();
        for round in 0..2 {
            for node in targets.iter() {
                files
                    .line(&node, format!("{node} {round}").as_bytes())
                    .unwrap();
            }
        }
        files.line("gw1", b"not a target").unwrap();
        files.close().unwrap();
        let read = |n: &str| std::fs::read_to_string(dir.join("out").join(n)).unwrap();
        assert_eq!(read("n7"), "n7 0\nn7 1\n");
        assert_eq!(read("n300"), "n300 0\nn300 1\n");
        assert!(!dir.join("out/gw1").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
