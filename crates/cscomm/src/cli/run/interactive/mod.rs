//! `cscomm run` with no command on a terminal: clush's interactive mode.
//! Each line typed at the `cscomm> ` prompt is a command run on the
//! working nodes (through the same tree run and display as a command of
//! the command line) or one of clush's special commands: `=` gathers
//! output or stops, `+nodes`/`-nodes`/`@nodes` change the working nodes,
//! `?` shows them, `!command` runs here, `quit` or Ctrl-D ends.

mod prompt;
mod special;

use cscomm::tree::{NodeSet, TreeOptions};
use cscomm_groups::GroupResolver;
use tokio::runtime::Runtime;

use super::display::{DisplayOptions, PROG, RunOutcome, Verbosity};
use prompt::{Prompt, Read};
use special::{Line, NodesChange};

/// The exit status after Ctrl-C at the prompt (clush's 128 + SIGINT).
const INTERRUPTED: u8 = 130;

/// What a session needs: how to run and show commands, and the nodes.
pub(super) struct Session<'a> {
    /// The tree run settings of every command.
    pub(super) options: TreeOptions,
    /// The display of every command; `=` flips its `gather`.
    pub(super) display: DisplayOptions,
    /// The working nodes, at first the command line's.
    pub(super) targets: NodeSet,
    /// Resolves the node sets of `+`, `-` and `@` (groups allowed).
    pub(super) resolver: &'a mut GroupResolver,
    /// `clush.conf`'s `history_size`.
    pub(super) history_size: i64,
}

/// How a session ended.
#[derive(Debug)]
pub(super) enum End {
    /// `quit` or Ctrl-D: the outcome of the last command run, if any.
    Done(Option<RunOutcome>),
    /// Ctrl-C at the prompt: clush's exit status.
    Interrupted(u8),
}

/// Runs one command: `(command, targets, options, display, runtime)`.
pub(super) type Execute<'e> = dyn FnMut(
        &str,
        &NodeSet,
        TreeOptions,
        &DisplayOptions,
        &Runtime,
    ) -> Result<RunOutcome, Box<dyn std::error::Error>>
    + 'e;

/// The outcome of a command; one that could not start is reported and
/// the session goes on.
fn report(result: Result<RunOutcome, Box<dyn std::error::Error>>) -> Option<RunOutcome> {
    result
        .inspect_err(|error| eprintln!("{PROG}: {error}"))
        .ok()
}

impl Session<'_> {
    /// The prompt loop, until `quit`, Ctrl-D or Ctrl-C.
    pub(super) fn run(
        mut self,
        execute: &mut Execute<'_>,
    ) -> Result<End, Box<dyn std::error::Error>> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let mut prompt = Prompt::new(self.history_size)?;
        self.say(
            Verbosity::Std,
            "Enter 'quit' to leave this interactive mode",
        );
        let mut last = None;
        let mut show_nodes = true;
        loop {
            if show_nodes {
                println!("Working with nodes: {}", self.targets);
            }
            let line = match prompt.read()? {
                Read::Line(line) => line,
                // The line editor has already ended the line.
                Read::Eof => return Ok(End::Done(last)),
                Read::Interrupted => {
                    eprintln!("Keyboard interrupt.");
                    return Ok(End::Interrupted(INTERRUPTED));
                }
            };
            show_nodes = false;
            match special::parse(&line) {
                Line::Quit => return Ok(End::Done(last)),
                Line::Empty => {}
                Line::ToggleGather => self.toggle_gather(),
                Line::Nodes(change) => {
                    self.change_nodes(&change);
                    show_nodes = true;
                }
                Line::Show => show_nodes = true,
                Line::Local(command) => {
                    let (targets, options, display) = self.local();
                    // Run as typed: `%` is no keyword here (`%%` is `%`).
                    let command = command.replace('%', "%%");
                    last = report(execute(&command, &targets, options, &display, &runtime));
                }
                // With no working nodes nothing runs.
                Line::Remote(_) if self.targets.is_empty() => {}
                Line::Remote(command) => {
                    prompt.save_history();
                    let display = self.remote_display();
                    let options = self.options.clone();
                    last = report(execute(command, &self.targets, options, &display, &runtime));
                }
            }
        }
    }

    /// A message on standard output at this verbosity or more.
    fn say(&self, level: Verbosity, message: &str) {
        if self.display.verbosity >= level {
            println!("{message}");
        }
    }

    fn toggle_gather(&mut self) {
        self.display.gather = !self.display.gather;
        self.say(
            Verbosity::Std,
            if self.display.gather {
                "Switching to gathered output format"
            } else {
                "Switching to standard output format"
            },
        );
    }

    /// `+`, `-`, `@`; a node set that does not parse changes nothing.
    fn change_nodes(&mut self, change: &NodesChange) {
        let text = match change {
            NodesChange::Add(text) | NodesChange::Remove(text) | NodesChange::Set(text) => text,
        };
        let nodes = if text.is_empty() {
            Ok(NodeSet::new())
        } else {
            self.resolver.parse(text)
        };
        let Ok(nodes) = nodes else {
            eprintln!("{PROG}: nodeset parse error (ignoring)");
            return;
        };
        match change {
            NodesChange::Add(_) => self.targets.update(&nodes),
            NodesChange::Remove(_) => self.targets.difference_update(&nodes),
            NodesChange::Set(_) => self.targets = nodes,
        }
    }

    /// The display of a command on the nodes: --diff only while gathering.
    fn remote_display(&self) -> DisplayOptions {
        DisplayOptions {
            diff: self.display.diff && self.display.gather,
            ..self.display.clone()
        }
    }

    /// `!command`: run here once as node `LOCAL`, shown line by line as
    /// clush shows it (never gathered, no --outdir/--errdir).
    fn local(&self) -> (NodeSet, TreeOptions, DisplayOptions) {
        let targets = NodeSet::from_names(["LOCAL".to_owned()]);
        let options = TreeOptions {
            remote: false,
            local_worker_ssh: false,
            topology: None,
            ..self.options.clone()
        };
        let display = DisplayOptions {
            gather: false,
            line_mode: false,
            diff: false,
            outdir: None,
            errdir: None,
            ..self.display.clone()
        };
        (targets, options, display)
    }
}
