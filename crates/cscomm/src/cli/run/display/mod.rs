//! Printing a run as clush does: `node: line` as lines come; with -b
//! identical outputs gathered under a node set header at the end (or, with
//! --diff, diffs between them); with -L each node's lines in node order at
//! the end; with -bL gathered line by line as they come; then the
//! exit-code and timeout messages on standard error.
//!
//! The rest of `cscomm run` talks to this module only through
//! [`DisplayOptions`] (what the command line and `clush.conf` asked for),
//! [`Display`] (fed the run's events) and [`RunOutcome`] (what the exit
//! code is computed from).

mod diff;
mod files;
mod gather;
pub(super) mod labels;
mod live;
pub(super) mod progress;
mod style;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;

use cscomm::tree::{CopyRun, NodeSet, TreeEvent, TreeRun};

use files::NodeFiles;
pub(super) use labels::Labels;
use live::{LiveGather, LiveLine};
use progress::Progress;
use style::{Colour, Style};

/// A run whose events a [`Display`] shows: a command or a copy.
pub(super) trait EventSource {
    /// The next event; `None` once the run ended.
    fn next_event(&mut self) -> impl Future<Output = Option<TreeEvent>>;
}

impl EventSource for TreeRun {
    fn next_event(&mut self) -> impl Future<Output = Option<TreeEvent>> {
        TreeRun::next_event(self)
    }
}

impl EventSource for CopyRun {
    fn next_event(&mut self) -> impl Future<Output = Option<TreeEvent>> {
        CopyRun::next_event(self)
    }
}

/// The prefix of our own messages (clush says `clush:`).
pub(super) const PROG: &str = "cscomm";

/// clush's verbosity levels (`-q`, default, `-v`, `-d`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Verbosity {
    /// `-q`: essential output only.
    Quiet,
    /// The default.
    #[default]
    Std,
    /// `-v`: with -b, lines are also shown as they come.
    Verbose,
    /// `-d`: debug messages too.
    Debug,
}

/// How a run is shown: clush's output options (`-b`, `-B`, `-L`, `-N`,
/// `-q`, `-v`, `-d`, `-S`, `--diff`, `--outdir`, `--errdir`, `--color`),
/// resolved against `clush.conf` by the caller.
#[derive(Debug, Clone)]
pub(super) struct DisplayOptions {
    /// `-b`/`-B`/`--diff`: gather nodes with the same output.
    pub(super) gather: bool,
    /// `-L`: no header blocks; lines ordered by node (with -b: gathered
    /// line by line as they come).
    pub(super) line_mode: bool,
    /// `--diff`: gathered outputs shown as diffs against the first.
    pub(super) diff: bool,
    /// Not `-N`: lines prefixed by their node, blocks headed by their nodes.
    pub(super) label: bool,
    /// `-q`, `-v`, `-d`.
    pub(super) verbosity: Verbosity,
    /// `node_count` of `clush.conf`: `(N)` after headers of several nodes.
    pub(super) node_count: bool,
    /// `-S`: the exit code is the largest return code (and the messages
    /// change as clush's do).
    pub(super) maxrc: bool,
    /// `--color` (resolved): ANSI colours.
    pub(super) color: bool,
    /// `--outdir`: a file per node of its standard output.
    pub(super) outdir: Option<PathBuf>,
    /// `--errdir`: a file per node of its standard error.
    pub(super) errdir: Option<PathBuf>,
    /// `-P`: the progress line in every mode, terminal or not.
    pub(super) progress: bool,
    /// `--axis`, `-r`: how node sets are written.
    pub(super) labels: Labels,
}

impl Default for DisplayOptions {
    fn default() -> Self {
        DisplayOptions {
            gather: false,
            line_mode: false,
            diff: false,
            label: true,
            verbosity: Verbosity::Std,
            node_count: true,
            maxrc: false,
            color: false,
            outdir: None,
            errdir: None,
            progress: false,
            labels: Labels::default(),
        }
    }
}

impl DisplayOptions {
    /// Output is kept until the end (or, -bL, until every node sent a line).
    fn buffered(&self) -> bool {
        self.gather || self.line_mode
    }

    fn quiet(&self) -> bool {
        self.verbosity == Verbosity::Quiet
    }

    /// ` (N)` after a header of `set`, when clush writes it.
    fn count(&self, set: &NodeSet) -> String {
        if self.verbosity >= Verbosity::Std && self.node_count && set.len() > 1 {
            format!(" ({})", set.len())
        } else {
            String::new()
        }
    }
}

/// What a finished run leaves for the exit code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct RunOutcome {
    /// The largest return code of the nodes that exited (0 if none).
    pub(super) max_rc: i32,
    /// How many nodes timed out.
    pub(super) timeouts: usize,
    /// How many gateways failed after set-up (their targets did not run
    /// to their end).
    pub(super) gateway_failures: usize,
}

/// What was seen of one node.
#[derive(Debug, Default)]
struct NodeState {
    /// Kept standard output (buffered modes): lines joined with `\n`.
    output: Vec<u8>,
    lines: usize,
    exit_code: Option<i32>,
    timed_out: bool,
}

/// The display of one run.
pub(super) struct Display {
    options: DisplayOptions,
    style: Style,
    progress: Option<Progress>,
    nodes: BTreeMap<String, NodeState>,
    /// Return codes in the order they were first seen (clush's order of
    /// the end-of-run exit-code messages).
    codes_seen: Vec<i32>,
    /// Standard output is a terminal: each line is flushed at once.
    line_flush: bool,
    stdout: io::BufWriter<io::Stdout>,
    gateway_failures: usize,
    live: Option<LiveGather>,
    outfiles: Option<NodeFiles>,
    errfiles: Option<NodeFiles>,
}

impl Display {
    /// A display of a run on `targets`; creates the --outdir/--errdir files.
    pub(super) fn new(options: &DisplayOptions, targets: &NodeSet) -> io::Result<Self> {
        let terminal = std::io::IsTerminal::is_terminal(&io::stderr());
        let files = |dir: &Option<PathBuf>| {
            dir.as_deref()
                .map(|dir| NodeFiles::create(dir, targets))
                .transpose()
        };
        let names: Vec<String> = targets.iter().collect();
        Ok(Display {
            progress: ((terminal || options.progress) && !options.quiet())
                .then(|| Progress::new(targets.len())),
            style: Style::new(options.color),
            nodes: BTreeMap::new(),
            codes_seen: Vec::new(),
            line_flush: std::io::IsTerminal::is_terminal(&io::stdout()),
            stdout: io::BufWriter::new(io::stdout()),
            gateway_failures: 0,
            live: (options.gather && options.line_mode)
                .then(|| LiveGather::new(names.iter().map(String::as_str))),
            outfiles: files(&options.outdir)?,
            errfiles: files(&options.errdir)?,
            options: options.clone(),
        })
    }

    /// Shows or records one event.
    pub(super) fn event(&mut self, event: TreeEvent) -> io::Result<()> {
        let ended = matches!(event, TreeEvent::Exit { .. } | TreeEvent::Timeout { .. });
        if self.prints(&event) {
            if let Some(progress) = &mut self.progress {
                progress.clear()?;
            }
        }
        self.record(event)?;
        if let Some(progress) = &mut self.progress {
            progress.count(ended);
        }
        Ok(())
    }

    /// Shows every event of `run` until it ends, ticking the timer.
    pub(super) async fn show(&mut self, run: &mut impl EventSource) -> io::Result<()> {
        let mut ticks = tokio::time::interval(progress::TICK);
        loop {
            tokio::select! {
                event = run.next_event() => match event {
                    Some(event) => self.event(event)?,
                    None => return Ok(()),
                },
                _ = ticks.tick() => self.tick()?,
            }
        }
    }

    /// Called on a timer: flushes standard output (so that a slow run's
    /// lines are not held back) and redraws the progress line if due.
    pub(super) fn tick(&mut self) -> io::Result<()> {
        self.stdout.flush()?;
        match &mut self.progress {
            Some(progress) => progress.draw(),
            None => Ok(()),
        }
    }

    /// Whether showing `event` may write something now.
    fn prints(&self, event: &TreeEvent) -> bool {
        match event {
            TreeEvent::Stdout { .. } => self.echoes_lines() || self.live.is_some(),
            TreeEvent::Stderr { .. }
            | TreeEvent::GatewayStderr { .. }
            | TreeEvent::GatewayFailed { .. } => true,
            TreeEvent::Exit { code, .. } => self.exit_said_at_once(*code) || self.live.is_some(),
            TreeEvent::Routing { event, .. } => !self.options.quiet() && event.contains("reroute"),
            _ => false,
        }
    }

    /// Lines are printed as they come: without -b/-L, or with -b -v (not
    /// -bL, which prints them gathered).
    fn echoes_lines(&self) -> bool {
        !self.options.buffered()
            || (self.options.verbosity == Verbosity::Verbose && self.live.is_none())
    }

    /// Without -b/-L a node's non-zero exit code is said as the node ends,
    /// as clush does (not with -S -q).
    fn exit_said_at_once(&self, code: i32) -> bool {
        !self.options.buffered() && code > 0 && !(self.options.maxrc && self.options.quiet())
    }

    fn record(&mut self, event: TreeEvent) -> io::Result<()> {
        match event {
            TreeEvent::Stdout { node, line } => self.stdout_line(&node, &line)?,
            TreeEvent::Stderr { node, line } => {
                if let Some(files) = &mut self.errfiles {
                    files.line(&node, &line)?;
                }
                self.stderr_line(&node, &line)?;
            }
            TreeEvent::GatewayStderr { gateway, line } => self.stderr_line(&gateway, &line)?,
            TreeEvent::GatewayFailed { gateway, reason } => {
                self.gateway_failures += 1;
                self.message(&format!(
                    "{PROG}: TREE MODE: gateway {gateway} failed: {reason}"
                ))?;
            }
            TreeEvent::Exit { node, code } => {
                if self.exit_said_at_once(code) {
                    self.message(&format!("{PROG}: {node}: exited with exit code {code}"))?;
                }
                self.nodes.entry(node.to_string()).or_default().exit_code = Some(code);
                if !self.codes_seen.contains(&code) {
                    self.codes_seen.push(code);
                }
                if let Some(live) = &mut self.live {
                    let ready = live.ended(&node);
                    self.print_live(ready)?;
                }
            }
            TreeEvent::Timeout { node } => {
                self.nodes.entry(node.to_string()).or_default().timed_out = true
            }
            TreeEvent::Routing {
                event,
                gateway,
                targets,
            } if !self.options.quiet() && event.contains("reroute") => {
                self.message(&format!(
                    "{PROG}: rerouting commands for {targets} due to the failure of gateway {gateway}"
                ))?;
            }
            _ => {}
        }
        Ok(())
    }

    fn stdout_line(&mut self, node: &str, line: &[u8]) -> io::Result<()> {
        if let Some(files) = &mut self.outfiles {
            files.line(node, line)?;
        }
        if let Some(live) = &mut self.live {
            let ready = live.line(node, line);
            return self.print_live(ready);
        }
        if self.options.buffered() {
            let state = self.nodes.entry(node.to_owned()).or_default();
            if state.lines > 0 {
                state.output.push(b'\n');
            }
            state.output.extend_from_slice(line);
            state.lines += 1;
        }
        if self.echoes_lines() {
            let (style, label) = (self.style, self.options.label);
            labelled(&mut self.stdout, style, label, Colour::Stdout, node, line)?;
            if self.line_flush {
                self.stdout.flush()?;
            }
        }
        Ok(())
    }

    fn stderr_line(&mut self, node: &str, line: &[u8]) -> io::Result<()> {
        self.stdout.flush()?;
        // Standard error is unbuffered: one write per line.
        let mut out = Vec::with_capacity(node.len() + line.len() + 16);
        labelled(
            &mut out,
            self.style,
            self.options.label,
            Colour::Stderr,
            node,
            line,
        )?;
        io::stderr().lock().write_all(&out)
    }

    /// One of our messages on standard error (after what stdout holds).
    fn message(&mut self, text: &str) -> io::Result<()> {
        self.stdout.flush()?;
        writeln!(io::stderr().lock(), "{text}")
    }

    fn print_live(&mut self, ready: Vec<Vec<LiveLine>>) -> io::Result<()> {
        if ready.is_empty() {
            return Ok(());
        }
        if let Some(progress) = &mut self.progress {
            progress.clear()?;
        }
        let mut out = Vec::new();
        for (set, line) in ready.into_iter().flatten() {
            labelled(
                &mut out,
                self.style,
                self.options.label,
                Colour::Stdout,
                &self.options.labels.header(&set),
                &line,
            )?;
        }
        self.stdout.write_all(&out)?;
        if self.line_flush {
            self.stdout.flush()?;
        }
        Ok(())
    }

    /// Prints what was kept and the end-of-run messages; returns what the
    /// exit code is made of.
    pub(super) fn finish(mut self) -> io::Result<RunOutcome> {
        let buffered = self.options.buffered();
        if let Some(progress) = &mut self.progress {
            if buffered {
                progress.finalize()?;
            } else {
                progress.clear()?;
            }
        }
        for files in [&mut self.outfiles, &mut self.errfiles]
            .into_iter()
            .flatten()
        {
            files.close()?;
        }
        let mut out = Vec::new();
        if let Some(mut live) = self.live.take() {
            let rest = live.rest();
            self.print_live(rest)?;
        } else if self.options.gather {
            gather::print_blocks(&self.options, self.style, &self.blocks(), &mut out);
        } else if self.options.line_mode {
            self.print_by_node(&mut out)?;
        }
        self.stdout.write_all(&out)?;
        self.stdout.flush()?;
        self.print_exit_messages()?;
        let timeouts = self.nodes.values().filter(|n| n.timed_out).count();
        let max_rc = self
            .nodes
            .values()
            .filter_map(|n| n.exit_code)
            .max()
            .unwrap_or(0);
        Ok(RunOutcome {
            max_rc,
            timeouts,
            gateway_failures: self.gateway_failures,
        })
    }

    /// The nodes that exited, by return code, each code's nodes in node
    /// set order.
    fn by_exit_code(&self) -> BTreeMap<i32, NodeSet> {
        let mut codes: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
        for (node, state) in &self.nodes {
            if let Some(code) = state.exit_code {
                codes.entry(code).or_default().push(node);
            }
        }
        codes
            .into_iter()
            .map(|(code, nodes)| (code, NodeSet::from_names(nodes)))
            .collect()
    }

    /// Per return code, its nodes with their kept output.
    fn blocks(&self) -> Vec<gather::CodeBlocks<'_>> {
        self.by_exit_code()
            .into_values()
            .map(|set| {
                let outputs = set
                    .iter()
                    .filter_map(|node| {
                        let (name, state) = self.nodes.get_key_value(&node)?;
                        (state.lines > 0).then_some((name.as_str(), state.output.as_slice()))
                    })
                    .collect();
                gather::CodeBlocks {
                    nodes: set,
                    outputs,
                }
            })
            .collect()
    }

    /// -L: by return code, then node by node in node set order, each line
    /// labelled with its node.
    fn print_by_node(&self, out: &mut Vec<u8>) -> io::Result<()> {
        for set in self.by_exit_code().into_values() {
            for node in set.iter() {
                let Some(state) = self.nodes.get(&node).filter(|s| s.lines > 0) else {
                    continue;
                };
                let header = self.options.labels.header(&NodeSet::from_names([&node]));
                for line in state.output.split(|&b| b == b'\n') {
                    labelled(
                        out,
                        self.style,
                        self.options.label,
                        Colour::Stdout,
                        &header,
                        line,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// In buffered modes one message per return code (in the order codes
    /// were first seen); in every mode the timeouts.
    fn print_exit_messages(&self) -> io::Result<()> {
        let mut err = io::stderr().lock();
        let timed_out = NodeSet::from_names(
            self.nodes
                .iter()
                .filter(|(_, s)| s.timed_out)
                .map(|(n, _)| n.as_str()),
        );
        let timeout_message = |err: &mut io::StderrLock<'_>| {
            if timed_out.is_empty() {
                return Ok(());
            }
            let timed_out = self.options.labels.plain(&timed_out);
            writeln!(err, "{PROG}: {timed_out}: command timeout")
        };
        if !self.options.buffered() {
            return timeout_message(&mut err);
        }
        if self.options.maxrc && self.options.quiet() {
            return Ok(());
        }
        let mut by_code = self.by_exit_code();
        for code in &self.codes_seen {
            let Some(set) = by_code.remove(code).filter(|_| *code != 0) else {
                continue;
            };
            let count = if !self.options.quiet() && set.len() > 1 {
                format!(" ({})", set.len())
            } else {
                String::new()
            };
            let set = self.options.labels.plain(&set);
            writeln!(err, "{PROG}: {set}{count}: exited with exit code {code}")?;
        }
        timeout_message(&mut err)
    }
}

/// Writes `node: line\n` (`line\n` without `label`, -N), the prefix in
/// `colour`, the line's bytes as they are, straight into `out` (no copy).
fn labelled(
    out: &mut impl Write,
    style: Style,
    label: bool,
    colour: Colour,
    node: &str,
    line: &[u8],
) -> io::Result<()> {
    if label {
        out.write_all(style.start(colour))?;
        out.write_all(node.as_bytes())?;
        out.write_all(b": ")?;
        out.write_all(style.end())?;
    }
    out.write_all(line)?;
    out.write_all(b"\n")
}
