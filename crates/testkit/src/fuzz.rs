//! The fuzz targets' seed corpora (`fuzz/seeds/<corpus>/`), which the
//! crates' tests replay through the fuzz checks.

use std::path::PathBuf;

use crate::python::workspace_root;

/// The files of the seed corpus `corpus`, sorted by name. Panics when the
/// corpus cannot be listed (a test must not pass on a missing corpus).
pub fn seed_files(corpus: &str) -> Vec<PathBuf> {
    let dir = workspace_root().join("fuzz/seeds").join(corpus);
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()));
    seeds.sort();
    seeds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_a_corpus_sorted() {
        let seeds = seed_files("wire");
        assert!(!seeds.is_empty());
        assert!(seeds.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    #[should_panic(expected = "reading")]
    fn a_missing_corpus_fails() {
        let _ = seed_files("no-such-corpus");
    }
}
