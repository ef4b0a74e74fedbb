//! `-R/--worker` and `--remote`: how the nodes' commands run, as clush
//! 1.10.1 decides it.
//!
//! Without `-R` the tree (if any) is used and `--remote=no` runs each
//! node's command where the node is reached from (here, or on its
//! gateway) with `%h` substituted. A `-R` worker turns the tree off (clush
//! only uses its tree with its default worker): `exec` runs each node's
//! command here, `ssh` on the node (with `--remote=no`, clush's local
//! worker is ssh too).

use cscomm_groups::Error;

use super::RunArgs;
use super::selection::SelectionError;

/// The workers ClusterShell ships that `cscomm run` does not offer.
const UNSUPPORTED: [&str; 5] = ["rsh", "pdsh", "popen", "tree", "worker"];

/// A `-R` worker `cscomm run` has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Worker {
    /// ClusterShell's ssh worker.
    Ssh,
    /// ClusterShell's exec worker: a local command per node.
    Exec,
}

/// How commands run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Execution {
    /// `-R`, if given (it disables the tree).
    pub(super) worker: Option<Worker>,
    /// Not `--remote=no`.
    pub(super) remote: bool,
}

impl Execution {
    /// Whether the topology may be used.
    pub(super) fn tree(&self) -> bool {
        self.worker.is_none()
    }

    /// Whether nodes are commands run here (`%h` substituted): `--local`
    /// or `-R exec`.
    pub(super) fn local(&self, args: &RunArgs) -> bool {
        args.local || self.worker == Some(Worker::Exec)
    }
}

/// `--remote`'s value checked as clush's option parser does (a usage
/// error).
pub(super) fn remote(args: &RunArgs) -> Result<bool, SelectionError> {
    match args.remote.as_deref() {
        None | Some("yes") => Ok(true),
        Some("no") => Ok(false),
        Some(other) => Err(SelectionError::Usage(format!(
            "option --remote: invalid choice: '{other}' (choose from 'yes', 'no')"
        ))),
    }
}

/// `-R`: clush loads `ClusterShell.Worker.<Name>` (any case) or the
/// module named; what it cannot load is clush's error, what we lack ours.
pub(super) fn execution(args: &RunArgs) -> Result<Execution, SelectionError> {
    let remote = remote(args)?;
    let Some(name) = args.worker.as_deref() else {
        return Ok(Execution {
            worker: None,
            remote,
        });
    };
    let short = name.strip_prefix("ClusterShell.Worker.").unwrap_or(name);
    let worker = match short.to_ascii_lowercase().as_str() {
        "ssh" => Worker::Ssh,
        "exec" => Worker::Exec,
        known if UNSUPPORTED.contains(&known) => {
            return Err(SelectionError::Groups(Error::Other(format!(
                "worker '{name}' is not supported (use 'ssh' or 'exec')"
            ))));
        }
        _ => {
            return Err(SelectionError::Groups(Error::Io(format!(
                "Could not load worker '{name}'"
            ))));
        }
    };
    Ok(Execution {
        worker: Some(worker),
        remote,
    })
}
