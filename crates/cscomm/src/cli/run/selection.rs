//! The target nodes of `cscomm run`, chosen as clush 1.10.1 chooses them:
//! `-w` and `-x` node sets with groups, `--hostfile`, `-a`, `-g`, `-X`,
//! `-s`, `--groupsconf`, `--pick`.

use std::path::Path;

use cscomm::tree::NodeSet;
use cscomm_groups::{Error, GroupResolver};

use super::RunArgs;

/// Why no target set could be chosen: clush's message and exit status.
#[derive(Debug)]
pub(super) enum SelectionError {
    /// An error clush reports with status 1 (`cscomm: ...` or `ERROR: ...`).
    Groups(Error),
    /// A usage error (status 2), printed after clush's usage line.
    Usage(String),
}

impl From<Error> for SelectionError {
    fn from(error: Error) -> SelectionError {
        SelectionError::Groups(error)
    }
}

impl SelectionError {
    /// Prints the error as clush does; the exit code.
    pub(super) fn exit(&self) -> std::process::ExitCode {
        std::process::ExitCode::from(self.report())
    }

    /// Prints the error as clush does; the exit status.
    fn report(&self) -> u8 {
        match self {
            SelectionError::Groups(e) => {
                eprintln!("{}", e.message("cscomm"));
                1
            }
            SelectionError::Usage(message) => {
                eprintln!("Usage: cscomm [options] command\n\ncscomm: error: {message}");
                2
            }
        }
    }
}

/// The group resolver of the command line: `--groupsconf`, else
/// ClusterShell's `groups.conf` search path.
pub(super) fn resolver(args: &RunArgs) -> GroupResolver {
    match &args.groupsconf {
        Some(file) => GroupResolver::from_config_files(vec![file.clone()]),
        None => GroupResolver::from_default_config(),
    }
}

/// The targets, in clush's order of evaluation (its errors come first for
/// the first option that has one).
///
/// At `verbosity` 1 or more, a `-w` or `-x` of one node that is also a
/// local path gets clush's warning (the shell may have expanded a
/// pattern).
pub(super) fn targets(
    args: &RunArgs,
    resolver: &mut GroupResolver,
    verbosity: i64,
) -> Result<NodeSet, SelectionError> {
    if let Some(source) = &args.groupsource {
        resolver.set_default_source(source)?;
    }
    let mut lists = [Vec::new(), Vec::new()];
    for (list, texts) in lists.iter_mut().zip([&args.nodes, &args.exclude]) {
        for text in texts {
            list.push(resolver.parse(text)?);
        }
    }
    let [wlist, xlist] = lists;
    if verbosity >= 1 {
        for (option, list) in [("w", &wlist), ("x", &xlist)] {
            warn_local_paths(option, list);
        }
    }
    let mut targets = NodeSet::new();
    wlist.iter().for_each(|nodes| targets.update(nodes));
    let mut exclude = NodeSet::new();
    xlist.iter().for_each(|nodes| exclude.update(nodes));
    for file in &args.hostfile {
        targets.update(&hostfile(file, resolver)?);
    }
    if args.all {
        targets.update(&resolver.all(None)?);
    }
    for group in groups(&args.groups)? {
        targets.update(&resolver.parse(&format!("@{group}"))?);
    }
    for group in groups(&args.exclude_groups)? {
        exclude.update(&resolver.parse(&format!("@{group}"))?);
    }
    targets.difference_update(&exclude);
    if targets.is_empty() {
        return Err(SelectionError::Usage("No node to run on.".to_owned()));
    }
    pick(targets, args.pick)
}

/// clush's warning for a one-node set that names a local path.
fn warn_local_paths(option: &str, list: &[NodeSet]) {
    for nodes in list {
        let name = nodes.to_string();
        if nodes.len() == 1 && Path::new(&name).exists() {
            eprintln!(
                "Warning: using '-{option} {name}' and local path '{name}' exists, \
                 was it expanded by the shell?"
            );
        }
    }
}

/// The group names of `-g`/`-X` values: each a node set of names, read
/// without resolution (`-g rack[1-2]` is `@rack1` and `@rack2`).
fn groups(values: &[String]) -> Result<Vec<String>, Error> {
    let mut names = NodeSet::new();
    for value in values {
        names.update(&NodeSet::parse_literal(value)?);
    }
    Ok(names.iter().collect())
}

/// The nodes of a `--hostfile`: every word of every line, each a node set.
fn hostfile(path: &Path, resolver: &mut GroupResolver) -> Result<NodeSet, SelectionError> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io(io_text(&e, path)))?;
    let mut nodes = NodeSet::new();
    for word in text.split_whitespace() {
        nodes.update(&resolver.parse(word)?);
    }
    Ok(nodes)
}

/// An I/O error as Python prints it: `[Errno 2] No such file or
/// directory: 'path'`.
fn io_text(error: &std::io::Error, path: &Path) -> String {
    let mut reason = error.to_string();
    if let Some(at) = reason.find(" (os error") {
        reason.truncate(at);
    }
    let code = error.raw_os_error().unwrap_or(0);
    format!("[Errno {code}] {reason}: '{}'", path.display())
}

/// `--pick N`: N nodes at random when fewer than the targets (0 keeps all;
/// a negative N is clush's `random.sample` error).
fn pick(targets: NodeSet, pick: Option<i64>) -> Result<NodeSet, SelectionError> {
    let Some(n) = pick.filter(|n| *n != 0) else {
        return Ok(targets);
    };
    let Ok(n) = usize::try_from(n) else {
        let error = Error::Other("Sample larger than population or is negative".to_owned());
        return Err(SelectionError::Groups(error));
    };
    if n >= targets.len() {
        return Ok(targets);
    }
    let mut names: Vec<String> = targets.iter().collect();
    let mut random = Random::seeded();
    // A partial Fisher-Yates shuffle: the first n names are the sample.
    for i in 0..n {
        let j = i + random.below(names.len() - i);
        names.swap(i, j);
    }
    names.truncate(n);
    Ok(NodeSet::from_names(names))
}

/// A small xorshift generator seeded from the clock and the process id
/// (picking nodes needs no cryptographic randomness).
struct Random(u64);

impl Random {
    fn seeded() -> Random {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let seed = (nanos as u64) ^ (u64::from(std::process::id()) << 32);
        Random(seed | 1)
    }

    fn below(&mut self, bound: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        usize::try_from(x % (bound as u64)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_keeps_n_of_the_targets() {
        let all: NodeSet = "n[1-100]".parse().unwrap_or_default();
        let some = pick(all.clone(), Some(7)).unwrap_or_default();
        assert_eq!(some.len(), 7);
        assert!(all.is_superset(&some));
        assert_eq!(pick(all.clone(), Some(0)).unwrap_or_default().len(), 100);
        assert_eq!(pick(all.clone(), Some(500)).unwrap_or_default().len(), 100);
        assert!(pick(all, Some(-1)).is_err());
    }
}
