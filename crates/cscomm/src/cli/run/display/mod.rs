//! Printing a run as clush does: `node: line` as lines come, or with -b
//! identical outputs gathered under a node set header at the end; then the
//! exit-code and timeout messages on standard error.
//!
//! The rest of `cscomm run` talks to this module only through
//! [`DisplayOptions`] (what the command line and `clush.conf` asked for),
//! [`Display`] (fed the run's events) and [`RunOutcome`] (what the exit
//! code is computed from).

pub(super) mod progress;

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use cscomm::tree::{NodeSet, TreeEvent};

use progress::Progress;

/// The separator line of gathered headers.
const SEPARATOR: &str = "---------------";
/// The prefix of our own messages (clush says `clush:`).
pub(super) const PROG: &str = "cscomm";

/// How a run is shown: clush's output options (`-b`, `-B`, `-L`, `-N`,
/// `-r`, `-G`, `-q`, `-v`, `-d`, `-S`, `--diff`, `--outdir`, `--errdir`,
/// `--color`, `-P`), resolved against `clush.conf` by the caller.
#[derive(Debug, Clone, Default)]
pub(super) struct DisplayOptions {
    /// `-b`/`--dshbak`: gather nodes with the same output.
    pub(super) gather: bool,
    /// `-q`: quieter (no node counts in headers, fewer messages).
    pub(super) quiet: bool,
    /// `-S`: the exit code is the largest return code (and the messages
    /// change as clush's do).
    pub(super) maxrc: bool,
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
    /// Gathered standard output (with -b).
    output: Vec<u8>,
    lines: usize,
    exit_code: Option<i32>,
    timed_out: bool,
}

/// The display of one run.
pub(super) struct Display {
    progress: Option<Progress>,
    gather: bool,
    quiet: bool,
    maxrc: bool,
    nodes: BTreeMap<String, NodeState>,
    /// Return codes in the order they were first seen (clush's order of
    /// the -b exit-code messages).
    codes_seen: Vec<i32>,
    /// Standard output is a terminal: each line is flushed at once.
    line_flush: bool,
    stdout: io::BufWriter<io::Stdout>,
    gateway_failures: usize,
}

impl Display {
    /// A display of a run on `targets`.
    pub(super) fn new(options: &DisplayOptions, targets: &NodeSet) -> Self {
        let terminal = std::io::IsTerminal::is_terminal(&io::stderr());
        Display {
            progress: (terminal && !options.quiet).then(|| Progress::new(targets.len())),
            gather: options.gather,
            quiet: options.quiet,
            maxrc: options.maxrc,
            nodes: BTreeMap::new(),
            codes_seen: Vec::new(),
            line_flush: std::io::IsTerminal::is_terminal(&io::stdout()),
            stdout: io::BufWriter::new(io::stdout()),
            gateway_failures: 0,
        }
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

    /// Called on a timer: flushes standard output (so that a slow run's
    /// lines are not held back) and redraws the progress line if due.
    pub(super) fn tick(&mut self) -> io::Result<()> {
        self.stdout.flush()?;
        match &mut self.progress {
            Some(progress) => progress.draw(),
            None => Ok(()),
        }
    }

    /// Whether showing `event` writes something now.
    fn prints(&self, event: &TreeEvent) -> bool {
        match event {
            TreeEvent::Stdout { .. } => !self.gather,
            TreeEvent::Stderr { .. }
            | TreeEvent::GatewayStderr { .. }
            | TreeEvent::GatewayFailed { .. } => true,
            TreeEvent::Exit { code, .. } => self.exit_said_at_once(*code),
            TreeEvent::Routing { event, .. } => !self.quiet && event.contains("reroute"),
            _ => false,
        }
    }

    /// Line mode says a node's non-zero exit code as the node ends, as
    /// clush does (not with -S -q).
    fn exit_said_at_once(&self, code: i32) -> bool {
        !self.gather && code > 0 && !(self.maxrc && self.quiet)
    }

    fn record(&mut self, event: TreeEvent) -> io::Result<()> {
        match event {
            TreeEvent::Stdout { node, line } if self.gather => {
                let state = self.nodes.entry(node.to_string()).or_default();
                if state.lines > 0 {
                    state.output.push(b'\n');
                }
                state.output.extend_from_slice(&line);
                state.lines += 1;
            }
            TreeEvent::Stdout { node, line } => {
                labelled(&mut self.stdout, &node, &line)?;
                if self.line_flush {
                    self.stdout.flush()?;
                }
            }
            TreeEvent::Stderr { node, line } => {
                self.stdout.flush()?;
                labelled(&mut io::stderr().lock(), &node, &line)?;
            }
            TreeEvent::GatewayStderr { gateway, line } => {
                self.stdout.flush()?;
                labelled(&mut io::stderr().lock(), &gateway, &line)?;
            }
            TreeEvent::GatewayFailed { gateway, reason } => {
                self.gateway_failures += 1;
                self.stdout.flush()?;
                writeln!(
                    io::stderr().lock(),
                    "{PROG}: TREE MODE: gateway {gateway} failed: {reason}"
                )?;
            }
            TreeEvent::Exit { node, code } => {
                if self.exit_said_at_once(code) {
                    self.stdout.flush()?;
                    writeln!(
                        io::stderr().lock(),
                        "{PROG}: {node}: exited with exit code {code}"
                    )?;
                }
                self.nodes.entry(node.to_string()).or_default().exit_code = Some(code);
                if !self.codes_seen.contains(&code) {
                    self.codes_seen.push(code);
                }
            }
            TreeEvent::Timeout { node } => {
                self.nodes.entry(node.to_string()).or_default().timed_out = true
            }
            TreeEvent::Routing {
                event,
                gateway,
                targets,
            } if !self.quiet && event.contains("reroute") => {
                self.stdout.flush()?;
                writeln!(
                    io::stderr().lock(),
                    "{PROG}: rerouting commands for {targets} due to the failure of gateway {gateway}"
                )?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Prints what was gathered and the end-of-run messages; returns what
    /// the exit code is made of.
    pub(super) fn finish(mut self) -> io::Result<RunOutcome> {
        if let Some(progress) = &mut self.progress {
            progress.clear()?;
        }
        if self.gather {
            self.print_gathered()?;
        }
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

    /// By return code, then groups of identical output, larger groups
    /// first (then by first node), as clush -b.
    fn print_gathered(&mut self) -> io::Result<()> {
        let blocks = self.gathered_blocks();
        for (set, output) in blocks {
            let count = if !self.quiet && set.len() > 1 {
                format!(" ({})", set.len())
            } else {
                String::new()
            };
            writeln!(self.stdout, "{SEPARATOR}\n{set}{count}\n{SEPARATOR}")?;
            self.stdout.write_all(&output)?;
            self.stdout.write_all(b"\n")?;
        }
        Ok(())
    }

    /// The gathered blocks in clush's order: by return code, then larger
    /// groups first, then by the name of each group's first node compared
    /// as text (clush's key: `node10` comes before `node2`).
    fn gathered_blocks(&self) -> Vec<(NodeSet, Vec<u8>)> {
        let mut blocks = Vec::new();
        for (_, nodes) in self.by_exit_code() {
            // Identical outputs, in order of first appearance.
            let mut index: HashMap<&[u8], usize> = HashMap::new();
            let mut groups: Vec<(&[u8], Vec<&str>)> = Vec::new();
            for node in nodes {
                let state = &self.nodes[node];
                if state.lines == 0 {
                    continue;
                }
                let output = state.output.as_slice();
                let slot = *index.entry(output).or_insert_with(|| {
                    groups.push((output, Vec::new()));
                    groups.len() - 1
                });
                groups[slot].1.push(node);
            }
            let mut groups: Vec<(usize, String, NodeSet, Vec<u8>)> = groups
                .into_iter()
                .map(|(output, members)| {
                    let set = NodeSet::from_names(members);
                    let first = set.iter().next().unwrap_or_default();
                    (set.len(), first, set, output.to_vec())
                })
                .collect();
            groups.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            blocks.extend(groups.into_iter().map(|(_, _, set, output)| (set, output)));
        }
        blocks
    }

    fn by_exit_code(&self) -> BTreeMap<i32, Vec<&str>> {
        let mut codes: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
        for (node, state) in &self.nodes {
            if let Some(code) = state.exit_code {
                codes.entry(code).or_default().push(node);
            }
        }
        codes
    }

    /// With -b, one message per return code (in the order codes were first
    /// seen); in both modes the timeouts.
    fn print_exit_messages(&self) -> io::Result<()> {
        let mut err = io::stderr().lock();
        let timed_out: Vec<&str> = self
            .nodes
            .iter()
            .filter(|(_, s)| s.timed_out)
            .map(|(n, _)| n.as_str())
            .collect();
        if !self.gather {
            if !timed_out.is_empty() {
                writeln!(
                    err,
                    "{PROG}: {}: command timeout",
                    NodeSet::from_names(timed_out)
                )?;
            }
            return Ok(());
        }
        if self.maxrc && self.quiet {
            return Ok(());
        }
        let mut by_code = self.by_exit_code();
        for code in &self.codes_seen {
            let Some(nodes) = by_code.remove(code).filter(|_| *code != 0) else {
                continue;
            };
            let set = NodeSet::from_names(nodes);
            let count = if !self.quiet && set.len() > 1 {
                format!(" ({})", set.len())
            } else {
                String::new()
            };
            writeln!(err, "{PROG}: {set}{count}: exited with exit code {code}")?;
        }
        if !timed_out.is_empty() {
            writeln!(
                err,
                "{PROG}: {}: command timeout",
                NodeSet::from_names(timed_out)
            )?;
        }
        Ok(())
    }
}

/// `node: line\n`, the line's bytes as they are.
fn labelled(out: &mut impl Write, node: &str, line: &[u8]) -> io::Result<()> {
    out.write_all(node.as_bytes())?;
    out.write_all(b": ")?;
    out.write_all(line)?;
    out.write_all(b"\n")
}
