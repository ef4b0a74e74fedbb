//! Copying files and directories to and from many nodes through the tree
//! (`clush --copy` and `--rcopy`), speaking what ClusterShell 1.10.1's
//! tree copy speaks: a `tar` command on the nodes, the archive written to
//! their standard input (`CTL write` to each gateway, which fans it out),
//! or, back, the archive in base64 on their standard output.
//!
//! The archive is made while it is sent and at most a few chunks are in
//! flight, so memory stays bounded whatever the size; it is sent once to
//! each gateway. Targets reached directly are served at most `fanout` at
//! a time, the archive made again for each such wave (a direct process
//! waiting for its turn would otherwise hold the whole stream).

mod command;
mod receive;
mod stream;

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cscomm_message::NodeSet;
use cscomm_topology::{NextHop, Route, Router};
use tokio::task::JoinHandle;

use super::{TreeEvent, TreeOptions, TreeRun};

/// What to copy to the nodes (`clush --copy SRC --dest DEST [-p]`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CopyRequest {
    /// The local file or directory (directories are copied recursively).
    pub source: PathBuf,
    /// Where it goes on every node, as `scp` reads it: into an existing
    /// directory under the source's name, or else as this name.
    pub dest: String,
    /// Keep modification times and modes (`-p`).
    pub preserve: bool,
}

impl CopyRequest {
    /// Copy `source` to `dest` on every node, times and modes not kept.
    pub fn new(source: impl Into<PathBuf>, dest: impl Into<String>) -> CopyRequest {
        CopyRequest {
            source: source.into(),
            dest: dest.into(),
            preserve: false,
        }
    }

    /// Sets [`CopyRequest::preserve`] (`-p`).
    pub fn with_preserve(mut self, preserve: bool) -> CopyRequest {
        self.preserve = preserve;
        self
    }
}

/// What to copy back from the nodes (`clush --rcopy SRC --dest DIR [-p]`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RcopyRequest {
    /// The file or directory on every node.
    pub source: String,
    /// The local directory receiving `NAME.NODE` per node.
    pub dest: PathBuf,
    /// Keep modification times and modes (`-p`).
    pub preserve: bool,
}

impl RcopyRequest {
    /// Copy `source` back from every node into the local directory `dest`,
    /// times and modes not kept.
    pub fn new(source: impl Into<String>, dest: impl Into<PathBuf>) -> RcopyRequest {
        RcopyRequest {
            source: source.into(),
            dest: dest.into(),
            preserve: false,
        }
    }

    /// Sets [`RcopyRequest::preserve`] (`-p`).
    pub fn with_preserve(mut self, preserve: bool) -> RcopyRequest {
        self.preserve = preserve;
        self
    }
}

/// Why a copy cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    /// The source (or a file below it) cannot be read.
    #[error("cannot read {path}: {source}")]
    Source {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The source has no name to copy it under (`/`).
    #[error("cannot copy {0}: it has no name")]
    NoName(String),
    /// The rcopy destination is not a local directory.
    #[error("destination \"{0}\" is not a directory")]
    NotADirectory(PathBuf),
    /// The run cannot start.
    #[error(transparent)]
    Run(#[from] crate::Error),
}

/// A copy in progress: its events are a tree run's (`Stderr` lines, one
/// `Exit` or `Timeout` per node, routing and gateway events), an `Exit`
/// of 0 meaning that node has the whole copy in place.
#[derive(Debug)]
pub struct CopyRun {
    kind: Kind,
    /// What runs on every node.
    command: String,
    options: TreeOptions,
    run: Option<TreeRun>,
    sender: Option<JoinHandle<std::io::Result<()>>>,
    /// Direct targets still to serve, a wave at a time.
    waves: VecDeque<NodeSet>,
    /// Targets of the current wave that have not ended.
    pending: HashSet<Arc<str>>,
    /// Events made here (failures of the source), given out first.
    ready: VecDeque<TreeEvent>,
}

#[derive(Debug)]
enum Kind {
    Push { source: PathBuf, member: String },
    Pull(Box<receive::Receiver>),
}

/// One step of a copy's loop.
enum Step {
    Event(Option<TreeEvent>),
    Sent(Result<std::io::Result<()>, tokio::task::JoinError>),
}

/// The sender's end, if there is a sender.
async fn sender_end(
    sender: &mut Option<JoinHandle<std::io::Result<()>>>,
) -> Result<std::io::Result<()>, tokio::task::JoinError> {
    match sender {
        Some(sender) => sender.await,
        None => std::future::pending().await,
    }
}

impl CopyRun {
    /// Starts copying `request.source` to `targets`. Must be called within
    /// a tokio runtime.
    ///
    /// # Errors
    /// When the source or a file below it cannot be read (nothing is
    /// started then), or as [`TreeRun::start`].
    pub fn copy(
        request: &CopyRequest,
        targets: &NodeSet,
        options: TreeOptions,
    ) -> Result<CopyRun, CopyError> {
        check_readable(&request.source)?;
        let base = command::archive_name(&request.source)
            .ok_or_else(|| CopyError::NoName(request.source.display().to_string()))?;
        let member = base.clone();
        let options = TreeOptions {
            stderr: true,
            ..options
        };
        let command = command::receive(&request.dest, &base, &member, request.preserve);
        let kind = Kind::Push {
            source: request.source.clone(),
            member,
        };
        CopyRun::start(kind, command, targets, options)
    }

    /// Starts copying `request.source` back from `targets` into
    /// `request.dest`. Must be called within a tokio runtime.
    ///
    /// # Errors
    /// When the destination is not a directory, or as [`TreeRun::start`].
    pub fn rcopy(
        request: &RcopyRequest,
        targets: &NodeSet,
        options: TreeOptions,
    ) -> Result<CopyRun, CopyError> {
        if !request.dest.is_dir() {
            return Err(CopyError::NotADirectory(request.dest.clone()));
        }
        let name = command::archive_name(Path::new(&request.source))
            .ok_or_else(|| CopyError::NoName(request.source.clone()))?;
        let receiver = receive::Receiver::new(request.dest.clone(), name, request.preserve);
        let options = TreeOptions {
            stderr: true,
            ..options
        };
        let command = command::send(&request.source);
        let kind = Kind::Pull(Box::new(receiver));
        CopyRun::start(kind, command, targets, options)
    }

    fn start(
        kind: Kind,
        command: String,
        targets: &NodeSet,
        options: TreeOptions,
    ) -> Result<CopyRun, CopyError> {
        let mut waves = split(targets, &options)?;
        let first = waves.pop_front().unwrap_or_default();
        let mut run = CopyRun {
            kind,
            command,
            options,
            run: None,
            sender: None,
            waves,
            pending: HashSet::new(),
            ready: VecDeque::new(),
        };
        run.launch(&first)?;
        Ok(run)
    }

    /// Starts the run of one wave of targets (and the archive's sender).
    fn launch(&mut self, targets: &NodeSet) -> Result<(), CopyError> {
        let run = TreeRun::start(&self.command, targets, self.options.clone())?;
        match &self.kind {
            Kind::Push { source, member } => {
                let sender = stream::send(run.handle(), source.clone(), member.clone());
                self.sender = Some(tokio::spawn(sender));
            }
            Kind::Pull(_) => run.close_stdin(),
        }
        self.pending = targets.iter().map(Arc::from).collect();
        self.run = Some(run);
        Ok(())
    }

    /// The next event; `None` once every target has ended.
    pub async fn next_event(&mut self) -> Option<TreeEvent> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(event);
            }
            let run = self.run.as_mut()?;
            let mut sender = self.sender.take();
            let step = tokio::select! {
                event = run.next_event() => Step::Event(event),
                sent = sender_end(&mut sender) => Step::Sent(sent),
            };
            let event = match step {
                Step::Event(event) => {
                    self.sender = sender;
                    event
                }
                Step::Sent(sent) => {
                    self.sent(sent);
                    continue;
                }
            };
            match event {
                Some(event) => {
                    if let Some(event) = self.handle(event) {
                        return Some(event);
                    }
                }
                None => self.next_wave(),
            }
        }
    }

    /// The archive's sender ended: on a source error every target still
    /// running fails with it (the run is ended before their input closes,
    /// so no target sees the archive cut short as complete).
    fn sent(&mut self, sent: Result<std::io::Result<()>, tokio::task::JoinError>) {
        let error = match sent {
            Ok(Ok(())) => return,
            Ok(Err(error)) => error.to_string(),
            Err(join) => join.to_string(),
        };
        if let Some(run) = self.run.take() {
            run.abort();
        }
        let mut nodes: Vec<Arc<str>> = self.pending.drain().collect();
        nodes.sort();
        for node in nodes {
            let line = format!("cannot read the source: {error}")
                .into_bytes()
                .into();
            self.ready.push_back(TreeEvent::Stderr {
                node: node.clone(),
                line,
            });
            self.ready.push_back(TreeEvent::Exit { node, code: 1 });
        }
        for wave in std::mem::take(&mut self.waves) {
            for node in wave.iter() {
                let node: Arc<str> = Arc::from(node);
                let line = format!("not copied: {error}").into_bytes().into();
                self.ready.push_back(TreeEvent::Stderr {
                    node: node.clone(),
                    line,
                });
                self.ready.push_back(TreeEvent::Exit { node, code: 1 });
            }
        }
    }

    /// Starts the next wave once a run ended, or ends.
    fn next_wave(&mut self) {
        self.run = None;
        if let Some(sender) = self.sender.take() {
            sender.abort(); // its archiving thread stops at its next chunk
        }
        self.pending.clear();
        let Some(wave) = self.waves.pop_front() else {
            return;
        };
        if let Err(error) = self.launch(&wave) {
            for node in wave.iter() {
                let node: Arc<str> = Arc::from(node);
                let line = error.to_string().into_bytes().into();
                self.ready.push_back(TreeEvent::Stderr {
                    node: node.clone(),
                    line,
                });
                self.ready.push_back(TreeEvent::Exit { node, code: 255 });
            }
            self.next_wave();
        }
    }

    /// An event of the run, as the caller sees it (`None`: swallowed).
    fn handle(&mut self, event: TreeEvent) -> Option<TreeEvent> {
        if let Some(node) = event.node() {
            if matches!(event, TreeEvent::Exit { .. } | TreeEvent::Timeout { .. }) {
                self.pending.remove(node);
            }
        }
        let Kind::Pull(receiver) = &mut self.kind else {
            return Some(event);
        };
        match event {
            TreeEvent::Stdout { node, line } => {
                receiver.line(&node, &line);
                None
            }
            TreeEvent::Exit { node, code } => match receiver.finish(&node, code) {
                Ok(()) => Some(TreeEvent::Exit { node, code }),
                Err(reason) => {
                    self.ready.push_back(TreeEvent::Exit {
                        node: node.clone(),
                        code: 1,
                    });
                    Some(TreeEvent::Stderr {
                        node,
                        line: reason.into_bytes().into(),
                    })
                }
            },
            TreeEvent::Timeout { node } => {
                receiver.drop_node(&node);
                Some(TreeEvent::Timeout { node })
            }
            other => Some(other),
        }
    }
}

/// The targets in waves: the first holds every target behind a gateway
/// and up to `fanout` direct ones, each next one up to `fanout` direct
/// ones.
fn split(targets: &NodeSet, options: &TreeOptions) -> Result<VecDeque<NodeSet>, CopyError> {
    let routes = match &options.topology {
        Some(topology) => {
            let tree = topology.to_tree().map_err(crate::Error::from)?;
            let mut router = Router::new(&tree, &options.root).map_err(crate::Error::from)?;
            router.dispatch_or_direct(targets)
        }
        None => vec![Route {
            next_hop: NextHop::Direct,
            targets: targets.clone(),
        }],
    };
    let mut first = NodeSet::new();
    let mut direct: Vec<String> = Vec::new();
    for Route { next_hop, targets } in routes {
        match next_hop {
            NextHop::Gateway(_) => first.update(&targets),
            NextHop::Direct => direct.extend(targets.iter()),
        }
    }
    let fanout = options.fanout.max(1);
    let mut waves = VecDeque::new();
    let mut batches = direct.chunks(fanout);
    if let Some(batch) = batches.next() {
        first.update(&NodeSet::from_names(batch.iter().map(String::as_str)));
    }
    waves.push_back(first);
    for batch in batches {
        waves.push_back(NodeSet::from_names(batch.iter().map(String::as_str)));
    }
    Ok(waves)
}

/// Every file below `source` can be opened (checked before anything
/// starts, so that a bad source fails at once, on no node).
fn check_readable(source: &Path) -> Result<(), CopyError> {
    let error = |path: &Path, source| CopyError::Source {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::symlink_metadata(source).map_err(|e| error(source, e))?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(source).map_err(|e| error(source, e))? {
            let entry = entry.map_err(|e| error(source, e))?;
            check_readable(&entry.path())?;
        }
    } else if meta.is_file() {
        std::fs::File::open(source).map_err(|e| error(source, e))?;
    }
    Ok(())
}
