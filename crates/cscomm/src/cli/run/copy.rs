//! `cscomm run --copy` and `--rcopy`: files and directories to and from
//! the nodes, with clush's option meanings and messages.

use std::path::{Path, PathBuf};

use cscomm::tree::{CopyError, CopyRequest, CopyRun, NodeSet, RcopyRequest, TreeOptions};

use super::display::{Display, DisplayOptions, RunOutcome};

/// Which way the files go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    /// `--copy`: to the nodes.
    Push,
    /// `--rcopy`: back from them.
    Pull,
}

/// What the copy options asked.
#[derive(Debug)]
pub(super) struct CopyArgs<'a> {
    pub(super) direction: Direction,
    pub(super) sources: &'a [String],
    pub(super) dest: Option<&'a str>,
    pub(super) preserve: bool,
}

/// Runs each copy in turn (as clush, one source after the other), printing
/// what the nodes say; the outcome of them all.
pub(super) async fn run(
    args: &CopyArgs<'_>,
    targets: &NodeSet,
    options: &TreeOptions,
    display_options: &DisplayOptions,
) -> Result<RunOutcome, Box<dyn std::error::Error>> {
    check(args)?;
    let mut display = Display::new(display_options, targets)?;
    for source in args.sources {
        let mut run = match start(args, source, targets, options.clone()) {
            Ok(run) => run,
            Err(error) => return Err(message(&error, source).into()),
        };
        display.show(&mut run).await?;
    }
    Ok(display.finish()?)
}

/// clush's checks before anything starts, with its messages.
fn check(args: &CopyArgs<'_>) -> Result<(), String> {
    match args.direction {
        Direction::Push => {
            for source in args.sources {
                if std::fs::symlink_metadata(source).is_err() {
                    return Err(format!("ERROR: file \"{source}\" not found"));
                }
            }
        }
        Direction::Pull => {
            for source in args.sources {
                let dest = pull_dest(args.dest, source);
                if !dest.exists() {
                    return Err(format!("ERROR: directory \"{}\" not found", dest.display()));
                }
                if !dest.is_dir() {
                    return Err(format!(
                        "ERROR: destination \"{}\" is not a directory",
                        dest.display()
                    ));
                }
            }
        }
    }
    Ok(())
}

fn start(
    args: &CopyArgs<'_>,
    source: &str,
    targets: &NodeSet,
    options: TreeOptions,
) -> Result<CopyRun, CopyError> {
    match args.direction {
        Direction::Push => {
            let request = CopyRequest {
                source: PathBuf::from(source),
                dest: push_dest(args.dest, source),
                preserve: args.preserve,
            };
            CopyRun::copy(&request, targets, options)
        }
        Direction::Pull => {
            let request = RcopyRequest {
                source: source.to_owned(),
                dest: pull_dest(args.dest, source),
                preserve: args.preserve,
            };
            CopyRun::rcopy(&request, targets, options)
        }
    }
}

fn message(error: &CopyError, source: &str) -> String {
    match error {
        CopyError::Source { path, source: io } => {
            format!("ERROR: cannot read \"{}\": {io}", path.display())
        }
        CopyError::NoName(_) => format!("ERROR: cannot copy \"{source}\": it has no name"),
        other => format!("ERROR: {other}"),
    }
}

/// Where a copy goes without `--dest`: the source's own directory on the
/// nodes (a trailing `/`: a directory), as clush.
fn push_dest(dest: Option<&str>, source: &str) -> String {
    match dest {
        Some(dest) => dest.to_owned(),
        None => {
            let dir = absolute_parent(source);
            let dir = dir.to_string_lossy();
            if dir.ends_with('/') {
                dir.into_owned()
            } else {
                format!("{dir}/")
            }
        }
    }
}

/// Where an rcopy lands without `--dest`: the source's directory here.
fn pull_dest(dest: Option<&str>, source: &str) -> PathBuf {
    match dest {
        Some(dest) => PathBuf::from(dest),
        None => absolute_parent(source),
    }
}

/// The directory of `path` made absolute (without resolving links).
fn absolute_parent(path: &str) -> PathBuf {
    let absolute = std::path::absolute(Path::new(path)).unwrap_or_else(|_| PathBuf::from(path));
    let normal: PathBuf = absolute.components().collect();
    normal
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf)
}
