//! Printing a run as clush does: `node: line` as lines come, or with -b
//! identical outputs gathered under a node set header at the end; then the
//! exit-code and timeout messages on standard error.

use std::collections::BTreeMap;
use std::io::{self, Write};

use cscomm::tree::{NodeSet, TreeEvent};

/// The separator line of gathered headers.
const SEPARATOR: &str = "---------------";
/// The prefix of our own messages (clush says `clush:`).
const PROG: &str = "cscomm";

/// What was seen of one node.
#[derive(Debug, Default)]
struct NodeState {
    /// Gathered standard output (with -b).
    output: Vec<u8>,
    lines: usize,
    exit_code: Option<i32>,
    timed_out: bool,
}

/// A progress line appears on a terminal after this long.
const PROGRESS_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// The display of one run.
pub(super) struct Display {
    progress: Option<Progress>,
    gather: bool,
    quiet: bool,
    maxrc: bool,
    nodes: BTreeMap<String, NodeState>,
    stdout: io::BufWriter<io::Stdout>,
}

impl Display {
    /// A display for `total` targets.
    pub(super) fn new(gather: bool, quiet: bool, maxrc: bool, total: usize) -> Self {
        let terminal = std::io::IsTerminal::is_terminal(&io::stderr());
        Display {
            progress: (terminal && !quiet).then(|| Progress::new(total)),
            gather,
            quiet,
            maxrc,
            nodes: BTreeMap::new(),
            stdout: io::BufWriter::new(io::stdout()),
        }
    }

    /// Shows or records one event.
    pub(super) fn event(&mut self, event: TreeEvent) -> io::Result<()> {
        let ended = matches!(event, TreeEvent::Exit { .. } | TreeEvent::Timeout { .. });
        if let Some(progress) = &mut self.progress {
            progress.clear()?;
        }
        self.record(event)?;
        if let Some(progress) = &mut self.progress {
            progress.update(ended)?;
        }
        Ok(())
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
            TreeEvent::Stdout { node, line } => labelled(&mut self.stdout, &node, &line)?,
            TreeEvent::Stderr { node, line } => {
                self.stdout.flush()?;
                labelled(&mut io::stderr().lock(), &node, &line)?;
            }
            TreeEvent::GatewayStderr { gateway, line } => {
                labelled(&mut io::stderr().lock(), &gateway, &line)?
            }
            TreeEvent::Exit { node, code } => {
                // Line mode says it at once, as clush does at each node's end.
                if !self.gather && code > 0 && !(self.maxrc && self.quiet) {
                    self.stdout.flush()?;
                    writeln!(
                        io::stderr().lock(),
                        "{PROG}: {node}: exited with exit code {code}"
                    )?;
                }
                self.nodes.entry(node.to_string()).or_default().exit_code = Some(code);
            }
            TreeEvent::Timeout { node } => {
                self.nodes.entry(node.to_string()).or_default().timed_out = true
            }
            _ => {}
        }
        Ok(())
    }

    /// Prints what was gathered and the end-of-run messages; returns the
    /// exit code.
    pub(super) fn finish(mut self) -> io::Result<u8> {
        if let Some(progress) = &mut self.progress {
            progress.clear()?;
        }
        if self.gather {
            self.print_gathered()?;
        }
        self.stdout.flush()?;
        self.print_exit_messages()?;
        let timed_out = self.nodes.values().any(|n| n.timed_out);
        let max = self
            .nodes
            .values()
            .filter_map(|n| n.exit_code)
            .max()
            .unwrap_or(0);
        Ok(match (self.maxrc, timed_out) {
            (false, _) => 0,
            (true, true) => 255,
            (true, false) => u8::try_from(max.clamp(0, 255)).unwrap_or(255),
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

    /// The gathered blocks in clush's order.
    fn gathered_blocks(&self) -> Vec<(NodeSet, Vec<u8>)> {
        // Node set order (node2 before node10), to sort groups by first node.
        let rank: std::collections::HashMap<String, usize> = NodeSet::from_names(self.nodes.keys())
            .iter()
            .enumerate()
            .map(|(i, node)| (node, i))
            .collect();
        let mut blocks = Vec::new();
        for (_, nodes) in self.by_exit_code() {
            let mut groups: Vec<(&[u8], Vec<&str>)> = Vec::new();
            for node in nodes {
                let state = &self.nodes[node];
                if state.lines == 0 {
                    continue;
                }
                match groups
                    .iter_mut()
                    .find(|(output, _)| *output == state.output.as_slice())
                {
                    Some((_, members)) => members.push(node),
                    None => groups.push((&state.output, vec![node])),
                }
            }
            let mut groups: Vec<(NodeSet, Vec<u8>)> = groups
                .into_iter()
                .map(|(output, members)| (NodeSet::from_names(members), output.to_vec()))
                .collect();
            groups.sort_by_key(|(set, _)| {
                let first = set.iter().next().and_then(|n| rank.get(&n).copied());
                (std::cmp::Reverse(set.len()), first)
            });
            blocks.extend(groups);
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

    /// With -b, one message per return code; in both modes the timeouts.
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
        for (code, nodes) in self.by_exit_code() {
            if code == 0 {
                continue;
            }
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

/// `cscomm: done/total` on standard error (a terminal), once a run is long.
struct Progress {
    total: usize,
    done: usize,
    started: std::time::Instant,
    shown: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress {
            total,
            done: 0,
            started: std::time::Instant::now(),
            shown: false,
        }
    }

    fn update(&mut self, ended: bool) -> io::Result<()> {
        self.done += usize::from(ended);
        if self.started.elapsed() < PROGRESS_AFTER {
            return Ok(());
        }
        self.shown = true;
        write!(
            io::stderr().lock(),
            "{PROG}: {}/{}\r",
            self.done,
            self.total
        )
    }

    /// Erases the line before other output.
    fn clear(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.shown) {
            write!(io::stderr().lock(), "\x1b[2K\r")?;
        }
        Ok(())
    }
}
