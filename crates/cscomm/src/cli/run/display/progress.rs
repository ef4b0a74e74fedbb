//! The progress line of long runs on a terminal, like clush's: on standard
//! error, `cscomm: done/total`, erased before any other output.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use super::PROG;

/// Nothing is drawn before the run is this old (clush's delay).
const SHOW_AFTER: Duration = Duration::from_millis(1330);
/// How often the caller should call [`Progress::draw`].
pub(in crate::cli::run) const TICK: Duration = Duration::from_millis(333);

/// Counts ended nodes and draws `PROG: done/total\r` when due.
pub(super) struct Progress {
    total: usize,
    done: usize,
    started: Instant,
    /// The width of the drawn line (0: nothing on screen).
    drawn: usize,
    /// The count last drawn (`None`: draw again).
    last: Option<usize>,
    /// Drawn at least once.
    shown: bool,
}

impl Progress {
    /// The progress of a run of `total` nodes, starting now.
    pub(super) fn new(total: usize) -> Self {
        Progress {
            total,
            done: 0,
            started: Instant::now(),
            drawn: 0,
            last: None,
            shown: false,
        }
    }

    /// Counts a node's end (when `ended`) and asks for a redraw.
    pub(super) fn count(&mut self, ended: bool) {
        self.done += usize::from(ended);
        self.last = None;
    }

    /// Draws the line if the run is long enough and the line is stale.
    pub(super) fn draw(&mut self) -> io::Result<()> {
        self.draw_on(&mut io::stderr().lock())
    }

    /// Erases the line (with spaces, as clush) before other output.
    pub(super) fn clear(&mut self) -> io::Result<()> {
        self.clear_on(&mut io::stderr().lock())
    }

    fn draw_on(&mut self, out: &mut impl Write) -> io::Result<()> {
        if self.started.elapsed() < SHOW_AFTER || self.last == Some(self.done) {
            return Ok(());
        }
        let width = self.total.to_string().len();
        let line = format!("{PROG}: {:>width$}/{:>width$}\r", self.done, self.total);
        out.write_all(line.as_bytes())?;
        out.flush()?;
        self.drawn = line.len();
        self.last = Some(self.done);
        self.shown = true;
        Ok(())
    }

    /// The end of a gathered run, as clush ends it: once drawn, the line is
    /// erased and `PROG: total/total\r` written (and left).
    pub(super) fn finalize(&mut self) -> io::Result<()> {
        self.finalize_on(&mut io::stderr().lock())
    }

    fn finalize_on(&mut self, out: &mut impl Write) -> io::Result<()> {
        if !self.shown {
            return Ok(());
        }
        self.clear_on(out)?;
        let width = self.total.to_string().len();
        write!(
            out,
            "{PROG}: {:>width$}/{:>width$}\r",
            self.total, self.total
        )?;
        out.flush()
    }

    fn clear_on(&mut self, out: &mut impl Write) -> io::Result<()> {
        if self.drawn > 0 {
            let blank = " ".repeat(std::mem::take(&mut self.drawn));
            write!(out, "{blank}\r")?;
        }
        self.last = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(progress: &mut Progress) -> String {
        let mut out = Vec::new();
        progress.draw_on(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn drawn_once_late_enough_padded_and_erased() {
        let mut progress = Progress::new(120);
        progress.count(true);
        assert_eq!(drawn(&mut progress), "", "too early");
        progress.started -= SHOW_AFTER;
        assert_eq!(drawn(&mut progress), "cscomm:   1/120\r");
        assert_eq!(drawn(&mut progress), "", "unchanged");
        progress.count(false);
        progress.count(true);
        assert_eq!(drawn(&mut progress), "cscomm:   2/120\r");
        let mut out = Vec::new();
        progress.clear_on(&mut out).unwrap();
        assert_eq!(out, format!("{}\r", " ".repeat(16)).into_bytes());
        out.clear();
        progress.clear_on(&mut out).unwrap();
        assert!(out.is_empty(), "nothing left to erase");
        assert_eq!(drawn(&mut progress), "cscomm:   2/120\r", "redrawn");
        out.clear();
        progress.finalize_on(&mut out).unwrap();
        let blank = " ".repeat(16);
        assert_eq!(out, format!("{blank}\rcscomm: 120/120\r").into_bytes());
    }

    #[test]
    fn not_finalized_when_never_drawn() {
        let mut out = Vec::new();
        Progress::new(3).finalize_on(&mut out).unwrap();
        assert!(out.is_empty());
    }
}
