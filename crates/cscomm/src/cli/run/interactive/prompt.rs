//! Lines read at the `cscomm> ` prompt, with line editing and a history
//! file (rustyline).

use std::io::Write;
use std::path::PathBuf;

use rustyline::config::Config;
use rustyline::error::ReadlineError;
use rustyline::history::{DefaultHistory, History};
use rustyline::{DefaultEditor, Editor};

/// The prompt (clush's is `clush> `).
pub(super) const PROMPT: &str = "cscomm> ";

/// What reading a line gave.
#[derive(Debug)]
pub(super) enum Read {
    /// A line, without its end.
    Line(String),
    /// Ctrl-D on an empty line.
    Eof,
    /// Ctrl-C.
    Interrupted,
}

/// The terminal's line reader and its history.
pub(super) struct Prompt {
    editor: DefaultEditor,
    history: Option<PathBuf>,
}

impl Prompt {
    /// A reader keeping at most `history_size` lines (`clush.conf`'s
    /// `history_size`), loaded from and saved to `$HOME/.cscomm_history`.
    pub(super) fn new(history_size: i64) -> rustyline::Result<Prompt> {
        let size = usize::try_from(history_size).unwrap_or(0);
        let config = Config::builder()
            .max_history_size(size)?
            .auto_add_history(true)
            .build();
        let mut editor: Editor<(), DefaultHistory> = Editor::with_config(config)?;
        let history = std::env::var_os("HOME")
            .filter(|home| !home.is_empty())
            .map(|home| PathBuf::from(home).join(".cscomm_history"));
        if let Some(path) = &history {
            // As clush: a missing or unreadable history is no error.
            let _ = editor.load_history(path);
        }
        Ok(Prompt { editor, history })
    }

    /// Reads one line after the prompt.
    pub(super) fn read(&mut self) -> rustyline::Result<Read> {
        // Our own messages are on stdout too: they come before the prompt.
        let _ = std::io::stdout().flush();
        match self.editor.readline(PROMPT) {
            Ok(line) => Ok(Read::Line(line)),
            Err(ReadlineError::Eof) => Ok(Read::Eof),
            Err(ReadlineError::Interrupted) => Ok(Read::Interrupted),
            Err(e) => Err(e),
        }
    }

    /// Writes the history file (as clush, before each remote command); a
    /// failure is ignored.
    pub(super) fn save_history(&mut self) {
        if let Some(path) = &self.history {
            if self.editor.history().len() > 0 {
                let _ = self.editor.save_history(path);
            }
        }
    }
}
