//! clush's ANSI colours (`--color`): node prefixes and headers of standard
//! output in blue, of standard error in red, diff lines in clush's colours.

/// Which colours a display uses; all empty without `--color`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(in crate::cli::run) struct Style {
    enabled: bool,
}

/// One colour: its escape sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Colour {
    /// Prefixes and headers of standard output.
    Stdout,
    /// Prefixes of standard error.
    Stderr,
    /// `---`/`+++` lines of a diff.
    DiffHeader,
    /// `@@` lines of a diff.
    DiffHunk,
    /// Added lines of a diff.
    DiffAdd,
    /// Removed lines of a diff.
    DiffDel,
}

impl Colour {
    fn code(self) -> &'static [u8] {
        match self {
            Colour::Stdout => b"\x1b[94m",
            Colour::Stderr | Colour::DiffDel => b"\x1b[91m",
            Colour::DiffHeader => b"\x1b[1m",
            Colour::DiffHunk => b"\x1b[96m",
            Colour::DiffAdd => b"\x1b[92m",
        }
    }
}

/// Ends a colour.
const RESET: &[u8] = b"\x1b[0m";

impl Style {
    /// Colours on (`true`) or off.
    pub(in crate::cli::run) fn new(enabled: bool) -> Style {
        Style { enabled }
    }

    /// What starts `colour` (nothing when colours are off).
    pub(super) fn start(self, colour: Colour) -> &'static [u8] {
        if self.enabled { colour.code() } else { b"" }
    }

    /// What ends a colour (nothing when colours are off).
    pub(super) fn end(self) -> &'static [u8] {
        if self.enabled { RESET } else { b"" }
    }

    /// Appends `text` to `out` in `colour`.
    pub(super) fn paint(self, colour: Colour, text: &[u8], out: &mut Vec<u8>) {
        if self.enabled {
            out.extend_from_slice(colour.code());
            out.extend_from_slice(text);
            out.extend_from_slice(RESET);
        } else {
            out.extend_from_slice(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paints_only_when_enabled() {
        let mut out = Vec::new();
        Style::new(true).paint(Colour::Stdout, b"n1: ", &mut out);
        assert_eq!(out, b"\x1b[94mn1: \x1b[0m");
        out.clear();
        Style::new(false).paint(Colour::Stderr, b"n1: ", &mut out);
        assert_eq!(out, b"n1: ");
    }
}
